"""Altair charts: indicator paths with observations and targets, and scenario comparisons."""
from __future__ import annotations

import altair as alt
import pandas as pd

from innosim.core import data

from . import i18n, names

COLORS = {"current": "#1f77b4", "plan": "#7f7f7f"}


def indicator_title(indicator: str, language: str) -> str:
    ind = data.indicator(indicator)
    unit = names.unit(ind.unit, language)
    return f"{ind.label(language)} ({unit})" if unit else ind.label(language)


def target_marks(card: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """Targets as points at their years, in the indicator's own units (doublings from the base-year value)."""
    modelled = card[card.status.isin(["met", "missed"])]
    rows = []
    for ind, year, kind, target, base, comparator, unit, document, clause in zip(
            modelled.indicator, modelled.year, modelled.kind, modelled.target, modelled.base_value,
            modelled.comparator, modelled.unit, modelled.document, modelled.clause):
        level = base * target if kind == "multiple" else base + target if kind == "increase" else target
        note = f"{names.target_text(comparator, target, unit, language)} ({i18n.clause(document, clause, language)})"
        rows.append((ind, int(year), float(level), note))
    return pd.DataFrame(rows, columns=["indicator", "year", "value", "note"])


LAYER_COLUMNS = ["indicator", "panel", "year", "value", "series_label", "layer", "lower_bound", "source", "note",
                 "lower", "upper"]
FAN_COLOR = "#1f77b4"


def fixed_rows(indicators, plan_table, observed, targets, language) -> pd.DataFrame:
    """The rows that do not move with the levers: the plan, observations and targets."""
    names = {i: indicator_title(i, language) for i in indicators}
    parts = [plan_table[plan_table.indicator.isin(indicators)][["indicator", "year", "value"]]
             .assign(series_label=i18n.t("plan", language), layer="line")]
    if len(observed):
        obs = observed[observed.series.isin(indicators)].rename(columns={"series": "indicator"})
        parts.append(obs[["indicator", "year", "value", "lower_bound", "source"]].assign(layer="observed"))
    parts.append(targets[targets.indicator.isin(indicators)].assign(layer="target"))
    rows = pd.concat(parts, ignore_index=True)
    rows["panel"] = rows.indicator.map(names)
    return rows.reindex(columns=LAYER_COLUMNS)


def indicator_rows(indicators, current: pd.DataFrame, fixed: pd.DataFrame, language: str) -> pd.DataFrame:
    """The current settings' lines added to the fixed rows."""
    names = {i: indicator_title(i, language) for i in indicators}
    mine = current[current.indicator.isin(indicators)][["indicator", "year", "value"]]
    mine = mine.assign(series_label=i18n.t("current", language), layer="line", panel=mine.indicator.map(names))
    return pd.concat([mine.reindex(columns=LAYER_COLUMNS), fixed], ignore_index=True)


def band_rows(indicators, bands: pd.DataFrame, language: str) -> pd.DataFrame:
    """The uncertainty fan: the 5-95 and 25-75 percentile bands of the Monte Carlo runs."""
    names = {i: indicator_title(i, language) for i in indicators}
    mine = bands[bands.indicator.isin(indicators)]
    parts = [mine.assign(layer=layer, lower=mine[low], upper=mine[high])
             for layer, low, high in (("band90", "p5", "p95"), ("band50", "p25", "p75"))]
    rows = pd.concat(parts, ignore_index=True)
    rows["panel"] = rows.indicator.map(names)
    return rows.reindex(columns=LAYER_COLUMNS)


def indicator_spec(indicators: tuple[str, ...], language: str, columns: int = 3, fan: bool = False,
                   width: int = 215, height: int = 150) -> dict:
    """The Vega-Lite specification of the indicator chart, without its data (cache it: it costs ~60 ms)."""
    titles = [indicator_title(i, language) for i in indicators]
    year_title, value_title = i18n.t("year", language), i18n.t("value", language)
    domain = [i18n.t("current", language), i18n.t("plan", language)]
    base = alt.Chart(pd.DataFrame(columns=LAYER_COLUMNS)).encode(
        x=alt.X("year:Q", title=None, axis=alt.Axis(format="d", tickCount=5)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)))
    line = base.transform_filter(alt.datum.layer == "line").mark_line().encode(
        color=alt.Color("series_label:N", title=None, scale=alt.Scale(domain=domain,
                        range=[COLORS["current"], COLORS["plan"]]), legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("series_label:N", legend=None,
                                  scale=alt.Scale(domain=domain, range=[[1, 0], [5, 3]])),
        tooltip=[alt.Tooltip("series_label:N", title=""), alt.Tooltip("year:Q", format="d", title=year_title),
                 alt.Tooltip("value:Q", format=",.3~g", title=value_title)])
    points = base.transform_filter(alt.datum.layer == "observed").mark_point(size=45, color="#d62728").encode(
        fill=alt.condition(alt.datum.lower_bound, alt.value("white"), alt.value("#d62728")),
        tooltip=[alt.Tooltip("year:Q", format="d", title=year_title),
                 alt.Tooltip("value:Q", format=",.4~g", title=value_title),
                 alt.Tooltip("source:N", title=i18n.t("observed", language))])
    diamonds = base.transform_filter(alt.datum.layer == "target").mark_point(
        shape="diamond", size=110, filled=True, color="#2ca02c").encode(
        tooltip=[alt.Tooltip("year:Q", format="d", title=i18n.t("year", language)),
                 alt.Tooltip("value:Q", format=",.4~g", title=i18n.t("value", language)),
                 alt.Tooltip("note:N", title=i18n.t("target", language))])
    layers = [line, points, diamonds]
    if fan:
        layers = [_band(base, "band90", 0.12, i18n.t("band90", language), year_title),
                  _band(base, "band50", 0.25, i18n.t("band50", language), year_title)] + layers
    chart = alt.layer(*layers).properties(width=width, height=height).facet(
        facet=alt.Facet("panel:N", title=None, sort=titles, header=alt.Header(labelFontSize=12, labelLimit=width + 40)),
        columns=columns).resolve_scale(y="independent")
    spec = chart.to_dict()
    spec.pop("data", None)
    spec.pop("datasets", None)
    # On canvas a slider move repaints the six panels; as SVG it rewrote each panel's marks in the page.
    spec["usermeta"] = {"embedOptions": {"renderer": "canvas"}}
    return spec


def _band(base, layer: str, opacity: float, title: str, year_title: str = "year"):
    return base.transform_filter(alt.datum.layer == layer).mark_area(opacity=opacity, color=FAN_COLOR).encode(
        y="lower:Q", y2="upper:Q",
        tooltip=[alt.Tooltip("year:Q", format="d", title=year_title), alt.Tooltip("lower:Q", format=",.4~g", title=f"{title} ↓"),
                 alt.Tooltip("upper:Q", format=",.4~g", title=f"{title} ↑")])


def sensitivity_chart(indices: pd.DataFrame, labels: dict[str, str], language: str, top: int = 12) -> alt.Chart:
    """Sobol indices of one output as bars (total effect ST) with 95 % intervals, first-order S1 as ticks."""
    rows = indices.sort_values("ST", ascending=False).head(top).copy()
    rows["label"] = rows.factor.map(lambda f: labels.get(f, f))
    rows["ST_low"] = (rows.ST - rows.ST_conf).clip(lower=0)
    rows["ST_high"] = rows.ST + rows.ST_conf
    order = list(rows.label)
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False))
    centre = alt.Y("label:N", sort=order, bandPosition=0.5)   # rules and ticks in the middle of their bar
    tip = [alt.Tooltip("label:N", title=""), alt.Tooltip("ST:Q", format=".3f"), alt.Tooltip("ST_conf:Q", format=".3f"),
           alt.Tooltip("S1:Q", format=".3f"), alt.Tooltip("S1_conf:Q", format=".3f")]
    base = alt.Chart(rows)
    bars = base.mark_bar(color="#1f77b4", opacity=0.8).encode(
        y=y, x=alt.X("ST:Q", title=i18n.t("sobol_axis", language), scale=alt.Scale(domain=[0, 1], clamp=True)),
        tooltip=tip)
    error = base.mark_rule(color="black").encode(y=centre, x="ST_low:Q", x2="ST_high:Q", tooltip=tip)
    first = base.mark_tick(color="#d62728", thickness=3, size=14, orient="vertical").encode(
        y=centre, x=alt.X("S1:Q"), tooltip=tip)
    return alt.layer(bars, error, first).properties(height=alt.Step(28))


def attribution_chart(table: pd.DataFrame, labels: dict[str, str], language: str, unit: str = "") -> alt.Chart:
    """Each lever's share of one indicator's difference from the plan: Shapley bars, one-at-a-time ticks."""
    rows = table.copy()
    rows["label"] = rows.lever.map(lambda f: labels.get(f, f))
    order = list(rows.sort_values("shapley").label)
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False))
    centre = alt.Y("label:N", sort=order, bandPosition=0.5)
    tip = [alt.Tooltip("label:N", title=""), alt.Tooltip("shapley:Q", format=",.4~g", title="Shapley"),
           alt.Tooltip("one_at_a_time:Q", format=",.4~g", title=i18n.t("one_at_a_time", language))]
    bars = alt.Chart(rows).mark_bar(opacity=0.85).encode(
        y=y, x=alt.X("shapley:Q", title=i18n.t("contribution_axis", language, unit=names.difference_unit(unit, language))),
        color=alt.condition(alt.datum.shapley >= 0, alt.value("#2ca02c"), alt.value("#d62728")), tooltip=tip)
    ticks = alt.Chart(rows).mark_tick(color="black", thickness=2, size=18, orient="vertical").encode(
        y=centre, x="one_at_a_time:Q", tooltip=tip)
    return alt.layer(bars, ticks).properties(height=alt.Step(34))


def comparison_chart(tables: dict[str, pd.DataFrame], indicator: str, language: str) -> alt.Chart:
    """One indicator across the plan and the saved scenarios, each line named as it was saved."""
    rows = pd.concat([t[t.indicator == indicator][["year", "value"]].assign(scenario=name)
                      for name, t in tables.items()], ignore_index=True)
    order = list(tables)
    return alt.Chart(rows).mark_line(point=True).encode(
        x=alt.X("year:Q", title=None, axis=alt.Axis(format="d")),
        y=alt.Y("value:Q", title=indicator_title(indicator, language), scale=alt.Scale(zero=False)),
        color=alt.Color("scenario:N", title=None, sort=order, legend=alt.Legend(orient="top", labelLimit=260)),
        tooltip=[alt.Tooltip("scenario:N", title=i18n.t("scenario", language)),
                 alt.Tooltip("year:Q", format="d", title=i18n.t("year", language)),
                 alt.Tooltip("value:Q", format=",.4~g", title=i18n.t("value", language))],
    ).properties(height=260)
