"""Plan mode: the parameter values under which the plan meets its targets, and how far they sit from the evidence.

Starting from the history-calibrated values, the fit moves the behavioural
parameters of the spec's [plan] list, within their literature ranges, as
little as it can while closing every target's shortfall.  A shortfall of
``target_tolerance`` (1 %) of a target weighs as much as moving one parameter
across its whole range.  Targets still missed are then tried one at a time
with every parameter free: those missed even so cannot be met within the
literature ranges at all.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from innosim.core.data import targets as all_targets
from innosim.core.targets import is_met
from innosim.core.targets import shortfall as relative_shortfall

from .evaluate import Evaluator
from .fit import STEP, ParameterResult, Progress, _jacobian, _solve
from .inputs import Spec, load_history


@dataclass
class TargetOutcome:
    target: object
    history_value: float
    plan_value: float
    best_alone: float = float("nan")
    reachable_alone: bool | None = None

    def shortfall(self, value: float) -> float:
        return shortfall(self.target, value)

    @property
    def met_history(self) -> bool:
        return is_met(self.history_value, self.target.comparator, self.target.value)

    @property
    def met_plan(self) -> bool:
        return is_met(self.plan_value, self.target.comparator, self.target.value)

    @property
    def verdict(self) -> str:
        if self.met_history:
            return "met on the evidence"
        if self.met_plan:
            return "met if the parameters move"
        if self.reachable_alone:
            return "reachable alone, not with the others"
        return "cannot be met within the literature ranges"


@dataclass
class PlanResult:
    region: str
    parameters: list
    targets: list = field(default_factory=list)
    cost: float = 0.0
    seconds: float = 0.0
    history_cost_added: float = 0.0     # how much worse the 2015-2025 fit becomes under the plan's parameters


def shortfall(target, value: float) -> float:
    """How far ``value`` falls short of the target, in the target's units (0 when met, by the one rule)."""
    return float(relative_shortfall(value, target.comparator, target.value)) * (abs(target.value) or 1.0)


def plan_targets(region: str, spec: Spec) -> list:
    return [t for t in all_targets() if t.region == region and t.modelled and t.year <= spec.plan.max_year]


def fit_plan(region: str, spec: Spec, progress: Progress | None = None, base: str = "history",
             observations: list | None = None) -> PlanResult:
    """The smallest move of the plan's behavioural parameters, from the ``base`` set, that meets the targets.

    The objective keeps the history fit's weighted residuals (``[plan] history_weight``) beside the targets'
    shortfalls and the parameters' priors, so a move the 2015-2025 record rules out costs what it should.
    """
    say = progress or (lambda _: None)
    started = time.perf_counter()
    targets = plan_targets(region, spec)
    free = list(spec.plan.parameters)
    record = [o for o in (observations if observations is not None else load_history())
              if o.region == region and o.fit and o.series in spec.series and spec.series[o.series].fit]
    last = max([spec.plan.max_year] + [max(spec.series[o.series].years_needed(o.year)) for o in record])
    ev = Evaluator(region, spec, free, record, last, None, base)
    priors = [spec.prior(p, region) for p in free]
    low = np.array([pr.low for pr in priors])
    high = np.array([pr.high for pr in priors])
    sd = np.array([pr.sd for pr in priors])
    start = np.clip(ev.start, low, high)
    scale = np.array([spec.plan.target_tolerance * (abs(t.value) or 1.0) for t in targets])
    steps = STEP * (high - low)
    w_history = spec.plan.history_weight

    def residual_rows(out, which, many: bool):
        values = ev.target_values(out, [targets[i] for i in which])
        if many:
            gaps = np.array([[shortfall(targets[i], v) for v in row] for i, row in zip(which, values)])
            return np.vstack([gaps / scale[which][:, None], w_history * ev.residuals_from(ev.predictions(out))])
        gaps = np.array([shortfall(targets[i], v) for i, v in zip(which, values)])
        return np.concatenate([gaps / scale[which], w_history * ev.residuals_from(ev.predictions(out))])

    def solve(which, prior_weight):
        def one(theta):
            return residual_rows(ev.simulate(theta), which, False)

        def fun(theta):
            return np.concatenate([one(theta), prior_weight * (theta - start) / sd])

        def jac(theta):
            many = lambda th: residual_rows(ev.simulate_many(th), which, True)  # noqa: E731
            return np.vstack([_jacobian(many, theta, one(theta), steps, one), np.diag(prior_weight / sd)])
        return _solve(fun, jac, start, low, high, max_nfev=100)

    history_values = ev.target_values(ev.simulate(start), targets)
    outcomes = [TargetOutcome(t, float(h), float("nan")) for t, h in zip(targets, history_values)]
    reachable = []
    for i, outcome in enumerate(outcomes):
        if outcome.met_history:
            continue
        say(f"{region}: can '{outcome.target.indicator}' {outcome.target.year} be met at all?")
        best = solve([i], prior_weight=1e-3)
        outcome.best_alone = float(ev.target_values(ev.simulate(best.x), [outcome.target])[0])
        outcome.reachable_alone = is_met(outcome.best_alone, outcome.target.comparator, outcome.target.value)
        if outcome.reachable_alone:
            reachable.append(i)
    # The smallest move that meets every reachable target and keeps the met ones met.
    keep = [i for i, o in enumerate(outcomes) if o.met_history or i in reachable]
    say(f"{region}: plan mode ({len(reachable)} targets to reach, {len(keep) - len(reachable)} to keep, "
        f"{len(free)} parameters)")
    result = solve(keep, spec.plan.prior_weight) if reachable else None
    theta = result.x if result is not None else start
    for outcome, value in zip(outcomes, ev.target_values(ev.simulate(theta), targets)):
        outcome.plan_value = float(value)
    params = [ParameterResult(p, s, v, lo, hi, pr.source, prior_sd=pr.sd)
              for p, s, v, lo, hi, pr in zip(free, start, theta, low, high, priors)]
    history_cost = float(0.5 * np.sum(ev.residuals(theta) ** 2))
    base_cost = float(0.5 * np.sum(ev.residuals(start) ** 2))
    return PlanResult(region, params, outcomes, float(result.cost) if result is not None else 0.0,
                      time.perf_counter() - started, history_cost - base_cost)
