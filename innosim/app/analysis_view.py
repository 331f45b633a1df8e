"""The planner page's deeper analyses: what lever setting a target needs, what matters, what does the work.

Each panel is a thin view of one cached call in ``compute``; the numbers
come from ``model.goalseek``, ``model.sensitivity`` and ``model.attribution``.
"""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from innosim.analysis.goalseek import CONFIDENCE_SAMPLES
from innosim.analysis.sensitivity import headline_outputs
from innosim.core import data
from innosim.core.model import Model

from . import charts, compute, i18n, state

SENSITIVITY_N = {"levers": 256, "parameters": 64}     # Sobol base samples: ~4,000 runs either way, ~1.5 s
CONFIDENCES = [None, 0.5, 0.8, 0.9]     # None: met on the central projection


def _shown(lever, value: float) -> str:
    """A lever value as its slider shows it (percent levers x 100)."""
    scale = i18n.display_scale(lever)
    return f"{value * scale:.2f}" if scale != 1 else f"{value:.3g}"


def _target_label(t, lang: str) -> str:
    return f"{data.indicator(t.indicator).label(lang)} {t.year} {i18n.target_text(t.comparator, t.value, t.unit)}"


def _factor_labels(m: Model, lang: str) -> dict[str, str]:
    labels = {lv.id: i18n.lever_label(lv, lang) for lv in m.levers}
    labels.update({name: var.name for name, var in m.variables.items() if name not in labels})
    return labels


def goal_seek_view(m: Model, region: str, card: pd.DataFrame, keys: tuple[str, str], lang: str) -> None:
    year = int(st.session_state.change_year)
    st.caption(i18n.t("goal_intro", lang, year=year))
    targets = {f"{t.indicator}@{t.year}": t for t in data.targets()          # a past target cannot move
               if t.region == region and t.modelled and t.year >= year}
    if not targets:
        st.info(i18n.t("goal_pick", lang))
        return
    order = {i.indicator: k for k, i in enumerate(data.indicators())}     # headline indicators first
    missed = [f"{r.indicator}@{int(r.year)}" for r in sorted(card[card.status == "missed"].itertuples(),
                                                             key=lambda r: (order[r.indicator], r.year))]
    default = next((k for k in missed if k in targets), next(iter(targets)))
    cols = st.columns([3, 2, 1])
    chosen = cols[0].multiselect(i18n.t("goal_targets", lang), list(targets), default=[default],
                                 format_func=lambda k: _target_label(targets[k], lang), key=f"goal_targets_{region}")
    levers = [lv.id for lv in m.levers if not lv.is_switch]
    lever_id = cols[1].selectbox(i18n.t("goal_lever", lang), levers, index=levers.index("fiscal_st_growth_rate"),
                                 format_func=lambda i: i18n.lever_label(m.lever(i), lang), key="goal_lever")
    confidence = cols[2].selectbox(i18n.t("goal_confidence", lang), CONFIDENCES, key="goal_confidence",
                                   format_func=lambda c: i18n.t("central", lang) if c is None else f"{c:.0%}",
                                   help=i18n.t("goal_confidence_help", lang, n=CONFIDENCE_SAMPLES))
    if not chosen:
        st.info(i18n.t("goal_pick", lang))
        return
    lever = m.lever(lever_id)
    wanted = tuple((targets[k].indicator, targets[k].year) for k in chosen)
    with st.spinner():
        result = compute.goal_seek(region, lever_id, wanted, *compute.sought_keys(keys, lever_id, year), year,
                                   confidence)
    unit = i18n.lever_unit(lever, lang)
    name = i18n.lever_label(lever, lang)
    sep = "；" if lang == "zh" else "; "
    if result.reachable:
        goals = sep.join(f"{_target_label(t, lang)} ({a:,.4g})" for t, a in zip(result.targets, result.achieved))
        st.success(i18n.t("goal_found" if result.bound == "smallest" else "goal_found_max", lang, lever=name,
                          value=f"{_shown(lever, result.value)} {unit}", goals=goals))
        st.button(i18n.t("goal_apply", lang), on_click=_apply, args=(lever, region, result.value, result.bound),
                  key="goal_apply")
    else:
        goals = sep.join(_target_label(t, lang) for t in result.targets)
        achieved = sep.join(f"{data.indicator(t.indicator).label(lang)} {a:,.4g}"
                            for t, a in zip(result.targets, result.best_achieved))
        st.warning(i18n.t("goal_unreachable", lang, lever=name, low=_shown(lever, result.low),
                          high=f"{_shown(lever, result.high)} {unit}", goals=goals,
                          best=f"{_shown(lever, result.best_value)} {unit}", achieved=achieved))
    st.session_state.goal_result = result


def _apply(lever, region: str, value: float, bound: str) -> None:
    """Set the slider to the found value, rounded to its step on the side that keeps the targets met."""
    share = round((value - lever.low) / lever.step, 9)
    steps = math.ceil(share) if bound == "smallest" else math.floor(share)
    state.set_override(lever, region, round(min(lever.high, lever.low + steps * lever.step), 10))
    st.session_state.lever_epoch += 1     # rebuild the sliders from the overrides


def sensitivity_view(m: Model, region: str, keys: tuple[str, str], lang: str) -> None:
    st.caption(i18n.t("sens_intro", lang))
    cols = st.columns([2, 3])
    factor_set = cols[0].radio(i18n.t("sens_factors", lang), list(SENSITIVITY_N), key="sens_factors",
                               format_func=lambda k: i18n.t(f"sens_{k}", lang))
    outputs = [f"{ind}@{year}" for ind, year in headline_outputs(region, st.session_state.run.get("end_year"))]
    output = cols[1].selectbox(i18n.t("sens_output", lang), outputs, key=f"sens_output_{region}",
                               format_func=lambda o: f"{data.indicator(o.split('@')[0]).label(lang)} "
                                                     f"{o.split('@')[1]}")
    n = SENSITIVITY_N[factor_set]
    runs = compute.sensitivity_runs(region, *keys, factor_set, n)
    request = (region, *keys, factor_set)
    if st.button(i18n.t("sens_run", lang, runs=f"{runs:,}"), key="sens_run"):
        st.session_state.sens_request = request
    if st.session_state.get("sens_request") != request:
        return
    with st.spinner():
        indices = compute.sensitivity(region, *keys, factor_set, n)
    st.session_state.sensitivity_indices = indices
    st.altair_chart(charts.sensitivity_chart(indices[indices.output == output], _factor_labels(m, lang), lang),
                    width="stretch")
    st.caption(i18n.t("sens_done", lang, runs=f"{runs:,}", n=n))


def attribution_view(m: Model, region: str, keys: tuple[str, str], lang: str) -> None:
    st.caption(i18n.t("attr_intro", lang))
    if not st.session_state.overrides:
        st.info(i18n.t("attr_none", lang))
        return
    cols = st.columns(2)
    last = st.session_state.run.get("end_year") or m.final_year      # a scenario may end its runs early
    years = [y for y in (2025, 2027, 2030, 2035) if y < last] + [last]
    year = cols[0].selectbox(i18n.t("attr_year", lang), years, index=years.index(min(2027, last)), key="attr_year")
    headline = [i.indicator for i in data.indicators() if i.headline]
    indicator = cols[1].selectbox(i18n.t("attr_indicator", lang), headline, key="attr_indicator",
                                  format_func=lambda i: data.indicator(i).label(lang))
    table, totals = compute.attribution(region, *keys, year)
    mine = table[table.indicator == indicator]
    total = totals[totals.indicator == indicator].iloc[0]
    unit = data.indicator(indicator).unit
    st.markdown(i18n.t("attr_total", lang, plan=f"{total.plan:,.4g} {unit}", now=f"{total.scenario:,.4g} {unit}",
                       diff=f"{total.difference:+,.4g} {unit}"))
    st.altair_chart(charts.attribution_chart(mine, _factor_labels(m, lang), lang), width="stretch")
    st.session_state.attribution_table = mine


def analysis_view(m: Model, region: str, card: pd.DataFrame, keys: tuple[str, str], lang: str) -> None:
    st.subheader(i18n.t("analysis", lang))
    goal, sens, attr = st.tabs([i18n.t("goal_tab", lang), i18n.t("sensitivity_tab", lang),
                                i18n.t("attribution_tab", lang)])
    with goal:
        goal_seek_view(m, region, card, keys, lang)
    with sens:
        sensitivity_view(m, region, keys, lang)
    with attr:
        attribution_view(m, region, keys, lang)
