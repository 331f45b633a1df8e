"""``innosim simulate FILE.mdl``: any Vensim model, laid out as PySD's output; refusals and bad input in one line."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conformance.compare import MODELS

from innosim.cli import main

TEACUP = MODELS / "samples" / "teacup" / "teacup.mdl"
SUBSCRIPTED = MODELS / "tests" / "subscript_2d_arrays" / "test_subscript_2d_arrays.mdl"
MACRO = """{UTF-8}
:MACRO: TWICE(input)
TWICE = 2 * input ~ ~ |
:END OF MACRO:
x = TWICE(Time) ~ ~ |
INITIAL TIME = 0 ~ ~ |
FINAL TIME = 3 ~ ~ |
TIME STEP = 1 ~ ~ |
SAVEPER = TIME STEP ~ ~ |
"""


def _pysd(path: Path) -> pd.DataFrame:
    from innosim.mdl.reference import pysd_frame

    return pysd_frame(path)


def test_a_model_is_written_in_pysds_layout_by_the_compiled_engine(tmp_path, capsys):
    out = tmp_path / "teacup.csv"
    assert main(["simulate", str(SUBSCRIPTED), "--out", str(out)]) == 0
    assert "compiled engine" in capsys.readouterr().err
    table = pd.read_csv(out)
    reference = _pysd(SUBSCRIPTED)
    assert list(table.columns) == ["Time"] + list(reference.columns)
    assert "Stock A[Entry 2,Column 1]" in table.columns
    assert np.allclose(table["Time"], reference.index) and np.allclose(table.iloc[:, 1:], reference, rtol=1e-12)
    assert not [p for p in tmp_path.iterdir() if p.name != "teacup.csv"]        # no temporary left behind


def test_the_table_goes_to_standard_output_and_columns_can_be_chosen(capsys):
    assert main(["simulate", str(SUBSCRIPTED), "--return-columns", "Stock A", "Rate A[Entry 1,Column 1]"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split(",", 1)
    assert header[0] == "Time" and header[1].startswith('"Stock A[Entry 1,Column 1]"')
    assert len(pd.read_csv(pd.io.common.StringIO("\n".join(lines))).columns) == 1 + 6 + 1


def test_a_model_the_compiler_does_not_cover_runs_through_pysd_with_a_notice(tmp_path, capsys):
    path = tmp_path / "macro.mdl"
    path.write_text(MACRO, encoding="utf-8")
    assert main(["simulate", str(path)]) == 0
    captured = capsys.readouterr()
    notice = [line for line in captured.err.splitlines() if line.startswith("innosim: notice:")]
    assert len(notice) == 1 and "running through PySD" in notice[0] and "macros (twice)" in notice[0]
    table = pd.read_csv(pd.io.common.StringIO(captured.out))
    assert list(table["x"]) == [0, 2, 4, 6]
    # asked for the compiled engine, it refuses in one line, naming the construct
    assert main(["simulate", str(path), "--engine", "compiled"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("innosim: error:") and "macros" in err and len(err.splitlines()) == 1


def test_pysd_can_be_asked_for_and_agrees(capsys):
    assert main(["simulate", str(TEACUP), "--engine", "pysd"]) == 0
    theirs = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert main(["simulate", str(TEACUP), "--engine", "compiled"]) == 0
    ours = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert list(ours.columns) == list(theirs.columns) and np.allclose(ours, theirs, rtol=1e-12)


def test_a_compiled_run_that_disagrees_with_pysd_is_not_used(tmp_path, monkeypatch, capsys):
    from innosim.mdl import reference as engines

    monkeypatch.setenv("INNOSIM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(engines, "first_difference",
                        lambda *a, **k: {"column": "Teacup Temperature", "time": 3.0, "compiled": 1.0, "pysd": 2.0})
    assert main(["simulate", str(TEACUP)]) == 0
    err = capsys.readouterr().err
    assert "disagrees with PySD on 'Teacup Temperature' (t = 3: 1 against 2)" in err
    assert list((tmp_path / "cache").rglob("verified-pysd.json"))               # the verdict is kept


@pytest.mark.parametrize("make, argv_tail, words", [
    (lambda d: d / "missing.mdl", [], "no such model file"),
    (lambda d: d, [], "is a folder"),
    (lambda d: _write(d / "model.txt", "x = 1 ~ ~ |"), [], "not a Vensim model file (.mdl)"),
    (lambda d: _write(d / "garbage.mdl", "this is not Vensim at all"), [], "not a Vensim model file"),
    (lambda d: _write(d / "broken.mdl", "{UTF-8}\nx = (1 + ~ ~ |\n"), [], "not valid Vensim"),
    (lambda d: TEACUP, ["--out", "out.xlsx"], "must end in .csv"),
    (lambda d: TEACUP, ["--out", "no/such/folder/out.csv"], "does not exist"),
    (lambda d: TEACUP, ["--return-columns", "teacup temperature"], "did you mean 'Teacup Temperature'"),
    (lambda d: TEACUP, ["--engine", "fast"], "invalid choice"),
])
def test_bad_input_is_one_line_with_exit_code_2_and_nothing_written(tmp_path, monkeypatch, capsys, make, argv_tail,
                                                                     words):
    monkeypatch.chdir(tmp_path)
    path = make(tmp_path)
    assert main(["simulate", str(path), *argv_tail]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("innosim: error:") and words in err and len(err.splitlines()) == 1
    assert "Traceback" not in err and captured.out == ""
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob(".*"))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_installed_command_runs_a_model_from_the_shell(tmp_path):
    out = tmp_path / "run.csv"
    done = subprocess.run([sys.executable, "-m", "innosim", "simulate", str(TEACUP), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert pd.read_csv(out).columns[0] == "Time"


def test_a_model_pysd_cannot_run_is_run_compiled_and_said_to_be_unchecked(tmp_path, monkeypatch, capsys):
    from innosim.errors import InputError
    from innosim.mdl import reference

    def fails(path, return_columns=None, data_files=()):
        raise InputError(f"{path}: PySD cannot run it (ValueError: broadcast)")

    monkeypatch.setenv("INNOSIM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(reference, "pysd_frame", fails)
    assert main(["simulate", str(TEACUP)]) == 0
    captured = capsys.readouterr()
    assert "not checked against PySD, which cannot run this model" in captured.err
    assert pd.read_csv(pd.io.common.StringIO(captured.out)).columns[0] == "Time"


def test_data_files_given_for_the_run_reach_the_compiled_engine_and_pysd(tmp_path, capsys):
    folder = MODELS / "tests" / "data_from_other_model"
    model, data = folder / "test_data_from_other_model.mdl", folder / "data.tab"
    out = tmp_path / "run.csv"
    assert main(["simulate", str(model), "--data-files", str(data), "--out", str(out)]) == 0
    assert "(compiled engine)" in capsys.readouterr().err            # checked against PySD's run with the file
    assert main(["simulate", str(model), "--data-files", str(tmp_path / "none.tab")]) == 2
    assert "--data-files" in capsys.readouterr().err
