"""The compiled engine and PySD run the same .mdl to the same numbers; no run leaks into the next."""
from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import inputs_of, project_case, run_case, within_budgets  # noqa: F401

SCENARIO = {
    "fiscal_st_growth_rate": {2026: 0.15, 2029: 0.08},
    "talent_attraction_multiplier": 0.5,
    "super_deduction_rate": {2026: 0.75},
}


def _relative_gap(a, b):
    common = [c for c in a.columns if c in b.columns]
    assert len(common) == len(a.columns)
    b = b.loc[a.index, common]
    return float((np.abs(a[common] - b) / (np.abs(b) + 1e-12)).max().max())


@pytest.mark.parametrize("region", ["ningbo", "cixi", "yuyao"])
def test_compiled_equals_pysd_on_the_plan(m, region):
    assert _relative_gap(run_case(m, region), run_case(m, region, engine="pysd")) < 1e-9


def test_compiled_equals_pysd_with_schedules_and_parameters(m):
    params = {"knowledge_depreciation_rate": 0.2, "private_rd_per_subsidy_yuan": -0.1}
    a = run_case(m, "cixi", levers=SCENARIO, parameters=params)
    b = run_case(m, "cixi", levers=SCENARIO, parameters=params, engine="pysd")
    assert _relative_gap(a, b) < 1e-9


def test_vector_engine_equals_scalar_engine(m):
    constants, levers, _ = inputs_of(m, "yuyao", SCENARIO)
    engine = m._engine
    grid = engine.grid()
    lever_paths = {}
    from innosim.core.engines import schedule_values
    for key, value in levers.items():
        lever_paths[key] = schedule_values(0.0, value, grid.step_times())[:, None]
    out = engine.run_vector(constants, lever_paths, n=1)
    scalar = engine.run(constants, levers)
    assert np.max(np.abs(out[:, :, 0] - scalar.values) / (np.abs(scalar.values) + 1e-12)) < 1e-9


def test_parameters_never_leak_between_runs_pysd(m):
    engine = m.pysd_engine()
    first = engine.run()
    engine.run(constants={"knowledge_depreciation_rate": 0.25},
               levers={"fiscal_st_growth_rate": ((2020.0, 0.3),)})
    again = engine.run()
    assert np.array_equal(first.values, again.values)


def test_parameters_never_leak_between_runs_api(m):
    plan = run_case(m, "ningbo")
    changed = run_case(m, "ningbo", levers={"fiscal_st_growth_rate": 0.0}, parameters={"capital_share": 0.4})
    assert not np.allclose(plan.values, changed.values)
    assert np.array_equal(plan.values, run_case(m, "ningbo").values)
    # and no region's data bleeds into another's
    assert np.array_equal(run_case(m, "cixi").values, run_case(m, "cixi").values)


# ---- the engines never disagree silently --------------------------------------------------------------

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import innosim  # noqa: E402
from innosim import Case  # noqa: E402
from innosim.core import data  # noqa: E402

_M = innosim.load()
_BOUNDED = {n: s for n, s in data.parameter_sources().items()
            if s.low is not None and n in _M.variables and not _M.variables[n].is_lever}


def _extreme(lo, hi, switch=False):
    return st.sampled_from([lo, hi] if switch else [lo, hi, (lo + hi) / 2])


_cases = st.builds(
    lambda region, levers, params: Case(region, within_budgets(_M, region, levers), params),
    st.sampled_from(_M.regions),
    st.fixed_dictionaries({}, optional={lv.id: _extreme(lv.low, lv.high, lv.is_switch) for lv in _M.levers}),
    st.fixed_dictionaries({}, optional={n: _extreme(s.low, s.high) for n, s in _BOUNDED.items()}))


_RESULTS = [k for k, v in _M.variables.items() if v.kind == "stock"] + [i.variable for i in data.indicators()]


def _agree(a, b):
    """The largest gap between two runs' results (stocks and indicators), each against its own scale.

    Auxiliaries that are a difference of nearly equal terms (a residual share of 1 - 0.7 - 0.3) hold
    roundoff, which NumPy's and Python's pow and exp carry differently in the last bit; the results
    (stocks, indicators) do not depend on it to 1e-9.
    """
    cols = [c for c in dict.fromkeys(_RESULTS) if c in a.columns]
    a, b = a[cols].to_numpy(), b[cols].to_numpy()
    scale = np.maximum(np.abs(a).max(axis=0), 1e-9)
    return float(np.max(np.abs(a - b) / scale))


def _determined(case, scalar) -> bool:
    """Whether the model's own answer at ``case`` is determined to 1e-9: a relative nudge of 1e-15 to every
    input moves no result by more than that.  At some corners of the ranges it is not: a share computed as
    1 - 0.4 - 0.6 is 0 or 6e-17 by rounding, and a small power of it jumps (0 ** 0.1 = 0, 6e-17 ** 0.1 =
    0.02); there any two implementations whose last bits differ (NumPy's power against libm's) part ways."""
    nudged = Case(case.region, {k: v * (1 + 1e-15) for k, v in (case.levers or {}).items()},
                  {k: v * (1 + 1e-15) for k, v in (case.parameters or {}).items()})
    try:
        return _agree(scalar, _M.run(nudged)) < 1e-9
    except innosim.InputError:         # nudged out of a lever's range: judge by the case alone
        return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(case=_cases)
def test_scalar_and_vector_engines_agree_at_extremes(case):
    scalar = _M.run(case)
    assume(_determined(case, scalar))
    vector = _M.run_many([case, Case(case.region)])[0]            # batched with another case, as batches are
    assert _agree(scalar, vector) < 1e-9


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(case=_cases)
def test_the_compiled_engine_agrees_with_pysd_at_extremes(case):
    scalar = _M.run(case)
    assume(_determined(case, scalar))
    assert _agree(scalar, _M.run(case, engine="pysd")) < 1e-9


def _tiny_model(tmp_path, equations: str):
    path = tmp_path / "tiny.mdl"
    path.write_text("{UTF-8}\n" + equations + """
INITIAL TIME = 0
	~	Year
	~		|
FINAL TIME = 2
	~	Year
	~		|
TIME STEP = 1
	~	Year
	~		|
SAVEPER = 1
	~	Year
	~		|
""", encoding="utf-8")
    return path


def test_power_is_right_associative_as_in_vensim(tmp_path):
    from innosim.core.engines import CompiledEngine

    path = _tiny_model(tmp_path, "x = 2^3^2\n\t~\tDmnl\n\t~\t\t|\ny = -2^2 + (2^3)^2\n\t~\tDmnl\n\t~\t\t|\n")
    run = CompiledEngine(path).run()
    assert run["x"].iloc[0] == 512.0 and run["y"].iloc[0] == 60.0


def test_a_region_data_row_for_a_variable_that_is_no_longer_a_constant_is_one_line(tmp_path):
    text = _M.path.read_text(encoding="utf-8")
    edited = text.replace("capital output ratio 2015=\n\t2.6\n", "capital output ratio 2015=\n\t2.6 * one year\n", 1)
    assert edited != text
    path = tmp_path / "innovation_system.mdl"
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(innosim.DataError) as err:
        innosim.Model(path)
    message = str(err.value)
    assert "capital_output_ratio_2015" in message and "regions.csv" in message and "innovation_system.mdl" in message
    assert "auxiliary" in message and len(message.splitlines()) == 1


def test_an_unsupported_construct_runs_through_pysd_with_a_notice(monkeypatch):
    from innosim.core import model as model_module
    from innosim.mdl.errors import UnsupportedConstruct

    def refuse(*args, **kwargs):
        raise UnsupportedConstruct("'fake variable' uses FAKE FUNCTION, which the compiled engine does not support")

    monkeypatch.setattr(model_module, "CompiledEngine", refuse)
    m = innosim.Model()
    assert m.engine_name == "pysd" and "FAKE FUNCTION" in m.notice and "fake variable" in m.notice
    assert _agree(m.run(Case("yuyao")), _M.run(Case("yuyao"))) < 1e-9
    with pytest.raises(innosim.InputError):
        innosim.Model(engine="compiled")


def test_a_disagreement_with_pysd_sends_runs_through_pysd(monkeypatch, tmp_path):
    from innosim.core import model as model_module

    monkeypatch.setenv("INNOSIM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(model_module.Model, "_compare_with_pysd", lambda self: {
        "agree": False, "region": "cixi", "variable": "rd_intensity", "time": 2030.0, "compiled": 1.0, "pysd": 2.0})
    m = innosim.Model()
    assert m.engine_name == "pysd" and "disagrees with PySD on 'rd_intensity'" in m.notice
    verdicts = list(tmp_path.rglob("verified-*.json"))
    assert len(verdicts) == 1 and json.loads(verdicts[0].read_text())["agree"] is False   # checked once, kept


def test_the_verdict_of_the_check_against_pysd_is_cached_per_model_version():
    from innosim.core.data import regions_file
    from innosim.files import content_hash
    from innosim.mdl.cache import verification_file

    record = verification_file(_M.path, content_hash(regions_file()))
    assert json.loads(record.read_text())["agree"] is True and _M.engine_name == "compiled"


def test_a_worker_running_another_model_is_refused():
    from innosim.analysis.executor import Executor, Failed, ModelMismatch, _guarded, _raise_mismatch

    result = _guarded((len, [1, 2], "0" * 64))
    assert isinstance(result, Failed) and "model mismatch" in result.reason
    with pytest.raises(ModelMismatch):
        _raise_mismatch([result])
    assert Executor(workers=1).map(len, [[1], [1, 2]]) == [1, 2]
