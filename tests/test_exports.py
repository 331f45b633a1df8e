"""Exports read back equal, carry their metadata, and are written atomically; batches survive bad scenarios."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from helpers import inputs_of, project_case, run_case  # noqa: F401

import innosim
from innosim.core.scenarios import shipped
from innosim.paths import scenario_dir
from innosim.reports import export
from innosim.reports.outputs import write_directory, write_file

SCENARIO_DIR = scenario_dir()
from innosim.reports.workbook import SHEETS


@pytest.fixture(scope="module")
def batch():
    return innosim.run_batch([SCENARIO_DIR / "plan.toml", SCENARIO_DIR / "fiscal_slowdown.toml"])


def test_csv_excel_and_parquet_read_back_equal(batch, tmp_path):
    long = batch.table
    for fmt in ("csv", "parquet", "xlsx"):
        write_directory(tmp_path / fmt, fmt, long, batch.scenarios)
    pd.testing.assert_frame_equal(export.read_csv(tmp_path / "csv" / "projections.csv"), long)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "parquet" / "projections.parquet"), long)
    book = tmp_path / "xlsx" / "innosim.xlsx"
    pd.testing.assert_frame_equal(pd.read_excel(book, sheet_name=SHEETS["long"], engine="openpyxl"), long)
    card_csv = export.read_csv(tmp_path / "csv" / "scorecard.csv")
    card_parquet = pd.read_parquet(tmp_path / "parquet" / "scorecard.parquet")
    assert list(card_csv.columns) == list(card_parquet.columns)
    assert np.allclose(card_csv["gap"].fillna(0), card_parquet["gap"].fillna(0))
    wide = export.read_csv(tmp_path / "csv" / "projections_wide.csv")
    assert len(wide) == long.groupby(["scenario", "region", "year"]).ngroups


def test_every_export_carries_its_metadata(batch, tmp_path):
    write_directory(tmp_path, "parquet", batch.table, batch.scenarios)
    meta = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
    for key in ("project_version", "model_sha256", "parameter_sets", "created_utc", "scenarios"):
        assert meta[key], key
    assert {s["id"] for s in meta["scenarios"]} == {"plan", "fiscal_slowdown"}
    assert all(len(s["sha256"]) == 64 for s in meta["scenarios"])
    embedded = json.loads(pq.read_schema(tmp_path / "projections.parquet").metadata[b"innosim"])
    assert embedded["model_sha256"] == meta["model_sha256"]
    single = write_file(tmp_path / "one.csv", batch.table, batch.scenarios)
    assert single[1].name == "one.csv.meta.json" and single[1].exists()


def test_workbook_is_formatted_for_a_report(batch, tmp_path):
    from openpyxl import load_workbook

    write_directory(tmp_path, "xlsx", batch.table, batch.scenarios)
    book = load_workbook(tmp_path / "innosim.xlsx")
    assert book.sheetnames == list(SHEETS.values())
    ws = book[SHEETS["projections"]]
    assert ws.freeze_panes == "H2" and ws["E1"].value == "指标" and ws["F1"].value == "Indicator"
    header = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    assert row[header.index("单位 Unit")] == "%" and ws.cell(2, 8).number_format == "0.00"
    card = book[SHEETS["scorecard"]]
    headers = [c.value for c in card[1]]
    column = headers.index("状态 Status") + 1
    statuses = {c.value for c in next(card.iter_cols(min_col=column, max_col=column, min_row=2))}
    assert statuses <= {"met", "missed", "not modelled", "beyond horizon"}


def test_an_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    target = tmp_path / "table.csv"
    target.write_text("old contents")

    def broken(self, path, **kwargs):
        with open(path, "w") as f:
            f.write("half a tab")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(KeyboardInterrupt):
        export.write_csv(pd.DataFrame({"a": [1]}), target)
    assert target.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_a_batch_with_one_bad_scenario_still_writes_the_good_results(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = 'Bad'\ndescription = 'What if?'\n[levers]\nfiscal_st_growth_rate = 0.9\n")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "innosim", "batch", str(SCENARIO_DIR / "plan.toml"), str(bad),
                           str(SCENARIO_DIR / "talent_squeeze.toml"), "--out", str(out), "--regions", "ningbo,cixi"],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "bad.toml" in proc.stderr and "0.9" in proc.stderr and "Traceback" not in proc.stderr
    table = export.read_csv(out / "projections.csv")
    assert set(table.scenario) == {"plan", "talent_squeeze"} and set(table.region) == {"ningbo", "cixi"}
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert len(meta["failures"]) == 1 and "bad.toml" in meta["failures"][0]


def test_batch_shows_progress_and_workers_give_the_same_table(tmp_path):
    files = [str(p) for p in shipped()]
    proc = subprocess.run([sys.executable, "-m", "innosim", "batch", *files, "--out", str(tmp_path / "w2"),
                           "--workers", "2", "--progress"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "runs" in proc.stderr and "#" in proc.stderr
    serial = innosim.run_batch(files)
    parallel = export.read_csv(tmp_path / "w2" / "projections.csv")
    assert np.allclose(parallel["value"], serial.table["value"], rtol=1e-12)


def test_run_many_equals_single_runs(m):
    cases = [innosim.Case("ningbo"), innosim.Case("cixi", {"talent_attraction_multiplier": {2028: 0.5}}),
             innosim.Case("yuyao", {}, {"capital_share": 0.3}, 2030)]
    for case, frame in zip(cases, m.run_many(cases)):
        single = run_case(m, case.region, case.levers, case.parameters, case.final_year)
        assert np.allclose(frame.to_numpy(), single.to_numpy(), rtol=1e-9, atol=1e-12)
        assert list(frame.index) == list(single.index)


def test_batch_regions_must_exist(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "innosim", "batch", str(SCENARIO_DIR / "plan.toml"),
                           "--regions", "ningbo,wuhan", "--out", str(tmp_path / "x")], capture_output=True, text=True)
    assert proc.returncode == 2 and "wuhan" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_metadata_names_the_parameter_sets_used(batch, tmp_path):
    write_directory(tmp_path, "csv", batch.table, batch.scenarios)
    meta = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
    sets = {(s["name"], s["region"]) for s in meta["parameter_sets"]}
    assert ("history", "ningbo") in sets
    assert all(len(layer["sha256"]) == 64 for s in meta["parameter_sets"] for layer in s["layers"])
