"""Goal seeking and lever attribution."""
from __future__ import annotations

import numpy as np
import pytest

import innosim
from innosim import Case, as_scenario  # noqa: F401
from innosim.analysis.attribution import attribute
from innosim.analysis.executor import Executor
from innosim.analysis.goalseek import XTOL_SHARE, find_target, goal_seek
from innosim.analysis.montecarlo import montecarlo
from innosim.core import data
from innosim.core.scenarios import Scenario
from innosim.core.tables import score_target
from innosim.core.targets import TOLERANCE, is_met

REGION = "ningbo"
FISCAL = "fiscal_st_growth_rate"
# The super-deduction moves R&D intensity enough to reach the 2027 targets within its range; fiscal S&T growth
# does not (its evidence: little additionality, a tenth of R&D from the city's research money).
LEVER = "super_deduction_rate"


COUNTERFACTUAL = 2021     # "had the lever been set so since 2021": the way to seek a value for a 2025 target


def judged(region, target, levers, policy_from=None) -> float:
    """What the target judges (level, multiple or rise) on a single run with these lever settings."""
    table = innosim.load().project(Case(region, levers, policy_from=policy_from))
    series = table[table.indicator == target.indicator].set_index("year")["value"].to_dict()
    labels = {i.indicator: i for i in data.indicators()}
    return score_target(series, target, labels)["projected"]


def met(region, target, levers, policy_from=None) -> bool:
    return is_met(judged(region, target, levers, policy_from), target.comparator, target.value)    # the one rule


@pytest.mark.parametrize("region, indicator, year, lever_id", [
    ("ningbo", "rd_intensity", 2027, LEVER),
    ("ningbo", "rd_intensity", 2025, "additional_rd_ambition"),
    ("ningbo", "enterprise_rd_expense_intensity", 2027, LEVER),
    ("yuyao", "rd_intensity", 2025, LEVER),
    ("cixi", "rd_personnel_per_10k", 2025, "talent_attraction_multiplier"),
    ("cixi", "hightech_enterprises", 2025, "enterprise_support_share"),
    ("cixi", "rd_intensity", 2025, "fiscal_st_growth_margin"),  # met with no margin: the answer is the low end
])
def test_a_reachable_target_is_met_at_the_answer_and_missed_just_below_it(m, region, indicator, year, lever_id):
    target = find_target(region, indicator, year)
    result = goal_seek(Case(region, policy_from=COUNTERFACTUAL), lever=lever_id, targets=[target])
    assert result.reachable and result.bound == "smallest" and result.from_year == COUNTERFACTUAL
    lever = m.lever(lever_id)
    assert lever.low <= result.value <= lever.high
    assert met(region, target, {lever_id: result.value}, COUNTERFACTUAL)
    if result.value == lever.low:
        return
    tolerance = 10 * XTOL_SHARE * (lever.high - lever.low)
    assert not met(region, target, {lever_id: result.value - tolerance}, COUNTERFACTUAL)
    assert result.achieved[0] == pytest.approx(target.value, rel=2 * TOLERANCE)


def test_an_unreachable_target_says_so_with_the_best_value(m):
    target = find_target(REGION, "basic_research_share", 2025)        # the doubling of basic research
    result = goal_seek(Case(REGION, policy_from=COUNTERFACTUAL), lever=FISCAL, targets=[target])
    assert not result.reachable and result.value is None
    lever = m.lever(FISCAL)
    assert not met(REGION, target, {FISCAL: lever.high}, COUNTERFACTUAL)
    assert result.best_value == lever.high           # more money brings it closest, still short
    assert result.best_achieved[0] == pytest.approx(judged(REGION, target, {FISCAL: lever.high}, COUNTERFACTUAL),
                                                    rel=1e-9)
    assert "not reachable" in result.describe()


def test_the_least_growth_meeting_all_targets_is_the_largest_of_the_single_answers():
    targets = [t for t in data.targets() if t.region == REGION and t.year == 2027 and t.modelled
               and t.indicator in ("rd_intensity", "enterprise_rd_expense_intensity")]
    assert len(targets) == 2
    case = Case(REGION, policy_from=COUNTERFACTUAL)
    joint = goal_seek(case, lever=LEVER, targets=targets)
    singles = [goal_seek(case, lever=LEVER, targets=[t]).value for t in targets]
    assert joint.reachable
    assert joint.value == pytest.approx(max(singles), abs=1e-4)
    assert all(met(REGION, t, {LEVER: joint.value}, COUNTERFACTUAL) for t in targets)


def test_a_lever_that_works_against_a_target_gets_its_largest_value(m):
    target = find_target("yuyao", "new_graduates", 2025)
    case = Case("yuyao", policy_from=COUNTERFACTUAL)      # a higher deflator erodes fixed-growth attraction money
    result = goal_seek(case, lever="inflation_rate", targets=[target])
    assert result.reachable and result.bound == "largest"
    assert met("yuyao", target, {"inflation_rate": result.value}, COUNTERFACTUAL)
    assert not met("yuyao", target, {"inflation_rate": result.value + 1e-3}, COUNTERFACTUAL)


def test_a_value_from_a_later_year_leaves_the_years_before_it_alone():
    target = find_target(REGION, "rd_intensity", 2027)
    case = Case(REGION, policy_from=COUNTERFACTUAL)
    result = goal_seek(case, lever=LEVER, targets=[target], from_year=2024)
    assert result.reachable and result.from_year == 2024
    m = innosim.load()
    late = m.project(Case(REGION, {LEVER: {2024: result.value}}, policy_from=COUNTERFACTUAL))
    plan = m.project(case)
    before = lambda t: t[(t.year <= 2024) & (t.indicator == "rd_intensity")].value.to_numpy()  # noqa: E731
    np.testing.assert_allclose(before(late), before(plan), rtol=1e-12)
    assert met(REGION, target, {LEVER: {2024: result.value}}, COUNTERFACTUAL)


def test_a_target_before_the_levers_apply_is_refused_never_answered():
    target = find_target(REGION, "rd_intensity", 2025)            # 2025 is observed; levers apply from 2026
    with pytest.raises(innosim.InputError, match="no value can move it"):
        goal_seek(Case(REGION), lever=FISCAL, targets=[target])
    with pytest.raises(innosim.InputError, match="counterfactual"):
        goal_seek(Case(REGION), lever=LEVER, targets=[find_target(REGION, "rd_intensity", 2027)], from_year=2024)


CHANCE = 0.7


def test_asking_for_a_chance_of_meeting_needs_more_and_delivers_that_chance():
    target = find_target(REGION, "rd_intensity", 2027)
    case = Case(REGION, policy_from=COUNTERFACTUAL)
    central = goal_seek(case, lever=LEVER, targets=[target])
    likely = goal_seek(case, lever=LEVER, targets=[target], confidence=CHANCE, samples=200, seed=5)
    assert likely.reachable and likely.value > central.value
    # the same draws, run at the answer: at least that share of them meet the target
    sc = Scenario("x", "x", "x", (REGION,), {LEVER: likely.value}, policy_from=COUNTERFACTUAL)
    chance = montecarlo(sc.case(REGION), n=200, seed=5, executor=Executor(1)).probabilities
    row = chance[(chance.indicator == "rd_intensity") & (chance.year == 2027)].iloc[0]
    assert row.probability >= CHANCE - 1e-12
    below = Scenario("y", "y", "y", (REGION,), {LEVER: likely.value - 0.005}, policy_from=COUNTERFACTUAL)
    chance = montecarlo(below.case(REGION), n=200, seed=5, executor=Executor(1)).probabilities
    assert chance[(chance.indicator == "rd_intensity") & (chance.year == 2027)].probability.iloc[0] < CHANCE


def test_goal_seek_rejects_bad_requests():
    target = find_target(REGION, "rd_intensity", 2027)
    with pytest.raises(innosim.InputError, match="unknown lever"):
        goal_seek(Case(REGION), lever="more_money", targets=[target])
    with pytest.raises(innosim.InputError, match="confidence"):
        goal_seek(Case(REGION), lever=LEVER, targets=[target], confidence=80)
    with pytest.raises(innosim.InputError, match="no value can move it"):
        goal_seek(Case(REGION), lever=LEVER, targets=[target], from_year=2030)
    with pytest.raises(innosim.InputError, match="no modelled target"):
        find_target(REGION, "happiness")


# --- attribution ---

def test_shapley_splits_the_whole_difference_and_one_lever_gets_all_of_it():
    one = Scenario("one", "one", "one", (REGION,), {FISCAL: 0.10})
    result = attribute(as_scenario(one).case(REGION), year=2027)
    totals = result.totals.set_index("indicator")
    plan, now = innosim.simulate(REGION), innosim.simulate(REGION, one)
    for ind in ("rd_intensity", "enterprise_rd_intensity"):
        value = lambda t: t[(t.indicator == ind) & (t.year == 2027)].value.iloc[0]  # noqa: E731
        assert totals.loc[ind, "difference"] == pytest.approx(value(now) - value(plan), rel=1e-9, abs=1e-12)
    rows = result.table
    np.testing.assert_allclose(rows.shapley, rows.one_at_a_time, rtol=1e-12, atol=1e-12)
    assert (rows[rows.indicator == "rd_intensity"].shapley < 0).all()     # less money, lower intensity


def test_shapley_contributions_add_up_with_several_levers():
    scenario = innosim.load_scenario("scenarios/push_2027.toml")
    assert len(scenario.levers) >= 3
    result = attribute(as_scenario(scenario).case(REGION), year=2027)
    sums = result.table.groupby("indicator", sort=False).shapley.sum()
    totals = result.totals.set_index("indicator").difference
    np.testing.assert_allclose(sums.loc[totals.index], totals, rtol=1e-9, atol=1e-9)
    # one-at-a-time effects need not add up: the gap is the levers' interaction, which Shapley shares out
    oat = result.table.groupby("indicator", sort=False).one_at_a_time.sum()
    assert np.abs(oat.loc[totals.index] - totals).max() > 0


def test_sampled_shapley_approaches_the_exact_split(monkeypatch):
    import innosim.analysis.attribution as attribution

    scenario = innosim.load_scenario("scenarios/push_2027.toml")
    exact = attribute(as_scenario(scenario).case(REGION), year=2027).table
    monkeypatch.setattr(attribution, "EXACT_UP_TO", 1)       # force the permutation estimate
    sampled = attribute(as_scenario(scenario).case(REGION), year=2027, permutations=400, seed=1).table
    sums = sampled.groupby("indicator", sort=False).shapley.sum()
    totals = exact.groupby("indicator", sort=False).shapley.sum()
    np.testing.assert_allclose(sums, totals, rtol=1e-9, atol=1e-9)     # every permutation telescopes exactly
    big = exact.shapley.abs() > 1e-6 * exact.shapley.abs().max()
    np.testing.assert_allclose(sampled.shapley[big], exact.shapley[big], rtol=0.25)
