"""The PySD engine: the reference the compiled engine is checked against, and the fallback for models the
compiled engine refuses (see :mod:`innosim.core.engines`, which re-exports it)."""
from __future__ import annotations

import threading
import warnings
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from innosim.errors import InputError
from innosim.mdl.cache import translated_module
from innosim.mdl.grid import LeverValue, TimeGrid


def _grid(defaults: Mapping[str, float], final_time=None, time_step=None, saveper=None) -> TimeGrid:
    """The run's time grid: the file's control values unless overridden."""
    return TimeGrid(defaults["initial_time"],
                    defaults["final_time"] if final_time is None else float(final_time),
                    defaults["time_step"] if time_step is None else float(time_step),
                    defaults["saveper"] if saveper is None else float(saveper))


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
