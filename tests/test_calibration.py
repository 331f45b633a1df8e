"""Calibration: parameter recovery, determinism, reports, held-out years and bad input."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest
from helpers import inputs_of, project_case, run_case  # noqa: F401

from innosim.calibration.evaluate import Evaluator
from innosim.calibration.fit import fit_history
from innosim.calibration.inputs import CalibrationError, Observation, load_history, load_spec
from innosim.calibration.report import SECTIONS_HISTORY, SECTIONS_PLAN
from innosim.calibration.run import calibrate
from innosim.calibration.stats import mape, r_squared, theil
from innosim.paths import shipped_sets_dir

TRUE = {"other_tfp_growth_rate": 0.032, "private_desired_rd_intensity_2020": 0.0075,
        "baseline_rd_ambition_growth": 0.035, "sme_graduation_rate": 0.065, "grant_ratio": 0.31}


@pytest.fixture(scope="module")
def spec():
    return load_spec()


def synthetic_history(spec, truth: dict, noise: float, seed: int) -> list[Observation]:
    """Observations made by the model itself with known parameters, plus seeded noise."""
    series = {"gdp": range(2021, 2026), "real_gdp_growth": range(2021, 2026), "rd_intensity": range(2021, 2026),
              "enterprise_rd_expense": range(2021, 2026), "hightech_enterprises": range(2021, 2026),
              "invention_grants": range(2021, 2025), "valid_invention_patents": range(2021, 2026)}
    template = [Observation("ningbo", name, year, "=", 1.0, "", "high", "synthetic", "synthetic")
                for name, years in series.items() for year in years]
    levers = {}
    ev = Evaluator("ningbo", spec, list(truth), template, 2026, levers, "none")
    exact = ev.predictions(ev.simulate(np.array(list(truth.values()))))
    rng = np.random.default_rng(seed)
    out = []
    for obs, value in zip(template, exact):
        if spec.series[obs.series].transform == "growth":
            noisy = value + rng.normal(0, 0.1)
        else:
            noisy = value * (1 + rng.normal(0, noise))
        out.append(dataclasses.replace(obs, value=float(noisy)))
    return out


def test_parameter_recovery(spec):
    """Simulate with known values, add 0.5 % noise, fit, and get them back."""
    observations = synthetic_history(spec, TRUE, noise=0.005, seed=7)
    # No model error and a weak prior: the test is of the fitting machinery, not of the priors.
    weak = dataclasses.replace(spec, prior_sd_share=100.0, model_error={})
    result = fit_history("ningbo", weak, observations)
    fitted = {p.name: p for p in result.parameters}
    for name, true in TRUE.items():
        p = fitted[name]
        assert abs(p.value - true) <= max(3 * p.se, 0.05 * abs(true)), (name, p.value, true, p.se)
    assert result.identified


def test_same_inputs_give_the_same_result(spec):
    history = load_history()
    a = fit_history("cixi", spec, history)
    b = fit_history("cixi", spec, history)
    assert [p.value for p in a.parameters] == [p.value for p in b.parameters]
    assert a.cost == b.cost


def test_history_report_renders_every_section(tmp_path, spec):
    run = calibrate("ningbo", "history", holdout_from=2024, report=tmp_path, save=False)
    md = (tmp_path / "history" / "ningbo-holdout-2024.md").read_text(encoding="utf-8")
    html = (tmp_path / "history" / "ningbo-holdout-2024.html").read_text(encoding="utf-8")
    for section in SECTIONS_HISTORY:
        assert f"## {section}" in md and f"<h2>{section}</h2>" in html, section
    assert "<svg" in html and list((tmp_path / "history").glob("ningbo-*.svg"))
    assert "MAPE" in md and "U^C" in md and "literature range" in md
    assert run.result.holdout, "2024 and 2025 observations are held out"
    assert "Fitted on observations before 2024" in md
    assert run.set_path is None


def test_holdout_never_replaces_the_saved_set(tmp_path):
    path = shipped_sets_dir() / "history" / "cixi.json"
    before = path.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "innosim", "calibrate", "--region", "cixi", "--mode", "history",
                           "--holdout-from", "2023", "--report", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "stage" in proc.stderr                      # progress is shown
    assert path.read_bytes() == before
    assert (tmp_path / "history" / "cixi-holdout-2023.html").exists()


def test_plan_report_renders_every_section(tmp_path):
    run = calibrate("yuyao", "plan", report=tmp_path, save=False)
    md = (tmp_path / "plan" / "yuyao.md").read_text(encoding="utf-8")
    for section in SECTIONS_PLAN:
        assert f"## {section}" in md, section
    verdicts = {o.verdict for o in run.result.targets}
    assert verdicts <= {"met on the evidence", "met if the parameters move",
                        "reachable alone, not with the others", "cannot be met within the literature ranges"}
    for p in run.result.parameters:
        assert p.low - 1e-12 <= p.value <= p.high + 1e-12
    for o in run.result.targets:
        if o.verdict == "cannot be met within the literature ranges":
            assert o.shortfall(o.best_alone) > 0


def test_saved_sets_carry_their_provenance_and_runs_use_history_by_default(m):
    for region in m.regions:
        record = json.loads((shipped_sets_dir() / "history" / f"{region}.json").read_text(encoding="utf-8"))
        prov = record["provenance"]
        for key in ("history_sha256", "spec_sha256", "model_sha256", "created", "data_cost", "fit"):
            assert key in prov, key
        name, value = next(iter(record["parameters"].items()))
        run = run_case(m, region, saveper=1)
        assert inputs_of(m, region)[0][name] == value
        assert not np.array_equal(run.to_numpy(), run_case(m, region, parameter_set="none").to_numpy())


def _write_spec(tmp_path, text):
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = """[confidence]\nhigh = 0.03\nmedium = 0.06\nlow = 0.12\n[confidence_points]\nhigh = 0.5\nmedium = 0.8\nlow = 1.2\n
[[series]]\nname = "gdp"\nvariable = "nominal_gdp"\n[[series]]\nname = "real_gdp_growth"\nvariable = "real_gdp"\ntransform = "growth"\n"""
SERIES_REST = "".join(f'[[series]]\nname = "{n}"\nvariable = "{v}"\n' for n, v in [
    ("rd_intensity", "rd_intensity"), ("rd_expenditure_growth", "total_rd_expenditure"),
    ("enterprise_rd_expense", "enterprise_rd_expense"), ("industrial_revenue", "industrial_revenue"),
    ("hightech_enterprises", "hightech_enterprises"), ("new_certifications", "new_certifications"),
    ("hightech_share", "hightech_share"), ("valid_invention_patents", "valid_invention_patents"),
    ("invention_grants", "invention_grants"), ("digital_economy_va", "digital_economy_value_added"),
    ("general_budget_revenue", "general_budget_revenue"), ("population", "resident_population"),
    ("top_talent_recruitment", "top_talent_recruitment"), ("high_skill_upgrading", "high_skill_upgrading"),
    ("graduate_inflow", "graduate_inflow")])


@pytest.mark.parametrize("extra, message", [
    ('[[stage]]\nname = "x"\nseries = ["gdp"]\nparameters = ["no_such_parameter"]\n', "no_such_parameter"),
    ('[[stage]]\nname = "x"\nseries = ["gdp"]\nparameters = ["fiscal_st_growth_rate"]\n', "lever"),
    ('[bounds.capital_share]\nlow = 0.5\nhigh = 0.3\nsource = "x"\n', "min must be below max"),
    ('[bounds.capital_share]\nlow = 0.2\nhigh = 0.3\n', "needs a source"),
    ('[[series]]\nname = "rd_personnel"\nvariable = "rd_personnel"\n'
     '[[stage]]\nname = "x"\nseries = ["rd_personnel"]\nparameters = []\n', "has no data"),
    ('[[series]]\nname = "odd"\nvariable = "no_variable"\n', "not a model variable"),
])
def test_bad_calibration_input_gets_a_clear_error(tmp_path, extra, message):
    path = _write_spec(tmp_path, BASE + SERIES_REST + extra)
    with pytest.raises(CalibrationError) as err:
        load_spec(path)
    text = str(err.value)
    assert message in text and "spec.toml" in text and len(text.splitlines()) == 1


def test_statistics_on_known_cases():
    observed = np.array([1.0, 2.0, 3.0, 4.0])
    assert mape(observed * 1.1, observed) == pytest.approx(10.0)
    assert r_squared(observed, observed) == 1.0
    biased = theil(observed + 1, observed)
    assert biased["um"] == pytest.approx(1.0) and biased["uc"] == pytest.approx(0.0, abs=1e-12)
    stretched = theil(2 * observed - observed.mean(), observed)
    assert stretched["us"] == pytest.approx(1.0)
    noisy = theil(observed + np.array([0.1, -0.1, 0.1, -0.1]), observed)
    assert noisy["uc"] > 0.5
    for case in (biased, stretched, noisy):
        assert case["um"] + case["us"] + case["uc"] == pytest.approx(1.0)
