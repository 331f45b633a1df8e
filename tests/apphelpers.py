"""Helpers for driving the app headless with streamlit.testing.v1.AppTest."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
FISCAL = "财政科技经费年增长率"


def app(query: dict | None = None) -> AppTest:
    import streamlit as st

    st.set_option("client.showErrorDetails", "full")     # the app hides details from users; tests want them
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, at.exception
    return at


def go(at: AppTest, url_path: str) -> AppTest:
    """Open another page, as a click in the navigation does (AppTest.switch_page knows only page files;
    our pages are functions, registered by their url_path)."""
    at._page_hash = next(h for h, info in at._registered_pages.items() if info.get("url_pathname") == url_path)
    return at.run()


def slider(at: AppTest, label: str):
    return next(s for s in at.slider if s.label.startswith(label))


def frames(at: AppTest) -> list[pd.DataFrame]:
    """Every table the page shows, grids and static tables, with the static tables' Markdown escapes removed
    (the text a reader sees)."""
    import re

    plain = [t.value.map(lambda v: re.sub(r"\\(.)", r"\1", v) if isinstance(v, str) else v) for t in at.table]
    return [d.value for d in at.dataframe] + plain


def table(at: AppTest, first_column: str = "指标", having: str = "预测值") -> pd.DataFrame:
    """The first table whose columns include ``having`` (the open targets: 预测值; past ones: 判定依据)."""
    return next(d for d in frames(at) if having in d.columns and first_column in d.columns)


def percent(text: str) -> float:
    """A chance as the scorecard shows it ('62%') in percent."""
    return float(str(text).rstrip("%"))


def number(text: str) -> float:
    return float(str(text).split()[0].replace(",", ""))


def score(at: AppTest, indicator_label: str, year: int, lang: str = "zh") -> tuple[float, float]:
    """(current settings, plan) of one open target, as the scorecard shows them."""
    from innosim.app import i18n

    frame = table(at, i18n.t("indicator", lang), i18n.t("now", lang))
    row = frame[(frame.iloc[:, 0] == indicator_label) & (frame.iloc[:, 1] == str(year))].iloc[0]
    return number(row[i18n.t("now", lang)]), number(row[i18n.t("plan", lang)])


def chart_value(at: AppTest, indicator: str, year: int, series_label: str) -> float:
    rows = at.session_state["chart_rows"]
    pick = rows[(rows.indicator == indicator) & (rows.year == year) & (rows.series_label == series_label)]
    return float(pick.value.iloc[0])


def button(at: AppTest, key: str):
    return at.button(key=key)


def texts(at: AppTest) -> str:
    """Every text the page shows (markdown, captions, alerts, labels, tables), for checks on words and units."""
    parts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "subheader"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for kind in ("slider", "selectbox", "radio", "multiselect", "text_input", "toggle", "button", "metric"):
        for e in getattr(at, kind):
            parts.append(str(getattr(e, "label", "")))
            parts.append(str(getattr(e, "help", "") or ""))
    for kind in ("selectbox", "radio", "multiselect"):
        for e in getattr(at, kind):
            parts += [str(o) for o in getattr(e, "options", [])]
    for metric in at.metric:
        parts.append(str(metric.value))
    for frame in frames(at):
        parts.append(frame.to_string())
    return "\n".join(parts)


def open_group(at: AppTest, sector: str) -> AppTest:
    """Open a lever group in the sidebar, as a click on its header does (only open groups draw their sliders)."""
    at.session_state[f"w-group-{sector}"] = True
    at.session_state["s_open_groups"] = set(at.session_state["s_open_groups"]) | {sector}
    return at.run()


def open_tab(at: AppTest, index: int, lang: str = "zh") -> AppTest:
    """Open one of the analysis tabs, as a click does (only the open tab runs)."""
    from innosim.app import analysis_view, i18n

    at.session_state[f"w-analysis-{lang}"] = i18n.t(analysis_view.TABS[index], lang)
    at.session_state["s_analysis_tab"] = index
    return at.run()


def open_past(at: AppTest, region: str = "ningbo", lang: str = "zh") -> AppTest:
    """Open the past targets (their expander runs only when open; it is closed where targets lie ahead)."""
    at.session_state[f"w-past-{region}-{lang}"] = True
    at.session_state[f"s_past_open_{region}"] = True
    return at.run()
