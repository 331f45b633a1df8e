"""Ensembles: many runs of one region that differ in some parameters or levers.

Uncertain factors come from the evidence, and every one is centred on the
value the central run uses, so the median draw of each parameter is its
point estimate (issue 11) and the central run sits inside the ensemble:

* a parameter fitted in the region's history calibration is normal around
  its calibrated value with its standard error, correlated with the other
  fitted parameters as the fit's covariance says;
* any other parameter with a prior (``model/parameters.csv``: prior_mean,
  prior_sd) is normal around its value with the prior's sd;
* one with only a range is uniform on either side of its value;
* a lever, when asked for (sensitivity), is uniform over its slider range.

Each side of the centre is truncated to the literature range separately
(a two-piece distribution, half the mass on each side), so truncation never
moves the median off the point estimate.  Samples are drawn by Latin
hypercube (``scipy.stats.qmc``) with a seed, so the same seed gives the same
ensemble on any machine, pool or cluster.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from scipy.stats import norm, qmc

from innosim.analysis.executor import Executor, Failed, chunks
from innosim.core import data
from innosim.core.case import Case
from innosim.core.engines import schedule_values
from innosim.core.model import load
from innosim.core.targets import judge
from innosim.errors import InputError


@dataclass(frozen=True)
class Factor:
    """One uncertain input of an ensemble."""

    name: str
    kind: str            # "normal" (calibrated or with a prior sd), "uniform" (a range only) or "lever"
    low: float
    high: float
    mean: float = math.nan   # the centre: the value the central run uses (the median of the draws)
    sd: float = math.nan
    source: str = ""

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map uniform [0, 1) draws to this factor's distribution: a lever uniformly over its range; a
        parameter two-piece around its centre, each half truncated to its side of the range."""
        u = np.asarray(u, float)
        if self.kind == "lever":
            return self.low + u * (self.high - self.low)
        centre = self.mean
        left, right = np.minimum(u, 0.5) * 2, np.maximum(u - 0.5, 0.0) * 2      # each half, rescaled to [0, 1]
        if self.kind == "normal":
            lo_p = norm.cdf((self.low - centre) / self.sd)
            hi_p = norm.cdf((self.high - centre) / self.sd)
            z = np.where(u < 0.5, norm.ppf(lo_p + left * (0.5 - lo_p)), norm.ppf(0.5 + right * (hi_p - 0.5)))
            return np.clip(centre + self.sd * z, self.low, self.high)
        return np.where(u < 0.5, self.low + left * (centre - self.low), centre + right * (self.high - centre))


def _fitted_layer(case: Case):
    """The layer of the case's parameter set that records standard errors (the history fit), if any."""
    pset = load().parameter_set(case.parameter_set, case.region)
    for layer in reversed(pset.layers):
        if layer.record.get("standard_errors"):
            return pset, layer
    return pset, None


def parameter_factors(case: Case) -> list[Factor]:
    """Every parameter with a literature range, each centred on the value the case runs with.

    An expert's override in the case is not uncertain and is left out.
    """
    m = load()
    m.check_region(case.region)
    pset, layer = _fitted_layer(case)
    ses = layer.record.get("standard_errors", {}) if layer else {}
    region_values = data.region_constants(case.region)
    values = pset.values
    out = []
    for name, src in data.parameter_sources().items():
        if src.low is None or src.high is None or name not in m.variables or m.variables[name].is_lever \
                or name in case.parameters:
            continue
        value = float(values.get(name, region_values.get(name, m.file_defaults[name])))
        low, high = min(src.low, value), max(src.high, value)          # the range always holds the centre
        se = ses.get(name)
        if layer is not None and name in layer.values and se is not None and math.isfinite(se) and se > 0:
            out.append(Factor(name, "normal", low, high, value, float(se),
                              f"calibration ({layer.path.name}, set {layer.name})"))
        elif src.prior_sd is not None and math.isfinite(src.prior_sd) and src.prior_sd > 0:
            out.append(Factor(name, "normal", low, high, value, float(src.prior_sd), f"prior: {src.source}"))
        else:
            out.append(Factor(name, "uniform", low, high, value, source=src.source))
    return out


def parameter_correlation(factors: Sequence[Factor], case: Case) -> np.ndarray:
    """The factors' correlation matrix: the calibration's among its fitted parameters, zero elsewhere."""
    _, layer = _fitted_layer(case)
    corr = np.eye(len(factors))
    if layer is None:
        return corr
    fitted, matrix = list(layer.values), layer.record.get("correlation")
    if not matrix or len(matrix) != len(fitted):
        return corr
    where = {name: i for i, name in enumerate(fitted)}
    index = [(j, where[f.name]) for j, f in enumerate(factors) if f.kind == "normal" and f.name in where]
    for a, i in index:
        for b, k in index:
            if a != b:
                corr[a, b] = matrix[i][k]
    return corr


def draw_parameters(case: Case, n: int, seed: int) -> tuple[list[Factor], np.ndarray]:
    """``n`` draws of the case's uncertain parameters (an expert's overrides left alone), with their factors."""
    factors = parameter_factors(case)
    return factors, latin_hypercube(factors, n, seed, parameter_correlation(factors, case))


def lever_factors() -> list[Factor]:
    """The levers as factors, uniform over their slider ranges (rule switches are choices, not ranges)."""
    return [Factor(lv.id, "lever", lv.low, lv.high, source="slider range in the .mdl")
            for lv in load().levers if not lv.is_switch]


def latin_hypercube(factors: Sequence[Factor], n: int, seed: int, correlation: np.ndarray | None = None) -> np.ndarray:
    """``n`` samples (rows) of the factors (columns), Latin hypercube with a seed.

    With a ``correlation`` matrix the draws are joined by a Gaussian copula
    (Iman and Conover 1982 in spirit): each factor keeps its own
    distribution, and correlated factors move together as the calibration's
    covariance says.
    """
    unit = qmc.LatinHypercube(d=len(factors), seed=np.random.default_rng(seed)).random(n)
    if correlation is not None and not np.allclose(correlation, np.eye(len(factors))):
        z = norm.ppf(unit) @ _cholesky(correlation).T
        unit = norm.cdf(z)
    return np.column_stack([f.from_unit(unit[:, j]) for j, f in enumerate(factors)])


def _cholesky(corr: np.ndarray) -> np.ndarray:
    """A Cholesky factor; a correlation matrix that is not quite positive definite is nudged until it is."""
    for jitter in (0.0, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2):
        try:
            return np.linalg.cholesky((corr + jitter * np.eye(len(corr))) / (1 + jitter))
        except np.linalg.LinAlgError:
            continue
    values, vectors = np.linalg.eigh(corr)
    fixed = vectors @ np.diag(np.clip(values, 1e-6, None)) @ vectors.T
    d = np.sqrt(np.diag(fixed))
    return np.linalg.cholesky(fixed / np.outer(d, d))


def run_columns(case: Case, columns: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Indicator values of runs of ``case`` that differ in ``columns`` (one array per parameter or lever).

    A lever's column is one value per run, shape ``(runs,)``, which applies from the case's policy start
    (the first year not yet observed) with the observed path before it, as a case's own lever would;
    or a whole path per run, shape ``(steps + 1, runs)`` on the engine's time grid.

    Returns the saved years and an array of shape (runs, years, indicators),
    indicators in registry order, from one vectorised pass.
    """
    m = load()
    constants, lever_values, final_year = m.inputs(case)
    lever_ids = {lv.id for lv in m.levers}
    engine = m.engine()
    times = engine.grid(final_time=final_year).step_times()
    start = m.policy_start(case)
    runs = dict(lever_values)            # numbers and schedules the engine expands, the same for every run
    constant_arrays = dict(constants)
    for name, values in columns.items():
        values = np.asarray(values, dtype=float)
        if name in lever_ids:
            if values.ndim == 1:
                lever = m.lever(name)
                before = schedule_values(lever.default(case.region), lever_values[name], times)[:, None]
                after = (times >= lever.acts_from(start) - 1e-9)[:, None]     # half-step tolerance, as in schedules
                values = np.where(after, values[None, :], before)
            runs[name] = values
        else:
            constant_arrays[name] = values
    with np.errstate(all="ignore"):
        out = engine.run_vector(constant_arrays, runs, n=np.shape(next(iter(columns.values())))[-1],
                                final_time=final_year)
    columns_at, scales = m.indicator_columns()
    values = np.transpose(out[:, columns_at, :], (2, 0, 1)) * scales
    return np.round(engine.grid(final_time=final_year).save_times()).astype(int), values


def _columns_chunk(job):
    case, columns = job
    return run_columns(case, columns)


def run_ensemble(case: Case, columns: dict[str, np.ndarray], *, executor: Executor | None = None,
                 progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Indicator values (runs x years x indicators) of an ensemble, chunked over the executor.

    Returns the years, the values and a mask of the runs that were computed:
    the runs of a chunk that failed are NaN and ``False`` in the mask, never dropped silently.
    """
    executor = executor or Executor()
    n = np.shape(next(iter(columns.values())))[-1]
    slices = chunks(n, executor.chunk_size)
    jobs = [(case, {k: np.asarray(v)[..., s] for k, v in columns.items()}) for s in slices]
    results = executor.map(_columns_chunk, jobs, progress)
    good = [r for r in results if not isinstance(r, Failed)]
    if not good:
        raise InputError(f"{case.region}: every chunk of the ensemble failed: {results[0].reason}")
    years, shape = good[0][0], good[0][1].shape[1:]
    parts, computed = [], []
    for s, r in zip(slices, results):
        size = s.stop - s.start
        if isinstance(r, Failed):
            parts.append(np.full((size, *shape), np.nan))
            computed.append(np.zeros(size, bool))
        else:
            parts.append(r[1])
            computed.append(np.ones(size, bool))
    failures = [r.reason for r in results if isinstance(r, Failed)]
    return years, np.concatenate(parts, axis=0), np.concatenate(computed), failures


def indicator_at(values: np.ndarray, years: np.ndarray, indicator: str, year: int) -> np.ndarray:
    """One indicator in one year across the runs of ``run_columns``'s array (runs x years x indicators)."""
    names = [i.indicator for i in data.indicators()]
    return values[:, list(np.asarray(years).astype(int)).index(int(year)), names.index(indicator)]


def target_values(values: np.ndarray, years: np.ndarray, target) -> np.ndarray:
    """What a target judges in its year (level, multiple or rise over its base year), run by run."""
    base = indicator_at(values, years, target.indicator, target.base_year) if target.kind != "level" else None
    return judge(indicator_at(values, years, target.indicator, target.year), base, target.kind)
