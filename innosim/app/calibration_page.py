"""The calibration page: the history fit (statistics, parameters, fitted against observed) and plan mode."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from innosim.core import coverage, data
from innosim.core.case import Case
from innosim.core.timeline import observed_levers
from innosim.errors import InputError

from . import charts, compute, i18n, names, state


@st.cache_data(show_spinner=False)
def history_path(region: str) -> pd.DataFrame:
    """The model along the observed policy and price path, with the history set (as calibration ran it)."""
    m = compute.the_model()
    return m.project(Case(region, final_year=observed_levers().until, label="history"))


def _series(name: str, lang: str) -> str:
    """A fitted or recorded series by its name: an indicator's label, else the model variable's."""
    try:
        return data.indicator(name).label(lang)
    except (KeyError, InputError, ValueError):
        if f"series_{name}" in i18n.TEXT:
            return i18n.t(f"series_{name}", lang)
        return names.variable(name, lang)


KIND_COLOURS = {"final": "#1f77b4", "preliminary": "#6baed6", "lower_bound": "#9467bd", "derived": "#2ca02c",
                "proxy": "#999999", "partial_year": "#cccccc"}


def _numeric(frame: pd.DataFrame, skip: int) -> pd.DataFrame:
    """The columns after the first ``skip`` as numbers: a statistic the fit could not give (None) shows as a
    blank cell, not as the word None."""
    for col in frame.columns[skip:]:
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame


def coverage_view(lang: str) -> None:
    """Every observed year of issue 10's series, as dots, for every region (not only the one chosen): what the
    fits above rest on, and what is still thin."""
    st.subheader(i18n.t("coverage_title", lang))
    st.caption(i18n.t("coverage_caption", lang))
    cells = coverage.cells()
    cells = cells[cells.series.isin(coverage.SERIES)].copy()
    order = [_series(s, lang) for s in coverage.SERIES]
    cells["label"] = cells.series.map(lambda s: _series(s, lang))
    cells["region_name"] = cells.region.map(lambda r: i18n.region(r, lang))
    cells["kind_name"] = cells.kind.map(lambda k: i18n.t(f"kind_{k}", lang))
    kinds = [k for k in KIND_COLOURS if k in set(cells.kind)]
    colour = alt.Color("kind_name:N", title=None, legend=alt.Legend(orient="top"),
                       scale=alt.Scale(domain=[i18n.t(f"kind_{k}", lang) for k in kinds],
                                       range=[KIND_COLOURS[k] for k in kinds]))
    base = alt.Chart().encode(
        x=alt.X("year:O", title=None, scale=alt.Scale(domain=list(range(coverage.FIRST_YEAR, coverage.LAST_YEAR + 1)))),
        y=alt.Y("label:N", title=None, sort=order, scale=alt.Scale(domain=order)),
        color=colour,
        tooltip=[alt.Tooltip("region_name:N", title=i18n.column("region", lang)),
                 alt.Tooltip("label:N", title=i18n.column("series", lang)),
                 alt.Tooltip("year:O", title=i18n.column("year", lang)), alt.Tooltip("kind_name:N", title=None)])
    chart = alt.layer(   # counted years filled, the others hollow
        base.transform_filter(alt.datum.counted).mark_point(size=60, filled=True, opacity=1),
        base.transform_filter(~alt.datum.counted).mark_point(size=60, filled=False),
        data=cells,
    ).properties(width=230, height=16 * len(order)).facet(
        column=alt.Column("region_name:N", title=None, sort=[i18n.region(r, lang) for r in data.REGIONS]))
    st.altair_chart(chart)
    short = coverage.shortfalls()
    st.session_state["coverage_shortfalls"] = short
    if not short:
        st.success(i18n.t("coverage_ok", lang))
        return
    c = lambda name: i18n.column(name, lang)  # noqa: E731
    st.dataframe(pd.DataFrame([{c("region"): i18n.region(s.region, lang), c("series"): _series(s.series, lang),
                                c("years observed"): len(s.years), c("goal"): s.required} for s in short]),
                 hide_index=True)


def page() -> None:
    m = compute.the_model()
    lang, region = state.ss().s_lang, state.ss().s_region      # the sidebar's pickers, shared with every page
    st.title(f"{i18n.t('page_calibration', lang)} — {i18n.region(region, lang)}")
    st.caption(i18n.t("calibration_intro", lang))
    try:
        pset = m.parameter_set("history", region)
    except InputError:
        pset = None
    if pset is None:
        st.info(i18n.t("calibration_none", lang))
        coverage_view(lang)
        return
    prov = pset.provenance
    st.write(i18n.t("fit_summary", lang, created=prov.get("created", ""), n=prov.get("n_observations"),
                    cost=f"{prov.get('data_cost', float('nan')):.3g}",
                    method=prov.get("method", "").replace("penalised weighted least squares", i18n.t("fit_method", lang))))
    st.subheader(i18n.t("fit_stats", lang))
    c = lambda name: i18n.column(name, lang)  # noqa: E731
    st.dataframe(_numeric(pd.DataFrame([{c("series"): _series(k, lang), c("n"): v.get("n"), "MAPE %": v.get("mape"),
                                         "R²": v.get("r2"), "U^M": v.get("um"), "U^S": v.get("us"), "U^C": v.get("uc")}
                                        for k, v in prov.get("fit", {}).items()]), skip=1), hide_index=True)
    st.subheader(i18n.t("fitted_parameters", lang))
    record = pset.fitted()
    sources = data.parameter_sources()
    ses = pset.extras.get("standard_errors", {})
    table = pd.DataFrame([{c("parameter"): names.variable(k, lang, m), c("calibrated"): v,
                           c("standard error"): ses.get(k),
                           c("estimate"): data.region_constants(region).get(k, m.file_defaults.get(k)),
                           c("range"): f"{sources[k].low:g} – {sources[k].high:g}"
                           if k in sources and sources[k].low is not None else ""}
                          for k, v in record.items()])
    numbers = [c("calibrated"), c("standard error"), c("estimate")]
    table[numbers] = _numeric(table[numbers].copy(), skip=0)
    st.dataframe(table, hide_index=True)
    points = compute.observed(region)
    path = history_path(region)
    shown = [s for s in dict.fromkeys(points.series)] if len(points) else []
    if shown:
        lines = path[path.indicator.isin(shown)][["indicator", "year", "value"]].assign(layer="model")
        dots = points[points.series.isin(shown)].rename(columns={"series": "indicator"})
        rows = pd.concat([lines, dots[["indicator", "year", "value", "lower_bound", "source"]].assign(layer="observed")],
                         ignore_index=True)
        rows["panel"] = rows.indicator.map(lambda i: charts.indicator_title(i, lang))
        base = alt.Chart(rows).encode(x=alt.X("year:Q", axis=alt.Axis(format="d"), title=None),
                                      y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)))
        chart = alt.layer(
            base.transform_filter(alt.datum.layer == "model").mark_line(),
            base.transform_filter(alt.datum.layer == "observed").mark_point(color="#d62728", size=50).encode(
                fill=alt.condition(alt.datum.lower_bound, alt.value("white"), alt.value("#d62728")),
                tooltip=["year:Q", "value:Q", "source:N"]),
        ).properties(width=260, height=170).facet(
            facet=alt.Facet("panel:N", title=None), columns=3).resolve_scale(y="independent")
        st.caption(i18n.t("model_line", lang))
        st.altair_chart(chart)
    coverage_view(lang)
    try:
        plan_set = m.parameter_set("plan", region)
    except InputError:
        plan_set = None
    if plan_set is not None:
        st.subheader(i18n.t("plan_mode", lang))
        targets = plan_set.extras.get("targets", [])
        st.dataframe(pd.DataFrame([{c("indicator"): data.indicator(t["indicator"]).label(lang), c("year"): t["year"],
                                    c("history"): t["history"], c("plan"): t["plan"],
                                    c("verdict"): i18n.verdict(t["verdict"], lang)}
                                   for t in targets]), hide_index=True)
