"""The innosim command: outputs, and one-line errors with exit code 2."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from innosim.cli import main
from innosim.core.tables import LONG_COLUMNS


def test_run_writes_the_long_table_for_all_regions(tmp_path):
    out = tmp_path / "plan.csv"
    assert main(["run", "--region", "all", "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns) == LONG_COLUMNS
    assert set(table.region) == {"ningbo", "cixi", "yuyao"}
    assert table.year.min() == 2015 and table.year.max() == 2035
    assert set(table.scenario) == {"plan"}
    assert not list(tmp_path.glob(".*tmp"))


def test_run_prints_csv(capsys):
    assert main(["run", "--region", "cixi"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ",".join(LONG_COLUMNS)
    assert all(line.startswith("plan,cixi,") for line in lines[1:])


def test_targets_and_levers_list_their_sources(capsys):
    assert main(["targets", "--region", "ningbo", "--format", "csv"]) == 0
    targets = capsys.readouterr().out
    assert "clause" in targets.splitlines()[0] and "R&D经费支出占GDP比重力争达到3.6%" in targets
    assert main(["levers"]) == 0
    levers = capsys.readouterr().out
    assert "fiscal_st_growth_rate" in levers and "clause 27" in levers and "clause 11" in levers


@pytest.mark.parametrize("argv, must_name", [
    (["run", "--region", "hangzhou"], "ningbo"),
    (["run", "--colour", "red"], "--region"),
    (["targets", "--region", "x"], "yuyao"),
    (["fly"], "run"),
    ([], "run"),
    (["run", "--out", "table.txt"], ".xlsx"),
])
def test_user_errors_are_one_line_with_exit_code_2(argv, must_name, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "innosim", *argv], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("innosim: error:") and must_name in err[0]
    assert "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())
