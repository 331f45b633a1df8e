"""Calibration reports in Markdown and HTML, built from one list of blocks.

History mode: stages, parameters against their literature ranges with
standard errors, fit statistics per series (MAPE, R², Theil's U^M/U^S/U^C),
residuals, charts of fitted against observed, and out-of-sample errors.
Plan mode: how far each parameter had to move, and which targets cannot be
met within the literature ranges.
"""
from __future__ import annotations

import math
from html import escape
from pathlib import Path

from innosim.core import data
from innosim.errors import InputError
from innosim.files import atomic_path, write_text

from .fit import INFORMED, HistoryResult
from .plan import PlanResult
from .svg import chart

MAPE_GOAL = 10.0
SECTIONS_HISTORY = ("Summary", "Method", "Stages", "Parameters", "Fit by series", "Residuals",
                    "Observed against fitted", "Out-of-sample error")
SECTIONS_PLAN = ("Summary", "Method", "Parameters the plan leans on", "Targets")


def _f(x, digits=4) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int,)) and not isinstance(x, bool):
        return str(x)
    return f"{x:.{digits}g}"


def _pct(x) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{x:.1f} %"


def _region(region: str) -> str:
    labels = data.REGION_LABELS[region]
    return f"{labels['en']} ({labels['zh']})"


def history_blocks(result: HistoryResult, meta: dict) -> list:
    headline = [s for s in result.fit if s.headline and s.stats["n"]]
    goal_met = [s.series for s in headline if s.stats["mape"] < MAPE_GOAL]
    goal_missed = [s.series for s in headline if s.stats["mape"] >= MAPE_GOAL]
    with_uc = [s for s in headline if s.stats["n"] >= 3]
    blocks = [("h1", f"Calibration report: {_region(result.region)}, history mode"),
              ("h2", "Summary"),
              ("p", f"{result.n_observations} observations fitted (plus check series reported, not fitted), "
                    f"{len(result.parameters)} free parameters. Weighted data cost {result.cost:.3g}; "
                    f"prior cost {result.prior_cost:.3g}. Run on {meta.get('created', '')} in {result.seconds:.1f} s.")]
    if goal_met:
        blocks.append(("p", f"Headline series with in-sample MAPE below {MAPE_GOAL:g} %: {', '.join(goal_met)}."))
    if goal_missed:
        details = [f"{s.series} ({s.stats['mape']:.0f} %, a mean absolute error of {s.stats['mae']:.2g} "
                   f"{'points' if meta['growth'].get(s.series) else 'units'})"
                   for s in headline if s.series in goal_missed]
        blocks.append(("p", f"**Goal not reached**: in-sample MAPE is {MAPE_GOAL:g} % or more for "
                            f"{'; '.join(details)}. For growth rates MAPE is relative to the rate itself."))
    if not with_uc:
        blocks.append(("p", "**The Theil decomposition is not informative here**: no headline series has the three "
                            "or more exact observations that unequal variation (U^S) and covariation (U^C) need. "
                            "With one or two points all error shows as bias (U^M)."))
    else:
        uc = [s.series for s in with_uc if s.stats["uc"] > 0.5]
        not_uc = [s.series for s in with_uc if s.stats["uc"] <= 0.5]
        if uc:
            blocks.append(("p", f"Most error is unsystematic (U^C > 0.5) for {', '.join(uc)}."))
        if not_uc:
            blocks.append(("p", f"**Most error is systematic** (U^C ≤ 0.5) for {', '.join(not_uc)}: see the "
                                "decomposition below."))
    at_bound = [p for p in result.parameters if p.at_bound]
    if at_bound:
        blocks.append(("p", "**Finding**: " + "; ".join(
            f"{p.name} ends at its {p.at_bound} bound ({_f(p.value)})" for p in at_bound)
            + ". A parameter pinned at a literature bound means the data ask for more than the literature allows."))
    if not result.identified:
        blocks.append(("p", "**Finding**: the data do not identify every free parameter (J'J is singular); "
                            "their standard errors are shown as –."))
    uninformed = [p.name for p in result.parameters if not p.informed]
    if uninformed:
        blocks.append(("p", f"**Identification**: the data narrow {len(result.parameters) - len(uninformed)} of "
                            f"{len(result.parameters)} parameters' priors (posterior sd below {INFORMED:.0%} of the "
                            f"prior's). Not informed, so their values are the evidence's, not the record's: "
                            f"{', '.join(uninformed)}."))
    blocks += [
        ("h2", "Method"),
        ("p", "Penalised weighted least squares (`scipy.optimize.least_squares`, trust-region reflective, "
              "bounded). Each residual is divided by its measurement error σ (by the observation's confidence "
              "mark and kind, combined with the model error of `calibration/spec.toml`). Each free parameter "
              "carries its prior as a residual (θ − mean) / sd: the literature's estimate and standard error "
              "(`model/parameters.csv`, columns prior_mean and prior_sd), or for an initial state its region-data "
              f"value with a relative sd of {meta.get('region_prior_sd', 0.25):g}; the counties take Ningbo's "
              "posterior as the prior of the parameters they share. Sectors are fitted first (partial-model "
              "calibration, Oliva 2003), then the whole model. Standard errors come from the Jacobian at the "
              "solution; a parameter is *informed* by the data when its posterior sd is below "
              f"{INFORMED:.0%} of its prior sd. The run follows the observed policy and price path "
              "(`calibration/observed_levers.toml`)."),
        ("p", f"Data: `calibration/history.csv` (sha256 {meta.get('history_sha256', '')[:12]}…). The model runs "
              "on the bureau's current (census-revised) GDP series; each GDP figure and each ratio to GDP is "
              "compared on the vintage it was published on. Partial-year figures and proxies never steer the "
              "fit; series the model takes as given during the record (real growth, revenue, population) are "
              "reported as checks."),
        ("h2", "Stages"),
        ("table", ["stage", "observations", "parameters", "data cost", "note"],
         [[st.name, _f(st.n_observations), ", ".join(p.name for p in st.parameters) or "–", _f(st.cost, 3), st.note]
          for st in result.stages]),
        ("h2", "Parameters"),
        ("table", ["parameter", "prior mean", "prior sd", "calibrated", "posterior sd", "sd ratio",
                   "informed by the data", "range", "at bound", "source of the prior"],
         [[p.name, _f(p.start), _f(p.prior_sd, 2), _f(p.value), _f(p.se, 2),
           _f(p.se / p.prior_sd, 2) if p.prior_sd == p.prior_sd and p.prior_sd else "–",
           "yes" if p.informed else "no", f"{_f(p.low)} – {_f(p.high)}", p.at_bound or "–", p.source]
          for p in result.parameters]),
        ("h2", "Fit by series"),
        ("table", ["series", "headline", "fitted", "n", "MAPE", "MAE", "R²", "U^M", "U^S", "U^C", "bounds met"],
         [[s.series, "yes" if s.headline else "", "no (check)" if meta["checks"].get(s.series) else "yes",
           _f(s.stats["n"]), _pct(s.stats["mape"]), _f(s.stats["mae"], 3), _f(s.stats["r2"], 3), _f(s.stats["um"], 2),
           _f(s.stats["us"], 2), _f(s.stats["uc"], 2),
           f"{s.stats['bounds_met']}/{s.stats['bounds']}" if s.stats["bounds"] else "–"] for s in result.fit]),
        ("p", "R² and U^S, U^C need at least three exact observations; lower bounds ('>' in the history) count "
              "as met or not and stay out of the error statistics."),
        ("h2", "Residuals"),
        ("table", ["series", "year", "observed", "fitted", "residual", "residual / σ"],
         [[s.series, str(y), ("> " if lb else "") + _f(o, 6), _f(p, 6), _f(p - o, 3),
           _f((min(p - o, 0) if lb else p - o) / sg, 3)]
          for s in result.fit for y, o, p, lb, sg in zip(s.years, s.observed, s.predicted, s.lower_bound, s.sigma)]),
        ("h2", "Observed against fitted"),
    ]
    for s in result.fit:
        points = list(zip(s.years, s.observed, s.lower_bound))
        blocks.append(("svg", s.series, chart(s.series, s.trajectory, points)))
    blocks.append(("h2", "Out-of-sample error"))
    if result.holdout_from is None:
        blocks.append(("p", "No years were held out in this run; a hold-out run (holdout_from = YEAR) fits "
                            "on the years before YEAR and measures the error on the rest."))
    elif not result.holdout:
        blocks.append(("p", f"Held out from {result.holdout_from}: no observations fall in those years."))
    else:
        blocks.append(("p", f"Fitted on observations before {result.holdout_from}; errors on the held-out years:"))
        blocks.append(("table", ["series", "year", "observed", "projected", "error"],
                       [[s.series, str(y), ("> " if lb else "") + _f(o, 6), _f(p, 6),
                         _pct(100 * (p - o) / abs(o)) if not lb else ("met" if p >= o else "missed")]
                        for s in result.holdout for y, o, p, lb in zip(s.years, s.observed, s.predicted, s.lower_bound)]))
        mapes = [s.stats["mape"] for s in result.holdout if s.stats["n"]]
        if mapes:
            blocks.append(("p", f"Out-of-sample MAPE over series: {sum(mapes) / len(mapes):.1f} %."))
    return blocks


def plan_blocks(result: PlanResult, meta: dict) -> list:
    cannot = [o for o in result.targets if o.verdict == "cannot be met within the literature ranges"]
    moved = sorted(result.parameters, key=lambda p: -abs(p.move))
    blocks = [("h1", f"Calibration report: {_region(result.region)}, plan mode"),
              ("h2", "Summary"),
              ("p", f"{len(result.targets)} modelled targets up to {meta.get('max_year')}; "
                    f"{sum(o.met_history for o in result.targets)} are met with the history-calibrated parameters, "
                    f"{sum(o.met_plan for o in result.targets)} with the plan-mode parameters."),
              ("p", ("**Cannot be met within the literature ranges**: " + "; ".join(
                  f"{o.target.indicator} {o.target.year} ({o.target.comparator} {_f(o.target.value)}, best "
                  f"{_f(o.best_alone)})" for o in cannot)) if cannot else
               "Every target can be met with parameters inside their literature ranges."),
              ("h2", "Method"),
              ("p", "Starting from the history-calibrated values, the behavioural parameters of `[plan]` in "
                    "`calibration/spec.toml` move within their literature ranges as little as possible while "
                    "closing the targets' shortfalls (penalised least squares; a shortfall of "
                    f"{meta.get('target_tolerance', 0.001):.1%} of a target weighs as much as moving one parameter "
                    "across its whole range; a target counts as met within 0.05 %). Levers stay at the plan's values. Each target missed on the evidence is first "
                    "tried alone, with every parameter free within its range; those that cannot be met even so are left out of the joint fit."),
              ("h2", "Parameters the plan leans on"),
              ("table", ["parameter", "history value", "plan value", "move (share of range)", "at bound",
                         "literature range", "source"],
               [[p.name, _f(p.start), _f(p.value), f"{p.move:+.0%}", p.at_bound or "–",
                 f"{_f(p.low)} – {_f(p.high)}", p.source] for p in moved]),
              ("h2", "Targets"),
              ("table", ["indicator", "year", "target", "with history parameters", "with plan parameters",
                         "verdict", "clause"],
               [[o.target.indicator, str(o.target.year),
                 f"{o.target.comparator} {_f(o.target.value)} {o.target.unit}",
                 _f(o.history_value), _f(o.plan_value), o.verdict, o.target.clause] for o in result.targets])]
    return blocks


def to_markdown(blocks: list, asset_dir: Path, stem: str) -> str:
    lines = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2"):
            lines += [("# " if kind == "h1" else "## ") + block[1], ""]
        elif kind == "p":
            lines += [block[1], ""]
        elif kind == "table":
            headers, rows = block[1], block[2]
            lines.append("| " + " | ".join(headers) + " |")
            lines.append("|" + "---|" * len(headers))
            lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
            lines.append("")
        elif kind == "svg":
            name = f"{stem}-{block[1]}.svg"
            with atomic_path(asset_dir / name) as tmp:
                tmp.write_text(block[2], encoding="utf-8")
            lines += [f"![{block[1]}]({name})", ""]
    return "\n".join(lines)


def to_html(blocks: list, title: str) -> str:
    body = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2"):
            body.append(f"<{kind}>{escape(block[1])}</{kind}>")
        elif kind == "p":
            text = escape(block[1])
            while "**" in text:
                text = text.replace("**", "<strong>", 1).replace("**", "</strong>", 1)
            body.append(f"<p>{text.replace('`', '')}</p>")
        elif kind == "table":
            head = "".join(f"<th>{escape(h)}</th>" for h in block[1])
            rows = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in block[2])
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif kind == "svg":
            body.append(f'<figure>{block[2]}</figure>')
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
             "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;"
             "padding:3px 6px;text-align:left}th{background:#eef2f7}figure{display:inline-block;margin:4px}")
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def write_report(blocks: list, target: Path, stem: str) -> list[Path]:
    """Write a report: to ``target`` itself when it names a ``.md`` or ``.html`` file, else into the folder
    ``target`` as ``<stem>.md`` and ``<stem>.html`` (charts as SVG files beside the Markdown)."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix in (".md", ".html"):
        folder, files = target.parent, {suffix: target}
    elif suffix:
        raise InputError(f"report {target}: a report file must end in .md or .html; a folder name has no suffix")
    else:
        folder, files = target, {".md": target / f"{stem}.md", ".html": target / f"{stem}.html"}
    written = []
    if ".md" in files:
        written.append(write_text(files[".md"], to_markdown(blocks, folder, files[".md"].stem)))
    if ".html" in files:
        written.append(write_text(files[".html"], to_html(blocks, blocks[0][1])))
    return written
