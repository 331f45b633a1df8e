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
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from innosim.core.pysd_engine import PySDEngine  # noqa: F401  (re-exported: the reference engine)
from innosim.errors import InputError
from innosim.mdl.cache import compiled_artifacts
from innosim.mdl.grid import LeverValue, Schedule, TimeGrid, driver_values, schedule_values  # noqa: F401
from innosim.mdl.inputs import (changes, compact, dense_track, in_threads, member_slice, scalar_track,
                                vector_track)
from innosim.mdl.runtime import UNEVEN_END, RunError
from innosim.mdl.source import Variable  # noqa: F401  (re-exported: engines describe their variables)

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
    # A FINAL TIME that moves during the run: the steps of the first grid tried, and its growth while too short.
    FIRST_STEPS, GROWTH = 1024, 4
    MOST_STEPS = 1_000_000       # a moving FINAL TIME that never arrives: refused, not grown without end

    def __init__(self, path: Path, driven: frozenset[str] = frozenset(), data_files: Sequence[Path] | None = None):
        """``data_files``: the files a data series without GET ... DATA is read from, as PySD's
        ``read_vensim(..., data_files=...)`` (a path or a list of them); read when the engine is generated."""
        self.path = Path(path)
        files = () if data_files is None else (data_files,) if isinstance(data_files, (str, Path)) else data_files
        self.data_files = tuple(Path(f).resolve() for f in files)
        self.module, self.variables, self.defaults = compiled_artifacts(path, frozenset(driven), self.data_files)
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
        self._moving_end = getattr(m, "MOVING_END", False)
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
        if np.isnan(values["final_time"]):    # FINAL TIME moves during the run: a first grid, lengthened if need be
            values["final_time"] = values["initial_time"] + self.FIRST_STEPS * values["time_step"]
        key = (values["initial_time"], values["final_time"], values["time_step"], values["saveper"])
        if key not in self._grids:            # a grid's steps and saves are counted once, not per run
            self._grids[key] = TimeGrid(*key)
        return self._grids[key]

    # ---- inputs --------------------------------------------------------------------------------------
    def _base(self, constants: Mapping, grid: TimeGrid, vector: bool, n: int = 1, final_time=None) -> dict:
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
        if self._moving_end and final_time is None:
            C["final_time"] = None          # the model's own FINAL TIME equation decides when the run ends
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
        def attempt(grid: TimeGrid):
            C = self._base(constants, grid, vector=False, final_time=final_time)
            LV = self._tracks(C, levers, drivers, grid, vector=False)
            return self._scalar_values(C, LV, grid)

        grid, values = self._until_the_end(self.grid(final_time, time_step, saveper, constants), attempt)
        return pd.DataFrame(values, index=pd.Index(grid.save_times(), name="time"), columns=self._saved_index)

    def _until_the_end(self, grid: TimeGrid, attempt):
        """``attempt(grid)`` -> (saves x ..., the step a moving FINAL TIME stopped at); returns the grid the run
        took and its saves.  A run whose FINAL TIME moves is redone on a longer grid until it stops inside it,
        then cut there, so its saved rows are PySD's.  (A pure function of the inputs: redoing is exact.)"""
        while True:
            values, stop = attempt(grid)
            if not self._moving_end:
                return grid, values
            if stop is not None:
                grid = grid.cut(stop)
                return grid, values[:int(grid.save_mask().sum())]
            grid = grid.longer(self.GROWTH)
            if (grid.final_time - grid.initial_time) / grid.time_step > self.MOST_STEPS:
                raise RunError(f"'FINAL TIME' was not reached within {self.MOST_STEPS:,} steps of TIME STEP "
                               f"{grid.time_step:g}; the model's end never comes")

    def _scalar_values(self, C: dict, LV: dict, grid: TimeGrid) -> tuple[np.ndarray, int | None]:
        """The scalar variant's run: saves x ``saved`` columns, and the step a moving FINAL TIME stopped at."""
        mask = grid.save_mask()
        out = np.empty((int(mask.sum()), len(self._step_columns)))
        once = self.module.run_scalar(C, LV, grid.n_steps, grid.time_step, mask.tolist(), out)
        values = np.empty((len(out), len(self.saved)))
        values[:, :len(self._step_columns)] = out
        for i in range(len(self._once_columns)):
            values[:, len(self._step_columns) + i] = self._once_value(once, i)
        return values, once.get("(stop)")

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
        wanted = list(self.saved) if columns is None else list(columns)
        unknown = [c for c in wanted if c not in self._position]
        if unknown:
            raise InputError(f"column '{unknown[0]}' is not a variable of {self.path.name}")

        def attempt(grid: TimeGrid):
            C = self._base(constants, grid, vector=True, n=n, final_time=final_time)
            LV = self._tracks(C, levers, drivers, grid, vector=True, n=n)
            return self._pass(C, LV, grid, n, wanted, threads, variant)

        return self._until_the_end(self.grid(final_time, time_step, saveper, constants), attempt)[1]

    def _pass(self, C: dict, LV: dict, grid: TimeGrid, n: int, wanted: list, threads, variant: str):
        """One pass on ``grid``: saves x ``wanted`` x members, and the step a moving FINAL TIME stopped at."""
        if variant == "auto" and _all_shared(C, LV):
            # Every member has the same inputs: the vector variant would compute on floats alone, with the
            # scalar variant's functions, so the scalar variant gives the same numbers at a fraction of the cost.
            try:
                values, stop = self._scalar_values(_squeezed(C), {k: _squeezed(v) for k, v in LV.items()}, grid)
                return np.repeat(values[:, [self._position[c] for c in wanted], None], n, axis=2), stop
            except (ArithmeticError, TypeError):
                pass          # floats failed where NumPy answers inf or nan: the vector variant says what it says
        layout, slots, picks = self._layout(wanted)
        mask = grid.save_mask()
        out = np.empty((int(mask.sum()), len(layout), n))
        save = mask.tolist()
        steps = len(self._step_columns)
        stops = set()

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
                stops.add(None if not self._moving_end else grid.n_steps)
                return
            stops.add(once.get("(stop)"))
            for j, column in enumerate(layout):
                i = self._position[column]
                if i >= steps:          # constant in time: one value (per member), every save
                    out[:, j, lo:hi] = self._once_value(once, i - steps)
        in_threads(chunk, n, threads if threads is not None else self._threads(n))
        if len(stops) > 1:
            raise RunError(UNEVEN_END)
        return (out if picks is None else out[:, picks, :]), stops.pop()

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
            if (key in self._constants or key in self._controls) and key not in self._position:
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
