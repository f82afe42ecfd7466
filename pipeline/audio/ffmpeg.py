"""The ffmpeg binary that imageio-ffmpeg ships, and the few ffmpeg jobs briefcast runs.

There is no ffprobe: every decode goes through ffmpeg to a WAV file, and every measurement (ebur128, loudnorm's
first pass) is parsed from ffmpeg's stderr. pydub is pointed at the same binary before it is first imported, so
it never warns that it "Couldn't find ffmpeg".
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.errors import AudioError


@cache
def ffmpeg_exe() -> str:
    """Path of the bundled ffmpeg (imageio-ffmpeg)."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise AudioError("imageio-ffmpeg is not installed", hint="pip install imageio-ffmpeg") from exc
    return imageio_ffmpeg.get_ffmpeg_exe()


def pydub():
    """Import pydub with its converter set to the bundled ffmpeg (and without its PATH warning)."""
    with warnings.catch_warnings():
        # pydub looks for ffmpeg on PATH at import time; ours is not on PATH, and is set just below.
        warnings.filterwarnings("ignore", message="Couldn't find ff", category=RuntimeWarning)
        # pydub 0.25 imports audioop, deprecated in 3.12 (audioop-lts replaces it from 3.13).
        warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
        import pydub as module
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg_exe()
    return module


def run(args: list[str], *, subject: str, timeout: float = 600.0, what: str = "ffmpeg") -> str:
    """Run ffmpeg with ``args``; return its stderr (where it prints measurements). Failures name ``subject``."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y", *args]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioError(f"{what} took longer than {timeout:.0f} s", subject=subject) from exc
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        tail = " | ".join(line.strip() for line in stderr.strip().splitlines()[-4:])
        raise AudioError(f"{what} failed (exit {done.returncode}): {tail}", subject=subject)
    return stderr


def to_wav(source: Path, target: Path, *, rate: int | None = None, subject: str, filters: str | None = None) -> None:
    """Decode any audio ffmpeg reads into 16-bit mono WAV (optionally resampled and filtered)."""
    args = ["-i", str(source), "-vn", "-ac", "1"]
    if filters:
        args += ["-af", filters]
    if rate:
        args += ["-ar", str(rate)]
    run([*args, "-c:a", "pcm_s16le", "-f", "wav", str(target)], subject=subject, what="decoding audio")


@dataclass(frozen=True)
class Loudness:
    """An EBU R128 measurement: integrated loudness (LUFS), true peak (dBTP), loudness range (LU)."""

    integrated: float
    true_peak: float
    lra: float


_SUMMARY = re.compile(r"Summary:(.*)$", re.S)


def _field(summary: str, label: str) -> float:
    match = re.search(rf"{label}:\s+(-?inf|-?\d+(?:\.\d+)?)", summary)
    if not match:
        raise ValueError(label)
    return float(match.group(1))


def parse_ebur128(stderr: str) -> Loudness:
    """Read the summary that ffmpeg's ebur128 filter prints at the end."""
    found = _SUMMARY.search(stderr)
    if not found:
        raise ValueError("no ebur128 summary in ffmpeg's output")
    summary = found.group(1)
    # Without peak=true the meter prints no peak: NaN then (the first pass of a render needs only the loudness).
    peak = _field(summary.split("True peak:", 1)[1], "Peak") if "True peak:" in summary else math.nan
    return Loudness(_field(summary, "I"), peak, _field(summary, "LRA"))


def measure(path: Path, *, subject: str) -> Loudness:
    """Integrated loudness and true peak of a file, by ffmpeg's ebur128 meter (independent of loudnorm)."""
    stderr = run(["-i", str(path), "-vn", "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"],
                 subject=subject, what="measuring loudness")
    try:
        return parse_ebur128(stderr)
    except ValueError as exc:
        raise AudioError("ffmpeg's loudness meter printed no summary", subject=subject) from exc


def parse_loudnorm_json(stderr: str) -> dict[str, float | str]:
    """The JSON block loudnorm prints with print_format=json (the last one in the output)."""
    start = stderr.rfind("{")
    end = stderr.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no loudnorm JSON in ffmpeg's output")
    raw = json.loads(stderr[start : end + 1])
    values: dict[str, float | str] = {}
    for key, value in raw.items():
        try:
            values[key] = float(value)
        except ValueError:
            values[key] = value
    return values
