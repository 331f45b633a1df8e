"""The app's few style rules: a laptop-sized page, the sliders' plan ticks, scorecard cells kept on one line
(values and verdicts; the indicator, the clause and what a past target is judged on wrap), Streamlit's own words translated.

Streamlit lets an app set most of its labels but not the file uploader's
button and size note; those are replaced here by CSS in the chosen language
(the words stay in the page for screen readers).  The rules travel in one
style-only ``st.html`` element, which takes no space in the page.
"""
from __future__ import annotations

import streamlit as st

from . import i18n

BASE = """
[data-testid="stMainBlockContainer"] { padding-top: 4.6rem; padding-bottom: 2rem; }
[data-testid="stSidebarHeader"] { height: 1.5rem; margin-bottom: 0; padding-top: 0.5rem; }
[data-testid="stSidebarUserContent"] { padding-top: 0; }
[data-testid="stSidebarUserContent"] [data-testid="stVerticalBlock"] { gap: 0.45rem; }
[data-testid="stMetricValue"] { font-size: 1.6rem; }
h1 { font-size: 1.75rem !important; padding: 0 0 0.2rem 0 !important; }
h3 { font-size: 1.25rem !important; padding-top: 0.4rem !important; }
div[class*="st-key-w-lever-"] div[role='group'] > div::after {
  content: ""; position: absolute; top: 50%; width: 2px; height: 9px; transform: translate(-50%, 5px);
  background: #6b6b6b; pointer-events: none; left: var(--plan-tick); }
div[class*="st-key-scorecard-"] [data-testid="stTable"] :is(td, th) { font-size: 0.85rem; padding: 0.3rem 0.5rem; }
div[class*="st-key-scorecard-"] [data-testid="stTable"] :is(td, th) [data-testid="stMarkdownContainer"] p {
  white-space: nowrap; }
div[class*="st-key-scorecard-"] [data-testid="stTable"] :is(td, th):is(:first-child, :last-child)
  [data-testid="stMarkdownContainer"] p { white-space: normal; min-width: 8.5rem; }
.st-key-scorecard-past [data-testid="stTable"] :is(td, th):nth-child(5) [data-testid="stMarkdownContainer"] p {
  white-space: normal; min-width: 9rem; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "{upload}"; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after { content: "{hint}"; font-size: 0.8rem; }
"""


def inject(language: str) -> None:
    css = BASE.replace("{upload}", i18n.t("upload_button", language)).replace("{hint}", i18n.t("upload_hint", language))
    st.html(f"<style>{css}</style>")


def extra(css: str) -> None:
    if css:
        st.html(f"<style>{css}</style>")
