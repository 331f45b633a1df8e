"""Run the model: the compiled engine (default) and the PySD engine (reference).

Both take the same inputs — constant overrides and lever schedules — and
return the same wide table (one row per saved time, one column per variable
identifier).  Neither keeps state between runs: the compiled engine is a
pure function, and the PySD engine reloads its translated module before
every run, because PySD keeps parameters set through ``run(params=...)``.
"""
from __future__ import annotations

import itertools
import os
import threading
import warnings
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from innosim.errors import InputError
from innosim.mdl.cache import compiled_artifacts, translated_module
from innosim.mdl.grid import LeverValue, Schedule, TimeGrid, driver_values, schedule_values  # noqa: F401
from innosim.mdl.inputs import (changes, compact, dense_track, in_threads, member_slice, scalar_track,
                                vector_track)
from innosim.mdl.source import Variable  # noqa: F401  (re-exported: engines describe their variables)

def _grid(defaults: Mapping[str, float], final_time=None, time_step=None, saveper=None) -> TimeGrid:
    """The run's time grid: the file's control values unless overridden."""
    return TimeGrid(defaults["initial_time"],
                    defaults["final_time"] if final_time is None else float(final_time),
                    defaults["time_step"] if time_step is None else float(time_step),
                    defaults["saveper"] if saveper is None else float(saveper))


class CompiledEngine:
    """Runs the compiled model; one instance serves any number of runs.

    ``saved`` names the columns of :meth:`run` and :meth:`run_vector`: every variable that changes
    over the run, then those that do not (auxiliaries of constants, subscripted constants); a
    subscripted variable has one column per element, ``name[a1,b2]``.
    """

    name = "compiled"
    # Members per thread before a pass is split over the cores.  Each NumPy call holds the interpreter lock
    # for its dispatch (about a microsecond); on a busy two-core machine, 5,000 members ran slower on two
    # threads than on one, so the split waits for passes where the loops dominate.
    THREAD_MIN_MEMBERS = 8192

    def __init__(self, path: Path, driven: frozenset[str] = frozenset()):
        self.path = Path(path)
        self.module, self.variables, self.defaults = compiled_artifacts(path, frozenset(driven))
        m = self.module
        self.levers = list(m.LEVERS)
        self.driven = list(m.DRIVEN)
        self._controls = [k for k in ("initial_time", "final_time", "time_step", "saveper")]
        self._constants = {k: v for k, v in self.defaults.items() if k not in self._controls}
        self._step_columns, self._step_slices = self._columns(m.SAVED)
        self._once_columns, self._once_slices = self._columns(m.ONCE)
        self.saved = self._step_columns + self._once_columns
        self._position = {c: i for i, c in enumerate(self.saved)}
        self._saved_index = pd.Index(self.saved)             # built once: pandas takes a while over 200 names
        self._arrays = set(m.ARRAYS)
        self._grids: dict = {}
        self._once_cells = []                                # each time-constant column: (variable, element)
        for key, where in zip(m.ONCE, self._once_slices):
            self._once_cells += [(key, i) for i in range(where.stop - where.start)] if isinstance(where, slice) \
                else [(key, None)]

    def _columns(self, keys) -> tuple[list[str], list]:
        """Column identifiers of variables (one per element when subscripted) and each variable's slots."""
        columns, slots = [], []
        for key in keys:
            shape = self.module.SHAPES.get(key)
            if shape is None:
                slots.append(len(columns))
                columns.append(key)
            else:
                start = len(columns)
                columns += [f"{key}[{','.join(cell)}]" for cell in itertools.product(*self.module.COORDS[key])]
                slots.append(slice(start, len(columns)))
        return columns, slots

    # ---- time ----------------------------------------------------------------------------------------
    def grid(self, final_time=None, time_step=None, saveper=None, constants: Mapping = {}) -> TimeGrid:
        """The run's time grid: the file's control variables (equations of constants, as
        ``SAVEPER = TIME STEP``) evaluated with ``constants``, unless given."""
        given = {k: float(constants[k]) for k in self.module.CONTROL_INPUTS if k in constants
                 and np.ndim(constants[k]) == 0}
        for key, value in (("final_time", final_time), ("time_step", time_step), ("saveper", saveper)):
            if value is not None:
                given[key] = float(value)
        values = self.module.controls({**self._constants, **given})
        key = (values["initial_time"], values["final_time"], values["time_step"], values["saveper"])
        if key not in self._grids:            # a grid's steps and saves are counted once, not per run
            self._grids[key] = TimeGrid(*key)
        return self._grids[key]

    # ---- inputs --------------------------------------------------------------------------------------
    def _base(self, constants: Mapping, grid: TimeGrid, vector: bool, n: int = 1) -> dict:
        C = dict(self._constants)
        for key, value in constants.items():
            if key in self._arrays:
                C[key] = self._array_input(key, value, vector, n)
            elif vector and np.ndim(value):
                C[key] = compact(np.broadcast_to(np.asarray(value, dtype=float), (n,)))
            else:
                C[key] = float(value)
        C.update(initial_time=grid.initial_time, final_time=grid.final_time, time_step=grid.time_step,
                 saveper=grid.saveper)
        return C

    def _array_input(self, key: str, value, vector: bool, n: int) -> np.ndarray:
        """A subscripted constant's override: its shape, or its shape with one value per member."""
        shape = tuple(self.module.SHAPES.get(key, ()))
        array = np.asarray(value, dtype=float)
        if not shape:                       # a scalar constant read from a file: a number, or one per member
            return compact(np.broadcast_to(array, (n,))) if vector and array.ndim else float(array)
        if array.shape == shape or array.ndim == 0:
            array = np.broadcast_to(array, shape)
            return array[..., None] if vector else array
        if vector and array.shape == shape + (n,):
            return compact(array)
        raise InputError(f"constant '{key}' = array of shape {array.shape}: allowed: shape {shape}"
                         + (f" or {shape + (n,)}" if vector else ""))

    def _tracks(self, C: dict, levers: Mapping, drivers, grid: TimeGrid, vector: bool, n: int = 1) -> dict:
        times = grid.step_times()
        tracks = []
        for key in self.levers:
            base = C.pop(key)
            value = levers.get(key, base)
            tracks.append(vector_track(key, base, value, times, n) if vector else
                          scalar_track(base, value, times))
        for key in self.driven:
            series = driver_values(key, (drivers or {}).get(key), times)
            tracks.append(dense_track(series, scalar=True))
        return changes(tracks)

    # ---- runs ----------------------------------------------------------------------------------------
    def run(self, constants: Mapping[str, float] = {}, levers: Mapping[str, LeverValue] = {},
            final_time=None, time_step=None, saveper=None, drivers=None) -> pd.DataFrame:
        """One run on Python floats; returns saved times x variables (the ``saved`` columns).

        ``drivers`` gives each driven variable's series ``{year: value}``,
        interpolated log-linearly to the time steps.
        """
        grid = self.grid(final_time, time_step, saveper, constants)
        C = self._base(constants, grid, vector=False)
        LV = self._tracks(C, levers, drivers, grid, vector=False)
        values = self._scalar_values(C, LV, grid)
        return pd.DataFrame(values, index=pd.Index(grid.save_times(), name="time"), columns=self._saved_index)

    def _scalar_values(self, C: dict, LV: dict, grid: TimeGrid) -> np.ndarray:
        """The scalar variant's run: saves x ``saved`` columns."""
        mask = grid.save_mask()
        out = np.empty((int(mask.sum()), len(self._step_columns)))
        once = self.module.run_scalar(C, LV, grid.n_steps, grid.time_step, mask.tolist(), out)
        values = np.empty((len(out), len(self.saved)))
        values[:, :len(self._step_columns)] = out
        for i in range(len(self._once_columns)):
            values[:, len(self._step_columns) + i] = self._once_value(once, i)
        return values

    def run_vector(self, constants: Mapping[str, np.ndarray] = {}, levers: Mapping[str, np.ndarray] = {},
                   n: int = 1, final_time=None, time_step=None, saveper=None, drivers=None,
                   columns: Sequence[str] | None = None, threads: int | None = None,
                   variant: str = "auto") -> np.ndarray:
        """``n`` runs at once; constants and levers may be arrays of length ``n``.

        A lever is a number or a schedule (the same for every run), an array per run (shape
        ``(n,)``), per step and run (shape ``(n_steps + 1, n)``), or a list of ``n`` numbers or
        schedules; driven variables share one series.  Returns an array of shape
        ``(n_saves, len(columns), n)``, ``columns`` being ``saved`` unless given.  Large ensembles
        are split over the machine's cores, in threads of the same pass.  When no input differs between
        the members, the scalar variant runs once (the same numbers); ``variant="vector"`` runs the
        vector variant regardless.
        """
        self._same_grid(constants, n)
        grid = self.grid(final_time, time_step, saveper, constants)
        C = self._base(constants, grid, vector=True, n=n)
        LV = self._tracks(C, levers, drivers, grid, vector=True, n=n)
        wanted = list(self.saved) if columns is None else list(columns)
        unknown = [c for c in wanted if c not in self._position]
        if unknown:
            raise InputError(f"column '{unknown[0]}' is not a variable of {self.path.name}")
        if variant == "auto" and _all_shared(C, LV):
            # Every member has the same inputs: the vector variant would compute on floats alone, with the
            # scalar variant's functions, so the scalar variant gives the same numbers at a fraction of the cost.
            try:
                values = self._scalar_values(_squeezed(C), {k: _squeezed(v) for k, v in LV.items()}, grid)
                return np.repeat(values[:, [self._position[c] for c in wanted], None], n, axis=2)
            except (ArithmeticError, TypeError):
                pass          # floats failed where NumPy answers inf or nan: the vector variant says what it says
        layout, slots, picks = self._layout(wanted)
        mask = grid.save_mask()
        out = np.empty((int(mask.sum()), len(layout), n))
        save = mask.tolist()
        steps = len(self._step_columns)

        def chunk(lo: int, hi: int):
            part_C = {k: member_slice(v, lo, hi, n) for k, v in C.items()}
            part_LV = {k: tuple(member_slice(v, lo, hi, n) for v in t) for k, t in LV.items()}
            try:
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    once = self.module.run_vector(part_C, part_LV, grid.n_steps, grid.time_step, save,
                                                  out[:, :, lo:hi], hi - lo, slots)
            except ArithmeticError:
                # Arithmetic on values the members share failed (a division by zero of Python floats): on
                # arrays NumPy would have answered inf or NaN for every member; the pass says NaN, and its
                # callers report such runs as beyond what the model can follow.
                out[:, :, lo:hi] = np.nan
                return
            for j, column in enumerate(layout):
                i = self._position[column]
                if i >= steps:          # constant in time: one value (per member), every save
                    out[:, j, lo:hi] = self._once_value(once, i - steps)
        in_threads(chunk, n, threads if threads is not None else self._threads(n))
        return out if picks is None else out[:, picks, :]

    def _same_grid(self, constants: Mapping, n: int) -> None:
        """The time grid is one for the whole pass: constants that set it may not differ between members."""
        for key in self.module.CONTROL_INPUTS:
            value = constants.get(key)
            if value is not None and np.ndim(value) and not isinstance(compact(np.broadcast_to(
                    np.asarray(value, dtype=float), (n,))), float):
                raise InputError(f"constant '{key}' sets the time grid and must be the same for every run of a pass")

    def _layout(self, wanted: list[str]):
        """The pass's own columns (every element of each variable asked for, in ``saved`` order), each
        per-step variable's slot there, and where the asked-for columns sit in it (None: all, in order)."""
        if wanted == self.saved:
            return wanted, tuple(self._step_slices), None
        steps = len(self._step_columns)
        asked = {self._position[c] for c in wanted}
        layout, slots = [], []
        for where in self._step_slices:
            cells = range(where.start, where.stop) if isinstance(where, slice) else [where]
            if asked.intersection(cells):
                start = len(layout)
                layout += [self._step_columns[i] for i in cells]
                slots.append(slice(start, len(layout)) if isinstance(where, slice) else start)
            else:
                slots.append(None)
        layout += [c for c in self._once_columns if self._position[c] in asked]
        at = {c: j for j, c in enumerate(layout)}
        picks = [at[c] for c in wanted]
        return layout, tuple(slots), (None if picks == list(range(len(layout))) else picks)

    def _once_value(self, once: dict, i: int):
        """The value of the ``i``-th time-constant column from a run's final values."""
        key, element = self._once_cells[i]
        if element is None:
            return once[key]
        value = np.asarray(once[key], dtype=float)
        return value.reshape(int(np.prod(self.module.SHAPES[key])), -1)[element]

    def _threads(self, n: int) -> int:
        cores = os.cpu_count() or 1
        return max(1, min(cores, n // self.THREAD_MIN_MEMBERS))

    # ---- PySD's layout ---------------------------------------------------------------------------------
    def output_columns(self) -> list[str]:
        """Every output column as PySD names them: Vensim names, ``name[a,b]`` for subscripted elements."""
        return [name for _, name, _ in self._output_plan()]

    def _output_plan(self):
        """(source, Vensim column, where) for PySD's output: control variables, then the model's
        variables in the file's order (lookups, which are functions, have no column)."""
        plan = []
        order = [k for k in self.variables if self.variables[k].kind == "control"]
        order += [k for k in self.variables if self.variables[k].kind not in ("control", "lookup")]
        for key in order:
            var = self.variables[key]
            shape = self.module.SHAPES.get(key)
            if key in self._constants or key in self._controls:
                plan.append(("constant", var.name, key))
            elif shape is None:
                plan.append(("column", var.name, key))
            else:
                for cell in itertools.product(*self.module.COORDS[key]):
                    plan.append(("column", f"{var.name}[{','.join(cell)}]", f"{key}[{','.join(cell)}]"))
        return plan

    def frame(self, constants: Mapping = {}, levers: Mapping = {}, final_time=None, time_step=None,
              saveper=None, return_columns: Sequence[str] | None = None) -> pd.DataFrame:
        """One run laid out as PySD's ``run()`` returns it: times (rounded as PySD rounds them) as the
        index, one column per variable under its Vensim name (``name[a,b]`` for elements)."""
        run = self.run(constants, levers, final_time, time_step, saveper)
        grid = self.grid(final_time, time_step, saveper, constants)
        C = self._base(constants, grid, vector=False)
        columns = {}
        for source, name, key in self._output_plan():
            columns[name] = np.full(len(run), C[key]) if source == "constant" else run[key].to_numpy()
        if return_columns is not None:
            missing = [c for c in return_columns if c not in columns]
            if missing:
                raise InputError(f"no output column '{missing[0]}' in {self.path.name}")
            columns = {c: columns[c] for c in return_columns}
        index = pd.Index(grid.rounded(run.index.to_numpy()), name="time")
        return pd.DataFrame(columns, index=index)


def _all_shared(C: dict, LV: dict) -> bool:
    """Whether no input differs between the members (arrays with an ensemble axis of one are shared)."""
    values = list(C.values()) + [v for t in LV.values() for v in t]
    return all(not isinstance(v, np.ndarray) or (v.ndim and v.shape[-1] == 1) for v in values)


def _squeezed(values):
    """A pass's shared inputs as a single run takes them: without the ensemble axis."""
    if isinstance(values, dict):
        return {k: _squeezed(v) for k, v in values.items()}
    if isinstance(values, tuple):
        return tuple(_squeezed(v) for v in values)
    if isinstance(values, np.ndarray):
        return float(values[0]) if values.ndim == 1 else values[..., 0]
    return values


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
