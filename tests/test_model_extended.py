"""The project's own model, extended by a modeller with a SMOOTH, a DELAY3 and a STEP, still runs compiled.

Model(path) compiles the edited file, checks it against PySD once (all regions, with a lever schedule)
and runs it on the compiled engine: single runs, batches and the PySD reference agree.
"""
from __future__ import annotations

import numpy as np
import pytest

import innosim
from innosim import Case
from innosim.core import data


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    base = innosim.load()
    start = base.initial_year
    watched = data.indicators()[0].variable                       # an endogenous indicator of the model
    name = base.variables[watched].name
    addition = f"""
modeller smoothed indicator = SMOOTH({name}, 2)
\t~\tDmnl
\t~\tThe indicator as it is perceived, with a two-year lag.
\t|

modeller delayed indicator = DELAY3({name}, 3)
\t~\tDmnl
\t~\tThe indicator's effect arriving over three years.
\t|

modeller programme start = STEP(1, {start + 3})
\t~\tDmnl
\t~\tA programme that starts in year {start + 3}.
\t|

modeller check stock = INTEG(modeller smoothed indicator - modeller delayed indicator + modeller programme start, 0)
\t~\tDmnl
\t~\tAccumulates the three, so that they feed a state of the model.
\t|
"""
    text = base.path.read_text(encoding="utf-8")
    marker = "\\\\\\---///"
    head, sketch = text.split(marker, 1) if marker in text else (text, None)
    edited = head.rstrip() + "\n" + addition + ("\n" + marker + sketch if sketch is not None else "")
    path = tmp_path_factory.mktemp("extended") / "innovation_system.mdl"
    path.write_text(edited, encoding="utf-8")
    return innosim.Model(path)


def test_the_extended_model_runs_on_the_compiled_engine_verified_against_pysd(extended):
    assert extended.engine_name == "compiled" and extended.notice is None
    for key in ("modeller_smoothed_indicator", "modeller_delayed_indicator", "modeller_programme_start",
                "modeller_check_stock"):
        assert key in extended.variables


def test_the_extended_model_gives_pysds_numbers_and_its_statefuls_do_their_work(extended):
    case = Case("cixi", levers={"fiscal_st_growth_rate": {2030: 0.05}} if "fiscal_st_growth_rate" in
                {lv.id for lv in extended.levers} else {})
    ours = extended.run(case)
    theirs = extended.run(case, engine="pysd")[ours.columns]
    assert np.allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-9, atol=1e-12)
    step = ours["modeller_programme_start"]
    assert step.iloc[0] == 0 and step.iloc[-1] == 1
    watched = ours[data.indicators()[0].variable]
    assert not np.allclose(ours["modeller_smoothed_indicator"], watched)       # lags behind the indicator
    assert ours["modeller_delayed_indicator"].iloc[0] == pytest.approx(watched.iloc[0])


def test_a_batch_of_the_extended_model_gives_each_case_its_single_run(extended):
    cases = [Case(region) for region in extended.regions]
    for case, frame in zip(cases, extended.run_many(cases)):
        assert np.allclose(frame.to_numpy(), extended.run(case).to_numpy(), rtol=1e-12, atol=1e-14)
