"""The app's uncertainty fan, chance-met column, goal-seek, sensitivity and attribution panels."""
from __future__ import annotations

import numpy as np
import pytest
from apphelpers import FISCAL, app, score, slider

import innosim
from innosim import Case, as_scenario  # noqa: F401
from innosim.analysis.goalseek import find_target, goal_seek
from innosim.app import compute, i18n, state
from innosim.core import data

CHANCE = i18n.t("probability", "zh")


def chance(at, indicator: str, year: int) -> float:
    table = at.dataframe[0].value
    row = table[(table.iloc[:, 0] == data.indicator(indicator).label_zh) & (table.iloc[:, 1] == str(year))]
    return float(row[CHANCE].iloc[0])


def test_the_scorecard_shows_the_chance_of_meeting_each_target():
    at = app()
    table = at.dataframe[0].value
    assert CHANCE in table.columns
    values = table[CHANCE].astype(float)
    assert values.between(0, 100).all() and values.notna().all()
    probabilities = at.session_state["probabilities"]
    row = probabilities[(probabilities.indicator == "rd_intensity") & (probabilities.year == 2027)].iloc[0]
    assert chance(at, "rd_intensity", 2027) == pytest.approx(100 * row.probability)
    before = chance(at, "rd_intensity", 2027)
    slider(at, FISCAL).set_value(5.0).run()
    assert chance(at, "rd_intensity", 2027) < before          # less money, less chance
    slider(at, FISCAL).set_value(30.0).run()
    assert chance(at, "rd_intensity", 2027) > before


def test_the_fan_toggle_adds_ordered_bands_to_the_charts():
    at = app()
    rows = at.session_state["chart_rows"]
    assert not rows.layer.isin(["band90", "band50"]).any()
    at.toggle(key="fan").set_value(True).run()
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
    at.selectbox(key="goal_lever").set_value(SUPER).run()
    at.multiselect(key="goal_targets_ningbo").set_value(["rd_intensity@2027"]).run()
    expected = goal_seek(Case("ningbo"), lever=SUPER, targets=[find_target("ningbo", "rd_intensity", 2027)])
    assert expected.reachable
    found = [s.value for s in at.success if "至少需要" in s.value]
    assert found and f"{expected.value * 100:.2f}" in found[0]
    assert at.session_state["goal_result"].from_year == 2026          # changes apply from the first free year
    at.button(key="goal_apply").click().run()
    lever = innosim.load().lever(SUPER)
    applied = at.session_state["overrides"].get(SUPER, lever.default("ningbo"))
    assert expected.value <= applied < expected.value + lever.step + 1e-9      # rounded up to the slider's step
    label = data.indicator("rd_intensity").label_zh
    assert score(at, label, 2027)[0] >= 3.75 * (1 - 5e-4)
    assert slider(at, i18n.LEVERS[SUPER][0]).value == pytest.approx(applied * 100)


def test_goal_seek_says_when_a_target_is_out_of_reach_and_asks_for_a_chance():
    at = app()
    assert "basic_research_share@2025" not in at.multiselect(key="goal_targets_ningbo").options   # past: cannot move
    at.multiselect(key="goal_targets_ningbo").set_value(["rd_intensity@2027"]).run()
    at.selectbox(key="goal_confidence").set_value(0.8).run()
    assert not at.exception
    likely = at.session_state["goal_result"]
    assert likely.confidence == 0.8
    assert likely.reachable or any("无法满足" in w.value for w in at.warning)


def test_the_sensitivity_chart_runs_on_request():
    at = app()
    assert "sensitivity_indices" not in at.session_state
    at.button(key="sens_run").click().run()
    assert not at.exception
    indices = at.session_state["sensitivity_indices"]
    assert {"S1", "ST", "S1_conf", "ST_conf"} <= set(indices.columns)
    assert indices.output.str.contains("rd_intensity@2027").any()
    assert len(at.get("vega_lite_chart")) >= 2        # the indicator chart and the sensitivity chart


def test_attribution_splits_the_current_settings_difference():
    at = app()
    assert any(i18n.t("attr_none", "zh") in i.value for i in at.info)
    slider(at, FISCAL).set_value(8.0).run()
    table = at.session_state["attribution_table"]
    assert list(table.lever) == ["fiscal_st_growth_rate"]
    label = data.indicator(table.indicator.iloc[0]).label_zh
    now, plan = score(at, label, 2027)
    assert table.shapley.iloc[0] == pytest.approx(now - plan, abs=0.006)     # the scorecard rounds to 2 decimals
    np.testing.assert_allclose(table.shapley, table.one_at_a_time)


def test_cached_analyses_are_copies_per_session():
    bands, probabilities = compute.uncertainty("ningbo", state.key({}), "{}")
    probabilities.loc[:, "probability"] = -1.0
    again = compute.uncertainty("ningbo", state.key({}), "{}")[1]
    assert (again.probability >= 0).all()
