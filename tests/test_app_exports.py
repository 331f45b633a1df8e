"""The comparison, the downloads for a report, and uploads, driven through the app (AppTest).

The files are read back the way a planner's program would: CSV with pandas,
the workbook with openpyxl, the brief with python-docx, the scenario file
with the command line's own reader.
"""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from apphelpers import FISCAL, app, slider, texts

import innosim
from innosim.app import i18n
from innosim.core import data


def _save(at, name: str):
    box = next(t for t in at.text_input if t.key.startswith("w-save-name"))
    box.set_value(name).run()
    at.button(key="w-save").click().run()
    return at


# ---- 2. a comparison that keeps its word -------------------------------------------------------------

def test_each_saved_entry_keeps_its_name_names_are_unique_and_the_comparison_exports(tmp_path):
    at = app()
    _save(at, "规划照旧")
    at.selectbox(key="w-scenario-zh").set_value("talent_squeeze.toml").run()
    assert next(t for t in at.text_input if t.key.startswith("w-save-name")).value == "人才紧缩"   # not the last name
    _save(at, "人才紧缩")
    at.selectbox(key="w-scenario-zh").set_value("push_2027.toml").run()
    slider(at, FISCAL).set_value(25.0).run()
    _save(at, "人才紧缩")                                                     # taken: refused, nothing overwritten
    assert any("已有名为“人才紧缩”" in w.value for w in at.warning)
    _save(at, "2027冲刺 加码")
    saved = at.session_state["s_saved"]
    assert [e["name"] for e in saved] == ["规划照旧", "人才紧缩", "2027冲刺 加码"]
    assert saved[1]["levers"] == {"talent_attraction_multiplier": {2026: 0.5}}
    assert saved[2]["levers"]["fiscal_st_growth_rate"] == 0.25
    table = at.session_state["comparison_table"]
    assert list(table.columns[3:]) == ["规划情景（参照）", "规划照旧", "人才紧缩", "2027冲刺 加码"]
    files = at.session_state["comparison_downloads"]
    csv = pd.read_csv(io.BytesIO(files["csv"]()), encoding="utf-8-sig")
    assert list(dict.fromkeys(csv["情景"])) == ["规划情景（参照）", "规划照旧", "人才紧缩", "2027冲刺 加码"]
    assert set(csv["结论"]) <= {"达成", "未达成"}
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(files["xlsx"]()))
    assert book.sheetnames[:2] == ["比较", "预测"]
    header = [c.value for c in book["比较"][1]]
    assert header[3:] == ["规划情景（参照）", "规划照旧", "人才紧缩", "2027冲刺 加码"]
    squeeze = [r for r in book["预测"].iter_rows(values_only=True) if r[0] == "人才紧缩"]
    plan = [r for r in book["预测"].iter_rows(values_only=True) if r[0] == "规划照旧"]
    assert squeeze and squeeze != plan                                      # the squeeze's own numbers
    at.button(key=[b.key for b in at.button if b.key.startswith("w-remove-1-")][0]).click().run()
    assert [e["name"] for e in at.session_state["s_saved"]] == ["规划照旧", "2027冲刺 加码"]


# ---- 7. exports ready for a report ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def adjusted():
    at = app()
    slider(at, FISCAL).set_value(8.0).run()
    slider(at, "科技经费中企业支持比例").set_value(40.0).run()
    return at


def test_the_projection_csv_is_in_the_chosen_language_rounded_as_shown_and_names_the_scenarios(adjusted):
    frame = pd.read_csv(io.BytesIO(adjusted.session_state["downloads"]["csv"]()), encoding="utf-8-sig")
    assert list(frame.columns[:4]) == ["情景", "地区", "指标", "单位"]
    assert list(dict.fromkeys(frame["情景"])) == ["规划情景（已调整）", "规划情景（参照）"]
    assert data.indicator("rd_intensity").label_zh in set(frame["指标"]) and "rd_intensity" not in frame.to_string()
    values = frame[[c for c in frame.columns if c.isdigit()]].to_numpy().ravel()
    assert all(len(f"{v}".split(".")[-1]) <= 2 for v in values if "." in f"{v}")       # never 16 digits
    at = adjusted
    at.button_group[0].set_value("en").run()
    english = pd.read_csv(io.BytesIO(at.session_state["downloads"]["csv"]()), encoding="utf-8-sig")
    assert list(english.columns[:4]) == ["Scenario", "Region", "Indicator", "Unit"]
    assert "Plan (reference)" in set(english["Scenario"]) and "Ningbo" in set(english["Region"])
    assert "CNY 100m" in set(english["Unit"])
    at.button_group[0].set_value("zh").run()


def test_the_report_workbook_speaks_the_language_and_shows_levers_in_slider_units(adjusted):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(adjusted.session_state["downloads"]["xlsx"]()))
    assert book.sheetnames == ["设置", "目标", "预测", "元数据"]
    settings = {r[0]: r[1:] for r in book["设置"].iter_rows(values_only=True)}
    assert settings["财政科技经费年增长率"] == ("8 %/年", "15 %/年")
    assert settings["科技经费中企业支持比例"] == ("40 %", "35 %")
    assert settings["财政科技经费增长规则"][0] == "固定年增长率"
    score = list(book["目标"].iter_rows(values_only=True))
    header, rows = score[0], score[1:]
    statuses = {r[header.index("结论")] for r in rows}
    assert statuses and all(re.match(r"^[✓✗] (达成|未达成)", s) for s in statuses)
    whole = "\n".join(str(c) for ws in book.worksheets[:3] for r in ws.iter_rows(values_only=True) for c in r)
    for raw in ("_9b4e3ac1528e934b.txt", "1/Year", "Dmnl", "Met", "missed", "rd_intensity"):
        assert raw not in whole, raw
    assert "宁波“315”实施方案" in whole
    judged = [r[header.index("判定值")] for r in rows if isinstance(r[header.index("判定值")], float)]
    assert judged and all(round(v, 2) == v for v in judged)


def test_text_that_looks_like_a_formula_is_written_as_text():
    at = app()
    name = next(t for t in at.text_input if t.key.startswith("w-s_report_name-"))
    name.set_value('=HYPERLINK("http://evil.example","x")').run()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(at.session_state["downloads"]["xlsx"]()))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    csv = at.session_state["downloads"]["csv"]().decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv and ",=HYPERLINK" not in csv


def test_the_word_brief_holds_settings_scorecard_charts_and_clauses(adjusted):
    import docx

    document = docx.Document(io.BytesIO(adjusted.session_state["downloads"]["docx"]()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == "情景简报：规划情景（已调整）"
    for title in ("设置", "结论摘要", "目标达成情况", "指标走势", "目标依据（文件条款原文）", "方法说明"):
        assert title in headings, title
    levers, score = document.tables[0], document.tables[1]
    lever_rows = [[c.text for c in row.cells] for row in levers.rows]
    assert ["财政科技经费年增长率", "15 %/年", "8 %/年"] in lever_rows
    assert ["科技经费中企业支持比例", "35 %", "40 %"] in lever_rows
    score_rows = [[c.text for c in row.cells] for row in score.rows]
    assert score_rows[0][:3] == ["指标", "年份", "目标值"]
    assert any(r[0] == data.indicator("rd_intensity").label_zh and r[1] == "2027" for r in score_rows)
    assert len(document.inline_shapes) >= 1                                  # the chart, rendered by vl-convert
    image = document.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert document.part.related_parts[image].blob[:8] == b"\x89PNG\r\n\x1a\n"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "全社会研究与试验发展经费支出占地区生产总值比重达到3.75%" in text          # the clause, verbatim


def test_the_downloaded_scenario_file_carries_the_planners_name_and_runs_from_the_command_line(tmp_path):
    at = app()
    slider(at, FISCAL).set_value(10.0).run()
    next(t for t in at.text_input if t.key.startswith("w-s_report_name-")).set_value("十个点方案").run()
    next(t for t in at.text_input if t.key.startswith("w-s_report_description-")).set_value("财政科技增速降到10%会怎样？").run()
    text = at.session_state["downloads"]["toml"]().decode("utf-8")
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    scenario = innosim.load_scenario(path)
    assert scenario.title("zh") == "十个点方案" and scenario.question("zh") == "财政科技增速降到10%会怎样？"
    assert scenario.levers == {"fiscal_st_growth_rate": 0.1}
    import subprocess
    import sys

    out = tmp_path / "run.csv"
    proc = subprocess.run([sys.executable, "-m", "innosim", "run", str(path), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    from_cli = pd.read_csv(out, encoding="utf-8-sig")
    in_app = at.session_state["current_table"]
    assert len(from_cli) == len(in_app)
    assert (abs(from_cli["value"].to_numpy() - in_app["value"].to_numpy())
            <= 1e-9 * abs(in_app["value"].to_numpy()) + 1e-12).all()


# ---- 11. safe with uploads -------------------------------------------------------------------------

def _upload(at, name: str, text: bytes):
    at.file_uploader(key="w-upload").set_value((name, text, "application/toml")).run()
    return at


def test_an_uploaded_scenarios_name_and_description_show_as_plain_text():
    at = _upload(app(), "mine.toml", b'name = "![x](http://127.0.0.1:9/x.png) [live](http://e.example) <b>b</b>"\n'
                                     b'description = "**bold** www.e.example?"\nregions = ["ningbo"]\n'
                                     b'[levers]\nfiscal_st_growth_rate = 0.1\n')
    assert not at.exception and at.session_state["s_moved"] == {} and at.session_state["s_file"] is None
    shown = [m.value for m in at.markdown if "x.png" in m.value or "bold" in m.value]
    shown += [s.value for s in at.success]
    assert shown
    for body in shown:                              # every Markdown sign escaped: no image, link or markup
        assert not re.search(r"(?<!\\)(\]\(|!\[|<b>|www\.)", body), body
        assert not re.search(r"(?<!\\)\*\*bold", body), body


BAD = [
    (b"name = 'x'\n[levers]\nfiscal_st_growth_rate = 0.9\n", "bad.toml"),
    (b'name = "x"\ndescription = "y?"\n[run]\nend_year = 2021\n', "short.toml"),
    (b'name = "x"\ndescription = "y?"\n[levers]\nfiscal_st_growth_rate = 1e308\n', "huge.toml"),
    (b'name = "x"\ndescription = "y?"\n[parameters]\nknowledge_depreciation_rate = 1e308\n', "overflow.toml"),
    (b'name = "x"\ndescription = "y?"\n[levers]\nenterprise_support_share = 0.7\npublic_research_share = 0.7\n',
     "shares.toml"),
    (b"import os; os.system('echo hi')", "code.toml"),
    (b"\xff\xfe\x00garbage", "binary.toml"),
    (b"a = [" * 5000, "deep.toml"),
]


@pytest.mark.parametrize("text,name", BAD, ids=[n for _, n in BAD])
def test_every_bad_upload_is_one_line_without_a_traceback_and_the_session_recovers(text, name):
    at = _upload(app(), name, text)
    assert not at.exception
    if name == "short.toml" and not at.error:       # a run that ends in 2021 is allowed: it must then work
        assert at.session_state["s_file"] is None and not at.exception
        return
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    line = errors[0]
    assert "\n" not in line and "Traceback" not in line and "/work/" not in line and "site-packages" not in line
    assert name.replace(".", "\\.") in line or name in line
    assert at.session_state["s_file"] == "plan.toml"                     # the settings before it stay
    slider(at, FISCAL).set_value(10.0).run()
    assert not at.exception and at.session_state["s_moved"] == {"ningbo": {"fiscal_st_growth_rate": 0.1}}
    at.button(key="w-reset").click().run()
    assert not at.exception and at.session_state["s_moved"] == {}


def test_uploads_are_capped_at_one_megabyte():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == 1
    at = app()
    assert at.file_uploader(key="w-upload").proto.max_upload_size_mb == 1      # also when served by `innosim app`
    at = _upload(at, "big.toml", b"# " + b"x" * 1_100_000)
    assert len(at.error) == 1 and "1000000" in at.error[0].value.replace("\\", "")


def test_innosim_app_serves_with_the_checkouts_streamlit_settings():
    import tomllib
    from pathlib import Path

    from innosim.cli.main import APP_SETTINGS

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    flags = {f"--{section}.{key}": str(value).lower() if isinstance(value, bool) else str(value)
             for section, options in config.items() for key, value in options.items()}
    assert dict(zip(APP_SETTINGS[::2], APP_SETTINGS[1::2])) == flags


def test_the_page_has_no_streamlit_english_where_it_can_be_set():
    at = app()
    shown = texts(at)
    for word in ("Choose an option", "Select all", "Deploy"):
        assert word not in shown, word
    assert all(m.proto.placeholder in ("请选择", "") for m in at.multiselect)


def test_an_uploaded_counterfactual_runs_from_its_own_policy_from_as_the_command_line_does(tmp_path):
    """A file with `[run] policy_from` (a counterfactual: 5 % since 2021) must give the page the numbers
    `innosim run` gives it; the page once left policy_from out and ran the levers from 2026."""
    from innosim.analysis.batch import simulate
    from innosim.core.scenarios import load_scenario

    text = (b'name = "since 2021"\ndescription = "5 % a year from 2021"\nregions = ["ningbo"]\n'
            b'[levers]\nfiscal_st_growth_rate = 0.05\n[run]\npolicy_from = 2021\n')
    at = _upload(app(), "since2021.toml", text)
    assert not at.exception and at.session_state["s_file"] is None
    (tmp_path / "since2021.toml").write_bytes(text)
    expected = simulate("ningbo", load_scenario(tmp_path / "since2021.toml"))
    shown = at.session_state["current_table"]
    pick = lambda t: float(t[(t.indicator == "rd_intensity") & (t.year == 2024)].value.iloc[0])  # noqa: E731
    assert pick(shown) == pytest.approx(pick(expected), rel=1e-12)
    plain = simulate("ningbo", load_scenario(tmp_path / "since2021.toml").__class__(
        id="x", name="x", description="", regions=("ningbo",), levers={"fiscal_st_growth_rate": 0.05}))
    assert pick(shown) < pick(plain)                    # 5 % from 2021 leaves 2024 below 5 % from 2026
