"""Global sensitivity with SALib: Sobol indices, and the Morris screen for a quick first look.

Sobol (Saltelli 2002; Saltelli et al. 2010): S1 is the share of an output's
variance due to one factor alone, ST the share it has a hand in, with
interactions; bootstrap confidence intervals come with both.  On the
Ishigami function the analytic answer is S1 = (0.314, 0.442, 0) and
ST = (0.558, 0.442, 0.244) (Ishigami and Homma 1990); the tests pin it.

Morris (1991), Campolongo et al. (2007): mu* ranks factors by their mean
absolute elementary effect at a few hundred runs.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from innosim.analysis.ensemble import Factor, indicator_at, lever_factors, parameter_factors, run_ensemble
from innosim.analysis.executor import Executor
from innosim.analysis.montecarlo import check_samples, check_seed
from innosim.core import data
from innosim.core.case import Case
from innosim.core.model import load
from innosim.errors import InputError

METHODS = ("sobol", "morris")
MAX_RUNS = 2_000_000      # one analysis; beyond it, a Dask cluster and several seeds
FACTOR_SETS = ("levers", "parameters", "all")


def problem(factors: Sequence[Factor]) -> dict:
    """SALib's problem: names and bounds (calibrated factors over ±2 standard errors within their range)."""
    bounds = []
    for f in factors:
        if f.kind == "normal":
            bounds.append([max(f.low, f.mean - 2 * f.sd), min(f.high, f.mean + 2 * f.sd)])
        else:
            bounds.append([f.low, f.high])
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": bounds}


def sobol(prob: dict, evaluate: Callable[[np.ndarray], np.ndarray], n: int, seed: int,
          outputs: Sequence[str]) -> pd.DataFrame:
    """First-order and total Sobol indices with 95 % intervals, for every output column of ``evaluate``."""
    X = sobol_sample.sample(prob, n, calc_second_order=False, seed=seed)
    Y = np.atleast_2d(evaluate(X).T).T
    rows = []
    for j, name in enumerate(outputs):
        y = Y[:, j]
        if np.ptp(y) == 0:
            res = {"S1": np.zeros(prob["num_vars"]), "S1_conf": np.zeros(prob["num_vars"]),
                   "ST": np.zeros(prob["num_vars"]), "ST_conf": np.zeros(prob["num_vars"])}
        else:
            res = sobol_analyze.analyze(prob, y, calc_second_order=False, seed=seed)
        for i, factor in enumerate(prob["names"]):
            rows.append({"output": name, "factor": factor, "S1": float(res["S1"][i]),
                         "S1_conf": float(res["S1_conf"][i]), "ST": float(res["ST"][i]),
                         "ST_conf": float(res["ST_conf"][i])})
    return pd.DataFrame(rows)


def morris(prob: dict, evaluate: Callable[[np.ndarray], np.ndarray], trajectories: int, seed: int,
           outputs: Sequence[str]) -> pd.DataFrame:
    """Morris elementary effects (mu*, its 95 % interval, sigma) for every output column."""
    X = morris_sample.sample(prob, trajectories, num_levels=4, seed=seed)
    Y = np.atleast_2d(evaluate(X).T).T
    rows = []
    for j, name in enumerate(outputs):
        if np.ptp(Y[:, j]) == 0:       # an output no factor moves (e.g. a programme count fixed by policy)
            zeros = np.zeros(prob["num_vars"])
            res = {"mu_star": zeros, "mu_star_conf": zeros, "sigma": zeros}
        else:
            res = morris_analyze.analyze(prob, X, Y[:, j], num_levels=4, seed=seed)
            res = {k: np.ma.filled(np.ma.asarray(res[k], dtype=float), np.nan)    # SALib masks a factor that
                   for k in ("mu_star", "mu_star_conf", "sigma")}               # never moves: report NaN
        for i, factor in enumerate(prob["names"]):
            rows.append({"output": name, "factor": factor, "mu_star": float(res["mu_star"][i]),
                         "mu_star_conf": float(res["mu_star_conf"][i]), "sigma": float(res["sigma"][i])})
    return pd.DataFrame(rows)


@dataclass
class SensitivityResult:
    region: str
    scenario: str
    method: str
    factors: list
    indices: pd.DataFrame        # output, factor, indices...
    runs: int
    seconds: float
    executor: str


def headline_outputs(region: str, final_year: int | None = None) -> list[tuple[str, int]]:
    """(indicator, target year) of the region's headline targets within a run to ``final_year``, each once."""
    headline = {i.indicator for i in data.indicators() if i.headline}
    last = final_year or load().final_year
    pairs = [(t.indicator, t.year) for t in data.targets() if t.region == region and t.modelled
             and t.indicator in headline and t.year <= last]
    return list(dict.fromkeys(pairs))


def sensitivity_factors(case: Case, factor_set: str) -> list[Factor]:
    """The factors an analysis varies: the levers, the parameters (an expert's fixed values excepted), or both."""
    factors = lever_factors() if factor_set in ("levers", "all") else []
    if factor_set in ("parameters", "all"):
        factors += parameter_factors(case)
    return factors


def runs_needed(method: str, n: int, factors: int) -> int:
    """Model runs of a Sobol analysis (Saltelli without second order) or a Morris screen."""
    return n * (factors + 2) if method == "sobol" else n * (factors + 1)


def model_sensitivity(case: Case, *, method: str = "sobol", factor_set: str = "levers", n: int = 256,
                      seed: int = 20251, executor: Executor | None = None,
                      outputs: Sequence[tuple[str, int]] | None = None, progress=None) -> SensitivityResult:
    """Which levers and parameters drive each headline indicator in its target year."""
    started = time.perf_counter()
    if method not in METHODS:
        raise InputError(f"method {method!r}: choose from {', '.join(METHODS)}")
    if factor_set not in FACTOR_SETS:
        raise InputError(f"factors {factor_set!r}: choose from {', '.join(FACTOR_SETS)}")
    n, seed = check_samples(n), check_seed(seed)
    load().inputs(case)
    factors = sensitivity_factors(case, factor_set)
    if runs_needed(method, n, len(factors)) > MAX_RUNS:
        raise InputError(f"samples {n}: {runs_needed(method, n, len(factors))} runs for {len(factors)} factors; "
                         f"allowed: at most {MAX_RUNS} runs, so samples up to {MAX_RUNS // (len(factors) + 2)}; "
                         f"for more, run several seeds in chunks or on a Dask cluster", "samples", n)
    last = case.final_year or load().final_year
    outputs = list(outputs or headline_outputs(case.region, last))
    beyond = [f"{ind}@{year}" for ind, year in outputs if year > last]
    if beyond:
        raise InputError(f"output {beyond[0]}: beyond the run, which ends in {last}")
    if not outputs:
        raise InputError(f"{case.region}: no headline target falls within the run, which ends in {last}")
    executor = executor or Executor()
    runs = 0

    def evaluate(X: np.ndarray) -> np.ndarray:
        nonlocal runs
        runs += len(X)
        columns = {f.name: X[:, j] for j, f in enumerate(factors)}
        years, values, computed, failures = run_ensemble(case, columns, executor=executor, progress=progress)
        if failures:
            raise InputError(f"{case.region}: {len(failures)} chunk(s) of the sensitivity runs failed: {failures[0]}")
        return np.column_stack([indicator_at(values, years, ind, year) for ind, year in outputs])

    prob = problem(factors)
    labels = [f"{ind}@{year}" for ind, year in outputs]
    table = sobol(prob, evaluate, n, seed, labels) if method == "sobol" else morris(prob, evaluate, n, seed, labels)
    return SensitivityResult(case.region, case.label, method, factors, table, runs, time.perf_counter() - started,
                             executor.describe())
