"""Tables the compiled engine reads: Vensim lookups (graphical functions) and data series over time.

Each gives, for one value, what ``np.interp`` gives (so a single run and an
ensemble member agree bit for bit), and for an array, ``np.interp`` itself.
"""
from __future__ import annotations

import bisect

import numpy as np

_SCALARS = (int, float)


class Lookup:
    """A Vensim graphical function: linear interpolation, holding its end values beyond its range
    (PySD's "interpolate" rule, which Vensim's lookups follow)."""

    def __init__(self, xs, ys):
        order = np.argsort(np.asarray(xs, dtype=float), kind="stable")
        self._xa = np.asarray(xs, dtype=float)[order]
        self._ya = np.asarray(ys, dtype=float)[order]
        self.xs = self._xa.tolist()
        self.ys = self._ya.tolist()

    def __call__(self, x):
        """One value, computed as ``np.interp`` computes it (so a single run and an ensemble agree)."""
        xs, ys = self.xs, self.ys
        if x <= xs[0]:
            return ys[0] if x == x else x          # NaN stays NaN, as in np.interp
        if x >= xs[-1]:
            return ys[-1]
        j = bisect.bisect_right(xs, x) - 1
        slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j])
        value = slope * (x - xs[j]) + ys[j]
        if value != value:                        # NumPy's second try, from the right end of the interval
            value = slope * (x - xs[j + 1]) + ys[j + 1]
            if value != value and ys[j] == ys[j + 1]:
                value = ys[j]
        return value

    def many(self, x):
        if isinstance(x, _SCALARS):
            return self(x)
        return np.interp(x, self._xa, self._ya)


def lookup_cells(tables, x):
    """Subscripted lookups: each cell's own table at that cell's ``x``.

    ``x`` has the cells' full shape (and the ensemble axis behind it in a vector run); ``tables`` is an
    object array on the same subscript axes, some of them possibly of length one.
    """
    x = np.asarray(x, dtype=float)
    tables = np.broadcast_to(np.asarray(tables, dtype=object), x.shape[:np.ndim(tables)])
    out = np.empty(x.shape)
    for index in np.ndindex(*tables.shape):
        out[index] = tables[index].many(x[index])
    return out


def lookup_array(shape, parts):
    """Subscripted lookups as an object array of tables: ``parts`` gives, per equation, the cells it
    covers (indices per axis) and its table."""
    tables = np.empty(shape, dtype=object)
    for block, xs, ys in parts:
        table = Lookup(xs, ys)
        for index in np.ndindex(*[len(b) for b in block]):
            tables[tuple(b[i] for b, i in zip(block, index))] = table
    return tables


class Series:
    """A data series (GET XLS DATA): values at given times, read between them by PySD's rule.

    ``interpolate``: linearly; ``look_forward``: the next value; ``hold_backward``: the last one;
    ``raw``: only at the given times (NaN between).  Beyond its times a series holds its end values.
    """

    def __init__(self, times, values, interp: str):
        self.times = [float(t) for t in times]
        self.values = np.asarray(values, dtype=float)
        self.interp = interp
        self.scalar = self.values.ndim == 1

    def at(self, t):
        times, values = self.times, self.values
        i = bisect.bisect_left(times, t)
        if i < len(times) and times[i] == t:
            out = values[i]
        elif self.interp == "raw":
            out = np.full(values.shape[1:], np.nan)
        elif i == len(times):
            out = values[-1]
        elif i == 0:
            out = values[0]
        elif self.interp == "interpolate":
            t0, t1 = times[i - 1], times[i]
            out = values[i - 1] + (values[i] - values[i - 1]) / (t1 - t0) * (t - t0)
        elif self.interp == "look_forward":
            out = values[i]
        else:                                   # hold_backward
            out = values[i - 1]
        return float(out) if self.scalar else out

    def vat(self, t):
        value = self.at(t)
        return value if self.scalar else value[..., None]
