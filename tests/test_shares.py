"""Allocation shares that divide one budget, and levers a rule makes inert: in the model, the scenario files
and goal seeking (the app's side is in test_app.py)."""
from __future__ import annotations

import pytest

import innosim
from innosim import Case
from innosim.analysis.goalseek import find_target, goal_seek
from innosim.analysis.inert import inert_levers
from innosim.core import shares
from innosim.errors import InputError


def test_every_share_group_names_levers_of_the_model(m):
    ids = {lv.id for lv in m.levers}
    assert shares.share_groups()
    for group in shares.share_groups():
        assert set(group.levers) <= ids and 0 < group.at_most <= 1
        for region in m.regions:                                  # the plan itself fits
            assert sum(m.lever(k).default(region) for k in group.levers) <= group.at_most


@pytest.mark.parametrize("levers", [
    {"enterprise_support_share": 0.7, "public_research_share": 0.7},
    {"top_talent_programme_share": 0.4, "leading_talent_programme_share": 0.4, "skills_training_share": 0.4},
    {"enterprise_support_share": {2028: 0.7}},                                     # 70 + Ningbo's 35 from 2028
])
def test_the_model_refuses_shares_beyond_their_budget_in_one_line(m, levers):
    with pytest.raises(InputError) as caught:
        m.inputs(Case("ningbo", levers))
    message = str(caught.value)
    assert "\n" not in message and "at most 100%" in message and message.startswith("ningbo: ")


def test_shares_that_fill_the_budget_exactly_run(m):
    m.inputs(Case("ningbo", {"enterprise_support_share": 0.65}))
    m.inputs(Case("cixi", {"enterprise_support_share": 0.7, "public_research_share": 0.3}))


def test_a_scenario_file_with_too_much_shared_is_refused_naming_the_region(tmp_path):
    path = tmp_path / "much.toml"
    path.write_text('name = "x"\ndescription = "y?"\nregions = ["cixi", "ningbo"]\n[levers]\n'
                    'enterprise_support_share = 0.7\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:                       # Cixi's 20 % fits, Ningbo's 35 % does not
        innosim.load_scenario(path)
    assert "much.toml: [levers] in ningbo: the shares of fiscal_st_allocation" in str(caught.value)


def test_the_rule_decides_which_growth_lever_is_inert(m):
    ningbo, cixi = inert_levers(Case("ningbo")), inert_levers(Case("cixi"))
    assert set(ningbo) == {"fiscal_st_growth_margin", "fiscal_talent_growth_margin"}
    assert set(cixi) == {"fiscal_st_growth_rate", "fiscal_talent_growth_rate"}
    assert cixi["fiscal_st_growth_rate"].switch == "fiscal_st_growth_rule"
    assert cixi["fiscal_st_growth_rate"].switch_now == 1.0 and cixi["fiscal_st_growth_rate"].switch_value == 0.0
    later = inert_levers(Case("ningbo", {"fiscal_st_growth_rule": {2028: 1.0}}))    # each rule acts for a while
    assert "fiscal_st_growth_margin" not in later and "fiscal_st_growth_rate" not in later


def test_goal_seeking_refuses_an_inert_lever_and_a_past_target():
    target = find_target("ningbo", "rd_intensity", 2027)
    with pytest.raises(InputError, match="under fiscal_st_growth_rule = 1 it does nothing"):
        goal_seek(Case("ningbo", {"fiscal_st_growth_rule": 1.0}), lever="fiscal_st_growth_rate", targets=[target])
    with pytest.raises(InputError, match="no value can move it"):
        goal_seek(Case("ningbo"), lever="fiscal_st_growth_rate", targets=[find_target("ningbo", "rd_intensity", 2025)])


def test_goal_seeking_a_share_stays_within_the_room_its_group_leaves():
    target = find_target("ningbo", "rd_intensity", 2027)
    result = goal_seek(Case("ningbo", {"additional_rd_ambition": -0.05}), lever="enterprise_support_share",
                       targets=[target])
    assert result.high == pytest.approx(0.65)                         # public research keeps its 35 %
    assert (result.value if result.reachable else result.best_value) <= 0.65 + 1e-9
