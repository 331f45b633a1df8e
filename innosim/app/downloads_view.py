"""The downloads: a name and description for the report, then CSV, Excel, a Word brief and the scenario file.

A fragment: typing the name reruns only this part.  The files are made when a
button is pressed (deferred downloads), from what the page computed, so the
slider path never pays for them.
"""
from __future__ import annotations

import zlib

import streamlit as st

from innosim.core.scenarios import scenario_toml

from . import brief, compute, exports, i18n, links, state
from .exports import XLSX, labels, meta
from .scorecard_view import with_chances

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _on_text(field: str, key: str) -> None:
    state.ss()[field] = st.session_state[key]


@st.fragment
def downloads_view(m, region: str, keys: tuple[str, str], central, lang: str) -> None:
    """``central``: the scorecard without its chances; the files add them when made (the runs are in by then)."""
    s = state.ss()
    st.subheader(i18n.t("downloads", lang))
    cols = st.columns([2, 3])
    for col, field, label, limit in ((cols[0], "s_report_name", "report_name", 80),
                                     (cols[1], "s_report_description", "report_description", 400)):
        shown = state.report_text(field, region, m, lang)
        # The box's key carries what it shows: when the settings change the suggested name, a new box is drawn
        # with it.  Writing the new text into a kept box's state does not reach the browser inside a fragment
        # rerun, and the browser's old text then came back as if typed.
        key = f"w-{field}-{zlib.crc32(shown.encode('utf-8')):08x}"
        col.text_input(i18n.t(label, lang), value=shown, key=key, max_chars=limit, on_change=_on_text,
                       args=(field, key))
    links.sync(m)                                    # a name typed here belongs in the link too
    scenario = state.current_scenario(region, m)
    mine, plan = labels(scenario.title(lang), lang)
    tables = lambda: {mine: compute.projection(region, *keys), plan: compute.plan(region, keys[1])}  # noqa: E731
    from_year = s.s_from_year
    stem = f"innosim-{region}"
    card = lambda: with_chances(central, compute.uncertainty(region, *keys)[1])  # noqa: E731
    files = {   # made when a button is pressed; kept in the session so that tests read what a planner gets
        "csv": lambda: exports.csv_bytes(exports.projection_table(tables(), region, lang)),
        "xlsx": lambda: exports.report_workbook(m, region, scenario, from_year, card(), tables(), lang,
                                                meta(region, scenario, from_year)),
        "docx": lambda: brief.brief_bytes(m, region, scenario, from_year, card(),
                                          brief.key_chart(region, keys, central, lang), lang,
                                          meta(region, scenario, from_year)),
        "toml": lambda: scenario_toml(scenario).encode("utf-8"),     # runs unchanged with `innosim run`
    }
    s["downloads"] = files
    buttons = st.columns(4)
    buttons[0].download_button(i18n.t("download_csv", lang), files["csv"], file_name=f"{stem}.csv", mime="text/csv",
                               on_click="ignore", key="dl-csv")
    buttons[1].download_button(i18n.t("download_xlsx", lang), files["xlsx"], file_name=f"{stem}.xlsx", mime=XLSX,
                               on_click="ignore", key="dl-xlsx")
    buttons[2].download_button(i18n.t("download_docx", lang), files["docx"], file_name=f"{stem}-brief.docx", mime=DOCX,
                               on_click="ignore", key="dl-docx", type="primary")
    buttons[3].download_button(i18n.t("download_toml", lang), files["toml"], file_name=f"{stem}-settings.toml",
                               mime="application/toml", on_click="ignore", key="dl-toml")
