"""What the generated code calls on subscripted values and stateful stages: axes, PySD's orders of delays,
and the functions over whole subscript ranges (VECTOR SELECT, INVERT MATRIX, the allocations).

Arrays carry their subscript axes first and, in a vector run, the ensemble axis last.
"""
from __future__ import annotations

import warnings

import numpy as np

from innosim.mdl.runtime import SMALL_VENSIM, RunError


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


def vector_sort_order(vector, direction, axis: int):
    """VECTOR SORT ORDER as PySD computes it: the positions (from 0) that sort ``vector`` along ``axis`` (its
    last subscript axis), ascending if ``direction`` > 0, else the ascending order reversed (so ties come
    out as NumPy's sort leaves them, as in PySD).  A vector run's members each sort on their own."""
    order = np.argsort(np.asarray(vector, dtype=float), axis=axis)
    return np.where(np.asarray(direction) > 0, order, np.flip(order, axis=axis)).astype(float)


def vector_rank(vector, direction, axis: int):
    """VECTOR RANK as PySD computes it: each element's place (from 1) in VECTOR SORT ORDER."""
    return np.argsort(vector_sort_order(vector, direction, axis), axis=axis) + 1.0


def vector_reorder(vector, order, axis: int, name: str):
    """VECTOR REORDER as PySD computes it: along ``axis``, element j is ``vector``'s element ``order[j]``."""
    vector, order = np.broadcast_arrays(np.asarray(vector, dtype=float), np.asarray(order, dtype=float))
    size = vector.shape[axis]
    if not (np.isfinite(order).all() and (order >= 0).all() and (order < size).all()):
        raise RunError(f"'{name}': VECTOR REORDER's order has a position outside 0 to {size - 1}")
    return np.take_along_axis(vector, order.astype(int), axis=axis)


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
