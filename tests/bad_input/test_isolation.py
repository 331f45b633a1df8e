"""One bad member never loses the others: batches and ensembles write what they computed and list the rest."""
from __future__ import annotations

import csv
import io
import json
import os
import signal

import numpy as np
import pandas as pd
import pytest

from innosim.analysis import batch as batch_module
from innosim.analysis import ensemble
from innosim.analysis.executor import Executor, Failed



def _failures(folder):
    return list(csv.DictReader(io.StringIO((folder / "failures.csv").read_text(encoding="utf-8-sig"))))


def test_a_batch_keeps_every_good_scenario_whatever_the_others_do(names, scenario, cli, tmp_path, user_home):
    from innosim.paths import shipped_sets_dir

    broken_set = user_home / "sets" / "broken"
    broken_set.mkdir(parents=True)
    for region in names.m.regions:
        (broken_set / f"{region}.json").write_text('{"parameters": {', encoding="utf-8")
    assert (shipped_sets_dir() / "history").is_dir()
    good = [scenario("", name="good1.toml"),
            scenario(f"[levers]\n{names.smooth.id} = {names.value}\n", name="good2.toml")]
    bad = {
        "deep.toml": scenario("x = " + "[" * 5000 + "]" * 5000 + "\n", name="deep.toml"),
        "broken_set.toml": scenario('[run]\nparameter_set = "broken"\n', name="broken_set.toml"),
        "rate.toml": scenario(f"[parameters]\n{names.rate} = -5\n", name="rate.toml"),
        "huge.toml": scenario("# " + "x" * 1_100_000 + "\n", name="huge.toml"),
        "lever.toml": scenario(f"[levers]\n{names.smooth.id} = {names.smooth.high + 1}\n", name="lever.toml"),
        "zero": "/dev/zero",
        "missing.toml": tmp_path / "missing.toml",
    }
    result = cli("batch", good[0], *bad.values(), good[1], "--out", "out")
    assert result.rc == 2 and "Traceback" not in result.err
    failed = [line for line in result.lines if line.startswith("innosim: failed:")]
    for name in bad:
        assert sum(name in line for line in failed) >= 1, f"{name} not reported: {result.err}"
    table = pd.read_csv(tmp_path / "out" / "projections.csv", encoding="utf-8-sig")
    assert set(table.scenario) == {"good1", "good2"}
    assert set(table.region) == set(names.m.regions)
    reasons = _failures(tmp_path / "out")
    for name in bad:
        assert any(name in (r["scenario"] + r["file"] + r["reason"]) for r in reasons), name
    assert all("\n" not in r["reason"] and r["reason"] for r in reasons)
    meta = json.loads((tmp_path / "out" / "metadata.json").read_text())
    assert len(meta["failures"]) == len(reasons)


def test_two_files_with_one_name_are_never_averaged(names, scenario, cli, tmp_path):
    low = scenario(f"[levers]\n{names.smooth.id} = {names.smooth.low}\n", name="x.toml", folder=tmp_path / "a")
    high = scenario(f"[levers]\n{names.smooth.id} = {names.smooth.high}\n", name="x.toml", folder=tmp_path / "b")
    result = cli("batch", low, high, "--regions", names.region, "--out", "out")
    assert "Traceback" not in result.err
    if result.rc == 2:      # a clash: one line naming both files
        clash = [line for line in result.lines if "a/x.toml" in line and "b/x.toml" in line]
        assert clash, result.err
    else:                   # or distinct ids
        assert result.rc == 0
    table = pd.read_csv(tmp_path / "out" / "projections.csv", encoding="utf-8-sig")
    assert not table.duplicated(["scenario", "region", "year", "indicator"]).any()
    wide = pd.read_csv(tmp_path / "out" / "projections_wide.csv", encoding="utf-8-sig")
    assert not wide.duplicated(["scenario", "region", "year"]).any()
    runs = [pd.read_csv(io.StringIO(cli("run", f, "--region", names.region).out)) for f in (low, high)]
    for sid, part in table.groupby("scenario"):
        mine = part.sort_values(["indicator", "year"]).value.to_numpy()
        own = [r.sort_values(["indicator", "year"]).value.to_numpy() for r in runs]
        assert any(np.allclose(mine, o, rtol=1e-12) for o in own), f"{sid} is neither file's projection"


def _die_on_three(item):
    if item == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return item * 10


def _raise_on_three(item):
    if item == 3:
        raise RuntimeError("a bug in one member")
    return item * 10


@pytest.mark.parametrize("workers", [1, 2])
def test_an_unexpected_error_in_one_member_is_isolated(workers):
    results = Executor(workers).map(_raise_on_three, [1, 2, 3, 4])
    assert results[:2] == [10, 20] and results[3] == 40
    assert isinstance(results[2], Failed) and "RuntimeError" in results[2].reason


def test_a_worker_killed_mid_batch_loses_only_its_own_member():
    results = Executor(2).map(_die_on_three, [1, 2, 3, 4, 5])
    assert [results[i] for i in (0, 1, 3, 4)] == [10, 20, 40, 50]
    assert isinstance(results[2], Failed) and "died" in results[2].reason


_REAL_RUN_CHUNK = batch_module._run_chunk


def _deadly_chunk(cases):
    """A batch chunk that kills its worker when it holds the scenario 'victim'."""
    if any(c.label == "victim" for c in cases):
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_RUN_CHUNK(cases)


def test_a_batch_whose_worker_is_killed_writes_the_others(names, scenario, cli, tmp_path, monkeypatch):
    monkeypatch.setattr(batch_module, "_run_chunk", _deadly_chunk)
    files = [scenario("", name=f"s{i}.toml") for i in range(3)] + [scenario("", name="victim.toml")]
    result = cli("batch", *files, "--out", "out", "--workers", "2")
    assert result.rc == 2 and "Traceback" not in result.err
    table = pd.read_csv(tmp_path / "out" / "projections.csv", encoding="utf-8-sig")
    assert set(table.scenario) == {"s0", "s1", "s2"}
    assert {r["scenario"] for r in _failures(tmp_path / "out")} == {"victim"}


def test_a_failed_chunk_of_an_ensemble_is_listed_and_the_rest_written(names, cli, tmp_path, monkeypatch):
    real, calls = ensemble._columns_chunk, []

    def flaky(job):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("one chunk's bug")
        return real(job)

    monkeypatch.setattr(ensemble, "_columns_chunk", flaky)
    result = cli("montecarlo", "--region", names.region, "--samples", "1200", "--workers", "1", "--out", "mc")
    assert result.rc == 2 and "Traceback" not in result.err
    assert any("RuntimeError" in line for line in result.lines)
    assert (tmp_path / "mc" / "failures.csv").exists() and (tmp_path / "mc" / "bands.csv").exists()


def test_one_regions_broken_set_loses_only_that_region(names, cli, tmp_path, user_home):
    from innosim.paths import shipped_sets_dir

    mine = user_home / "sets" / "mine"
    mine.mkdir(parents=True)
    regions = list(names.m.regions)
    for region in regions:
        (mine / f"{region}.json").write_bytes((shipped_sets_dir() / "history" / f"{region}.json").read_bytes())
    (mine / f"{regions[-1]}.json").write_text("{", encoding="utf-8")
    result = cli("montecarlo", "--region", "all", "--samples", "20", "--parameter-set", "mine", "--out", "mc")
    assert result.rc == 2 and "Traceback" not in result.err
    assert any(f"{regions[-1]}.json" in line for line in result.lines)
    bands = pd.read_csv(tmp_path / "mc" / "bands.csv", encoding="utf-8-sig")
    assert set(bands.region) == set(regions[:-1])
    assert f"{regions[-1]}.json" in (tmp_path / "mc" / "failures.csv").read_text(encoding="utf-8-sig")
    from innosim.core.scenarios import shipped

    batch = cli("batch", shipped()[0], "--parameter-set", "mine", "--out", "b")
    assert batch.rc == 2 and "Traceback" not in batch.err
    table = pd.read_csv(tmp_path / "b" / "projections.csv", encoding="utf-8-sig")
    assert set(table.region) == set(regions[:-1])


def test_two_scenario_objects_with_one_id_are_never_averaged(names):
    """Through the Python API too: a clash is a failure, and the tables refuse a duplicated projection."""
    import innosim
    from innosim.core.scenarios import Scenario
    from innosim.core.tables import wide_table

    low = Scenario("x", "low", "?", (names.region,), {names.smooth.id: names.smooth.low})
    high = Scenario("x", "high", "?", (names.region,), {names.smooth.id: names.smooth.high})
    result = innosim.run_batch([low, high])
    assert len(result.failures) == 1 and "same id" in result.failures[0].reason
    doubled = pd.concat([result.table, result.table.assign(value=result.table.value * 2)])
    with pytest.raises(innosim.InputError, match="two projections"):
        wide_table(doubled)
