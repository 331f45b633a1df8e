"""Names and units of the model's variables and levers, in Chinese and English.

Every name comes from data, never from a list in code: the Chinese (and, where
the ``.mdl``'s own name reads badly, English) name of every variable, and for
levers how a slider shows them, is in ``model/labels.csv``, beside the model.
A lever the file does not know still works: it gets its ``.mdl`` name and a
display derived from its unit, and a test says what is missing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from innosim.files import read_csv_rows
from innosim.paths import data_file

DISPLAYS = ("percent", "points", "times", "choice", "plain")


@dataclass(frozen=True)
class Label:
    name_zh: str
    name_en: str
    display: str
    help_zh: str
    choices_zh: tuple[str, ...]
    choices_en: tuple[str, ...]


def labels_file():
    return data_file("model/labels.csv")


@lru_cache(maxsize=1)
def labels() -> dict[str, Label]:
    rows = read_csv_rows(labels_file(), ("variable", "name_zh", "name_en", "display", "help_zh", "choices_zh",
                                         "choices_en"))
    return {r["variable"]: Label(r["name_zh"].strip(), r["name_en"].strip(), r["display"].strip(),
                                 r["help_zh"].strip(), tuple(filter(None, r["choices_zh"].split("|"))),
                                 tuple(filter(None, r["choices_en"].split("|")))) for r in rows}


def _pick(zh: str, en: str, language: str) -> str:
    return zh if language == "zh" else en


def variable(name: str, language: str, model=None) -> str:
    """A model variable's name in the language: the labels file, else the ``.mdl``'s name."""
    label = labels().get(name)
    if model is None:
        from innosim.core.model import load

        model = load()
    var = model.variables.get(name)
    english = (label.name_en if label and label.name_en else None) or (var.name[:1].upper() + var.name[1:]
                                                                         if var else name)
    if language == "zh" and label and label.name_zh:
        return label.name_zh
    return english


# ---- levers -------------------------------------------------------------------------------------------

def lever_label(lever, language: str) -> str:
    label = labels().get(lever.id)
    if label is None:
        return lever.name[:1].upper() + lever.name[1:]
    return _pick(label.name_zh or label.name_en or lever.name, label.name_en or lever.name, language)


def display(lever) -> str:
    """How a slider shows the lever: percent or points (x 100), times, a choice, or plain."""
    label = labels().get(lever.id)
    if label and label.display in DISPLAYS:
        return label.display
    if lever.is_switch:
        return "choice"
    if lever.unit == "1/Year" or (lever.unit == "Dmnl" and lever.high <= 1):
        return "percent"
    return "times" if lever.unit == "Dmnl" else "plain"


def scale(lever) -> int:
    """Percent and points levers show x 100; the others as they are."""
    return 100 if display(lever) in ("percent", "points") else 1


def lever_unit(lever, language: str) -> str:
    """The unit a slider shows: %/年 for a growth rate, % for a share, 百分点/年 for a margin, 倍 for a multiple."""
    kind = display(lever)
    per_year = "1/Year" in lever.unit
    if kind == "percent":
        return ("%/年" if language == "zh" else "%/yr") if per_year else "%"
    if kind == "points":
        return ("百分点/年" if language == "zh" else "points a year") if per_year else (
            "百分点" if language == "zh" else "points")
    if kind == "times":
        return "倍" if language == "zh" else "×"
    if kind == "plain":
        return model_unit(lever.unit, language)
    return ""


def choices(lever, language: str) -> tuple[str, str]:
    """The labels of a rule switch's two choices (its low and high value)."""
    label = labels().get(lever.id)
    found = (label.choices_zh if language == "zh" else label.choices_en) if label else ()
    if len(found) == 2:
        return found
    return (f"{lever.low:g}", f"{lever.high:g}")


def lever_meaning(lever, language: str) -> str:
    label = labels().get(lever.id)
    if language == "zh" and label and label.help_zh:
        return label.help_zh
    return lever.description


def shown(lever, value: float) -> float:
    """A lever value in the slider's units (percent x 100), rounded to a sensible precision."""
    return round(value * scale(lever), 6) if scale(lever) != 1 else float(value)


def from_shown(lever, shown_value: float) -> float:
    return round(shown_value / scale(lever), 10) if scale(lever) != 1 else float(shown_value)


def decimals(lever) -> int:
    step = lever.step * scale(lever)
    return 0 if step >= 1 - 1e-9 else 1 if step >= 0.1 - 1e-9 else 2


def lever_text(lever, value: float, language: str, places: int | None = None) -> str:
    """A lever value as the app shows it, with its unit: '15 %/年', '经常性收入增幅加点' (``places``: more
    decimals than the slider's, for an answer such as goal seeking's)."""
    if display(lever) == "choice":
        return choices(lever, language)[int(round(value == lever.high))]
    unit = lever_unit(lever, language)
    number = f"{shown(lever, value):.{decimals(lever) if places is None else places}f}"
    return f"{number} {unit}".strip()


# ---- units --------------------------------------------------------------------------------------------

# Indicator and target units are Chinese in the data; their English forms.
UNITS_EN = {"%": "%", "倍": "×", "亿元": "CNY 100m", "亿元(2015年价)": "CNY 100m (2015 prices)", "万元/人": "CNY 10k/person",
            "人": "persons", "人年": "person-years", "人年/万人": "person-years per 10k", "件": "items",
            "件/万人": "per 10k people", "家": "firms", "万人": "10k persons", "个": "", "名": "persons",
            "名/年": "persons a year", "所": "institutions", "条": "lines", "项": "items", "项/年": "items a year"}


def unit(name: str, language: str) -> str:
    """An indicator's or target's unit in the language."""
    return name if language == "zh" else UNITS_EN.get(name, name)


def difference_unit(name: str, language: str) -> str:
    """The unit of a difference: 百分点 (points) for a difference of percentages, else the unit itself."""
    if name == "%":
        return "百分点" if language == "zh" else "pp"
    return unit(name, language)


# The .mdl's unit words (Vensim) in Chinese and English, for the model page's tables.
MODEL_UNITS = {"Dmnl": ("无量纲", "dimensionless"), "Year": ("年", "year"), "CNY100m": ("亿元", "CNY 100m"),
               "Person": ("人", "person"), "Persons10k": ("万人", "10k persons"), "Firm": ("家", "firm"),
               "Patent": ("件", "patent"), "FTE": ("人年", "FTE")}


def model_unit(text: str, language: str) -> str:
    """A Vensim unit ('CNY100m/(Year*FTE)', '1/Year', 'Dmnl') in words: '亿元/(年·人年)', '/年', '无量纲'."""
    if not text:
        return ""
    if text == "Dmnl":
        return MODEL_UNITS["Dmnl"][0 if language == "zh" else 1]

    def word(match):
        pair = MODEL_UNITS.get(match.group(0))
        return match.group(0) if pair is None else pair[0 if language == "zh" else 1]

    out = re.sub(r"[A-Za-z][A-Za-z0-9]*", word, text)
    out = out.replace("*", "·" if language == "zh" else "·")
    if out.startswith("1/"):
        out = out[1:]
    return out


def target_text(comparator: str, value: float, unit_name: str, lang: str) -> str:
    """A target as the page shows it, e.g. '≥ 3.75 %', '≥ 2 倍' (the scorecard, goal seeking, the charts)."""
    from . import i18n

    return f"{i18n.COMPARATORS[comparator]} {value:g} {unit(unit_name, lang)}".strip()
