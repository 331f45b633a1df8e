"""The app's downloads for a report: the projection table, the report workbook, the comparison.

Everything is in the language the planner chose: column names, indicator
names, statuses, scenario names as the planner gave them, document titles
(never file names), lever values in the slider's units (%/年) and numbers
rounded as the page shows them (``display.rounded``).  In Excel, text that
begins with = + - or @ is written as text, never as a formula; in CSV such
text gets a leading apostrophe, as spreadsheet programs expect.
"""
from __future__ import annotations

import io
import json

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from innosim.core import data

from innosim.reports.export import provenance

from . import display, i18n, names
from .compute import APP_SAMPLES, APP_SEED

FORMULA_START = ("=", "+", "-", "@")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def safe_text(value):
    """Text for a CSV cell: one that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def meta(region: str, scenario, from_year: int, **extra) -> dict:
    """The provenance record of a download, with what the app adds: the start year, the Monte Carlo set-up.
    (Made when the button is pressed, outside the script run: it reads nothing from the session.)"""
    record = provenance([scenario], [region], scenario.parameter_set, **extra)
    record.update(from_year=from_year, monte_carlo_runs=APP_SAMPLES, monte_carlo_seed=APP_SEED)
    return record


def labels(current: str, lang: str) -> tuple[str, str]:
    """The names of the current settings and the plan in an export: the planner's name, and the plan as the
    reference, never the same."""
    plan = reference_name(lang)
    return (current if current != plan else current + i18n.t("adjusted", lang)), plan


def reference_name(lang: str) -> str:
    """The plan as the reference of an export or a comparison (a saved entry may not take this name)."""
    return i18n.t("plan", lang) + ("（参照）" if lang == "zh" else " (reference)")


# ---- tables in the planner's language -------------------------------------------------------------------

def projection_table(tables: dict[str, pd.DataFrame], region: str, lang: str) -> pd.DataFrame:
    """One row per scenario and indicator, years as columns, rounded as displayed."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = []
    for name, long in tables.items():
        wide = long.pivot_table(index="indicator", columns="year", values="value", sort=False)
        for ind in data.indicators():
            if ind.indicator not in wide.index:
                continue
            row = {t("scenario"): name, t("region"): i18n.region(region, lang), t("indicator"): ind.label(lang),
                   t("unit"): names.unit(ind.unit, lang)}
            row.update({str(int(y)): display.rounded(v) for y, v in wide.loc[ind.indicator].items()})
            rows.append(row)
    return pd.DataFrame(rows)


def lever_rows(m, region: str, overrides: dict, lang: str) -> pd.DataFrame:
    """Every lever with its plan value and its value now, in the slider's units."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = []
    for lever in m.levers:
        now = overrides.get(lever.id, lever.default(region))
        shown = ("; ".join(f"{y}: {names.lever_text(lever, v, lang)}" for y, v in sorted(now.items()))
                 if isinstance(now, dict) else names.lever_text(lever, now, lang))
        rows.append({t("lever"): names.lever_label(lever, lang), t("plan_value"): names.lever_text(
            lever, lever.default(region), lang), t("current_value"): shown, "changed": lever.id in overrides})
    return pd.DataFrame(rows)


def scorecard_table(card: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The scorecard as the page shows it, open targets then past ones, one language."""
    from .names import target_text
    from .scorecard_view import chance_percent, judged_on, split, verdict_text

    t = lambda key: i18n.t(key, lang)  # noqa: E731
    open_rows, past_rows = split(card)
    rows = []
    for r in pd.concat([open_rows, past_rows]).itertuples():
        value = r.official if r.judged_on == "official" else r.projected
        rows.append({
            t("indicator"): data.indicator(r.indicator).label(lang), t("year"): int(r.year),
            t("target_value"): target_text(r.comparator, r.target, r.unit, lang),
            t("outcome"): display.rounded(value), t("unit"): names.unit(r.unit, lang),
            t("judged_on"): judged_on(r, lang), t("status"): verdict_text(r.verdict, bool(r.fragile), lang),
            t("probability"): None if display.missing(r.probability) else chance_percent(r.probability),
            t("gap"): display.rounded(r.gap), t("plan"): display.rounded(r.plan_projected),
            t("momentum"): display.rounded(r.momentum), t("policy_adds"): display.rounded(r.policy_adds),
            t("first_year"): None if pd.isna(r.first_year_met) else int(r.first_year_met),
            t("clause"): i18n.clause(r.document, r.clause, lang)})
    return pd.DataFrame(rows)


def comparison_table(cards: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    """Targets as rows, scenarios as columns: the judged value and the verdict of each."""
    from .names import target_text
    from .scorecard_view import split

    t = lambda key: i18n.t(key, lang)  # noqa: E731
    first = next(iter(cards.values()))
    open_rows, past_rows = split(first)
    index = pd.concat([open_rows, past_rows])
    out = pd.DataFrame({t("indicator"): [data.indicator(i).label(lang) for i in index.indicator],
                        t("year"): index.year.astype(int).to_numpy(),
                        t("target_value"): [target_text(c, v, u, lang) for c, v, u in
                                            zip(index.comparator, index.target, index.unit)]})
    for name, card in cards.items():
        o, p = split(card)
        rows = pd.concat([o, p])
        value = rows.official.where(rows.judged_on == "official", rows.projected)
        out[name] = [f"{display.quantity(v, u, lang)} {'✓' if s == 'met' else '✗'}"
                     for v, u, s in zip(value, rows.unit, rows.verdict)]
    return out


def comparison_long(tables: dict[str, pd.DataFrame], cards: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    """The comparison as one tidy table (a row per scenario and target), for CSV."""
    from .names import target_text
    from .scorecard_view import split

    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = []
    for name, card in cards.items():
        o, p = split(card)
        for r in pd.concat([o, p]).itertuples():
            value = r.official if r.judged_on == "official" else r.projected
            rows.append({t("scenario"): name, t("indicator"): data.indicator(r.indicator).label(lang),
                         t("year"): int(r.year), t("target_value"): target_text(r.comparator, r.target, r.unit, lang),
                         t("outcome"): display.rounded(value), t("unit"): names.unit(r.unit, lang),
                         t("status"): i18n.status(r.verdict, lang)})
    return pd.DataFrame(rows)


# ---- files ------------------------------------------------------------------------------------------------

def csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text right; formula-like text defused."""
    safe = table.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(safe_text).astype(object)
    safe.columns = [safe_text(str(c)) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")


def _write_sheet(book: Workbook, title: str, table: pd.DataFrame, widths: dict[int, float] | None = None) -> None:
    ws = book.create_sheet(title[:31])
    ws.append([str(c) for c in table.columns])
    for row in table.itertuples(index=False):
        ws.append([None if display.missing(v) else (v.item() if hasattr(v, "item") else v) for v in row])
    ws.freeze_panes = "A2"
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for idx, column in enumerate(table.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
        ws.column_dimensions[get_column_letter(idx)].width = (widths or {}).get(idx) or min(48, max(9, longest + 2))


def _as_text(book: Workbook) -> None:
    """No cell is a live formula: text that begins with = + - @ (a scenario named "=HYPERLINK(...)") is text."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_START)):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def workbook_bytes(sheets: dict[str, pd.DataFrame], meta: dict, meta_title: str = "Metadata") -> bytes:
    """Sheets of tables and a key/value sheet of the metadata record, as an .xlsx file."""
    book = Workbook()
    book.remove(book.active)
    for title, table in sheets.items():
        _write_sheet(book, title, table)
    _write_sheet(book, meta_title, pd.DataFrame({"key": list(meta), "value": [
        v if isinstance(v, (str, int, float)) else json.dumps(v, ensure_ascii=False) for v in meta.values()]}))
    _as_text(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def settings_table(region: str, scenario, from_year: int, lang: str) -> pd.DataFrame:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = [(t("scenario_name"), scenario.title(lang)), (t("description"), scenario.question(lang)),
            (t("region_name"), i18n.region(region, lang)), (t("from_year"), str(from_year)),
            (t("parameter_set"), scenario.parameter_set or "history")]
    return pd.DataFrame(rows, columns=[t("setting"), t("value")])


def report_workbook(m, region: str, scenario, from_year: int, card: pd.DataFrame, tables: dict[str, pd.DataFrame],
                    lang: str, meta: dict) -> bytes:
    """The report workbook: settings (with every lever), scorecard, projections, metadata."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    levers = lever_rows(m, region, dict(scenario.levers), lang).drop(columns=["changed"])
    settings = pd.concat([settings_table(region, scenario, from_year, lang),
                          levers.rename(columns={t("lever"): t("setting"), t("current_value"): t("value")})
                          [[t("setting"), t("value"), t("plan_value")]]], ignore_index=True)
    sheets = {t("sheet_settings"): settings, t("sheet_scorecard"): scorecard_table(card, lang),
              t("sheet_projections"): projection_table(tables, region, lang)}
    return workbook_bytes(sheets, meta, t("sheet_metadata"))


def comparison_workbook(region: str, tables: dict[str, pd.DataFrame], cards: dict[str, pd.DataFrame], lang: str,
                        meta: dict) -> bytes:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    sheets = {t("sheet_comparison"): comparison_table(cards, lang),
              t("sheet_projections"): projection_table(tables, region, lang)}
    return workbook_bytes(sheets, meta, t("sheet_metadata"))
