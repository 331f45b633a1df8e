"""The indicator charts: current settings against the plan, observations, targets, and the uncertainty fan.

A fragment: picking indicators or turning the fan on reruns this part alone.
The chart's specification and its fixed rows (the plan, observations, targets)
are cached; a slider move sends only the current settings' lines anew.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from innosim.core import data

from . import charts, compute, i18n, state
from .later import Later

DEFAULT_CHARTS = 6


def headline_targeted(card: pd.DataFrame) -> list[str]:
    """Headline indicators with a target still open first, then those with a past one."""
    headline = {i.indicator for i in data.indicators() if i.headline}
    modelled = [(year, indicator) for year, indicator, status in zip(card.year.tolist(), card.indicator.tolist(),
                                                                     card.status.tolist()) if status in ("met", "missed")]
    modelled.sort(key=lambda row: -row[0])           # latest first; stable, so the card's order within a year
    return list(dict.fromkeys(i for _, i in modelled if i in headline))


def _on_pick(key: str, region: str) -> None:
    state.ss().s_charts = {**state.ss().get("s_charts", {}), region: list(st.session_state[key])}


def chart_rows(region: str, keys: tuple[str, str], chosen: list[str], lang: str, fan: bool) -> pd.DataFrame:
    current = compute.projection(region, *keys)
    rows = charts.indicator_rows(chosen, current, compute.fixed_chart_rows(region, tuple(chosen), lang, keys[1]), lang)
    if fan:
        bands = compute.uncertainty(region, *keys)[0]
        rows = pd.concat([charts.band_rows(chosen, bands, lang), rows], ignore_index=True)
    return rows


@st.fragment
def charts_view(region: str, keys: tuple[str, str], card: pd.DataFrame, lang: str, later: Later | None = None) -> None:
    """With the fan on, the chart needs the Monte Carlo runs: it is drawn ``later``, when they are in."""
    s = state.ss()
    st.subheader(i18n.t("charts", lang))
    headline = [i.indicator for i in data.indicators() if i.headline]
    picked = s.get("s_charts", {}).get(region) or headline_targeted(card)[:DEFAULT_CHARTS]
    key = f"w-charts-{region}-{lang}"               # the language in the key: Streamlit sends back labels
    if s.get(key) != picked:
        s[key] = picked
    cols = st.columns([4, 1], vertical_alignment="bottom")
    chosen = cols[0].multiselect(i18n.t("chart_indicators", lang), headline, key=key, on_change=_on_pick,
                                 args=(key, region), format_func=lambda i: data.indicator(i).label(lang),
                                 placeholder=i18n.t("choose", lang), select_all=False)
    if s.get("w-fan") != s.get("s_fan", False):
        s["w-fan"] = s.get("s_fan", False)
    fan = cols[1].toggle(i18n.t("fan_toggle", lang), key="w-fan",
                         on_change=lambda: s.__setitem__("s_fan", s["w-fan"]))
    if not chosen:
        return
    st.caption(i18n.t("chart_legend", lang) + (" " + i18n.t("fan_caption", lang, n=compute.APP_SAMPLES) if fan else ""))
    slot = st.empty()

    def draw() -> None:
        rows = chart_rows(region, keys, chosen, lang, fan)
        slot.vega_lite_chart(rows, compute.chart_spec(tuple(chosen), lang, fan), width="content")
        s["chart_rows"] = rows

    if fan and later is not None:
        later.add(draw)
    else:
        draw()
