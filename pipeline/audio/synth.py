"""Per-segment synthesis with a cache: the same words in the same voice are never synthesized twice.

A segment's script is split into turns: a line starting with ``COHOST:`` is read by the cohost voice (when
``tts.cohost`` is set; otherwise the host reads it), a line starting with ``HOST:`` or with no prefix by the host.
Each turn is cleaned (no ``[n]`` markers), run through the lexicon, and synthesized once per cache key

    sha256(backend, voice settings, lexicon-applied text)

into ``<state>/tts/<key>.wav`` with a row in the ``tts_cache`` table. Editing one segment therefore re-voices
that segment only. Every fresh synthesis is checked before it is cached: empty, near-silent, or too short for
its text (truncated) audio fails loudly with the segment named.

A turn is voiced sentence by sentence when the backend can (piper): each sentence's real length is recorded in
``<key>.json`` beside the WAV, so transcript cues start and end where the voice does. Sentences are split
where the written text ends one (never inside "Sen." or "U.S."), and each is normalized
(:mod:`pipeline.audio.normalize`) before the voice sees it. Backends that take only whole texts get cue times
shared out by spoken length, marked as estimated.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np

from pipeline.audio.backends import Speech, TTSBackend, make_backend, read_wav, write_wav
from pipeline.audio.ffmpeg import to_wav
from pipeline.audio.lexicon import clean_script
from pipeline.audio.normalize import normalize, split_sentences
from pipeline.config import Config, Voice
from pipeline.errors import AudioError
from pipeline.files import atomic_write_text
from pipeline.models import Segment
from pipeline.store import Store

CACHE_VERSION = 2  # bump when synthesis changes in a way the key does not see (2: sentence by sentence)
Speaker = Literal["host", "cohost"]
_PREFIX = re.compile(r"^\s*(COHOST|CO-HOST|HOST)\s*:\s*", re.IGNORECASE)

# Sanity bounds for speech: nobody speaks 40 characters a second, nor 2 (pauses included).
MAX_CHARS_PER_SECOND = 40.0
MIN_CHARS_PER_SECOND = 2.0
SILENCE_PEAK_DBFS = -40.0
SILENCE_RMS_DBFS = -55.0
VOICED_WINDOW_DBFS = -45.0
SENTENCE_PAUSE = 0.2  # seconds between sentences voiced one by one (piper leaves almost none of its own)


@dataclass
class Turn:
    speaker: Speaker
    text: str  # as written (cleaned): for the transcript
    spoken: str = ""  # after the lexicon: what the voice reads
    sentences: list[str] = field(default_factory=list)  # the written sentences
    spoken_sentences: list[str] = field(default_factory=list)  # each normalized


@dataclass
class TurnAudio:
    turn: Turn
    path: Path
    seconds: float
    key: str
    synthesized: bool
    # (written sentence, start, end) in seconds inside this turn's audio; ``timed`` False when estimated.
    sentences: list[tuple[str, float, float]] = field(default_factory=list)
    timed: bool = True


@dataclass
class SegmentAudio:
    segment_id: str
    turns: list[TurnAudio] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(turn.seconds for turn in self.turns)

    @property
    def audio_hash(self) -> str:
        keys = [turn.key for turn in self.turns]
        return keys[0] if len(keys) == 1 else hashlib.sha256("|".join(keys).encode()).hexdigest()


def split_turns(script: str, *, cohost: bool) -> list[Turn]:
    """The script's lines grouped into turns by speaker (consecutive lines of one speaker join)."""
    turns: list[Turn] = []
    for raw in script.splitlines():
        match = _PREFIX.match(raw)
        speaker: Speaker = "host"
        if match:
            speaker = "cohost" if match.group(1).upper() in ("COHOST", "CO-HOST") and cohost else "host"
            raw = raw[match.end():]
        text = clean_script(raw)
        if not text:
            continue
        if turns and turns[-1].speaker == speaker:
            turns[-1].text += "\n" + text
        else:
            turns.append(Turn(speaker, text))
    return turns


def voiced_bounds(samples: np.ndarray, rate: int) -> tuple[int, int]:
    """First and last sample of speech in a clip (10 ms frames over -45 dBFS); the whole clip if none is."""
    frame = max(1, rate // 100)
    usable = len(samples) // frame * frame
    if not usable:
        return 0, len(samples)
    rms = np.sqrt(np.mean((samples[:usable].astype(np.float64) / 32768).reshape(-1, frame) ** 2, axis=1))
    voiced = np.flatnonzero(rms > 10 ** (VOICED_WINDOW_DBFS / 20))
    if not len(voiced):
        return 0, len(samples)
    return int(voiced[0]) * frame, min(len(samples), (int(voiced[-1]) + 1) * frame)


def shared_times(spoken: list[str], seconds: float) -> list[tuple[float, float]]:
    """Sentence times estimated by each sentence's share of the spoken characters (for whole-text backends)."""
    weights = [max(1, len(sentence)) for sentence in spoken]
    total, at, spans = sum(weights), 0.0, []
    for weight in weights:
        length = seconds * weight / total
        spans.append((round(at, 4), round(at + length, 4)))
        at += length
    return spans


def _read_times(path: Path) -> tuple[bool, list[tuple[float, float]] | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return bool(data["timed"]), [(float(a), float(b)) for a, b in data["sentences"]]
    except (OSError, ValueError, KeyError, TypeError):
        return False, None


def cache_key(backend: str, voice: Voice, text: str, base_url: str | None = None) -> str:
    """The cache key of ``text`` (already lexicon-applied) spoken by ``voice``."""
    payload = {"v": CACHE_VERSION, "backend": backend, "voice": voice.model_dump(mode="json"), "text": text}
    if backend == "openai":
        payload["base_url"] = base_url
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def _dbfs(value: float) -> float:
    return 20 * math.log10(value) if value > 0 else -math.inf


def check_speech(speech: Speech, text: str, *, speed: float, subject: str) -> None:
    """Fail loudly on audio that cannot be the spoken ``text``: empty, near-silent, truncated or runaway."""
    if speech.rate <= 0 or len(speech.samples) == 0:
        raise AudioError("the TTS backend returned no audio", subject=subject)
    samples = speech.samples.astype(np.float32) / 32768.0
    peak, rms = float(np.max(np.abs(samples))), float(np.sqrt(np.mean(samples**2)))
    if _dbfs(peak) < SILENCE_PEAK_DBFS or _dbfs(rms) < SILENCE_RMS_DBFS:
        raise AudioError(f"the TTS backend returned near-silent audio (peak {_dbfs(peak):.1f} dBFS, "
                         f"RMS {_dbfs(rms):.1f} dBFS, {speech.seconds:.1f} s)", subject=subject)
    window = max(1, speech.rate // 20)  # 50 ms
    usable = len(samples) // window * window
    frames = samples[:usable].reshape(-1, window) if usable else samples.reshape(1, -1)
    voiced = float(np.sum(np.sqrt(np.mean(frames**2, axis=1)) > 10 ** (VOICED_WINDOW_DBFS / 20))) * window / speech.rate
    characters = len(text)
    shortest = characters / (MAX_CHARS_PER_SECOND * speed)
    longest = characters / (MIN_CHARS_PER_SECOND * speed) + 5.0
    if voiced < shortest:
        raise AudioError(f"the TTS audio is too short for its text ({voiced:.1f} s of speech for {characters} "
                         f"characters; at least {shortest:.1f} s expected): truncated?", subject=subject)
    if speech.seconds > longest:
        raise AudioError(f"the TTS audio is too long for its text ({speech.seconds:.1f} s for {characters} "
                         f"characters)", subject=subject)


class Synthesizer:
    """Voices segments for one render; holds one backend instance per backend name (models load once)."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.folder = config.state_dir / "tts"
        self._backends: dict[str, TTSBackend] = {}
        self.characters = 0
        self.synthesized = 0
        self.hits = 0

    def voice(self, speaker: Speaker) -> Voice:
        tts = self.config.tts
        return tts.cohost if speaker == "cohost" and tts.cohost is not None else tts.host

    def backend(self, name: str) -> TTSBackend:
        if name not in self._backends:
            self._backends[name] = make_backend(name, self.config.tts)
        return self._backends[name]

    def segment(self, segment: Segment) -> SegmentAudio:
        """Audio for each turn of the segment's script, from the cache or freshly synthesized."""
        turns = split_turns(segment.script, cohost=self.config.tts.cohost is not None)
        if not turns:
            raise AudioError("the segment has no script to read", subject=segment.id,
                             hint="write its script in draft.md, or drop the segment")
        result = SegmentAudio(segment.id)
        for turn in turns:
            result.turns.append(self._turn(self.prepare(turn), segment.id))
        return result

    def prepare(self, turn: Turn) -> Turn:
        """The turn's sentences as written and as the voice will be given them (normalized)."""
        tts = self.config.tts
        turn.sentences = split_sentences(turn.text) or [turn.text]
        turn.spoken_sentences = [normalize(sentence, tts.lexicon, tts.say_as_words) for sentence in turn.sentences]
        turn.spoken = " ".join(turn.spoken_sentences)
        return turn

    def _turn(self, turn: Turn, subject: str) -> TurnAudio:
        voice = self.voice(turn.speaker)
        key = cache_key(voice.backend, voice, "\n".join(turn.spoken_sentences), self.config.tts.base_url)
        path = self.folder / f"{key}.wav"
        times_path = path.with_suffix(".json")
        rows = self.store.query("SELECT seconds FROM tts_cache WHERE cache_key = ?", (key,))
        if rows and path.is_file():
            self.hits += 1
            seconds = float(rows[0]["seconds"])
            timed, spans = _read_times(times_path)
            if spans is None or len(spans) != len(turn.sentences):
                timed, spans = False, shared_times(turn.spoken_sentences, seconds)
            return TurnAudio(turn, path, seconds, key, synthesized=False, timed=timed,
                             sentences=[(text, a, b) for text, (a, b) in zip(turn.sentences, spans, strict=False)])
        backend = self.backend(voice.backend)
        speech, spans, timed = self._speak(backend, turn, voice, subject)
        check_speech(speech, turn.spoken, speed=voice.speed, subject=subject)
        self.folder.mkdir(parents=True, exist_ok=True)
        seconds = self._save(speech, path, voice, subject)
        if abs(seconds - speech.seconds) > 0.05:  # a pitch shift that changed the length: scale the times
            spans = [(a * seconds / speech.seconds, b * seconds / speech.seconds) for a, b in spans]
        atomic_write_text(times_path, json.dumps({"timed": timed, "sentences": spans}))
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO tts_cache (cache_key, path, characters, seconds, created) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(cache_key) DO UPDATE SET path = excluded.path, characters = excluded.characters,"
                " seconds = excluded.seconds, created = excluded.created",
                (key, str(path), len(turn.spoken), seconds, datetime.now(UTC).isoformat()),
            )
        self.characters += len(turn.spoken)
        self.synthesized += 1
        return TurnAudio(turn, path, seconds, key, synthesized=True, timed=timed,
                         sentences=[(text, a, b) for text, (a, b) in zip(turn.sentences, spans, strict=False)])

    def _speak(self, backend: TTSBackend, turn: Turn, voice: Voice,
               subject: str) -> tuple[Speech, list[tuple[float, float]], bool]:
        """The turn's speech and each sentence's (start, end): measured when the backend voices sentences one
        by one, else shared out by spoken length."""
        by_sentence = getattr(backend, "synthesize_sentences", None)
        if by_sentence is None:
            speech = backend.synthesize(turn.spoken, voice, subject=subject)
            return speech, shared_times(turn.spoken_sentences, speech.seconds), False
        clips: list[Speech] = by_sentence(turn.spoken_sentences, voice, subject=subject)
        rate = clips[0].rate
        pause = np.zeros(int(rate * SENTENCE_PAUSE), dtype=np.int16)
        parts: list[np.ndarray] = []
        spans: list[tuple[float, float]] = []
        at = 0
        for clip in clips:
            if parts:
                parts.append(pause)
                at += len(pause)
            lead, tail = voiced_bounds(clip.samples, rate)  # a cue runs while the voice speaks, not its silences
            spans.append((round((at + lead) / rate, 4), round((at + tail) / rate, 4)))
            parts.append(clip.samples)
            at += len(clip.samples)
        return Speech(np.concatenate(parts), rate), spans, True

    def _save(self, speech: Speech, path: Path, voice: Voice, subject: str) -> float:
        """Write the cache file atomically; a pitched voice goes through ffmpeg's rubberband on the way."""
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem[:12]}.", suffix=".wav", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            write_wav(tmp, speech)
            if voice.pitch != 1.0:
                shifted = tmp.with_name(tmp.name + ".pitch.wav")
                try:
                    # Formants preserved: a lower voice, not a slowed-down one (FACTS: stays intelligible).
                    to_wav(tmp, shifted, subject=subject,
                           filters=f"rubberband=pitch={voice.pitch:.4f}:formant=preserved")
                    os.replace(shifted, tmp)
                finally:
                    shifted.unlink(missing_ok=True)
            seconds = read_wav(tmp).seconds
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return seconds
