"""Monte Carlo over parameter uncertainty: percentile bands and the chance of meeting each target."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from . import data
from .api import InputError
from .batch import as_scenario, case_for
from .ensemble import Factor, draw_parameters, latin_hypercube, target_values
from .parallel import Executor, run_ensemble
from .tables import meets

PERCENTILES = (5, 25, 50, 75, 95)


@dataclass
class MonteCarloResult:
    region: str
    scenario: str
    n: int
    seed: int
    factors: list
    samples: pd.DataFrame
    bands: pd.DataFrame          # indicator, year, p5 ... p95, unit
    probabilities: pd.DataFrame  # one row per modelled target within the run
    seconds: float = 0.0
    executor: str = ""
    values: np.ndarray = field(default=None, repr=False)   # finite runs x years x indicators
    excluded: int = 0            # runs left out because they went non-finite


def target_probabilities(values: np.ndarray, years: np.ndarray, region: str) -> pd.DataFrame:
    """For each modelled target of the region, the share of runs that meet it in its year."""
    within = {int(y) for y in years}
    rows = []
    for t in data.targets():
        if t.region != region or not t.modelled or t.year not in within or (t.base_year and t.base_year not in within):
            continue
        col = target_values(values, years, t)
        rows.append({"region": region, "indicator": t.indicator, "year": t.year, "comparator": t.comparator,
                     "target": t.value, "unit": t.unit, "kind": t.kind,
                     "probability": float(meets(col, t.comparator, t.value).mean()),
                     "p5": float(np.percentile(col, 5)), "median": float(np.median(col)),
                     "p95": float(np.percentile(col, 95)), "clause": t.clause, "document": t.document})
    return pd.DataFrame(rows)


def bands_table(values: np.ndarray, years: np.ndarray) -> pd.DataFrame:
    inds = data.indicators()
    q = np.percentile(values, PERCENTILES, axis=0)           # percentiles x years x indicators
    rows = {"indicator": np.tile([i.indicator for i in inds], len(years)),
            "year": np.repeat(years, len(inds))}
    for p, grid in zip(PERCENTILES, q):
        rows[f"p{p}"] = grid.ravel()
    rows["unit"] = np.tile([i.unit for i in inds], len(years))
    return pd.DataFrame(rows)


def montecarlo(region: str, scenario=None, n: int = 1000, seed: int = 20251, executor: Executor | None = None,
               parameter_set: str | None = None, factors: list[Factor] | None = None,
               progress: Callable[[int, int], None] | None = None, keep_values: bool = False) -> MonteCarloResult:
    """``n`` runs of a scenario (the plan by default) over the parameters' uncertainty."""
    started = time.perf_counter()
    if int(n) < 2:
        raise InputError(f"samples {n}: need at least 2 runs for percentiles and chances")
    sc = as_scenario(scenario)
    case = case_for(sc, region, parameter_set=parameter_set)
    if factors is None:           # an expert's override is not uncertain
        factors, sample = draw_parameters(region, case.parameter_set, n, seed, fixed=list(case.parameters))
    else:
        factors = [f for f in factors if f.name not in case.parameters]
        sample = latin_hypercube(factors, n, seed)
    columns = {f.name: sample[:, j] for j, f in enumerate(factors)}
    executor = executor or Executor()
    years, values = run_ensemble(region, columns, executor, case.levers, case.parameters, case.final_year,
                                 case.parameter_set, progress)
    # A draw the integration cannot follow (a non-finite value) is left out and counted, never averaged in.
    finite = np.isfinite(values).all(axis=(1, 2))
    samples = pd.DataFrame(columns).assign(finite=finite)
    if not finite.any():
        raise InputError(f"{region}: none of the {n} runs stayed finite; check the parameter ranges")
    values = values[finite]
    return MonteCarloResult(region, sc.id, n, seed, factors, samples, bands_table(values, years),
                            target_probabilities(values, years, region), time.perf_counter() - started,
                            executor.describe(), values if keep_values else None, int((~finite).sum()))
