"""The app's uncertainty fan, chance-met column, goal-seek, sensitivity and attribution panels."""
from __future__ import annotations

import numpy as np
import pytest
from apphelpers import FISCAL, app, open_group, open_tab, percent, score, slider, table

import innosim
from innosim import Case, as_scenario  # noqa: F401
from innosim.analysis.goalseek import find_target, goal_seek
from innosim.app import compute, i18n, state
from innosim.core import data

CHANCE = i18n.t("probability", "zh")


def chance(at, indicator: str, year: int) -> float:
    frame = table(at)
    row = frame[(frame.iloc[:, 0] == data.indicator(indicator).label_zh) & (frame.iloc[:, 1] == str(year))]
    return percent(row[CHANCE].iloc[0])


def test_the_scorecard_shows_the_chance_of_meeting_each_target():
    at = app()
    frame = table(at)
    assert CHANCE in frame.columns
    values = frame[CHANCE].map(percent)
    assert values.between(0, 100).all() and values.notna().all()
    probabilities = at.session_state["probabilities"]
    row = probabilities[(probabilities.indicator == "rd_intensity") & (probabilities.year == 2027)].iloc[0]
    assert chance(at, "rd_intensity", 2027) == pytest.approx(100 * row.probability, abs=0.5)   # shown as '62%'
    before = chance(at, "rd_intensity", 2027)
    slider(at, FISCAL).set_value(5.0).run()
    assert chance(at, "rd_intensity", 2027) < before          # less money, less chance
    slider(at, FISCAL).set_value(30.0).run()
    assert chance(at, "rd_intensity", 2027) > before


def test_the_fan_toggle_adds_ordered_bands_to_the_charts():
    at = app()
    rows = at.session_state["chart_rows"]
    assert not rows.layer.isin(["band90", "band50"]).any()
    at.toggle(key="w-fan").set_value(True).run()
    assert not at.exception
    rows = at.session_state["chart_rows"]
    wide, narrow = rows[rows.layer == "band90"], rows[rows.layer == "band50"]
    assert len(wide) and len(wide) == len(narrow)
    assert (wide.lower.to_numpy() <= narrow.lower.to_numpy() + 1e-12).all()
    assert (narrow.lower <= narrow.upper).all()
    assert (narrow.upper.to_numpy() <= wide.upper.to_numpy() + 1e-12).all()
    spec = compute.chart_spec(tuple(rows.indicator.unique()), "zh", True)
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
             for layer in spec["spec"]["layer"]]
    assert marks.count("area") == 2


SUPER = "super_deduction_rate"      # the lever that can reach Ningbo's 2027 R&D target within its range


def test_goal_seek_finds_the_value_and_apply_meets_the_target():
    at = app()
    at.selectbox(key="w-goal-lever-zh").set_value(SUPER).run()
    at.multiselect(key="w-goal-targets-ningbo-zh").set_value(["rd_intensity@2027"]).run()
    assert "goal_result" not in at.session_state and not [s for s in at.success if "至少需要" in s.value]
    at.button(key="goal_run").click().run()                            # on request
    expected = goal_seek(Case("ningbo"), lever=SUPER, targets=[find_target("ningbo", "rd_intensity", 2027)])
    assert expected.reachable and expected.value > innosim.load().lever(SUPER).default("ningbo")
    found = [s.value for s in at.success if "至少需要" in s.value]
    assert found and f"{expected.value * 100:.2f}" in found[0]
    assert at.session_state["goal_result"].from_year == 2026          # changes apply from the first free year
    at.button(key="goal_apply").click().run()
    lever = innosim.load().lever(SUPER)
    applied = at.session_state["s_moved"]["ningbo"][SUPER]
    assert expected.value <= applied < expected.value + lever.step + 1e-9      # rounded up to the slider's step
    label = data.indicator("rd_intensity").label_zh
    assert score(at, label, 2027)[0] >= 3.75 * (1 - 5e-4)
    assert [s for s in at.success if "至少需要" in s.value]       # the sought lever's own move keeps the answer


def test_a_goal_seek_answer_goes_stale_when_other_settings_move():
    at = app()
    at.selectbox(key="w-goal-lever-zh").set_value(SUPER).run()
    at.multiselect(key="w-goal-targets-ningbo-zh").set_value(["rd_intensity@2027"]).run()
    at.button(key="goal_run").click().run()
    first = at.session_state["goal_result"].value
    slider(at, FISCAL).set_value(5.0).run()                            # less fiscal money: the answer changes
    assert not [s for s in at.success if "至少需要" in s.value]
    assert any(i18n.t("goal_stale", "zh") in c.value for c in at.caption)
    at.button(key="goal_run").click().run()
    assert at.session_state["goal_result"].value > first               # more tax relief needed


def test_goal_seek_says_when_a_target_is_out_of_reach_and_asks_for_a_chance():
    at = app()
    box = at.multiselect(key="w-goal-targets-ningbo-zh")
    assert not [o for o in box.options if "2025" in o]                                          # past: cannot move
    box.set_value(["rd_intensity@2027"]).run()
    at.selectbox(key="w-goal-confidence-zh").set_value(0.8).run()
    at.button(key="goal_run").click().run()
    assert not at.exception
    likely = at.session_state["goal_result"]
    assert likely.confidence == 0.8
    assert likely.reachable or any("无法满足" in w.value for w in at.warning)


def test_the_sensitivity_chart_runs_on_request():
    at = open_tab(app(), 1)
    assert "sensitivity_indices" not in at.session_state
    at.button(key="sens_run").click().run()
    assert not at.exception
    indices = at.session_state["sensitivity_indices"]
    assert {"S1", "ST", "S1_conf", "ST_conf"} <= set(indices.columns)
    assert indices.output.str.contains("rd_intensity@2027").any()
    assert len(at.get("vega_lite_chart")) >= 2        # the indicator chart and the sensitivity chart


def test_attribution_splits_the_current_settings_difference():
    at = open_tab(app(), 2)
    assert any(i18n.t("attr_none", "zh") in i.value for i in at.info)
    slider(at, FISCAL).set_value(8.0).run()
    split = at.session_state["attribution_table"]
    assert list(split.lever) == ["fiscal_st_growth_rate"]
    label = data.indicator(split.indicator.iloc[0]).label_zh
    now, plan = score(at, label, 2027)
    assert split.shapley.iloc[0] == pytest.approx(now - plan, abs=0.006)     # the scorecard rounds to 2 decimals
    np.testing.assert_allclose(split.shapley, split.one_at_a_time)


def test_cached_analyses_are_copies_per_session():
    bands, probabilities = compute.uncertainty("ningbo", state.key({}), "{}")
    probabilities.loc[:, "probability"] = -1.0
    again = compute.uncertainty("ningbo", state.key({}), "{}")[1]
    assert (again.probability >= 0).all()


def test_goal_seeking_offers_only_levers_the_rules_let_act_and_never_a_past_target():
    at = app()
    rule = next(r for r in at.radio if r.key.startswith("w-rule-ningbo-fiscal_st_growth_rule"))
    rule.set_value(1.0).run()                                       # Ningbo on Cixi's revenue rule
    levers = at.selectbox(key="w-goal-lever-zh").options
    assert "财政科技经费年增长率" not in levers and "财政科技经费增幅高于经常性收入" in levers
    at.selectbox(key="w-region-zh").set_value("cixi").run()         # every Cixi target is for 2025: all past
    assert any("年份已过" in i.value for i in at.info)
    assert not [m for m in at.multiselect if m.key.startswith("w-goal-targets")]


def test_the_sensitivity_chart_names_parameters_in_chinese():
    at = open_tab(app(), 1)
    at.radio(key="w-sens-factors-zh").set_value("parameters").run()
    at.button(key="sens_run").click().run()
    assert not at.exception
    from innosim.app.analysis_view import factor_labels

    labels = factor_labels(innosim.load(), "zh")
    factors = set(at.session_state["sensitivity_indices"].factor)
    assert factors and all(labels[f] != f and any("\u4e00" <= ch <= "\u9fff" for ch in labels[f]) for f in factors)


def test_attribution_states_a_difference_of_percentages_in_points():
    at = open_tab(app(), 2)
    slider(at, FISCAL).set_value(8.0).run()
    assert any("差异" in m.value and "百分点" in m.value for m in at.markdown)


def test_only_the_open_analysis_runs_and_it_stays_open_across_languages():
    at = app()
    assert at.multiselect(key="w-goal-targets-ningbo-zh") and "sens_run" not in [b.key for b in at.button]
    at = open_tab(at, 1)
    assert at.button(key="sens_run") and not [m for m in at.multiselect if m.key.startswith("w-goal-targets")]
    at.button_group[0].set_value("en").run()
    assert at.button(key="sens_run")                          # still the second tab, now in English
