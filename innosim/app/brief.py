"""The one-click Word brief: settings, headline, scorecard, key charts as images, and the clauses.

Written with python-docx; the charts are the page's own Vega-Lite
specifications, rendered to PNG by vl-convert (no browser needed).  Text is in
the planner's language, numbers as the page rounds them, lever values in the
slider's units.  Chinese text is set in a CJK font (SimSun / 宋体 is on every
Chinese Windows; Word substitutes elsewhere).
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from innosim.core.timeline import observed_levers

from . import charts, compute, exports, i18n

CJK_FONT = "SimSun"
LATIN_FONT = "Calibri"
CHART_SCALE = 2
IMAGE_WIDTH_CM = 16.5


def chart_png(spec: dict, rows: pd.DataFrame, language: str) -> bytes:
    """A chart of the page rendered to PNG: the cached specification with its rows inline."""
    import vl_convert as vlc

    full = dict(spec)
    full["data"] = {"values": rows.astype(object).where(rows.notna(), None).to_dict(orient="records")}
    font = "Noto Sans CJK SC, Microsoft YaHei, SimHei, sans-serif" if language == "zh" else "sans-serif"
    full["config"] = {**full.get("config", {}), "font": font}
    return vlc.vegalite_to_png(full, scale=CHART_SCALE)


def _fonts(document) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = document.styles["Normal"]
    style.font.name = LATIN_FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)
    for name in ("Title", "Heading 1", "Heading 2"):
        heading = document.styles[name]
        heading.element.get_or_add_rPr()
        rfonts = heading.element.rPr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = heading.element.rPr.makeelement(qn("w:rFonts"), {})
            heading.element.rPr.append(rfonts)
        rfonts.set(qn("w:eastAsia"), CJK_FONT)


def _table(document, frame: pd.DataFrame, widths_cm: list[float] | None = None) -> None:
    from docx.shared import Cm, Pt

    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style = "Light Grid Accent 1"
    for cell, name in zip(table.rows[0].cells, frame.columns):
        cell.text = str(name)
    for row in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    for row in table.rows:
        for k, cell in enumerate(row.cells):
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)
            if widths_cm and k < len(widths_cm):
                cell.width = Cm(widths_cm[k])


def brief_bytes(m, region: str, scenario, from_year: int, card: pd.DataFrame, chart: tuple[dict, pd.DataFrame] | None,
                lang: str, meta: dict) -> bytes:
    """The brief as a .docx file."""
    from docx import Document
    from docx.shared import Cm

    from .scorecard_view import split

    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    document = Document()
    _fonts(document)
    document.add_heading(f"{t('brief_title')}：{scenario.title(lang)}" if lang == "zh" else
                         f"{t('brief_title')}: {scenario.title(lang)}", level=0)
    document.add_paragraph(t("brief_made", region=i18n.region(region, lang), date=dt.date.today().isoformat(),
                             version=meta.get("project_version", ""), pset=scenario.parameter_set or "history"))
    document.add_heading(t("brief_question"), level=1)
    document.add_paragraph(scenario.question(lang))

    document.add_heading(t("brief_settings"), level=1)
    levers = exports.lever_rows(m, region, dict(scenario.levers), lang)
    changed = levers[levers.changed].drop(columns=["changed"])
    document.add_paragraph(t("brief_levers", year=from_year))
    if len(changed):
        _table(document, changed, [7, 4, 5])
    else:
        document.add_paragraph(t("brief_no_changes"))

    open_rows, past_rows = split(card)
    document.add_heading(t("brief_headline"), level=1)
    met = int((open_rows.verdict == "met").sum())
    plan_met = int((open_rows.plan_status == "met").sum())
    fragile = int(card[card.status.isin(["met", "missed"])].fragile.sum()) if "fragile" in card else 0
    for line in (f"{t('metric_open', first=observed_levers().first_free_year)}："
                 f"{t('metric_met', met=met, total=len(open_rows))}（{t('metric_vs_plan', plan=plan_met)}）",
                 f"{t('metric_past')}：{t('metric_met', met=int((past_rows.verdict == 'met').sum()), total=len(past_rows))}",
                 f"{t('metric_fragile')}：{fragile}"):
        document.add_paragraph(line if lang == "zh" else line.replace("：", ": ").replace("（", " (").replace("）", ")"),
                               style="List Bullet")

    document.add_heading(t("scorecard"), level=1)
    table = exports.scorecard_table(card, lang)
    keep = [t("indicator"), t("year"), t("target_value"), t("outcome"), t("unit"), t("status"), t("probability"),
            t("policy_adds"), t("judged_on")]
    _table(document, table[keep], [4.2, 1.2, 2.0, 1.6, 1.3, 2.2, 1.3, 1.5, 2.6])

    if chart is not None:
        document.add_heading(t("brief_charts"), level=1)
        spec, rows = chart
        document.add_picture(io.BytesIO(chart_png(spec, rows, lang)), width=Cm(IMAGE_WIDTH_CM))
        document.add_paragraph(t("chart_legend"))

    document.add_heading(t("brief_clauses"), level=1)
    seen = set()
    for r in pd.concat([open_rows, past_rows]).itertuples():
        key = (r.document, r.clause)
        if key in seen:
            continue
        seen.add(key)
        paragraph = document.add_paragraph(style="List Bullet")
        paragraph.add_run(i18n.clause(r.document, r.clause, lang) + ("：" if lang == "zh" else ": ")).bold = True
        paragraph.add_run(str(r.original))

    document.add_heading(t("brief_method"), level=1)
    document.add_paragraph(t("brief_method_text", until=observed_levers().until, first=from_year,
                             n=compute.APP_SAMPLES))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def key_chart(region: str, keys: tuple[str, str], card: pd.DataFrame, lang: str) -> tuple[dict, pd.DataFrame] | None:
    """The brief's chart: the page's indicator chart (no fan) for the headline indicators with targets."""
    from .charts_view import DEFAULT_CHARTS, chart_rows, headline_targeted

    chosen = headline_targeted(card)[:DEFAULT_CHARTS]
    if not chosen:
        return None
    spec = charts.indicator_spec(tuple(chosen), lang, columns=3, fan=False, width=200, height=130)
    return spec, chart_rows(region, keys, chosen, lang, False)
