"""The Excel workbook for reports: projections, scorecard, scenario inputs, long data and metadata.

Sheet and column names are bilingual (Chinese first). Headers are frozen,
units are shown, and numbers are formatted by unit.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from innosim.core import data
from innosim.core.tables import SCORECARD_COLUMNS, check_unique
from innosim.files import atomic_path

SHEETS = {"projections": "预测 Projections", "scorecard": "目标 Scorecard", "inputs": "情景 Inputs",
          "long": "数据 Long data", "metadata": "元数据 Metadata"}
NUMBER_FORMATS = {"%": "0.00", "万元/人": "0.00", "倍": "0.00", "人年/万人": "0.0", "件/万人": "0.0",
                  "亿元": "#,##0.0", "亿元(2015年价)": "#,##0.0", "万人": "#,##0.0"}
COUNT_FORMAT = "#,##0"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
MET_FILL = PatternFill("solid", fgColor="C6EFCE")
MISSED_FILL = PatternFill("solid", fgColor="FFC7CE")
SCORECARD_HEADERS = {
    "scenario": "情景 Scenario", "region": "地区 Region", "indicator": "指标代码 Indicator id", "label_zh": "指标",
    "label_en": "Indicator", "year": "年份 Year", "comparator": "比较 Comparator", "target": "目标值 Target",
    "unit": "单位 Unit", "kind": "类型 Kind", "base_year": "基年 Base year", "base_value": "基年值 Base value",
    "projected_value": "预测值 Projected value", "projected": "判定值 Judged value", "gap": "差距 Gap",
    "met": "达成 Met", "first_year_met": "首次达成年份 First year met", "status": "状态 Status",
    "base_estimated": "基期为估计值 Base estimated", "momentum": "无新政策 Momentum",
    "momentum_met": "无新政策下达成 Met by momentum", "policy_adds": "政策增量 Policy adds",
    "official": "公布值 Official", "official_kind": "公布值类型 Official kind",
    "official_status": "按公布值 Official verdict", "judged_on": "判定依据 Judged on", "verdict": "结论 Verdict",
    "official_source": "公布值来源 Official source",
    "document": "文件 Document", "clause": "条款 Clause", "original": "原文 Original",
}
INPUT_HEADERS = {"scenario": "情景 Scenario", "name": "名称 Name", "description": "问题 Question",
                 "regions": "地区 Regions", "kind": "类型 Kind", "key": "杠杆/参数 Lever or parameter",
                 "value": "取值 Value", "unit": "单位 Unit", "plan_values": "规划值 Plan values"}


def number_format(unit: str) -> str:
    return NUMBER_FORMATS.get(unit, COUNT_FORMAT)


def projections_sheet(long: pd.DataFrame) -> pd.DataFrame:
    """Report layout: one row per scenario, region and indicator; years as columns."""
    labels = {i.indicator: i for i in data.indicators()}
    wide = check_unique(long).pivot_table(index=["scenario", "region", "indicator"], columns="year", values="value",
                                          sort=False)
    wide = wide.reset_index()
    wide.insert(2, "地区", wide["region"].map(lambda r: data.REGION_LABELS[r]["zh"]))
    wide.insert(4, "指标", wide["indicator"].map(lambda i: labels[i].label_zh))
    wide.insert(5, "Indicator", wide["indicator"].map(lambda i: labels[i].label_en))
    wide.insert(6, "单位 Unit", wide["indicator"].map(lambda i: labels[i].unit))
    wide = wide.rename(columns={"scenario": "情景 Scenario", "region": "Region", "indicator": "指标代码 Indicator id"})
    wide.columns = [str(c) for c in wide.columns]
    return wide


def _metadata_frame(meta: dict) -> pd.DataFrame:
    """The metadata record as a key/value sheet (nested values as JSON)."""
    return pd.DataFrame({"key 键": list(meta), "value 值": [
        v if isinstance(v, (str, int, float)) else json.dumps(v, ensure_ascii=False) for v in meta.values()]})


def _as_text(book) -> None:
    """No cell is a live formula: text that begins with = + - @ (a scenario named "=HYPERLINK(...)") stays text."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def _style_header(ws, widths: dict[int, float] | None = None) -> None:
    ws.freeze_panes = "A2"
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for idx, col in enumerate(ws.iter_cols(min_row=1, max_row=1), start=1):
        width = (widths or {}).get(idx) or min(40, max(10, len(str(col[0].value or "")) + 2))
        ws.column_dimensions[get_column_letter(idx)].width = width


def write_workbook(path: Path, long: pd.DataFrame, scorecard: pd.DataFrame, inputs: pd.DataFrame,
                   meta: dict) -> Path:
    """Write the report workbook atomically."""
    projections = projections_sheet(long)
    score = scorecard[SCORECARD_COLUMNS].rename(columns=SCORECARD_HEADERS)
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            projections.to_excel(writer, sheet_name=SHEETS["projections"], index=False)
            score.to_excel(writer, sheet_name=SHEETS["scorecard"], index=False)
            inputs.rename(columns=INPUT_HEADERS).to_excel(writer, sheet_name=SHEETS["inputs"], index=False)
            long.to_excel(writer, sheet_name=SHEETS["long"], index=False)
            _metadata_frame(meta).to_excel(writer, sheet_name=SHEETS["metadata"], index=False)
            _format(writer.book, projections, score)
            _as_text(writer.book)
    return Path(path)


def _format(book, projections: pd.DataFrame, score: pd.DataFrame) -> None:
    ws = book[SHEETS["projections"]]
    _style_header(ws, {1: 14, 2: 9, 3: 9, 4: 24, 5: 30, 6: 34, 7: 11})
    ws.freeze_panes = "H2"
    units = projections["单位 Unit"].tolist()
    for row_idx, unit in enumerate(units, start=2):
        fmt = number_format(unit)
        for col in range(8, ws.max_column + 1):
            ws.cell(row=row_idx, column=col).number_format = fmt

    ws = book[SHEETS["scorecard"]]
    _style_header(ws, {1: 14, 2: 9, 3: 24, 4: 28, 5: 32, 20: 26, 21: 60})
    ws.freeze_panes = "D2"
    status_col = list(score.columns).index("状态 Status") + 1
    number_cols = [list(score.columns).index(c) + 1 for c in
                   ("目标值 Target", "基年值 Base value", "预测值 Projected value", "判定值 Judged value", "差距 Gap")]
    unit_col = list(score.columns).index("单位 Unit") + 1
    for row in range(2, ws.max_row + 1):
        status = ws.cell(row=row, column=status_col)
        if status.value == "met":
            status.fill = MET_FILL
        elif status.value == "missed":
            status.fill = MISSED_FILL
        fmt = "0.00" if ws.cell(row=row, column=unit_col).value in ("%", "倍", "万元/人") else "#,##0.00"
        for col in number_cols:
            ws.cell(row=row, column=col).number_format = fmt

    _style_header(book[SHEETS["inputs"]], {3: 60, 6: 30, 7: 28, 9: 30})
    _style_header(book[SHEETS["long"]], {4: 28})
    _style_header(book[SHEETS["metadata"]], {1: 22, 2: 90})


def write_sheets(path: Path, tables: dict[str, pd.DataFrame], meta: dict) -> Path:
    """A workbook of plain tables (one sheet each, frozen header) and the metadata sheet."""
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, table in tables.items():
                table.to_excel(writer, sheet_name=name[:31], index=False)
            _metadata_frame(meta).to_excel(writer, sheet_name=SHEETS["metadata"], index=False)
            for ws in writer.book.worksheets:
                _style_header(ws)
            _as_text(writer.book)
    return Path(path)
