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

    A *lever* is a scalar constant whose units field carries a slider range
    (``~ 1/Year [0, 0.3, 0.01]``), as Vensim's SyntheSim sliders use it.
    """

    py_name: str              # stable identifier, e.g. "rd_intensity"
    name: str                 # Vensim name, e.g. "RD intensity"
    units: str
    limits: tuple             # (min, max[, step]) from the units field; NaN for an open end
    doc: str
    sector: str
    kind: str                 # "constant", "auxiliary", "stock", "lookup", "control", "data"
    dims: tuple = ()          # subscript ranges, e.g. ("Region", "Sector"); () for a scalar

    @property
    def is_lever(self) -> bool:
        return self.kind == "constant" and len(self.limits) == 3 and not self.dims

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
                "doc": self.doc, "sector": self.sector, "kind": self.kind, "dims": list(self.dims)}

    @classmethod
    def from_record(cls, record: dict) -> "Variable":
        limits = tuple(math.nan if v is None else float(v) for v in record["limits"])
        return cls(record["py_name"], record["name"], record["units"], limits, record["doc"], record["sector"],
                   record["kind"], tuple(record.get("dims", ())))


@dataclass(frozen=True)
class Component:
    """One equation of a variable: a subscripted variable may be defined piece by piece.

    ``subscripts`` are the left-hand side's subscripts (range or element names), ``excepts`` the
    element tuples an ``:EXCEPT:`` leaves out, ``ast`` PySD's syntax tree of the right-hand side.
    """

    subscripts: tuple
    excepts: tuple
    ast: object = field(repr=False, compare=False)
    type: str = "Auxiliary"


@dataclass(frozen=True)
class Element(Variable):
    """A variable with its equations (PySD's syntax trees); ``ast`` is the first equation's."""

    ast: object = field(default=None, repr=False, compare=False)
    components: tuple = field(default=(), repr=False, compare=False)

    @property
    def variable(self) -> Variable:
        return Variable(self.py_name, self.name, self.units, self.limits, self.doc, self.sector, self.kind,
                        self.dims)


@dataclass(frozen=True)
class Source:
    """A whole ``.mdl``: its variables, its subscript ranges and mappings, and the macros it defines."""

    path: Path
    elements: dict                     # identifier -> Element, in file order
    ranges: dict                       # range name -> element names (subranges resolved)
    mappings: dict                     # range name -> ranges it maps onto
    macros: tuple                      # names of the macros the file defines
    subscripts: object = field(default=None, repr=False, compare=False)   # PySD's SubscriptManager


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


def _is_number(ast) -> bool:
    import numpy as np

    return (isinstance(ast, (int, float, np.ndarray)) or isinstance(ast, np.number)) and not isinstance(ast, bool)


def _kind(name: str, components) -> str:
    from pysd.translators.structures import abstract_expressions as ax

    if py_identifier(name) in CONTROL_IDS:      # Vensim names are case-insensitive: "Time Step" too
        return "control"
    if all(c.type == "Lookup" for c in components):
        return "lookup"
    if any(c.type == "Data" or isinstance(c.ast, (ax.DataStructure, ax.GetDataStructure)) for c in components):
        return "data"
    if all(isinstance(c.ast, ax.IntegStructure) for c in components):
        return "stock"
    if all(_is_number(c.ast) or isinstance(c.ast, ax.GetConstantsStructure) for c in components):
        return "constant"          # numbers in the file, or read from a spreadsheet (GET XLS CONSTANTS)
    return "auxiliary"


def _limits(raw) -> tuple:
    if raw is None:
        return ()
    values = tuple(raw)
    if all(v is None for v in values[:2]):
        return ()
    return tuple(float(v) if v is not None else float("nan") for v in values)


def constant_defaults(elements: dict[str, Element], strict: bool = True) -> dict[str, float]:
    """The file's own values of its scalar constants and of its control variables.

    A control variable may be an expression of constants (Vensim writes ``SAVEPER = TIME STEP``);
    it is evaluated here.  One that changes during the run raises :class:`UnsupportedConstruct`
    naming it (``strict``), or is left out (PySD then computes it as the run goes).
    """
    from innosim.mdl.errors import UnsupportedConstruct

    out = {k: float(e.ast) for k, e in elements.items() if e.kind == "constant" and not e.dims and _is_number(e.ast)}
    for key in sorted(k for k, e in elements.items() if e.kind == "control"):
        try:
            out[key] = control_value(elements, key)
        except UnsupportedConstruct:
            if strict:
                raise
    return out


def control_value(elements: dict[str, Element], key: str, values: dict | None = None, _seen=()) -> float:
    """The value of a control variable, evaluating references to constants and other control variables."""
    from innosim.mdl.constexpr import evaluate

    return evaluate(elements, key, values, _seen)


def read_elements(path: Path) -> dict[str, Element]:
    """Parse the ``.mdl`` file (cached per path and content): its variables by identifier."""
    return dict(read_source(path).elements)


def read_source(path: Path) -> Source:
    """Parse the ``.mdl`` file (cached per path and content): variables, subscripts and macros."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such model file")
    return _read_source(path, content_hash(path))


class ModelFileError(InputError):
    """The ``.mdl`` cannot be read as a Vensim model; the message names the file and the problem."""


def _parse(path: Path):
    from pysd.translators.vensim.vensim_file import VensimFile

    text = read_text(path)
    if "{UTF-8}" not in text[:200] and not any(sep in text for sep in ("~", "|")):
        raise ModelFileError(f"{path}: is not a Vensim model file (no equations found)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = VensimFile(path)
            parsed.parse()
            return text, parsed.get_abstract_model()
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ModelFileError(f"{path}: PySD cannot parse it ({exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0][:200] if str(exc) else 'no detail'})") from None
    except Exception as exc:       # parsimonious raises its own ParseError/IncompleteParseError
        raise ModelFileError(f"{path}: is not valid Vensim ({exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0][:200] if str(exc) else 'no detail'})") from None


@lru_cache(maxsize=8)
def _read_source(path: Path, digest: str) -> Source:
    """Parse the ``.mdl`` file with PySD's Vensim parser.

    ``digest`` keys the cache, so an edited file is parsed again.  Macros are
    listed, not read: the compiled engine refuses them and PySD runs such models.
    """
    from pysd.builders.python.subscripts import SubscriptManager

    text, abstract = _parse(path)
    main = [s for s in abstract.sections if s.type == "main"]
    macros = tuple(s.name for s in abstract.sections if s.type == "macro")
    if len(main) != 1:
        raise ModelFileError(f"{path}: has no main section")
    section = main[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            manager = SubscriptManager(section.subscripts, path.parent)
    except Exception as exc:     # a subscript range read from a spreadsheet, or malformed
        raise ModelFileError(f"{path}: its subscript ranges cannot be read ({exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0][:200] if str(exc) else 'no detail'})") from None
    sectors = sectors_by_name(text)
    elements = {}
    for element in section.elements:
        components = tuple(Component(tuple(c.subscripts[0]), tuple(tuple(e) for e in c.subscripts[1]), c.ast,
                                     c.type) for c in element.components)
        dims = _final_dims(manager, components, element.name) if any(c.subscripts for c in components) else ()
        py_name = py_identifier(element.name)
        elements[py_name] = Element(
            py_name=py_name,
            name=element.name,
            units=(element.units or "").strip(),
            limits=_limits(element.limits),
            doc=(element.documentation or "").strip(),
            sector=sectors.get(element.name, "Control"),
            kind=_kind(element.name, components),
            dims=dims,
            ast=components[0].ast,
            components=components,
        )
    missing = {py_identifier(n) for n in CONTROL_NAMES} - set(elements)
    if missing:
        raise ModelFileError(f"{path}: lacks the control variable '{sorted(missing)[0]}'")
    ranges = {name: list(values) for name, values in manager.subscripts.items()}   # merging may add ranges
    mappings = {name: list(maps) for name, maps in manager.mapping.items() if maps}
    return Source(path, elements, ranges, mappings, macros, manager)


def _final_dims(manager, components, name: str) -> tuple:
    """The subscript ranges of a variable defined by these equations (PySD's rule for merging them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return tuple(manager.make_merge_list([list(c.subscripts) for c in components], name))
        except Exception:              # equations of different dimensions: the compiler names it
            return tuple(components[0].subscripts)
