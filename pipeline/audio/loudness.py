"""Integrated loudness (ITU-R BS.1770 / EBU R128) of short clips in numpy, for setting levels inside a mix.

The stings and the bed are set relative to the speech they sit with ("at most 1 LU above", "about 20 LU
under"), which needs the loudness of a few seconds of audio many times per render: an ffmpeg run each would cost
more than the mix. K-weighting is applied in the frequency domain (the two BS.1770 biquads' response on an rfft of
the zero-padded clip), then 400 ms blocks with 75% overlap, the -70 LUFS absolute and -10 LU relative gates.
The episode itself is measured by ffmpeg's ebur128 meter (``ffmpeg.measure``), an independent implementation,
which the tests also use to check these levels in the finished MP3.
"""

from __future__ import annotations

import math

import numpy as np

# The BS.1770 pre-filter (high shelf) and RLB weighting (high pass) as analog prototypes, so any sample rate works.
_SHELF = (3.99984385397, 0.7071752369554193, 1681.9744509555319)  # gain dB, Q, centre Hz
_HIGH_PASS = (0.5003270373253953, 38.13547087613982)  # Q, centre Hz


def _biquads(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    gain, q, fc = _SHELF
    a_gain = 10 ** (gain / 40)
    w0 = 2 * math.pi * fc / rate
    alpha = math.sin(w0) / (2 * q)
    cos, root = math.cos(w0), math.sqrt(a_gain)
    shelf_b = np.array([a_gain * ((a_gain + 1) + (a_gain - 1) * cos + 2 * root * alpha),
                        -2 * a_gain * ((a_gain - 1) + (a_gain + 1) * cos),
                        a_gain * ((a_gain + 1) + (a_gain - 1) * cos - 2 * root * alpha)])
    shelf_a = np.array([(a_gain + 1) - (a_gain - 1) * cos + 2 * root * alpha,
                        2 * ((a_gain - 1) - (a_gain + 1) * cos),
                        (a_gain + 1) - (a_gain - 1) * cos - 2 * root * alpha])
    q, fc = _HIGH_PASS
    w0 = 2 * math.pi * fc / rate
    alpha, cos = math.sin(w0) / (2 * q), math.cos(w0)
    pass_b = np.array([(1 + cos) / 2, -(1 + cos), (1 + cos) / 2])
    pass_a = np.array([1 + alpha, -2 * cos, 1 - alpha])
    return [(shelf_b, shelf_a), (pass_b, pass_a)]


def k_weighted(samples: np.ndarray, rate: int) -> np.ndarray:
    """The clip (float, -1..1) through the K-weighting filter."""
    n = len(samples) + rate // 2  # room for the filters' tails: no wrap-around
    size = 1 << (n - 1).bit_length()
    spectrum = np.fft.rfft(samples, size)
    z = np.exp(-1j * np.linspace(0, math.pi, len(spectrum)))
    for b, a in _biquads(rate):
        spectrum *= (b[0] + b[1] * z + b[2] * z**2) / (a[0] + a[1] * z + a[2] * z**2)
    return np.fft.irfft(spectrum, size)[: len(samples)]


def integrated(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS of a mono clip (int16 or float -1..1); -inf for silence or under 400 ms."""
    signal = samples.astype(np.float64)
    if samples.dtype == np.int16:
        signal /= 32768.0
    block, hop = int(0.4 * rate), int(0.1 * rate)
    if len(signal) < block:
        return -math.inf
    power = k_weighted(signal, rate) ** 2
    cumulative = np.concatenate([[0.0], np.cumsum(power)])
    starts = np.arange(0, len(signal) - block + 1, hop)
    energy = (cumulative[starts + block] - cumulative[starts]) / block
    loud = energy[-0.691 + 10 * np.log10(np.maximum(energy, 1e-20)) > -70]
    if not len(loud):
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(np.mean(loud))) - 10
    gated = loud[-0.691 + 10 * np.log10(loud) > relative]
    return -0.691 + 10 * math.log10(float(np.mean(gated)))


__all__ = ["integrated", "k_weighted"]
