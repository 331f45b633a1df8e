"""The backtest written out: tables for a folder, and a section for the calibration report."""
from __future__ import annotations

import json
from pathlib import Path

from innosim.files import output_set

from .backtest import INPUT, MAE_GOAL, MET, MISSED, PRIOR_ONLY, RD_POINTS_GOAL, Backtest, score_table
from .report import _f, _region, write_report

STATUS_TEXT = {MET: "goal met", MISSED: "**goal missed**", INPUT: "a check, not a test (an input during the record, or derived from a fitted series)",
               PRIOR_ONLY: "no figure up to the cut: projected from the prior alone"}


def backtest_blocks(bt: Backtest, region: str | None = None, level: str = "h2") -> list:
    """The backtest as report blocks: for one region (a section of its calibration report) or for all."""
    regions = [region] if region else list(bt.results)
    scores = [s for s in bt.scores if s.region in regions]
    headline = [s for s in scores if s.headline]
    missed = [s for s in headline if s.status == MISSED]
    prior_only = [s for s in headline if s.status == PRIOR_ONLY]
    blocks = [(level, f"Backtest: fitted to {bt.fit_until}, projected to {bt.final_year}"
               + (f" ({_region(region)})" if region else "")),
              ("p", f"History mode fitted only to observations up to {bt.fit_until}; the model then ran with the "
                    f"observed levers (fiscal growth, prices, the super-deduction) to {bt.final_year} and is compared "
                    f"with what was published for {bt.fit_until + 1}–{bt.final_year}. The counties took Ningbo's "
                    f"backtest posterior as their prior, not the full fit's. Goal: a mean absolute error of at most "
                    f"{MAE_GOAL:g} % for every headline series with data, and Ningbo's R&D intensity within "
                    f"±{RD_POINTS_GOAL:g} points.")]
    if not headline:
        blocks.append(("p", "No headline series has a published figure after the cut."))
    elif not missed and not prior_only:
        blocks.append(("p", "Every headline series with data meets the goal."))
    if missed:
        blocks.append(("p", "**Goal missed** for " + "; ".join(
            f"{_region(s.region) if not region else ''}{' ' if not region else ''}{s.series} "
            f"(MAE {s.mae_pct:.1f} %)" for s in missed) + ". See the errors below: a miss says the model's "
            "mechanism for that series does not carry the pre-cut record into the later years."))
    if prior_only:
        blocks.append(("p", "Not testable for " + "; ".join(
            f"{s.region} {s.series}" for s in prior_only) + f": no figure up to {bt.fit_until}, so the fit could "
            "not learn them and their projection shows only how good the prior was."))
    blocks += [("h2", "Scores") if level == "h1" else ("p", "Scores:"),
               ("table", ["region", "series", "headline", "figures fitted (to the cut)", "figures after", "MAE",
                          "largest error", "goal", "result"],
                [[s.region, s.series, "yes" if s.headline else "", str(s.n_fitted), str(s.n), f"{s.mae_pct:.1f} %",
                  _f(s.max_abs_error, 3), s.goal, STATUS_TEXT[s.status]] for s in scores]),
               ("p", "Errors, figure by figure (error = projected − observed; lower bounds say met or missed):"),
               ("table", ["region", "series", "year", "kind", "observed", "projected", "error"],
                [[r.region, r.series, str(r.year), r.kind, ("> " if r.lower_bound else "") + _f(r.observed, 6),
                  _f(r.projected, 6),
                  ("met" if r.projected >= r.observed else "missed") if r.lower_bound else f"{r.error_pct:+.1f} %"]
                 for r in bt.errors.itertuples() if r.region in regions])]
    return blocks


def write_backtest(bt: Backtest, out: Path) -> list[Path]:
    """projections.csv, errors.csv, scores.csv, backtest.json and the report (Markdown, HTML) into ``out``,
    all or nothing."""
    out = Path(out)
    with output_set(out) as staging:
        bt.projections.to_csv(staging / "projections.csv", index=False)
        bt.errors.to_csv(staging / "errors.csv", index=False)
        score_table(bt).to_csv(staging / "scores.csv", index=False)
        meta = {"fit_until": bt.fit_until, "final_year": bt.final_year, "seconds": round(bt.seconds, 2),
                "regions": list(bt.results),
                "parameters": {r: {p.name: p.value for p in res.parameters} for r, res in bt.results.items()}}
        (staging / "backtest.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        blocks = backtest_blocks(bt, level="h1")
        for name in ("report.md", "report.html"):
            write_report(blocks, staging / name, "report")
    return [out / n for n in ("projections.csv", "errors.csv", "scores.csv", "backtest.json", "report.md",
                              "report.html")]
