"""The model page: structure drawn from PySD's dependency graph, the named loops, parameters with sources."""
from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from innosim.core import data
from innosim.core.structure import causal_edges, loops, pysd_dependencies

from . import compute, i18n, names, state


@st.cache_resource(show_spinner=False)
def _edges() -> frozenset:
    return frozenset(causal_edges(pysd_dependencies()))


def _label(name: str, lang: str) -> str:
    return names.variable(name, lang).replace('"', "'")


def _node(name: str, var, lang: str) -> str:
    """Stocks as boxes, levers as diamonds, other constants (parameters) as octagons, the rest as ellipses:
    the legend above the chart says so (``stocks_note``)."""
    shape = "box" if var.kind == "stock" else ("diamond" if var.is_lever else "octagon") \
        if var.kind == "constant" else "ellipse"
    style = ', style="filled", fillcolor="#dde8f5"' if var.kind == "stock" else \
        ', style="filled", fillcolor="#fde9c9"' if var.is_lever else ""
    return f'"{name}" [label="{_label(name, lang)}", shape={shape}{style}];'


def sector_map(m, lang: str) -> str:
    counts = Counter()
    for cause, effect in _edges():
        a, b = m.variables.get(cause), m.variables.get(effect)
        if a and b and a.sector != b.sector and "Control" not in (a.sector, b.sector):
            counts[(a.sector, b.sector)] += 1
    lines = ["digraph { rankdir=LR; node [shape=box, style=rounded, fontname=sans];"]
    for (a, b), n in counts.items():
        lines.append(f'"{i18n.sector(a, lang)}" -> "{i18n.sector(b, lang)}" [label="{n}", penwidth={1 + n / 4:.1f}];')
    lines.append("}")
    return "\n".join(lines)


def sector_graph(m, sector: str, lang: str) -> str:
    inside = {k for k, v in m.variables.items() if v.sector == sector and v.kind != "lookup"}
    lines = ["digraph { rankdir=LR; node [fontname=sans, fontsize=10];"]
    outside = set()
    for cause, effect in _edges():
        if effect in inside and (cause in inside or cause in m.variables):
            if cause not in inside:
                outside.add(cause)
            lines.append(f'"{cause}" -> "{effect}";')
    for name in inside:
        lines.append(_node(name, m.variables[name], lang))
    for name in outside:
        lines.append(f'"{name}" [label="{_label(name, lang)}", color=grey, fontcolor=grey];')
    lines.append("}")
    return "\n".join(lines)


def loop_graph(m, loop, lang: str) -> str:
    sign = "+" if loop.polarity == "reinforcing" else "−"
    lines = [f'digraph {{ rankdir=LR; label="{loop.id} ({sign})"; node [fontname=sans, fontsize=10];']
    for path in loop.paths:
        for cause, effect in zip(path, path[1:]):
            lines.append(f'"{cause}" -> "{effect}";')
        for name in path:
            lines.append(_node(name, m.variables[name], lang))
    lines.append("}")
    return "\n".join(lines)


def page() -> None:
    m = compute.the_model()
    lang = state.ss().s_lang
    st.title(i18n.t("page_model", lang))
    st.caption(i18n.t("model_intro", lang))
    st.subheader(i18n.t("sector_map", lang))
    st.graphviz_chart(sector_map(m, lang))
    sectors = sorted({v.sector for v in m.variables.values() if v.sector != "Control"})
    key = f"w-model-sector-{lang}"                 # the language in the key: Streamlit sends back the label
    if state.ss().get(key) not in sectors:
        state.ss()[key] = state.ss().get("s_model_sector") if state.ss().get("s_model_sector") in sectors \
            else sectors[0]
    pick = st.selectbox(i18n.t("sector_pick", lang), sectors, format_func=lambda s: i18n.sector(s, lang), key=key,
                        on_change=lambda: state.ss().__setitem__("s_model_sector", state.ss()[key]), **i18n.choose(lang))
    st.caption(i18n.t("stocks_note", lang))
    st.graphviz_chart(sector_graph(m, pick, lang))
    st.subheader(i18n.t("loops", lang))
    for loop in loops():
        with st.expander(f"{loop.id} {loop.name_zh if lang == 'zh' else loop.name_en} "
                         f"({i18n.pick(i18n.POLARITY[loop.polarity], lang)})"):
            st.write(loop.description)
            st.graphviz_chart(loop_graph(m, loop, lang))
    st.subheader(i18n.t("parameters", lang))
    st.markdown(f"**{i18n.t('levers_table', lang)}**")
    c = lambda name: i18n.column(name, lang)  # noqa: E731
    st.dataframe(pd.DataFrame([{
        c("name"): names.lever_label(lv, lang), c("unit"): names.lever_unit(lv, lang) or "—",
        c("range"): f"{names.lever_text(lv, lv.low, lang)} – {names.lever_text(lv, lv.high, lang)}",
        **{i18n.region(r, lang): names.lever_text(lv, lv.default(r), lang) for r in m.regions},
        i18n.t("clause", lang): "; ".join(f"{i18n.region(r, lang)}: {i18n.describe_source(lv.sources[r], lang)}"
                                          for r in m.regions), c("id"): lv.id} for lv in m.levers]), hide_index=True)
    st.markdown(f"**{i18n.t('region_table', lang)}**")
    rows = {}
    for r in data.region_values():
        if m.variables[r.variable].is_lever:
            continue
        row = rows.setdefault(r.variable, {c("variable"): names.variable(r.variable, lang, m),
                                           c("unit"): names.model_unit(r.unit, lang)})
        row[i18n.region(r.region, lang)] = r.value
        row[f"{i18n.region(r.region, lang)} ({i18n.t('clause', lang)})"] = \
            i18n.describe_source(r.source, lang) + (f" — {r.note}" if r.is_estimate else "")
    st.dataframe(pd.DataFrame(rows.values()), hide_index=True)
    st.markdown(f"**{i18n.t('param_table', lang)}**")
    regional = {r.variable for r in data.region_values()}
    st.dataframe(pd.DataFrame([{c("parameter"): names.variable(k, lang, m), c("value"): m.file_defaults[k],
                                c("unit"): names.model_unit(v.units, lang),
                                c("range"): "" if s.low is None else f"{s.low:g} – {s.high:g}",
                                c("source"): i18n.source_word(s.source, lang), c("note"): s.note, c("id"): k}
                               for k, v in m.variables.items() for s in [data.parameter_sources().get(k)]
                               if v.kind == "constant" and not v.is_lever and k not in regional and s]),
                 hide_index=True)
