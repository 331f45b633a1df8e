"""The one rule for whether a target is met: what it judges, and by how much it is met or missed.

Every part of innosim that says "met" (the scorecard, Monte Carlo's chances,
goal seeking, plan-mode calibration) calls :func:`margin` or :func:`meets`,
so they can never disagree.

* A target judges the level in its year, or its multiple of the base-year
  value (the doublings), or its rise over the base year (:func:`judge`).
* ``>=`` and ``>`` targets are met when the judged value reaches the target
  less a relative tolerance of :data:`TOLERANCE` (0.05 %): a projection of
  3.7498 % against 3.75 % is met, as a statistics bureau rounding to two
  decimals would report it, and an optimiser that stops a hair short of a
  hinge is not called a miss.  ``<=`` mirrors it.
* ``=`` targets (约, 左右) are met within :data:`EQUAL_TOLERANCE` (2.5 %).
"""
from __future__ import annotations

import numpy as np

TOLERANCE = 5e-4          # relative: a shortfall below 0.05 % of the target counts as met
EQUAL_TOLERANCE = 0.025   # relative band of '=' targets (约, 左右)


def judge(now, base, kind: str):
    """What a target judges from the value in its year and in its base year (numbers or arrays alike):
    the level, its multiple of the base (NaN for a zero base) or its rise over it."""
    if kind == "level":
        return now
    if kind == "multiple":
        base = np.asarray(base, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(base != 0, np.asarray(now, dtype=float) / base, np.nan)[()]
    if kind == "increase":
        return np.asarray(now, dtype=float) - np.asarray(base, dtype=float)
    raise ValueError(f"unknown target kind {kind!r}")


def margin(value, comparator: str, target: float):
    """How far ``value`` (a number or an array) is on the met side, relative to the target.

    Non-negative when met, negative by the relative shortfall when missed;
    NaN and infinities are never met (margin -inf).
    """
    value = np.asarray(value, dtype=float)
    scale = abs(target) or 1.0
    if comparator in (">=", ">"):
        out = (value - target) / scale + TOLERANCE
    elif comparator == "<=":
        out = (target - value) / scale + TOLERANCE
    elif comparator == "=":
        out = EQUAL_TOLERANCE - np.abs(value - target) / scale
    else:
        raise ValueError(f"unknown comparator {comparator!r}")
    return np.where(np.isfinite(value), out, -np.inf)[()]


def meets(value, comparator: str, target: float):
    """Whether ``value`` (a number or an array) meets ``comparator target``, by the one rule."""
    return np.asarray(margin(value, comparator, target)) >= 0


def is_met(value, comparator: str, target: float) -> bool:
    """:func:`meets` for one number; None is never met."""
    return value is not None and bool(meets(value, comparator, target))


def shortfall(value, comparator: str, target: float):
    """The relative shortfall (0 when met): what plan-mode calibration drives to zero."""
    return np.maximum(0.0, -np.asarray(margin(value, comparator, target), dtype=float))[()]
