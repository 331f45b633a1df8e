"""The small public API: load the model once, run a region, get tidy tables.

    >>> import model
    >>> table = model.simulate("ningbo")                      # the plan
    >>> table = model.simulate("cixi", levers={"fiscal_st_growth_rate": 0.10})

Every run is built from the region data and the overrides passed to it and
nothing else: no run can change the next one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from numbers import Real
from typing import Mapping, Sequence, Union

import numpy as np
import pandas as pd

from . import data, paramsets
from .engine import CompiledEngine, PySDEngine, Schedule, Variable, schedule_values

LeverInput = Union[float, Mapping[int, float]]

MAX_FINAL_YEAR = 2050
LONG_COLUMNS = ["scenario", "region", "year", "indicator", "value", "unit"]


class InputError(ValueError):
    """A user's input is not valid; the message is one line that says what to fix.

    When the error concerns one key, ``key``, ``value``, ``problem`` and
    ``allowed`` let a client (a scenario file, the app) phrase it in its own terms.
    """

    def __init__(self, message: str, key: str | None = None, value=None,
                 problem: str | None = None, allowed: str | None = None):
        super().__init__(message)
        self.key, self.value, self.problem, self.allowed = key, value, problem, allowed

    @classmethod
    def about(cls, kind: str, key: str, value, problem: str, allowed: str) -> "InputError":
        shown = value if isinstance(value, str) else repr(value) if not isinstance(value, float) else f"{value:g}"
        return cls(f"{kind} '{key}' = {shown}: {problem}; allowed: {allowed}", key, value, problem, allowed)


@dataclass(frozen=True)
class Lever:
    """A planner's lever: a constant with a slider range in the model's units field."""

    id: str
    name: str
    unit: str
    low: float
    high: float
    step: float
    doc: str
    sector: str
    defaults: Mapping[str, float]
    sources: Mapping[str, str]
    notes: Mapping[str, str]

    @property
    def description(self) -> str:
        return self.doc.removeprefix("Lever: ")

    def default(self, region: str) -> float:
        return self.defaults[region]

    @property
    def is_switch(self) -> bool:
        """A choice between rules (range [0,1] in steps of 1), not a quantity to vary smoothly."""
        return self.step >= self.high - self.low


@dataclass(frozen=True)
class Case:
    """One run to make: a region with lever and parameter overrides."""

    region: str
    levers: Mapping[str, LeverInput] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)
    final_year: int | None = None
    parameter_set: str | None = None


class Model:
    """The innovation-system model with its region data; load once, run often."""

    def __init__(self):
        self._engine = CompiledEngine()
        self._engines = {frozenset(): self._engine}
        self._sets: dict[tuple, paramsets.ParameterSet] = {}   # (name, region, file mtime)
        self._pysd = None
        self.variables: dict[str, Variable] = self._engine.variables
        self.file_defaults = dict(self._engine.defaults)
        rows = data.region_values()
        self.levers: tuple[Lever, ...] = tuple(
            Lever(v.py_name, v.name, v.units, v.limits[0], v.limits[1], v.limits[2], v.doc, v.sector,
                  {r.region: r.value for r in rows if r.variable == v.py_name},
                  {r.region: r.source for r in rows if r.variable == v.py_name},
                  {r.region: r.note for r in rows if r.variable == v.py_name})
            for v in self.variables.values() if v.is_lever)
        self._levers = {lv.id: lv for lv in self.levers}
        self.regions = data.REGIONS
        self.initial_year = int(self.file_defaults["initial_time"])
        self.final_year = int(self.file_defaults["final_time"])

    # ---- inputs -------------------------------------------------------
    def lever(self, lever_id: str) -> Lever:
        try:
            return self._levers[lever_id]
        except KeyError:
            raise InputError(f"unknown lever '{lever_id}'; levers are: {', '.join(sorted(self._levers))}") from None

    def check_region(self, region: str) -> str:
        if region not in self.regions:
            raise InputError(f"unknown region '{region}'; choose one of: {', '.join(self.regions)}")
        return region

    def check_final_year(self, final_year) -> int:
        if final_year is None:
            return self.final_year
        if isinstance(final_year, bool) or not isinstance(final_year, (int, np.integer)) \
                or not self.initial_year < final_year <= MAX_FINAL_YEAR:
            raise InputError(f"end year {final_year!r} is not allowed; use a whole year from "
                             f"{self.initial_year + 1} to {MAX_FINAL_YEAR}")
        return int(final_year)

    def lever_value(self, region: str, lever_id: str, value: LeverInput, final_year: int):
        """Check a lever override; return a number or a schedule starting in the base year."""
        lever = self.lever(lever_id)
        years = f"years from {self.initial_year} to {final_year}"
        if isinstance(value, Mapping):
            if not value:
                raise InputError.about("lever", lever_id, value, "empty year table", f"year = value pairs, {years}")
            points = []
            for year, v in value.items():
                try:
                    year_num = int(year)
                except (TypeError, ValueError):
                    raise InputError.about("lever", f"{lever_id}.{year}", v, "not a year", years) from None
                if not self.initial_year <= year_num <= final_year:
                    raise InputError.about("lever", f"{lever_id}.{year_num}", v, "year outside the run", years)
                points.append((float(year_num), self._checked(lever, v, f"{lever_id}.{year_num}")))
            points.sort()
            if points[0][0] > self.initial_year:
                points.insert(0, (float(self.initial_year), lever.default(region)))
            return tuple(points)
        return self._checked(lever, value, lever_id)

    @staticmethod
    def _checked(lever: Lever, value, key: str) -> float:
        allowed = f"{_fmt(lever.low)} to {_fmt(lever.high)} {lever.unit}"
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise InputError.about("lever", key, value, "not a number", allowed + ", or a year = value table")
        if not lever.low - 1e-12 <= value <= lever.high + 1e-12:
            raise InputError.about("lever", key, value, "out of range", allowed)
        return float(value)

    def parameter_value(self, name: str, value) -> float:
        var = self.variables.get(name)
        if var is None or var.kind != "constant":
            raise InputError.about("parameter", name, value, "unknown parameter",
                                   "the model's constants, listed in docs/model.md")
        if var.is_lever:
            raise InputError.about("parameter", name, value, "a lever, not a parameter", "set it as a lever")
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise InputError.about("parameter", name, value, "not a finite number", f"a number in {var.units}")
        return float(value)

    def parameter_set(self, name: str | None, region: str) -> paramsets.ParameterSet:
        """A calibrated parameter set (``history`` by default, ``none`` for the region data alone)."""
        path = paramsets.set_path(name or paramsets.DEFAULT, region)
        stamp = path.stat().st_mtime_ns if path.exists() else None   # a recalibrated set is read again
        key = (name or paramsets.DEFAULT, region, stamp)
        if key not in self._sets:
            try:
                pset = paramsets.load_set(name, region)
            except FileNotFoundError:
                raise InputError(f"no parameter set '{name}' for {region}; available: "
                                 f"{', '.join(paramsets.available() + [paramsets.NONE])}") from None
            for param in pset.values:
                var = self.variables.get(param)
                if var is None or var.kind != "constant" or var.is_lever:
                    raise InputError(f"parameter set {pset.path}: '{param}' is not a model parameter")
            self._sets[key] = pset
        return self._sets[key]

    def inputs(self, region: str, levers: Mapping[str, LeverInput] | None = None,
               parameters: Mapping[str, float] | None = None, final_year=None, parameter_set: str | None = None):
        """Constants and lever values of one run: region data, the parameter set, then overrides."""
        self.check_region(region)
        final_year = self.check_final_year(final_year)
        region_data = data.region_constants(region)
        constants = {k: v for k, v in region_data.items() if k not in self._levers}
        constants.update(self.parameter_set(parameter_set, region).values)
        for name, value in (parameters or {}).items():
            constants[name] = self.parameter_value(name, value)
        lever_values: dict[str, Union[float, Schedule]] = {
            lv.id: lv.default(region) for lv in self.levers}
        for lever_id, value in (levers or {}).items():
            lever_values[lever_id] = self.lever_value(region, lever_id, value, final_year)
        return constants, lever_values, final_year

    def engine(self, driven: frozenset[str] = frozenset()) -> CompiledEngine:
        """The compiled engine, with ``driven`` variables read from input series."""
        driven = frozenset(driven)
        if driven not in self._engines:
            self._engines[driven] = CompiledEngine(driven=driven)
        return self._engines[driven]

    # ---- runs ---------------------------------------------------------
    def run(self, region: str, levers=None, parameters=None, final_year=None,
            time_step=None, saveper=None, engine: str = "compiled",
            parameter_set: str | None = None) -> pd.DataFrame:
        """All saved variables of one run: rows are times, columns identifiers.

        ``parameter_set`` names a calibrated set (default ``history``).
        """
        constants, lever_values, final_year = self.inputs(region, levers, parameters, final_year, parameter_set)
        if engine == "compiled":
            runner = self._engine
        elif engine == "pysd":
            runner = self.pysd_engine()
        else:
            raise InputError(f"unknown engine '{engine}'; choose compiled or pysd")
        with np.errstate(all="ignore"):
            return runner.run(constants, lever_values, final_time=final_year, time_step=time_step, saveper=saveper)

    def run_many(self, cases: Sequence[Case]) -> list[pd.DataFrame]:
        """Many runs in one vectorised pass per end year; same results as :meth:`run` one by one.

        Raises :class:`InputError` for the first invalid case; check cases
        with :meth:`inputs` first to isolate bad ones.
        """
        return [pd.DataFrame(values, index=pd.Index(times, name="time"), columns=self._engine.saved)
                for times, values in self._run_many_arrays(cases)]

    def indicators_many(self, cases: Sequence[Case]) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each case, its years and its indicator values (years x indicators, registry order)."""
        columns, scales = self.indicator_columns()
        return [(np.round(times).astype(int), values[:, columns] * scales)
                for times, values in self._run_many_arrays(cases)]

    def indicator_columns(self) -> tuple[list[int], np.ndarray]:
        """Where each indicator (registry order) sits among the engine's saved variables, and its scale."""
        inds = data.indicators()
        return [self._engine.saved.index(i.variable) for i in inds], np.array([i.scale for i in inds])

    def _run_many_arrays(self, cases: Sequence[Case]) -> list[tuple[np.ndarray, np.ndarray]]:
        resolved = [self.inputs(c.region, c.levers, c.parameters, c.final_year, c.parameter_set) for c in cases]
        results: list = [None] * len(cases)
        by_year: dict[int, list[int]] = {}
        for i, (_, _, final_year) in enumerate(resolved):
            by_year.setdefault(final_year, []).append(i)
        for final_year, index in by_year.items():
            grid = self._engine.grid(final_time=final_year)
            times = grid.step_times()
            keys = set().union(*(resolved[i][0] for i in index))
            constants = {k: np.array([resolved[i][0].get(k, self.file_defaults[k]) for i in index]) for k in keys}
            levers = {lv.id: np.column_stack([schedule_values(lv.default(cases[i].region), resolved[i][1][lv.id], times)
                                              for i in index]) for lv in self.levers}
            out = self._engine.run_vector(constants, levers, n=len(index), final_time=final_year)
            saved_times = grid.save_times()
            for j, i in enumerate(index):
                results[i] = (saved_times, out[:, :, j])
        return results

    def pysd_engine(self) -> PySDEngine:
        """PySD's run of the same file, the reference the compiled engine is tested against."""
        if self._pysd is None:
            self._pysd = PySDEngine()
        return self._pysd

    def indicator_table(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Indicators (scaled to their reporting units) from a run's variables."""
        columns, scales = self.indicator_columns()
        values = frame[[self._engine.saved[c] for c in columns]].to_numpy() * scales
        years = pd.Index(np.round(frame.index.to_numpy()).astype(int), name="year")
        return pd.DataFrame(values, index=years, columns=[i.indicator for i in data.indicators()])

    def project(self, region: str, levers=None, parameters=None, final_year=None,
                scenario: str = "plan", engine: str = "compiled", parameter_set: str | None = None) -> pd.DataFrame:
        """The long table of one run: scenario, region, year, indicator, value, unit."""
        frame = self.run(region, levers, parameters, final_year, engine=engine, parameter_set=parameter_set)
        return long_table(self.indicator_table(frame), scenario, region)


def within_run(levers: Mapping[str, LeverInput], final_year: int) -> dict:
    """Lever overrides cut to a run that ends in ``final_year`` (schedule points after it dropped).

    Analyses that stop early (calibration, attribution, goal seeking) use it;
    a user's own run still rejects years outside it.
    """
    out = {}
    for key, value in (levers or {}).items():
        if isinstance(value, Mapping):
            value = {y: v for y, v in value.items() if int(y) <= final_year}
            if not value:
                continue
        out[key] = value
    return out


def long_table(wide: pd.DataFrame, scenario: str, region: str) -> pd.DataFrame:
    """Years x indicators to the tidy long layout (year, then indicators in registry order)."""
    names = [i.indicator for i in data.indicators() if i.indicator in wide.columns]
    return long_table_many([(scenario, region, wide.index.to_numpy(), wide[names].to_numpy(dtype=float))], names)


def long_table_many(entries: Sequence[tuple[str, str, np.ndarray, np.ndarray]],
                    names: Sequence[str] | None = None) -> pd.DataFrame:
    """Many (scenario, region, years, values[years x indicators]) into one long table."""
    names = list(names or [i.indicator for i in data.indicators()])
    units = {i.indicator: i.unit for i in data.indicators()}
    n = len(names)
    names_arr = np.array(names, dtype=object)
    units_arr = np.array([units[c] for c in names], dtype=object)
    if not entries:
        return pd.DataFrame(columns=LONG_COLUMNS)
    parts = {c: [] for c in LONG_COLUMNS}
    for scenario, region, years, values in entries:
        rows = len(years) * n
        parts["scenario"].append(np.full(rows, scenario, dtype=object))
        parts["region"].append(np.full(rows, region, dtype=object))
        parts["year"].append(np.repeat(np.asarray(years), n))
        parts["indicator"].append(np.tile(names_arr, len(years)))
        parts["value"].append(np.asarray(values, dtype=float).ravel())
        parts["unit"].append(np.tile(units_arr, len(years)))
    return pd.DataFrame({c: np.concatenate(v) for c, v in parts.items()}, columns=LONG_COLUMNS)


def _fmt(x: float) -> str:
    return f"{x:g}"


@lru_cache(maxsize=1)
def load() -> Model:
    """The model, loaded once per process."""
    return Model()
