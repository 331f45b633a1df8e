"""How the app writes numbers and user text: one rounding rule for the page, the exports and the brief.

A value is shown with 2 decimals below 100, 1 below 1,000 and none above,
and every export rounds it the same way, so a report quotes what the planner
saw.  Text a user supplied (a scenario's name, an uploaded file's message) is
escaped before it goes into Markdown, so it shows as typed and never as a
link, an image or markup.
"""
from __future__ import annotations

import math
import re

from . import names


def decimals(value) -> int:
    magnitude = abs(value)
    return 0 if magnitude >= 1000 else 1 if magnitude >= 100 else 2


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def rounded(value):
    """The value as the page shows it (for the exports): rounded to the displayed decimals."""
    if missing(value):
        return None
    value = float(value)
    places = decimals(value)
    out = round(value, places)
    return int(out) if places == 0 else out


def number(value, signed: bool = False) -> str:
    if missing(value):
        return "–"
    value = float(value)
    text = f"{value:{'+' if signed else ''},.{decimals(value)}f}"
    return "0" if signed and re.fullmatch(r"[+-]0(\.0+)?", text) else text


def quantity(value, unit: str, language: str) -> str:
    """'3.86 %', '18,500 家', '1.18 倍'."""
    if missing(value):
        return "–"
    shown = names.unit(unit, language)
    return f"{number(value)} {shown}".strip() if shown not in ("%",) else f"{number(value)} %"


def difference(value, unit: str, language: str) -> str:
    """A difference: '+0.11 百分点' for percentages, '-1,500 家' otherwise."""
    if missing(value):
        return "–"
    return f"{number(value, signed=True)} {names.difference_unit(unit, language)}".strip()


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'])")


WORD_JOINER = "\u2060"       # invisible: it keeps "http://", "www." and "a@b" from being read as addresses


def plain(text) -> str:
    """User text made safe for Markdown: every punctuation mark escaped, so no link, image or markup is made,
    and an invisible word joiner inside each address, so that GitHub-style autolinking finds none."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    text = re.sub(r"(?i)(://|www\.|@)", lambda m: m.group(0)[0] + WORD_JOINER + m.group(0)[1:], text)
    return _MARKDOWN.sub(r"\\\1", text)


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\\/\s:;,'\"]+){2,}[\\/]([^\\/\s:;,'\"]+)")


def scrub(text: str) -> str:
    """A message without the server's folders: '/srv/app/scenarios/x.toml' becomes 'x.toml'."""
    return _PATH.sub(r"\1", str(text)).splitlines()[0] if str(text).strip() else str(text)
