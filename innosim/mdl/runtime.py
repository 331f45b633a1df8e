"""Functions the compiled engine calls: Vensim semantics, exactly as PySD implements them.

Each function comes in a scalar form (Python floats, for single runs) and a
vector form (NumPy arrays whose last axis runs over the ensemble members);
the generated code picks one per variant.  Where PySD's formula has a
particular order of operations, the same order is kept here, so that both
engines produce the same floats.
"""
from __future__ import annotations

import math

import numpy as np

from innosim.errors import InputError

SMALL_VENSIM = 1e-6  # what Vensim (and PySD) treat as a zero denominator
NAN = float("nan")
INF = float("inf")
UNEVEN_END = "'FINAL TIME' is reached at different times by the members of the pass; run them separately"


class RunError(InputError):
    """A run cannot be computed as PySD would compute it (for example a delay whose order PySD lowers
    differently for different ensemble members); the message, one line, names the variable."""


# ---- arithmetic ------------------------------------------------------------------------------------------

def zidz(numerator, denominator):
    """Vensim ZIDZ: numerator / denominator, or 0 when the denominator is ~0."""
    return 0 if abs(denominator) < SMALL_VENSIM else numerator / denominator


def xidz(numerator, denominator, fallback):
    """Vensim XIDZ: numerator / denominator, or ``fallback`` when it is ~0."""
    return fallback if abs(denominator) < SMALL_VENSIM else numerator / denominator


def vzidz(numerator, denominator):
    """ZIDZ on arrays."""
    if isinstance(denominator, _SCALARS):
        return zidz(numerator, denominator)
    denominator = np.asarray(denominator, dtype=float)
    small = np.abs(denominator) < SMALL_VENSIM
    return np.where(small, 0.0, numerator / np.where(small, 1.0, denominator))


def vxidz(numerator, denominator, fallback):
    """XIDZ on arrays."""
    if isinstance(denominator, _SCALARS):
        return xidz(numerator, denominator, fallback)
    denominator = np.asarray(denominator, dtype=float)
    small = np.abs(denominator) < SMALL_VENSIM
    return np.where(small, fallback, numerator / np.where(small, 1.0, denominator))


def integer(x):
    """Vensim INTEGER: the integer part (towards zero), as PySD's ``int(x)``."""
    return int(x)


def vinteger(x):
    return int(x) if isinstance(x, _SCALARS) else np.trunc(x)


def quantum(a, b):
    """Vensim QUANTUM: ``b * INTEGER(a / b)``, or ``a`` when ``b`` is below Vensim's small number."""
    return a if b < SMALL_VENSIM else b * int(a / b)


def vquantum(a, b):
    if _shared(a, b):
        return quantum(a, b)
    b = np.asarray(b, dtype=float)
    small = b < SMALL_VENSIM
    return np.where(small, a, b * np.trunc(a / np.where(small, 1.0, b)))


def modulo(x, m):
    """Vensim MODULO as PySD defines it: ``x - QUANTUM(x, m)`` (the sign follows ``x``)."""
    return x - quantum(x, m)


def vmodulo(x, m):
    return modulo(x, m) if _shared(x, m) else x - vquantum(x, m)


def vlog(x, base):
    """Vensim LOG(x, base), as PySD writes it: ``np.log(x) / np.log(base)``."""
    if _shared(x, base):
        return float(np.log(x)) / float(np.log(base))
    return np.log(x) / np.log(base)


def sqrt(x):
    return math.sqrt(x) if x >= 0 else _np_scalar(np.sqrt, x)


def _np_scalar(function, x):
    with np.errstate(all="ignore"):
        return float(function(float(x)))


def _safe(function, np_function):
    """A ``math`` function that answers as NumPy does (nan, inf) instead of raising, as PySD's np.* do."""
    def wrapped(x):
        try:
            return function(x)
        except (ValueError, OverflowError):
            return _np_scalar(np_function, x)
    wrapped.__name__ = function.__name__
    return wrapped


# math's sin and cos agree with NumPy's bit for bit; the other functions are called from NumPy directly.
sin, cos = _safe(math.sin, np.sin), _safe(math.cos, np.cos)


# ---- time functions --------------------------------------------------------------------------------------

def ramp(time, slope, start, finish=None):
    """Vensim RAMP, as PySD: ``(t + small > start) * slope * (min(finish, t) - start)``."""
    final = time if finish is None else min(finish, time)
    return (time + SMALL_VENSIM > start) * slope * (final - start)


def vramp(time, slope, start, finish=None):
    if _shared(slope, start, finish if finish is not None else 0):
        return ramp(time, slope, start, finish)
    final = time if finish is None else np.minimum(finish, time)
    return (time + SMALL_VENSIM > start) * slope * (final - start)


def pulse(time, start, width):
    """Vensim PULSE(start, width): 1 from start (less Vensim's small number) for ``width``."""
    return 1 if start - SMALL_VENSIM <= time < start + width else 0


def vpulse(time, start, width):
    if _shared(start, width):
        return pulse(time, start, width)
    return np.where((start - SMALL_VENSIM <= time) & (time < start + width), 1.0, 0.0)


def pulse_train(time, start, repeat_time, width, end):
    """Vensim PULSE TRAIN(start, width, interval, end), as PySD's ``pulse`` with a repeat time."""
    if repeat_time == 0:
        return 1 if start - SMALL_VENSIM <= time < start + width else 0
    if start <= time < end:
        return 1 if (time - start + SMALL_VENSIM) % repeat_time < width else 0
    return 0


def vpulse_train(time, start, repeat_time, width, end):
    if _shared(start, repeat_time, width, end):
        return pulse_train(time, start, repeat_time, width, end)
    repeat = np.asarray(repeat_time, dtype=float)
    once = (start - SMALL_VENSIM <= time) & (time < start + width)
    with np.errstate(all="ignore"):
        train = (start <= time) & (time < end) & (np.mod(time - start + SMALL_VENSIM, repeat) < width)
    return np.where(repeat == 0, once, train) * 1.0


# ---- the vector variant's functions, with a fast path for values the same for every member --------------
#
# In an ensemble pass, whatever depends only on time, the levers and the constants shared by all members is
# a Python float, not an array; these keep it one (NumPy would turn it into a 0-d array, and every later
# operation on it into a NumPy call).  Their float path is the scalar variant's own function, so a shared
# value is computed exactly as in a single run; their array path is NumPy's.

_SCALARS = (int, float)


def _unary(array_function, scalar_function):
    def function(x):
        if isinstance(x, _SCALARS):
            return scalar_function(x)
        return array_function(x)
    function.__name__ = "v" + array_function.__name__
    return function


def _as_float(ufunc):
    def function(x):
        return float(ufunc(x))
    return function


def _exp(x):
    return math.exp(x) if x < 709.78 else float(np.exp(x))


def _ln(x):
    return math.log(x) if x > 0.0 else float(np.log(x))


# on shared floats, the scalar variant's own exp and log (see expressions.ELEMENTWISE)
vexp, vln, vtan = _unary(np.exp, _exp), _unary(np.log, _ln), _unary(np.tan, _as_float(np.tan))
vsqrt, vsin, vcos = _unary(np.sqrt, sqrt), _unary(np.sin, sin), _unary(np.cos, cos)
varcsin, varccos = _unary(np.arcsin, _as_float(np.arcsin)), _unary(np.arccos, _as_float(np.arccos))
varctan, vsinh = _unary(np.arctan, _as_float(np.arctan)), _unary(np.sinh, _as_float(np.sinh))
vcosh, vtanh = _unary(np.cosh, _as_float(np.cosh)), _unary(np.tanh, _as_float(np.tanh))
vabs = _unary(np.abs, abs)
vnot = _unary(np.logical_not, lambda x: not x)


def vwhere(condition, if_true, if_false):
    """IF THEN ELSE: a shared condition picks a branch (as PySD on a float); a per-member one, per member."""
    if isinstance(condition, (bool, np.bool_, *_SCALARS)):
        return if_true if condition else if_false
    return np.where(condition, if_true, if_false)


def vmaximum(a, b):
    if isinstance(a, _SCALARS) and isinstance(b, _SCALARS):
        return max(a, b)
    return np.maximum(a, b)


def vminimum(a, b):
    if isinstance(a, _SCALARS) and isinstance(b, _SCALARS):
        return min(a, b)
    return np.minimum(a, b)


def vpower(a, b):
    """Vensim's ^ on arrays; on shared floats, Python's ``**`` as the scalar variant and PySD, except where
    Python would raise or answer a complex number: there NumPy's inf or nan, as for the members' arrays."""
    if isinstance(a, _SCALARS) and isinstance(b, _SCALARS):
        try:
            value = a ** b
        except ZeroDivisionError:
            value = None
        if value is None or isinstance(value, complex):
            with np.errstate(all="ignore"):
                return float(np.power(float(a), float(b)))
        return value
    return np.power(a, b)


def vand(a, b):
    if isinstance(a, (bool, np.bool_, *_SCALARS)) and isinstance(b, (bool, np.bool_, *_SCALARS)):
        return bool(a) and bool(b)
    return np.logical_and(a, b)


def vor(a, b):
    if isinstance(a, (bool, np.bool_, *_SCALARS)) and isinstance(b, (bool, np.bool_, *_SCALARS)):
        return bool(a) or bool(b)
    return np.logical_or(a, b)


def _shared(*values) -> bool:
    return all(isinstance(v, _SCALARS) for v in values)


def vpower_function(a, b):
    """Vensim's POWER on arrays; on shared floats as the scalar variant computes it (NumPy's, as PySD's)."""
    if _shared(a, b):
        return float(np.power(a, b))
    return np.power(a, b)


def final_time_reached(time, time_step, final_time) -> bool:
    """PySD's end of a run whose FINAL TIME changes: once ``time + TIME STEP * 1e-5`` is not below it.  A pass
    has one time grid, so its members must reach their final time together."""
    go_on = time + time_step * 1e-5 < final_time
    if np.ndim(go_on) == 0:
        return not go_on
    if np.all(go_on) or not np.any(go_on):
        return not np.any(go_on)
    raise RunError(UNEVEN_END)

