"""Property tests over the lever ranges: finite, bounded, and effects in the expected direction."""
from __future__ import annotations

import numpy as np
from helpers import inputs_of, project_case, run_case, within_budgets  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import innosim

M = innosim.load()
LEVERS = {lv.id: lv for lv in M.levers}
# Shares of a whole stay below 100 %.  The contribution of technical progress is a ratio of two growth
# rates (official method): not a share, and unbounded as output growth nears zero, so it is only finite.
SHARES = ["rd_intensity", "enterprise_rd_intensity", "hightech_share", "basic_research_share",
          "digital_economy_share", "high_skill_share"]


def lever_value(lever_id):
    lv = LEVERS[lever_id]
    steps = int(round((lv.high - lv.low) / lv.step))
    return st.integers(0, steps).map(lambda k: round(lv.low + k * lv.step, 10))


lever_sets = st.fixed_dictionaries({}, optional={k: lever_value(k) for k in LEVERS})
regions = st.sampled_from(M.regions)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(region=regions, levers=lever_sets)
def test_any_lever_setting_gives_finite_non_negative_bounded_results(region, levers):
    levers = within_budgets(M, region, levers)
    table = M.indicator_table(run_case(M, region, levers=levers))
    assert np.isfinite(table.values).all()
    # the contribution of technical progress is a ratio of growth rates: negative when TFP falls
    assert (table.drop(columns=["tech_progress_contribution"]).values >= 0).all()
    for share in SHARES:
        assert (table[share] < 100).all(), share
    run = run_case(M, region, levers=levers)
    for name in ("talent_capacity_effect", "fiscal_affordability"):
        assert ((run[name] >= 0) & (run[name] <= 1)).all(), name


def _pair(lever_id, low_high):
    low, high = sorted(low_high)
    return st.tuples(regions, st.just(low), st.just(high)) if low < high else None


def _direction(lever_id, indicator, year, region, low, high):
    a = M.indicator_table(run_case(M, region, levers={lever_id: low})).loc[year, indicator]
    b = M.indicator_table(run_case(M, region, levers={lever_id: high})).loc[year, indicator]
    return a, b


@FAST
@given(region=regions, a=lever_value("fiscal_st_growth_rate"), b=lever_value("fiscal_st_growth_rate"))
def test_faster_fiscal_st_growth_raises_spending_and_rd_intensity(region, a, b):
    low, high = min(a, b), max(a, b)
    levers = {"fiscal_st_growth_rule": 0}
    lo = M.indicator_table(run_case(M, region, levers={**levers, "fiscal_st_growth_rate": low}))
    hi = M.indicator_table(run_case(M, region, levers={**levers, "fiscal_st_growth_rate": high}))
    assert (hi["fiscal_st_spending"] >= lo["fiscal_st_spending"] - 1e-9).all()
    assert hi.loc[2027, "rd_intensity"] >= lo.loc[2027, "rd_intensity"] - 1e-9


@FAST
@given(region=regions, a=lever_value("talent_attraction_multiplier"), b=lever_value("talent_attraction_multiplier"))
def test_stronger_talent_inflow_raises_rd_personnel(region, a, b):
    lo, hi = _direction("talent_attraction_multiplier", "rd_personnel", 2030, region, min(a, b), max(a, b))
    assert hi >= lo - 1e-9


@FAST
@given(region=regions, a=lever_value("super_deduction_rate"), b=lever_value("super_deduction_rate"))
def test_a_larger_super_deduction_raises_enterprise_intensity(region, a, b):
    lo, hi = _direction("super_deduction_rate", "enterprise_rd_intensity", 2027, region, min(a, b), max(a, b))
    assert hi >= lo - 1e-12


@FAST
@given(region=regions, a=lever_value("digital_economy_policy_multiplier"), b=lever_value("digital_economy_policy_multiplier"))
def test_stronger_digital_policy_raises_the_digital_share(region, a, b):
    lo, hi = _direction("digital_economy_policy_multiplier", "digital_economy_share", 2030, region, min(a, b), max(a, b))
    assert hi >= lo - 1e-12


@FAST
@given(region=regions, a=lever_value("basic_research_share_of_public_rd"), b=lever_value("basic_research_share_of_public_rd"))
def test_more_basic_research_allocation_raises_the_basic_research_share(region, a, b):
    lo, hi = _direction("basic_research_share_of_public_rd", "basic_research_share", 2025, region, min(a, b), max(a, b))
    assert hi >= lo - 1e-12


def test_a_constant_growth_rate_gives_the_exponential():
    """Closed form: under a fixed rate and no brake, fiscal spending is S0 * (1 + g)^t exactly (from 2026,
    when the case's levers take over from the observed path)."""
    run = run_case(M, "ningbo", levers={"fiscal_st_growth_rate": 0.1}, parameters={"maximum_innovation_share_of_revenue": 1.0})
    later = run.loc[2026:]
    years = later.index.to_numpy() - 2026
    expected = later["fiscal_st_spending"].iloc[0] * 1.1 ** years
    assert np.allclose(later["fiscal_st_spending"].to_numpy(), expected, rtol=1e-12)
