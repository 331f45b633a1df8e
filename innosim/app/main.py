"""The planner app's entry point: the settings every page shares, the pages, the URL.

``streamlit run app.py`` (in a checkout) and ``innosim app`` (from any
install) both run this.  The language and region pickers sit at the top of
the sidebar on every page, so a page visited never resets them; the settings
are written to the URL after every run (``links``), so a reload or a shared
link reproduces the view.  Every number comes from the innosim API.
"""
from __future__ import annotations

import time

import streamlit as st

from innosim.errors import InputError

from . import calibration_page, compute, display, i18n, links, model_page, planner, state, style


def _on_language() -> None:
    s = state.ss()
    chosen = s.get("w-lang")
    if chosen not in i18n.LANGUAGES:           # a second click deselects: keep the language
        return
    s.s_lang = chosen               # an untyped report name follows the language (state.report_text)


def _on_region(key: str) -> None:
    state.ss().s_region = state.ss()[key]


def shared_sidebar(m) -> None:
    """Language and region: the two settings every page reads."""
    s = state.ss()
    lang = s.s_lang
    if s.get("w-lang") != lang:
        s["w-lang"] = lang
    with st.sidebar:
        left, right = st.columns([1.15, 1])
        left.segmented_control(i18n.t("language", lang), list(i18n.LANGUAGES), key="w-lang",
                               format_func=lambda code: i18n.LANGUAGES[code], selection_mode="single",
                               on_change=_on_language)
        key = f"w-region-{lang}"                # the language in the key: Streamlit sends back the label
        if s.get(key) != s.s_region:
            s[key] = s.s_region
        right.selectbox(i18n.t("region", lang), list(m.regions), key=key, on_change=_on_region, args=(key,),
                        format_func=lambda r: i18n.region(r, lang), **i18n.choose(lang))


def main() -> None:
    started, cpu = time.perf_counter(), time.thread_time()
    st.set_page_config(page_title="innosim", page_icon="🧭", layout="wide")
    m = compute.the_model()     # first: on a cold start this is the slow step, and it shows a spinner
    if state.init(m):            # a new session (a first visit, a reload, a shared link): take what the URL carries
        links.restore(m)
    lang = state.ss().s_lang
    pages = [
        st.Page(planner.page, title=i18n.t("page_planner", lang), url_path="planner", default=True),
        st.Page(model_page.page, title=i18n.t("page_model", lang), url_path="model"),
        st.Page(calibration_page.page, title=i18n.t("page_calibration", lang), url_path="calibration"),
    ]
    page = st.navigation(pages, position="top")
    shared_sidebar(m)
    style.inject(state.ss().s_lang)
    for note in state.ss().s_notes:
        st.warning(display.plain(note))
    state.ss().s_notes = []
    try:
        page.run()
    except InputError as exc:               # a setting the model refuses: one line, and the page recovers
        st.error(i18n.t("error_line", state.ss().s_lang) + display.plain(display.scrub(str(exc))))
    links.sync(m)
    # The server's time for this rerun (wall clock, and this thread's CPU, which a busy machine does not
    # inflate), for benchmarks/bench_app.py and the app tests.
    st.session_state["_rerun_seconds"] = time.perf_counter() - started
    st.session_state["_rerun_cpu_seconds"] = time.thread_time() - cpu


if __name__ == "__main__":        # `streamlit run` runs this file as the main script (`innosim app`)
    main()
