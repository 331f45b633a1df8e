"""The model source: one Vensim ``.mdl`` file, read through PySD's own parser.

Everything the project knows about the model — names, units, slider ranges,
descriptions, equations — comes from this file.  PySD parses it into an
abstract model; the PySD engine and the compiled engine are both built from
that one parse, so there is a single definition of the model.

Vensim groups (``********  .Sector  ********``) are not kept by PySD's
parser, so the sector of each variable is read here from the raw text.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent
MODEL_FILE = MODEL_DIR / "innovation_system.mdl"
# The compiled engine's generator version: part of its cache key, so a new generator rebuilds the cache.
# It lives here, not in compiler.py, so that a process with a warm cache never imports PySD.
COMPILER_VERSION = 4

_GROUP_HEADER = re.compile(r"^\*{8,}\s*\n\s*\.(?P<name>[^\n]+?)\s*\n\*{8,}", re.M)
_SKETCH = "\\\\\\---///"


def content_hash(path: Path = MODEL_FILE) -> str:
    """SHA-256 of the model file's bytes: the identity of a model version."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def cache_root() -> Path:
    """Where generated files live: outside the source tree, never committed.

    ``INNOSIM_CACHE_DIR`` overrides the default ``~/.cache/innosim``.
    """
    base = os.environ.get("INNOSIM_CACHE_DIR")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "innosim"


def translated_module(path: Path = MODEL_FILE) -> Path:
    """Path of PySD's translation of ``path``, translating on first use.

    The translation is cached in a folder named by the file's content hash,
    so an edited model is translated again and an unchanged one never is.
    """
    import pysd

    digest = content_hash(path)
    folder = cache_root() / "pysd" / digest[:16]
    module = folder / (Path(path).stem + ".py")
    if not module.exists():
        folder.mkdir(parents=True, exist_ok=True)
        staging = folder / Path(path).name
        shutil.copyfile(path, staging)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pysd.read_vensim(str(staging), initialize=False)
    return module


@dataclass(frozen=True)
class Element:
    """One model variable as written in the ``.mdl`` file."""

    name: str                 # Vensim name, e.g. "RD intensity"
    py_name: str              # stable identifier, e.g. "rd_intensity"
    units: str
    limits: tuple             # (min, max[, step]) from the units field
    doc: str
    sector: str
    kind: str                 # "constant", "auxiliary", "stock", "lookup", "control"
    ast: object = field(repr=False, compare=False)

    @property
    def is_lever(self) -> bool:
        """A lever is a constant whose units field carries a slider range."""
        return self.kind == "constant" and len(self.limits) == 3


CONTROL_NAMES = {"INITIAL TIME", "FINAL TIME", "TIME STEP", "SAVEPER"}


def py_identifier(name: str) -> str:
    """The identifier PySD's parser gives a Vensim name in references."""
    return re.sub(r"\s+", "_", name.strip()).lower()


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
    if isinstance(component.ast, (int, float)):
        return "constant"
    return "auxiliary"


def _limits(raw) -> tuple:
    if raw is None:
        return ()
    values = tuple(raw)
    if all(v is None for v in values[:2]):
        return ()
    return tuple(float(v) if v is not None else float("nan") for v in values)


def read_elements(path: Path = MODEL_FILE) -> dict[str, Element]:
    """Parse the ``.mdl`` file (cached per path and content)."""
    return dict(_read_elements(Path(path), content_hash(path)))


@lru_cache(maxsize=4)
def _read_elements(path: Path, digest: str) -> dict[str, Element]:
    """Parse the ``.mdl`` file with PySD's Vensim parser.

    ``digest`` keys the cache, so an edited file is parsed again.  Returns the elements keyed by their stable identifier.  Subscripts and
    macros are not used by this model and are rejected here, so a modeller
    who adds them learns at once that the compiled engine needs extending.
    """
    from pysd.translators.vensim.vensim_file import VensimFile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = VensimFile(path)
        parsed.parse()
        abstract = parsed.get_abstract_model()
    if len(abstract.sections) != 1:
        raise ValueError(f"{path.name}: macros are not supported")
    sectors = sectors_by_name(path.read_text(encoding="utf-8"))
    elements = {}
    for element in abstract.sections[0].elements:
        if len(element.components) != 1 or element.components[0].subscripts[0]:
            raise ValueError(f"{path.name}: '{element.name}' uses subscripts, which are not supported")
        component = element.components[0]
        py_name = py_identifier(element.name)
        elements[py_name] = Element(
            name=element.name,
            py_name=py_name,
            units=(element.units or "").strip(),
            limits=_limits(element.limits),
            doc=(element.documentation or "").strip(),
            sector=sectors.get(element.name, "Control"),
            kind=_kind(element.name, component),
            ast=component.ast,
        )
    return elements
