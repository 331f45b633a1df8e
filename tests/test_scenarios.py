"""Scenario files: every shipped one loads and runs, its effects go the expected way, bad input is caught."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import innosim
from innosim.core.scenarios import load_scenario, shipped
from innosim.paths import scenario_dir

SCENARIO_DIR = scenario_dir()

SHIPPED = shipped()


def test_the_plan_and_at_least_six_what_ifs_ship():
    ids = [p.stem for p in SHIPPED]
    assert ids[0] == "plan" and len(ids) >= 7


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_scenario_loads_and_runs(path):
    sc = load_scenario(path)
    assert sc.name and "?" in sc.description  # each answers a question
    for region in sc.regions:
        table = innosim.simulate(region, sc)
        assert np.isfinite(table["value"]).all()
        assert set(table["scenario"]) == {path.stem}


def _at(region, scenario, indicator, year):
    table = innosim.simulate(region, scenario)
    return table[(table.indicator == indicator) & (table.year == year)]["value"].item()


@pytest.mark.parametrize("region", ["ningbo", "yuyao"])
def test_fiscal_slowdown_lowers_2027_rd_intensity(region):
    slow = SCENARIO_DIR / "fiscal_slowdown.toml"
    assert _at(region, slow, "rd_intensity", 2027) < _at(region, None, "rd_intensity", 2027)
    assert _at(region, slow, "rd_intensity", 2023) == pytest.approx(_at(region, None, "rd_intensity", 2023), rel=1e-3)


def test_scenario_effects_go_the_expected_way():
    plan = {r: innosim.simulate(r) for r in innosim.REGIONS}

    def value(table, ind, year):
        return table[(table.indicator == ind) & (table.year == year)]["value"].item()

    def effect(name, region, ind, year):
        return value(innosim.simulate(region, SCENARIO_DIR / f"{name}.toml"), ind, year) - value(plan[region], ind, year)

    assert effect("fiscal_surge", "ningbo", "fiscal_st_spending", 2027) > 0
    assert effect("fiscal_surge", "ningbo", "rd_intensity", 2027) > 0
    assert effect("talent_squeeze", "cixi", "rd_personnel", 2030) < 0
    assert effect("talent_squeeze", "yuyao", "new_phds", 2027) < 0
    assert effect("talent_squeeze", "yuyao", "new_phds", 2025) == pytest.approx(0, abs=1e-9)    # 2025 is observed
    assert effect("enterprise_led", "ningbo", "enterprise_rd_intensity", 2030) > 0
    assert effect("enterprise_led", "ningbo", "fiscal_st_spending", 2025) == pytest.approx(0, abs=1e-9)
    assert effect("super_deduction_rollback", "yuyao", "enterprise_rd_intensity", 2030) < 0
    assert effect("super_deduction_rollback", "yuyao", "enterprise_rd_intensity", 2025) == pytest.approx(0, abs=1e-12)
    assert effect("cixi_rule_for_ningbo", "ningbo", "fiscal_st_spending", 2027) < 0
    assert effect("push_2027", "ningbo", "rd_intensity", 2027) > 0
    assert effect("push_2027", "ningbo", "basic_research_share", 2027) > 0


GOOD = """name = "Test"
description = "What if?"
regions = ["ningbo"]
[levers]
fiscal_st_growth_rate = { 2027 = 0.08 }
"""

BAD = [
    ("name = 'x'\ndescription = 'y'\ncolour = 'red'\n", "colour", "allowed: name, description"),
    ("description = 'y'\n", "missing key 'name'", "name"),
    ("name = 3\ndescription = 'y'\n", "name = 3", "text"),
    ("name = 'x'\ndescription = 'y'\nregions = ['hangzhou']\n", "hangzhou", "ningbo"),
    ("name = 'x'\ndescription = 'y'\n[levers]\nfiscal_growth = 0.1\n", "levers.fiscal_growth", "did you mean"),
    ("name = 'x'\ndescription = 'y'\n[levers]\nfiscal_st_growth_rate = 0.5\n", "levers.fiscal_st_growth_rate = 0.5", "0 to 0.3"),
    ("name = 'x'\ndescription = 'y'\n[levers]\nfiscal_st_growth_rate = 'fast'\n", "levers.fiscal_st_growth_rate = fast", "0 to 0.3"),
    ("name = 'x'\ndescription = 'y'\n[levers]\nfiscal_st_growth_rate = { 2040 = 0.1 }\n", "levers.fiscal_st_growth_rate.2040", "2015 to 2035"),
    ("name = 'x'\ndescription = 'y'\n[levers]\nfiscal_st_growth_rate = {}\n", "fiscal_st_growth_rate", "year = value"),
    ("name = 'x'\ndescription = 'y'\n[levers]\nknowledge_depreciation_rate = 0.2\n", "knowledge_depreciation_rate", "[parameters]"),
    ("name = 'x'\ndescription = 'y'\n[parameters]\nfiscal_st_growth_rate = 0.1\n", "parameters.fiscal_st_growth_rate", "lever"),
    ("name = 'x'\ndescription = 'y'\n[parameters]\nno_such_constant = 1\n", "parameters.no_such_constant", "constants"),
    ("name = 'x'\ndescription = 'y'\n[parameters]\ncapital_share = true\n", "parameters.capital_share = True", "number"),
    ("name = 'x'\ndescription = 'y'\n[run]\nend_year = 2014\n", "run.end_year = 2014", "2016 to 2050"),
    ("name = 'x'\ndescription = 'y'\n[run]\nstart_year = 2021\n", "run.start_year", "end_year"),
    ("name = 'x'\ndescription = 'y'\nlevers = 3\n", "levers = 3", "table"),
    ("name = 'x\ndescription = 'y'\n", "not valid TOML", "line"),
]


@pytest.mark.parametrize("text, key, allowed", BAD, ids=[b[1] for b in BAD])
def test_bad_scenarios_get_one_line_that_names_file_key_and_what_is_allowed(tmp_path, text, key, allowed):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    proc = subprocess.run([sys.executable, "-m", "innosim", "run", str(path), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and key in lines[0] and allowed in lines[0], lines[0]
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_a_good_scenario_file_parses_into_overrides(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    sc = load_scenario(path)
    assert sc.regions == ("ningbo",) and sc.levers == {"fiscal_st_growth_rate": {2027: 0.08}}
    assert sc.sha256 and sc.id == "good"


def test_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(innosim.ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "nope.toml")


def test_scenarios_are_defined_once():
    """No scenario restates the plan's values: a schedule starts at its change year."""
    for path in SHIPPED:
        sc = load_scenario(path)
        for key, value in sc.levers.items():
            if isinstance(value, dict):
                assert min(value) >= 2026, (path.stem, key)      # the levers apply from the first free year
    names = [load_scenario(p).name for p in SHIPPED]
    assert len(set(names)) == len(names)
