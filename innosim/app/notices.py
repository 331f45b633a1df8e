"""Notices that explain why a lever barely moves the answer: today, the fiscal ceiling.

When S&T and talent spending together reach the model's ceiling on their share of
budget revenue (``maximum_innovation_share_of_revenue``, an unestimated assumption),
faster growth is cut back to it and takes room from talent spending.  A planner who
moves the fiscal slider and sees little change should be told that, and that the
answer rests on an assumption.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from . import i18n, state

CEILING = "maximum_innovation_share_of_revenue"
BURDEN = "fiscal_burden"          # the indicator: S&T and talent spending over budget revenue, in %


def ceiling_year(table: pd.DataFrame, ceiling: float, first: int) -> int | None:
    """The first year from ``first`` on in which spending sits at the ceiling (in the table's per cent)."""
    rows = table[(table.indicator == BURDEN) & (table.year >= first)]
    at = rows[rows.value >= 100 * ceiling * (1 - 1e-6)]
    return int(at.year.min()) if len(at) else None


def fiscal_ceiling(m, table: pd.DataFrame, lang: str) -> int | None:
    """Say when the fiscal ceiling binds in this projection (and return the year, or None)."""
    ceiling = float(state.parameters().get(CEILING, m.file_defaults[CEILING]))
    year = ceiling_year(table, ceiling, state.first_free_year())
    if year is not None:
        st.info(i18n.t("ceiling_binds", lang, year=year, share=f"{100 * ceiling:g}"), icon=":material/account_balance:")
    return year
