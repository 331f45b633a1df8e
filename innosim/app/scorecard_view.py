"""The scorecard: the headline counts, the targets still open, and the targets whose year has passed.

The central answer shows at once; the Monte Carlo chances fill in when the
runs are done (``fill``).  A verdict is *fragile* when its chance is below
50 % (a "met" that is more likely missed, or the reverse).  Past targets are
judged in fact where a figure is published (marked as published), else on
the model's estimate (marked as such); no lever can move them.

The tables are static (``st.table``), not the interactive grid: a dozen rows
need no scrolling or sorting, the text of every cell is in the page for a
screen reader and a copy into a report, and the grid rebuilt its hidden
screen-reader copy 200 ms after every change (a debounce inside it), so a
move's redraw ended 200 ms after it was drawn.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import streamlit as st

from innosim.core.timeline import observed_levers

from . import compute, display, i18n
from .names import target_text

MODELLED = ("met", "missed")


def split(card: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(targets from the first free year on, targets whose year has passed), modelled ones only."""
    until = observed_levers().until
    modelled = card.status.isin(MODELLED).to_numpy(dtype=bool)
    later = (card.year > until).to_numpy(dtype=bool)
    return card[modelled & later], card[modelled & ~later]


CHANCE_KEYS = ("indicator", "year", "comparator", "target", "clause")      # what names one target


def with_chances(card: pd.DataFrame, probabilities: pd.DataFrame | None) -> pd.DataFrame:
    """The scorecard with each target's chance of being met, and whether its verdict is fragile.  (A lookup by
    the target's key, not a merge: it runs twice at every slider move, and the merge cost 7 ms.)"""
    out = card.drop(columns=["probability", "fragile"], errors="ignore")
    chance = np.full(len(out), np.nan)
    if probabilities is not None and len(probabilities):
        lookup: dict[tuple, float] = {}
        for *key, p in zip(*(probabilities[k].tolist() for k in CHANCE_KEYS), probabilities.probability.tolist()):
            lookup.setdefault(_target_key(*key), p)              # the first of any repeats, as before
        chance = np.array([lookup.get(_target_key(*key), np.nan)
                           for key in zip(*(out[k].tolist() for k in CHANCE_KEYS))], dtype=float)
    model_judged = (out.judged_on != "official").to_numpy(dtype=bool)
    sure = np.where((out.verdict == "met").to_numpy(dtype=bool), chance, 1 - chance)
    with np.errstate(invalid="ignore"):
        out["fragile"] = model_judged & ~np.isnan(chance) & (sure < 0.5)
    out["probability"] = np.where(model_judged, chance, np.nan)   # the published figure decides, not the model
    return out


def _target_key(indicator, year, comparator, target, clause) -> tuple:
    return indicator, int(year), comparator, float(target), clause


def verdict_text(verdict, fragile: bool, lang: str) -> str:
    if verdict not in MODELLED:
        return i18n.status("undecided", lang)
    text = ("✓ " if verdict == "met" else "✗ ") + i18n.status(verdict, lang)
    return text + (f"（{i18n.t('fragile', lang)}）" if lang == "zh" else f" ({i18n.t('fragile', lang)})") \
        if fragile else text


def _label(indicator: str, lang: str) -> str:
    from innosim.core import data

    return data.indicator(indicator).label(lang)


def open_table(rows: pd.DataFrame, lang: str, pending: bool = False) -> pd.DataFrame:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return pd.DataFrame({
        t("indicator"): [_label(i, lang) for i in rows.indicator],
        t("year"): rows.year.astype(int).astype(str),
        t("target_value"): [target_text(c, v, u, lang) for c, v, u in zip(rows.comparator, rows.target, rows.unit)],
        t("now"): [display.quantity(v, u, lang) for v, u in zip(rows.projected, rows.unit)],
        t("status"): [verdict_text(v, f, lang) for v, f in zip(rows.verdict, rows.fragile)],
        t("probability"): chance_texts(rows, pending),
        t("gap"): [display.difference(g, u, lang) for g, u in zip(rows.gap, rows.unit)],
        t("plan"): [display.quantity(v, u, lang) for v, u in zip(rows.plan_projected, rows.unit)],
        t("momentum"): [display.quantity(v, u, lang) for v, u in zip(rows.momentum, rows.unit)],
        t("policy_adds"): [display.difference(v, u, lang) for v, u in zip(rows.policy_adds, rows.unit)],
        t("first_year"): [("" if pd.isna(y) else str(int(y))) for y in rows.first_year_met],
        t("clause"): [i18n.clause(d, c, lang) for d, c in zip(rows.document, rows.clause)],
    })


def judged_on(row, lang: str) -> str:
    if row.judged_on == "official":
        text = i18n.t(f"official_{row.official_kind}" if row.official_kind in ("final", "preliminary", "lower_bound")
                      else "official_final", lang)
    else:
        text = i18n.t("model_estimate", lang)
    if row.base_estimated:
        text += i18n.sep(lang) + i18n.t("base_estimated", lang)
    return text


def past_table(rows: pd.DataFrame, lang: str, pending: bool = False) -> pd.DataFrame:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    judged_value = rows.official.where(rows.judged_on == "official", rows.projected)
    return pd.DataFrame({
        t("indicator"): [_label(i, lang) for i in rows.indicator],
        t("year"): rows.year.astype(int).astype(str),
        t("target_value"): [target_text(c, v, u, lang) for c, v, u in zip(rows.comparator, rows.target, rows.unit)],
        t("outcome"): [display.quantity(v, u, lang) for v, u in zip(judged_value, rows.unit)],
        t("judged_on"): [judged_on(r, lang) for r in rows.itertuples()],
        t("status"): [verdict_text(v, f, lang) for v, f in zip(rows.verdict, rows.fragile)],
        t("probability"): chance_texts(rows, pending),
        t("model_value"): [display.quantity(v, u, lang) for v, u in zip(rows.projected, rows.unit)],
        t("clause"): [i18n.clause(d, c, lang) for d, c in zip(rows.document, rows.clause)],
    })


PENDING = "…"          # the chance while the Monte Carlo runs are still out
_ACTIVE = re.compile(r"([\\`*_\[\]<>|~$#])")     # what Markdown would read as markup in a table cell


def chance_texts(rows: pd.DataFrame, pending: bool) -> list[str]:
    """The chances as the table shows them: '62%'; '…' while the runs are out; blank where the published
    figure decides (the model's chance does not apply)."""
    return ["" if official or (not pending and pd.isna(p)) else PENDING if pending else _percent(p)
            for p, official in zip(rows.probability, rows.judged_on == "official")]


def chance_percent(p: float) -> float:
    """A chance in percent as shown (page and exports alike): whole, but with one decimal where rounding would
    hide which side of 50 % it is on, where a verdict turns fragile (49.6 % would read as 50)."""
    return round(100 * p, 1) if 0.495 <= p < 0.505 and p != 0.5 else round(100 * p)


def _percent(p: float) -> str:
    return f"{chance_percent(p):g}%"


def cell(value) -> str:
    """A table cell as plain text: ``st.table`` reads Markdown in its cells, so markup characters are escaped
    (the scorecard's text is the project's own, but a label with an asterisk must not turn italic)."""
    return _ACTIVE.sub(r"\\\1", str(value))


def _draw(slot, frame: pd.DataFrame) -> None:
    plain = pd.DataFrame({name: [cell(v) for v in column.tolist()] for name, column in frame.items()})
    slot.table(plain, hide_index=True, border="horizontal")


def headline(slots, card: pd.DataFrame, lang: str, parts: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> None:
    """The three counts above the tables: open targets met, past targets met, fragile verdicts.  ``parts``:
    ``split(card)``, when the caller has it already."""
    open_rows, past_rows = parts or split(card)
    first, until = observed_levers().first_free_year, observed_levers().until
    met = int((open_rows.verdict == "met").sum())
    plan_met = int((open_rows.plan_status == "met").sum())
    slots[0].metric(i18n.t("metric_open", lang, first=first),
                    i18n.t("metric_met", lang, met=met, total=len(open_rows)),
                    delta=(f"{met - plan_met:+d} · " if met != plan_met else "") +
                    i18n.t("metric_vs_plan", lang, plan=plan_met),
                    delta_color="normal" if met != plan_met else "off", delta_arrow="auto" if met != plan_met else "off")
    past_met = int((past_rows.verdict == "met").sum())
    published = int((past_rows.judged_on == "official").sum())
    slots[1].metric(i18n.t("metric_past", lang) + f" (≤{until})",
                    i18n.t("metric_met", lang, met=past_met, total=len(past_rows)),
                    delta=i18n.t("metric_published", lang, n=published), delta_color="off", delta_arrow="off")
    fragile_count(slots[2], card, lang)


def fragile_count(slot, card: pd.DataFrame, lang: str) -> None:
    """The third count, the fragile verdicts: "…" until the chances are in."""
    if "fragile" in card and card.probability.notna().any():
        fragile = int(card[card.status.isin(MODELLED)].fragile.sum())
        slot.metric(i18n.t("metric_fragile", lang), str(fragile), help=i18n.t("metric_fragile_help", lang))
    else:
        slot.metric(i18n.t("metric_fragile", lang), PENDING, help=i18n.t("chances_pending", lang))


def _lazy_expander(label: str, field: str, default: bool, key: str):
    """An expander whose body runs only while it is open; its state is kept in the session under ``field``."""
    s = st.session_state
    if field not in s:
        s[field] = default

    def changed():
        s[field] = bool(s.get(key))

    return st.expander(label, expanded=bool(s[field]), key=key, on_change=changed)


def scorecard_view(card: pd.DataFrame, lang: str, region: str = "", ready: pd.DataFrame | None = None):
    """Draw the central scorecard now; return ``fill(probabilities)``, which adds the chances when ready.
    With the chances ``ready`` (settings seen before), it is drawn once, complete."""
    first, until = observed_levers().first_free_year, observed_levers().until
    slots = [column.empty() for column in st.columns(3)]
    central = with_chances(card, ready)
    pending = ready is None
    open_rows, past_rows = split(central)
    headline(slots, central, lang, (open_rows, past_rows))
    slipped = open_rows[(open_rows.status == "missed") & (open_rows.plan_status == "met")]
    gained = open_rows[(open_rows.status == "met") & (open_rows.plan_status == "missed")]
    label = lambda r: f"{_label(r.indicator, lang)} {r.year}"  # noqa: E731
    if len(slipped):
        st.error(i18n.t("slipped", lang) + i18n.sep(lang).join(
            f"{label(r)} ({display.difference(r.gap, r.unit, lang)})" for r in slipped.itertuples()))
    if len(gained):
        st.success(i18n.t("gained", lang) + i18n.sep(lang).join(label(r) for r in gained.itertuples()))
    open_slot = st.container(key="scorecard-open").empty()     # the key: a class for the table's style rules
    if len(open_rows):
        st.caption(i18n.t("open_caption", lang, first=first) + " " +
                   i18n.t("probability_help", lang, n=compute.APP_SAMPLES))
        _draw(open_slot, open_table(open_rows, lang, pending))
    else:
        open_slot.info(i18n.t("no_open_targets", lang, region=i18n.region(region, lang), first=first))
    # The past targets do not move with the levers: in an expander that runs only when open (open by default
    # where no target is left ahead, as in Cixi), so a slider move does not redraw them.
    met_past = int((past_rows.verdict == "met").sum())
    past_box = _lazy_expander(i18n.t("past_title", lang, until=until, n=len(past_rows), met=met_past),
                              f"s_past_open_{region}", default=not len(open_rows), key=f"w-past-{region}-{lang}")
    past_slot = None
    if past_box.open is not False:
        with past_box:
            st.caption(i18n.t("past_caption", lang, until=until) + " " +
                       i18n.t("probability_help", lang, n=compute.APP_SAMPLES))
            past_slot = st.container(key="scorecard-past").empty()
            _draw(past_slot, past_table(past_rows, lang, pending))
    others = card[~card.status.isin(MODELLED)]
    other_box = _lazy_expander(f"{i18n.t('not_modelled', lang)} ({len(others)})", "s_others_open", default=False,
                               key=f"w-others-{lang}")
    if other_box.open is not False:
        with other_box:
            _draw(st.container(key="scorecard-others"), pd.DataFrame({
                i18n.t("target_value", lang): list(others.original),
                i18n.t("year", lang): others.year.astype(str),
                i18n.t("clause", lang): [i18n.clause(d, c, lang) for d, c in zip(others.document, others.clause)],
            }))

    def fill(probabilities: pd.DataFrame) -> pd.DataFrame:
        if ready is not None:
            return central
        full = with_chances(card, probabilities)
        fragile_count(slots[2], full, lang)          # the other two counts do not depend on the chances
        now_open, now_past = split(full)
        if len(now_open):
            _draw(open_slot, open_table(now_open, lang))
        if past_slot is not None:
            _draw(past_slot, past_table(now_past, lang))
        return full

    return fill
