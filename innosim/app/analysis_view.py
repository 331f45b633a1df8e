"""The planner page's deeper analyses: what lever setting a target needs, what matters, what does the work.

Each panel is a fragment over one cached call in ``compute``; the numbers come
from ``analysis.goalseek``, ``analysis.sensitivity`` and ``analysis.attribution``.
Goal seeking and the sensitivity run when asked (a button), and their answers
stay on show while the settings they answer stay.
Goal seeking offers only targets whose year is still ahead and only levers the
current rules let act; the core refuses the others too.
"""
from __future__ import annotations

import math

import streamlit as st

from innosim.analysis.goalseek import CONFIDENCE_SAMPLES
from innosim.analysis.sensitivity import headline_outputs
from innosim.core import data
from innosim.core.model import Model
from innosim.core.timeline import observed_levers
from innosim.errors import InputError

from . import charts, compute, display, i18n, names, state

SENSITIVITY_N = {"levers": 256, "parameters": 64}     # Sobol base samples: ~4,000 runs either way, ~1.5 s
CONFIDENCES = [0.0, 0.5, 0.8, 0.9]     # 0: met on the central projection (not None: a select box reads None as empty)


def _target_label(t, lang: str) -> str:
    target = names.target_text(t.comparator, t.value, t.unit, lang)
    return f"{data.indicator(t.indicator).label(lang)} {t.year} {target}"


def factor_labels(m: Model, lang: str) -> dict[str, str]:
    """Every factor (lever or parameter) by its name in the language."""
    labels = {name: names.variable(name, lang, m) for name in m.variables}
    labels.update({lv.id: names.lever_label(lv, lang) for lv in m.levers})
    return labels


def _seed(key: str, value) -> None:
    if st.session_state.get(key) != value:
        st.session_state[key] = value


@st.fragment
def goal_seek_view(m: Model, region: str, keys: tuple[str, str], lang: str, card) -> None:
    """``card``: the scorecard of ``keys`` (the first target missed is the one offered first)."""
    s = state.ss()
    if s.pop("s_rerun_app", False):            # a value was applied to a slider: the whole page must redraw
        st.rerun()
    year = int(s.s_from_year)
    st.caption(i18n.t("goal_intro", lang, year=year))
    targets = {f"{t.indicator}@{t.year}": t for t in data.targets()          # a past target cannot move
               if t.region == region and t.modelled and t.year >= year}
    if not targets:
        st.info(i18n.t("goal_none_left", lang, region=i18n.region(region, lang), year=year))
        return
    order = {i.indicator: k for k, i in enumerate(data.indicators())}     # headline indicators first
    missed = [f"{r.indicator}@{int(r.year)}" for r in sorted(card[card.status == "missed"].itertuples(),
                                                             key=lambda r: (order[r.indicator], r.year))]
    switches = {k: v for k, v in compute._levers(keys[0]).items() if m.lever(k).is_switch}
    inert = compute.inert(region, state.key(switches), keys[1])
    from .levers_view import SECTOR_ORDER

    rank = {sector: k for k, sector in enumerate(SECTOR_ORDER)}
    assumptions = set(observed_levers().keep)         # output growth, prices, revenue: not a policy to seek
    levers = [lv.id for lv in sorted(m.levers, key=lambda lv: (rank.get(lv.sector, len(rank)), lv.id in assumptions))
              if not lv.is_switch and lv.id not in inert]
    cols = st.columns([3, 2, 1])
    tkey = f"w-goal-targets-{region}-{lang}"
    picked = [k for k in s.get("s_goal_targets", {}).get(region, []) if k in targets] or \
        [next((k for k in missed if k in targets), next(iter(targets)))]
    _seed(tkey, picked)
    chosen = cols[0].multiselect(i18n.t("goal_targets", lang), list(targets), key=tkey,
                                 format_func=lambda k: _target_label(targets[k], lang), select_all=False,
                                 placeholder=i18n.t("choose", lang))
    s["s_goal_targets"] = {**s.get("s_goal_targets", {}), region: list(chosen)}    # kept across a language switch
    lkey = f"w-goal-lever-{lang}"
    wanted = s.get("s_goal_lever")
    _seed(lkey, wanted if wanted in levers else (levers[0] if levers else None))
    lever_id = cols[1].selectbox(i18n.t("goal_lever", lang), levers, key=lkey,
                                 format_func=lambda i: names.lever_label(m.lever(i), lang),
                                 help=i18n.t("goal_inert_note", lang) if inert else None,
                                 on_change=lambda: s.__setitem__("s_goal_lever", s[lkey]), **i18n.choose(lang))
    ckey = f"w-goal-confidence-{lang}"
    _seed(ckey, s.get("s_goal_confidence", 0.0))
    confidence = cols[2].selectbox(i18n.t("goal_confidence", lang), CONFIDENCES, key=ckey,
                                   format_func=lambda c: i18n.t("central", lang) if not c else f"{c:.0%}",
                                   help=i18n.t("goal_confidence_help", lang, n=CONFIDENCE_SAMPLES),
                                   on_change=lambda: s.__setitem__("s_goal_confidence", s[ckey]), **i18n.choose(lang))
    if not chosen or lever_id is None:
        st.info(i18n.t("goal_pick", lang))
        return
    lever = m.lever(lever_id)
    wanted_targets = tuple((targets[k].indicator, targets[k].year) for k in chosen)
    # On request, like the sensitivity: a seek is a few dozen runs, and seeking again at every slider move cost
    # the move a fifth of its time.  The answer stays while the settings it was found for stay (the sought
    # lever's own value aside: the seek replaces it, so applying the answer keeps it on show).
    request = (region, lever_id, wanted_targets, *compute.sought_keys(keys, lever_id, year), year, confidence or None)
    if st.button(i18n.t("goal_run", lang), key="goal_run", type="primary", icon=":material/search:"):
        s["goal_request"] = request
    asked = s.get("goal_request")
    if asked != request:
        if asked is not None and asked[:3] == request[:3]:
            st.caption(i18n.t("goal_stale", lang))
        return
    try:
        with st.spinner(i18n.t("goal_tab", lang) + "…"):
            result = compute.goal_seek(*request)
    except InputError as exc:
        st.warning(i18n.t("goal_refused", lang) + display.plain(display.scrub(str(exc))))
        return
    _show_result(m, lever, region, result, lang)
    s["goal_result"] = result


def _show_result(m, lever, region: str, result, lang: str) -> None:
    name = names.lever_label(lever, lang)
    sep = i18n.sep(lang)
    if result.reachable:
        goals = sep.join(f"{_target_label(t, lang)} ({display.number(a)})" for t, a in zip(result.targets,
                                                                                          result.achieved))
        value = names.lever_text(lever, result.value, lang, places=2)
        if result.bound == "smallest" and result.value <= lever.low + 1e-12:
            st.success(i18n.t("goal_anywhere", lang, lever=name, value=value, goals=goals))
        else:
            st.success(i18n.t("goal_found" if result.bound == "smallest" else "goal_found_max", lang, lever=name,
                              value=value, goals=goals))
            st.button(i18n.t("goal_apply", lang), on_click=_apply, args=(lever, region, result.value, result.bound,
                                                                           result.high), key="goal_apply")
    else:
        goals = sep.join(_target_label(t, lang) for t in result.targets)
        achieved = sep.join(f"{data.indicator(t.indicator).label(lang)} {display.number(a)}"
                            for t, a in zip(result.targets, result.best_achieved))
        st.warning(i18n.t("goal_unreachable", lang, lever=name, low=names.lever_text(lever, result.low, lang),
                          high=names.lever_text(lever, result.high, lang), goals=goals,
                          best=names.lever_text(lever, result.best_value, lang, places=2), achieved=achieved))


def _apply(lever, region: str, value: float, bound: str, high: float) -> None:
    """Set the slider to the found value, rounded to its step on the side that keeps the targets met."""
    share = round((value - lever.low) / lever.step, 9)
    steps = math.ceil(share) if bound == "smallest" else math.floor(share)
    state.move(lever, region, round(min(high, lever.low + steps * lever.step), 10))
    state.ss().s_rerun_app = True


@st.fragment
def sensitivity_view(m: Model, region: str, keys: tuple[str, str], lang: str) -> None:
    s = state.ss()
    st.caption(i18n.t("sens_intro", lang))
    cols = st.columns([2, 3])
    fkey = f"w-sens-factors-{lang}"
    _seed(fkey, s.get("s_sens_factors", "levers"))
    factor_set = cols[0].radio(i18n.t("sens_factors", lang), list(SENSITIVITY_N), key=fkey,
                               format_func=lambda k: i18n.t(f"sens_{k}", lang),
                               on_change=lambda: s.__setitem__("s_sens_factors", s[fkey]))
    outputs = [f"{ind}@{year}" for ind, year in headline_outputs(region, state.run_settings().get("end_year"))]
    if not outputs:
        st.info(i18n.t("sens_no_outputs", lang))
        return
    okey = f"w-sens-output-{region}-{lang}"
    _seed(okey, s.get("s_sens_output") if s.get("s_sens_output") in outputs else outputs[0])
    output = cols[1].selectbox(i18n.t("sens_output", lang), outputs, key=okey,
                               format_func=lambda o: f"{data.indicator(o.split('@')[0]).label(lang)} "
                                                     f"{o.split('@')[1]}",
                               on_change=lambda: s.__setitem__("s_sens_output", s[okey]), **i18n.choose(lang))
    n = SENSITIVITY_N[factor_set]
    runs = compute.sensitivity_runs(region, *keys, factor_set, n)
    request = (region, *keys, factor_set)
    if st.button(i18n.t("sens_run", lang, runs=f"{runs:,}"), key="sens_run"):
        s["sens_request"] = request
    if s.get("sens_request") != request:
        return
    with st.spinner(i18n.t("sensitivity_tab", lang) + "…"):
        indices = compute.sensitivity(region, *keys, factor_set, n)
    s["sensitivity_indices"] = indices
    st.altair_chart(charts.sensitivity_chart(indices[indices.output == output], factor_labels(m, lang), lang),
                    width="stretch")
    st.caption(i18n.t("sens_done", lang, runs=f"{runs:,}", n=n))


@st.fragment
def attribution_view(m: Model, region: str, keys: tuple[str, str], lang: str) -> None:
    s = state.ss()
    st.caption(i18n.t("attr_intro", lang))
    if keys[0] == "{}" or not state.levers_act(m):
        st.info(i18n.t("attr_none", lang))
        return
    cols = st.columns(2)
    last = state.run_settings().get("end_year") or m.final_year      # a scenario may end its runs early
    years = [y for y in (2025, 2027, 2030, 2035) if y < last] + [last]
    ykey = f"w-attr-year-{lang}"
    _seed(ykey, s.get("s_attr_year") if s.get("s_attr_year") in years else min(years, key=lambda y: abs(y - 2027)))
    year = cols[0].selectbox(i18n.t("attr_year", lang), years, key=ykey,
                             on_change=lambda: s.__setitem__("s_attr_year", s[ykey]), **i18n.choose(lang))
    headline = [i.indicator for i in data.indicators() if i.headline]
    ikey = f"w-attr-indicator-{lang}"
    _seed(ikey, s.get("s_attr_indicator") or headline[0])
    indicator = cols[1].selectbox(i18n.t("attr_indicator", lang), headline, key=ikey,
                                  format_func=lambda i: data.indicator(i).label(lang),
                                  on_change=lambda: s.__setitem__("s_attr_indicator", s[ikey]), **i18n.choose(lang))
    table, totals = compute.attribution(region, *keys, year)
    mine = table[table.indicator == indicator]
    total = totals[totals.indicator == indicator].iloc[0]
    unit = data.indicator(indicator).unit
    st.markdown(i18n.t("attr_total", lang, plan=display.quantity(total.plan, unit, lang),
                       now=display.quantity(total.scenario, unit, lang),
                       diff=display.difference(total.difference, unit, lang)))
    st.altair_chart(charts.attribution_chart(mine, factor_labels(m, lang), lang, unit), width="stretch")
    s["attribution_table"] = mine


TABS = ("goal_tab", "sensitivity_tab", "attribution_tab")


def _on_tab(key: str, lang: str) -> None:
    labels = [i18n.t(t, lang) for t in TABS]
    chosen = st.session_state.get(key)
    state.ss().s_analysis_tab = labels.index(chosen) if chosen in labels else 0


def analysis_view(m: Model, region: str, keys: tuple[str, str], lang: str, card) -> None:
    """The three analyses as tabs; only the open one runs (a slider move never pays for the hidden two).
    The open tab is kept by its position, so a change of language keeps it."""
    st.subheader(i18n.t("analysis", lang))
    labels = [i18n.t(t, lang) for t in TABS]
    open_tab = state.ss().get("s_analysis_tab", 0)
    key = f"w-analysis-{lang}"
    tabs = st.tabs(labels, default=labels[open_tab], key=key, on_change=_on_tab, args=(key, lang))
    views = (lambda: goal_seek_view(m, region, keys, lang, card), lambda: sensitivity_view(m, region, keys, lang),
             lambda: attribution_view(m, region, keys, lang))
    for tab, view in zip(tabs, views):
        if tab.open:
            with tab:
                view()
