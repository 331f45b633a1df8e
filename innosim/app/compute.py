"""Cached calls to the model API: the model loads once per process, runs are cached by their inputs.

Every cached function takes the settings as JSON keys (hashable), so one
setting is computed once for all sessions, and returns a copy, so no session
can change what another sees.  What does not move with the levers (the plan,
the no-new-policy reference, the rules' inert levers) is cached on what it
does depend on, so a slider move recomputes only the run it changes.
"""
from __future__ import annotations

import gc
import json
import threading
from collections import OrderedDict
from concurrent.futures import Future

import pandas as pd
import streamlit as st

from innosim.analysis.batch import momentum_table, simulate
from innosim.core import data
from innosim.core.model import Model
from innosim.core.model import load as load_model
from innosim.core.tables import scorecard as score_targets


@st.cache_resource(show_spinner="正在载入模型（首次启动需翻译 .mdl，约 15 秒）… Loading the model (the first start "
                                 "translates the .mdl, about 15 s)…")
def the_model() -> Model:
    model = load_model()
    # What is loaded by now (the libraries, the model) lives as long as the server: kept out of the garbage
    # collector's full passes, which otherwise walk its ~190,000 objects (75 ms with the interpreter held).
    gc.freeze()
    return model


def _levers(overrides_key: str) -> dict:
    raw = json.loads(overrides_key)
    return {k: ({int(y): v for y, v in value} if isinstance(value, list) else value) for k, value in raw.items()}


def settings(region: str, overrides_key: str, inputs_key: str):
    """The settings behind a pair of cache keys, as the scenario the model runs."""
    from innosim.core.scenarios import Scenario

    raw = json.loads(inputs_key)
    run = raw.get("run", {})
    return Scenario(id="app_settings", name="Current settings", description="The app's current settings",
                    regions=(region,), levers=_levers(overrides_key), parameters=raw.get("parameters", {}),
                    end_year=run.get("end_year"), parameter_set=run.get("parameter_set"),
                    policy_from=run.get("policy_from"))


def case(region: str, overrides_key: str, inputs_key: str):
    return settings(region, overrides_key, inputs_key).case(region)


@st.cache_data(show_spinner=False, max_entries=512)
def _projection(region: str, overrides_key: str, inputs_key: str) -> pd.DataFrame:
    return simulate(region, settings(region, overrides_key, inputs_key))


def projection(region: str, overrides_key: str, inputs_key: str, label: str = "current") -> pd.DataFrame:
    """The long table of one region under the given settings; ``label`` only names it in the scenario column."""
    return _projection(region, overrides_key, inputs_key).assign(scenario=label)


def plan(region: str, inputs_key: str = "{}") -> pd.DataFrame:
    return projection(region, "{}", inputs_key, "plan")


@st.cache_data(show_spinner=False, max_entries=64)
def momentum(region: str, inputs_key: str) -> pd.DataFrame:
    """The no-new-policy reference: it does not depend on the levers, only on the parameters and run settings."""
    return momentum_table([case(region, "{}", inputs_key)])


@st.cache_data(show_spinner=False, max_entries=512)
def _scorecard(region: str, overrides_key: str, inputs_key: str) -> pd.DataFrame:
    long = _projection(region, overrides_key, inputs_key)
    return score_targets(long, momentum=momentum(region, inputs_key).assign(scenario=long.scenario.iloc[0]))


def scorecard(region: str, overrides_key: str, inputs_key: str, label: str = "current") -> pd.DataFrame:
    """Targets scored for the given settings, with the plan's projection and status beside them."""
    now = _scorecard(region, overrides_key, inputs_key).assign(scenario=label)
    base = _scorecard(region, "{}", inputs_key)
    now["plan_projected"] = base["projected"].to_numpy()
    now["plan_status"] = base["status"].to_numpy()
    return now


@st.cache_data(show_spinner=False, max_entries=64)
def inert(region: str, switches_key: str, inputs_key: str) -> dict:
    """{lever: Inert} under the rules of ``switches_key`` (the switches' overrides alone): the rules decide."""
    from innosim.analysis.inert import inert_levers

    return inert_levers(case(region, switches_key, inputs_key))


@st.cache_data(show_spinner=False)
def target_marks(region: str, language: str, inputs_key: str = "{}") -> pd.DataFrame:
    """The chart's target diamonds, from the plan under the same parameters and run settings (a doubling's
    level is its base-year value times two, and the base year's value is the run's)."""
    from . import charts

    return charts.target_marks(_scorecard(region, "{}", inputs_key), language)


@st.cache_data(show_spinner=False)
def fixed_chart_rows(region: str, indicators: tuple[str, ...], language: str, inputs_key: str = "{}") -> pd.DataFrame:
    from . import charts

    return charts.fixed_rows(list(indicators), plan(region, inputs_key), observed(region),
                             target_marks(region, language, inputs_key), language)


@st.cache_data(show_spinner=False)
def chart_spec(indicators: tuple[str, ...], language: str, fan: bool = False, columns: int = 3) -> dict:
    from . import charts

    return charts.indicator_spec(indicators, language, columns=columns, fan=fan)


@st.cache_data(show_spinner=False)
def observed(region: str) -> pd.DataFrame:
    points = pd.DataFrame(data.observed_points(region))
    names = {i.indicator for i in data.indicators()}
    return points[points.series.isin(names)] if len(points) else points


# --- Uncertainty, goal seeking, sensitivity and attribution (cached by their inputs) ---

APP_SAMPLES = 500       # Monte Carlo runs behind the app's bands and probabilities (~0.1 s in one process)
APP_SEED = 20251

MC_ENTRIES = 128

# The Monte Carlo runs are cached here rather than by st.cache_data, so that they can start at the top of a
# rerun (start_uncertainty) and run in their own process while the page draws the central answer; the page
# then takes them (uncertainty).  If the process cannot start, they run in this one.
_pool = None
_jobs: "OrderedDict[tuple, Future]" = OrderedDict()
_lock = threading.Lock()


def _worker_pool():
    global _pool
    if _pool is None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from . import mc_worker

        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                    initializer=mc_worker.warm)
    return _pool


def _submit(job: tuple) -> Future:
    from concurrent.futures.process import BrokenProcessPool

    from . import mc_worker

    global _pool
    work = case(*job)
    try:
        return _worker_pool().submit(mc_worker.montecarlo, work, APP_SAMPLES, APP_SEED)
    except (BrokenProcessPool, OSError, RuntimeError):      # no second process: run here, as before
        _pool = None
        future: Future = Future()
        try:
            future.set_result(mc_worker.montecarlo(work, APP_SAMPLES, APP_SEED))
        except Exception as exc:  # noqa: BLE001 - handed to the page, which reports it in one line
            future.set_exception(exc)
        return future


def start_uncertainty(region: str, overrides_key: str, inputs_key: str) -> Future:
    """The Monte Carlo runs of the settings: cached, or started now in the worker process."""
    job = (region, overrides_key, inputs_key)
    with _lock:
        future = _jobs.get(job)
        if future is None or (future.done() and future.exception() is not None):
            future = _jobs[job] = _submit(job)
        _jobs.move_to_end(job)
        while len(_jobs) > MC_ENTRIES:
            _jobs.popitem(last=False)
    return future


def uncertainty(region: str, overrides_key: str, inputs_key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Percentile bands and the chance of meeting each target under the settings (copies: sessions never
    share a table).  The runs are one vectorised pass in the worker process: for a few hundred runs, more
    processes would cost more to start than they save."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        bands, probabilities = start_uncertainty(region, overrides_key, inputs_key).result()
    except BrokenProcessPool:                 # the worker died (killed, out of memory): once more, here
        from . import mc_worker

        with _lock:
            _jobs.pop((region, overrides_key, inputs_key), None)
        bands, probabilities = mc_worker.montecarlo(case(region, overrides_key, inputs_key), APP_SAMPLES, APP_SEED)
    return bands.copy(), probabilities.copy()


def sought_keys(keys: tuple[str, str], lever: str, from_year: int) -> tuple[str, str]:
    """The cache keys of a goal seek: the sought lever's own override from ``from_year`` on cannot change the
    answer (the seek replaces it), so it is left out and moving that slider does not seek again."""
    from . import state

    overrides = _levers(keys[0])
    value = overrides.pop(lever, None)
    if isinstance(value, dict):
        value = {y: v for y, v in value.items() if y < from_year} or None
    elif from_year <= state.first_free_year():
        value = None
    if value is not None:
        overrides[lever] = value
    return state.key(overrides), keys[1]


@st.cache_data(show_spinner=False, max_entries=256)
def goal_seek(region: str, lever: str, targets: tuple[tuple[str, int], ...], overrides_key: str,
              inputs_key: str, from_year: int, confidence: float | None = None):
    """The value of ``lever`` meeting the (indicator, year) targets, other settings as they are."""
    from innosim.analysis.goalseek import find_target
    from innosim.analysis.goalseek import goal_seek as seek

    wanted = [find_target(region, indicator, year) for indicator, year in targets]
    return seek(case(region, overrides_key, inputs_key), lever=lever, targets=wanted, from_year=from_year,
                confidence=confidence, seed=APP_SEED)


@st.cache_data(show_spinner=False, max_entries=64)
def sensitivity(region: str, overrides_key: str, inputs_key: str, factor_set: str, n: int) -> pd.DataFrame:
    """Sobol indices of the headline targets over the levers or the parameters, under the current settings."""
    from innosim.analysis.executor import Executor
    from innosim.analysis.sensitivity import model_sensitivity

    result = model_sensitivity(case(region, overrides_key, inputs_key), method="sobol", factor_set=factor_set, n=n,
                               seed=APP_SEED, executor=Executor(workers=1))
    return result.indices


def sensitivity_runs(region: str, overrides_key: str, inputs_key: str, factor_set: str, n: int) -> int:
    """How many runs ``sensitivity`` will make (for the button's label)."""
    from innosim.analysis.sensitivity import runs_needed, sensitivity_factors

    return runs_needed("sobol", n, len(sensitivity_factors(case(region, overrides_key, inputs_key), factor_set)))


@st.cache_data(show_spinner=False, max_entries=128)
def attribution(region: str, overrides_key: str, inputs_key: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The current settings' difference from the plan split among the changed levers."""
    from innosim.analysis.attribution import attribute

    result = attribute(case(region, overrides_key, inputs_key), year=year)
    return result.table, result.totals
