"""Damaged data files (region data, indicators, targets, parameter ranges, observed levers, calibration inputs).

Each is one line naming the file, the line and the problem, with nothing
written; a byte-order mark or Windows line ends (as Excel saves CSV) are fine.
Every case damages a copy of the data, never the checkout.
"""
from __future__ import annotations

import csv
import io

import pytest

from .conftest import accepted, clear_caches, files_under, refused


def rows_of(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_rows(path, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def set_cell(path, row: int, column: str, value: str) -> int:
    """Set one cell (``row`` counts data rows from 1); returns the line it is on."""
    rows = rows_of(path)
    rows[row][rows[0].index(column)] = value
    write_rows(path, rows)
    return row + 1


def first_row(path, **match) -> int:
    rows = rows_of(path)
    head = rows[0]
    return next(i for i, r in enumerate(rows[1:], start=1) if all(r[head.index(k)] == v for k, v in match.items()))


REGIONS, INDICATORS, TARGETS, PARAMETERS = ("model/regions.csv", "model/indicators.csv", "calibration/targets.csv",
                                            "model/parameters.csv")
OBSERVED, HISTORY, SPEC = "calibration/observed_levers.toml", "calibration/history.csv", "calibration/spec.toml"


def regional_rate(n):
    """A region-data row in 1/Year that is not a lever: (line, variable)."""
    from innosim.core import data

    for i, r in enumerate(data.region_values(), start=1):
        var = n.m.variables[r.variable]
        if var.units == "1/Year" and not var.is_lever:
            return i, r.variable
    raise AssertionError("no regional rate")


def lever_row(n):
    from innosim.core import data

    return next(i for i, r in enumerate(data.region_values(), start=1) if r.variable == n.smooth.id)


def an_auxiliary(n):
    return next(k for k, v in n.m.variables.items() if v.kind == "auxiliary")


def modelled_target_row(root):
    return first_row(root / TARGETS, status="modelled")


def damage_regions_value(text):
    def damage(root, n):
        return [REGIONS, f"line {set_cell(root / REGIONS, 1, 'value', text)}"]
    return damage


def ragged(root, n):
    lines = (root / REGIONS).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = ",".join(next(csv.reader([lines[3]]))[:3]) + "\n"
    (root / REGIONS).write_text("".join(lines), encoding="utf-8")
    return [REGIONS, "line 4"]


def rename_header(relative, column):
    def damage(root, n):
        rows = rows_of(root / relative)
        rows[0][rows[0].index(column)] = "renamed"
        write_rows(root / relative, rows)
        return [relative, "line 1", column]
    return damage


def duplicate_of(relative, key_column: int):
    """The file's first data row given again; the error names the file, the new line and the row's key."""
    def damage(root, n):
        rows = rows_of(root / relative)
        rows.append(list(rows[1]))
        write_rows(root / relative, rows)
        return [relative, f"line {len(rows)}", rows[1][key_column]]
    return damage


def not_utf8(relative):
    def damage(root, n):
        data = (root / relative).read_bytes().split(b"\n")
        data[2] = data[2] + b"\xff"
        (root / relative).write_bytes(b"\n".join(data))
        return [relative, "line 3", "UTF-8"]
    return damage


def emptied(relative):
    def damage(root, n):
        (root / relative).write_bytes(b"")
        return [relative]
    return damage


def header_only(root, n):
    (root / REGIONS).write_text((root / REGIONS).read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return [REGIONS]


def regional_rate_of(value):
    def damage(root, n):
        row, var = regional_rate(n)
        return [REGIONS, f"line {set_cell(root / REGIONS, row, 'value', value)}", var]
    return damage


def lever_default_out_of_range(root, n):
    line = set_cell(root / REGIONS, lever_row(n), "value", str(n.smooth.high + 1))
    return [REGIONS, f"line {line}", n.smooth.id]


def missing(relative):
    def damage(root, n):
        (root / relative).unlink()
        return [relative.rsplit("/", 1)[-1], "missing"]
    return damage


def a_folder(relative):
    def damage(root, n):
        (root / relative).unlink()
        (root / relative).mkdir()
        return [relative.rsplit("/", 1)[-1]]
    return damage


def cell(relative, column, value, row=1, also=()):
    def damage(root, n):
        r = row(root) if callable(row) else row
        line = set_cell(root / relative, r, column, value(n) if callable(value) else value)
        return [relative, f"line {line}", *[a(n) if callable(a) else a for a in also]]
    return damage


def parameter_row_of(column_values):
    def damage(root, n):
        rows = rows_of(root / PARAMETERS)
        head = rows[0]
        for column in ("min", "max"):
            if column not in head:
                head.append(column)
                for r in rows[1:]:
                    r.append("")
        i = next(i for i, r in enumerate(rows[1:], start=1) if r[0] == n.rate)
        for column, value in column_values.items():
            rows[i][head.index(column)] = value
        write_rows(root / PARAMETERS, rows)
        return [PARAMETERS, f"line {i + 1}", n.rate]
    return damage


def unknown_parameter_row(root, n):
    rows = rows_of(root / PARAMETERS)
    rows.append(["no_such_constant"] + [""] * (len(rows[0]) - 1))
    write_rows(root / PARAMETERS, rows)
    return [PARAMETERS, f"line {len(rows)}", "no_such_constant"]


def toml_edit(old, new, must):
    def damage(root, n):
        text = (root / OBSERVED).read_text(encoding="utf-8")
        assert old in text
        (root / OBSERVED).write_text(text.replace(old, new, 1), encoding="utf-8")
        return [OBSERVED, *must]
    return damage


def _toml(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return f'"{value}"' if isinstance(value, str) else repr(value)


def observed_with(change):
    """The observed levers, read, changed by ``change(raw, n)`` (which returns what must be named), rewritten."""
    import tomllib

    def damage(root, n):
        raw = tomllib.loads((root / OBSERVED).read_text(encoding="utf-8"))
        must = change(raw, n)
        lines = [f"{k} = {_toml(v)}" for k, v in raw.items() if not isinstance(v, dict)]
        for table, body in raw.items():
            if isinstance(body, dict):
                lines += [f"[{table}]"] + [f"{k} = {_toml(v)}" for k, v in body.items()]
        (root / OBSERVED).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return [OBSERVED, *must]
    return damage


def observed_point(lever, year, value, must):
    def change(raw, n):
        name = lever(n) if callable(lever) else lever
        raw.setdefault(n.region, {})[name] = {year: value(n) if callable(value) else value}
        return [m(n) if callable(m) else m for m in must]
    return change


BAD = [
    # the region data
    ("regions: a header column renamed", rename_header(REGIONS, "value")),
    ("regions: a ragged row", ragged),
    ("regions: a value in words", damage_regions_value("about 12k")),
    ("regions: a value nan", damage_regions_value("nan")),
    ("regions: a value empty", damage_regions_value("")),
    ("regions: an unknown region", cell(REGIONS, "region", "hangzhou", also=["hangzhou"])),
    ("regions: an unknown variable", cell(REGIONS, "variable", "no_such_variable", also=["no_such_variable"])),
    ("regions: an auxiliary given a value", cell(REGIONS, "variable", an_auxiliary, also=[an_auxiliary])),
    ("regions: a row given twice", duplicate_of(REGIONS, 1)),
    ("regions: not UTF-8", not_utf8(REGIONS)),
    ("regions: empty", emptied(REGIONS)),
    ("regions: only the header", header_only),
    ("regions: a rate of -5", regional_rate_of("-5")),
    ("regions: a rate of 1e308", regional_rate_of("1e308")),
    ("regions: a lever's plan value outside its range", lever_default_out_of_range),
    ("regions: missing", missing(REGIONS)),
    ("regions: a folder", a_folder(REGIONS)),
    # indicators
    ("indicators: a scale in words", cell(INDICATORS, "scale", "hundred")),
    ("indicators: an unknown variable", cell(INDICATORS, "variable", "no_such_variable", also=["no_such_variable"])),
    ("indicators: a header column renamed", rename_header(INDICATORS, "scale")),
    ("indicators: an indicator given twice", duplicate_of(INDICATORS, 0)),
    ("indicators: not UTF-8", not_utf8(INDICATORS)),
    # targets
    ("targets: an unknown comparator", cell(TARGETS, "comparator", "~=", row=modelled_target_row, also=["~="])),
    ("targets: a year in words", cell(TARGETS, "year", "soon", row=modelled_target_row, also=["soon"])),
    ("targets: a fractional year", cell(TARGETS, "year", "2027.5", row=modelled_target_row, also=["2027.5"])),
    ("targets: an unknown kind", cell(TARGETS, "kind", "vibe", row=modelled_target_row, also=["vibe"])),
    ("targets: an unknown region", cell(TARGETS, "region", "hangzhou", row=modelled_target_row, also=["hangzhou"])),
    ("targets: an unknown indicator", cell(TARGETS, "indicator", "no_such_indicator", row=modelled_target_row,
                                           also=["no_such_indicator"])),
    ("targets: a value in words", cell(TARGETS, "value", "much", row=modelled_target_row, also=["much"])),
    ("targets: a header column renamed", rename_header(TARGETS, "comparator")),
    # parameter ranges
    ("parameters: a min in words", parameter_row_of({"min": "zero"})),
    ("parameters: min above max", parameter_row_of({"min": "1", "max": "0"})),
    ("parameters: the model's value outside min and max", parameter_row_of({"min": "100", "max": "200"})),
    ("parameters: an unknown variable", unknown_parameter_row),
    ("parameters: a low in words", cell(PARAMETERS, "low", "small", row=lambda root: 2)),
    # the observed levers
    ("observed levers: not TOML", toml_edit("observed_until = ", "observed_until = = ", ["line"])),
    ("observed levers: observed_until in words", observed_with(
        lambda raw, n: raw.update(observed_until="recently") or ["observed_until", "recently"])),
    ("observed levers: an unknown lever", observed_with(observed_point("no_such_lever", "2021", 1.0,
                                                                      ["no_such_lever"]))),
    ("observed levers: a year after observed_until", observed_with(observed_point(
        lambda n: n.smooth.id, "2999", lambda n: n.value, [lambda n: n.smooth.id, "2999"]))),
    ("observed levers: a year in words", observed_with(observed_point(
        lambda n: n.smooth.id, "soon", lambda n: n.value, [lambda n: n.smooth.id, "soon"]))),
    ("observed levers: a value in words", observed_with(observed_point(
        lambda n: n.smooth.id, "2021", "high", [lambda n: n.smooth.id, "high"]))),
    ("observed levers: a value far out of the lever's range", observed_with(observed_point(
        lambda n: n.smooth.id, "2021", lambda n: n.smooth.high + 3 * (n.smooth.high - n.smooth.low),
        [lambda n: n.smooth.id]))),
    ("observed levers: an unknown lever in no_new_policy", observed_with(
        lambda raw, n: raw.setdefault("no_new_policy", {}).update(no_such_lever=1) or ["no_such_lever"])),
    ("observed levers: no_new_policy far out of the lever's range", observed_with(
        lambda raw, n: raw.setdefault("no_new_policy", {}).update(
            {n.smooth.id: n.smooth.high + 3 * (n.smooth.high - n.smooth.low)})
        or [f"no_new_policy.{n.smooth.id}"])),
    ("observed levers: a region's table not a table", observed_with(
        lambda raw, n: raw.update({n.region: 3}) or [n.region])),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_a_damaged_data_file_is_one_line_and_writes_nothing(case, names, data_copy, cli, tmp_path):
    label, damage = case
    must = damage(data_copy, names)
    clear_caches()                       # finding the place to damage may have read the file once
    before = files_under(tmp_path)
    result = cli("batch", data_copy / "scenarios" / "plan.toml", "--regions", names.region, "--out", "out")
    refused(result, *must, before=before, folder=tmp_path)


CALIBRATION = [
    ("spec: not TOML", lambda root: [(root / SPEC).write_text("[history\n", encoding="utf-8"), SPEC, "line 1"][1:]),
    ("spec: a series without its name", lambda root: [(root / SPEC).write_text(
        (root / SPEC).read_text(encoding="utf-8").replace("[[series]]\nname = ", "[[series]]\nlabel = ", 1),
        encoding="utf-8"), SPEC, "name"][1:]),
    ("history: a value in words", lambda root: [HISTORY, f"line {set_cell(root / HISTORY, 1, 'value', 'lots')}",
                                                "lots"]),
]


@pytest.mark.parametrize("case", CALIBRATION, ids=[c[0] for c in CALIBRATION])
def test_a_damaged_calibration_input_is_one_line(case, names, data_copy, cli, tmp_path):
    label, damage = case
    must = damage(data_copy)
    before = files_under(tmp_path)
    result = cli("calibrate", "--region", names.region, "--mode", "history", "--report", "rep", "--save-to", "sets")
    refused(result, *must, before=before, folder=tmp_path)


GOOD = [
    ("regions with a byte-order mark", REGIONS, lambda b: b"\xef\xbb\xbf" + b),
    ("regions with Windows line ends", REGIONS, lambda b: b.replace(b"\n", b"\r\n")),
    ("targets with a byte-order mark", TARGETS, lambda b: b"\xef\xbb\xbf" + b),
    ("parameters with a byte-order mark", PARAMETERS, lambda b: b"\xef\xbb\xbf" + b),
    ("observed levers with a byte-order mark", OBSERVED, lambda b: b"\xef\xbb\xbf" + b),
]


@pytest.mark.parametrize("case", GOOD, ids=[c[0] for c in GOOD])
def test_a_data_file_as_excel_saves_it_is_read(case, names, data_copy, cli, tmp_path):
    label, relative, change = case
    path = data_copy / relative
    path.write_bytes(change(path.read_bytes()))
    accepted(cli("batch", data_copy / "scenarios" / "plan.toml", "--regions", names.region, "--out", "out"))
