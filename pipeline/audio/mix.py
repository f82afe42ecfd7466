"""Assemble an episode: stings, music bed, segments and gaps -> one loudness-normalized MP3, in two ffmpeg passes.

Memory stays flat however long the episode is: each piece of the running order (the open, every turn of every
segment, the gaps, the close) is its own 44.1 kHz WAV file, and ffmpeg streams their concatenation.

- Each voiced turn is resampled to 44.1 kHz through a gentle compressor and limiter once, and kept beside its TTS
  cache file: piper peak-normalizes every sentence, so raw speech has a peak-to-loudness ratio near 20 dB, which
  a single gain to -16 LUFS would push far over the peak ceiling. A warm render reuses the prepared files.
- The open and the close (sting, speech, bed) are mixed here in numpy with levels set against the speech they
  carry, measured by :mod:`pipeline.audio.loudness`: stings at ``audio.sting_db`` (at most +1 LU), the bed at
  ``audio.bed_db`` (about -20 LU) and ducked a further 10 dB while the host speaks.
- Pass 1: ffmpeg's ebur128 meter measures the concatenation (integrated loudness only: cheap).
- Pass 2: the single encode applies the gain to ``audio.loudness`` and a limiter under ``audio.true_peak``
  (with ``audio.bed_under_show`` it also loops the bed under everything, ducked by the speech), and meters what it
  encodes (ebur128 with true peak) in the same run. No correction re-encode: the gain is linear and measured.
"""

from __future__ import annotations

import os
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipeline.audio.backends import Speech, read_wav, write_wav
from pipeline.audio.ffmpeg import Loudness, parse_ebur128, run, to_wav
from pipeline.audio.loudness import integrated
from pipeline.audio.music import bed as make_bed
from pipeline.audio.music import sting
from pipeline.audio.synth import SegmentAudio, Turn, TurnAudio
from pipeline.config import Config
from pipeline.errors import AudioError
from pipeline.models import Segment

RATE = 44100
TURN_PAUSE = 0.35  # seconds between two speakers' turns
STING_OVERLAP = 0.9  # the first words start while the intro sting still rings
OUTRO_GAP = 0.4
DUCK_DB = 10.0  # how far the bed drops under speech
# Measured on piper speech: brings the peak-to-loudness ratio to ~13 dB, so the final gain needs little limiting.
SPEECH_CHAIN = ("acompressor=threshold=-24dB:ratio=3:attack=5:release=100:makeup=6dB,"
                "alimiter=limit=-14dB:attack=2:release=60:level=false")
CHAIN_VERSION = 1  # bump when SPEECH_CHAIN changes: prepared turn files are keyed by it
# Measured: libmp3lame takes 0.4-0.5 LU off piper speech at 64-128 kbps (not its low-pass: a matching low-pass
# before the meter changes nothing), and at 64 kbps its decoded peaks overshoot the PCM by up to 1.9 dB on a
# 30-minute episode (0.3 dB on a 2-minute one). So the limiter sits 2 dB under audio.true_peak, the gain makes
# up the loudness loss, and the meter in the encode pass (which reads the PCM going into the encoder) is
# reported with both applied.
PEAK_MARGIN_DB = 2.0
ENCODER_LOSS_LU = 0.4
ENCODER_PEAK_RISE_DB = 2.0
OFF = {"none", "off", "false", ""}


@dataclass
class Placement:
    """Where one turn's speech sits in the episode (seconds), with its sentences' times inside the turn."""

    segment_id: str
    turn: Turn
    start: float
    seconds: float
    sentences: list[tuple[str, float, float]] = field(default_factory=list)  # (text, start, end) in the turn


@dataclass
class Timeline:
    pieces: list[Path] = field(default_factory=list)
    starts: dict[str, float] = field(default_factory=dict)  # segment id -> chapter start
    speech: list[Placement] = field(default_factory=list)
    duration: float = 0.0
    levels: dict[str, float] = field(default_factory=dict)  # what the mix set: sting/bed LU against speech

    def add(self, path: Path) -> float:
        """Append a piece; returns where it starts."""
        start = self.duration
        self.pieces.append(path)
        self.duration += wav_seconds(path)
        return start


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()


def _silence(work: Path, seconds: float) -> Path:
    path = work / f"silence-{round(seconds * 1000)}.wav"
    if not path.exists():
        write_wav(path, Speech(np.zeros(int(round(seconds * RATE)), dtype=np.int16), RATE))
    return path


def _asset(config: Config, name: str, work: Path, *, bed_seconds: float = 0.0) -> Path | None:
    """The show's own sting/bed file (decoded to 44.1 kHz mono), briefcast's built-in one, or None if off."""
    setting = getattr(config.audio, name)
    target = work / f"{name}.wav"
    if setting is not None and setting.strip().lower() in OFF:
        return None
    if target.exists():
        return target
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
             "bed": lambda: make_bed(max(bed_seconds, 40.0))}[name]()
    write_wav(target, built)
    return target


def prepared(turn: TurnAudio, subject: str) -> Path:
    """The turn's audio at 44.1 kHz through SPEECH_CHAIN, made once beside its cache file (atomic)."""
    target = turn.path.with_name(f"{turn.path.stem}.mix{CHAIN_VERSION}-{RATE}.wav")
    if target.is_file():
        return target
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        to_wav(turn.path, partial, rate=RATE, subject=subject, filters=SPEECH_CHAIN)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _float(path: Path) -> np.ndarray:
    speech = read_wav(path)
    if speech.rate != RATE:
        raise AudioError(f"{path.name}: expected {RATE} Hz audio", subject=path.name)
    return speech.samples.astype(np.float64) / 32768.0


def _gain_to(clip: np.ndarray, target_lufs: float, heard: int | None = None) -> np.ndarray:
    """``clip`` at ``target_lufs``, measured over ``clip[:heard]`` (all of it by default)."""
    level = integrated(clip[:heard] if heard and len(clip) + heard > RATE // 2 else clip, RATE)
    return clip if level == -np.inf else clip * 10 ** ((target_lufs - level) / 20)


def duck_curve(speech: np.ndarray, frame: int = RATE // 100) -> np.ndarray:
    """Per-sample ducking amount (0..1): fast down when speech starts, slow back up after it stops."""
    usable = len(speech) // frame * frame
    frames = speech[:usable].reshape(-1, frame) if usable else np.zeros((0, frame))
    active = np.sqrt(np.mean(frames**2, axis=1)) > 10 ** (-40 / 20)
    level, out = 0.0, np.empty(len(active))
    for i, on in enumerate(active):  # ~100 frames a second of a short block: cheap
        level += (1.0 - level) * 0.35 if on else -level * 0.03
        out[i] = level
    curve = np.repeat(out, frame)
    return np.pad(curve, (0, len(speech) - len(curve)), mode="edge") if len(curve) else np.zeros(len(speech))


def _block(config: Config, turn_files: list[Path], work: Path, name: str, *, intro: Path | None,
           outro: Path | None, with_bed: bool, levels: dict[str, float]) -> tuple[Path, list[float]]:
    """The open or the close: sting(s) and speech, with the bed ducked under the speech, mixed in numpy."""
    pause = np.zeros(int(TURN_PAUSE * RATE))
    parts: list[np.ndarray] = []
    offsets: list[float] = []
    length = 0
    for index, file in enumerate(turn_files):
        if index:
            parts.append(pause)
            length += len(pause)
        offsets.append(length / RATE)
        clip = _float(file)
        parts.append(clip)
        length += len(clip)
    speech = np.concatenate(parts) if parts else np.zeros(0)
    speech_lufs = integrated(speech, RATE)
    reference = speech_lufs if speech_lufs != -np.inf else -20.0
    sting_target = reference + config.audio.sting_db
    # A sting is set by the part heard alone (the intro's head before the first words; the whole outro).
    intro_clip = _gain_to(_float(intro), sting_target, heard=-int(STING_OVERLAP * RATE)) if intro else None
    outro_clip = _gain_to(_float(outro), sting_target) if outro else None
    lead = max(0, len(intro_clip) - int(STING_OVERLAP * RATE)) if intro_clip is not None else 0
    speech_end = lead + len(speech)
    outro_at = speech_end + int(OUTRO_GAP * RATE)
    total = outro_at + len(outro_clip) if outro_clip is not None else speech_end + int(0.3 * RATE)
    voice = np.zeros(total)
    voice[lead:speech_end] = speech
    mix = voice.copy()
    if with_bed:
        bed_path = _asset(config, "bed", work, bed_seconds=total / RATE + 1.0)
        if bed_path is not None:
            music = _float(bed_path)
            music = np.tile(music, int(np.ceil(total / len(music))))[:total]  # a short show bed loops
            music = _gain_to(music, reference + config.audio.bed_db)
            fade_in, fade_out = min(total, int(1.2 * RATE)), min(total, int(1.5 * RATE))
            music[:fade_in] *= np.linspace(0, 1, fade_in)
            music[total - fade_out:] *= np.linspace(1, 0, fade_out)
            mix += music * 10 ** (-DUCK_DB * duck_curve(voice) / 20)
            levels["bed_lu"] = round(config.audio.bed_db, 1)
    if intro_clip is not None:
        mix[: len(intro_clip)] += intro_clip[:total]
    if outro_clip is not None:
        mix[outro_at : outro_at + len(outro_clip)] += outro_clip[: total - outro_at]
    if intro_clip is not None or outro_clip is not None:
        levels["sting_lu"] = round(config.audio.sting_db, 1)
    path = work / f"{name}.wav"
    write_wav(path, Speech((np.clip(mix, -1.0, 32767 / 32768) * 32768).astype(np.int16), RATE))
    return path, [(lead / RATE) + offset for offset in offsets]


def build_timeline(config: Config, segments: list[Segment], audio: dict[str, SegmentAudio], work: Path) -> Timeline:
    """Lay the segments out in order with stings, bed and gaps; every piece a 44.1 kHz mono WAV."""
    timeline = Timeline()
    intro, outro = _asset(config, "intro", work), _asset(config, "outro", work)
    gap = _silence(work, config.audio.gap_ms / 1000) if config.audio.gap_ms else None
    pause = _silence(work, TURN_PAUSE)
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        voiced = audio[segment.id]
        files = [prepared(turn, segment.id) for turn in voiced.turns]
        if index and gap is not None:
            timeline.add(gap)
        if index == 0 or index == last:
            framing = (index == 0 and segment.kind == "cold_open") or (index == last and segment.kind == "sign_off")
            block, offsets = _block(config, files, work, f"block-{index}", intro=intro if index == 0 else None,
                                    outro=outro if index == last else None,
                                    with_bed=framing and not config.audio.bed_under_show, levels=timeline.levels)
            start = timeline.add(block)
            timeline.starts[segment.id] = start
            for turn, offset, file in zip(voiced.turns, offsets, files, strict=False):
                timeline.speech.append(Placement(segment.id, turn.turn, start + offset, wav_seconds(file),
                                                 turn.sentences))
            continue
        for number, (turn, file) in enumerate(zip(voiced.turns, files, strict=False)):
            if number:
                timeline.add(pause)
            start = timeline.add(file)
            timeline.starts.setdefault(segment.id, start)
            timeline.speech.append(Placement(segment.id, turn.turn, start, wav_seconds(file), turn.sentences))
    return timeline


def _concat_list(timeline: Timeline, work: Path) -> Path:
    listing = work / "pieces.txt"
    lines = ["ffconcat version 1.0"]
    for path in timeline.pieces:
        quoted = str(path.resolve()).replace("'", "'\\''")
        lines.append(f"file '{quoted}'")
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing


@dataclass
class Encoded:
    """What the encode did: the programme's loudness before, the gain applied, and the meter on what it encoded."""

    measured_lufs: float
    gain_db: float
    meter: Loudness


def encode(config: Config, timeline: Timeline, work: Path, target: Path, *, subject: str) -> Encoded:
    """Measure the concatenated pieces once, then encode them to a mono MP3 at ``target`` with the gain to the
    target loudness and a limiter under the peak ceiling, metering the result in the same ffmpeg run."""
    listing = _concat_list(timeline, work)
    audio = config.audio
    source = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    timeout = 120 + timeline.duration  # generous: ~20x faster than real time is normal
    first = run([*source, "-af", "ebur128=framelog=quiet", "-f", "null", "-"],
                subject=subject, timeout=timeout, what="loudness measurement")
    try:
        measured = parse_ebur128(first).integrated
    except ValueError as exc:
        raise AudioError("ffmpeg's loudness meter printed no measurement", subject=subject) from exc
    if measured == -np.inf or measured < -69:
        raise AudioError("the assembled episode is silent (no measurable loudness)", subject=subject)
    gain = audio.loudness - measured + ENCODER_LOSS_LU
    ceiling = 10 ** ((audio.true_peak - PEAK_MARGIN_DB) / 20)
    finish = (f"volume={gain:.2f}dB,alimiter=limit={ceiling:.4f}:attack=1:release=50:level=false,"
              f"aresample={audio.sample_rate}")
    inputs = list(source)
    if audio.bed_under_show and (bed := _asset(config, "bed", work, bed_seconds=60.0)) is not None:
        # The bed at bed_db under the programme's measured loudness, looped, ducked by the speech itself.
        bed_gain = measured + audio.bed_db - integrated(_float(bed), RATE)
        inputs += ["-stream_loop", "-1", "-i", str(bed)]
        graph = (f"[0:a]asplit=2[voice][key];[1:a]volume={bed_gain:.2f}dB,afade=t=in:d=1.5[music];"
                 f"[music][key]sidechaincompress=threshold=0.02:ratio=4:attack=20:release=250[ducked];"
                 f"[voice][ducked]amix=inputs=2:duration=first:normalize=0,{finish},asplit=2[out][meter];"
                 f"[meter]ebur128=peak=true:framelog=quiet,anullsink")
    else:
        graph = f"[0:a]{finish},asplit=2[out][meter];[meter]ebur128=peak=true:framelog=quiet,anullsink"
    stderr = run([*inputs, "-filter_complex", graph, "-map", "[out]", "-map_metadata", "-1", "-ac", "1",
                  "-ar", str(audio.sample_rate), "-c:a", "libmp3lame", "-b:a", audio.bitrate,
                  "-id3v2_version", "0", "-f", "mp3", str(target)],
                 subject=subject, timeout=timeout, what="encoding the MP3")
    try:
        pcm = parse_ebur128(stderr)
    except ValueError as exc:
        raise AudioError("ffmpeg's loudness meter printed no summary while encoding", subject=subject) from exc
    meter = Loudness(round(pcm.integrated - ENCODER_LOSS_LU, 1), round(pcm.true_peak + ENCODER_PEAK_RISE_DB, 1),
                     pcm.lra)
    return Encoded(measured, gain, meter)
