"""Hostile command-line options: each gets one line naming the option and what is allowed; nothing is written."""
from __future__ import annotations

import pytest

from .conftest import accepted, files_under, refused

MC = ["montecarlo", "--region", "{region}", "--out", "mc"]
SENS = ["sensitivity", "--region", "{region}", "--out", "sens"]
GOAL = ["goalseek", "--region", "{region}", "--lever", "{lever}", "--out", "goal"]
ATTR = ["attribute", "{push}", "--region", "{region}", "--out", "attr"]

# (id, argv (with {placeholders} filled from the model), what the one line must name)
BAD = [
    # any command
    ("no command", [], ["run"]),
    ("unknown command", ["fly"], ["fly"]),
    ("unknown option", ["run", "--colour", "red"], ["--colour"]),
    ("option without its value", ["run", "--region"], ["--region"]),
    # run
    ("run --region unknown", ["run", "--region", "hangzhou"], ["--region", "hangzhou"]),
    ("run --format unknown", ["run", "--format", "xml"], ["--format", "xml"]),
    ("run --out without a known suffix", ["run", "--out", "table.txt"], ["--out", "table.txt"]),
    ("run --out empty", ["run", "--out", ""], ["--out"]),
    ("run --parameter-set unknown", ["run", "--parameter-set", "no_such_set"], ["no_such_set"]),
    ("run --parameter-set empty", ["run", "--parameter-set", ""], ["--parameter-set"]),
    ("run --parameter-set a name with a space", ["run", "--parameter-set", "my set"], ["my set"]),
    ("run --parameter-set a missing path", ["run", "--parameter-set", "../../../../tmp/evil/x"],
     ["../../../../tmp/evil/x"]),
    ("run a missing scenario", ["run", "no_such.toml"], ["no_such.toml"]),
    ("run a folder as the scenario", ["run", "."], ["."]),
    # batch
    ("batch without scenarios", ["batch", "--out", "b"], ["SCENARIO.toml"]),
    ("batch without --out", ["batch", "{plan}"], ["--out"]),
    ("batch --workers 0", ["batch", "{plan}", "--out", "b", "--workers", "0"], ["--workers", "0"]),
    ("batch --workers -1", ["batch", "{plan}", "--out", "b", "--workers", "-1"], ["--workers", "-1"]),
    ("batch --workers 64", ["batch", "{plan}", "--out", "b", "--workers", "64"], ["--workers", "64"]),
    ("batch --workers text", ["batch", "{plan}", "--out", "b", "--workers", "many"], ["--workers", "many"]),
    ("batch --regions unknown", ["batch", "{plan}", "--out", "b", "--regions", "hangzhou"], ["--regions", "hangzhou"]),
    ("batch --regions empty", ["batch", "{plan}", "--out", "b", "--regions", ""], ["--regions"]),
    ("batch --format unknown", ["batch", "{plan}", "--out", "b", "--format", "xml"], ["--format", "xml"]),
    ("batch --parameter-set unknown", ["batch", "{plan}", "--out", "b", "--parameter-set", "nope"], ["nope"]),
    # montecarlo
    ("montecarlo --samples 0", [*MC, "--samples", "0"], ["--samples", "0"]),
    ("montecarlo --samples 1", [*MC, "--samples", "1"], ["--samples", "1"]),
    ("montecarlo --samples -5", [*MC, "--samples", "-5"], ["--samples", "-5"]),
    ("montecarlo --samples 1e3", [*MC, "--samples", "1e3"], ["--samples", "1e3"]),
    ("montecarlo --samples 10**9", [*MC, "--samples", "1000000000"], ["--samples", "1000000000", "chunk"]),
    ("montecarlo --seed -1", [*MC, "--samples", "10", "--seed", "-1"], ["--seed", "-1"]),
    ("montecarlo --seed 2**40", [*MC, "--samples", "10", "--seed", str(2**40)], ["--seed", str(2**40)]),
    ("montecarlo --seed text", [*MC, "--seed", "lucky"], ["--seed", "lucky"]),
    ("montecarlo --workers 64", [*MC, "--samples", "10", "--workers", "64"], ["--workers", "64"]),
    ("montecarlo --workers 0", [*MC, "--samples", "10", "--workers", "0"], ["--workers", "0"]),
    ("montecarlo --dask not an address", [*MC, "--samples", "10", "--dask", "tcp://"], ["--dask", "tcp://"]),
    ("montecarlo --dask nobody listens", [*MC, "--samples", "10", "--dask", "tcp://127.0.0.1:9"],
     ["--dask", "tcp://127.0.0.1:9"]),
    ("montecarlo --policy-from 1900", [*MC, "--samples", "10", "--policy-from", "1900"], ["--policy-from", "1900"]),
    ("montecarlo --policy-from 3000", [*MC, "--samples", "10", "--policy-from", "3000"], ["--policy-from", "3000"]),
    ("montecarlo --region unknown", ["montecarlo", "--region", "hangzhou"], ["--region", "hangzhou"]),
    # sensitivity
    ("sensitivity --top 0", [*SENS, "--samples", "8", "--top", "0"], ["--top", "0"]),
    ("sensitivity --samples 0", [*SENS, "--samples", "0"], ["--samples", "0"]),
    ("sensitivity --samples 10**9", [*SENS, "--samples", "1000000000"], ["--samples", "1000000000"]),
    ("sensitivity --seed -1", [*SENS, "--samples", "8", "--seed", "-1"], ["--seed", "-1"]),
    ("sensitivity --method unknown", [*SENS, "--method", "magic"], ["--method", "magic"]),
    ("sensitivity --factors unknown", [*SENS, "--factors", "everything"], ["--factors", "everything"]),
    ("sensitivity --region all", ["sensitivity", "--region", "all"], ["--region", "all"]),
    # goal seeking
    ("goalseek --lever unknown", ["goalseek", "--region", "{region}", "--lever", "no_such_lever",
                                  "--target", "{target}"], ["--lever", "no_such_lever"]),
    ("goalseek --lever a parameter", ["goalseek", "--region", "{region}", "--lever", "{parameter}",
                                      "--target", "{target}"], ["--lever", "{parameter}"]),
    ("goalseek without a target", GOAL, ["--target"]),
    ("goalseek --target unknown", [*GOAL, "--target", "no_such_indicator"], ["--target", "no_such_indicator"]),
    ("goalseek --target year text", [*GOAL, "--target", "{indicator}@soon"], ["--target", "{indicator}@soon"]),
    ("goalseek --target year without a target", [*GOAL, "--target", "{indicator}@1900"],
     ["--target", "{indicator}@1900"]),
    ("goalseek --all-targets 1900", [*GOAL, "--all-targets", "1900"], ["--all-targets", "1900"]),
    ("goalseek --indicators unknown", [*GOAL, "--all-targets", "{target_year}", "--indicators", "nope"],
     ["--indicators", "nope"]),
    ("goalseek --confidence 1.5", [*GOAL, "--target", "{target}", "--confidence", "1.5"], ["--confidence", "1.5"]),
    ("goalseek --confidence 0", [*GOAL, "--target", "{target}", "--confidence", "0"], ["--confidence", "0"]),
    ("goalseek --confidence nan", [*GOAL, "--target", "{target}", "--confidence", "nan"], ["--confidence", "nan"]),
    ("goalseek --from-year 1900", [*GOAL, "--target", "{target}", "--from-year", "1900"], ["--from-year", "1900"]),
    ("goalseek --from-year 3000", [*GOAL, "--target", "{target}", "--from-year", "3000"], ["--from-year", "3000"]),
    ("goalseek --by-year 1900", [*GOAL, "--target", "{target}", "--by-year", "1900"], ["--by-year", "1900"]),
    ("goalseek --samples 1 with --confidence", [*GOAL, "--target", "{target}", "--confidence", "0.8",
                                                "--samples", "1"], ["--samples", "1"]),
    ("goalseek --seed -1 with --confidence", [*GOAL, "--target", "{target}", "--confidence", "0.8",
                                              "--samples", "10", "--seed", "-1"], ["--seed", "-1"]),
    ("goalseek a target after the scenario's end", ["goalseek", "{short}", "--region", "{region}", "--lever",
                                                    "{lever}", "--target", "{target}"], ["{target_year}"]),
    # attribution
    ("attribute --year 1900", [*ATTR, "--year", "1900"], ["--year", "1900"]),
    ("attribute --year 3000", [*ATTR, "--year", "3000"], ["--year", "3000"]),
    ("attribute --indicators unknown", [*ATTR, "--year", "{target_year}", "--indicators", "nope"],
     ["--indicators", "nope"]),
    ("attribute the plan (no lever changed)", ["attribute", "--region", "{region}", "--year", "{target_year}"],
     ["lever"]),
    # calibration
    ("calibrate --holdout-from 1990", ["calibrate", "--region", "{region}", "--mode", "history",
                                       "--holdout-from", "1990", "--report", "rep"], ["--holdout-from", "1990"]),
    ("calibrate --holdout-from 2100", ["calibrate", "--region", "{region}", "--mode", "history",
                                       "--holdout-from", "2100", "--report", "rep"], ["--holdout-from", "2100"]),
    ("calibrate --mode unknown", ["calibrate", "--region", "{region}", "--mode", "guess"], ["--mode", "guess"]),
    ("calibrate --parameter-set unknown", ["calibrate", "--region", "{region}", "--mode", "plan",
                                           "--parameter-set", "nope", "--report", "rep"], ["nope"]),
    # listings
    ("targets --format unknown", ["targets", "--format", "xml"], ["--format", "xml"]),
    ("levers --format unknown", ["levers", "--format", "xml"], ["--format", "xml"]),
]


@pytest.fixture
def fill(names, scenario, tmp_path):
    from innosim.core.scenarios import shipped

    push = scenario(f"[levers]\n{names.smooth.id} = {{ {names.first_free} = {names.value} }}\n", name="push.toml")
    short = scenario(f"[run]\nend_year = {names.target_year - 1}\n", name="short.toml")
    values = {"region": names.region, "lever": names.smooth.id, "parameter": names.parameter,
              "indicator": names.indicator, "target": f"{names.indicator}@{names.target_year}",
              "target_year": names.target_year, "plan": str(shipped()[0]), "push": str(push), "short": str(short)}
    return lambda items: [str(a).format(**values) for a in items]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_a_bad_option_is_one_line_and_writes_nothing(case, fill, cli, tmp_path):
    label, argv, must = case
    before = files_under(tmp_path)
    result = cli(*fill(argv))
    refused(result, *fill(must), before=before, folder=tmp_path)


def test_workers_up_to_the_cores_are_accepted(fill, cli):
    from innosim.analysis.executor import available_cores

    result = cli(*fill(["batch", "{plan}", "--out", "b", "--regions", "{region}", "--workers", available_cores()]))
    accepted(result)


def test_a_montecarlo_of_a_scenario_that_ends_early_runs(names, cli, scenario):
    """A run ending in the year after the start has no target years left; bands, but no chances, and no KeyError."""
    short = scenario(f"[run]\nend_year = {names.m.initial_year + 1}\n", name="early.toml")
    accepted(cli("montecarlo", short, "--region", names.region, "--samples", "20", "--out", "mc"))
