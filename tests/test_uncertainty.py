"""Monte Carlo, the ensemble path, parallel executors and global sensitivity."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import inputs_of
from hypothesis import given, settings
from hypothesis import strategies as st

import innosim
from innosim import Case, as_scenario  # noqa: F401
from innosim.analysis.ensemble import (
    draw_parameters,
    latin_hypercube,
    lever_factors,
    parameter_correlation,
    parameter_factors,
    run_columns,
)
from innosim.analysis.executor import Executor, chunks
from innosim.analysis.montecarlo import PERCENTILES, montecarlo, percentiles
from innosim.analysis.sensitivity import model_sensitivity, morris, problem, sobol
from innosim.core import data

REGION = "ningbo"


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 600), columns=st.integers(1, 6), seed=st.integers(0, 2**32 - 1),
       scale=st.floats(1e-6, 1e6))
def test_the_bands_percentiles_equal_numpys_to_the_last_bit(n, columns, seed, scale):
    values = np.random.default_rng(seed).lognormal(size=(n, 3, columns)) * scale
    values[:, 0, 0] = values[0, 0, 0]                       # ties, as a constant indicator gives
    assert np.array_equal(percentiles(values, PERCENTILES), np.percentile(values, PERCENTILES, axis=0))
    one = values[:, 1, 0]                                    # one column, as the chance table takes it
    assert list(percentiles(one[:, None], (5, 95))[:, 0]) == [np.percentile(one, 5), np.percentile(one, 95)]


def _indicator_array(m, table) -> np.ndarray:
    """A long table as years x indicators, indicators in registry order."""
    wide = table.pivot(index="year", columns="indicator", values="value")
    return wide[[i.indicator for i in data.indicators()]].to_numpy()


@pytest.fixture(scope="module")
def factors():
    return parameter_factors(Case(REGION))


def test_factors_cover_the_calibrated_and_the_literature_parameters(factors):
    kinds = {f.kind for f in factors}
    assert kinds == {"normal", "uniform"}
    for f in factors:
        assert f.low < f.high
        assert f.low <= f.mean <= f.high and f.source         # every factor names its evidence
        if f.kind == "normal":
            assert f.sd > 0 and ("calibration" in f.source or f.source.startswith("prior:"))
    draws = latin_hypercube(factors, 64, seed=3)
    lows, highs = np.array([f.low for f in factors]), np.array([f.high for f in factors])
    assert ((draws >= lows) & (draws <= highs)).all()


def test_calibrated_parameters_are_drawn_with_the_fits_correlations():
    factors, draws = draw_parameters(Case(REGION), 4000, seed=2)
    corr = parameter_correlation(factors, Case(REGION))
    assert np.allclose(corr, corr.T) and np.allclose(np.diag(corr), 1)
    uniform = [j for j, f in enumerate(factors) if f.kind == "uniform"]
    assert np.allclose(corr[uniform][:, uniform], np.eye(len(uniform)))     # literature ranges: independent
    a, b = np.unravel_index(np.argmax(np.abs(corr - np.eye(len(corr)))), corr.shape)
    assert abs(corr[a, b]) > 0.3
    assert np.corrcoef(draws[:, a], draws[:, b])[0, 1] == pytest.approx(corr[a, b], abs=0.08)
    independent = latin_hypercube(factors, 4000, seed=2)
    assert abs(np.corrcoef(independent[:, a], independent[:, b])[0, 1]) < 0.05


def test_the_vectorised_ensemble_equals_single_runs(m, factors):
    draws = latin_hypercube(factors, 6, seed=11)
    lever = m.lever("fiscal_st_growth_rate")
    growth = np.linspace(lever.low, lever.high, 6)
    columns = {f.name: draws[:, j] for j, f in enumerate(factors)}
    columns["fiscal_st_growth_rate"] = growth
    years, values = run_columns(Case(REGION), columns)
    assert list(years) == list(range(m.initial_year, m.final_year + 1))
    for k in range(6):
        params = {f.name: float(draws[k, j]) for j, f in enumerate(factors)}
        single = innosim.simulate(REGION, levers={"fiscal_st_growth_rate": float(growth[k])}, parameters=params)
        np.testing.assert_allclose(values[k], _indicator_array(m, single), rtol=1e-9, atol=1e-9)


def test_an_ensemble_member_equals_the_pysd_run_of_the_same_mdl(m, factors):
    draws = latin_hypercube(factors, 2, seed=5)
    years, values = run_columns(Case(REGION), {f.name: draws[:, j] for j, f in enumerate(factors)})
    params = {f.name: float(draws[1, j]) for j, f in enumerate(factors)}
    reference = innosim.simulate(REGION, parameters=params, engine="pysd")
    np.testing.assert_allclose(values[1], _indicator_array(m, reference), rtol=1e-9, atol=1e-9)


def test_bands_are_ordered_and_probabilities_are_shares():
    result = montecarlo(Case(REGION), n=300, seed=1, executor=Executor(1))
    q = result.bands[[f"p{p}" for p in PERCENTILES]].to_numpy()
    assert (np.diff(q, axis=1) >= -1e-12).all()
    assert len(result.bands) == 21 * len(data.indicators())     # 2015-2035
    probs = result.probabilities
    modelled = [t for t in data.targets() if t.region == REGION and t.modelled and t.year <= 2035]
    assert len(probs) == len(modelled)
    assert probs.probability.between(0, 1).all()
    # a share of 300 runs is a multiple of 1/300
    assert np.allclose(probs.probability * 300, np.round(probs.probability * 300))
    assert ((probs.p5 <= probs["median"]) & (probs["median"] <= probs.p95)).all()


def test_the_same_seed_gives_the_same_result_and_another_seed_another():
    a = montecarlo(Case(REGION), n=200, seed=7, executor=Executor(1), keep_values=True)
    b = montecarlo(Case(REGION), n=200, seed=7, executor=Executor(1), keep_values=True)
    c = montecarlo(Case(REGION), n=200, seed=8, executor=Executor(1), keep_values=True)
    assert np.array_equal(a.values, b.values)
    assert a.probabilities.equals(b.probabilities)
    assert not np.array_equal(a.values, c.values)


def test_probabilities_converge_as_the_sample_grows():
    def chance(n, seed):
        p = montecarlo(Case(REGION), n=n, seed=seed, executor=Executor(1)).probabilities
        return p[(p.indicator == "rd_intensity") & (p.year == 2027)].probability.iloc[0]

    reference = chance(4000, 99)
    assert 0.05 < reference < 0.95          # a target whose outcome is genuinely uncertain
    small = np.array([chance(40, s) for s in range(6)])
    large = np.array([chance(1000, s) for s in range(6)])
    assert np.abs(large - reference).max() < 0.05
    assert np.abs(large - reference).mean() < np.abs(small - reference).mean()
    assert large.std() < small.std()


def test_more_fiscal_money_raises_the_chance_of_the_rd_target_until_the_fiscal_ceiling_binds():
    from innosim.core.scenarios import Scenario

    def chance(growth):
        sc = Scenario("g", "g", "g", (REGION,), {"fiscal_st_growth_rate": growth})
        p = montecarlo(sc.case(REGION), n=200, seed=3, executor=Executor(1)).probabilities
        return p[(p.indicator == "rd_intensity") & (p.year == 2027)].probability.iloc[0]

    # Below the fiscal ceiling more money raises the chance; from 2027 the ceiling binds (S&T and talent
    # together at 16 % of revenue), so more S&T growth is cut to it and takes room from talent spending.
    assert chance(0.0) < chance(0.05) <= chance(0.10)
    runs = {g: innosim.load().run(Case(REGION, {"fiscal_st_growth_rate": g}, final_year=2027)) for g in (0.15, 0.25)}
    ceiling = innosim.load().file_defaults["maximum_innovation_share_of_revenue"]
    assert all(r.loc[2027, "fiscal_innovation_burden"] == pytest.approx(ceiling) for r in runs.values())
    assert runs[0.25].loc[2027, "fiscal_talent_spending"] < runs[0.15].loc[2027, "fiscal_talent_spending"]
    assert abs(chance(0.25) - chance(0.15)) <= 0.02                  # at the ceiling the lever barely acts


def test_chunks_cover_every_run_once():
    for n in (1, 499, 500, 501, 1200, 4096):
        parts = chunks(n)
        assert parts[0].start == 0 and parts[-1].stop == n
        assert all(a.stop == b.start for a, b in zip(parts, parts[1:]))


def test_a_process_pool_gives_the_same_result_as_one_process():
    one = montecarlo(Case(REGION), n=1100, seed=4, executor=Executor(1), keep_values=True)
    two = montecarlo(Case(REGION), n=1100, seed=4, executor=Executor(2), keep_values=True)
    assert len(chunks(1100)) > 1
    assert one.excluded == 0 and np.isfinite(one.values).all()
    assert np.array_equal(one.values, two.values)


def test_the_dask_path_matches_the_local_path():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) \
            as cluster:
        on_dask = montecarlo(Case(REGION), n=1100, seed=4, executor=Executor(dask=cluster.scheduler_address),
                             keep_values=True)
    local = montecarlo(Case(REGION), n=1100, seed=4, executor=Executor(2), keep_values=True)
    assert on_dask.executor.startswith("dask cluster")
    assert np.array_equal(on_dask.values, local.values)
    assert on_dask.probabilities.equals(local.probabilities)


# --- global sensitivity ---

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


def ishigami_analytic(a: float = 7.0, b: float = 0.1):
    """Ishigami and Homma (1990): the variances in closed form."""
    v1 = 0.5 * (1 + b * np.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_sobol_indices_match_the_ishigami_function():
    s1, st = ishigami_analytic()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=1e-3)   # the published values
    table = sobol(ISHIGAMI, ishigami, 4096, seed=1, outputs=["y"])
    np.testing.assert_allclose(table.S1, s1, atol=0.03)
    np.testing.assert_allclose(table.ST, st, atol=0.03)
    assert (table.S1_conf > 0).all() and (table.ST_conf > 0).all()
    # the intervals are honest: each covers the analytic value (with some slack for the bootstrap)
    assert (np.abs(table.ST - st) <= 2 * table.ST_conf + 0.01).all()


def test_morris_ranks_a_linear_function_by_its_slopes():
    prob = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    table = morris(prob, lambda X: X @ np.array([5.0, 1.0, 0.0]), 20, seed=2, outputs=["y"])
    np.testing.assert_allclose(table.mu_star, [5.0, 1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(table.sigma, 0, atol=1e-9)


def test_model_sensitivity_finds_the_lever_that_drives_an_output():
    result = model_sensitivity(Case(REGION), factor_set="levers", n=64, seed=1, executor=Executor(1),
                               outputs=[("basic_research_share", 2028), ("top_talent", 2027)])
    st = result.indices.set_index(["output", "factor"]).ST
    basic = st["basic_research_share@2028"]
    assert basic.idxmax() in {"basic_research_share_of_public_rd", "public_research_share"}
    assert abs(basic["skills_training_share"]) < 0.02          # training money does not reach basic research
    assert st["top_talent@2027"].idxmax() in {"top_talent_programme_share", "talent_attraction_multiplier"}
    assert result.runs == 64 * (len(result.factors) + 2)
    assert {f.name for f in result.factors} == {f.name for f in lever_factors()} - {
        "fiscal_st_growth_rule", "fiscal_talent_growth_rule"}


def test_sensitivity_bounds_keep_calibrated_factors_near_their_fit(factors):
    prob = problem(factors)
    for f, (low, high) in zip(factors, prob["bounds"]):
        assert f.low <= low < high <= f.high
        if f.kind == "normal":
            assert low <= f.mean <= high


def test_sensitivity_of_a_short_run_keeps_to_the_targets_within_it():
    from innosim.core.scenarios import Scenario

    short = Scenario("short", "short", "short", (REGION,), end_year=2026)
    result = model_sensitivity(short.case(REGION), n=8, seed=1, executor=Executor(1))
    years = {int(o.split("@")[1]) for o in result.indices.output}
    assert years == {2025}
    with pytest.raises(innosim.InputError, match="beyond the run"):
        model_sensitivity(short.case(REGION), n=8, executor=Executor(1), outputs=[("rd_intensity", 2027)])


def test_bad_requests_are_input_errors():
    with pytest.raises(innosim.InputError, match="samples 1"):
        montecarlo(Case(REGION), n=1)
    with pytest.raises(innosim.InputError, match="method"):
        model_sensitivity(Case(REGION), method="fast")


def test_every_draw_is_centred_on_the_value_the_central_run_uses(m, factors):
    """The median of every drawn parameter is its point estimate (issue 11): truncation at a literature bound
    is applied to each side of the centre separately, so it never moves the median."""
    constants, _, _ = inputs_of(m, REGION)
    draws = latin_hypercube(factors, 2001, seed=4)
    for j, f in enumerate(factors):
        assert f.mean == pytest.approx(constants.get(f.name, m.file_defaults[f.name]), rel=1e-12), f.name
        assert float(f.from_unit(np.array([0.5]))[0]) == pytest.approx(f.mean, rel=1e-12, abs=1e-15), f.name
        assert np.median(draws[:, j]) == pytest.approx(f.mean, rel=0.02, abs=1e-3 * (f.high - f.low)), f.name
        below = np.mean(draws[:, j] < f.mean)
        assert 0.45 < below < 0.55, f.name


@pytest.mark.parametrize("region", ["ningbo", "cixi", "yuyao"])
def test_the_central_run_lies_inside_the_middle_half_of_the_ensemble(m, region):
    result = montecarlo(Case(region), n=400, seed=3, executor=Executor(1))
    central = _indicator_array(m, m.project(Case(region)))
    years = list(range(m.initial_year, m.final_year + 1))
    names = [i.indicator for i in data.indicators()]
    bands = result.bands.set_index(["indicator", "year"])
    for ind in data.indicators():
        if not ind.headline:
            continue
        for year in (2027, 2030, 2035):
            row = bands.loc[(ind.indicator, year)]
            value = central[years.index(year), names.index(ind.indicator)]
            spread = max(row.p75 - row.p25, 1e-9 * abs(value))
            assert row.p25 - 1e-9 * spread <= value <= row.p75 + 1e-9 * spread, (region, ind.indicator, year,
                                                                               row.p25, value, row.p75)
