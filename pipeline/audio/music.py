"""briefcast's own intro/outro stings and music bed, synthesized with numpy (no samples, no downloads).

The intro is a rising Cmaj9 arpeggio of soft bell tones over a low root; the outro falls through the same
chord; the bed is a slow, detuned pad on the same chord. A show replaces any of them with its own file
(``audio.intro`` / ``audio.outro`` / ``audio.bed``). Everything is deterministic: the same bytes every run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.audio.backends import Speech, write_wav

RATE = 44100
# C3, G3, E4, B4, D5: a wide-voiced Cmaj9.
CHORD_HZ = [130.81, 196.00, 329.63, 493.88, 587.33]


def _bell(freq: float, seconds: float, rate: int, decay: float) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    tone = np.sin(2 * np.pi * freq * t) + 0.35 * np.sin(2 * np.pi * 2 * freq * t) + 0.12 * np.sin(
        2 * np.pi * 3.01 * freq * t)
    envelope = np.exp(-t / decay) * np.minimum(1.0, t / 0.008)  # 8 ms attack: no click
    return tone * envelope


def _fade(signal: np.ndarray, rate: int, fade_in: float, fade_out: float) -> np.ndarray:
    out = signal.copy()
    n_in, n_out = int(fade_in * rate), int(fade_out * rate)
    if n_in:
        out[:n_in] *= np.linspace(0.0, 1.0, n_in) ** 2
    if n_out:
        out[-n_out:] *= np.linspace(1.0, 0.0, n_out) ** 2
    return out


def _to_speech(signal: np.ndarray, rate: int, peak_dbfs: float) -> Speech:
    peak = float(np.max(np.abs(signal))) or 1.0
    scaled = signal / peak * 10 ** (peak_dbfs / 20)
    return Speech((scaled * 32767).astype(np.int16), rate)


def sting(*, rising: bool = True, rate: int = RATE) -> Speech:
    """A short arpeggio with a bell envelope: about 3 s, rising for the intro, falling for the outro."""
    notes = CHORD_HZ if rising else list(reversed(CHORD_HZ))
    length = 3.0
    out = np.zeros(int(length * rate))
    for index, freq in enumerate(notes):
        start = int(index * 0.14 * rate)
        tone = _bell(freq, length - index * 0.14, rate, decay=0.9 if freq > 300 else 1.4)
        out[start : start + len(tone)] += tone[: len(out) - start] * (0.8 if freq > 300 else 0.6)
    root = _bell(CHORD_HZ[0] / 2, length, rate, decay=1.8) * 0.5
    out += root
    return _to_speech(_fade(out, rate, 0.0, 0.8), rate, peak_dbfs=-3.0)


def bed(seconds: float, *, rate: int = RATE) -> Speech:
    """A soft pad: the chord's lower notes, each as three slightly detuned sines, swelling slowly."""
    n = max(1, int(seconds * rate))
    t = np.arange(n) / rate
    out = np.zeros(n)
    for index, freq in enumerate(CHORD_HZ[:4]):
        for detune in (0.997, 1.0, 1.003):
            out += np.sin(2 * np.pi * freq * detune * t + index) / (1 + index * 0.6)
    swell = 0.75 + 0.25 * np.sin(2 * np.pi * 0.08 * t)
    out *= swell
    # Pure sines: no harmonics, so no filtering needed to keep the pad soft.
    return _to_speech(_fade(out, rate, 1.5, 2.0), rate, peak_dbfs=-3.0)


def write_default_assets(folder: Path) -> dict[str, Path]:
    """Write intro.wav, outro.wav and bed.wav (40 s) into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"intro": folder / "intro.wav", "outro": folder / "outro.wav", "bed": folder / "bed.wav"}
    write_wav(paths["intro"], sting(rising=True))
    write_wav(paths["outro"], sting(rising=False))
    write_wav(paths["bed"], bed(40.0))
    return paths


if __name__ == "__main__":  # python -m pipeline.audio.music DIR: listen to the defaults
    import sys

    for name, path in write_default_assets(Path(sys.argv[1] if len(sys.argv) > 1 else ".")).items():
        print(name, path)
