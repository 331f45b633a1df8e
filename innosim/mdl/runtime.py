"""Functions the compiled engine calls: Vensim semantics, exactly as PySD implements them.

Each function comes in a scalar form (Python floats, for single runs) and a
vector form (NumPy arrays whose last axis runs over the ensemble members);
the generated code picks one per variant.  Where PySD's formula has a
particular order of operations, the same order is kept here, so that both
engines produce the same floats.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from innosim.errors import InputError

SMALL_VENSIM = 1e-6  # what Vensim (and PySD) treat as a zero denominator
NAN = float("nan")
INF = float("inf")


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


# ---- arrays ----------------------------------------------------------------------------------------------

def tr(x, perm):
    """Reorder the leading (subscript) axes of ``x``; an ensemble axis behind them stays last."""
    x = np.asarray(x)
    return np.transpose(x, tuple(perm) + tuple(range(len(perm), x.ndim)))


def fill(value, shape):
    """A scalar run's value broadcast to a variable's subscript shape."""
    return np.broadcast_to(value, shape)


def vfill(value, shape):
    """A vector run's value broadcast to a variable's subscript shape, the ensemble axis last.

    The value is either a scalar of the run (a float, or one value per member: at most one axis)
    or already on the variable's axes (some of length one) with the ensemble axis behind them.
    """
    value = np.asarray(value, dtype=float)
    if value.ndim <= 1:
        value = value.reshape((1,) * len(shape) + (-1,))
    return np.broadcast_to(value, tuple(shape) + value.shape[-1:])


def stages(value, order: int, vector: bool = False):
    """A delay's or smooth's stages, all starting from ``value`` (stage axis first; in a vector run the
    ensemble axis stays last, of length one when the value is shared)."""
    value = np.asarray(value, dtype=float)
    if vector and value.ndim == 0:
        value = value.reshape(1)
    return np.repeat(value[None], order, axis=0)


def roll_in(state, first):
    """PySD's ``np.roll(state, 1, axis=0)`` with ``first`` in stage 0 (broadcast against the stages)."""
    first = np.asarray(first, dtype=float)
    shape = np.broadcast_shapes(first.shape, state.shape[1:])
    rest = np.broadcast_to(state[:-1], (state.shape[0] - 1,) + shape)
    return np.concatenate([np.broadcast_to(first, shape)[None], rest])


def _per_member(value, vector: bool):
    """The smallest value of each ensemble member (over its subscripts), or of the whole value."""
    value = np.asarray(value, dtype=float)
    if vector and value.ndim:
        return np.min(value.reshape(-1, value.shape[-1]), axis=0)
    return np.array([np.min(value)])


def _uniform(orders, name: str, what: str) -> int:
    orders = np.unique(orders)
    if len(orders) != 1:
        raise RunError(f"'{name}': the {what} differs between the ensemble members "
                       f"({', '.join(str(int(o)) for o in orders)}); run them separately")
    return int(orders[0])


def delay_order(order, time_step, delay_time, name: str, vector: bool = False) -> int:
    """The order PySD gives a DELAY: lowered while ``order * TIME STEP`` exceeds the delay time."""
    order = int(order)
    out = []
    for d in _per_member(delay_time, vector):
        o = order
        while o * time_step > d:
            o -= 1
        out.append(o)
    return _uniform(out, name, "delay order (lowered because the delay time is short)")


def smooth_order(order, name: str, vector: bool = False) -> int:
    """The order of a SMOOTH N: the order argument's value at the start, as an integer."""
    values = np.asarray(order, dtype=float).ravel()
    return _uniform([int(v) for v in values], name, "smoothing order")


def fixed_delay_order(delay_time, time_step, name: str, vector: bool = False) -> int:
    """The length of a DELAY FIXED pipeline: ``round(max(delay / TIME STEP, 1) + small)`` as in PySD."""
    values = np.asarray(delay_time, dtype=float).ravel()
    return _uniform([round(max(v / time_step, 1) + SMALL_VENSIM) for v in values], name, "fixed delay length")


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
    """Vensim's ^ and POWER on arrays; on shared floats, Python's ``**`` as the scalar variant and PySD."""
    if isinstance(a, _SCALARS) and isinstance(b, _SCALARS):
        return a ** b
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


def vinvert_matrix(x):
    """INVERT MATRIX in a vector run: each member's matrices (the last two subscript axes) inverted."""
    x = np.asarray(x, dtype=float)
    return np.moveaxis(np.linalg.inv(np.moveaxis(x, -1, 0)), 0, -1)


_SELECT_REDUCE = {0: np.nansum, 6: np.nansum, 1: np.nanprod, 5: np.nanprod, 7: np.nanprod, 2: np.nanmin, 8: np.nanmin,
                  3: np.nanmax, 9: np.nanmax, 4: np.nanmean, 10: np.nanmean}


def vector_select(selection, expression, axes, missing, action, error, name: str):
    """Vensim's VECTOR SELECT as PySD computes it: the elements where ``selection`` is not 0, combined by
    ``action`` (0 sum, 1 product, 2 min, 3 max, 4 mean of selection x expression; 5 product of
    expression ^ selection; 6-10 the same of the expression), ``missing`` where nothing is selected."""
    action = _uniform([int(a) for a in np.ravel(action)], name, "VECTOR SELECT's numerical action")
    error = _uniform([int(e) for e in np.ravel(error)], name, "VECTOR SELECT's error action")
    if action not in _SELECT_REDUCE:
        raise RunError(f"'{name}': VECTOR SELECT's numerical action {action} is not one of 0 to 10")
    selection = np.asarray(selection, dtype=float)
    expression = np.asarray(expression, dtype=float)
    selection, expression = np.broadcast_arrays(selection, expression)
    zeros = (selection == 0).all(axis=axes)
    if error in (1, 3) and np.any(zeros):
        raise RunError(f"'{name}': VECTOR SELECT found a selection of zeros only")
    if error in (2, 3) and np.any((selection != 0).sum(axis=axes) > 1):
        raise RunError(f"'{name}': VECTOR SELECT found more than one element selected")
    if action < 5:
        chosen = selection * expression
    elif action == 5:
        chosen = expression ** selection
    else:
        chosen = expression
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)       # all-NaN slices: the missing value below
        out = _SELECT_REDUCE[action](np.where(selection == 0, np.nan, chosen), axis=axes)
    if np.ndim(out) == 0:
        return missing if zeros else float(out)
    return np.where(zeros, missing, out)


def _allocation_layout(array, leading: int, vector: bool):
    """An allocation's argument with the ensemble axis moved in front of the allocated axes."""
    array = np.asarray(array, dtype=float)
    return np.moveaxis(array, -1, leading) if vector else array


def allocate_by_priority(request, priority, width, supply, leading: int, vector: bool, name: str):
    """Vensim's ALLOCATE BY PRIORITY, with PySD's algorithm (``_allocate_by_priority_1d``) for each
    combination of the other subscripts (and each ensemble member)."""
    from pysd.py_backend.allocation import _allocate_by_priority_1d

    request = _allocation_layout(request, leading, vector)
    priority = _allocation_layout(priority, leading, vector)
    width = np.asarray(width, dtype=float)
    supply = np.asarray(supply, dtype=float)
    lead = np.broadcast_shapes(request.shape[:-1], priority.shape[:-1], width.shape, supply.shape)
    request = np.broadcast_to(request, lead + request.shape[-1:])
    priority = np.broadcast_to(priority, lead + priority.shape[-1:])
    width, supply = np.broadcast_to(width, lead), np.broadcast_to(supply, lead)
    if (request < 0).any() or (width <= 0).any() or (supply < 0).any():
        raise RunError(f"'{name}': ALLOCATE BY PRIORITY needs non-negative requests and supply and a positive width")
    out = np.empty(request.shape)
    for index in np.ndindex(*lead):
        out[index] = _allocate_by_priority_1d(request[index], priority[index], width[index], supply[index])
    return np.moveaxis(out, leading, -1) if vector else out


def allocate_available(request, profile, avail, leading: int, vector: bool, name: str):
    """Vensim's ALLOCATE AVAILABLE, with PySD's algorithm (``_allocate_available_1d``) for each combination
    of the other subscripts (and each ensemble member)."""
    from pysd.py_backend.allocation import _allocate_available_1d

    request = _allocation_layout(request, leading, vector)
    profile = np.asarray(profile, dtype=float)
    if vector:
        profile = np.moveaxis(profile, -1, leading)
    avail = np.asarray(avail, dtype=float)
    lead = np.broadcast_shapes(request.shape[:-1], profile.shape[:-2], avail.shape)
    request = np.broadcast_to(request, lead + request.shape[-1:])
    profile = np.broadcast_to(profile, lead + profile.shape[-2:])
    avail = np.broadcast_to(avail, lead)
    if (request < 0).any() or (avail < 0).any():
        raise RunError(f"'{name}': ALLOCATE AVAILABLE needs non-negative requests and availability")
    out = np.empty(request.shape)
    for index in np.ndindex(*lead):
        out[index] = _allocate_available_1d(request[index], profile[index], avail[index])
    return np.moveaxis(out, leading, -1) if vector else out
