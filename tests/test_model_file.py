"""The .mdl file itself: standard Vensim, units, descriptions, levers, time settings."""
from __future__ import annotations

import re

from pysd.translators.structures import abstract_expressions as ax

from innosim.core import data
from innosim.mdl.compiler import references
from innosim.paths import model_file

MODEL_FILE = model_file()

# Vensim built-ins a standard engine understands; PySD-only extensions are not here.
STANDARD_VENSIM = {"min", "max", "ln", "exp", "sqrt", "abs", "zidz", "xidz", "if_then_else"}


def _calls(node, found):
    if isinstance(node, ax.CallStructure):
        found.add(node.function.reference)
        for a in node.arguments:
            _calls(a, found)
    elif isinstance(node, (ax.ArithmeticStructure, ax.LogicStructure)):
        for a in node.arguments:
            _calls(a, found)
    elif isinstance(node, ax.IntegStructure):
        _calls(node.flow, found)
        _calls(node.initial, found)
    elif isinstance(node, ax.AbstractSyntax) and not isinstance(node, (ax.ReferenceStructure, ax.LookupsStructure)):
        raise AssertionError(f"unexpected construct {type(node).__name__}")
    return found


def test_every_variable_declares_units_and_a_description(elements):
    for el in elements.values():
        assert el.units, f"{el.name} has no units"
        assert el.doc and len(el.doc.splitlines()) == 1, f"{el.name} needs a one-line description"


def test_only_standard_vensim_functions(elements):
    lookups = {k for k, e in elements.items() if e.kind == "lookup"}
    for el in elements.values():
        called = _calls(el.ast, set())
        assert called <= STANDARD_VENSIM | lookups, f"{el.name} calls {called - STANDARD_VENSIM - lookups}"


def test_file_is_plain_vensim_text():
    text = MODEL_FILE.read_text(encoding="utf-8")
    assert text.startswith("{UTF-8}")
    # No PySD-only syntax: no GET XLS/DATA, no subscripts, no macros.
    for forbidden in ("GET XLS", "GET DIRECT", ":MACRO:", "GET DATA"):
        assert forbidden not in text


def test_time_settings(m):
    d = m.file_defaults
    assert d["initial_time"] == 2015 and d["final_time"] == 2035
    assert d["time_step"] <= 0.25 and d["saveper"] == 1
    # The time step is a power of two, so accumulated times are exact.
    assert (1 / d["time_step"]).is_integer() and bin(int(1 / d["time_step"])).count("1") == 1


def test_levers_carry_slider_ranges_and_regional_defaults_inside_them(m):
    assert len(m.levers) >= 10
    for lv in m.levers:
        assert lv.low < lv.high and lv.step > 0, lv.id
        assert lv.doc.startswith(("Lever: ", "Lever (yearly change): ")), lv.id
        for region in m.regions:
            assert lv.low <= lv.default(region) <= lv.high, (lv.id, region)
            assert lv.sources[region], (lv.id, region)


def test_the_three_fiscal_rules_are_expressible(m):
    fiscal = {lv.id: lv for lv in m.levers}
    assert fiscal["fiscal_st_growth_rate"].default("ningbo") == 0.15
    assert fiscal["fiscal_talent_growth_rate"].default("yuyao") == 0.15
    assert fiscal["fiscal_st_growth_rule"].default("cixi") == 1
    assert fiscal["fiscal_st_growth_margin"].default("cixi") == 0.03


def test_file_defaults_equal_ningbo_region_data(m):
    """The .mdl runs standalone in Vensim as Ningbo; its values must be the region data's."""
    for variable, value in data.region_constants("ningbo").items():
        assert m.file_defaults[variable] == value, variable


def test_every_region_sets_the_same_variables(elements):
    sets = [set(data.region_constants(r)) for r in data.REGIONS]
    assert sets[0] == sets[1] == sets[2]
    assert sets[0] <= set(elements)


def test_headline_indicators_are_endogenous(m, elements):
    """Each headline indicator depends on at least one stock, never only on time and constants."""
    deps = {k: references(e.ast) for k, e in elements.items() if e.kind == "auxiliary"}

    def reaches_stock(name, seen):
        if name in seen:
            return False
        seen.add(name)
        el = elements.get(name)
        if el is None:
            return False
        if el.kind == "stock":
            return True
        return any(reaches_stock(d, seen) for d in deps.get(name, ()))

    for ind in data.indicators():
        if ind.headline:
            assert reaches_stock(ind.variable, set()), ind.indicator


def test_no_variable_reads_a_target_or_a_time_lookup(elements):
    """Targets live in calibration/targets.csv and no equation reads them; no lookup is indexed by time."""
    for el in elements.values():
        assert "target" not in el.name.lower() or el.name == "patent capability target", el.name
    lookups = {k for k, e in elements.items() if e.kind == "lookup"}
    for el in elements.values():
        if el.kind in ("auxiliary", "stock"):
            text = repr(el.ast)
            for lk in lookups:
                assert f"reference='{lk}'), arguments=(ReferenceStructure(reference='time'" not in text


def test_sectors_are_read_from_groups(m):
    sectors = {v.sector for v in m.variables.values()}
    assert {"Fiscal S&T and talent spending", "Enterprise R&D", "Talent", "Firms", "Patents"} <= sectors
    assert re.search(r"Control", " ".join(sectors))
