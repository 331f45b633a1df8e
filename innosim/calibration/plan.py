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
from .inputs import Spec


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


def shortfall(target, value: float) -> float:
    """How far ``value`` falls short of the target, in the target's units (0 when met, by the one rule)."""
    return float(relative_shortfall(value, target.comparator, target.value)) * (abs(target.value) or 1.0)


def plan_targets(region: str, spec: Spec) -> list:
    return [t for t in all_targets() if t.region == region and t.modelled and t.year <= spec.plan.max_year]


def fit_plan(region: str, spec: Spec, progress: Progress | None = None, base: str = "history") -> PlanResult:
    say = progress or (lambda _: None)
    started = time.perf_counter()
    targets = plan_targets(region, spec)
    free = list(spec.plan.parameters)
    ev = Evaluator(region, spec, free, [], spec.plan.max_year, None, base)
    low = np.array([spec.bounds[p].low for p in free])
    high = np.array([spec.bounds[p].high for p in free])
    start = np.clip(ev.start, low, high)
    scale = np.array([spec.plan.target_tolerance * abs(t.value) for t in targets])
    steps = STEP * (high - low)

    def shortfalls(thetas, which):
        values = ev.target_values(ev.simulate_many(thetas), [targets[i] for i in which])
        return np.array([[shortfall(targets[i], v) for v in row] for i, row in zip(which, values)]) \
            / scale[which][:, None]

    def solve(which, prior_weight):
        def one(theta):
            values = ev.target_values(ev.simulate(theta), [targets[i] for i in which])
            return np.array([shortfall(targets[i], v) for i, v in zip(which, values)]) / scale[which]

        def fun(theta):
            return np.concatenate([one(theta), prior_weight * (theta - start) / (high - low)])

        def jac(theta):
            return np.vstack([_jacobian(lambda th: shortfalls(th, which), theta, one(theta), steps, one),
                              np.diag(prior_weight / (high - low))])
        return _solve(fun, jac, start, low, high, max_nfev=150)

    history_values = ev.target_values(ev.simulate(start), targets)
    outcomes = [TargetOutcome(t, float(h), float("nan")) for t, h in zip(targets, history_values)]
    reachable = []
    for i, outcome in enumerate(outcomes):
        if outcome.met_history:
            continue
        say(f"{region}: can '{outcome.target.indicator}' {outcome.target.year} be met at all?")
        best = solve([i], prior_weight=1e-6)
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
    params = [ParameterResult(p, s, v, lo, hi, spec.bounds[p].source)
              for p, s, v, lo, hi in zip(free, start, theta, low, high)]
    return PlanResult(region, params, outcomes, float(result.cost) if result is not None else 0.0,
                      time.perf_counter() - started)
