"""Backtest: fit on the record up to a year, project the years after it, and score the projection.

The fit is history mode with every observation after ``fit_until`` held out.
The projection then runs the observed levers (fiscal growth, prices, the
super-deduction) through the held-out years, as a forecaster who knew the
policy but not the outcomes would.  The counties take as their prior the
posterior of *Ningbo's backtest* fit, never the full one, which has seen the
held-out years.

Goals (issue 11): a mean absolute error of at most :data:`MAE_GOAL` % over the
held-out years for every headline series with data, and Ningbo's R&D
intensity within :data:`RD_POINTS_GOAL` points in each of them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from innosim.core import data
from innosim.core.case import Case
from innosim.core.model import load as load_model
from innosim.core.paramsets import NONE
from innosim.errors import InputError

from .fit import HistoryResult, fit_history
from .inputs import Spec, load_history, load_spec, posterior_priors

MAE_GOAL = 10.0            # per cent, mean absolute error over the held-out years, per headline series
RD_POINTS_GOAL = 0.15      # points of Ningbo's R&D intensity, every held-out year
SCENARIO = "backtest"
ERROR_COLUMNS = ["region", "series", "year", "observed", "projected", "error", "error_pct", "kind", "headline",
                 "lower_bound", "role"]
# What a score says.  A series the model takes as given during the record (real growth, revenue) reproduces
# its observed input and proves nothing; one with no observation up to the cut is projected from its prior
# alone, which is a test of the prior, not of the fit.
MET, MISSED, INPUT, PRIOR_ONLY = "met", "missed", "check", "prior only"
DEFAULT_FIT_UNTIL = 2022


@dataclass
class SeriesScore:
    region: str
    series: str
    headline: bool
    n: int
    mae_pct: float
    max_abs_error: float
    goal: str                 # the goal this series is judged on, in words
    status: str               # MET, MISSED, INPUT or PRIOR_ONLY
    n_fitted: int = 0         # observations of the series the fit saw (up to the cut)

    @property
    def met(self) -> bool:
        return self.status != MISSED


@dataclass
class Backtest:
    fit_until: int
    final_year: int
    results: dict                                   # region -> HistoryResult (fitted up to fit_until)
    projections: pd.DataFrame                       # the long table of the projections
    errors: pd.DataFrame                            # one row per held-out observation
    scores: list = field(default_factory=list)      # SeriesScore per region and series with exact data
    seconds: float = 0.0

    def score(self, region: str, series: str) -> SeriesScore | None:
        return next((s for s in self.scores if s.region == region and s.series == series), None)

    @property
    def missed(self) -> list[SeriesScore]:
        return [s for s in self.scores if s.headline and s.status == MISSED]


def _check_year(fit_until, history) -> int:
    years = sorted({o.year for o in history})
    first_model = load_model().initial_year
    if not isinstance(fit_until, int) or isinstance(fit_until, bool) or not (first_model + 2 <= fit_until < years[-1]):
        raise InputError(f"fit_until {fit_until!r}: allowed: a year from {first_model + 2} to {years[-1] - 1}, "
                         f"so that some of the record is fitted and some is left to project")
    return fit_until


def backtest(fit_until: int = DEFAULT_FIT_UNTIL, regions=None, *, final_year: int | None = None, progress=None,
             spec_path=None) -> Backtest:
    """Fit each region on observations up to ``fit_until``, project to ``final_year`` (default: the last
    observed year) with the observed levers, and compare with what was observed after ``fit_until``."""
    started = time.perf_counter()
    say = progress or (lambda _: None)
    m = load_model()
    history = load_history()
    spec = load_spec(spec_path, history)
    fit_until = _check_year(fit_until, history)
    regions = list(regions or data.REGIONS)
    for region in regions:
        m.check_region(region)
    last_observed = max(o.year for o in history)
    final_year = m.check_final_year(final_year if final_year is not None else max(last_observed, fit_until + 1))
    # Ningbo first: its backtest posterior is the counties' prior.
    order = sorted(regions, key=lambda r: r != spec.shared_from)
    results: dict[str, HistoryResult] = {}
    source = None
    for region in order:
        priors = {}
        if region != spec.shared_from:
            if source is None:
                say(f"{region}: fitting {spec.shared_from} to {fit_until} first, for the counties' prior")
                source = fit_history(spec.shared_from, spec, history, fit_until + 1)
            priors = posterior_priors(spec, source.region, {p.name: p.value for p in source.parameters},
                                      {p.name: p.se for p in source.parameters}, region,
                                      f"{source.region}'s fit to {fit_until}")
        say(f"{region}: fitting to {fit_until}")
        results[region] = fit_history(region, spec, history, fit_until + 1, None, priors)
        if region == spec.shared_from:
            source = results[region]
    frames, rows = [], []
    for region in regions:
        result = results[region]
        case = Case(region, {}, {p.name: p.value for p in result.parameters}, final_year, NONE, SCENARIO)
        frames.append(m.project(case))
        rows += _error_rows(region, result, history, fit_until, final_year, spec)
    projections = pd.concat(frames, ignore_index=True)
    errors = pd.DataFrame(rows, columns=ERROR_COLUMNS)
    fitted = {(r, f.series): (f.stats["n"] + f.stats["bounds"]) if f.fitted else 0
              for r, res in results.items() for f in res.fit}
    out = Backtest(fit_until, final_year, results, projections, errors, _scores(errors, fitted))
    out.seconds = time.perf_counter() - started
    return out


def _error_rows(region, result: HistoryResult, history, fit_until: int, final_year: int, spec: Spec) -> list:
    kinds = {(o.series, o.year): o.kind for o in history if o.region == region}
    rows = []
    for s in result.holdout:
        for year, obs, proj, lb in zip(s.years, s.observed, s.predicted, s.lower_bound):
            if not fit_until < year <= final_year:
                continue
            error = proj - obs
            rows.append({"region": region, "series": s.series, "year": int(year), "observed": obs,
                         "projected": proj, "error": error,
                         "error_pct": 100 * error / abs(obs) if obs else float("nan"),
                         "kind": kinds.get((s.series, year), ""), "headline": bool(s.headline),
                         "lower_bound": bool(lb), "role": "fitted" if spec.series[s.series].fit else "check"})
    return rows


def _scores(errors: pd.DataFrame, fitted: dict) -> list[SeriesScore]:
    out = []
    exact = errors[~errors.lower_bound]
    for (region, series), g in exact.groupby(["region", "series"], sort=False):
        mae = float(g.error_pct.abs().mean())
        biggest = float(g.error.abs().max())
        n_fitted = fitted.get((region, series), 0)
        if region == "ningbo" and series == "rd_intensity":
            goal = f"within ±{RD_POINTS_GOAL:g} points every year and MAE ≤ {MAE_GOAL:g} %"
            ok = biggest <= RD_POINTS_GOAL + 1e-9 and mae <= MAE_GOAL
        else:
            goal = f"MAE ≤ {MAE_GOAL:g} %"
            ok = mae <= MAE_GOAL
        if (g.role == "check").all():
            status = INPUT
        elif not n_fitted:
            status = MET if ok else PRIOR_ONLY
        else:
            status = MET if ok else MISSED
        out.append(SeriesScore(region, series, bool(g.headline.iloc[0]), len(g), mae, biggest, goal, status,
                               n_fitted))
    return out


def score_table(bt: Backtest) -> pd.DataFrame:
    return pd.DataFrame([{"region": s.region, "series": s.series, "headline": s.headline, "n": s.n,
                          "mae_pct": s.mae_pct, "max_abs_error": s.max_abs_error, "goal": s.goal,
                          "status": s.status, "n_fitted": s.n_fitted}
                         for s in bt.scores])
