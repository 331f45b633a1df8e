"""Every construct the compiled engine covers gives PySD's numbers, in the scalar and the vector variant.

The models are in constructs.py: one with the functions and statefuls on scalars (SMOOTH to SAMPLE IF
TRUE, the time functions, lookups, :NA:, quoted and Unicode names, control variables as equations), one
with 1-D and 2-D subscripts (SUM, PROD, VMIN, VMAX, subranges, :EXCEPT:, element-wise equations,
subscripted statefuls and lookups).  Hypothesis draws their constants across their ranges.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from constructs import SCALAR, SUBSCRIPTED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innosim.core.engines import CompiledEngine
from innosim.mdl.errors import UnsupportedConstruct
from innosim.mdl.runtime import RunError

_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_a = st.floats(0.5, 5)
_b = st.floats(0.5, 5)
_c = st.floats(1, 4)
_steps = st.sampled_from([2.0, 4.0, 5.0])


class _Model:
    """A construct model compiled, and translated by PySD."""

    def __init__(self, folder, name: str, text: str):
        import pysd

        self.path = folder / f"{name}.mdl"
        self.path.write_text(text, encoding="utf-8")
        self.engine = CompiledEngine(self.path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.pysd = pysd.read_vensim(str(self.path))

    def pysd_run(self, params: dict):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.pysd.reload()
            return self.pysd.run(params=params)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("constructs")
    return {"scalar": _Model(folder, "scalar", SCALAR), "subscripted": _Model(folder, "subscripted", SUBSCRIPTED)}


def _assert_same(ours, theirs, rtol=1e-10):
    assert list(ours.columns) == list(theirs.columns)
    assert np.allclose(ours.index.to_numpy(), theirs.index.to_numpy(), rtol=0, atol=1e-12)
    a, b = ours.to_numpy(float), theirs.to_numpy(float)
    close = np.isclose(a, b, rtol=rtol, atol=1e-12, equal_nan=True)
    if not close.all():
        i, j = np.argwhere(~close)[0]
        raise AssertionError(f"{theirs.columns[j]!r} at t = {theirs.index[i]}: {a[i, j]!r} against PySD's {b[i, j]!r}")


@_SETTINGS
@given(a=_a, b=_b, c=_c, steps=_steps)
def test_every_scalar_construct_gives_pysds_numbers(models, a, b, c, steps):
    model = models["scalar"]
    params = {"a": a, "b": b, "c": c, "steps_per_month": steps}
    with np.errstate(all="ignore"):
        ours = model.engine.frame(params)
    theirs = model.pysd_run({"a": a, "b": b, "c": c, "steps per month": steps})
    _assert_same(ours, theirs)


@_SETTINGS
@given(a=_a, c=_c)
def test_every_subscripted_construct_gives_pysds_numbers(models, a, c):
    model = models["subscripted"]
    _assert_same(model.engine.frame({"a": a, "c": c}), model.pysd_run({"a": a, "c": c}))


@_SETTINGS
@given(data=st.data(), which=st.sampled_from(["scalar", "subscripted"]))
def test_each_member_of_a_vector_pass_is_its_own_scalar_run(models, data, which):
    engine = models[which].engine
    n = data.draw(st.integers(1, 5))
    members = [{"a": data.draw(_a), "c": data.draw(_c)} for _ in range(n)]
    if which == "scalar":
        for member in members:
            member["b"] = data.draw(_b)
    constants = {k: np.array([m[k] for m in members]) for k in members[0]}
    with np.errstate(all="ignore"):
        vector = engine.run_vector(constants, n=n, variant="vector")
        for j, member in enumerate(members):
            scalar = engine.run(member).to_numpy()
            assert np.allclose(vector[:, :, j], scalar, rtol=1e-12, atol=1e-14, equal_nan=True)


def test_lever_schedules_reach_both_variants_alike(models):
    from innosim.core.engines import schedule_values

    engine = models["scalar"].engine
    schedule = ((0.0, 1.0), (3.0, 4.0), (7.5, 2.0))
    scalar = engine.run(levers={"a": schedule}).to_numpy()
    path = schedule_values(2.0, schedule, engine.grid().step_times())
    for lever in (schedule, [schedule, schedule], np.column_stack([path, path]), path[:, None]):
        vector = engine.run_vector(levers={"a": lever}, n=2, variant="vector")
        for j in range(2):
            assert np.allclose(vector[:, :, j], scalar, rtol=1e-12, equal_nan=True)
    assert not np.allclose(scalar, engine.run().to_numpy(), equal_nan=True)


def test_a_short_delay_is_lowered_in_order_as_pysd_lowers_it(tmp_path):
    short = SCALAR.replace("delay3 out = DELAY3(input, c)", "delay3 out = DELAY3(input, 0.5)")
    model = _Model(tmp_path, "short", short)
    _assert_same(model.engine.frame(), model.pysd_run({}))
    # members whose delays PySD would lower differently cannot share a pass: refused, not answered wrongly
    with pytest.raises(RunError, match=r"'\w+ out': the delay order .* differs between the ensemble members"):
        model.engine.run_vector({"c": np.array([0.5, 3.0])}, n=2)


def test_a_subscripted_constant_can_be_set_per_member(models):
    engine = models["subscripted"].engine
    base = np.array([[1.0, 5.0], [2.0, 2.0], [3.0, 1.0]])       # (Region, members)
    vector = engine.run_vector({"base": base}, n=2, variant="vector")
    for j in range(2):
        assert np.allclose(vector[:, :, j], engine.run({"base": base[:, j]}).to_numpy(), rtol=1e-12)
    assert engine.run({"base": base[:, 1]})["total"].iloc[-1] != engine.run()["total"].iloc[-1]


@pytest.mark.parametrize("equation, construct", [
    ("y = VECTOR SELECT(x[d!], x[d!], d, 0, 0) ~ ~ |", "VECTOR SELECT"),
    ("y[d] = VECTOR RANK(x[d], x[d]) ~ ~ |", "VECTOR RANK with a subscripted direction"),
    ("y = GET XLS CONSTANTS('data.xlsx', 'tab', 'A1') ~ ~ |", "GET XLS CONSTANTS"),
    ("y = RANDOM UNIFORM(0, 1, 0) ~ ~ |", "RANDOM UNIFORM"),
    ("y = 1 ~ ~ |\n:MACRO: twice(u)\ntwice = 2 * u ~ ~ |\n:END OF MACRO:", "macros"),
])
def test_an_unsupported_construct_is_refused_naming_the_variable_and_the_construct(tmp_path, equation, construct):
    path = tmp_path / "refused.mdl"
    path.write_text("{UTF-8}\nd: d1, d2 ~ ~ |\nx[d] = 1, 2 ~ ~ |\n" + equation + "\n" + _CONTROL, encoding="utf-8")
    with pytest.raises(UnsupportedConstruct) as refusal:
        CompiledEngine(path)
    message = str(refusal.value)
    assert construct in message and ("'y'" in message or construct == "macros") and len(message.splitlines()) == 1


_CONTROL = """INITIAL TIME = 0 ~ ~ |
FINAL TIME = 2 ~ ~ |
TIME STEP = 1 ~ ~ |
SAVEPER = TIME STEP ~ ~ |
"""


def test_external_data_are_read_once_and_an_edited_spreadsheet_rebuilds_the_engine(tmp_path, monkeypatch):
    from openpyxl import Workbook

    monkeypatch.setenv("INNOSIM_CACHE_DIR", str(tmp_path / "cache"))

    def sheet(value):
        book = Workbook()
        book.active.title = "Sheet1"
        book.active["B2"] = value
        book.save(tmp_path / "data.xlsx")

    path = tmp_path / "external.mdl"
    path.write_text("{UTF-8}\nx = GET XLS CONSTANTS('data.xlsx', 'Sheet1', 'B2') ~ ~ |\ny = 2 * x ~ ~ |\n" + _CONTROL,
                    encoding="utf-8")
    sheet(1.5)
    first = CompiledEngine(path)
    assert first.run()["y"].iloc[0] == 3.0 and first.run({"x": 4.0})["y"].iloc[0] == 8.0
    sheet(2.5)
    assert CompiledEngine(path).run()["y"].iloc[0] == 5.0


def test_vector_select_combines_the_selected_elements_as_pysd(tmp_path):
    model = _Model(tmp_path, "select", """{UTF-8}
d: d1, d2, d3 ~ ~ |
e: e1, e2 ~ ~ |
selection[d] = 0, 1, 2 ~ ~ |
none[d] = 0, 0, 0 ~ ~ |
values[d, e] = 1, 2; 3, 4; 5, 6 ~ ~ |
action = 0 ~ ~ |
summed[e] = VECTOR SELECT(selection[d!], values[d!, e] * Time, -1, action, 0) ~ ~ |
largest = VECTOR SELECT(selection[d!], values[d!, e1], -1, 9, 0) ~ ~ |
missing = VECTOR SELECT(none[d!], values[d!, e2], -7, 4, 0) ~ ~ |
""" + _CONTROL)
    for action in (0, 1, 2, 3, 4, 5, 6, 8, 10):
        _assert_same(model.engine.frame({"action": action}), model.pysd_run({"action": action}))
    assert model.engine.frame()["missing"].iloc[0] == -7


def test_a_pass_whose_members_share_every_input_is_the_single_run(models):
    engine = models["scalar"].engine
    schedule = ((0.0, 1.0), (6.0, 2.0))
    shared = engine.run_vector({"b": np.full(4, 2.5)}, levers={"a": [schedule] * 4}, n=4)
    single = engine.run({"b": 2.5}, levers={"a": schedule}).to_numpy()
    assert shared.shape[2] == 4 and all(np.array_equal(shared[:, :, j], single, equal_nan=True) for j in range(4))
    forced = engine.run_vector({"b": np.full(4, 2.5)}, levers={"a": [schedule] * 4}, n=4, variant="vector")
    assert np.allclose(forced, shared, rtol=1e-12, equal_nan=True)


_ALLOCATION = """{UTF-8}
d: d1, d2, d3 ~ ~ |
pprofile: ptype, ppriority, pwidth, pextra ~ ~ |
request[d] = 10, 20, 30 ~ ~ |
priority[d] = 3, 1, 2 ~ ~ |
supply = 25 ~ ~ |
width = 2 ~ ~ |
by priority[d] = ALLOCATE BY PRIORITY(request[d], priority[d], ELMCOUNT(d), width, supply + Time) ~ ~ |
profile[d, pprofile] = 1, 5, 2, 0; 1, 3, 2, 0; 1, 4, 3, 0 ~ ~ |
available[d] = ALLOCATE AVAILABLE(request[d], profile[d, ptype], supply * 1.5 - Time) ~ ~ |
"""


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(supplies=st.lists(st.floats(5, 60), min_size=2, max_size=4))
def test_allocations_follow_pysds_algorithm_in_both_variants(allocation, supplies):
    engine = allocation.engine
    _assert_same(engine.frame({"supply": supplies[0]}), allocation.pysd_run({"supply": supplies[0]}))
    vector = engine.run_vector({"supply": np.array(supplies)}, n=len(supplies))
    for j, supply in enumerate(supplies):
        assert np.allclose(vector[:, :, j], engine.run({"supply": supply}).to_numpy(), rtol=1e-12)


@pytest.fixture(scope="module")
def allocation(tmp_path_factory):
    return _Model(tmp_path_factory.mktemp("allocation"), "allocation", _ALLOCATION + _CONTROL)


def test_threads_and_column_choice_give_the_same_numbers(models):
    engine = models["subscripted"].engine
    constants = {"a": np.linspace(1.0, 3.0, 6), "c": np.linspace(1.0, 4.0, 6)}
    whole = engine.run_vector(constants, n=6, variant="vector")
    assert np.array_equal(engine.run_vector(constants, n=6, threads=2), whole, equal_nan=True)
    picked = ["total", "output[east,mill]", "base[south]", "smoothed[north]"]
    part = engine.run_vector(constants, n=6, columns=picked)
    assert np.array_equal(part, whole[:, [engine.saved.index(c) for c in picked], :], equal_nan=True)


def test_a_pass_answers_nan_or_inf_where_a_single_runs_arithmetic_fails(tmp_path):
    path = tmp_path / "divide.mdl"
    path.write_text("{UTF-8}\nk = 1 ~ ~ |\nx = k / (Time - 1) ~ ~ |\n" + _CONTROL, encoding="utf-8")
    engine = CompiledEngine(path)
    with pytest.raises(ZeroDivisionError):
        engine.run()                     # Python floats, as PySD's; Model.run says it in one line
    shared = engine.run_vector({"k": np.array([1.0, 1.0])}, n=2)     # floats shared by the members fail: all NaN
    assert np.isnan(shared).all()
    apart = engine.run_vector({"k": np.array([1.0, 2.0])}, n=2)[:, engine.saved.index("x"), :]
    assert np.isinf(apart[1]).all() and np.array_equal(apart[0], [-1.0, -2.0])     # NumPy's answers
    power = tmp_path / "power.mdl"
    power.write_text("{UTF-8}\nk = 1 ~ ~ |\ny = (-k) ^ 0.5 + Time ~ ~ |\n" + _CONTROL, encoding="utf-8")
    engine = CompiledEngine(power)
    assert np.isnan(engine.run_vector({"k": np.array([1.0, 1.0])}, n=2)[:, engine.saved.index("y"), :]).all()


_SORTS = """{UTF-8}
d: d1, d2, d3 ~ ~ |
e: e1, e2 ~ ~ |
a = 1 ~ ~ |
direction = 1 ~ ~ |
values[e, d] = 3, 1, 2; 5, 6, 4 ~ ~ |
shift[d] = 1, -2, 0.5 ~ ~ |
moving[e, d] = values[e, d] + a * Time * shift[d] ~ ~ |
order[e, d] = VECTOR SORT ORDER(moving[e, d], direction) ~ ~ |
rank[e, d] = VECTOR RANK(moving[e, d], direction) ~ ~ |
reordered[e, d] = VECTOR REORDER(moving[e, d], order[e, d]) ~ ~ |
INITIAL TIME = 0 ~ ~ |
FINAL TIME = 4 ~ ~ |
TIME STEP = 1 ~ ~ |
SAVEPER = TIME STEP ~ ~ |
"""


def test_vector_sorts_follow_pysd_in_both_variants(tmp_path):
    model = _Model(tmp_path, "sorts", _SORTS)       # the values cross over the run: the orders change
    engine = model.engine
    members = {"a": np.array([1.0, 0.3, -0.7]), "direction": np.array([1.0, 0.0, -1.0])}
    vector = engine.run_vector(members, n=3, variant="vector")
    for j in range(3):
        params = {k: float(v[j]) for k, v in members.items()}
        _assert_same(engine.frame(params), model.pysd_run(params))
        assert np.array_equal(vector[:, :, j], engine.run(params).to_numpy())
    final = engine.frame({"direction": 1.0}).iloc[-1]
    assert [final[f"reordered[e1,{d}]"] for d in ("d1", "d2", "d3")] == sorted(
        final[f"moving[e1,{d}]"] for d in ("d1", "d2", "d3"))


_MOVING_END = """{UTF-8}
rate = 1 ~ ~ |
limit = 20 ~ ~ |
stock = INTEG(rate, 0) ~ ~ |
FINAL TIME = IF THEN ELSE(stock > limit, Time, 600) ~ ~ |
INITIAL TIME = 0 ~ ~ |
TIME STEP = 0.5 ~ ~ |
SAVEPER = 2 * TIME STEP ~ ~ |
"""


def test_a_final_time_that_moves_ends_the_run_where_pysd_ends_it(tmp_path):
    model = _Model(tmp_path, "moving_end", _MOVING_END)
    engine = model.engine
    for params in ({}, {"rate": 0.25}, {"limit": 1e6}):        # the last one runs past the first grid tried
        _assert_same(engine.frame(params), model.pysd_run(params))
    assert engine.frame().index[-1] == 20          # stopped at 20.5 (stock 20.5 > 20), saved every 1
    assert engine.frame(final_time=8).index[-1] == 8               # a final time given for the run: PySD's too
    rates = np.array([1.0, 0.99])                                  # both pass 20 at time 20.5
    vector = engine.run_vector({"rate": rates}, n=2, variant="vector")
    for j, rate in enumerate(rates):
        assert np.array_equal(vector[:, :, j], engine.run({"rate": rate}).to_numpy())
    with pytest.raises(RunError, match="FINAL TIME"):               # one pass, one grid: members end together
        engine.run_vector({"rate": np.array([1.0, 0.5])}, n=2)


def test_a_final_time_that_never_comes_is_refused_not_grown_without_end(tmp_path):
    model = _Model(tmp_path, "never_ends", _MOVING_END.replace("IF THEN ELSE(stock > limit, Time, 600)", "Time + 10"))
    with pytest.raises(RunError, match="never comes"):
        model.engine.run()


def test_a_time_step_that_changes_during_the_run_is_refused_by_name(tmp_path):
    path = tmp_path / "moving_step.mdl"
    path.write_text(_MOVING_END.replace("TIME STEP = 0.5", "TIME STEP = IF THEN ELSE(Time < 4, 1, 0.5)"),
                    encoding="utf-8")
    with pytest.raises(UnsupportedConstruct, match="'TIME STEP' changes during the run"):
        CompiledEngine(path)


def test_a_data_series_reads_the_data_files_given_to_the_engine_as_pysd(tmp_path):
    import pysd

    (tmp_path / "data.tab").write_text("Time\tseries\tlevels[d1]\tlevels[d2]\n0\t1\t5\t8\n1\t4\t6\t9\n2\t2\t7\t10\n",
                                       encoding="utf-8")
    path = tmp_path / "given.mdl"
    path.write_text("{UTF-8}\nd: d1, d2 ~ ~ |\nseries:INTERPOLATE: ~ ~ |\nlevels[d]:HOLD BACKWARD: ~ ~ |\n"
                    "k = 1 ~ ~ |\ny[d] = k * series + levels[d] ~ ~ |\n"
                    + _CONTROL.replace("TIME STEP = 1", "TIME STEP = 0.5"),
                    encoding="utf-8")
    with pytest.raises(UnsupportedConstruct, match="'series' is a data series read from files given at run time"):
        CompiledEngine(path)
    engine = CompiledEngine(path, data_files=tmp_path / "data.tab")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pysd.read_vensim(str(path), data_files=str(tmp_path / "data.tab")).run(params={"k": 2.0})
    _assert_same(engine.frame({"k": 2.0}), theirs)
    vector = engine.run_vector({"k": np.array([2.0, 3.0])}, n=2, variant="vector")
    for j, k in enumerate((2.0, 3.0)):
        assert np.array_equal(vector[:, :, j], engine.run({"k": k}).to_numpy())
