"""Confidence-building tests: conservation, integration error, extreme conditions, base year."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import inputs_of, project_case, run_case  # noqa: F401
from pysd.translators.structures import abstract_expressions as ax

from innosim.core import data

REGIONS = ["ningbo", "cixi", "yuyao"]
# Region-data rows whose model variable carries another name.
SAME_QUANTITY = {"gdp_2020": "nominal_gdp", "rd_expenditure_2020": "total_rd_expenditure"}


def signed_flows(node, sign=1.0):
    """The named flows of a stock's net flow, with their signs."""
    if isinstance(node, ax.ReferenceStructure):
        return [(sign, node.reference)]
    if isinstance(node, ax.ArithmeticStructure) and set(node.operators) <= {"+", "-"}:
        terms = signed_flows(node.arguments[0], sign)
        for op, arg in zip(node.operators, node.arguments[1:]):
            terms += signed_flows(arg, sign if op == "+" else -sign)
        return terms
    raise AssertionError(f"a stock's flow should be a sum of named flows, not {node}")


@pytest.mark.parametrize("engine", ["compiled", "pysd"])
def test_each_stock_equals_its_initial_value_plus_its_accumulated_flows(m, elements, engine):
    dt = m.file_defaults["time_step"]
    run = run_case(m, "ningbo", saveper=dt, engine=engine)
    stocks = [k for k, e in elements.items() if e.kind == "stock"]
    assert len(stocks) > 20
    for stock in stocks:
        flows = signed_flows(elements[stock].ast.flow)
        net = sum(sign * run[name].to_numpy() for sign, name in flows)
        rebuilt = run[stock].iloc[0] + dt * np.concatenate([[0.0], np.cumsum(net[:-1])])
        scale = np.abs(run[stock]).max() + 1e-9
        assert np.max(np.abs(rebuilt - run[stock].to_numpy())) / scale < 1e-9, stock


def test_money_is_conserved_in_the_allocations(plans):
    for run in plans.values():
        st = run["enterprise_rd_subsidies"] + run["public_research_funding"] + run["other_fiscal_st_spending"]
        assert np.allclose(st, run["fiscal_st_spending"])
        talent = (run["top_talent_funding"] + run["leading_talent_funding"] + run["skills_training_funding"]
                  + run["general_attraction_funding"])
        assert np.allclose(talent, run["fiscal_talent_spending"])
        rd = run["enterprise_rd_expenditure"] + run["public_research_rd"] + run["other_rd_expenditure"]
        assert np.allclose(rd, run["total_rd_expenditure"])


@pytest.mark.parametrize("region", REGIONS)
def test_halving_the_time_step_changes_no_headline_indicator_by_more_than_1_percent(m, region):
    dt = m.file_defaults["time_step"]
    coarse = m.indicator_table(run_case(m, region))
    fine = m.indicator_table(run_case(m, region, time_step=dt / 2))
    for ind in data.indicators():
        if not ind.headline:
            continue
        a, b = coarse[ind.indicator].to_numpy(), fine[ind.indicator].to_numpy()
        gap = np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-9))
        assert gap < 0.01, (ind.indicator, gap)


def _stocks(run, elements):
    return run[[k for k, e in elements.items() if e.kind == "stock"]]


def test_zero_fiscal_growth_keeps_spending_flat_and_stocks_sane(m, elements):
    # extreme conditions are counterfactuals from the base year: the levers apply from 2020, not 2026
    run = run_case(m, "ningbo", levers={"fiscal_st_growth_rate": 0.0, "fiscal_talent_growth_rate": 0.0}, policy_from=2020)
    assert np.allclose(run["fiscal_st_spending"], run["fiscal_st_spending"].iloc[0])
    stocks = _stocks(run, elements)
    assert np.isfinite(stocks.values).all() and (stocks.values >= 0).all()
    assert run["rd_intensity"].iloc[-1] < run_case(m, "ningbo")["rd_intensity"].iloc[-1]


def test_zero_talent_inflow_lets_staff_decline_and_the_talent_brake_binds(m, elements):
    run = run_case(m, "cixi", levers={"talent_attraction_multiplier": 0.0}, policy_from=2020)
    stocks = _stocks(run, elements)
    assert np.isfinite(stocks.values).all() and (stocks.values >= 0).all()
    assert (np.diff(run["rd_personnel"]) < 0).all()
    assert (run["new_phds"] == 0).all() and (run["new_graduates"] == 0).all()
    assert run["talent_availability_effect"].iloc[-1] < 0.6


def test_a_tenfold_budget_hits_the_fiscal_and_talent_brakes(m, elements):
    base = data.region_constants("yuyao")
    params = {"fiscal_st_spending_2020": 10 * base["fiscal_st_spending_2020"],
              "fiscal_talent_spending_2020": 10 * base["fiscal_talent_spending_2020"]}
    run = run_case(m, "yuyao", parameters=params)
    stocks = _stocks(run, elements)
    assert np.isfinite(stocks.values).all() and (stocks.values >= 0).all()
    assert run["fiscal_affordability"].iloc[1:].max() == 0.0          # growth held to revenue growth
    assert np.allclose(run["realised_fiscal_st_growth"].iloc[1:], run["revenue_growth_rate"].iloc[1:])
    assert run["talent_availability_effect"].min() < 0.9               # R&D outruns its staff


def test_total_knowledge_depreciation_keeps_stocks_finite(m, elements):
    run = run_case(m, "ningbo", parameters={"knowledge_depreciation_rate": 1.0})
    stocks = _stocks(run, elements)
    assert np.isfinite(stocks.values).all() and (stocks.values >= 0).all()


@pytest.mark.parametrize("region", REGIONS)
def test_calibration_never_overrides_a_published_figure(m, region):
    rows = {r.variable: r for r in data.region_values() if r.region == region}
    for name in m.parameter_set("history", region).values:
        if name in rows:
            assert rows[name].is_estimate, f"the history set overrides the published {region}.{name}"


@pytest.mark.parametrize("region", REGIONS)
def test_the_plan_starts_from_the_region_data(m, plans, region):
    run = plans[region]
    calibrated = m.parameter_set("history", region).values
    checked = 0
    for name, value in data.region_constants(region).items():
        variable = SAME_QUANTITY.get(name, name.removesuffix("_2020"))
        if name in calibrated:
            value = calibrated[name]
        if name.endswith("_2020") and variable in run.columns and variable != name:
            assert run[variable].iloc[0] == pytest.approx(value, rel=1e-12), name
            checked += 1
    assert checked >= 20
    assert run.index[0] == 2020 and run.index[-1] == 2035 and len(run) == 16


def test_every_region_runs_with_finite_non_negative_stocks(plans, elements):
    for region, run in plans.items():
        stocks = _stocks(run, elements)
        assert np.isfinite(run.values).all(), region
        assert (stocks.values >= 0).all(), region
