"""Assemble an episode: stings, music bed, segments and gaps -> one loudness-normalized MP3.

Memory stays flat however long the episode is: each piece of the running order (the open, every turn of every
segment, the gaps, the close) is its own 44.1 kHz WAV file, and ffmpeg streams their concatenation through
the compressor, the loudness normalizer and the MP3 encoder. Only the open and the close (a sting, a few
seconds of speech, the bed ducked under it) are mixed in memory, with pydub.

Loudness is two-pass loudnorm: pass one measures the processed programme (print_format=json), pass two
applies the measured values with linear=true, so the whole episode gets one gain instead of a pumping one.
A gentle compressor and a limiter come first: piper peak-normalizes every sentence, so raw speech has a
peak-to-loudness ratio near 20 dB, and linear normalization to -16 LUFS needs it under about 14.5 dB.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipeline.audio.ffmpeg import parse_loudnorm_json, pydub, run, to_wav
from pipeline.audio.music import bed as make_bed
from pipeline.audio.music import sting
from pipeline.audio.backends import write_wav
from pipeline.audio.synth import SegmentAudio, Turn
from pipeline.config import Config
from pipeline.errors import AudioError
from pipeline.models import Segment

RATE = 44100
TURN_PAUSE = 0.35  # seconds between two speakers' turns
STING_OVERLAP = 0.9  # the first words start while the intro sting still rings
OUTRO_GAP = 0.4
DUCK_DB = 10.0  # how far the bed drops under speech
# Measured on piper speech: brings the peak-to-loudness ratio to ~13 dB so loudnorm can stay linear.
PRE_CHAIN = ("acompressor=threshold=-24dB:ratio=3:attack=5:release=100:makeup=6dB,"
             "alimiter=limit=-14dB:attack=2:release=60:level=false")
OFF = {"none", "off", "false", ""}


@dataclass
class Placement:
    """Where one turn's speech sits in the episode (seconds)."""

    segment_id: str
    turn: Turn
    start: float
    seconds: float


@dataclass
class Timeline:
    pieces: list[Path] = field(default_factory=list)
    starts: dict[str, float] = field(default_factory=dict)  # segment id -> chapter start
    speech: list[Placement] = field(default_factory=list)
    duration: float = 0.0

    def add(self, path: Path) -> float:
        """Append a piece; returns where it starts."""
        start = self.duration
        self.pieces.append(path)
        self.duration += wav_seconds(path)
        return start


@dataclass
class Mixed:
    path: Path
    timeline: Timeline
    loudnorm: dict[str, float | str]


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()


def _silence(work: Path, seconds: float) -> Path:
    path = work / f"silence-{round(seconds * 1000)}.wav"
    if not path.exists():
        from pipeline.audio.backends import Speech

        write_wav(path, Speech(np.zeros(int(round(seconds * RATE)), dtype=np.int16), RATE))
    return path


def _asset(config: Config, name: str, work: Path, *, bed_seconds: float = 0.0) -> Path | None:
    """The show's own sting/bed file (decoded to 44.1 kHz mono), briefcast's built-in one, or None if off."""
    setting = getattr(config.audio, name)
    target = work / f"{name}.wav"
    if setting is not None and setting.strip().lower() in OFF:
        return None
    if setting is not None:
        source = Path(setting).expanduser()
        source = source if source.is_absolute() else config.root / source
        if not source.is_file():
            raise AudioError(f"audio.{name} file not found: {source}", subject=f"audio.{name}",
                             hint=f"fix the path (relative to the show folder), or set audio.{name}: null "
                                  "for briefcast's own")
        to_wav(source, target, rate=RATE, subject=f"audio.{name}")
        return target
    built = {"intro": lambda: sting(rising=True), "outro": lambda: sting(rising=False),
             "bed": lambda: make_bed(bed_seconds)}[name]()
    write_wav(target, built)
    return target


def _activity(speech: np.ndarray, frame: int) -> np.ndarray:
    """Per-frame ducking amount (0..1): fast down when speech starts, slow back up after it stops."""
    usable = len(speech) // frame * frame
    frames = speech[:usable].astype(np.float32).reshape(-1, frame) / 32768.0
    active = np.sqrt(np.mean(frames**2, axis=1)) > 10 ** (-40 / 20)
    level, out = 0.0, np.empty(len(active))
    for i, on in enumerate(active):  # ~100 frames a second of a 30 s block: cheap
        level += (1.0 - level) * 0.35 if on else -level * 0.03
        out[i] = level
    return np.append(out, out[-1:] if len(out) else [0.0])


def _block(config: Config, turn_files: list[Path], work: Path, name: str, *, intro: Path | None,
           outro: Path | None, with_bed: bool) -> tuple[Path, list[float]]:
    """The open or the close: sting(s) and speech, with the bed ducked under the speech (pydub)."""
    AudioSegment = pydub().AudioSegment
    speech = AudioSegment.silent(duration=0, frame_rate=RATE)
    offsets: list[float] = []
    for index, file in enumerate(turn_files):
        if index:
            speech += AudioSegment.silent(duration=int(TURN_PAUSE * 1000), frame_rate=RATE)
        offsets.append(len(speech) / 1000)
        speech += AudioSegment.from_wav(file)
    intro_clip = AudioSegment.from_wav(intro) if intro else None
    outro_clip = AudioSegment.from_wav(outro) if outro else None
    lead = max(0.0, len(intro_clip) / 1000 - STING_OVERLAP) if intro_clip else 0.0
    speech_end = lead + len(speech) / 1000
    outro_at = speech_end + OUTRO_GAP
    total = outro_at + len(outro_clip) / 1000 if outro_clip else speech_end + 0.3
    mix = AudioSegment.silent(duration=int(round(total * 1000)), frame_rate=RATE)
    speech_track = mix.overlay(speech, position=int(round(lead * 1000)))
    if with_bed:
        bed_path = _asset(config, "bed", work, bed_seconds=total + 1.0)
        if bed_path is not None:
            mix = mix.overlay(_ducked_bed(config, bed_path, speech_track, total), position=0)
    mix = mix.overlay(speech_track, position=0)
    if intro_clip:
        mix = mix.overlay(intro_clip, position=0)
    if outro_clip:
        mix = mix.overlay(outro_clip, position=int(round(outro_at * 1000)))
    path = work / f"{name}.wav"
    mix.set_channels(1).set_frame_rate(RATE).set_sample_width(2).export(path, format="wav")
    return path, [lead + offset for offset in offsets]


def _ducked_bed(config: Config, bed_path: Path, speech_track, total: float):  # type: ignore[no-untyped-def]
    AudioSegment = pydub().AudioSegment
    bed = AudioSegment.from_wav(bed_path)
    while len(bed) < total * 1000:  # a short show bed loops
        bed += bed
    bed = bed[: int(round(total * 1000))].fade_in(1200).fade_out(1500).apply_gain(config.audio.bed_db)
    samples = np.array(bed.get_array_of_samples(), dtype=np.float32)
    voice = np.array(speech_track.get_array_of_samples(), dtype=np.int16)
    frame = RATE // 100
    amount = _activity(voice, frame)
    gain_db = -DUCK_DB * np.repeat(amount, frame)[: len(samples)]
    gain = 10 ** (np.pad(gain_db, (0, max(0, len(samples) - len(gain_db))), mode="edge") / 20)
    ducked = np.clip(samples * gain, -32768, 32767).astype(np.int16)
    return AudioSegment(data=ducked.tobytes(), sample_width=2, frame_rate=RATE, channels=1)


def build_timeline(config: Config, segments: list[Segment], audio: dict[str, SegmentAudio], work: Path) -> Timeline:
    """Lay the segments out in order with stings, bed and gaps; every piece a 44.1 kHz mono WAV in ``work``."""
    timeline = Timeline()
    intro, outro = _asset(config, "intro", work), _asset(config, "outro", work)
    gap = _silence(work, config.audio.gap_ms / 1000) if config.audio.gap_ms else None
    pause = _silence(work, TURN_PAUSE)
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        voiced = audio[segment.id]
        files = []
        for number, turn in enumerate(voiced.turns):
            file = work / f"{index:03d}-{number:03d}.wav"
            to_wav(turn.path, file, rate=RATE, subject=segment.id)
            files.append(file)
        if index and gap is not None:
            timeline.add(gap)
        if index == 0 or index == last:
            bed = (index == 0 and segment.kind == "cold_open") or (index == last and segment.kind == "sign_off")
            block, offsets = _block(config, files, work, f"block-{index}", intro=intro if index == 0 else None,
                                    outro=outro if index == last else None, with_bed=bed)
            start = timeline.add(block)
            timeline.starts[segment.id] = start
            for turn, offset, file in zip(voiced.turns, offsets, files):
                timeline.speech.append(Placement(segment.id, turn.turn, start + offset, wav_seconds(file)))
            continue
        for number, (turn, file) in enumerate(zip(voiced.turns, files)):
            if number:
                timeline.add(pause)
            start = timeline.add(file)
            timeline.starts.setdefault(segment.id, start)
            timeline.speech.append(Placement(segment.id, turn.turn, start, wav_seconds(file)))
    return timeline


def _concat_list(timeline: Timeline, work: Path) -> Path:
    listing = work / "pieces.txt"
    lines = ["ffconcat version 1.0"]
    for path in timeline.pieces:
        quoted = str(path.resolve()).replace("'", "'\\''")
        lines.append(f"file '{quoted}'")
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing


def encode(config: Config, timeline: Timeline, work: Path, target: Path, *, subject: str,
           measured: dict[str, float | str] | None = None, correction: float = 0.0) -> dict[str, float | str]:
    """Two-pass loudnorm over the concatenated pieces, encoded to a mono MP3 at ``target``.

    Returns the first pass's measurement; pass it back as ``measured`` with a ``correction`` (LU) to re-encode
    without measuring again (the MP3 encoder itself can shave a few tenths of a LU off the loudness).
    """
    listing = _concat_list(timeline, work)
    audio = config.audio
    loudnorm = f"loudnorm=I={audio.loudness}:TP={audio.true_peak}:LRA=11"
    source = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    timeout = 120 + timeline.duration  # generous: ~20x faster than real time is normal
    if measured is None:
        first = run([*source, "-af", f"{PRE_CHAIN},{loudnorm}:print_format=json", "-f", "null", "-"],
                    subject=subject, timeout=timeout, what="loudness measurement")
        try:
            measured = parse_loudnorm_json(first)
        except ValueError as exc:
            raise AudioError("loudnorm printed no measurement", subject=subject) from exc
    if not isinstance(measured.get("input_i"), float) or measured["input_i"] == float("-inf"):
        raise AudioError("the assembled episode is silent (no measurable loudness)", subject=subject)
    # In linear mode loudnorm's gain is target - measured_I (its offset option is ignored there), so a
    # correction is applied by shifting the measured value.
    applied = (f"{loudnorm}:measured_I={float(measured['input_i']) - correction:.2f}"
               f":measured_TP={measured['input_tp']}:measured_LRA={measured['input_lra']}"
               f":measured_thresh={measured['input_thresh']}:linear=true:print_format=summary")
    run([*source, "-af", f"{PRE_CHAIN},{applied},aresample={audio.sample_rate}", "-map_metadata", "-1",
                  "-ac", "1", "-ar", str(audio.sample_rate), "-c:a", "libmp3lame", "-b:a", audio.bitrate,
                  "-id3v2_version", "0", "-f", "mp3", str(target)],
                 subject=subject, timeout=timeout, what="encoding the MP3")
    return measured
