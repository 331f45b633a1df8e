"""The comparison: the region's saved settings side by side with the plan, each under the name it was given.

Names are unique (a name already saved is refused, the suggested name never
is), every entry keeps its own name in the chart, the tables and the exports,
and the comparison goes to CSV and Excel.  A fragment: saving or removing an
entry reruns only this part (and writes the link).
"""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from innosim.core import data

from . import charts, compute, display, exports, i18n, links, state
from .exports import XLSX, meta, reference_name


def _entry_keys(entry: dict) -> tuple[str, str]:
    return state.key(entry["levers"]), state.inputs_key(entry["parameters"], entry.get("run"))


def _on_save(m, region: str, lang: str, box: str) -> None:
    """Save under the name in the box; the comparison below (outside the live part) then redraws."""
    name = str(st.session_state.get(box, "")).strip()
    problem = "name_taken" if name == reference_name(lang) else state.save(region, m, name)
    state.ss().s_compare_note = (("warning", i18n.t(problem, lang, name=display.plain(name))) if problem else
                                 ("success", i18n.t("saved_ok", lang) + display.plain(name)))
    state.ss().s_rerun_app = True


def save_box(m, region: str, lang: str) -> None:
    """The comparison's heading and its save box, in the live part: the suggested name follows the settings
    (marked as adjusted after a move), so an entry is never saved under a name meant for other settings."""
    s = state.ss()
    st.subheader(i18n.t("compare", lang))
    suggestion = state.suggested_name(region, m, lang)
    # A new box whenever the suggestion changes (another scenario, a first move) or an entry is saved, so the
    # box never keeps a name typed for other settings.
    stamp = hashlib.sha1(f"{suggestion}|{len(s.s_saved)}".encode()).hexdigest()[:8]
    cols = st.columns([3, 1], vertical_alignment="bottom")
    box = f"w-save-name-{region}-{lang}-{stamp}"
    cols[0].text_input(i18n.t("save_name", lang), value=suggestion, key=box, max_chars=60)
    cols[1].button(i18n.t("save", lang), width="stretch", key="w-save", on_click=_on_save, args=(m, region, lang, box))


@st.fragment
def comparison_view(m, region: str, lang: str) -> None:
    """Outside the live part: a slider move does not redraw it (it shows what was saved, not the current
    settings)."""
    s = state.ss()
    keys = state.keys(region, m)
    links.sync(m)
    note = s.get("s_compare_note")
    if note:
        (st.warning if note[0] == "warning" else st.success)(note[1])
        s.s_compare_note = None
    saved = state.saved(region)
    if not saved:
        st.caption(i18n.t("compare_empty", lang))
        return
    for k, entry in enumerate(saved):
        row = st.columns([5, 1], vertical_alignment="center")
        row[0].markdown(f"{k + 1}. {display.plain(entry['name'])}")
        row[1].button(i18n.t("remove", lang), key=f"w-remove-{k}-{hashlib.sha1(entry['name'].encode()).hexdigest()[:6]}",
                      on_click=state.remove_saved, args=(entry["name"],))
    reference = reference_name(lang)
    tables = {reference: compute.plan(region, keys[1])}
    cards = {reference: compute.scorecard(region, "{}", keys[1])}
    for entry in saved:
        entry_keys = _entry_keys(entry)
        tables[entry["name"]] = compute.projection(region, *entry_keys, entry["name"])
        cards[entry["name"]] = compute.scorecard(region, *entry_keys, entry["name"])
    headline = [i.indicator for i in data.indicators() if i.headline]
    ikey = f"w-compare-indicator-{lang}"
    if s.get(ikey) != s.get("s_compare_indicator", headline[0]):
        s[ikey] = s.get("s_compare_indicator", headline[0])
    indicator = st.selectbox(i18n.t("compare_indicator", lang), headline, key=ikey,
                             format_func=lambda i: data.indicator(i).label(lang),
                             on_change=lambda: s.__setitem__("s_compare_indicator", s[ikey]), **i18n.choose(lang))
    st.altair_chart(charts.comparison_chart(tables, indicator, lang), width="stretch")
    counts = pd.DataFrame({i18n.t("scenario", lang): list(cards), i18n.t("compare_met", lang): [
        f"{int((c.verdict == 'met').sum())} / {int(c.status.isin(['met', 'missed']).sum())}" for c in cards.values()]})
    st.dataframe(counts, hide_index=True)
    table = exports.comparison_table(cards, lang)
    st.dataframe(table, hide_index=True, width="stretch")
    s["comparison_table"] = table
    scenario = state.current_scenario(region, m)
    from_year = s.s_from_year
    files = {"csv": lambda: exports.csv_bytes(exports.comparison_long(tables, cards, lang)),
             "xlsx": lambda: exports.comparison_workbook(region, tables, cards, lang,
                                                         meta(region, scenario, from_year, compared=list(cards)))}
    s["comparison_downloads"] = files
    buttons = st.columns(4)
    buttons[0].download_button(i18n.t("download_compare_csv", lang), files["csv"], on_click="ignore", mime="text/csv",
                               file_name=f"innosim-{region}-comparison.csv", key="dl-compare-csv")
    buttons[1].download_button(i18n.t("download_compare_xlsx", lang), files["xlsx"], on_click="ignore", mime=XLSX,
                               file_name=f"innosim-{region}-comparison.xlsx", key="dl-compare-xlsx")
