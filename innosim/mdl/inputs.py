"""The compiled engine's inputs, passed compactly: levers as change points, members in chunks.

A lever that is constant over the run is one number (or one value per
member); a schedule is the steps where it changes.  The generated code reads
``LV``, a dict from a step index to the tuple of every lever's (and driven
input's) value from that step on, so a run pays per change, not per step,
and an ensemble of 5,000 members never builds a (steps x members) array per lever.
"""
from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

from innosim.errors import InputError


def compact(values: np.ndarray):
    """An input that is the same for every member, as one number (or one value per cell): the pass then
    computes on Python floats where it can, not on arrays of identical members."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 0:
        return float(values)
    first = values[..., :1]
    if values.shape[-1] > 1 and not (values == first).all():
        return values
    return float(first.ravel()[0]) if values.ndim == 1 else np.ascontiguousarray(first)


def schedule_steps(schedule, times: np.ndarray) -> list[tuple[int, float]]:
    """A step schedule ``((year, value), ...)`` as (first step, value) pairs on the grid.

    A scheduled value applies from the start of its year; half a step of tolerance absorbs
    floating-point drift in accumulated times (as :func:`innosim.core.engines.schedule_values`).
    """
    out = []
    for year, value in sorted(schedule):
        step = int(np.searchsorted(times, year - 1e-9, side="left"))     # the first step at or after it
        if step < len(times):
            out.append((step, float(value)))
    return out


class Track:
    """One input over the run: a constant object, or values at change steps."""

    def __init__(self, constant=None, steps=None, values=None):
        self.constant, self.steps, self.values = constant, steps, values

    @property
    def changes(self) -> list[int]:
        return [] if self.steps is None else list(self.steps)

    def at(self, step: int):
        """The value from ``step`` on (``step`` must be one of the change steps or later)."""
        if self.steps is None:
            return self.constant
        i = int(np.searchsorted(self.steps, step, side="right")) - 1
        return self.values[max(i, 0)]


def scalar_track(base: float, value, times: np.ndarray) -> Track:
    """A lever of a single run: a number, a schedule, or a value per step."""
    if isinstance(value, tuple):
        points = schedule_steps(value, times)
        steps, values, current = [0], [float(base)], float(base)
        for step, v in points:
            if step == 0:
                values[0] = current = v
            elif v != current:
                steps.append(step)
                values.append(v)
                current = v
        return Track(steps=np.array(steps), values=values) if len(steps) > 1 else Track(constant=values[0])
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return Track(constant=float(array))
    return dense_track(array, scalar=True)


def dense_track(array: np.ndarray, scalar: bool = False) -> Track:
    """Per-step values (steps[, members]): kept only where a step differs from the one before."""
    if array.ndim == 1 and not scalar:
        array = array[:, None]
    differs = array[1:] != array[:-1]
    if differs.ndim > 1:
        differs = differs.any(axis=tuple(range(1, differs.ndim)))
    steps = np.concatenate([[0], np.flatnonzero(differs) + 1])
    values = [array[k].item() if scalar else compact(array[k]) for k in steps]
    if len(steps) == 1:
        return Track(constant=values[0])
    return Track(steps=steps, values=values)


def member_track(base: float, per_member: Sequence, times: np.ndarray) -> Track:
    """A lever given per member as a number or a schedule: one array of members per change step."""
    n = len(per_member)
    points = []
    for j, value in enumerate(per_member):
        if isinstance(value, tuple):
            points.append(schedule_steps(value, times))
        else:
            points.append([(0, float(value))])
    steps = sorted({0} | {s for member in points for s, _ in member})
    values = np.full((len(steps), n), float(base))
    position = {s: i for i, s in enumerate(steps)}
    for j, member in enumerate(points):
        for s, v in member:
            values[position[s]:, j] = v
    if len(steps) == 1 or not (values[1:] != values[:-1]).any():
        return Track(constant=compact(values[0]))
    return Track(steps=np.array(steps), values=[compact(v) for v in values])


def changes(tracks: Sequence[Track]) -> dict:
    """``LV``: each step where any input changes -> every input's value from that step."""
    steps = sorted({0} | {s for t in tracks for s in t.changes})
    return {s: tuple(t.at(s) for t in tracks) for s in steps}


def member_slice(value, lo: int, hi: int, n: int):
    """One chunk of members of an input: arrays with the ensemble axis last are cut, the rest shared."""
    if isinstance(value, np.ndarray) and value.ndim and value.shape[-1] == n and n > 1:
        return value[..., lo:hi]
    return value


def vector_track(key: str, base: float, value, times: np.ndarray, n: int):
    """A lever of an ensemble pass, in whichever form it comes (see ``CompiledEngine.run_vector``)."""
    if isinstance(value, tuple):
        return scalar_track(base, value, times)
    if isinstance(value, list):
        if len(value) != n:
            raise InputError(f"lever '{key}': {len(value)} values for {n} runs")
        return member_track(base, value, times)
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return scalar_track(base, float(array), times)
    if array.ndim == 1:
        if len(array) != n:
            raise InputError(f"lever '{key}': {len(array)} values for {n} runs")
        return dense_track(array[None, :])
    if array.ndim == 2 and array.shape[0] == len(times) and array.shape[1] in (1, n):
        return dense_track(array)
    raise InputError(f"lever '{key}': an array of shape {array.shape}; allowed: ({n},) or "
                     f"({len(times)}, {n})")


def in_threads(chunk, n: int, threads: int) -> None:
    """Run ``chunk(lo, hi)`` over the members, in ``threads`` threads of this process.

    NumPy releases the interpreter lock inside its loops, so on arrays of thousands of members the
    threads compute at once; a pool of processes would copy the model and the inputs instead.
    """
    if threads <= 1 or n < 2:
        chunk(0, n)
        return
    edges = np.linspace(0, n, threads + 1).round().astype(int)
    errors: list = []

    def work(lo, hi):
        try:
            chunk(lo, hi)
        except BaseException as exc:       # re-raised in the calling thread
            errors.append(exc)
    workers = [threading.Thread(target=work, args=(lo, hi)) for lo, hi in zip(edges[:-1], edges[1:]) if hi > lo]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
