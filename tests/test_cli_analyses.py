"""`innosim montecarlo`, `sensitivity`, `goalseek` and `attribute`: outputs and one-line errors."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from innosim.cli import main
from innosim.core.targets import is_met


def test_montecarlo_writes_probabilities_bands_and_metadata(tmp_path, capsys):
    out = tmp_path / "mc"
    assert main(["montecarlo", "--region", "ningbo", "--samples", "120", "--seed", "3", "--workers", "1",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "rd_intensity" in printed and "probability" in printed
    probs = pd.read_csv(out / "probabilities.csv", encoding="utf-8-sig")
    assert probs.probability.between(0, 1).all() and set(probs.region) == {"ningbo"}
    bands = pd.read_csv(out / "bands.csv", encoding="utf-8-sig")
    assert {"p5", "p25", "p50", "p75", "p95"} <= set(bands.columns)
    assert len(pd.read_csv(out / "samples.csv", encoding="utf-8-sig")) == 120
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert meta["analysis"] == "montecarlo" and meta["seed"] == 3 and meta["samples"] == 120
    # the same seed again gives the same table
    again = tmp_path / "again"
    assert main(["montecarlo", "--region", "ningbo", "--samples", "120", "--seed", "3", "--workers", "2",
                 "--out", str(again)]) == 0
    pd.testing.assert_frame_equal(probs, pd.read_csv(again / "probabilities.csv", encoding="utf-8-sig"))


def test_montecarlo_of_all_regions_in_a_workbook(tmp_path):
    assert main(["montecarlo", "--region", "all", "--samples", "50", "--workers", "1", "--no-progress",
                 "--out", str(tmp_path), "--format", "xlsx"]) == 0
    sheets = pd.read_excel(tmp_path / "innosim.xlsx", sheet_name=None, engine="openpyxl")
    assert {"probabilities", "bands", "samples", "factors"} <= set(sheets)
    assert set(sheets["probabilities"].region) == {"ningbo", "cixi", "yuyao"}


def test_sensitivity_prints_the_top_factors_and_writes_the_indices(tmp_path, capsys):
    assert main(["sensitivity", "--region", "cixi", "--samples", "32", "--workers", "1", "--top", "2",
                 "--out", str(tmp_path), "--format", "parquet"]) == 0
    printed = capsys.readouterr().out
    assert "ST" in printed and "rd_intensity@" in printed
    indices = pd.read_parquet(tmp_path / "indices.parquet")
    assert {"output", "factor", "S1", "S1_conf", "ST", "ST_conf"} <= set(indices.columns)
    assert main(["sensitivity", "--region", "cixi", "--method", "morris", "--factors", "parameters",
                 "--samples", "4", "--workers", "1"]) == 0
    assert "mu_star" in capsys.readouterr().out


def test_goalseek_answers_with_the_value_or_the_best_reachable(tmp_path, capsys):
    assert main(["goalseek", "--region", "ningbo", "--lever", "super_deduction_rate",
                 "--all-targets", "2027", "--indicators", "rd_intensity,enterprise_rd_expense_intensity",
                 "--out", str(tmp_path)]) == 0
    assert "is the smallest value meeting" in capsys.readouterr().out
    table = pd.read_csv(tmp_path / "goalseek.csv", encoding="utf-8-sig")
    assert len(table) == 2 and table.reachable.all()
    assert all(is_met(a, c, v) for a, c, v in zip(table.achieved, table.comparator, table.target))
    assert main(["goalseek", "--region", "ningbo", "--lever", "fiscal_st_growth_rate",
                 "--target", "basic_research_share@2025", "--policy-from", "2021", "--progress"]) == 0
    captured = capsys.readouterr()
    assert "not reachable within fiscal_st_growth_rate's range" in captured.out
    assert "2/2 steps" in captured.err             # the progress bar, on standard error
    assert main(["goalseek", "--region", "ningbo", "--lever", "fiscal_st_growth_rate",
                 "--target", "basic_research_share@2025"]) == 2        # 2025 is observed: nothing can move it
    assert "no value can move it" in capsys.readouterr().err


def test_attribute_splits_the_difference(capsys):
    assert main(["attribute", "scenarios/enterprise_led.toml", "--region", "ningbo", "--year", "2027",
                 "--indicators", "rd_intensity"]) == 0
    printed = capsys.readouterr().out
    assert "shapley" in printed and "additional_rd_ambition" in printed


@pytest.mark.parametrize("argv, must_name", [
    (["montecarlo", "--region", "ningbo", "--samples", "1"], "samples 1"),
    (["montecarlo", "--region", "ningbo", "--workers", "0"], "--workers"),
    (["montecarlo", "--region", "ningbo", "--dask", "tcp://127.0.0.1:9"], "tcp://127.0.0.1:9"),
    (["montecarlo", "--region", "pudong"], "ningbo"),
    (["sensitivity", "--region", "ningbo", "--method", "fast"], "morris"),
    (["sensitivity", "--region", "ningbo", "--top", "0"], "--top"),
    (["goalseek", "--region", "ningbo", "--lever", "money", "--target", "rd_intensity"], "fiscal_st_growth_rate"),
    (["goalseek", "--region", "ningbo", "--lever", "fiscal_st_growth_rate"], "--target"),
    (["goalseek", "--region", "ningbo", "--lever", "fiscal_st_growth_rate", "--target", "rd_intensity@20x7"],
     "20x7"),
    (["goalseek", "--region", "ningbo", "--lever", "fiscal_st_growth_rate", "--target", "joy"], "joy"),
    (["goalseek", "--region", "ningbo", "--lever", "fiscal_st_growth_rate", "--target", "rd_intensity",
      "--confidence", "80"], "between 0 and 1"),
    (["attribute", "--region", "ningbo", "--year", "2050"], "2035"),
    (["attribute", "--region", "ningbo", "--year", "2027", "--indicators", "joy"], "joy"),
])
def test_analysis_errors_are_one_line_with_exit_code_2(argv, must_name, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 2     # any other exception would fail the test with its traceback
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("innosim: error:") and must_name in err[0], captured.err
    assert not captured.out and not out.exists()


def test_an_analysis_error_from_the_shell_has_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "innosim", "goalseek", "--region", "ningbo", "--lever",
                           "fiscal_st_growth_rate", "--target", "rd_intensity@20x7"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "20x7" in proc.stderr


def test_an_out_that_is_a_file_is_refused_before_running(tmp_path, capsys):
    path = tmp_path / "taken.csv"
    path.write_text("keep me", encoding="utf-8")
    assert main(["montecarlo", "--region", "ningbo", "--out", str(path)]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "keep me"
