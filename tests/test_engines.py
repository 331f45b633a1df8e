"""The compiled engine and PySD run the same .mdl to the same numbers; no run leaks into the next."""
from __future__ import annotations

import numpy as np
import pytest

SCENARIO = {
    "fiscal_st_growth_rate": {2020: 0.15, 2024: 0.08},
    "talent_attraction_multiplier": 0.5,
    "super_deduction_rate_from_2021": {2026: 0.75},
}


def _relative_gap(a, b):
    common = [c for c in a.columns if c in b.columns]
    assert len(common) == len(a.columns)
    b = b.loc[a.index, common]
    return float((np.abs(a[common] - b) / (np.abs(b) + 1e-12)).max().max())


@pytest.mark.parametrize("region", ["ningbo", "cixi", "yuyao"])
def test_compiled_equals_pysd_on_the_plan(m, region):
    assert _relative_gap(m.run(region), m.run(region, engine="pysd")) < 1e-9


def test_compiled_equals_pysd_with_schedules_and_parameters(m):
    params = {"knowledge_depreciation_rate": 0.2, "private_rd_per_subsidy_yuan": -0.1}
    a = m.run("cixi", levers=SCENARIO, parameters=params)
    b = m.run("cixi", levers=SCENARIO, parameters=params, engine="pysd")
    assert _relative_gap(a, b) < 1e-9


def test_vector_engine_equals_scalar_engine(m):
    constants, levers, _ = m.inputs("yuyao", SCENARIO)
    engine = m._engine
    grid = engine.grid()
    lever_paths = {}
    from model.engine import schedule_values
    for key, value in levers.items():
        lever_paths[key] = schedule_values(0.0, value, grid.step_times())[:, None]
    out = engine.run_vector(constants, lever_paths, n=1)
    scalar = engine.run(constants, levers)
    assert np.max(np.abs(out[:, :, 0] - scalar.values) / (np.abs(scalar.values) + 1e-12)) < 1e-9


def test_parameters_never_leak_between_runs_pysd(m):
    engine = m.pysd_engine()
    first = engine.run()
    engine.run(constants={"knowledge_depreciation_rate": 0.25},
               levers={"fiscal_st_growth_rate": ((2020.0, 0.3),)})
    again = engine.run()
    assert np.array_equal(first.values, again.values)


def test_parameters_never_leak_between_runs_api(m):
    plan = m.run("ningbo")
    changed = m.run("ningbo", levers={"fiscal_st_growth_rate": 0.0}, parameters={"capital_share": 0.4})
    assert not np.allclose(plan.values, changed.values)
    assert np.array_equal(plan.values, m.run("ningbo").values)
    # and no region's data bleeds into another's
    assert np.array_equal(m.run("cixi").values, m.run("cixi").values)
