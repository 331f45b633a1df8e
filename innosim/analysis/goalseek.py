"""Goal seeking: what lever setting meets a target, or all of a set of targets?

The lever's range is scanned in one vectorised pass; the smallest value
meeting the goal (the largest, for a lever that works against it) is then
bracketed and refined with Brent's method (``scipy.optimize.brentq``).
When nothing in the range meets the goal, the answer says so and gives
the best value the range reaches.

With a confidence level the goal is that each target be met in that share
of a Monte Carlo ensemble over the parameters' uncertainty: the same
Latin-hypercube draws at every lever value (common random numbers), so the
judged quantile moves smoothly with the lever and Brent's method applies.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np
from scipy.optimize import brentq

from innosim.analysis.ensemble import draw_parameters, run_columns, run_ensemble, target_values
from innosim.analysis.executor import Executor
from innosim.analysis.montecarlo import check_samples, check_seed
from innosim.core import data, shares
from innosim.core.case import Case
from innosim.core.data import Target
from innosim.core.engines import schedule_values
from innosim.core.model import load
from innosim.core.targets import margin
from innosim.errors import InputError

GRID = 61                    # lever values scanned in one vectorised pass
GRID_CONFIDENCE = 21         # ... when each value is an ensemble
CONFIDENCE_SAMPLES = 200     # Monte Carlo draws per lever value when a chance of meeting is asked for
XTOL_SHARE = 1e-6


@dataclass
class GoalSeekResult:
    lever: str
    targets: list
    reachable: bool
    value: float | None            # the smallest lever value meeting every target (None when unreachable)
    achieved: list                 # what each target judges at ``value`` (or at the best value)
    best_value: float              # the lever value that comes closest
    best_achieved: list
    low: float
    high: float
    from_year: int
    confidence: float | None = None   # each target met in this share of runs (None: on the central projection)
    bound: str = "smallest"           # "smallest" value meeting the goal, or "largest" for a lever that hurts

    def describe(self) -> str:
        lv = load().lever(self.lever)
        goals = "; ".join(f"{t.indicator} {t.year} {t.comparator} {t.value:g}" for t in self.targets)
        if self.confidence is not None:
            goals += f", each with a {self.confidence:.0%} chance"
        if self.reachable:
            return (f"{self.lever} = {self.value:.6g} {lv.unit} (from {self.from_year}) is the {self.bound} value meeting "
                    f"{goals}: " + ", ".join(f"{a:.4g}" for a in self.achieved))
        return (f"not reachable within {self.lever}'s range {self.low:g} to {self.high:g}: {goals}; the best value "
                f"{self.best_value:.6g} reaches " + ", ".join(f"{a:.4g}" for a in self.best_achieved))


def find_target(region: str, indicator: str, year: int | None = None) -> Target:
    """A modelled target of the region by indicator (and year, when there are several)."""
    found = [t for t in data.targets() if t.region == region and t.indicator == indicator and t.modelled
             and (year is None or t.year == year)]
    if not found:
        known = sorted({f"{t.indicator}@{t.year}" for t in data.targets() if t.region == region and t.modelled})
        raise InputError(f"no modelled target '{indicator}'{f' in {year}' if year else ''} for {region}; "
                         f"allowed: {', '.join(known)}", "target", indicator)
    return found[0]


def goal_seek(case: Case, *, lever: str, targets: Sequence[Target], from_year: int | None = None,
              year: int | None = None, confidence: float | None = None, samples: int = CONFIDENCE_SAMPLES,
              seed: int = 20251, progress: Callable[[int, int], None] | None = None) -> GoalSeekResult:
    """The smallest value of ``lever`` meeting every target, everything else as in ``case``.

    ``year`` (optional) judges level targets in another year ("meets it by
    year Y"); the lever's value applies from ``from_year`` (default: the
    first year the case's levers apply, the first year not yet observed).
    A target whose year falls before that cannot move and is refused.  With ``confidence`` (e.g. 0.8) each target must be met in
    at least that share of a Monte Carlo ensemble over the parameters'
    uncertainty (``samples`` Latin-hypercube draws, the same draws for every
    lever value), not just on the central projection.  ``progress`` hears
    (1, 2) after the scan and (2, 2) when the answer is refined.
    """
    progress = progress or (lambda done, total: None)
    m = load()
    lv = m.lever(lever)
    if lv.is_switch:
        raise InputError(f"lever '{lever}' is a rule switch, not a quantity to seek; allowed: the other levers",
                         "lever", lever)
    if confidence is not None and not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise InputError(f"confidence {confidence}: must be between 0 and 1, e.g. 0.8", "confidence", confidence)
    seed = check_seed(seed)
    if not targets:
        raise InputError(f"{case.region}: no target to seek")
    if year is not None:
        targets = [replace(t, year=year) for t in targets]
    final = max(t.year for t in targets)        # the run need go no further than the last target
    last = case.final_year or m.final_year
    if final > last:
        raise InputError(f"target year {final}: beyond the run, which ends in {last}; allowed: targets up to {last}, "
                         f"or a scenario with a later run.end_year", "target", final)
    start = m.policy_start(case)
    given = from_year is not None and int(from_year) > start       # the asked-for start makes a target unmovable
    from_year = start if from_year is None else int(from_year)
    past = [t for t in targets if t.year < max(from_year, start)]
    if past:
        raise InputError(f"target {past[0].indicator}@{past[0].year}: its year is before {max(from_year, start)}, "
                         f"when the lever starts to apply, so no value can move it; allowed: targets from "
                         f"{max(from_year, start)} on, or a counterfactual case (policy_from) for a past year",
                         "from_year" if given else "target", from_year if given else
                         f"{past[0].indicator}@{past[0].year}")
    if not start <= from_year <= final:
        raise InputError(f"from year {from_year}: allowed: {start} (the first year the levers apply) to the last "
                         f"target year {final}; an earlier year needs a counterfactual case (policy_from)",
                         "from_year", from_year)
    case = case.ending(final)
    _refuse_inert(case, lever)
    high = _share_room(case, lever, from_year)
    path = _lever_paths(case, lever, from_year)
    sample = _parameter_sample(case, samples, seed) if confidence is not None else None

    def evaluate(xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What each target judges (the central run, or the ensemble's quantile) and the worst margin."""
        if sample is None:
            years, values = run_columns(case, {lever: path(xs)})
            judged = np.column_stack([target_values(values, years, t) for t in targets])
        else:
            n = len(next(iter(sample.values())))
            columns = {k: np.tile(v, len(xs)) for k, v in sample.items()}
            columns[lever] = np.repeat(path(xs), n, axis=1)
            years, values, _, failures = run_ensemble(case, columns, executor=Executor(workers=1))
            if failures:
                raise InputError(f"{case.region}: goal seeking's ensemble failed: {failures[0]}")
            judged = np.column_stack([_quantile(target_values(values, years, t).reshape(len(xs), n), t, confidence)
                                      for t in targets])
        met = np.column_stack([margin(judged[:, k], t.comparator, t.value) for k, t in enumerate(targets)])
        return judged, met.min(axis=1)

    grid = np.linspace(lv.low, high, GRID if sample is None else GRID_CONFIDENCE)
    judged, worst = evaluate(grid)
    progress(1, 2)
    spread = np.ptp(judged, axis=0) <= 1e-12 * np.maximum(1.0, np.nanmax(np.abs(judged), axis=0))
    if spread.all():       # no value moves any of them: an answer would be advice the model cannot back
        raise InputError(f"lever '{lever}' does not move {_goals(targets)} under this case's settings; "
                         f"allowed: a lever that moves them")
    best = int(np.argmax(worst))
    ok = worst >= 0
    # Most levers help as they rise: the answer is the smallest value that meets the goal.  Where only the
    # low end meets it (a lever that hurts, such as inflation), the answer is the largest value that does.
    bound = "largest" if ok[0] and not ok[-1] else "smallest"
    result = dict(lever=lever, targets=list(targets), best_value=float(grid[best]), best_achieved=list(judged[best]),
                  low=lv.low, high=float(high), from_year=from_year, confidence=confidence, bound=bound)
    if not ok.any():
        progress(2, 2)
        return GoalSeekResult(reachable=False, value=None, achieved=[], **result)
    index = np.nonzero(ok)[0]
    edge = int(index[0]) if bound == "smallest" else int(index[-1])
    outside = edge - 1 if bound == "smallest" else edge + 1
    if not 0 <= outside < len(grid):           # met at the end of the range: nothing to refine
        value, achieved = float(grid[edge]), judged[edge]
    else:
        xtol = XTOL_SHARE * (high - lv.low)
        value = brentq(lambda x: float(evaluate(np.array([x]))[1][0]), grid[outside], grid[edge], xtol=xtol)
        at, worst = evaluate(np.array([value]))
        if worst[0] < 0:                        # brentq stops within xtol: step onto the met side
            value = float(np.clip(value + (xtol if bound == "smallest" else -xtol), lv.low, high))
            at, worst = evaluate(np.array([value]))
        achieved = at[0]
    progress(2, 2)
    return GoalSeekResult(reachable=True, value=float(value), achieved=list(achieved), **result)


def _goals(targets) -> str:
    return ", ".join(f"{t.indicator}@{t.year}" for t in targets)


def _refuse_inert(case: Case, lever: str) -> None:
    """A lever the case's rules make inert (the fixed rate under the revenue rule) has no value to seek."""
    from innosim.analysis.inert import inert_levers

    inert = inert_levers(case, [lever]).get(lever)
    if inert is None:
        return
    why = (f"under {inert.switch} = {inert.switch_now:g} it does nothing; set {inert.switch} = "
           f"{inert.switch_value:g} for it to act" if inert.switch else
           "it does nothing under this case's settings")
    raise InputError(f"lever '{lever}': {why}; allowed: a lever that acts under the case's rules")


def _share_room(case: Case, lever: str, from_year: int) -> float:
    """The top of the lever's range, less what the other shares of its group take (model/share_groups.toml)."""
    m = load()
    lv = m.lever(lever)
    group = shares.group_of(lever)
    if group is None:
        return lv.high
    _, lever_values, final = m.inputs(case)
    times = m.engine().grid(final_time=final).step_times()
    after = times >= from_year - 1e-9
    others = {k: float(schedule_values(m.lever(k).default(case.region), lever_values[k], times)[after].max())
              for k in group.levers if k != lever}
    high = min(lv.high, shares.room(lever, others))
    if high < lv.low:
        raise InputError(f"lever '{lever}': the other shares of {group.id} already take "
                         f"{sum(others.values()):.0%}; allowed: lower them first")
    return high


def _lever_paths(case: Case, lever: str, from_year: int):
    """A function of lever values to lever paths (steps x runs): the case's path, then the value from ``from_year``."""
    m = load()
    _, lever_values, final = m.inputs(case)
    steps = m.engine().grid(final_time=final).step_times()
    lv = m.lever(lever)
    before = schedule_values(lv.default(case.region), lever_values[lever], steps)[:, None]
    after = (steps >= lv.acts_from(from_year) - 1e-9)[:, None]        # half-step tolerance, as in schedules
    return lambda xs: np.where(after, np.asarray(xs, dtype=float)[None, :], before)


def _parameter_sample(case: Case, samples: int, seed: int) -> dict[str, np.ndarray]:
    """The Monte Carlo draws of the parameters (an expert's fixed values excepted)."""
    factors, draws = draw_parameters(case, check_samples(samples), seed)
    return {f.name: draws[:, j] for j, f in enumerate(factors)}


def _quantile(judged: np.ndarray, target: Target, confidence: float) -> np.ndarray:
    """Per lever value (rows), the judged value the target is met beyond in ``confidence`` of the runs."""
    q = 1 - confidence if target.comparator in (">=", ">") else confidence
    return np.quantile(judged, q, axis=1)
