"""Parameter sets: chosen by name or explicit path, layered, reproducing what they record; one rule for "met"."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import innosim
from innosim import Case
from innosim.calibration.fit import series_fits
from innosim.calibration.inputs import load_history, load_spec
from innosim.core import paramsets
from innosim.core.targets import is_met
from innosim.paths import shipped_sets_dir

REGIONS = ["ningbo", "cixi", "yuyao"]


@pytest.mark.parametrize("region", REGIONS)
def test_the_plan_set_sits_on_the_history_set_and_reproduces_plan_mode(m, region):
    pset = m.parameter_set("plan", region)
    assert [layer.name for layer in pset.layers] == ["history", "plan"]
    record = json.loads((shipped_sets_dir() / "plan" / f"{region}.json").read_text(encoding="utf-8"))
    table = innosim.simulate(region, parameter_set="plan")
    card = innosim.scorecard(table)
    for outcome in record["targets"]:
        row = card[(card.indicator == outcome["indicator"]) & (card.year == outcome["year"])].iloc[0]
        assert row.projected == pytest.approx(outcome["plan"], rel=1e-9, abs=1e-12), outcome
        # one rule: plan mode's verdict and the scorecard agree on every shipped target
        met_in_plan_mode = outcome["verdict"] in ("met on the evidence", "met if the parameters move")
        assert (row.status == "met") == met_in_plan_mode, outcome


@pytest.mark.parametrize("region", REGIONS)
def test_the_history_set_reproduces_the_fit_it_records(m, region):
    from innosim.calibration.evaluate import Evaluator
    from innosim.calibration.fit import final_year

    spec = load_spec()
    history = [o for o in load_history() if o.region == region and o.series in spec.series]
    pset = m.parameter_set("history", region)
    levers = {}
    free = list(pset.fitted())
    ev = Evaluator(region, spec, free, history, final_year(spec, history), levers, "none")
    fits = series_fits(ev, np.array([pset.values[p] for p in free]), spec)
    recorded = pset.provenance["fit"]
    for fit in fits:
        for stat in ("mape", "mae"):
            assert fit.stats[stat] == pytest.approx(recorded[fit.series][stat], rel=1e-9, nan_ok=True), (fit.series, stat)


def test_a_missing_set_is_one_line_never_a_fallback(m):
    with pytest.raises(innosim.InputError) as err:
        m.parameter_set("no_such_set", "ningbo")
    assert "no parameter set 'no_such_set'" in str(err.value) and "history" in str(err.value)
    with pytest.raises(innosim.InputError):
        innosim.simulate("ningbo", parameter_set="../../../../tmp/evil/x")


def test_a_set_is_named_or_given_as_an_explicit_path_and_must_be_a_set_file(m, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(shipped_sets_dir() / "history" / "cixi.json", mine / "cixi.json")
    by_path = m.parameter_set(str(mine), "cixi")
    assert by_path.values == m.parameter_set("history", "cixi").values
    assert m.parameter_set(str(mine / "cixi.json"), "cixi").values == by_path.values
    (mine / "yuyao.json").write_text('{"parameters": [1, 2]}', encoding="utf-8")
    with pytest.raises(innosim.DataError) as err:
        m.parameter_set(str(mine), "yuyao")
    assert "yuyao.json" in str(err.value) and "not a parameter set" in str(err.value)
    (mine / "ningbo.json").write_text('{"parameters": {"capital_share": 0.3,}}', encoding="utf-8")
    with pytest.raises(innosim.DataError) as err:
        m.parameter_set(str(mine), "ningbo")
    assert "line 1" in str(err.value) and "not valid JSON" in str(err.value)
    with pytest.raises(innosim.InputError):
        m.parameter_set("bad name!", "ningbo")


def test_a_stale_layer_is_refused(m, tmp_path, monkeypatch):
    sets = tmp_path / "sets"
    shutil.copytree(shipped_sets_dir(), sets)
    record = json.loads((sets / "history" / "yuyao.json").read_text(encoding="utf-8"))
    record["parameters"] = {k: v * 1.01 for k, v in record["parameters"].items()}
    (sets / "history" / "yuyao.json").write_text(json.dumps(record), encoding="utf-8")
    monkeypatch.setattr(paramsets, "shipped_sets_dir", lambda: sets)
    with pytest.raises(innosim.DataError) as err:
        paramsets.load_set("plan", "yuyao")
    assert "stale" in str(err.value) and "plan" in str(err.value)


def test_every_analysis_takes_a_case_and_keyword_options():
    import inspect

    for fn in (innosim.montecarlo, innosim.sensitivity, innosim.goal_seek, innosim.attribute):
        params = list(inspect.signature(fn).parameters.values())
        assert params[0].name == "case" and all(p.kind == p.KEYWORD_ONLY for p in params[1:]), fn.__name__


def test_met_is_one_rule_with_one_tolerance():
    from innosim.core.targets import TOLERANCE, meets

    assert is_met(3.75 * (1 - TOLERANCE / 2), ">=", 3.75) and not is_met(3.75 * (1 - 2 * TOLERANCE), ">=", 3.75)
    assert is_met(np.nan, ">=", 1.0) is False and not meets(np.array([np.inf * 0]), ">=", 1.0).any()
    assert is_met(0.99 * 20, "=", 20) and not is_met(0.9 * 20, "=", 20)
    values = np.array([3.70, 3.749, 3.76])
    assert list(meets(values, ">=", 3.75)) == [False, True, True]
    assert Case("ningbo").ending(2027).final_year == 2027
