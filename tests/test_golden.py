"""Golden outputs: the plan's headline indicators change only on purpose.

After a deliberate change to the model or its data, regenerate with
``INNOSIM_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and commit the
new file with the reason in the message.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from helpers import inputs_of, project_case, run_case  # noqa: F401

from innosim.core import data

GOLDEN = Path(__file__).parent / "golden" / "plan_headline.csv"
YEARS = [2020, 2025, 2027, 2030, 2035]


def current(m) -> pd.DataFrame:
    frames = []
    for region in m.regions:
        table = m.indicator_table(run_case(m, region))
        headline = [i.indicator for i in data.indicators() if i.headline]
        part = table.loc[YEARS, headline].reset_index().melt(id_vars="year", var_name="indicator")
        part.insert(0, "region", region)
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def test_plan_headline_matches_golden(m):
    now = current(m)
    if os.environ.get("INNOSIM_UPDATE_GOLDEN"):
        now.to_csv(GOLDEN, index=False, float_format="%.10g")
        pytest.skip("golden file regenerated")
    golden = pd.read_csv(GOLDEN)
    merged = golden.merge(now, on=["region", "year", "indicator"], suffixes=("_golden", "_now"))
    assert len(merged) == len(golden) == len(now)
    off = merged[~(abs(merged.value_now - merged.value_golden) <= 1e-7 * abs(merged.value_golden) + 1e-9)]
    assert off.empty, f"plan outputs changed:\n{off.to_string()}"
