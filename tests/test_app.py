"""The planner app, driven headless with streamlit.testing.v1.AppTest: levers, language, time, state."""
from __future__ import annotations

import pytest
from apphelpers import FISCAL, app, chart_value, frames, go, open_past, score, slider, table, texts

import innosim
from innosim.app import i18n, links, names
from innosim.core import data, shares
from innosim.core.timeline import observed_levers

RD = data.indicator("rd_intensity")


@pytest.fixture(scope="module")
def fresh():
    return app()


def test_the_app_opens_with_the_plan_in_chinese(fresh):
    assert fresh.title[0].value.startswith(i18n.t("title", "zh"))
    assert any(label.startswith(FISCAL) for label in (s.label for s in fresh.slider))
    now, plan = score(fresh, RD.label_zh, 2027)
    assert now == plan
    assert fresh.session_state["_rerun_seconds"] > 0


def test_moving_a_slider_changes_scorecard_and_chart_in_the_expected_direction():
    at = app()
    before, plan = score(at, RD.label_zh, 2027)
    chart_before = chart_value(at, "rd_intensity", 2027, i18n.t("current", "zh"))
    slider(at, FISCAL).set_value(8.0).run()
    after, plan_after = score(at, RD.label_zh, 2027)
    assert after < before and plan_after == plan
    assert chart_value(at, "rd_intensity", 2027, i18n.t("current", "zh")) < chart_before
    assert chart_value(at, "rd_intensity", 2025, i18n.t("current", "zh")) == \
        chart_value(at, "rd_intensity", 2025, i18n.t("plan", "zh"))          # 2025 is observed: it cannot move
    assert at.session_state["s_moved"] == {"ningbo": {"fiscal_st_growth_rate": 0.08}}
    slider(at, FISCAL).set_value(25.0).run()
    assert score(at, RD.label_zh, 2027)[0] > before


# ---- 1. widget values never depend on the language ------------------------------------------------------

def test_switching_language_mid_session_keeps_every_choice_and_a_slider_still_moves():
    at = app()
    at.selectbox(key="w-region-zh").set_value("cixi").run()
    at.selectbox(key="w-scenario-zh").set_value("talent_squeeze.toml").run()
    slider(at, FISCAL.replace("年增长率", "增幅")).set_value(4.0).run()          # Cixi's margin under its rule
    at.button_group[0].set_value("en").run()
    assert not at.exception
    assert at.title[0].value.startswith(i18n.t("title", "en"))
    assert at.selectbox(key="w-region-en").value == "cixi"
    assert at.selectbox(key="w-scenario-en").value == "talent_squeeze.toml"
    assert at.selectbox(key="w-region-en").label == "Region"
    rules = [r for r in at.radio if r.key.startswith("w-rule-cixi")]
    assert rules and all(r.value == 1.0 for r in rules)                          # Cixi's revenue rule, kept
    assert all(r.options == list(names.choices(innosim.load().lever("fiscal_st_growth_rule"), "en")) for r in rules)
    margin = slider(at, "Fiscal S&T growth above revenue growth")
    assert margin.value == 4.0
    margin.set_value(5.0).run()                                                  # a move after the switch
    assert not at.exception
    assert at.session_state["s_moved"]["cixi"]["fiscal_st_growth_margin"] == pytest.approx(0.05)
    assert RD.label_en in set(table(at, "Indicator", "Judged on").iloc[:, 0])     # Cixi's targets are all past
    at.button_group[0].set_value("zh").run()
    assert at.selectbox(key="w-region-zh").value == "cixi" and not at.exception


def test_every_label_of_a_lever_sector_unit_and_document_has_both_languages(m):
    for lever in m.levers:
        label = names.labels().get(lever.id)
        assert label and label.name_zh and label.name_en and label.help_zh, f"model/labels.csv: {lever.id}"
        if lever.is_switch:
            assert len(label.choices_zh) == 2 and len(label.choices_en) == 2, lever.id
    for name in m.variables:
        if m.variables[name].kind != "control":
            assert names.labels().get(name) and names.labels()[name].name_zh, f"model/labels.csv: {name}"
    for sector in {v.sector for v in m.variables.values()}:
        assert sector in i18n.SECTORS, sector
    for unit in {i.unit for i in data.indicators()} | {t.unit for t in data.targets()}:
        assert unit in names.UNITS_EN, unit
    for document in {t.document for t in data.targets()}:
        assert document in i18n.DOCUMENTS, document
    for group in shares.share_groups():
        assert group.name_zh and group.name_en
    for key, (zh, en) in i18n.TEXT.items():
        assert zh and en, key


def test_the_page_shows_no_raw_unit_codes_and_percent_differences_in_points():
    at = app()
    slider(at, FISCAL).set_value(8.0).run()
    shown = texts(at)
    for code in ("1/Year", "Dmnl", "CNY100m", "Persons10k", "FTE/"):
        assert code not in shown, code
    frame = table(at)
    gaps = frame[frame["目标值"].str.endswith("%")]["差距"]
    assert len(gaps) and gaps.str.endswith("百分点").all()
    assert slider(at, FISCAL).label.endswith("(%/年)")
    at.button_group[0].set_value("en").run()
    assert "pp" in table(at, "Indicator", "Projected")["Gap"].iloc[0]


# ---- 3. honest about time ------------------------------------------------------------------------------

def test_levers_apply_from_the_first_year_not_yet_observed_and_past_targets_show_as_judged():
    fresh = app()
    assert not [d for d in frames(fresh) if "判定依据" in d.columns]      # closed: targets lie ahead
    fresh = open_past(fresh)
    first = observed_levers().first_free_year
    assert fresh.selectbox(key="w-from").value == first
    assert fresh.selectbox(key="w-from").options[0] == str(first)
    past = table(fresh, "指标", "判定依据")
    assert (past["年份"].astype(int) <= observed_levers().until).all() and len(past)
    marks = set(past["判定依据"].str.split("；").str[0])
    assert marks <= {i18n.t(k, "zh") for k in ("official_final", "official_preliminary", "official_lower_bound",
                                               "model_estimate")}
    card = fresh.session_state["scorecard"]
    official = card[card.judged_on == "official"]
    estimated = card[(card.judged_on == "model") & (card.year <= observed_levers().until)
                     & card.status.isin(["met", "missed"])]
    assert (past["判定依据"].str.startswith(i18n.t("model_estimate", "zh"))).sum() == len(estimated)
    assert (past["判定依据"].str.startswith("公布值")).sum() == len(official[official.status.isin(["met", "missed"])])
    open_rows = table(fresh)
    assert (open_rows["年份"].astype(int) >= first).all()


def test_a_later_start_year_moves_the_change_and_a_slider_move_applies_from_it():
    at = app()
    at.selectbox(key="w-from").set_value(2028).run()
    slider(at, FISCAL).set_value(5.0).run()
    assert at.session_state["s_moved"] == {"ningbo": {"fiscal_st_growth_rate": 0.05}}
    frame = at.session_state["current_table"]
    plan = innosim.simulate("ningbo")
    rd = lambda t, y: float(t[(t.indicator == "rd_intensity") & (t.year == y)].value.iloc[0])  # noqa: E731
    assert rd(frame, 2027) == pytest.approx(rd(plan, 2027)) and rd(frame, 2030) < rd(plan, 2030)


# ---- 4. inert levers ----------------------------------------------------------------------------------------

def test_a_lever_the_rule_makes_inert_is_greyed_out_with_the_reason():
    at = app()
    at.selectbox(key="w-region-zh").set_value("cixi").run()
    rate = slider(at, FISCAL)
    assert rate.disabled
    assert "不起作用" in rate.help and "经常性收入增幅加点" in rate.help and "固定年增长率" in rate.help
    assert not slider(at, "财政科技经费增幅高于经常性收入").disabled
    rule = next(r for r in at.radio if r.key.startswith("w-rule-cixi-fiscal_st_growth_rule"))
    rule.set_value(0.0).run()                                               # the fixed-rate rule
    assert not slider(at, FISCAL).disabled and slider(at, "财政科技经费增幅高于经常性收入").disabled


# ---- 5. state that persists and can be shared ---------------------------------------------------------------

def test_settings_survive_a_visit_to_the_other_pages():
    at = app()
    at.button_group[0].set_value("en").run()
    at.selectbox(key="w-region-en").set_value("yuyao").run()
    at.selectbox(key="w-from").set_value(2027).run()
    slider(at, "Fiscal S&T spending growth").set_value(9.0).run()
    go(at, "calibration")
    assert not at.exception and "Yuyao" in at.title[0].value               # the calibration of the region chosen
    go(at, "model")
    assert not at.exception and at.title[0].value == i18n.t("page_model", "en")
    go(at, "")                                                 # the default page: the planner
    assert at.selectbox(key="w-region-en").value == "yuyao" and at.selectbox(key="w-from").value == 2027
    assert slider(at, "Fiscal S&T spending growth").value == 9.0
    assert at.session_state["s_moved"] == {"yuyao": {"fiscal_st_growth_rate": 0.09}}


def test_a_move_in_one_region_never_changes_another():
    at = app()
    met = at.metric[0].value
    at.selectbox(key="w-region-zh").set_value("cixi").run()
    slider(at, "科技经费中企业支持比例").set_value(0.0).run()
    at.selectbox(key="w-region-zh").set_value("ningbo").run()
    assert at.metric[0].value == met and slider(at, "科技经费中企业支持比例").value == 35.0


def test_the_url_carries_the_settings_and_a_new_session_from_it_reproduces_the_view():
    at = app()
    at.button_group[0].set_value("en").run()
    at.selectbox(key="w-region-en").set_value("yuyao").run()
    at.selectbox(key="w-scenario-en").set_value("fiscal_slowdown.toml").run()
    slider(at, "Talent spending growth").set_value(12.0).run()
    at.text_input(key=[t.key for t in at.text_input if t.key.startswith("w-save-name")][0]).set_value("Slow A").run()
    at.button(key="w-save").click().run()
    query = dict(at.query_params)
    assert query["lang"] == "en" and query["region"] == "yuyao" and query["scenario"] == "fiscal_slowdown"
    again = app(query)                                            # a reload, or the link opened elsewhere
    assert again.session_state["s_region"] == "yuyao" and again.session_state["s_lang"] == "en"
    assert again.session_state["s_file"] == "fiscal_slowdown.toml"
    assert again.session_state["s_moved"] == {"yuyao": {"fiscal_talent_growth_rate": 0.12}}
    assert [e["name"] for e in again.session_state["s_saved"]] == ["Slow A"]
    assert again.session_state["scorecard"].projected.equals(at.session_state["scorecard"].projected)


def test_a_damaged_link_gets_one_line_and_the_rest_of_it_is_kept():
    at = app({"lang": "en", "region": "cixi", "from": "1999", "s": "not-a-valid-field"})
    assert not at.exception
    assert at.session_state["s_region"] == "cixi" and at.session_state["s_from_year"] == 2026
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert len(warnings) == 1 and warnings[0].startswith(i18n.t("link_error", "en")) and "from = 1999" in warnings[0]
    bad_shares = links.pack({"m": {"ningbo": {"enterprise_support_share": 0.7, "public_research_share": 0.7}}})
    at = app({"s": bad_shares})
    assert not at.exception and at.session_state["s_moved"] == {}             # all of the field, or none of it
    assert any("fiscal_st_allocation" in w.value.replace("\\", "") for w in at.warning)


def test_each_slider_has_its_own_reset_and_the_last_change_can_be_undone():
    at = app()
    slider(at, FISCAL).set_value(8.0).run()
    slider(at, "人才经费年增长率").set_value(10.0).run()
    assert at.button(key="w-reset-ningbo-fiscal_st_growth_rate")        # only moved sliders have one
    assert not [b for b in at.button if b.key == "w-reset-ningbo-skills_training_share"]
    at.button(key="w-reset-ningbo-fiscal_st_growth_rate").click().run()
    assert slider(at, FISCAL).value == 15.0
    assert at.session_state["s_moved"] == {"ningbo": {"fiscal_talent_growth_rate": 0.10}}
    at.button(key="w-undo").click().run()                                 # the reset undone
    assert slider(at, FISCAL).value == 8.0
    at.button(key="w-undo").click().run()                                 # the talent move undone
    assert slider(at, "人才经费年增长率").value == 15.0
    at.button(key="w-reset").click().run()
    assert at.session_state["s_moved"] == {} and slider(at, FISCAL).value == 15.0


def test_each_slider_marks_the_plan_value():
    at = app()
    css = "\n".join(str(h.value) if hasattr(h, "value") else "" for h in at.get("html"))
    m = innosim.load()
    for lever in m.levers:
        if not lever.is_switch:
            where = (lever.default("ningbo") - lever.low) / (lever.high - lever.low) * 100
            assert f".st-key-w-lever-ningbo-{lever.id} {{ --plan-tick: {where:.3f}%; }}" in css
    assert "刻度线为规划值：15 %/年" in slider(at, FISCAL).help


# ---- 6. allocation shares add up ----------------------------------------------------------------------------

def test_allocation_shares_cannot_pass_their_budget_and_show_their_sum():
    at = app()
    assert any("财政科技经费分配合计：70%（上限 100%）" in c.value for c in at.caption)
    slider(at, "科技经费中企业支持比例").set_value(70.0).run()
    assert slider(at, "科技经费中企业支持比例").value == 65.0                  # 35 % already goes to research
    assert any("不能超过 100%" in w.value for w in at.warning)
    assert any("财政科技经费分配合计：100%" in c.value for c in at.caption)
    for name in ("人才经费中顶尖人才项目比例", "人才经费中领军人才项目比例", "人才经费中高技能培训比例"):
        slider(at, name).set_value(40.0).run()
    total = sum(slider(at, n).value for n in ("人才经费中顶尖人才项目比例", "人才经费中领军人才项目比例",
                                              "人才经费中高技能培训比例"))
    assert total <= 100 + 1e-9 and not at.exception


# ---- 8. Chinese that reads right ------------------------------------------------------------------------

def test_the_model_page_draws_levers_and_parameters_apart_and_names_them_in_chinese(m):
    from innosim.app import model_page

    sector = next(lv.sector for lv in m.levers)
    dot = model_page.sector_graph(m, sector, "zh")
    lever = next(lv for lv in m.levers if lv.sector == sector)
    assert f'"{lever.id}" [label="{names.lever_label(lever, "zh")}", shape=diamond' in dot
    constants = [k for k, v in m.variables.items() if v.sector == sector and v.kind == "constant" and not v.is_lever]
    assert constants and all(f'"{k}" [label="{names.variable(k, "zh", m)}", shape=octagon' in dot for k in constants)
    legend = i18n.t("stocks_note", "zh")
    assert "菱形：政策杠杆" in legend and "八边形：参数" in legend
    at = app()
    go(at, "model")
    assert not at.exception and any(legend == c.value for c in at.caption)
    params = next(d.value for d in at.dataframe if i18n.column("parameter", "zh") in d.value.columns)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in params[i18n.column("parameter", "zh")])
    assert not {"Dmnl", "1/Year"} & set(params[i18n.column("unit", "zh")])


def test_a_verdict_whose_chance_is_below_half_is_flagged_fragile():
    import pandas as pd

    from innosim.app.scorecard_view import verdict_text, with_chances

    at = open_past(app())
    card = at.session_state["scorecard"]
    rows = card[card.status.isin(["met", "missed"])]
    assert (rows.fragile == ((rows.judged_on == "model") & (rows.probability.notna()) &
                             (rows.probability.where(rows.verdict == "met", 1 - rows.probability) < 0.5))).all()
    assert at.metric[2].value == str(int(rows.fragile.sum()))
    shown = pd.concat([table(at)["结论"], table(at, "指标", "判定依据")["结论"]])
    assert (shown.str.contains("把握不足")).sum() == int(rows.fragile.sum())
    one = rows.iloc[[0]].copy()                                  # a met target with a 13 % chance
    one["verdict"], one["status"], one["judged_on"] = "met", "met", "model"
    chance = one[["indicator", "year", "comparator", "target", "clause"]].assign(probability=0.13)
    flagged = with_chances(one, chance)
    assert bool(flagged.fragile.iloc[0]) and verdict_text("met", True, "zh") == "✓ 达成（把握不足）"


def test_the_calibration_page_shows_every_observed_year_for_every_region():
    import json

    import pyarrow as pa

    from innosim.core import coverage

    at = go(app(), "calibration")
    assert not at.exception
    protos = [c.proto for c in at.get("vega_lite_chart")]
    dots = next(p for p in protos if json.loads(p.spec).get("facet", {}).get("column", {}).get("field") == "region_name")
    rows = pa.ipc.open_stream(dots.datasets[0].data.data).read_all().to_pandas()
    record = coverage.cells()
    record = record[record.series.isin(coverage.SERIES)]
    assert len(rows) == len(record) > 0
    assert set(rows.region_name) == {i18n.region(r, "zh") for r in data.REGIONS}           # every region
    assert int(rows.counted.sum()) == int(record.counted.sum())
    assert not rows[rows.kind == "partial_year"].counted.any()                               # never counted
    short = at.session_state["coverage_shortfalls"]
    assert short == coverage.shortfalls() and all(len(s.years) < s.required for s in short)


def test_the_page_says_when_the_fiscal_ceiling_binds_and_that_it_is_an_assumption(m):
    at = app()
    ceiling = m.file_defaults["maximum_innovation_share_of_revenue"]
    run = m.run(innosim.Case("ningbo", final_year=2035))
    years = [y for y in range(2026, 2036) if run.loc[y, "fiscal_innovation_burden"] >= ceiling * (1 - 1e-6)]
    assert years and at.session_state["ceiling_year"] == years[0]
    assert any(f"{years[0]}年起" in i.value and "未经数据估计" in i.value for i in at.info)
    slider(at, FISCAL).set_value(0.0).run()                                  # no growth: later, or never
    later = at.session_state["ceiling_year"]
    assert later is None or later > years[0]


def test_the_calibration_page_names_every_series_and_shows_no_none():
    at = go(app(), "calibration")
    assert not at.exception
    fit = at.dataframe[0].value
    assert not fit.iloc[:, 0].str.contains("_").any()                      # no raw series codes
    assert fit.iloc[:, 1:].apply(lambda col: col.map(lambda v: isinstance(v, (int, float)))).all().all()
    assert "None" not in " ".join(m.value for m in at.markdown)
    assert "惩罚加权最小二乘" in " ".join(m.value for m in at.markdown)


def test_within_a_lever_group_the_policies_come_before_the_scenario_assumptions(m):
    from innosim.core.timeline import observed_levers

    at = app()
    fiscal = [lv for lv in m.levers if lv.sector == "Fiscal S&T and talent spending"]
    assumed = [lv for lv in fiscal if lv.id in observed_levers().keep]
    assert assumed                                                           # revenue beyond its buoyancy
    sliders = [s.label for s in at.slider]
    first_policy = next(i for i, s in enumerate(sliders) if s.startswith(FISCAL))
    assumption = next(i for i, s in enumerate(sliders) if s.startswith(names.lever_label(assumed[0], "zh")))
    assert first_policy < assumption
    offered = at.selectbox(key="w-goal-lever-zh").options                    # goal seeking: the same order
    assert offered[0] == names.lever_label(m.lever("fiscal_st_growth_rate"), "zh")
    assert offered.index(names.lever_label(assumed[0], "zh")) > offered.index(offered[0])

