"""Cached calls to the model API: the model loads once per process, runs are cached by their inputs.

Cached results are returned as copies, so no session can change what
another session sees.
"""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

import model
from model import data


@st.cache_resource(show_spinner=False)
def the_model() -> model.Model:
    return model.load()


def _levers(overrides_key: str) -> dict:
    raw = json.loads(overrides_key)
    return {k: ({int(y): v for y, v in value} if isinstance(value, list) else value) for k, value in raw.items()}


@st.cache_data(show_spinner=False, max_entries=512)
def projection(region: str, overrides_key: str, parameters_key: str, label: str) -> pd.DataFrame:
    """The long table of one region under the given overrides (JSON keys keep the cache hashable)."""
    m = the_model()
    return m.project(region, _levers(overrides_key), json.loads(parameters_key), scenario=label)


def plan(region: str) -> pd.DataFrame:
    return projection(region, "{}", "{}", "plan")


@st.cache_data(show_spinner=False)
def plan_scorecard(region: str) -> pd.DataFrame:
    return model.scorecard(plan(region))


@st.cache_data(show_spinner=False, max_entries=512)
def scorecard(region: str, overrides_key: str, parameters_key: str, label: str) -> pd.DataFrame:
    """Targets scored for the current settings, with the plan's projection and status beside them."""
    now = model.scorecard(projection(region, overrides_key, parameters_key, label))
    base = plan_scorecard(region)
    now["plan_projected"] = base["projected"].to_numpy()
    now["plan_status"] = base["status"].to_numpy()
    return now


@st.cache_data(show_spinner=False)
def target_marks(region: str) -> pd.DataFrame:
    from . import charts

    return charts.target_marks(plan_scorecard(region), plan(region))


@st.cache_data(show_spinner=False)
def fixed_chart_rows(region: str, indicators: tuple[str, ...], language: str) -> pd.DataFrame:
    from . import charts

    return charts.fixed_rows(list(indicators), plan(region), observed(region), target_marks(region), language)


@st.cache_data(show_spinner=False)
def chart_spec(indicators: tuple[str, ...], language: str) -> dict:
    from . import charts

    return charts.indicator_spec(indicators, language)


@st.cache_data(show_spinner=False)
def observed(region: str) -> pd.DataFrame:
    points = pd.DataFrame(data.observed_points(region))
    names = {i.indicator for i in data.indicators()}
    return points[points.series.isin(names)] if len(points) else points


def report_bytes(kind: str, region: str, table: pd.DataFrame, scenario) -> bytes:
    """A download: the long table as CSV, or the report workbook."""
    import tempfile
    from pathlib import Path

    from model.reports import write_file

    if kind == "csv":
        return table.to_csv(index=False).encode("utf-8-sig")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"innosim-{region}.xlsx"
        write_file(path, table, [scenario])
        return path.read_bytes()
