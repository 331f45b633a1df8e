"""Run scenarios: one region at a time, or a batch of scenarios x regions into one table.

    >>> import innosim
    >>> slowdown = innosim.load_scenario("scenarios/fiscal_slowdown.toml")
    >>> table = innosim.simulate("ningbo", slowdown)
    >>> batch = innosim.run_batch(["scenarios/plan.toml", "scenarios/fiscal_slowdown.toml"])
    >>> batch.table, batch.failures

A batch runs its cases as vectorised passes of the model, chunked over an
:class:`~innosim.analysis.executor.Executor`.  One bad scenario, or one
chunk whose worker dies, loses nothing else: it is listed in ``failures``
with its reason, and every other result is kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence, Union

import numpy as np
import pandas as pd

from innosim.analysis.executor import Executor, Failed
from innosim.core import data
from innosim.core.case import Case
from innosim.core.model import load
from innosim.core.scenarios import Scenario, as_scenario
from innosim.core.tables import LONG_COLUMNS, long_table_many, non_finite
from innosim.core.timeline import no_new_policy
from innosim.errors import InputError

ScenarioLike = Union[Scenario, str, Path]
BATCH_CHUNK = 64           # cases per vectorised pass


@dataclass(frozen=True)
class Failure:
    """A scenario (or one of its regions) that could not be run, and why (one line)."""

    scenario: str
    region: str
    reason: str
    file: str = ""          # the scenario's file, when it has one

    def __str__(self) -> str:
        name = self.file or self.scenario
        where = f"{name} ({self.region})" if self.region else name
        reason = " ".join(self.reason.split())
        if not self.region and reason.startswith(f"{name}: "):      # the reason names the file already
            return reason
        return f"{where}: {reason}"


@dataclass
class BatchResult:
    """The long table of every good run, the scenarios behind it, and what failed."""

    table: pd.DataFrame
    scenarios: list[Scenario] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    momentum: pd.DataFrame | None = None     # the no-new-policy reference of every good run (same scenario labels)

    @property
    def ok(self) -> bool:
        return not self.failures

    def failures_table(self) -> pd.DataFrame:
        return pd.DataFrame([f.__dict__ for f in self.failures], columns=["scenario", "region", "file", "reason"])


def simulate(region: str, scenario: ScenarioLike | None = None, *, levers=None, parameters=None,
             parameter_set: str | None = None, engine: str | None = None) -> pd.DataFrame:
    """Run one scenario (the plan by default) for one region; return the long table.

    ``levers`` and ``parameters`` apply on top of the scenario's own overrides;
    ``parameter_set`` (default: the scenario's, else ``history``) names the calibrated values.
    """
    case = as_scenario(scenario).case(region, levers, parameters, parameter_set)
    table = load().project(case, engine=engine)
    values = table["value"].to_numpy(dtype=float)
    if not np.isfinite(values).all():
        first = table[~np.isfinite(values)].iloc[0]
        raise InputError(non_finite(case, int(first["year"]), str(first["indicator"])))
    return table


def _run_chunk(cases: list[Case]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Worker entry point: one vectorised pass over ``cases``; years and indicator values per case."""
    return load().indicators_many(cases)


def momentum_table(cases: Sequence[Case]) -> pd.DataFrame:
    """The no-new-policy reference of each case, as a long table under the case's own scenario label
    (what :func:`innosim.scorecard` takes as ``momentum``)."""
    m = load()
    references = [replace(no_new_policy(c, m.levers), label=c.label) for c in cases]
    names = [i.indicator for i in data.indicators()]
    try:
        results = m.indicators_many(references)
    except Exception:
        # One case's reference cannot run: the others keep theirs, and its scorecard rows show no momentum.
        results = []
        for ref in references:
            try:
                results.append(m.indicators_many([ref])[0])
            except Exception:
                results.append(None)
    entries = [(c.label, c.region, *r) for c, r in zip(references, results) if r is not None]
    return long_table_many(entries, names) if entries else pd.DataFrame(columns=LONG_COLUMNS)


def _load_all(scenarios: Iterable[ScenarioLike], result: BatchResult) -> list[Scenario]:
    """Read every scenario, each failure isolated; two files with one id are a clash, never merged."""
    loaded, seen = [], {}
    for item in scenarios:
        name = item.id if isinstance(item, Scenario) else str(item)
        file = str(item.path or "") if isinstance(item, Scenario) else str(item)
        try:
            sc = as_scenario(item)
        except InputError as exc:
            result.failures.append(Failure(Path(name).stem, "", str(exc), file))
            continue
        except (Exception, RecursionError, MemoryError) as exc:     # whatever one file does, the others go on
            result.failures.append(Failure(Path(name).stem, "", f"cannot be read ({exc.__class__.__name__})", file))
            continue
        if sc.id in seen:
            first = seen[sc.id]
            result.failures.append(Failure(sc.id, "", f"{sc.path or sc.id} has the same id '{sc.id}' as "
                                                      f"{first.path or first.id}; rename one of the files", file))
            continue
        seen[sc.id] = sc
        loaded.append(sc)
    return loaded


def run_batch(scenarios: Iterable[ScenarioLike], *, regions: Sequence[str] | None = None,
              executor: Executor | None = None, progress: Callable[[int, int], None] | None = None,
              parameter_set: str | None = None) -> BatchResult:
    """Run every scenario for its regions (restricted to ``regions`` if given) into one long table.

    ``progress(done, total)`` is called as chunks complete.
    """
    m = load()
    for region in regions or ():
        m.check_region(region)
    executor = executor or Executor(workers=1, chunk_size=BATCH_CHUNK)
    result = BatchResult(table=pd.DataFrame(columns=LONG_COLUMNS))
    jobs: list[tuple[Scenario, Case]] = []
    for sc in _load_all(scenarios, result):
        result.scenarios.append(sc)
        chosen = [r for r in sc.regions if regions is None or r in regions]
        if not chosen:
            result.failures.append(Failure(sc.id, "", f"is for {', '.join(sc.regions)}; none of the requested regions"))
        for region in chosen:
            case = sc.case(region, parameter_set=parameter_set)
            try:
                m.inputs(case)
            except InputError as exc:
                result.failures.append(Failure(sc.id, region, str(exc), str(sc.path or "")))
                continue
            except Exception as exc:            # a fault of this case's own inputs loses this case alone
                result.failures.append(Failure(sc.id, region, f"{exc.__class__.__name__}: {exc}",
                                               str(sc.path or "")))
                continue
            jobs.append((sc, case))

    size = max(1, min(executor.chunk_size, -(-len(jobs) // max(1, executor.workers))))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    outcomes = executor.map(_run_chunk, [[case for _, case in chunk] for chunk in chunks], progress)
    # A chunk that failed (its worker died, or one case broke the pass) is run again case by case, so that
    # only the cases that fail on their own are lost.
    again = [job for chunk, outcome in zip(chunks, outcomes) if isinstance(outcome, Failed) and len(chunk) > 1
             for job in chunk]
    alone = dict(zip(map(id, again), executor.map(_run_chunk, [[case] for _, case in again]))) if again else {}
    names = [i.indicator for i in data.indicators()]
    entries: list[tuple] = []
    for chunk, outcome in zip(chunks, outcomes):
        if isinstance(outcome, Failed):
            singles = [alone.get(id(job), outcome) for job in chunk]
            outcome = [single if isinstance(single, Failed) else single[0] for single in singles]
        for (sc, case), single in zip(chunk, outcome):
            if isinstance(single, Failed):
                result.failures.append(Failure(sc.id, case.region, single.reason, str(sc.path or "")))
                continue
            years, values = single
            bad = ~np.isfinite(values)
            if bad.any():
                year = years[bad.any(axis=1)][0]
                column = names[int(np.argmax(bad.any(axis=0)))]
                result.failures.append(Failure(sc.id, case.region, non_finite(case, int(year), column, named=False),
                                               str(sc.path or "")))
                continue
            entries.append((sc.label, case.region, years, values))
    if entries:
        result.table = long_table_many(entries, names)
        good = {(label, region) for label, region, _, _ in entries}
        result.momentum = momentum_table([case for _, case in jobs if (case.label, case.region) in good])
    return result
