"""Monte Carlo over parameter uncertainty: percentile bands and the chance of meeting each target."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from innosim.analysis.ensemble import Factor, draw_parameters, latin_hypercube, run_ensemble, target_values
from innosim.analysis.executor import Executor
from innosim.core import data
from innosim.core.case import Case
from innosim.core.model import load
from innosim.core.targets import meets
from innosim.errors import InputError

PERCENTILES = (5, 25, 50, 75, 95)
# The cap follows from the memory of the machine class innosim is sized for (2 cores, 24 GiB): a run keeps
# years x indicators results, its draws and its share of the percentile work, about 12 kB (measured: 1.3 GB
# peak for 100,000 runs of one region, 0.4 GB for 20,000), so a million runs stay within half the memory.
# More runs: several seeds in chunks, combined, or a Dask cluster.
MACHINE_MEMORY = 24 * 2**30
BYTES_PER_RUN = 12_000
MAX_SAMPLES = int(MACHINE_MEMORY / 2 / BYTES_PER_RUN) // 100_000 * 100_000
MAX_SEED = 2**32 - 1


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
    failures: list = field(default_factory=list)           # chunks that failed, with their reasons


def check_samples(n, minimum: int = 2) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not minimum <= n <= MAX_SAMPLES:
        raise InputError(f"samples {n!r}: allowed: {minimum} to {MAX_SAMPLES} runs in one pass (what "
                         f"{MACHINE_MEMORY // 2**30} GiB of memory holds); for more, run several seeds in chunks and "
                         f"combine them, or use a Dask cluster",
                         "samples", n, "out of range", f"{minimum} to {MAX_SAMPLES}")
    return int(n)


def check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise InputError(f"seed {seed!r}: allowed: a whole number from 0 to {MAX_SEED}", "seed", seed,
                         "out of range", f"0 to {MAX_SEED}")
    return int(seed)


def target_probabilities(values: np.ndarray, years: np.ndarray, region: str) -> pd.DataFrame:
    """For each modelled target of the region, the share of runs that meet it in its year."""
    within = {int(y) for y in years}
    rows = []
    for t in data.targets():
        if t.region != region or not t.modelled or t.year not in within or (t.base_year and t.base_year not in within):
            continue
        col = target_values(values, years, t)
        p5, p95 = percentiles(col[:, None], (5, 95))[:, 0]         # one sort for both
        rows.append({"region": region, "indicator": t.indicator, "year": t.year, "comparator": t.comparator,
                     "target": t.value, "unit": t.unit, "kind": t.kind,
                     "probability": float(meets(col, t.comparator, t.value).mean()),
                     "p5": float(p5), "median": float(np.median(col)),
                     "p95": float(p95), "clause": t.clause, "document": t.document})
    columns = ["region", "indicator", "year", "comparator", "target", "unit", "kind", "probability", "p5",
               "median", "p95", "clause", "document"]
    return pd.DataFrame(rows, columns=columns)


def percentiles(values: np.ndarray, qs) -> np.ndarray:
    """``np.percentile(values, qs, axis=0)`` to the last bit (its linear rule, its two-sided interpolation),
    from one sort: a quarter of the time for the app's five bands, which it computes at every slider move."""
    ordered = np.sort(values, axis=0)
    last = ordered.shape[0] - 1
    out = []
    for q in qs:
        position = q / 100 * last
        low = int(np.floor(position))
        high, weight = min(low + 1, last), position - low
        a, b = ordered[low], ordered[high]
        step = b - a
        out.append(b - step * (1 - weight) if weight >= 0.5 else a + step * weight)
    return np.stack(out)


def bands_table(values: np.ndarray, years: np.ndarray) -> pd.DataFrame:
    inds = data.indicators()
    q = percentiles(values, PERCENTILES)                     # percentiles x years x indicators
    rows = {"indicator": np.tile([i.indicator for i in inds], len(years)),
            "year": np.repeat(years, len(inds))}
    for p, grid in zip(PERCENTILES, q):
        rows[f"p{p}"] = grid.ravel()
    rows["unit"] = np.tile([i.unit for i in inds], len(years))
    return pd.DataFrame(rows)


def montecarlo(case: Case, *, n: int = 1000, seed: int = 20251, executor: Executor | None = None,
               factors: list[Factor] | None = None, progress: Callable[[int, int], None] | None = None,
               keep_values: bool = False, draws: tuple | None = None) -> MonteCarloResult:
    """``n`` runs of a case over the parameters' uncertainty (an expert's overrides in the case are fixed).

    ``draws`` (the ``(factors, sample)`` of :func:`draw_parameters` for this case, ``n`` and ``seed``) skips
    drawing them again: they depend on the region, the parameter set and the overrides, never on the levers,
    so a client moving levers (the app) draws once.
    """
    started = time.perf_counter()
    n, seed = check_samples(n), check_seed(seed)
    load().inputs(case)                                      # a bad case is the user's error, before any run
    if draws is not None:
        factors, sample = draws
    elif factors is None:
        factors, sample = draw_parameters(case, n, seed)
    else:
        factors = [f for f in factors if f.name not in case.parameters]
        sample = latin_hypercube(factors, n, seed)
    if not factors:
        raise InputError(f"{case.region}: no uncertain parameter is left to draw")
    columns = {f.name: sample[:, j] for j, f in enumerate(factors)}
    executor = executor or Executor()
    years, values, computed, failures = run_ensemble(case, columns, executor=executor, progress=progress)
    # A draw the integration cannot follow (a non-finite value) is left out and counted, never averaged in.
    finite = computed & np.isfinite(values).all(axis=(1, 2))
    samples = pd.DataFrame(columns).assign(finite=finite)
    if not finite.any():
        raise InputError(f"{case.region}: none of the {n} runs stayed finite; check the parameter ranges")
    values = values[finite]
    return MonteCarloResult(case.region, case.label, n, seed, factors, samples, bands_table(values, years),
                            target_probabilities(values, years, case.region), time.perf_counter() - started,
                            executor.describe(), values if keep_values else None, int((computed & ~finite).sum()),
                            failures)
