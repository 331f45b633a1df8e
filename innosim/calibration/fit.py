"""The fits: history mode (stages, then the whole model) and plan mode (what the plan assumes).

Both use ``scipy.optimize.least_squares`` (trust-region reflective, with
bounds) on weighted residuals, with Jacobians by forward differences computed
in one vectorised pass of the model.  Nothing is random: the same inputs give
the same result.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy.optimize import least_squares

from innosim.core.case import Case, within_run
from innosim.core.model import load as load_model

from .evaluate import Evaluator
from .inputs import Observation, Spec
from .stats import parameter_uncertainty, series_statistics

Progress = Callable[[str], None]
STEP = 1e-6            # finite-difference step, as a share of each parameter's range
AT_BOUND = 1e-4        # within this share of the range from a bound counts as at the bound
# How finite-difference Jacobians are computed: "vector" evaluates every perturbed run in one
# vectorised pass (about 15 ms of overhead, then cheap per run); "serial" makes one scalar run
# per perturbation (about 2.5 ms each); "auto" takes the serial path below VECTOR_FROM
# parameters.  benchmarks/bench_calibration.py measures all three.
JACOBIAN = "auto"
VECTOR_FROM = 8


def _serial(n_parameters: int) -> bool:
    return JACOBIAN == "serial" or (JACOBIAN == "auto" and n_parameters < VECTOR_FROM)


@dataclass
class ParameterResult:
    name: str
    start: float
    value: float
    low: float
    high: float
    source: str
    se: float = float("nan")

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
        """Change from the start, as a share of the literature range."""
        return (self.value - self.start) / (self.high - self.low)


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


def _solve(evaluator_fun, jac_fun, x0, low, high, max_nfev=400):
    x0 = np.clip(x0, low + 1e-9 * (high - low), high - 1e-9 * (high - low))
    return least_squares(evaluator_fun, x0, jac=jac_fun, bounds=(low, high), method="trf",
                         x_scale=high - low, xtol=1e-10, ftol=1e-10, gtol=1e-10, max_nfev=max_nfev)


def _jacobian(many: Callable, theta: np.ndarray, base: np.ndarray, steps: np.ndarray,
              one: Callable | None = None) -> np.ndarray:
    """Forward differences at ``theta``: of ``one`` run by run, or of ``many`` (obs x candidates) in one pass."""
    if one is not None and _serial(len(theta)):
        return np.column_stack([(one(theta + np.eye(len(theta))[j] * steps[j]) - base) / steps[j]
                                for j in range(len(theta))])
    candidates = theta[None, :] + np.diag(steps)
    return (many(candidates) - base[:, None]) / steps[None, :]


def fit_evaluator(ev: Evaluator, spec: Spec, prior: np.ndarray | None = None, x0: np.ndarray | None = None):
    """Penalised least squares over the evaluator's free parameters, starting from ``x0`` (default: the prior).

    Residuals are the sigma-weighted data residuals followed by prior
    residuals (theta - prior) / (prior_sd_share * range).  Returns the values,
    the solver result and the Jacobian of all residuals at the solution
    (the solver's own, evaluated there by ``jac``).
    """
    low = np.array([spec.bounds[p].low for p in ev.free])
    high = np.array([spec.bounds[p].high for p in ev.free])
    prior = ev.start.copy() if prior is None else np.asarray(prior, float)
    prior_sd = spec.prior_sd_share * (high - low)
    steps = STEP * (high - low)

    def fun(theta):
        return np.concatenate([ev.residuals(theta), (theta - prior) / prior_sd])

    def jac(theta):
        data_jac = _jacobian(ev.residuals_many, theta, ev.residuals(theta), steps, ev.residuals)
        return np.vstack([data_jac, np.diag(1 / prior_sd)])

    result = _solve(fun, jac, prior if x0 is None else np.asarray(x0, float), low, high)
    return result.x, result, result.jac


def data_cost(ev: Evaluator, theta) -> float:
    return float(0.5 * np.sum(ev.residuals(theta) ** 2))


def _fitted_data_cost(ev: Evaluator, result) -> float:
    """The data part of a fit's cost, from the solver's residuals at the solution (data rows come first)."""
    return float(0.5 * np.sum(result.fun[:len(ev.observations)] ** 2))


def _final_year(spec: Spec, observations: list[Observation]) -> int:
    """The last year a run must reach to compute every observation (at least a year past the base)."""
    years = [max(spec.series[o.series].years_needed(o.year)) for o in observations]
    return max(years + [load_model().initial_year + 1])


def _driver_series(region, spec, stage, observations, fixed, levers) -> tuple[dict, int] | tuple[None, None]:
    """Observed series for the stage's driven variables, starting from the model's own 2020 value."""
    if not stage.drivers:
        return {}, None
    m = load_model()
    base = m.run(Case(region, within_run(levers, m.initial_year + 1), fixed, m.initial_year + 1, "none"))
    drivers, last = {}, None
    for variable, series in stage.drivers.items():
        points = {m.initial_year: float(base[variable].iloc[0])}     # the model's own base-year value
        scale = spec.series[series].scale
        for o in observations:
            if o.region == region and o.series == series and o.comparator == "=":
                points[o.year] = o.value / scale
        if len(points) < 2:
            return None, None
        drivers[variable] = points
        last = max(points) if last is None else min(last, max(points))
    return drivers, last


def fit_history(region: str, spec: Spec, observations: list[Observation], holdout_from: int | None = None,
                progress: Progress | None = None) -> HistoryResult:
    """Partial-model calibration stage by stage, then the whole model; statistics in and out of sample."""
    say = progress or (lambda _: None)
    started = time.perf_counter()
    levers: dict = {}            # every run follows the observed levers (calibration/observed_levers.toml)
    mine = [o for o in observations if o.region == region]
    in_sample = [o for o in mine if holdout_from is None or o.year < holdout_from]
    held = [o for o in mine if holdout_from is not None and o.year >= holdout_from]
    fitting = [o for o in in_sample if spec.series[o.series].fit]
    fixed: dict[str, float] = {}
    stages, fitted = [], []
    for stage in spec.stages:
        obs = [o for o in (fitting if stage.parameters else in_sample) if o.series in stage.series]
        drivers, last = _driver_series(region, spec, stage, in_sample, fixed, levers)
        if drivers is None:
            stages.append(StageResult(stage.name, [], 0, note="skipped: no observed series to drive it"))
            continue
        if last is not None:
            obs = [o for o in obs if _final_year(spec, [o]) <= last]
        if not obs:
            stages.append(StageResult(stage.name, [], 0, note="skipped: no observations for this region"))
            continue
        final = last if last is not None else _final_year(spec, obs)
        ev = Evaluator(region, spec, list(stage.parameters), obs, final, levers, "none", drivers, fixed)
        if not stage.parameters:
            stages.append(StageResult(stage.name, [], len(ev.observations), data_cost(ev, []),
                                      note="checks only: no free parameters"))
            continue
        say(f"{region}: stage '{stage.name}' ({len(ev.observations)} observations, {len(ev.free)} parameters)")
        x, res, _ = fit_evaluator(ev, spec, prior=ev.start)
        fixed.update(dict(zip(ev.free, x)))
        fitted += [p for p in ev.free if p not in fitted]
        params = [ParameterResult(p, s, v, spec.bounds[p].low, spec.bounds[p].high, spec.bounds[p].source)
                  for p, s, v in zip(ev.free, ev.start, x)]
        stages.append(StageResult(stage.name, params, len(ev.observations), _fitted_data_cost(ev, res)))

    say(f"{region}: whole model ({len(fitted)} parameters)")
    ev = Evaluator(region, spec, fitted, fitting, _final_year(spec, fitting), levers, "none")
    start = ev.start                             # the estimates: prior means
    if fitted:                                   # from where the stages left each parameter
        x, res, jac = fit_evaluator(ev, spec, prior=start, x0=[fixed.get(p, s) for p, s in zip(fitted, start)])
        se, corr, identified = parameter_uncertainty(jac)
        cost = _fitted_data_cost(ev, res)
        prior_cost = float(res.cost) - cost
    else:
        x, se, identified, prior_cost = np.array([]), np.array([]), False, 0.0
        corr = np.zeros((0, 0))
        cost = data_cost(ev, x)
    params = [ParameterResult(p, s, v, spec.bounds[p].low, spec.bounds[p].high, spec.bounds[p].source, e)
              for p, s, v, e in zip(fitted, start, x, se)]
    report_ev = Evaluator(region, spec, fitted, in_sample, _final_year(spec, in_sample), levers, "none")
    result = HistoryResult(region, stages, params, cost, len(ev.observations), identified,
                           series_fits(report_ev, x, spec), holdout_from=holdout_from, prior_cost=prior_cost,
                           correlation=corr)
    if held:
        hev = Evaluator(region, spec, fitted, held, _final_year(spec, held), levers, "none")
        result.holdout = series_fits(hev, x, spec)
    result.seconds = time.perf_counter() - started
    return result


def series_fits(ev: Evaluator, theta, spec: Spec) -> list[SeriesFit]:
    """Observed against fitted, series by series, with statistics and the model's yearly path."""
    out_values = ev.simulate(theta)
    preds = ev.predictions(out_values)
    out = []
    for name in dict.fromkeys(o.series for o in ev.observations):
        idx = [i for i, o in enumerate(ev.observations) if o.series == name]
        obs = [ev.observations[i] for i in idx]
        lb = [o.comparator == ">" for o in obs]
        out.append(SeriesFit(name, spec.series[name].headline, [o.year for o in obs], [o.value for o in obs],
                             [float(preds[i]) for i in idx], lb,
                             series_statistics(preds[idx], [o.value for o in obs], lb),
                             [float(ev.sigmas[i]) for i in idx], trajectory(ev, out_values, name)))
    return out


def trajectory(ev: Evaluator, out_values: np.ndarray, series_name: str) -> tuple[list, list]:
    """The series as the model computes it for every year of the run."""
    s = ev.spec.series[series_name]
    years, values = s.path(out_values[:, ev.column[s.variable]], ev.years)
    return years, [float(v) for v in values]
