"""The planner's page: levers in the sidebar; scorecard, charts, comparison and downloads in the main view."""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from innosim.core import data
from innosim.core.model import Model
from innosim.core.scenarios import load_scenario, shipped
from innosim.core.timeline import observed_levers
from innosim.errors import InputError
from innosim.paths import scenario_dir

from . import charts, compute, i18n, state
from .analysis_view import analysis_view

SECTOR_ORDER = ["Fiscal S&T and talent spending", "Enterprise R&D", "Total R&D and knowledge", "Talent",
                "Digital economy and S&T services", "Economy drivers"]


def _fmt(value) -> str:
    if value is None or pd.isna(value):
        return "–"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def _on_scenario_change() -> None:
    st.session_state.scenario_file = st.session_state.scenario_select
    scenario = load_scenario(scenario_dir() / st.session_state.scenario_file)
    st.session_state.base_scenario = scenario
    state.apply(scenario)


def _on_reset() -> None:
    state.apply(st.session_state.get("base_scenario") or load_scenario(scenario_dir() / "plan.toml"))


@st.cache_data(show_spinner=False)
def _scenario_names(files: tuple[str, ...], language: str) -> dict[str, str]:
    return {f: load_scenario(scenario_dir() / f).title(language) for f in files}


def _slider_value(lever, value) -> float:
    scale = i18n.display_scale(lever)
    return round(value * scale, 6) if scale != 1 else value


def _model_value(lever, shown) -> float:
    scale = i18n.display_scale(lever)
    return round(shown / scale, 10) if scale != 1 else float(shown)


def _lever_widget(lever, region: str, lang: str) -> None:
    key = f"lever_{st.session_state.lever_epoch}_{region}_{lever.id}"
    current = state.effective(lever, region)
    schedule = isinstance(current, dict)
    value = current[max(current)] if schedule else current
    label = f"{i18n.lever_label(lever, lang)}" + (f" ({i18n.lever_unit(lever, lang)})" if i18n.lever_unit(lever, lang) else "")
    help_text = i18n.lever_help(lever, region, lang)

    def changed():
        shown = st.session_state[key]
        state.set_override(lever, region, _model_value(lever, shown))

    if i18n.lever_display(lever) == "choice":
        options = [0.0, 1.0]
        if key not in st.session_state:
            st.session_state[key] = float(value)
        st.radio(label, options, key=key, on_change=changed, help=help_text, horizontal=True,
                 format_func=lambda v: i18n.pick(i18n.CHOICES[lever.id][int(v)], lang))
    else:
        low, high = _slider_value(lever, lever.low), _slider_value(lever, lever.high)
        step = _slider_value(lever, lever.step)
        if key not in st.session_state:
            st.session_state[key] = float(min(max(_slider_value(lever, value), low), high))
        decimals = 0 if step >= 1 else 1 if step >= 0.1 else 2
        st.slider(label, min_value=float(low), max_value=float(high), step=float(step), key=key,
                  on_change=changed, help=help_text, format=f"%.{decimals}f")
    if schedule:
        shown = "; ".join(f"{y}: {_slider_value(lever, v):g}" for y, v in sorted(current.items()))
        st.caption(f"{i18n.t('schedule_kept', lang)}{shown}")


def sidebar(m: Model) -> None:
    lang = st.session_state.language
    with st.sidebar:
        st.segmented_control(i18n.t("language", lang), list(i18n.LANGUAGES), key="language",
                             format_func=lambda code: i18n.LANGUAGES[code], selection_mode="single")
        if st.session_state.language is None:      # a second click deselects; keep a language
            st.session_state.language = "zh"
        lang = st.session_state.language
        st.selectbox(i18n.t("region", lang), m.regions, key="region", format_func=lambda r: i18n.region(r, lang))
        files = tuple(p.name for p in shipped())
        names = _scenario_names(files, lang)
        if st.session_state.get("scenario_select") not in files:
            st.session_state.scenario_select = st.session_state.scenario_file if st.session_state.scenario_file in files \
                else files[0]
        st.selectbox(i18n.t("scenario", lang), files, key="scenario_select", format_func=lambda f: names[f],
                     on_change=_on_scenario_change)
        st.button(i18n.t("reset", lang), on_click=_on_reset, width="stretch")
        upload = st.file_uploader(i18n.t("upload", lang), type=["toml"], key="upload")
        if upload is not None:
            raw = upload.getvalue()
            digest = hashlib.sha256(raw).hexdigest()
            if digest != st.session_state.uploaded_digest:
                st.session_state.uploaded_digest = digest
                try:
                    scenario = state.apply_upload(raw, upload.name)
                    st.session_state.base_scenario = scenario
                    st.session_state.upload_message = ("ok", scenario.name, list(scenario.regions))
                except InputError as exc:
                    st.session_state.upload_message = ("error", str(exc), [])
            kind, text, regions = st.session_state.get("upload_message", ("", "", []))
            if kind == "ok":
                st.success(i18n.t("upload_ok", lang) + text)
                if st.session_state.region not in regions:
                    st.info(i18n.t("upload_other_region", lang,
                                   regions=", ".join(i18n.region(r, lang) for r in regions)))
            elif kind == "error":
                st.error(i18n.t("upload_error", lang) + text)
        st.subheader(i18n.t("levers", lang))
        st.selectbox(i18n.t("from_year", lang), list(range(observed_levers().first_free_year, m.final_year + 1)),
                     key="change_year",
                     help=i18n.t("from_year_help", lang))
        region = st.session_state.region
        by_sector: dict[str, list] = {}
        for lever in m.levers:
            by_sector.setdefault(lever.sector, []).append(lever)
        for sector in sorted(by_sector, key=lambda s: SECTOR_ORDER.index(s) if s in SECTOR_ORDER else 99):
            with st.expander(i18n.sector(sector, lang), expanded=sector == SECTOR_ORDER[0]):
                for lever in by_sector[sector]:
                    _lever_widget(lever, region, lang)
        if st.session_state.parameters:
            with st.expander(i18n.t("expert_parameters", lang)):
                st.json(st.session_state.parameters)


def _with_probability(card: pd.DataFrame, probabilities: pd.DataFrame) -> pd.DataFrame:
    """The scorecard with the Monte Carlo chance of meeting each target beside it."""
    keys = ["indicator", "year", "comparator", "target", "clause"]
    chance = probabilities[keys + ["probability"]].drop_duplicates(keys)
    return card.merge(chance, on=keys, how="left")


def scorecard_view(card: pd.DataFrame, lang: str):
    """The scorecard; returns a function that fills in the chance-met column once the ensemble has run.

    The table shows at once without it, so the deterministic answer never
    waits for the Monte Carlo runs.
    """
    modelled = card[card.status.isin(["met", "missed"])]
    met, plan_met = int((modelled.status == "met").sum()), int((modelled.plan_status == "met").sum())
    st.subheader(i18n.t("scorecard", lang))
    st.caption(i18n.t("scorecard_caption", lang))
    st.markdown(f"**{i18n.t('met_count', lang, met=met, total=len(modelled), plan_met=plan_met)}**")
    label = lambda row: f"{data.indicator(row.indicator).label(lang)} {row.year}"  # noqa: E731
    slipped = modelled[(modelled.status == "missed") & (modelled.plan_status == "met")]
    gained = modelled[(modelled.status == "met") & (modelled.plan_status == "missed")]
    sep = "；" if lang == "zh" else "; "
    if len(slipped):
        st.error(i18n.t("slipped", lang) + sep.join(f"{label(r)} ({_fmt(r.gap)})" for r in slipped.itertuples()))
    if len(gained):
        st.success(i18n.t("gained", lang) + sep.join(label(r) for r in gained.itertuples()))
    table = pd.DataFrame({
        i18n.t("indicator", lang): [data.indicator(i).label(lang) for i in modelled.indicator],
        i18n.t("year", lang): modelled.year.astype(int).astype(str),
        i18n.t("target_value", lang): [i18n.target_text(c, v, u) for c, v, u in
                                       zip(modelled.comparator, modelled.target, modelled.unit)],
        i18n.t("now", lang): [_fmt(v) for v in modelled.projected],
        i18n.t("plan", lang): [_fmt(v) for v in modelled.plan_projected],
        i18n.t("gap", lang): [("+" if g > 0 else "") + _fmt(g) for g in modelled.gap],
        i18n.t("status", lang): [("✅ " if s == "met" else "❌ ") + i18n.status(s, lang) for s in modelled.status],
        i18n.t("first_year", lang): [("" if pd.isna(y) else str(int(y))) for y in modelled.first_year_met],
        i18n.t("probability", lang): float("nan"),
        i18n.t("clause", lang): [f"{i18n.document(d, lang)} {c}" for d, c in zip(modelled.document, modelled.clause)],
    })
    config = {i18n.t("probability", lang): st.column_config.ProgressColumn(
        i18n.t("probability", lang), help=i18n.t("probability_help", lang, n=compute.APP_SAMPLES),
        format="%.0f%%", min_value=0, max_value=100)}
    slot = st.empty()
    slot.dataframe(table, hide_index=True, width="stretch", column_config=config)

    def fill(probabilities: pd.DataFrame) -> None:
        chance = _with_probability(modelled, probabilities).probability.to_numpy() * 100
        slot.dataframe(table.assign(**{i18n.t("probability", lang): chance}), hide_index=True, width="stretch",
                       column_config=config)

    others = card[card.status == "not modelled"]
    with st.expander(f"{i18n.t('not_modelled', lang)} ({len(others)})"):
        st.dataframe(pd.DataFrame({
            i18n.t("target_value", lang): [f"{o}" for o in others.original],
            i18n.t("year", lang): others.year.astype(str),
            i18n.t("clause", lang): [f"{i18n.document(d, lang)} {c}" for d, c in zip(others.document, others.clause)],
        }), hide_index=True, width="stretch")
    return fill


def charts_view(region: str, current: pd.DataFrame, card: pd.DataFrame, uncertainty, lang: str) -> None:
    st.subheader(i18n.t("charts", lang))
    headline = [i.indicator for i in data.indicators() if i.headline]
    targeted = list(dict.fromkeys(i for i in card[card.status.isin(["met", "missed"])].indicator if i in headline))
    chosen = st.multiselect(i18n.t("chart_indicators", lang), headline, default=targeted[:9],
                            format_func=lambda i: data.indicator(i).label(lang), key=f"chart_pick_{region}")
    fan = st.toggle(i18n.t("fan_toggle", lang), key="fan")
    if chosen:
        st.caption(i18n.t("chart_legend", lang))
        rows = charts.indicator_rows(chosen, current, compute.fixed_chart_rows(region, tuple(chosen), lang), lang)
        if fan:
            st.caption(i18n.t("fan_caption", lang, n=compute.APP_SAMPLES))
            rows = pd.concat([charts.band_rows(chosen, uncertainty()[0], lang), rows], ignore_index=True)
        st.vega_lite_chart(rows, compute.chart_spec(tuple(chosen), lang, fan), width="content")
        st.session_state.chart_rows = rows


def comparison_view(region: str, plan_table: pd.DataFrame, lang: str) -> None:
    st.subheader(i18n.t("compare", lang))
    cols = st.columns([3, 1])
    base = st.session_state.get("base_scenario")
    default = base.title(lang) if base else st.session_state.scenario_name
    name = cols[0].text_input(i18n.t("save_name", lang), value=default, key=f"save_name_{lang}")
    if cols[1].button(i18n.t("save", lang), width="stretch"):
        if not state.save_current(name):
            st.warning(i18n.t("saved_full", lang))
    saved = st.session_state.saved
    if not saved:
        st.caption(i18n.t("compare_empty", lang))
        return
    for i, item in enumerate(saved):
        c = st.columns([4, 1])
        c[0].write(f"{i + 1}. {item['name']}")
        if c[1].button(i18n.t("remove", lang), key=f"remove_{i}"):
            saved.pop(i)
            st.rerun()
    tables = {i18n.t("plan", lang): plan_table}
    cards = {i18n.t("plan", lang): compute.plan_scorecard(region)}
    for item in saved:
        keys = state.key(item["overrides"]), state.inputs_key(item["parameters"], item.get("run"))
        tables[item["name"]] = compute.projection(region, *keys, item["name"])
        cards[item["name"]] = compute.scorecard(region, *keys, item["name"])
    indicator = st.selectbox(i18n.t("compare_indicator", lang), [i.indicator for i in data.indicators() if i.headline],
                             format_func=lambda i: data.indicator(i).label(lang), key="compare_indicator")
    st.altair_chart(charts.comparison_chart(tables, indicator, lang), width="stretch")
    counts = {name: int((card.status == "met").sum()) for name, card in cards.items()}
    st.dataframe(pd.DataFrame({i18n.t("scenario", lang): list(counts),
                               i18n.t("status", lang): [f"{v} {i18n.status('met', lang)}" for v in counts.values()]}),
                 hide_index=True)


def downloads_view(region: str, current: pd.DataFrame, plan_table: pd.DataFrame, lang: str) -> None:
    st.subheader(i18n.t("downloads", lang))
    table = pd.concat([current, plan_table], ignore_index=True)
    ss = st.session_state
    scenario = state.current_scenario(region, ss.scenario_name, ss.scenario_description, ss.overrides, ss.parameters,
                                      ss.run)
    cols = st.columns(3)
    cols[0].download_button(i18n.t("download_csv", lang), lambda: compute.report_bytes("csv", region, table, scenario),
                            file_name=f"innosim-{region}.csv", mime="text/csv", on_click="ignore")
    cols[1].download_button(i18n.t("download_xlsx", lang),
                            lambda: compute.report_bytes("xlsx", region, table, scenario),
                            file_name=f"innosim-{region}.xlsx", on_click="ignore",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    toml_text = state.settings_toml(region, ss.scenario_name, ss.scenario_description, ss.overrides, ss.parameters,
                                    ss.run)
    cols[2].download_button(i18n.t("download_toml", lang), toml_text.encode("utf-8"),
                            file_name=f"innosim-{region}-settings.toml", mime="application/toml", on_click="ignore")


def page() -> None:
    m = compute.the_model()     # first: on a cold start this is the slow step, and it shows a spinner
    state.init()
    sidebar(m)
    lang, region = st.session_state.language, st.session_state.region
    st.title(i18n.t("title", lang))
    st.caption(i18n.t("subtitle", lang))
    base = st.session_state.get("base_scenario")
    title = base.title(lang) if base else st.session_state.scenario_name
    question = base.question(lang) if base else st.session_state.scenario_description
    adjusted = base is not None and state.key(st.session_state.overrides) != state.key(dict(base.levers))
    st.markdown(f"**{title}**{' ' + i18n.t('adjusted', lang) if adjusted else ''} — {question}")
    label = "current"
    keys = state.keys()
    try:
        current = compute.projection(region, *keys, label)
    except InputError as exc:     # an uploaded scenario may not fit this region
        st.error(str(exc))
        return
    plan_table = compute.plan(region)
    card = compute.scorecard(region, *keys, label)
    st.session_state.current_table = current
    fill_chances = scorecard_view(card, lang)
    uncertainty = lambda: compute.uncertainty(region, *keys)   # noqa: E731  (cached: runs once per settings)
    charts_view(region, current, card, uncertainty, lang)
    st.session_state.probabilities = uncertainty()[1]
    fill_chances(st.session_state.probabilities)
    analysis_view(m, region, card, keys, lang)
    comparison_view(region, plan_table, lang)
    downloads_view(region, current, plan_table, lang)
