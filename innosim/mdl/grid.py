"""The time grid of a run, as PySD steps and saves it, and the per-step values of levers and driven inputs."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Union

import numpy as np

from innosim.errors import InputError

# A lever is a number, or a schedule: ((year, value), ...) meaning "from this
# year on".  Before a schedule's first year the lever keeps its base value.
Schedule = tuple[tuple[float, float], ...]
LeverValue = Union[float, Schedule]


@dataclass(frozen=True)
class TimeGrid:
    """Start, end, step and saving interval of a run, in years: the steps PySD takes and the ones it saves."""

    initial_time: float
    final_time: float
    time_step: float
    saveper: float

    MAX_STEPS = 5_000_000
    RPREC = 1e-5          # PySD's relative precision for the final time and the save times

    @cached_property
    def n_steps(self) -> int:
        """Euler steps, as PySD counts them: while ``time + TIME STEP * 1e-5 < FINAL TIME``."""
        if not (self.time_step > 0 and np.isfinite(self.time_step)):
            raise InputError(f"TIME STEP = {self.time_step:g}: it must be a positive number")
        if not (np.isfinite(self.initial_time) and np.isfinite(self.final_time)):
            raise InputError(f"the run from {self.initial_time:g} to {self.final_time:g} is not a finite period")
        if (self.final_time - self.initial_time) / self.time_step > self.MAX_STEPS:
            raise InputError(f"the run from {self.initial_time:g} to {self.final_time:g} in steps of "
                             f"{self.time_step:g} takes more than {self.MAX_STEPS:,} steps")
        t, k = self.initial_time, 0
        while t + self.time_step * self.RPREC < self.final_time:
            t = t + self.time_step
            k += 1
        return k

    def cut(self, step: int) -> "TimeGrid":
        """The grid ending at its ``step``-th step (a run whose moving FINAL TIME stopped there): the same
        steps and saves up to it, as the final time is that step's accumulated time."""
        return TimeGrid(self.initial_time, float(self._step_times[step]), self.time_step, self.saveper)

    def longer(self, factor: int) -> "TimeGrid":
        return TimeGrid(self.initial_time, self.initial_time + factor * (self.final_time - self.initial_time),
                        self.time_step, self.saveper)

    def step_times(self) -> np.ndarray:
        """Times at each Euler step, accumulated as PySD accumulates them."""
        return self._step_times.copy()

    @cached_property
    def _step_times(self) -> np.ndarray:
        times = np.empty(self.n_steps + 1)
        t = self.initial_time
        for k in range(self.n_steps + 1):
            times[k] = t
            t = t + self.time_step
        return times

    def save_mask(self) -> np.ndarray:
        """Whether each step is saved: PySD's rule, a whole number of SAVEPER from the start."""
        return self._save_mask.copy()

    @cached_property
    def _save_mask(self) -> np.ndarray:
        if not (self.saveper > 0 and np.isfinite(self.saveper)):
            raise InputError(f"SAVEPER = {self.saveper:g}: it must be a positive number")
        since = self._step_times - self.initial_time
        precision = self.time_step * self.RPREC
        return (np.mod(since, self.saveper) < precision) | (np.mod(-since, self.saveper) < precision)

    def save_times(self) -> np.ndarray:
        return self._step_times[self._save_mask]

    def rounded(self, times: np.ndarray) -> np.ndarray:
        """Times rounded as PySD rounds its output's index."""
        return np.round(times, -int(np.log10(self.time_step * self.RPREC)))


def schedule_values(base: float, value: LeverValue, times: np.ndarray) -> np.ndarray:
    """The lever's value at each step: a constant, or a step schedule.

    A scheduled value applies from the start of its year; half a step of
    tolerance absorbs floating-point drift in accumulated times.
    """
    if not isinstance(value, tuple):
        return np.full(times.shape, float(value))
    out = np.full(times.shape, float(base))
    for year, v in sorted(value):
        out[times >= year - 1e-9] = float(v)
    return out


def driver_values(name: str, series, times: np.ndarray) -> np.ndarray:
    """A driven variable's value at each step, from {year: value} points.

    Points are interpolated log-linearly (growth is steady between
    observations) and must cover the run.
    """
    if series is None:
        raise ValueError(f"driven variable '{name}' has no input series")
    years = np.array(sorted(series), dtype=float)
    values = np.array([float(series[y]) for y in sorted(series)])
    if times[0] < years[0] - 1e-9 or times[-1] > years[-1] + 1e-9:
        raise ValueError(f"driver '{name}' covers {years[0]:g}-{years[-1]:g}, the run {times[0]:g}-{times[-1]:g}")
    if (values > 0).all():
        return np.exp(np.interp(times, years, np.log(values)))
    return np.interp(times, years, values)
