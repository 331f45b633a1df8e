"""The planner app, driven headless with streamlit.testing.v1.AppTest."""
from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from apphelpers import FISCAL, app, chart_value, score, slider

import innosim
from innosim.app import compute, i18n, state
from innosim.core import data


@pytest.fixture(scope="module")
def fresh():
    return app()


def test_the_app_opens_with_the_plan_in_chinese(fresh):
    assert fresh.title[0].value == i18n.t("title", "zh")
    labels = [s.label for s in fresh.slider]
    assert any(label.startswith(FISCAL) for label in labels)
    now, plan = score(fresh, data.indicator("rd_intensity").label_zh, 2027)
    assert now == plan
    assert fresh.session_state["_rerun_seconds"] > 0


def test_moving_a_slider_changes_scorecard_and_chart_in_the_expected_direction():
    at = app()
    label = data.indicator("rd_intensity").label_zh
    before, plan = score(at, label, 2027)
    chart_before = chart_value(at, "rd_intensity", 2027, i18n.t("current", "zh"))
    slider(at, FISCAL).set_value(8.0).run()
    after, plan_after = score(at, label, 2027)
    assert after < before and plan_after == plan
    assert chart_value(at, "rd_intensity", 2027, i18n.t("current", "zh")) < chart_before
    assert chart_value(at, "rd_intensity", 2025, i18n.t("current", "zh")) == \
        chart_value(at, "rd_intensity", 2025, i18n.t("plan", "zh"))          # 2025 is observed: it cannot move
    assert at.session_state["overrides"] == {"fiscal_st_growth_rate": 0.08}
    slider(at, FISCAL).set_value(25.0).run()
    assert score(at, label, 2027)[0] > before


def test_switching_language_changes_the_labels():
    at = app()
    at.button_group[0].set_value("en").run()
    assert at.title[0].value == i18n.t("title", "en")
    assert any(s.label.startswith("Fiscal S&T spending growth") for s in at.slider)
    assert data.indicator("rd_intensity").label_en in set(at.dataframe[0].value.iloc[:, 0])
    assert at.selectbox(key="region").label == "Region"


def test_region_and_scenario_pickers_and_reset():
    at = app()
    at.selectbox(key="region").set_value("cixi").run()
    assert score(at, data.indicator("rd_intensity").label_zh, 2025)
    scenario_box = next(s for s in at.selectbox if s.label == i18n.t("scenario", "zh"))
    scenario_box.set_value("talent_squeeze.toml").run()
    assert at.session_state["overrides"] == {"talent_attraction_multiplier": {2026: 0.5}}
    assert any("人才紧缩" in m.value for m in at.markdown)
    slider(at, FISCAL).set_value(5.0).run()
    next(b for b in at.button if b.label == i18n.t("reset", "zh")).click().run()
    assert at.session_state["overrides"] == {"talent_attraction_multiplier": {2026: 0.5}}


def test_two_sessions_never_see_each_others_results():
    first, second = app(), app()
    slider(first, FISCAL).set_value(5.0).run()
    slider(second, FISCAL).set_value(30.0).run()
    first.run()
    label = data.indicator("rd_intensity").label_zh
    low, high = score(first, label, 2027)[0], score(second, label, 2027)[0]
    assert low < high
    assert first.session_state["overrides"] == {"fiscal_st_growth_rate": 0.05}
    assert second.session_state["overrides"] == {"fiscal_st_growth_rate": 0.3}


def test_a_bad_upload_gets_a_message_and_the_app_keeps_working():
    at = app()
    at.file_uploader[0].set_value(("bad.toml", b"name = 'x'\n[levers]\nfiscal_st_growth_rate = 0.9\n",
                                   "application/toml")).run()
    assert not at.exception
    assert any(i18n.t("upload_error", "zh") in e.value and "bad.toml" in e.value for e in at.error)
    slider(at, FISCAL).set_value(10.0).run()
    assert not at.exception and at.session_state["overrides"] == {"fiscal_st_growth_rate": 0.1}


def test_uploading_code_does_not_run_it(tmp_path):
    at = app()
    marker = tmp_path / "ran"
    payload = f"import os; open({str(marker)!r}, 'w')".encode()
    at.file_uploader[0].set_value(("evil.toml", payload, "application/toml")).run()
    assert not marker.exists() and not at.exception
    assert any("not valid TOML" in e.value for e in at.error)


def test_a_good_upload_sets_the_levers():
    at = app()
    text = (b'name = "Uploaded"\ndescription = "What if?"\nregions = ["ningbo"]\n'
            b'[levers]\nfiscal_st_growth_rate = { 2028 = 0.06 }\n')
    at.file_uploader[0].set_value(("mine.toml", text, "application/toml")).run()
    assert at.session_state["overrides"] == {"fiscal_st_growth_rate": {2028: 0.06}}
    assert any("Uploaded" in s.value for s in at.success)


def test_an_uploaded_scenarios_run_settings_are_kept(tmp_path):
    at = app()
    text = (b'name = "Plan parameters"\ndescription = "What if the plan set holds?"\nregions = ["ningbo"]\n'
            b'[levers]\nfiscal_st_growth_rate = 0.12\n[run]\nparameter_set = "plan"\nend_year = 2030\n')
    at.file_uploader[0].set_value(("run.toml", text, "application/toml")).run()
    assert not at.exception
    ss = at.session_state
    assert ss["run"] == {"parameter_set": "plan", "end_year": 2030}
    path = tmp_path / "run.toml"
    path.write_bytes(text)
    expected = innosim.simulate("ningbo", innosim.load_scenario(path))
    in_app = ss["current_table"]
    assert in_app.year.max() == 2030 and len(in_app) == len(expected)
    assert (abs(in_app.value.to_numpy() - expected.value.to_numpy()) <= 1e-12 * abs(expected.value.to_numpy())).all()
    # not the history set: the plan set moves the projection
    assert not np.allclose(in_app.value, innosim.simulate("ningbo", levers={"fiscal_st_growth_rate": 0.12},
                                                        parameters={}).query("year <= 2030").value)
    toml_text = state.settings_toml("ningbo", ss["scenario_name"], ss["scenario_description"], ss["overrides"],
                                    ss["parameters"], ss["run"])
    again = tmp_path / "again.toml"
    again.write_text(toml_text, encoding="utf-8")
    back = innosim.load_scenario(again)
    assert back.parameter_set == "plan" and back.end_year == 2030


def test_downloads_are_valid_and_the_scenario_round_trips_through_the_command_line(tmp_path):
    at = app()
    slider(at, FISCAL).set_value(10.0).run()
    labels = [b.label for b in at.download_button]
    assert labels == [i18n.t(k, "zh") for k in ("download_csv", "download_xlsx", "download_toml")]
    ss = at.session_state
    overrides, parameters = ss["overrides"], ss["parameters"]
    toml_text = state.settings_toml("ningbo", ss["scenario_name"], ss["scenario_description"], overrides, parameters)
    path = tmp_path / "settings.toml"
    path.write_text(toml_text, encoding="utf-8")
    out = tmp_path / "run.csv"
    proc = subprocess.run([sys.executable, "-m", "innosim", "run", str(path), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    from_cli = pd.read_csv(out, encoding="utf-8-sig")
    in_app = ss["current_table"]
    assert len(from_cli) == len(in_app)
    assert (abs(from_cli["value"].to_numpy() - in_app["value"].to_numpy())
            <= 1e-9 * abs(in_app["value"].to_numpy()) + 1e-12).all()
    scenario = state.current_scenario("ningbo", ss["scenario_name"], "", overrides, parameters)
    table = pd.concat([in_app, innosim.simulate("ningbo")], ignore_index=True)
    csv = compute.report_bytes("csv", "ningbo", table, scenario)
    assert pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig").shape[0] == len(table)
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(compute.report_bytes("xlsx", "ningbo", table, scenario)))
    assert "目标 Scorecard" in book.sheetnames


def test_saving_scenarios_for_comparison():
    at = app()
    next(b for b in at.button if b.label == i18n.t("save", "zh")).click().run()
    slider(at, FISCAL).set_value(8.0).run()
    at.text_input[0].set_value("八个点").run()
    next(b for b in at.button if b.label == i18n.t("save", "zh")).click().run()
    assert [s["name"] for s in at.session_state["saved"]] == ["规划情景", "八个点"]
    assert not at.exception


def _model_page():
    from innosim.app import model_page

    model_page.page()


def _calibration_page():
    from innosim.app import calibration_page

    calibration_page.page()


@pytest.mark.parametrize("page", [_model_page, _calibration_page])
def test_understanding_pages_render(page):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(page, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    assert at.dataframe, "the page shows its tables"


def test_every_lever_sector_and_label_is_translated(m):
    for lever in m.levers:
        assert lever.id in i18n.LEVERS and lever.id in i18n.LEVER_HELP_ZH, lever.id
        assert i18n.lever_label(lever, "zh") and i18n.lever_label(lever, "en")
    for sector in {v.sector for v in m.variables.values()}:
        assert sector in i18n.SECTORS, sector
    for key, (zh, en) in i18n.TEXT.items():
        assert zh and en, key
