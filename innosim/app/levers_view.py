"""The levers in the sidebar: one slider (or rule choice) per lever, grouped by sector, from the model.

Nothing here names a lever: ids, units, ranges, steps and sectors come from
``Model.levers``, names from ``model/labels.csv``, the share groups from
``model/share_groups.toml`` and which levers a rule makes inert from running
the model (``analysis.inert``).  Each slider is seeded from the session's
settings (``state``) on every run and writes back in its callback, so what it
shows never depends on the language or on a page visited in between.
"""
from __future__ import annotations

import math

import streamlit as st

from innosim.core import shares
from innosim.core.timeline import observed_levers

from . import compute, i18n, names, state

SECTOR_ORDER = ["Fiscal S&T and talent spending", "Enterprise R&D", "Total R&D and knowledge", "Talent",
                "Digital economy and S&T services", "Economy drivers"]


def slider_key(region: str, lever) -> str:
    return f"w-lever-{region}-{lever.id}"


def _peak(lever, region: str, m) -> float:
    """The most the lever takes from the start year on under the current settings (for the share room)."""
    value = state.overrides(region, m).get(lever.id, lever.default(region))
    if not isinstance(value, dict):
        return float(value)
    year = int(state.ss().s_from_year)
    before = [v for y, v in value.items() if y <= year]
    return max([v for y, v in value.items() if y >= year] + ([before[-1]] if before else [lever.default(region)]))


def _on_slide(lever, region: str, m, key: str) -> None:
    value = names.from_shown(lever, st.session_state[key])
    group = shares.group_of(lever.id)
    if group is not None:
        others = {k: _peak(m.lever(k), region, m) for k in group.levers if k != lever.id}
        room = shares.room(lever.id, others)
        if value > room + shares.TOLERANCE:
            steps = math.floor((room - lever.low) / lever.step + 1e-9)
            value = round(lever.low + max(0, steps) * lever.step, 10)
            st.session_state[key] = names.shown(lever, value)
            lang = state.ss().s_lang
            state.ss().s_share_note = (group.id, i18n.t(
                "share_clamped", lang, lever=names.lever_label(lever, lang), value=names.lever_text(lever, value, lang),
                group=group.name(lang), limit=f"{group.at_most:.0%}"))
    state.move(lever, region, value)


def _on_choice(lever, region: str, key: str) -> None:
    state.move(lever, region, float(st.session_state[key]))


def _help(lever, region: str, lang: str, inert) -> str:
    plan = names.lever_text(lever, lever.default(region), lang)
    parts = [names.lever_meaning(lever, lang),
             i18n.t("default_source", lang) + i18n.describe_source(lever.sources.get(region, ""), lang),
             i18n.t("plan_marker", lang, value=plan)]
    if inert is not None:
        parts.insert(0, "**" + _inert_reason(inert, lang) + "**")
    return "  \n".join(p for p in parts if p)


def _inert_reason(inert, lang: str) -> str:
    if inert.switch is None:
        return i18n.t("inert_other", lang)
    m = compute.the_model()
    switch = m.lever(inert.switch)
    labels = names.choices(switch, lang)
    return i18n.t("inert_switch", lang, switch=names.lever_label(switch, lang),
                  now=labels[int(inert.switch_now == switch.high)], other=labels[int(inert.switch_value == switch.high)])


def _lever(m, lever, region: str, lang: str, inert) -> None:
    unit = names.lever_unit(lever, lang)
    label = names.lever_label(lever, lang) + (f" ({unit})" if unit else "")
    help_text = _help(lever, region, lang, inert)
    value = state.shown_value(lever, region)
    if names.display(lever) == "choice":
        key = f"w-rule-{region}-{lever.id}-{lang}"       # the language in the key: Streamlit sends back labels
        options = [lever.low, lever.high]
        wanted = min(options, key=lambda o: abs(o - value))
        if st.session_state.get(key) != wanted:
            st.session_state[key] = wanted
        labels = names.choices(lever, lang)
        st.radio(label, options, key=key, on_change=_on_choice, args=(lever, region, key), help=help_text,
                 horizontal=True, format_func=lambda v: labels[int(v == lever.high)])
    else:
        key = slider_key(region, lever)
        low, high = names.shown(lever, lever.low), names.shown(lever, lever.high)
        wanted = float(min(max(names.shown(lever, value), low), high))
        if st.session_state.get(key) != wanted:
            st.session_state[key] = wanted
        st.slider(label, min_value=float(low), max_value=float(high), step=float(names.shown(lever, lever.step)),
                  key=key, on_change=_on_slide, args=(lever, region, m, key), help=help_text,
                  format=f"%.{names.decimals(lever)}f", disabled=inert is not None)
    current = state.overrides(region, m).get(lever.id)
    if isinstance(current, dict):
        points = "; ".join(f"{y}: {names.lever_text(lever, v, lang)}" for y, v in sorted(current.items()))
        st.caption(i18n.t("schedule_kept", lang) + points)
    if lever.id in state.moved(region):
        scenario = state.scenario_value(lever, region)
        shown = (names.lever_text(lever, scenario, lang) if not isinstance(scenario, dict) else
                 "; ".join(f"{y}: {names.lever_text(lever, v, lang)}" for y, v in sorted(scenario.items())))
        st.button(i18n.t("lever_reset", lang), key=f"w-reset-{region}-{lever.id}", icon=":material/undo:",
                  type="tertiary", on_click=state.reset_lever, args=(lever, region),
                  help=i18n.t("lever_reset_help", lang, value=shown))


def marker_css(m, region: str) -> str:
    """A tick under each slider at the plan's value (CSS: Streamlit's slider has no marker of its own).
    Each slider's rule only sets where (a variable on its own box, a plain class rule); the one rule that
    draws the tick is in ``style.BASE``.  Forty rules reaching into every slider's inner boxes cost the
    browser a style pass over the page at every redraw."""
    rules = []
    for lever in m.levers:
        if lever.is_switch or names.display(lever) == "choice":
            continue
        where = (lever.default(region) - lever.low) / (lever.high - lever.low) * 100
        rules.append(f".st-key-{slider_key(region, lever)} {{ --plan-tick: {where:.3f}%; }}")
    return "\n".join(rules)


def _group_sums(m, region: str, lang: str, sector_levers: list) -> None:
    ids = {lv.id for lv in sector_levers}
    for group in shares.share_groups():
        if not set(group.levers) <= ids:
            continue
        total = sum(_peak(m.lever(k), region, m) for k in group.levers)
        text = i18n.t("share_sum", lang, group=group.name(lang), total=f"{total:.0%}", limit=f"{group.at_most:.0%}")
        with st.container(key=f"share-{group.id}"):
            st.caption(text)
            note = state.ss().get("s_share_note")
            if note and note[0] == group.id:
                st.warning(note[1])
                state.ss().s_share_note = None


def _on_group(sector: str, key: str) -> None:
    opened = set(state.ss().get("s_open_groups") or ())
    (opened.add if st.session_state.get(key) else opened.discard)(sector)
    state.ss().s_open_groups = opened


def levers_panel(m, region: str, lang: str, inputs_key: str) -> None:
    switches = {lv.id: v for lv in m.levers if lv.is_switch
                for k, v in state.overrides(region, m).items() if k == lv.id}
    inert = compute.inert(region, state.key(switches), inputs_key)
    by_sector: dict[str, list] = {}
    # Within a group the policies come first and the scenario assumptions (output growth, prices, revenue beyond
    # its buoyancy: the levers the no-new-policy reference keeps from the case) after them.
    assumptions = set(observed_levers().keep)
    for lever in sorted(m.levers, key=lambda lv: lv.id in assumptions):
        by_sector.setdefault(lever.sector, []).append(lever)
    order = sorted(by_sector, key=lambda s: SECTOR_ORDER.index(s) if s in SECTOR_ORDER else len(SECTOR_ORDER))
    opened = state.ss().get("s_open_groups")
    if opened is None:
        opened = state.ss().s_open_groups = {order[0]}
    for sector in order:
        # Only an open group draws its sliders (Streamlit runs a collapsed expander's body only when it is
        # opened), so a slider move redraws a handful of levers, not all of them.
        key = f"w-group-{sector}"
        box = st.expander(i18n.sector(sector, lang), expanded=sector in opened, key=key, on_change=_on_group,
                          args=(sector, key))
        if box.open is False:
            continue
        with box:
            for lever in by_sector[sector]:      # a keyed slider carries its key as a CSS class: the plan tick
                _lever(m, lever, region, lang, inert.get(lever.id))
            _group_sums(m, region, lang, by_sector[sector])
