"""Cached calls to the model API: the model loads once per process, runs are cached by their inputs.

Cached results are returned as copies, so no session can change what
another session sees.
"""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from innosim.analysis.batch import simulate
from innosim.core import data
from innosim.core.model import Model
from innosim.core.model import load as load_model
from innosim.core.tables import scorecard as score_targets


@st.cache_resource(show_spinner="正在载入模型（首次启动需翻译 .mdl，约 15 秒）… Loading the model (the first start "
                                 "translates the .mdl, about 15 s)…")
def the_model() -> Model:
    return load_model()


def _levers(overrides_key: str) -> dict:
    raw = json.loads(overrides_key)
    return {k: ({int(y): v for y, v in value} if isinstance(value, list) else value) for k, value in raw.items()}


def _settings(region: str, overrides_key: str, inputs_key: str):
    """The settings behind a pair of cache keys, as the scenario the model runs."""
    from . import state

    raw = json.loads(inputs_key)
    return state.current_scenario(region, "Current settings", "The app's current settings", _levers(overrides_key),
                                  raw.get("parameters", {}), raw.get("run", {}))


@st.cache_data(show_spinner=False, max_entries=512)
def _projection(region: str, overrides_key: str, inputs_key: str) -> pd.DataFrame:
    return simulate(region, _settings(region, overrides_key, inputs_key))


def projection(region: str, overrides_key: str, inputs_key: str, label: str) -> pd.DataFrame:
    """The long table of one region under the given settings (JSON keys keep the cache hashable).

    The run is cached on the settings alone; ``label`` only names it in the ``scenario`` column.
    """
    return _projection(region, overrides_key, inputs_key).assign(scenario=label)


def plan(region: str) -> pd.DataFrame:
    return projection(region, "{}", "{}", "plan")


def plan_scorecard(region: str) -> pd.DataFrame:
    return _scorecard(region, "{}", "{}").assign(scenario="plan")


@st.cache_data(show_spinner=False, max_entries=512)
def _scorecard(region: str, overrides_key: str, inputs_key: str) -> pd.DataFrame:
    return score_targets(_projection(region, overrides_key, inputs_key))


def scorecard(region: str, overrides_key: str, inputs_key: str, label: str) -> pd.DataFrame:
    """Targets scored for the given settings, with the plan's projection and status beside them."""
    now = _scorecard(region, overrides_key, inputs_key).assign(scenario=label)
    base = plan_scorecard(region)
    now["plan_projected"] = base["projected"].to_numpy()
    now["plan_status"] = base["status"].to_numpy()
    return now


@st.cache_data(show_spinner=False)
def target_marks(region: str) -> pd.DataFrame:
    from . import charts

    return charts.target_marks(plan_scorecard(region))


@st.cache_data(show_spinner=False)
def fixed_chart_rows(region: str, indicators: tuple[str, ...], language: str) -> pd.DataFrame:
    from . import charts

    return charts.fixed_rows(list(indicators), plan(region), observed(region), target_marks(region), language)


@st.cache_data(show_spinner=False)
def chart_spec(indicators: tuple[str, ...], language: str, fan: bool = False) -> dict:
    from . import charts

    return charts.indicator_spec(indicators, language, fan=fan)


@st.cache_data(show_spinner=False)
def observed(region: str) -> pd.DataFrame:
    points = pd.DataFrame(data.observed_points(region))
    names = {i.indicator for i in data.indicators()}
    return points[points.series.isin(names)] if len(points) else points


def report_bytes(kind: str, region: str, table: pd.DataFrame, scenario) -> bytes:
    """A download: the long table as CSV, or the report workbook."""
    import tempfile
    from pathlib import Path

    from innosim.reports.outputs import write_file

    if kind == "csv":
        return table.to_csv(index=False).encode("utf-8-sig")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"innosim-{region}.xlsx"
        write_file(path, table, [scenario])
        return path.read_bytes()


# --- Uncertainty, goal seeking, sensitivity and attribution (cached by their inputs) ---

APP_SAMPLES = 500       # Monte Carlo runs behind the app's bands and probabilities (~0.15 s in one process)
APP_SEED = 20251


@st.cache_data(show_spinner=False, max_entries=128)
def uncertainty(region: str, overrides_key: str, inputs_key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Percentile bands and the chance of meeting each target, under the current settings.

    One process: for a few hundred runs a pool's start-up costs more than it saves.
    """
    from innosim.analysis.executor import Executor
    from innosim.analysis.montecarlo import montecarlo

    result = montecarlo(_settings(region, overrides_key, inputs_key).case(region), n=APP_SAMPLES, seed=APP_SEED,
                        executor=Executor(workers=1))
    return result.bands, result.probabilities


def sought_keys(keys: tuple[str, str], lever: str, from_year: int) -> tuple[str, str]:
    """The cache keys of a goal seek: the sought lever's own override from ``from_year`` on cannot change the
    answer (the seek replaces it), so it is left out and moving that slider does not seek again."""
    from . import state

    overrides = _levers(keys[0])
    value = overrides.pop(lever, None)
    initial = the_model().initial_year
    if isinstance(value, dict):
        value = {y: v for y, v in value.items() if y < from_year} or None
    elif from_year <= initial:
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
    return seek(_settings(region, overrides_key, inputs_key).case(region), lever=lever, targets=wanted,
                from_year=from_year, confidence=confidence, seed=APP_SEED)


@st.cache_data(show_spinner=False, max_entries=64)
def sensitivity(region: str, overrides_key: str, inputs_key: str, factor_set: str, n: int) -> pd.DataFrame:
    """Sobol indices of the headline targets over the levers or the parameters, under the current settings."""
    from innosim.analysis.executor import Executor
    from innosim.analysis.sensitivity import model_sensitivity

    result = model_sensitivity(_settings(region, overrides_key, inputs_key).case(region), method="sobol",
                               factor_set=factor_set, n=n, seed=APP_SEED, executor=Executor(workers=1))
    return result.indices


def sensitivity_runs(region: str, overrides_key: str, inputs_key: str, factor_set: str, n: int) -> int:
    """How many runs ``sensitivity`` will make (for the button's label)."""
    from innosim.analysis.sensitivity import runs_needed, sensitivity_factors

    case = _settings(region, overrides_key, inputs_key).case(region)
    return runs_needed("sobol", n, len(sensitivity_factors(case, factor_set)))


@st.cache_data(show_spinner=False, max_entries=128)
def attribution(region: str, overrides_key: str, inputs_key: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The current settings' difference from the plan split among the changed levers."""
    from innosim.analysis.attribution import attribute

    result = attribute(_settings(region, overrides_key, inputs_key).case(region), year=year)
    return result.table, result.totals
