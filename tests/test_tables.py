"""The scorecard on hand-made cases, and the wide table."""
from __future__ import annotations

import pandas as pd
import pytest

from innosim.core.data import Target
from innosim.core.tables import scorecard, wide_table


def target(indicator="x", year=2025, comparator=">=", value=10.0, kind="level", base_year=None, status="modelled"):
    return Target("r", indicator, year, comparator, value, "u", kind, base_year, "doc", "1", "原文", status, "")


def projection(values: dict[int, float], indicator="x", scenario="s"):
    return pd.DataFrame({"scenario": scenario, "region": "r", "year": list(values), "indicator": indicator,
                         "value": list(values.values()), "unit": "u"})


def score(values, t):
    return scorecard(projection(values, t.indicator), [t]).iloc[0]


def test_scorecard_matches_the_single_target_scorer():
    from innosim.core.tables import score_target

    t = target(kind="multiple", value=2, base_year=2020)
    row = score_target(SERIES, t)
    assert row["projected"] == pytest.approx(11 / 5) and row["first_year_met"] == 2024


SERIES = {2020: 5.0, 2023: 9.0, 2024: 10.0, 2025: 11.0, 2026: 12.0}


def test_level_at_least_met_with_first_year():
    row = score(SERIES, target(value=10))
    assert row.status == "met" and bool(row.met) and row.projected == 11 and row.gap == 1
    assert row.first_year_met == 2024


def test_above_is_met_on_reaching_the_threshold_by_the_one_rule():
    # "超过/高于 X" is judged as reaching X (a bureau's rounded figure of X reads as meeting it), so the
    # scorecard and plan-mode calibration, which drives shortfalls to zero, agree at the threshold.
    assert score(SERIES, target(comparator=">", value=11)).status == "met"
    assert score(SERIES, target(comparator=">", value=11 * (1 + 1e-3))).status == "missed"


def test_at_least_is_met_at_equality():
    assert score(SERIES, target(comparator=">=", value=11)).status == "met"


def test_level_missed_reports_a_negative_gap():
    row = score(SERIES, target(value=13))
    assert row.status == "missed" and row.gap == -2 and pd.isna(row.first_year_met)


def test_doubling_is_judged_against_the_base_year():
    row = score(SERIES, target(kind="multiple", value=2, base_year=2020))
    assert row.projected == pytest.approx(11 / 5) and row.status == "met" and row.base_value == 5
    assert row.projected_value == 11 and row.first_year_met == 2024


def test_doubling_missed():
    row = score({2020: 6.0, 2025: 11.0}, target(kind="multiple", value=2, base_year=2020))
    assert row.status == "missed" and row.gap == pytest.approx(11 / 6 - 2)


def test_increase_over_base_year():
    row = score({2022: 100.0, 2027: 560.0}, target(year=2027, kind="increase", value=500, base_year=2022))
    assert row.projected == 460 and row.status == "missed"


def test_at_most_and_approximately():
    assert score(SERIES, target(comparator="<=", value=11)).status == "met"
    assert score(SERIES, target(comparator="<=", value=10.5)).status == "missed"
    assert score(SERIES, target(comparator="=", value=11.2)).status == "met"      # within 2.5 %
    assert score(SERIES, target(comparator="=", value=12)).status == "missed"


def test_unmodelled_and_out_of_horizon_targets_are_marked():
    assert score(SERIES, target(status="tracked, not modelled")).status == "not modelled"
    assert score(SERIES, target(year=2040)).status == "beyond horizon"


def test_scorecard_covers_each_scenario_and_region():
    long = pd.concat([projection(SERIES, scenario="a"), projection({k: v * 2 for k, v in SERIES.items()}, scenario="b")])
    card = scorecard(long, [target(value=15)])
    assert list(card.scenario) == ["a", "b"] and list(card.status) == ["missed", "met"]


def test_wide_table_has_one_row_per_scenario_region_year():
    long = pd.concat([projection(SERIES, "x"), projection(SERIES, "y")])
    long["indicator"] = long["indicator"].replace({"x": "rd_intensity", "y": "gdp"})
    wide = wide_table(long)
    assert list(wide.columns) == ["scenario", "region", "year", "rd_intensity", "gdp"]
    assert len(wide) == len(SERIES)
