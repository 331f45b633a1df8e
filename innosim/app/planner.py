"""The planner's page: scenario, start year and levers in the sidebar; the scorecard, charts, analyses,
downloads and comparison in the main view.

What a lever move changes is one fragment (``live``): a slider move reruns it
alone, not the pickers, the upload or the comparison.  Inside it, what does not
depend on the move is cached (``compute``), the Monte Carlo runs start at once
in their own process, and the central scorecard is drawn before their chances.
The charts, the analyses, the downloads and the comparison are fragments too:
their own widgets rerun only them.
"""
from __future__ import annotations

import streamlit as st

from innosim.core.scenarios import load_scenario, shipped
from innosim.paths import scenario_dir

from . import compute, display, i18n, state, style
from .analysis_view import analysis_view
from .charts_view import charts_view
from .compare_view import comparison_view, save_box
from .downloads_view import downloads_view
from .later import Later
from .levers_view import levers_panel, marker_css
from .notices import fiscal_ceiling
from .scorecard_view import scorecard_view
from .uploads import upload_box

UPLOADED = "__uploaded__"


def _on_scenario(key: str) -> None:
    choice = st.session_state[key]
    if choice == UPLOADED:
        return
    state.remember()
    state.set_base(load_scenario(scenario_dir() / choice), choice)


@st.cache_data(show_spinner=False)
def _scenario_titles(files: tuple[str, ...], language: str) -> dict[str, str]:
    return {f: load_scenario(scenario_dir() / f).title(language) for f in files}


def sidebar_top(m, lang: str):
    """The scenario and the start year (a change reruns the whole page); returns the places the live part
    fills: the undo and reset buttons beside the year, and the levers below."""
    s = state.ss()
    with st.sidebar:
        files = tuple(p.name for p in shipped())
        titles = _scenario_titles(files, lang)
        options = list(files) + ([UPLOADED] if s.s_file is None else [])
        key = f"w-scenario-{lang}"              # the language in the key: Streamlit sends back the label
        wanted = s.s_file or UPLOADED
        if s.get(key) != wanted:
            s[key] = wanted
        st.selectbox(i18n.t("scenario", lang), options, key=key, on_change=_on_scenario, args=(key,),
                     format_func=lambda f: titles.get(f) or "⤒ " + state.base().title(lang), **i18n.choose(lang))
        cols = st.columns([2.4, 1, 1], vertical_alignment="bottom")
        if s.get("w-from") != s.s_from_year:
            s["w-from"] = s.s_from_year
        years = list(range(state.first_free_year(), state.last_year(m) + 1)) or [state.first_free_year()]
        cols[0].selectbox(i18n.t("from_year", lang), years, key="w-from",
                          on_change=lambda: state.set_from_year(s["w-from"]),
                          help=i18n.t("from_year_help", lang, until=state.first_free_year() - 1,
                                      first=state.first_free_year()), **i18n.choose(lang))
        levers = st.container()
        upload_box(m, lang)
        if state.parameters():
            with st.expander(i18n.t("expert_parameters", lang)):
                st.json(state.parameters())
    return cols[1], cols[2], levers


def _on_undo() -> None:
    if state.undo():
        state.ss().s_rerun_app = True          # the start year may come back too: it sits outside the live part


@st.fragment
def live(m, region: str, lang: str, undo_box, reset_box, lever_box) -> None:
    """Everything a lever move changes, as one fragment: the levers (written into the sidebar), the header,
    the scorecard, the charts, the open analysis and the downloads.  A slider move reruns this alone; the
    pickers above, the upload and the comparison stay as they are."""
    s = state.ss()
    if s.pop("s_rerun_app", False):
        st.rerun()
    keys = state.keys(region, m)
    chances = compute.start_uncertainty(region, *keys)     # they compute while the central answer is drawn
    undo_box.button(":material/undo:", key="w-undo", help=i18n.t("undo", lang), on_click=_on_undo,
                    disabled=not s.s_undo, width="stretch")
    reset_box.button(":material/restart_alt:", key="w-reset", help=i18n.t("reset", lang), on_click=state.reset_all,
                     width="stretch")
    with lever_box:
        st.markdown(f"**{i18n.t('levers', lang)}**")
        levers_panel(m, region, lang, keys[1])
    b = state.base()
    adjusted = i18n.t("adjusted", lang) if state.adjusted(region, m) else ""
    st.markdown(f"**{display.plain(b.title(lang))}**{adjusted} — {display.plain(b.question(lang))}")
    if not state.levers_act(m):
        st.warning(i18n.t("run_too_short", lang, end=state.last_year(m), first=state.first_free_year()))
    current = compute.projection(region, *keys)
    s["ceiling_year"] = fiscal_ceiling(m, current, lang)
    card = compute.scorecard(region, *keys)
    s["current_table"] = current
    ready = compute.uncertainty(region, *keys)[1] if chances.done() and chances.exception() is None else None
    fill = scorecard_view(card, lang, region, ready)
    later = Later()
    charts_view(region, keys, card, lang, later)
    analysis_view(m, region, keys, lang, card)
    downloads_view(m, region, keys, card, lang)
    save_box(m, region, lang)                   # (the downloads wrote the settings to the URL)
    # Last, what needs the Monte Carlo runs: by now they have mostly finished beside the drawing above.
    s["probabilities"] = ready if ready is not None else compute.uncertainty(region, *keys)[1]
    s["scorecard"] = fill(s["probabilities"])
    later.run()


def page() -> None:
    m = compute.the_model()
    s = state.ss()
    lang, region = s.s_lang, s.s_region
    undo_box, reset_box, lever_box = sidebar_top(m, lang)
    style.extra(marker_css(m, region))
    st.title(f"{i18n.t('title', lang)} — {i18n.region(region, lang)}")
    live(m, region, lang, undo_box, reset_box, lever_box)
    comparison_view(m, region, lang)
