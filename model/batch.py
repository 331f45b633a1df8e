"""Run scenarios: one region at a time, or a batch of scenarios x regions into one table.

    >>> import model
    >>> slowdown = model.load_scenario("scenarios/fiscal_slowdown.toml")
    >>> table = model.simulate("ningbo", slowdown)
    >>> batch = model.run_batch(["scenarios/plan.toml", "scenarios/fiscal_slowdown.toml"], workers=2)
    >>> batch.table, batch.failures

A batch runs its cases as vectorised passes of the compiled engine, split
across worker processes when ``workers > 1``.  One bad scenario loses
nothing else: it is listed in ``failures`` with its reason.
"""
from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence, Union

import numpy as np
import pandas as pd

from .api import LONG_COLUMNS, Case, InputError, load, long_table_many
from . import data
from .scenarios import Scenario, load_scenario, plan

ScenarioLike = Union[Scenario, str, Path]
DEFAULT_CHUNK = 64


@dataclass(frozen=True)
class Failure:
    """A scenario (or one of its regions) that could not be run, and why."""

    scenario: str
    region: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.scenario} ({self.region})" if self.region else self.scenario
        return f"{where}: {self.reason}"


@dataclass
class BatchResult:
    """The long table of every good run, the scenarios behind it, and what failed."""

    table: pd.DataFrame
    scenarios: list[Scenario] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def as_scenario(scenario: ScenarioLike | None) -> Scenario:
    if scenario is None:
        return plan()
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario)


def case_for(scenario: Scenario, region: str, levers=None, parameters=None, parameter_set=None) -> Case:
    return Case(region, {**scenario.levers, **(levers or {})},
                {**scenario.parameters, **(parameters or {})}, scenario.end_year,
                parameter_set or scenario.parameter_set)


def simulate(region: str, scenario: ScenarioLike | None = None, *, levers=None, parameters=None,
             parameter_set: str | None = None, engine: str = "compiled") -> pd.DataFrame:
    """Run one scenario (the plan by default) for one region; return the long table.

    ``levers`` and ``parameters`` apply on top of the scenario's own overrides;
    ``parameter_set`` (default: the scenario's, else ``history``) names the calibrated values.
    """
    sc = as_scenario(scenario)
    m = load()
    case = case_for(sc, region, levers, parameters, parameter_set)
    return m.project(case.region, case.levers, case.parameters, case.final_year, sc.label, engine,
                     case.parameter_set)


def _run_chunk(cases: list[Case]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Worker entry point: one vectorised pass over ``cases``; years and indicator values per case."""
    return load().indicators_many(cases)


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def run_batch(scenarios: Iterable[ScenarioLike], regions: Sequence[str] | None = None, workers: int = 1,
              progress: Callable[[int, int], None] | None = None, chunk_size: int | None = None,
              parameter_set: str | None = None) -> BatchResult:
    """Run every scenario for its regions (restricted to ``regions`` if given) into one long table.

    ``progress(done, total)`` is called as runs complete.
    """
    m = load()
    if regions is not None:
        for region in regions:
            m.check_region(region)
    result = BatchResult(table=pd.DataFrame(columns=LONG_COLUMNS))
    jobs: list[tuple[Scenario, str, Case]] = []
    for item in scenarios:
        name = item.id if isinstance(item, Scenario) else str(item)
        try:
            sc = as_scenario(item)
        except InputError as exc:
            result.failures.append(Failure(name, "", str(exc)))
            continue
        result.scenarios.append(sc)
        chosen = [r for r in sc.regions if regions is None or r in regions]
        if not chosen:
            result.failures.append(Failure(sc.id, "", f"is for {', '.join(sc.regions)}; none of the requested regions"))
        for region in chosen:
            case = case_for(sc, region, parameter_set=parameter_set)
            try:
                m.inputs(case.region, case.levers, case.parameters, case.final_year, case.parameter_set)
            except InputError as exc:
                result.failures.append(Failure(sc.id, region, str(exc)))
                continue
            jobs.append((sc, region, case))

    size = chunk_size or max(1, min(DEFAULT_CHUNK, math.ceil(len(jobs) / max(1, workers))))
    chunks = _chunks(jobs, size)
    entries: list[tuple] = []
    names = [i.indicator for i in data.indicators()]
    done = 0

    def collect(chunk, results):
        nonlocal done
        for (sc, region, _), (years, values) in zip(chunk, results):
            bad = ~np.isfinite(values)
            if bad.any():
                year = years[bad.any(axis=1)][0]
                column = names[int(np.argmax(bad.any(axis=0)))]
                result.failures.append(Failure(sc.id, region, f"non-finite results from {year} ({column})"))
                continue
            entries.append((sc.label, region, years, values))
        done += len(chunk)
        if progress:
            progress(done, len(jobs))

    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [(chunk, pool.submit(_run_chunk, [case for _, _, case in chunk])) for chunk in chunks]
            for chunk, future in futures:
                collect(chunk, future.result())
    else:
        for chunk in chunks:
            collect(chunk, _run_chunk([case for _, _, case in chunk]))
    if entries:
        result.table = long_table_many(entries, names)
    return result
