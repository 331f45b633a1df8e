"""The backtest: fit to the record up to a year, project the rest with the observed levers, score it."""
from __future__ import annotations

import dataclasses
import subprocess
import sys

import pandas as pd
import pytest

from innosim.calibration import backtest as bt_module
from innosim.calibration.backtest import MISSED, RD_POINTS_GOAL, backtest
from innosim.calibration.fit import fit_history
from innosim.calibration.inputs import load_history, load_spec


@pytest.fixture(scope="module")
def bt():
    return backtest(2022)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("bt") / "backtest"
    proc = subprocess.run([sys.executable, "-m", "innosim", "backtest", "--fit-until", "2022", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stderr


def test_the_command_writes_the_long_projection_table_the_errors_and_a_report(written):
    out, stderr = written
    projections = pd.read_csv(out / "projections.csv")
    assert list(projections.columns) == ["scenario", "region", "year", "indicator", "value", "unit"]
    assert set(projections.region) == {"ningbo", "cixi", "yuyao"} and set(projections.scenario) == {"backtest"}
    assert projections.year.min() == 2015 and projections.year.max() == 2025
    errors = pd.read_csv(out / "errors.csv")
    for column in ("series", "year", "observed", "projected", "error"):
        assert column in errors.columns
    assert (errors.year > 2022).all() and len(errors) >= 10
    assert ((errors.projected - errors.observed - errors.error).abs() < 1e-9).all()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "# Backtest: fitted to 2022" in report and "| ningbo | rd_intensity |" in report
    assert "ningbo rd_intensity" in stderr


def test_the_figures_in_the_report_are_the_scores(bt, written):
    out, _ = written
    report = (out / "report.md").read_text(encoding="utf-8")
    scores = pd.read_csv(out / "scores.csv")
    for row in scores.itertuples():
        assert f"| {row.region} | {row.series} |" in report
        assert f"{row.mae_pct:.1f} %" in report
    for s in bt.missed:                                 # every miss is said plainly
        assert s.series in report.split("**Goal missed**")[1].split("\n")[0]


def test_ningbo_rd_intensity_is_within_the_goal(bt):
    score = bt.score("ningbo", "rd_intensity")
    assert score is not None and score.n >= 1 and score.n_fitted >= 5
    assert score.max_abs_error <= RD_POINTS_GOAL and score.status != MISSED


def test_no_figure_after_the_cut_reaches_the_fit():
    """Change every figure after 2022 and the backtest's parameters stay exactly the same."""
    history = load_history()
    spec = load_spec(None, history)
    later = [dataclasses.replace(o, value=o.value * 1.5) if o.year > 2022 else o for o in history]
    a = fit_history("ningbo", spec, history, 2023)
    b = fit_history("ningbo", spec, later, 2023)
    assert [p.value for p in a.parameters] == [p.value for p in b.parameters]
    assert any(o1 != o2 for f1, f2 in zip(a.holdout, b.holdout) for o1, o2 in zip(f1.observed, f2.observed))


def test_the_counties_take_ningbos_backtest_posterior_not_the_full_fit(bt):
    cixi = {p.name: p for p in bt.results["cixi"].parameters}
    ningbo = {p.name: p for p in bt.results["ningbo"].parameters}
    shared = [n for n in cixi if n in ningbo and not n.endswith("_2015") and n not in ("hightech_enterprises_2015",)]
    assert shared
    for name in shared:
        assert cixi[name].start == pytest.approx(ningbo[name].value), name
        assert "fit to 2022" in cixi[name].source


def test_every_calibration_report_carries_the_backtest_section(tmp_path):
    from innosim.calibration.run import calibrate

    run = calibrate("yuyao", "history", report=tmp_path, save=False)
    md = (tmp_path / "history" / "yuyao.md").read_text(encoding="utf-8")
    assert "## Backtest: fitted to 2022" in md
    assert run.set_path is None


@pytest.mark.parametrize("year", ["2030", "2015", "abc"])
def test_a_bad_cut_is_one_line_with_exit_code_2(tmp_path, year):
    proc = subprocess.run([sys.executable, "-m", "innosim", "backtest", "--fit-until", year,
                           "--out", str(tmp_path / "x")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "x").exists()


def test_scores_say_which_series_could_not_be_tested(bt):
    statuses = {s.status for s in bt.scores}
    assert bt_module.INPUT in statuses                      # real growth and revenue are inputs, not tests
    for s in bt.scores:
        if s.status == bt_module.PRIOR_ONLY:
            assert s.n_fitted == 0
