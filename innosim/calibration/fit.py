"""History mode: fit the model to the observed record, sector by sector and then whole.

Penalised weighted least squares (``scipy.optimize.least_squares``,
trust-region reflective, bounded): every residual is divided by its
measurement error, and every free parameter carries its prior (the evidence's
centre and spread, ``model/parameters.csv``, or its region-data value) as a
residual ``(theta - mean) / sd``.  Sectors are fitted first with the other
sectors at their priors (partial-model calibration, Oliva 2003), then the
whole model from where the stages left each parameter.  Standard errors come
from the Jacobian at the solution; a parameter whose posterior spread stays
near its prior's is reported as not informed by the data.  Nothing is random:
the same inputs give the same result.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy.optimize import least_squares

from innosim.core.model import load as load_model

from .evaluate import Evaluator
from .inputs import Observation, Prior, Spec
from .stats import parameter_uncertainty, series_statistics

Progress = Callable[[str], None]
STEP = 1e-6            # finite-difference step, as a share of each parameter's range
AT_BOUND = 1e-4        # within this share of the range from a bound counts as at the bound
INFORMED = 0.7         # posterior sd below this share of the prior sd: the data inform the parameter
# How finite-difference Jacobians are computed: "vector" evaluates every perturbed run in one vectorised
# pass; "serial" makes one scalar run per perturbation; "auto" takes the serial path below VECTOR_FROM
# parameters.  benchmarks/bench_calibration.py measures them.
JACOBIAN = "auto"
VECTOR_FROM = 8


def _serial(n_parameters: int) -> bool:
    return JACOBIAN == "serial" or (JACOBIAN == "auto" and n_parameters < VECTOR_FROM)


@dataclass
class ParameterResult:
    name: str
    start: float              # the prior mean
    value: float
    low: float
    high: float
    source: str
    se: float = float("nan")
    prior_sd: float = float("nan")

    @property
    def at_bound(self) -> str:
        span = self.high - self.low
        if self.value - self.low <= AT_BOUND * span:
            return "low"
        if self.high - self.value <= AT_BOUND * span:
            return "high"
        return ""

    @property
    def move(self) -> float:
        """Change from the prior mean, as a share of the range."""
        return (self.value - self.start) / (self.high - self.low)

    @property
    def informed(self) -> bool:
        """Whether the data narrowed the prior: posterior sd below :data:`INFORMED` of the prior sd."""
        return bool(np.isfinite(self.se) and np.isfinite(self.prior_sd) and self.se < INFORMED * self.prior_sd)


@dataclass
class SeriesFit:
    series: str
    headline: bool
    years: list
    observed: list
    predicted: list
    lower_bound: list
    stats: dict
    sigma: list = field(default_factory=list)
    trajectory: tuple = ((), ())    # the model's yearly values of the series (years, values)
    fitted: bool = True             # False: a check, reported and not fitted


@dataclass
class StageResult:
    name: str
    parameters: list
    n_observations: int
    cost: float = float("nan")
    note: str = ""


@dataclass
class HistoryResult:
    region: str
    stages: list
    parameters: list
    cost: float
    n_observations: int
    identified: bool
    fit: list
    holdout: list = field(default_factory=list)
    holdout_from: int | None = None
    prior_cost: float = 0.0
    seconds: float = 0.0
    correlation: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))   # of ``parameters``, in order


def _solve(fun, jac, x0, low, high, max_nfev=200):
    x0 = np.clip(x0, low + 1e-9 * (high - low), high - 1e-9 * (high - low))
    return least_squares(fun, x0, jac=jac, bounds=(low, high), method="trf", x_scale=high - low,
                         xtol=1e-9, ftol=1e-9, gtol=1e-9, max_nfev=max_nfev)


def _jacobian(many: Callable, theta: np.ndarray, base: np.ndarray, steps: np.ndarray,
              one: Callable | None = None) -> np.ndarray:
    """Forward differences at ``theta``: of ``one`` run by run, or of ``many`` (obs x candidates) in one pass."""
    if one is not None and _serial(len(theta)):
        return np.column_stack([(one(theta + np.eye(len(theta))[j] * steps[j]) - base) / steps[j]
                                for j in range(len(theta))])
    candidates = theta[None, :] + np.diag(steps)
    return (many(candidates) - base[:, None]) / steps[None, :]


def fit_evaluator(ev: Evaluator, priors: list[Prior], x0: np.ndarray | None = None):
    """Penalised least squares over the evaluator's free parameters, starting from ``x0`` (default: the priors).

    Residuals are the sigma-weighted data residuals followed by the prior
    residuals (theta - mean) / sd.  Returns the values, the solver result and
    the Jacobian of all residuals at the solution.
    """
    low = np.array([p.low for p in priors])
    high = np.array([p.high for p in priors])
    mean = np.array([p.mean for p in priors])
    sd = np.array([p.sd for p in priors])
    steps = STEP * (high - low)

    def fun(theta):
        return np.concatenate([ev.residuals(theta), (theta - mean) / sd])

    def jac(theta):
        data_jac = _jacobian(ev.residuals_many, theta, ev.residuals(theta), steps, ev.residuals)
        return np.vstack([data_jac, np.diag(1 / sd)])

    result = _solve(fun, jac, np.clip(mean, low, high) if x0 is None else np.asarray(x0, float), low, high)
    return result.x, result, result.jac


def data_cost(ev: Evaluator, theta) -> float:
    return float(0.5 * np.sum(ev.residuals(theta) ** 2))


def _fitted_data_cost(ev: Evaluator, result) -> float:
    """The data part of a fit's cost, from the solver's residuals at the solution (data rows come first)."""
    return float(0.5 * np.sum(result.fun[:len(ev.observations)] ** 2))


def final_year(spec: Spec, observations: list[Observation]) -> int:
    """The last year a run must reach to compute every observation (at least a year past the start)."""
    years = [max(spec.series[o.series].years_needed(o.year)) for o in observations]
    return max(years + [load_model().initial_year + 1])


def free_parameters(spec: Spec, region: str) -> list[str]:
    """The parameters history mode fits for a region: every stage's, and the region's own initial states."""
    out = []
    for stage in spec.stages:
        out += [p for p in stage.parameters if p not in out]
    out += [p for p in spec.region_parameters.get(region, ()) if p not in out]
    return out


def fit_history(region: str, spec: Spec, observations: list[Observation], holdout_from: int | None = None,
                progress: Progress | None = None, priors: dict[str, Prior] | None = None) -> HistoryResult:
    """Partial-model calibration stage by stage, then the whole model; statistics in and out of sample.

    ``priors`` overrides parameters' priors (the counties take Ningbo's posterior for shared ones).
    """
    say = progress or (lambda _: None)
    started = time.perf_counter()
    mine = [o for o in observations if o.region == region and o.series in spec.series]
    in_sample = [o for o in mine if holdout_from is None or o.year < holdout_from]
    held = [o for o in mine if holdout_from is not None and o.year >= holdout_from]
    fitting = [o for o in in_sample if o.fit and spec.series[o.series].fit]
    free = free_parameters(spec, region)
    prior = {p: (priors or {}).get(p) or spec.prior(p, region) for p in free}
    fixed: dict[str, float] = {}
    stages = []
    for stage in spec.stages:
        obs = [o for o in fitting if o.series in stage.series]
        stage_free = list(stage.parameters)
        if not obs:
            stages.append(StageResult(stage.name, [], 0, note="skipped: no observations for this region"))
            continue
        ev = Evaluator(region, spec, stage_free, obs, final_year(spec, obs), None, "none", None,
                       {p: v for p, v in fixed.items() if p not in stage_free})
        if not stage_free:
            stages.append(StageResult(stage.name, [], len(ev.observations), data_cost(ev, []),
                                      note="checks only: no free parameters"))
            continue
        say(f"{region}: stage '{stage.name}' ({len(ev.observations)} observations, {len(stage_free)} parameters)")
        x, res, _ = fit_evaluator(ev, [prior[p] for p in stage_free])
        fixed.update(dict(zip(stage_free, x)))
        params = [ParameterResult(p, prior[p].mean, v, prior[p].low, prior[p].high, prior[p].source,
                                  prior_sd=prior[p].sd) for p, v in zip(stage_free, x)]
        stages.append(StageResult(stage.name, params, len(ev.observations), _fitted_data_cost(ev, res)))

    say(f"{region}: whole model ({len(free)} parameters, {len(fitting)} observations)")
    ev = Evaluator(region, spec, free, fitting, final_year(spec, fitting), None, "none")
    if free and ev.observations:
        x, res, jac = fit_evaluator(ev, [prior[p] for p in free], x0=[fixed.get(p, prior[p].mean) for p in free])
        se, corr, identified = parameter_uncertainty(jac)
        cost = _fitted_data_cost(ev, res)
        prior_cost = float(res.cost) - cost
    else:
        x = np.array([prior[p].mean for p in free])
        se, identified, prior_cost = np.full(len(free), np.nan), False, 0.0
        corr = np.eye(len(free))
        cost = data_cost(ev, x)
    params = [ParameterResult(p, prior[p].mean, v, prior[p].low, prior[p].high, prior[p].source, e, prior[p].sd)
              for p, v, e in zip(free, x, se)]
    report_ev = Evaluator(region, spec, free, in_sample, final_year(spec, in_sample), None, "none")
    result = HistoryResult(region, stages, params, cost, len(ev.observations), identified,
                           series_fits(report_ev, x, spec), holdout_from=holdout_from, prior_cost=prior_cost,
                           correlation=corr)
    if held:
        hev = Evaluator(region, spec, free, held, final_year(spec, held), None, "none")
        result.holdout = series_fits(hev, x, spec)
    result.seconds = time.perf_counter() - started
    return result


def series_fits(ev: Evaluator, theta, spec: Spec) -> list[SeriesFit]:
    """Observed against fitted, series by series, with statistics and the model's yearly path."""
    out_values = ev.simulate(theta)
    preds = ev.predictions(out_values)
    out = []
    for name in dict.fromkeys(o.series for o in ev.observations):
        every = [i for i, o in enumerate(ev.observations) if o.series == name]
        fitted = spec.series[name].fit and any(ev.observations[i].fit for i in every)
        # The statistics are of the figures that steer the fit; a check series is judged on all its figures.
        idx = [i for i in every if ev.observations[i].fit] if fitted else every
        obs = [ev.observations[i] for i in idx]
        lb = [o.comparator == ">" for o in obs]
        out.append(SeriesFit(name, spec.series[name].headline, [o.year for o in obs], [o.value for o in obs],
                             [float(preds[i]) for i in idx], lb,
                             series_statistics(preds[idx], [o.value for o in obs], lb),
                             [float(ev.sigmas[i]) for i in idx], trajectory(ev, out_values, name), fitted))
    return out


def trajectory(ev: Evaluator, out_values: np.ndarray, series_name: str) -> tuple[list, list]:
    """The series as the model computes it for every year of the run (on the current GDP series)."""
    s = ev.spec.series[series_name]
    years, values = s.path(out_values[:, ev.column[s.variable]], ev.years)
    return years, [float(v) for v in values]
