"""Helpers for driving the app headless with streamlit.testing.v1.AppTest."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
FISCAL = "财政科技经费年增长率"


def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def slider(at: AppTest, label: str):
    return next(s for s in at.slider if s.label.startswith(label))


def score(at: AppTest, indicator_label: str, year: int) -> tuple[float, float]:
    table = at.dataframe[0].value
    row = table[(table.iloc[:, 0] == indicator_label) & (table.iloc[:, 1] == str(year))].iloc[0]
    return float(row.iloc[3].replace(",", "")), float(row.iloc[4].replace(",", ""))


def chart_value(at: AppTest, indicator: str, year: int, series_label: str) -> float:
    rows = at.session_state["chart_rows"]
    pick = rows[(rows.indicator == indicator) & (rows.year == year) & (rows.series_label == series_label)]
    return float(pick.value.iloc[0])
