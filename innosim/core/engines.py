"""Run the model: the compiled engine (default) and the PySD engine (reference).

Both take the same inputs — constant overrides and lever schedules — and
return the same wide table (one row per saved time, one column per variable
identifier).  Neither keeps state between runs: the compiled engine is a
pure function, and the PySD engine reloads its translated module before
every run, because PySD keeps parameters set through ``run(params=...)``.
"""
from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Union

import numpy as np
import pandas as pd

from innosim.errors import InputError
from innosim.mdl.cache import compiled_artifacts, translated_module
from innosim.mdl.source import Variable  # noqa: F401  (re-exported: engines describe their variables)

# A lever is a number, or a schedule: ((year, value), ...) meaning "from this
# year on".  Before a schedule's first year the lever keeps its base value.
Schedule = tuple[tuple[float, float], ...]
LeverValue = Union[float, Schedule]


@dataclass(frozen=True)
class TimeGrid:
    """Start, end, step and saving interval of a run, in years."""

    initial_time: float
    final_time: float
    time_step: float
    saveper: float

    @property
    def n_steps(self) -> int:
        return int(round((self.final_time - self.initial_time) / self.time_step))

    @property
    def save_every(self) -> int:
        every = self.saveper / self.time_step
        if abs(every - round(every)) > 1e-9 or round(every) < 1:
            raise ValueError(f"the saving interval {self.saveper} is not a multiple of the time step {self.time_step}")
        return int(round(every))

    def step_times(self) -> np.ndarray:
        """Times at each Euler step, accumulated as PySD accumulates them."""
        times = np.empty(self.n_steps + 1)
        t = self.initial_time
        for k in range(self.n_steps + 1):
            times[k] = t
            t = t + self.time_step
        return times

    def save_times(self) -> np.ndarray:
        return self.step_times()[:: self.save_every]


def _grid(defaults: Mapping[str, float], final_time=None, time_step=None, saveper=None) -> TimeGrid:
    """The run's time grid: the file's control values unless overridden."""
    return TimeGrid(defaults["initial_time"],
                    defaults["final_time"] if final_time is None else float(final_time),
                    defaults["time_step"] if time_step is None else float(time_step),
                    defaults["saveper"] if saveper is None else float(saveper))


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


class CompiledEngine:
    """Runs the compiled model; one instance serves any number of runs."""

    name = "compiled"

    def __init__(self, path: Path, driven: frozenset[str] = frozenset()):
        self.path = Path(path)
        self.module, self.variables, self.defaults = compiled_artifacts(path, frozenset(driven))
        self.saved = list(self.module.SAVED)
        self.levers = list(self.module.LEVERS)
        self.driven = list(self.module.DRIVEN)

    def grid(self, final_time=None, time_step=None, saveper=None) -> TimeGrid:
        return _grid(self.defaults, final_time, time_step, saveper)

    def _inputs(self, constants, levers, grid: TimeGrid, drivers=None):
        C = dict(self.defaults)
        C.update({k: float(v) for k, v in constants.items()})
        C.update(initial_time=grid.initial_time, final_time=grid.final_time,
                 time_step=grid.time_step, saveper=grid.saveper)
        times = grid.step_times()
        L = {}
        for key in self.levers:
            base = C.pop(key)
            L[key] = schedule_values(base, levers.get(key, base), times)
        for key in self.driven:
            L[key] = driver_values(key, (drivers or {}).get(key), times)
        return C, L

    def run(self, constants: Mapping[str, float] = {}, levers: Mapping[str, LeverValue] = {},
            final_time=None, time_step=None, saveper=None, drivers=None) -> pd.DataFrame:
        """One run on Python floats; returns saved times x variables.

        ``drivers`` gives each driven variable's series ``{year: value}``,
        interpolated log-linearly to the time steps.
        """
        grid = self.grid(final_time, time_step, saveper)
        C, L = self._inputs(constants, levers, grid, drivers)
        L = {k: v.tolist() for k, v in L.items()}
        times = grid.save_times()
        out = np.empty((len(times), len(self.saved)))
        self.module.run_scalar(C, L, grid.n_steps, grid.time_step, grid.save_every, out)
        return pd.DataFrame(out, index=pd.Index(times, name="time"), columns=self.saved)

    def run_vector(self, constants: Mapping[str, np.ndarray] = {}, levers: Mapping[str, np.ndarray] = {},
                   n: int = 1, final_time=None, time_step=None, saveper=None, drivers=None) -> np.ndarray:
        """``n`` runs at once; constants and levers may be arrays of length ``n``.

        A lever is a number or a schedule (the same for every run), an
        array per run (shape ``(n,)``) or per step and run (shape
        ``(n_steps + 1, n)``); driven variables share one series.
        Returns an array of shape ``(n_saves, len(saved), n)``.
        """
        grid = self.grid(final_time, time_step, saveper)
        C = {k: v for k, v in self.defaults.items()}
        C.update(initial_time=grid.initial_time, final_time=grid.final_time,
                 time_step=grid.time_step, saveper=grid.saveper)
        for k, v in constants.items():
            C[k] = np.broadcast_to(np.asarray(v, dtype=float), (n,)) if np.ndim(v) else float(v)
        steps = grid.n_steps + 1
        L = {}
        for key in self.levers:
            base = C.pop(key)
            value = levers.get(key, base)
            if isinstance(value, tuple):                 # a schedule, as run() takes it: the same for every run
                value = schedule_values(base, value, grid.step_times())[:, None]
            value = np.asarray(value, dtype=float)
            if value.ndim == 0:
                value = np.full((steps, n), float(value))
            elif value.ndim == 1:
                value = np.broadcast_to(value, (steps, n))
            L[key] = value
        for key in self.driven:
            L[key] = np.broadcast_to(driver_values(key, (drivers or {}).get(key), grid.step_times())[:, None],
                                     (steps, n))
        times = grid.save_times()
        out = np.empty((len(times), len(self.saved), n))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            self.module.run_vector(C, L, grid.n_steps, grid.time_step, grid.save_every, out)
        return out


class PySDEngine:
    """Runs the model through PySD, the reference implementation.

    PySD keeps parameters passed to ``run(params=...)`` for later runs; this
    engine reloads the translated module before every run, so each run
    starts from the file's own values.
    """

    name = "pysd"

    def __init__(self, path: Path):
        import pysd

        from innosim.mdl.source import constant_defaults, read_elements

        self.path = Path(path)
        elements = read_elements(self.path)
        self.variables = {k: e.variable for k, e in elements.items()}
        self.defaults = constant_defaults(elements)
        self.levers = [k for k, v in self.variables.items() if v.is_lever]
        self.saved = [k for k, v in self.variables.items() if v.kind in ("stock", "auxiliary")] + self.levers
        self.driven: list[str] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._model = pysd.load(str(translated_module(self.path)))
        doc = self._model.doc
        self._real_names = dict(zip(doc["Py Name"], doc["Real Name"]))
        self._lock = threading.Lock()

    def grid(self, final_time=None, time_step=None, saveper=None) -> TimeGrid:
        return _grid(self.defaults, final_time, time_step, saveper)

    def run(self, constants: Mapping[str, float] = {}, levers: Mapping[str, LeverValue] = {},
            final_time=None, time_step=None, saveper=None, drivers=None, columns=None) -> pd.DataFrame:
        """One run through PySD; lever values are numbers, schedules or per-step paths on the grid."""
        if drivers:
            raise InputError("driving variables by observed series needs the compiled engine; "
                             "the model runs through PySD because the compiler does not support it")
        params = {k: float(v) for k, v in constants.items()}
        with self._lock:
            self._model.reload()
            grid_step = time_step if time_step is not None else self._model.components.time_step()
            start = self._model.components.initial_time()
            for key, value in levers.items():
                if isinstance(value, np.ndarray) and value.ndim == 1:
                    params[key] = _pysd_path(self.grid(final_time, time_step).step_times(), value, grid_step)
                else:
                    params[key] = _pysd_series(self._model.components, key, value, start, grid_step)
            names = None if columns is None else [self._real_names[c] for c in columns]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = self._model.run(params=params, final_time=final_time, time_step=time_step,
                                        saveper=saveper, return_columns=names)
        by_real = {v: k for k, v in self._real_names.items()}
        frame = frame.rename(columns=by_real)
        frame.index = pd.Index(frame.index.astype(float), name="time")
        return frame if columns is not None else frame[self.saved]

    def run_vector(self, constants: Mapping[str, np.ndarray] = {}, levers: Mapping[str, np.ndarray] = {},
                   n: int = 1, final_time=None, time_step=None, saveper=None, drivers=None) -> np.ndarray:
        """``n`` runs, one PySD run each (slow: the fallback when the compiler cannot take the model)."""
        grid = self.grid(final_time, time_step, saveper)
        steps = grid.n_steps + 1
        out = np.empty((len(grid.save_times()), len(self.saved), n))
        for j in range(n):
            run_constants = {k: (float(np.broadcast_to(v, (n,))[j]) if np.ndim(v) else float(v))
                             for k, v in constants.items()}
            run_levers = {}
            for key, value in levers.items():
                if isinstance(value, tuple) or np.ndim(value) == 0:
                    run_levers[key] = value if isinstance(value, tuple) else float(value)
                elif np.ndim(value) == 1:
                    run_levers[key] = float(np.asarray(value)[j]) if len(value) == n else np.asarray(value, float)
                else:
                    run_levers[key] = np.broadcast_to(np.asarray(value, float), (steps, n))[:, j].copy()
            frame = self.run(run_constants, run_levers, final_time, time_step, saveper, drivers)
            out[:, :, j] = frame.to_numpy()
        return out


def _pysd_path(times: np.ndarray, values: np.ndarray, step: float) -> pd.Series:
    """A per-step lever path as a series PySD interpolates back to the same value at every step."""
    half = 0.49 * step
    index = np.column_stack([times - half, times + half]).ravel()
    series = pd.Series(np.repeat(np.asarray(values, float), 2), index=index)
    return pd.concat([series, pd.Series([float(values[-1])], index=[1e6])])


def _pysd_series(components, key: str, value: LeverValue, start: float, step: float):
    """A lever schedule as a series PySD interpolates to the same step function.

    PySD interpolates series linearly; placing the old value half a step
    before each change year makes every Euler step see exactly the scheduled
    value.
    """
    if not isinstance(value, tuple):
        return float(value)
    base = float(getattr(components, key)())
    points = {start: base}
    current = base
    for year, v in sorted(value):
        if year <= start:
            points = {start: float(v)}
        else:
            points[year - step / 2] = current
            points[year] = float(v)
        current = float(v)
    points[1e6] = current
    return pd.Series(points).sort_index()
