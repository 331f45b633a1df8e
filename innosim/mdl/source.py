"""The model source: one Vensim ``.mdl`` file, read through PySD's own parser.

Everything the project knows about the model (names, units, slider ranges,
descriptions, equations) comes from this file.  PySD parses it into an
abstract model; the PySD engine and the compiled engine are both built from
that one parse, so there is a single definition of the model.

Vensim groups (``********  .Sector  ********``) are not kept by PySD's
parser, so the sector of each variable is read here from the raw text.
"""
from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from innosim.errors import InputError
from innosim.files import content_hash, read_text

CONTROL_NAMES = {"INITIAL TIME", "FINAL TIME", "TIME STEP", "SAVEPER"}

_GROUP_HEADER = re.compile(r"^\*{8,}\s*\n\s*\.(?P<name>[^\n]+?)\s*\n\*{8,}", re.M)
_SKETCH = "\\\\\\---///"


@dataclass(frozen=True)
class Variable:
    """One model variable as the ``.mdl`` declares it: the single record of its name, units and range.

    A *lever* is a constant whose units field carries a slider range
    (``~ 1/Year [0, 0.3, 0.01]``), as Vensim's SyntheSim sliders use it.
    """

    py_name: str              # stable identifier, e.g. "rd_intensity"
    name: str                 # Vensim name, e.g. "RD intensity"
    units: str
    limits: tuple             # (min, max[, step]) from the units field; NaN for an open end
    doc: str
    sector: str
    kind: str                 # "constant", "auxiliary", "stock", "lookup", "control" (or "data" for a driven input)

    @property
    def is_lever(self) -> bool:
        return self.kind == "constant" and len(self.limits) == 3

    @property
    def low(self) -> float:
        return self.limits[0] if self.limits else math.nan

    @property
    def high(self) -> float:
        return self.limits[1] if len(self.limits) > 1 else math.nan

    @property
    def step(self) -> float:
        return self.limits[2] if len(self.limits) > 2 else math.nan

    def record(self) -> dict:
        """The variable as JSON (the compiled engine's cache keeps its metadata so)."""
        return {"py_name": self.py_name, "name": self.name, "units": self.units,
                "limits": [None if (isinstance(v, float) and math.isnan(v)) else v for v in self.limits],
                "doc": self.doc, "sector": self.sector, "kind": self.kind}

    @classmethod
    def from_record(cls, record: dict) -> "Variable":
        limits = tuple(math.nan if v is None else float(v) for v in record["limits"])
        return cls(record["py_name"], record["name"], record["units"], limits, record["doc"], record["sector"],
                   record["kind"])


@dataclass(frozen=True)
class Element(Variable):
    """A variable with its equation: PySD's abstract syntax tree of it."""

    ast: object = field(default=None, repr=False, compare=False)

    @property
    def variable(self) -> Variable:
        return Variable(self.py_name, self.name, self.units, self.limits, self.doc, self.sector, self.kind)


def py_identifier(name: str) -> str:
    """The identifier PySD's parser gives a Vensim name in references."""
    return re.sub(r"\s+", "_", name.strip()).lower()


CONTROL_IDS = {py_identifier(n) for n in CONTROL_NAMES}


def sectors_by_name(text: str) -> dict[str, str]:
    """Map each variable name to the Vensim group it is written under."""
    text = text.split(_SKETCH)[0]
    headers = [(m.start(), m.end(), m.group("name").strip()) for m in _GROUP_HEADER.finditer(text)]
    sectors = {}
    for i, (_, end, group) in enumerate(headers):
        stop = headers[i + 1][0] if i + 1 < len(headers) else len(text)
        body = text[end:stop]
        # The header's own comment runs to its first '|'.
        for chunk in body.split("|")[1:]:
            head = chunk.strip()
            if not head:
                continue
            match = re.match(r"([^=(~]+?)\s*(?:=|\()", head)
            if match:
                sectors[match.group(1).strip()] = group
    return sectors


def _kind(name: str, component) -> str:
    from pysd.translators.structures.abstract_expressions import IntegStructure

    if name in CONTROL_NAMES:
        return "control"
    if component.type == "Lookup":
        return "lookup"
    if isinstance(component.ast, IntegStructure):
        return "stock"
    if isinstance(component.ast, (int, float)) and not isinstance(component.ast, bool):
        return "constant"
    return "auxiliary"


def _limits(raw) -> tuple:
    if raw is None:
        return ()
    values = tuple(raw)
    if all(v is None for v in values[:2]):
        return ()
    return tuple(float(v) if v is not None else float("nan") for v in values)


def constant_defaults(elements: dict[str, Element]) -> dict[str, float]:
    """The file's own values of its constants and control variables."""
    return {k: float(e.ast) for k, e in elements.items() if e.kind in ("constant", "control")}


def read_elements(path: Path) -> dict[str, Element]:
    """Parse the ``.mdl`` file (cached per path and content)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such model file")
    return dict(_read_elements(path, content_hash(path)))


class ModelFileError(InputError):
    """The ``.mdl`` cannot be read as a Vensim model; the message names the file and the problem."""


@lru_cache(maxsize=4)
def _read_elements(path: Path, digest: str) -> dict[str, Element]:
    """Parse the ``.mdl`` file with PySD's Vensim parser.

    ``digest`` keys the cache, so an edited file is parsed again.  Returns the
    elements keyed by their stable identifier.  Subscripts and macros are not
    read here: the project's model does not use them (``innosim simulate`` runs
    such models through PySD).
    """
    from pysd.translators.vensim.vensim_file import VensimFile

    text = read_text(path)
    if "{UTF-8}" not in text[:200] and not any(sep in text for sep in ("~", "|")):
        raise ModelFileError(f"{path}: is not a Vensim model file (no equations found)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = VensimFile(path)
            parsed.parse()
            abstract = parsed.get_abstract_model()
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ModelFileError(f"{path}: PySD cannot parse it ({exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0][:200] if str(exc) else 'no detail'})") from None
    except Exception as exc:       # parsimonious raises its own ParseError/IncompleteParseError
        raise ModelFileError(f"{path}: is not valid Vensim ({exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0][:200] if str(exc) else 'no detail'})") from None
    if len(abstract.sections) != 1:
        raise ModelFileError(f"{path}: uses macros, which the project's model does not support")
    sectors = sectors_by_name(text)
    elements = {}
    for element in abstract.sections[0].elements:
        if len(element.components) != 1 or element.components[0].subscripts[0]:
            raise ModelFileError(f"{path}: '{element.name}' uses subscripts, which the project's model does not "
                                 f"support")
        component = element.components[0]
        py_name = py_identifier(element.name)
        elements[py_name] = Element(
            py_name=py_name,
            name=element.name,
            units=(element.units or "").strip(),
            limits=_limits(element.limits),
            doc=(element.documentation or "").strip(),
            sector=sectors.get(element.name, "Control"),
            kind=_kind(element.name, component),
            ast=component.ast,
        )
    missing = {py_identifier(n) for n in CONTROL_NAMES} - set(elements)
    if missing:
        raise ModelFileError(f"{path}: lacks the control variable '{sorted(missing)[0]}'")
    return elements
