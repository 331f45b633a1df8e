"""Region data and targets: provenance on every row, every target mapped or marked."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from innosim.core import data

SEEDS = Path(__file__).resolve().parents[1] / "docs" / "seeds"
SOURCE_FORMS = re.compile(r"^(https?://\S+|seed:\S+\.txt clause \S+|estimate$|calibration$|calibration/history\.csv$)")
# A note that gives a target or an aim as its reason (issue 10): allowed only where it says it is the only evidence.
TARGET_WORDS = re.compile(r"target|aim|目标|doubling|翻番|倍增", re.IGNORECASE)
HEADLINE_CLAUSES = {"ningbo": "3 (主要目标: 六倍增六提升)", "cixi": "3 (主要目标)", "yuyao": "3 (发展目标)"}


def test_region_rows_have_a_source_and_estimates_a_reason():
    for row in data.region_values():
        assert SOURCE_FORMS.match(row.source), (row.region, row.variable, row.source)
        if row.source in ("estimate", "calibration", "calibration/history.csv"):
            assert len(row.note) > 20, f"{row.source} {row.region}.{row.variable} needs its reasoning"
        assert row.unit, (row.region, row.variable)


def test_no_region_value_rests_on_a_target_unless_it_is_the_only_evidence():
    for row in data.region_values():
        if TARGET_WORDS.search(row.note) and "doubling does not depend on the base" not in row.note:
            assert "only evidence" in row.note, (row.region, row.variable, row.note)


def test_region_units_match_the_model(m):
    for row in data.region_values():
        assert row.unit == m.variables[row.variable].units, (row.region, row.variable)


def test_parameter_table_covers_every_region_independent_constant(m):
    regional = {r.variable for r in data.region_values()}
    sources = data.parameter_sources()
    for name, var in m.variables.items():
        if var.kind == "constant" and not var.is_lever and name not in regional:
            assert name in sources, f"{name} needs a row in model/parameters.csv"
            src = sources[name]
            assert src.source, name
            if src.low is not None:
                assert src.low <= m.file_defaults[name] <= src.high, name
    assert set(sources) <= set(m.variables)


def test_sampled_delay_times_stay_above_two_time_steps(m):
    """Monte Carlo draws parameters over these ranges; a delay shorter than two steps makes Euler overshoot."""
    step = m.file_defaults["time_step"]
    delays = {name: src for name, src in data.parameter_sources().items()
              if src.low is not None and m.variables[name].units == "Year"
              and any(word in name for word in ("time", "lag", "window"))}
    assert "examination_time" in delays and "intensity_adjustment_time" in delays
    for name, src in delays.items():
        assert src.low >= 2 * step, f"{name}: lower bound {src.low} is under two time steps ({2 * step})"


def _normal(text: str) -> str:
    return re.sub(r"[\s,，、。;；:：“”\"()（）…]", "", text)


@pytest.fixture(scope="module")
def seed_texts():
    return {p.name: _normal(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}


def test_every_target_quotes_its_document(seed_texts):
    for t in data.targets():
        assert t.document in seed_texts, t.document
        for piece in re.split(r"……", t.original):
            assert _normal(piece) in seed_texts[t.document], (t.region, t.indicator, piece)


def test_every_target_maps_to_an_indicator_or_is_marked():
    known = {ind.indicator: ind for ind in data.indicators()}
    for t in data.targets():
        assert t.comparator in {">=", ">", "<=", "="}
        assert t.kind in {"level", "multiple", "increase"}
        if t.kind in {"multiple", "increase"}:
            assert t.base_year is not None and t.base_year < t.year
        if t.status == "modelled":
            assert t.indicator in known, t.indicator
            expected_unit = "倍" if t.kind == "multiple" else known[t.indicator].unit
            assert t.unit == expected_unit, (t.region, t.indicator, t.unit)
        else:
            assert t.status == "tracked, not modelled", t.status
            assert t.indicator not in known
            assert t.note, f"{t.indicator} needs the reason it is not modelled"


def test_headline_sets_are_complete_and_all_modelled():
    """六倍增六提升: six doublings (seven rows where 顶尖人才和科技领军人才 counts twice) and six ratios."""
    for region, clause in HEADLINE_CLAUSES.items():
        rows = [t for t in data.targets() if t.region == region and t.clause == clause and t.year == 2025]
        six_ratios = {"rd_intensity", "enterprise_rd_intensity", "hightech_share", "rd_personnel_per_10k",
                      "labour_productivity", "tech_progress_contribution"}
        headline = [t for t in rows if t.kind == "multiple" or t.indicator in six_ratios]
        assert all(t.modelled for t in headline)
        assert six_ratios <= {t.indicator for t in headline}
        doublings = {t.indicator for t in rows if t.kind == "multiple"}
        assert len(doublings) >= 6 and {"pct_applications", "digital_economy_va", "hightech_enterprises",
                                         "tech_smes"} <= doublings
    ningbo_2027 = {t.indicator for t in data.targets() if t.region == "ningbo" and t.year == 2027 and t.modelled}
    assert {"rd_intensity", "enterprise_rd_expense_intensity", "hightech_share", "high_value_patents_per_10k",
            "rd_personnel_per_10k", "high_skill_share", "top_talent"} <= ningbo_2027
    digital = {t.region for t in data.targets() if t.indicator == "digital_economy_share"}
    assert digital == {"ningbo", "cixi"}


def test_fiscal_growth_rules_are_levers_not_targets():
    assert not [t for t in data.targets() if "fiscal" in t.indicator and "growth" in t.indicator]


def test_indicator_labels_in_both_languages():
    for ind in data.indicators():
        assert ind.label_zh and ind.label_en and ind.unit
        assert re.search(r"[\u4e00-\u9fff]", ind.label_zh), ind.indicator


def test_model_document_tables_are_current():
    """docs/model.md lists every lever, region value and parameter as the model now has them."""
    from innosim.reports.model_doc import DOC, document_tables, tables_markdown

    assert document_tables(DOC.read_text(encoding="utf-8")) == tables_markdown(), \
        "run `python -m innosim.reports.model_doc` to refresh docs/model.md"
