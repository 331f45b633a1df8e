"""No target is met by a starting disequilibrium: with no new policy, every headline indicator keeps to the
pace its own 2015-2025 record set (issue 11)."""
from __future__ import annotations

import numpy as np
import pytest

from innosim import Case
from innosim.core import data
from innosim.core.timeline import no_new_policy

# Counts that start at zero in 2020 (the documents' 2021-2025 tallies) and a ratio of two growth rates have no
# growth rate over the record to compare with.
NO_RECORD_RATE = {"new_phds", "tech_progress_contribution"}
SLACK = 0.005          # half a point of yearly growth


@pytest.mark.parametrize("region", ["ningbo", "cixi", "yuyao"])
def test_momentum_keeps_to_the_records_pace(m, region):
    table = m.project(no_new_policy(Case(region, final_year=2030), m.levers))
    wide = table.pivot_table(index="year", columns="indicator", values="value")
    checked = 0
    for ind in data.indicators():
        if not ind.headline or ind.indicator in NO_RECORD_RATE:
            continue
        s = wide[ind.indicator]
        assert (s > 0).all(), ind.indicator
        record = (s.loc[2025] / s.loc[2015]) ** (1 / 10) - 1
        ahead = (s.loc[2030] / s.loc[2025]) ** (1 / 5) - 1
        assert ahead <= record + SLACK, (region, ind.indicator, record, ahead)
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize("region", ["ningbo", "cixi", "yuyao"])
def test_momentum_spending_grows_with_revenue(m, region):
    run = m.run(no_new_policy(Case(region, final_year=2030), m.levers))
    later = run.loc[2026:2030]
    ratio = later["fiscal_st_spending"] / later["general_budget_revenue"]
    assert np.allclose(ratio, ratio.iloc[0], rtol=1e-9)
    assert (np.diff(later["general_budget_revenue"]) > 0).all()


def test_the_fiscal_ceiling_only_narrows_what_faster_fiscal_growth_adds():
    """Beyond the ceiling faster growth is cut back (and takes room from talent money), so the ceiling can only
    narrow the gain of 15 % over 10 % a year; without it the gain is what additionality gives, and positive."""
    import innosim

    m = innosim.load()

    def gain(ceiling, year):
        runs = [m.run(Case("ningbo", {"fiscal_st_growth_rate": g}, {"maximum_innovation_share_of_revenue": ceiling},
                           final_year=2030)) for g in (0.10, 0.15)]
        return runs[1].loc[year, "rd_intensity"] - runs[0].loc[year, "rd_intensity"]

    for year in (2027, 2030):
        free, capped = gain(1.0, year), gain(0.16, year)
        assert free > 0
        assert capped <= free + 1e-12
