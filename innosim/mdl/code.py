"""A compiled expression (its Python text and its subscript axes), and literals written as code."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Code:
    """A compiled expression and its subscript axes (range names; ``A!`` an axis to sum over)."""

    text: str
    dims: tuple = ()


def number(value) -> str:
    """A literal float as code (NaN and infinities by name)."""
    value = float(value)
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "(-INF)"
    return repr(value)


def array_literal(values: np.ndarray) -> str:
    values = np.asarray(values, dtype=float)
    flat = ", ".join(number(v) for v in values.ravel())
    return f"np.array([{flat}]).reshape({values.shape!r})"
