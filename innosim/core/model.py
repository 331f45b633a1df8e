"""The model with its region data: load once, run often, every run from fresh state.

    >>> from innosim import load, Case
    >>> m = load()
    >>> frame = m.run(Case("cixi", levers={"fiscal_st_growth_rate": 0.10}))

Every run is built from the region data, the parameter set and the
overrides of its :class:`~innosim.core.case.Case`, and nothing else: no run
can change the next one.

The engine: the compiled engine when the compiler supports the model and
its results have been checked against PySD's (once per model version and
region data, cached); PySD itself otherwise, with a one-line notice that
says why.  ``INNOSIM_ENGINE=pysd|compiled|auto`` overrides the choice.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from numbers import Real
from pathlib import Path
from typing import Mapping, Sequence, Union

import numpy as np
import pandas as pd

from innosim.core import data, paramsets, shares
from innosim.core.case import Case, LeverInput
from innosim.core.engines import CompiledEngine, PySDEngine, Schedule, schedule_values
from innosim.core.tables import long_table
from innosim.core.timeline import observed_file, observed_levers
from innosim.errors import DataError, InputError, shown
from innosim.files import content_hash, write_text
from innosim.mdl.source import Variable
from innosim.paths import display, model_file

MAX_FINAL_YEAR = 2050
CHANGE_PREFIX = "Lever (yearly change):"
ENGINES = ("auto", "compiled", "pysd")
VERIFY_RTOL = 1e-9
VERIFY_ATOL = 1e-9


@dataclass(frozen=True)
class Lever:
    """A planner's lever: a model variable with a slider range, and each region's plan value with its source."""

    variable: Variable
    defaults: Mapping[str, float]
    sources: Mapping[str, str]
    notes: Mapping[str, str]

    id = property(lambda self: self.variable.py_name)
    name = property(lambda self: self.variable.name)
    unit = property(lambda self: self.variable.units)
    low = property(lambda self: self.variable.low)
    high = property(lambda self: self.variable.high)
    step = property(lambda self: self.variable.step)
    doc = property(lambda self: self.variable.doc)
    sector = property(lambda self: self.variable.sector)

    def default(self, region: str) -> float:
        return self.defaults[region]

    @property
    def is_switch(self) -> bool:
        """A choice between rules (range [0,1] in steps of 1), not a quantity to vary smoothly."""
        return self.step >= self.high - self.low

    @property
    def acts_on_change(self) -> bool:
        """A lever on a year's change (a growth rate, the rule that sets it): its value for year Y drives the
        change from Y-1 to Y, so it acts from model time Y-1.  The .mdl marks it "Lever (yearly change):"."""
        return self.doc.startswith(CHANGE_PREFIX)

    @property
    def description(self) -> str:
        return self.doc.removeprefix(CHANGE_PREFIX).removeprefix("Lever: ").strip()

    def acts_from(self, year: float) -> float:
        """The model time from which a value given for ``year`` acts."""
        return float(year) - 1.0 if self.acts_on_change else float(year)

    def allowed(self) -> str:
        return f"{self.low:g} to {self.high:g} {self.unit}"


class Model:
    """The innovation-system model with its region data; load once, run often."""

    def __init__(self, path: Path | None = None, engine: str | None = None):
        self.path = Path(path) if path is not None else model_file()
        self.sha256 = content_hash(self.path)
        choice = engine or os.environ.get("INNOSIM_ENGINE") or "auto"
        if choice not in ENGINES:
            raise InputError(f"engine '{choice}': allowed: {', '.join(ENGINES)}")
        self.notice: str | None = None         # why the run goes through PySD, when it does
        self._pysd: PySDEngine | None = None
        self._compiled: dict[frozenset, CompiledEngine] = {}
        self._engine = self._choose_engine(choice)
        self.variables: dict[str, Variable] = self._engine.variables
        self.file_defaults = dict(self._engine.defaults)
        self._check_region_data()
        rows = data.region_values()
        self.levers: tuple[Lever, ...] = tuple(
            Lever(v, {r.region: r.value for r in rows if r.variable == v.py_name},
                  {r.region: r.source for r in rows if r.variable == v.py_name},
                  {r.region: r.note for r in rows if r.variable == v.py_name})
            for v in self.variables.values() if v.is_lever)
        self._levers = {lv.id: lv for lv in self.levers}
        shares.check_levers(self._levers)          # model/share_groups.toml names only levers of this model
        self.regions = data.REGIONS
        self.initial_year = int(self.file_defaults["initial_time"])
        self.final_year = int(self.file_defaults["final_time"])
        self._sets: dict[tuple, paramsets.ParameterSet] = {}
        if choice == "auto" and self._engine.name == "compiled":
            self._verify()

    # ---- engines ------------------------------------------------------
    @property
    def engine_name(self) -> str:
        return self._engine.name

    def _choose_engine(self, choice: str):
        if choice == "pysd":
            return self.pysd_engine()
        from innosim.mdl.errors import UnsupportedConstruct

        try:
            engine = CompiledEngine(self.path)
        except UnsupportedConstruct as exc:
            if choice == "compiled":
                raise InputError(f"{display(self.path)}: {exc}") from None
            self.notice = f"running through PySD: {exc}"
            return self.pysd_engine()
        except InputError:
            raise
        except Exception as exc:        # a gap in the compiler: the runs go through PySD, and say why
            reason = f"the compiled engine cannot build it ({exc.__class__.__name__}: {str(exc)[:200]})"
            if choice == "compiled":
                raise InputError(f"{display(self.path)}: {reason}") from None
            self.notice = f"running through PySD: {reason}"
            return self.pysd_engine()
        self._compiled[frozenset()] = engine
        return engine

    def _verify(self) -> None:
        """Check the compiled engine against PySD once per model version and region data (cached)."""
        from innosim.mdl.cache import verification_file

        record_path = verification_file(self.path, content_hash(data.regions_file()))
        try:
            verdict = json.loads(record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            verdict = None
        if not _a_verdict(verdict):          # missing or damaged: check again rather than trust it
            verdict = self._compare_with_pysd()
            write_text(record_path, json.dumps(verdict, indent=1))
        if not verdict["agree"]:
            self.notice = (f"running through PySD: the compiled engine disagrees with PySD on "
                           f"'{verdict['variable']}' ({verdict['region']}, t = {verdict['time']:g}: "
                           f"{verdict['compiled']:.10g} against {verdict['pysd']:.10g})")
            self._engine = self.pysd_engine()

    def _compare_with_pysd(self) -> dict:
        """Run every region (and a lever schedule) on both engines; the first difference, if any."""
        compiled, reference = self._engine, self.pysd_engine()
        for region in data.REGIONS:
            for levers in ({}, self._probe_schedule(region)):
                case = Case(region, levers, parameter_set=paramsets.NONE)
                constants, lever_values, final = self.inputs(case)
                a = compiled.run(constants, lever_values, final_time=final)
                b = reference.run(constants, lever_values, final_time=final)[a.columns]
                close = np.isclose(a.to_numpy(), b.to_numpy(), rtol=VERIFY_RTOL, atol=VERIFY_ATOL, equal_nan=True)
                if not close.all():
                    i, j = np.argwhere(~close)[0]
                    return {"agree": False, "region": region, "variable": a.columns[j], "time": float(a.index[i]),
                            "compiled": float(a.iat[i, j]), "pysd": float(b.iat[i, j])}
        return {"agree": True, "rtol": VERIFY_RTOL, "regions": list(data.REGIONS)}

    def _probe_schedule(self, region: str) -> dict:
        """Each smooth lever moved to the middle of its range half-way through the run (a schedule to verify)."""
        year = max((self.initial_year + self.final_year) // 2, observed_levers().first_free_year + 2)
        return {lv.id: {year: (lv.low + lv.high) / 2} for lv in self.levers if not lv.is_switch}

    def pysd_engine(self) -> PySDEngine:
        """PySD's run of the same file: the reference, and the fallback."""
        if self._pysd is None:
            self._pysd = PySDEngine(self.path)
        return self._pysd

    def engine(self, driven: frozenset[str] = frozenset()):
        """The engine runs go through; with ``driven`` variables read from input series (compiled only)."""
        driven = frozenset(driven)
        if not driven:
            return self._engine
        if self._engine.name != "compiled":
            raise InputError("driving variables by observed series needs the compiled engine; "
                             f"this model runs through PySD ({self.notice})")
        if driven not in self._compiled:
            self._compiled[driven] = CompiledEngine(self.path, driven=driven)
        return self._compiled[driven]

    # ---- data ---------------------------------------------------------
    def _check_region_data(self) -> None:
        """The data must fit the model: a modeller's edit or a damaged file is one line, before any run.

        Every region-data row names a constant of the model and lies within its validity range; every
        lever has a sane slider range and a plan value within it for every region; the parameter table
        names constants of the model and contains the model's own values; every indicator is a variable.
        """
        mdl = display(self.path)
        path = display(data.regions_file())
        sources = data.parameter_sources()
        params = display(data.parameters_file())
        for name, var in self.variables.items():
            if var.is_lever and not (math.isfinite(var.low) and math.isfinite(var.high) and var.low < var.high
                                     and math.isfinite(var.step) and var.step > 0):
                raise DataError(f"{mdl}: lever '{var.name}': slider range [{var.low:g}, {var.high:g}, {var.step:g}] "
                                f"is not a range; allowed: [low, high, step] with low < high and step > 0")
        for row in data.region_values():
            where = f"{path}: line {row.line}: {row.region}/{row.variable}"
            var = self.variables.get(row.variable)
            if var is None:
                raise DataError(f"{where}: no such variable in {mdl}")
            if var.kind != "constant":
                raise DataError(f"{where}: the region data set a value, but '{var.name}' in {mdl} is now "
                                f"{'an' if var.kind[0] in 'aeiou' else 'a'} {var.kind}, not a constant; remove the "
                                f"row or make it a constant again")
            if var.is_lever:
                if not var.low - 1e-12 <= row.value <= var.high + 1e-12:
                    raise DataError(f"{where} = {row.value:g}: outside the lever's range; allowed: {var.low:g} to "
                                    f"{var.high:g} {var.units} (the slider range in {mdl})")
            elif row.variable in sources and not _within(row.value, sources[row.variable]):
                raise DataError(f"{where} = {row.value:g}: out of range; allowed: {sources[row.variable].valid()} "
                                f"{var.units} ({params}, line {sources[row.variable].line})")
        have = {(r.region, r.variable) for r in data.region_values()}
        for name, var in self.variables.items():
            for region in data.REGIONS:
                if var.is_lever and (region, name) not in have:
                    raise DataError(f"{path}: lever '{name}' has no plan value for {region}; add a row "
                                    f"{region},{name},VALUE,{var.units},SOURCE,NOTE")
        for name, src in sources.items():
            var = self.variables.get(name)
            if var is None or var.kind != "constant":
                raise DataError(f"{params}: line {src.line}: {name}: not a constant of {mdl}")
            if not var.is_lever and not _within(self.file_defaults[name], src):
                raise DataError(f"{params}: line {src.line}: {name}: the model's value {self.file_defaults[name]:g} "
                                f"lies outside min and max ({src.valid()})")
        for ind in data.indicators():
            if ind.variable not in self.variables:
                raise DataError(f"{display(data.indicators_file())}: line {ind.line}: variable = {ind.variable!r}: "
                                f"no such variable in {mdl}")
        observed = observed_levers()
        where = display(observed_file())
        tables = [(f"{region}.", observed.of(region)) for region in data.REGIONS]
        tables.append(("no_new_policy.", {k: {"": v} for k, v in getattr(observed, "no_new_policy", {}).items()}))
        for table, paths in tables:
            for lever_id, points in paths.items():
                var = self.variables.get(lever_id)
                if var is None or not var.is_lever:
                    raise DataError(f"{where}: {table}{lever_id}: not a lever of {mdl}")
                for year, value in points.items():
                    problem = _observed_problem(var, value)
                    if problem:
                        key = f"{table}{lever_id}" + (f".{year}" if year else "")
                        raise DataError(f"{where}: {key} = {shown(value)}: {problem}")

    # ---- inputs -------------------------------------------------------
    def lever(self, lever_id: str) -> Lever:
        try:
            return self._levers[lever_id]
        except KeyError:
            raise InputError(f"unknown lever '{lever_id}'; levers are: {', '.join(sorted(self._levers))}", "lever",
                             lever_id) from None

    def check_region(self, region: str) -> str:
        if region not in self.regions:
            raise InputError(f"unknown region '{region}'; choose one of: {', '.join(self.regions)}")
        return region

    def check_final_year(self, final_year) -> int:
        if final_year is None:
            return self.final_year
        if isinstance(final_year, bool) or not isinstance(final_year, (int, np.integer)) \
                or not self.initial_year < final_year <= MAX_FINAL_YEAR:
            raise InputError(f"end year {shown(final_year)} is not allowed; use a whole year from "
                             f"{self.initial_year + 1} to {MAX_FINAL_YEAR}", "end_year", final_year,
                             "not allowed", f"a whole year from {self.initial_year + 1} to {MAX_FINAL_YEAR}")
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
                year_num = _year(year)
                if year_num is None:
                    raise InputError.about("lever", f"{lever_id}.{year}", v, "not a year", years)
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
        allowed = lever.allowed()
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise InputError.about("lever", key, value, "not a number", allowed + ", or a year = value table")
        if not lever.low - 1e-12 <= value <= lever.high + 1e-12:
            raise InputError.about("lever", key, value, "out of range", allowed)
        if lever.is_switch and value not in (lever.low, lever.high):
            raise InputError.about("lever", key, value, "a rule switch takes one of its two values",
                                   f"{lever.low:g} or {lever.high:g}")
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
        src = data.parameter_sources().get(name)
        if src is not None and not _within(value, src):
            raise InputError.about("parameter", name, value, "out of range", f"{src.valid()} {var.units}")
        return float(value)

    def parameter_set(self, selector: str | None, region: str) -> paramsets.ParameterSet:
        """A calibrated parameter set (``history`` by default, ``none`` for the region data alone), layered."""
        name, path = paramsets.locate(selector, region)
        stamp = path.stat().st_mtime_ns if path is not None else None   # a recalibrated set is read again
        key = (str(path) if path else name, region, stamp)
        if key not in self._sets:
            pset = paramsets.load_set(selector, region)
            for layer in pset.layers:
                for param, value in layer.values.items():
                    where = f"{display(layer.path)}: line {layer.line_of(param)}: parameters.{param}"
                    var = self.variables.get(param)
                    if var is None or var.kind != "constant" or var.is_lever:
                        what = "a lever, not a parameter" if var is not None and var.is_lever else \
                            "not a parameter of the model"
                        raise DataError(f"{where}: {what}; a set holds the model's constants only")
                    try:
                        self.parameter_value(param, value)
                    except InputError as exc:
                        raise DataError(f"{where} = {shown(value)}: {exc.problem}; allowed: {exc.allowed}") from None
            self._sets[key] = pset
        return self._sets[key]

    def policy_start(self, case: Case) -> int:
        """The first year the case's own levers apply: the first year not yet observed, or the case's
        ``policy_from`` (earlier for a counterfactual)."""
        observed = observed_levers()
        start = observed.first_free_year if case.policy_from is None else case.policy_from
        final_year = self.check_final_year(case.final_year)
        if case.policy_from is None:
            return min(start, final_year + 1)          # a run that ends before it: the levers never apply
        if isinstance(start, bool) or not isinstance(start, (int, np.integer)) \
                or not self.initial_year <= start <= final_year:
            raise InputError(f"policy_from {shown(start)}: allowed: a year from {self.initial_year} to {final_year}",
                             "policy_from", start, "out of range", f"{self.initial_year} to {final_year}")
        return int(start)

    def inputs(self, case: Case):
        """Constants and lever values of one run: region data, the parameter set's layers, then overrides.

        Every lever follows its observed path (``calibration/observed_levers.toml``) up to the year before
        :meth:`policy_start`, and the case's value (or the region's plan value) from that year on.  A case
        whose allocation shares of one group (``model/share_groups.toml``) add up to more than the group
        allows, in any year, is refused with one line.
        """
        region = self.check_region(case.region)
        final_year = self.check_final_year(case.final_year)
        start = self.policy_start(case)
        region_data = data.region_constants(region)
        constants = {k: v for k, v in region_data.items() if k not in self._levers}
        if "last_observed_year" in self.variables:          # one home for the record's end: observed_levers.toml
            constants["last_observed_year"] = float(observed_levers().until)
        constants.update(self.parameter_set(case.parameter_set, region).values)
        for name, value in (case.parameters or {}).items():
            constants[name] = self.parameter_value(name, value)
        for lever_id in case.levers or {}:
            self.lever(lever_id)
        observed = observed_levers().of(region)
        lever_values: dict[str, Union[float, Schedule]] = {}
        for lv in self.levers:
            override = (case.levers or {}).get(lv.id)
            checked = None if override is None else self.lever_value(region, lv.id, override, final_year)
            lever_values[lv.id] = self._lever_path(region, lv, observed.get(lv.id, {}), override, checked, start)
        shares.check_paths(lever_values, f"{region}: ")     # allocation shares may not exceed their budget
        return constants, lever_values, final_year

    def _lever_path(self, region: str, lever: Lever, observed: dict, override, checked, start: int):
        """The lever over the run, in model time: its plan value, the observed points before ``start``, and the
        case's value (or the plan's) from ``start`` on.  Years are the planner's: a lever on a year's change acts
        from the year before (:meth:`Lever.acts_from`)."""
        default = lever.default(region)
        points = [(float(self.initial_year), default)]
        points += [(lever.acts_from(y), v) for y, v in sorted(observed.items()) if y < start]
        if override is None:
            points.append((lever.acts_from(start), default))
        elif isinstance(override, Mapping):
            early = [int(y) for y in override if int(y) < start]
            if early:
                until = observed_levers().until
                raise InputError.about(
                    "lever", f"{lever.id}.{early[0]}", override[early[0]] if early[0] in override
                    else override[str(early[0])], f"{early[0]} is before the levers apply ({start}; the record runs "
                    f"to {until})", f"years from {start}, or run.policy_from = {early[0]} for a counterfactual")
            given = [(y, v) for y, v in checked if y >= start]   # lever_value put the plan value at the base year
            if given[0][0] > start:
                points.append((lever.acts_from(start), default))
            points += [(lever.acts_from(y), v) for y, v in given]
        else:
            points.append((lever.acts_from(start), float(checked)))
        merged: dict[float, float] = {}
        for year, value in points:
            merged[max(year, float(self.initial_year))] = value
        values = list(merged.values())
        if all(v == values[0] for v in values):
            return float(values[0])
        return tuple(sorted(merged.items()))

    # ---- runs ---------------------------------------------------------
    def run(self, case: Case, *, engine: str | None = None, time_step=None, saveper=None) -> pd.DataFrame:
        """All saved variables of one run: rows are times, columns identifiers.

        ``engine="pysd"`` runs PySD itself whatever the model normally runs on.
        """
        constants, lever_values, final_year = self.inputs(case)
        if engine in (None, "auto"):
            runner = self._engine
        elif engine == "pysd":
            runner = self.pysd_engine()
        elif engine == "compiled":
            if self._engine.name != "compiled":
                raise InputError(f"the compiled engine cannot run this model: {self.notice}")
            runner = self._engine
        else:
            raise InputError(f"unknown engine '{engine}'; choose one of: {', '.join(ENGINES)}")
        try:
            with np.errstate(all="ignore"):
                return runner.run(constants, lever_values, final_time=final_year, time_step=time_step,
                                  saveper=saveper)
        except (ArithmeticError, TypeError, ValueError) as exc:
            # A single run's arithmetic fails (a power of a negative number, a division by zero) where a
            # vectorised pass gives NaN: the case's own values together are beyond what the model can follow.
            from innosim.core.tables import beyond_the_model

            first = str(exc).splitlines()[0] if str(exc) else ""
            raise InputError(beyond_the_model(case, f"cannot be computed ({exc.__class__.__name__}: {first})")) \
                from None

    def run_many(self, cases: Sequence[Case]) -> list[pd.DataFrame]:
        """Many runs in one vectorised pass per end year; same results as :meth:`run` one by one.

        Raises :class:`InputError` for the first invalid case; check cases
        with :meth:`inputs` first to isolate bad ones.
        """
        saved = self._engine.saved
        return [pd.DataFrame(values, index=pd.Index(times, name="time"), columns=saved)
                for times, values in self._run_many_arrays(cases)]

    def indicators_many(self, cases: Sequence[Case]) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each case, its years and its indicator values (years x indicators, registry order)."""
        columns, scales = self.indicator_columns()
        saved = self._engine.saved
        wanted = [saved[j] for j in columns] if self._engine.name == "compiled" else None
        return [(np.round(times).astype(int), (values if wanted else values[:, columns]) * scales)
                for times, values in self._run_many_arrays(cases, wanted)]

    def indicator_columns(self) -> tuple[list[int], np.ndarray]:
        """Where each indicator (registry order) sits among the engine's saved variables, and its scale."""
        inds = data.indicators()
        saved = self._engine.saved
        missing = [i.variable for i in inds if i.variable not in saved]
        if missing:
            raise DataError(f"{display(data.indicators_file())}: indicator variable '{missing[0]}' is not in "
                            f"{display(self.path)}")
        return [saved.index(i.variable) for i in inds], np.array([i.scale for i in inds])

    def _run_many_arrays(self, cases: Sequence[Case], columns: list[str] | None = None
                         ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each case's saved times and values (all saved variables, or ``columns``), one pass per end year.

        Levers reach the compiled engine as each case's own number or schedule: it keeps only their
        change points, so a pass of thousands of cases builds no per-step array per lever.
        """
        resolved = [self.inputs(c) for c in cases]
        results: list = [None] * len(cases)
        by_year: dict[int, list[int]] = {}
        for i, (_, _, final_year) in enumerate(resolved):
            by_year.setdefault(final_year, []).append(i)
        for final_year, index in by_year.items():
            grid = self._engine.grid(final_time=final_year)
            times = grid.step_times()
            keys = set().union(*(resolved[i][0] for i in index))
            constants = {k: np.array([resolved[i][0].get(k, self.file_defaults[k]) for i in index]) for k in keys}
            with np.errstate(all="ignore"):
                if self._engine.name == "compiled":
                    levers = {lv.id: [resolved[i][1][lv.id] for i in index] for lv in self.levers}
                    out = self._engine.run_vector(constants, levers, n=len(index), final_time=final_year,
                                                  columns=columns)
                else:
                    levers = {lv.id: np.column_stack([schedule_values(lv.default(cases[i].region),
                                                                      resolved[i][1][lv.id], times)
                                                      for i in index]) for lv in self.levers}
                    out = self._engine.run_vector(constants, levers, n=len(index), final_time=final_year)
            saved_times = grid.save_times()
            for j, i in enumerate(index):
                results[i] = (saved_times, out[:, :, j])
        return results

    def indicator_table(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Indicators (scaled to their reporting units) from a run's variables."""
        inds = data.indicators()
        values = frame[[i.variable for i in inds]].to_numpy() * np.array([i.scale for i in inds])
        years = pd.Index(np.round(frame.index.to_numpy()).astype(int), name="year")
        return pd.DataFrame(values, index=years, columns=[i.indicator for i in inds])

    def project(self, case: Case, *, engine: str | None = None) -> pd.DataFrame:
        """The long table of one run: scenario, region, year, indicator, value, unit."""
        return long_table(self.indicator_table(self.run(case, engine=engine)), case.label, case.region)


def _a_verdict(record) -> bool:
    """Whether a verification record is whole: agreement, or the first disagreement with its numbers."""
    if not isinstance(record, dict) or not isinstance(record.get("agree"), bool):
        return False
    if record["agree"]:
        return True
    return isinstance(record.get("variable"), str) and isinstance(record.get("region"), str) and all(
        isinstance(record.get(k), (int, float)) for k in ("time", "compiled", "pysd"))


def _within(value: float, src: data.ParameterSource) -> bool:
    return ((src.minimum is None or value >= src.minimum - 1e-12 * abs(src.minimum))
            and (src.maximum is None or value <= src.maximum + 1e-12 * abs(src.maximum)))


def _observed_problem(var: Variable, value) -> str | None:
    """What is wrong with a recorded lever value, if anything.

    History may lie outside a slider (a year of 36 % fiscal growth), so a record is held to the lever's
    kind and to a span as wide again as the slider on either side, not to the slider itself; a rule
    switch takes one of its two values.
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        return "not a finite number"
    if var.step >= var.high - var.low:
        if value not in (var.low, var.high):
            return f"a rule switch takes one of its two values; allowed: {var.low:g} or {var.high:g}"
        return None
    width = var.high - var.low
    if not var.low - width <= value <= var.high + width:
        return (f"far outside the lever's range ({var.low:g} to {var.high:g} {var.units}); allowed for a "
                f"record: {var.low - width:g} to {var.high + width:g}")
    return None


def _year(value) -> int | None:
    """A schedule's year key as an int: a plain integer or its plain decimal text ('2024'), nothing looser."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


@lru_cache(maxsize=1)
def load() -> Model:
    """The model, loaded once per process."""
    return Model()
