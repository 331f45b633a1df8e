"""The small public API: load the model once, run a region, get tidy tables.

    >>> import model
    >>> table = model.simulate("ningbo")                      # the plan
    >>> table = model.simulate("cixi", levers={"fiscal_st_growth_rate": 0.10})

Every run is built from the region data and the overrides passed to it and
nothing else: no run can change the next one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from numbers import Real
from typing import Mapping, Union

import numpy as np
import pandas as pd

from . import data
from .engine import CompiledEngine, PySDEngine, Schedule, Variable

LeverInput = Union[float, Mapping[int, float]]

MAX_FINAL_YEAR = 2050
LONG_COLUMNS = ["scenario", "region", "year", "indicator", "value", "unit"]


class InputError(ValueError):
    """A user's input is not valid; the message is one line that says what to fix."""


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


class Model:
    """The innovation-system model with its region data; load once, run often."""

    def __init__(self):
        self._engine = CompiledEngine()
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
        if isinstance(value, Mapping):
            if not value:
                raise InputError(f"lever '{lever_id}' has an empty year table; give year = value pairs")
            points = []
            for year, v in value.items():
                try:
                    year_num = int(year)
                except (TypeError, ValueError):
                    raise InputError(f"lever '{lever_id}' has year {year!r}, which is not a year; "
                                     f"use years from {self.initial_year} to {final_year}") from None
                if not self.initial_year <= year_num <= final_year:
                    raise InputError(f"lever '{lever_id}' has year {year_num}, outside the run; "
                                     f"use years from {self.initial_year} to {final_year}")
                points.append((float(year_num), self._checked(lever, v, f"{lever_id}.{year_num}")))
            points.sort()
            if points[0][0] > self.initial_year:
                points.insert(0, (float(self.initial_year), lever.default(region)))
            return tuple(points)
        return self._checked(lever, value, lever_id)

    @staticmethod
    def _checked(lever: Lever, value, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise InputError(f"lever '{key}' = {value!r} is not a number; allowed: "
                             f"{_fmt(lever.low)} to {_fmt(lever.high)} {lever.unit}")
        if not lever.low - 1e-12 <= value <= lever.high + 1e-12:
            raise InputError(f"lever '{key}' = {_fmt(value)} is out of range; allowed: "
                             f"{_fmt(lever.low)} to {_fmt(lever.high)} {lever.unit}")
        return float(value)

    def parameter_value(self, name: str, value) -> float:
        var = self.variables.get(name)
        if var is None or var.kind != "constant":
            raise InputError(f"unknown parameter '{name}'; parameters are the model's constants "
                             f"(see `innosim levers` for levers and docs/model.md for parameters)")
        if var.is_lever:
            raise InputError(f"'{name}' is a lever; set it under [levers], not [parameters]")
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise InputError(f"parameter '{name}' = {value!r} is not a finite number")
        return float(value)

    def inputs(self, region: str, levers: Mapping[str, LeverInput] | None = None,
               parameters: Mapping[str, float] | None = None, final_year=None):
        """Constants and lever values of one run: region data, then overrides."""
        self.check_region(region)
        final_year = self.check_final_year(final_year)
        region_data = data.region_constants(region)
        constants = {k: v for k, v in region_data.items() if k not in self._levers}
        for name, value in (parameters or {}).items():
            constants[name] = self.parameter_value(name, value)
        lever_values: dict[str, Union[float, Schedule]] = {
            lv.id: lv.default(region) for lv in self.levers}
        for lever_id, value in (levers or {}).items():
            lever_values[lever_id] = self.lever_value(region, lever_id, value, final_year)
        return constants, lever_values, final_year

    # ---- runs ---------------------------------------------------------
    def run(self, region: str, levers=None, parameters=None, final_year=None,
            time_step=None, saveper=None, engine: str = "compiled") -> pd.DataFrame:
        """All saved variables of one run: rows are times, columns identifiers."""
        constants, lever_values, final_year = self.inputs(region, levers, parameters, final_year)
        if engine == "compiled":
            runner = self._engine
        elif engine == "pysd":
            runner = self.pysd_engine()
        else:
            raise InputError(f"unknown engine '{engine}'; choose compiled or pysd")
        with np.errstate(all="ignore"):
            return runner.run(constants, lever_values, final_time=final_year,
                              time_step=time_step, saveper=saveper)

    def pysd_engine(self) -> PySDEngine:
        """PySD's run of the same file, the reference the compiled engine is tested against."""
        if self._pysd is None:
            self._pysd = PySDEngine()
        return self._pysd

    def indicator_table(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Indicators (scaled to their reporting units) from a run's variables."""
        inds = data.indicators()
        values = frame[[i.variable for i in inds]].to_numpy() * np.array([i.scale for i in inds])
        years = pd.Index(np.round(frame.index.to_numpy()).astype(int), name="year")
        return pd.DataFrame(values, index=years, columns=[i.indicator for i in inds])

    def project(self, region: str, levers=None, parameters=None, final_year=None,
                scenario: str = "plan", engine: str = "compiled") -> pd.DataFrame:
        """The long table of one run: scenario, region, year, indicator, value, unit."""
        frame = self.run(region, levers, parameters, final_year, engine=engine)
        return long_table(self.indicator_table(frame), scenario, region)


def long_table(wide: pd.DataFrame, scenario: str, region: str) -> pd.DataFrame:
    """Years x indicators to the tidy long layout (year, then indicators in registry order)."""
    units = {ind.indicator: ind.unit for ind in data.indicators()}
    names = [c for c in units if c in wide.columns]
    years = wide.index.to_numpy()
    n = len(names)
    return pd.DataFrame({
        "scenario": scenario,
        "region": region,
        "year": np.repeat(years, n),
        "indicator": np.tile(np.array(names, dtype=object), len(years)),
        "value": wide[names].to_numpy(dtype=float).ravel(),
        "unit": np.tile(np.array([units[c] for c in names], dtype=object), len(years)),
    }, columns=LONG_COLUMNS)


def _fmt(x: float) -> str:
    return f"{x:g}"


@lru_cache(maxsize=1)
def load() -> Model:
    """The model, loaded once per process."""
    return Model()


def simulate(region: str, levers=None, parameters=None, final_year=None,
             scenario: str = "plan", engine: str = "compiled") -> pd.DataFrame:
    """Run one region and return the long table of every indicator."""
    return load().project(region, levers, parameters, final_year, scenario, engine)
