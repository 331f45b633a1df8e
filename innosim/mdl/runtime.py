"""Functions the compiled engine calls: Vensim semantics, as PySD implements them."""
from __future__ import annotations

import bisect

import numpy as np

SMALL_VENSIM = 1e-6  # what Vensim (and PySD) treat as a zero denominator


def zidz(numerator, denominator):
    """Vensim ZIDZ: numerator / denominator, or 0 when the denominator is ~0."""
    return 0.0 if abs(denominator) < SMALL_VENSIM else numerator / denominator


def xidz(numerator, denominator, fallback):
    """Vensim XIDZ: numerator / denominator, or ``fallback`` when it is ~0."""
    return fallback if abs(denominator) < SMALL_VENSIM else numerator / denominator


def vzidz(numerator, denominator):
    """ZIDZ on arrays."""
    denominator = np.asarray(denominator, dtype=float)
    small = np.abs(denominator) < SMALL_VENSIM
    return np.where(small, 0.0, numerator / np.where(small, 1.0, denominator))


def vxidz(numerator, denominator, fallback):
    """XIDZ on arrays."""
    denominator = np.asarray(denominator, dtype=float)
    small = np.abs(denominator) < SMALL_VENSIM
    return np.where(small, fallback, numerator / np.where(small, 1.0, denominator))


class Lookup:
    """A Vensim graphical function: linear interpolation, flat beyond its ends."""

    def __init__(self, xs, ys, vector: bool):
        self.xs = list(xs)
        self.ys = list(ys)
        self._xa = np.asarray(xs, dtype=float)
        self._ya = np.asarray(ys, dtype=float)
        self.vector = vector

    def __call__(self, x):
        if self.vector:
            return np.interp(x, self._xa, self._ya)
        xs, ys = self.xs, self.ys
        if x <= xs[0]:
            return ys[0]
        if x >= xs[-1]:
            return ys[-1]
        i = bisect.bisect_right(xs, x)
        x0, x1 = xs[i - 1], xs[i]
        return ys[i - 1] + (ys[i] - ys[i - 1]) * (x - x0) / (x1 - x0)
