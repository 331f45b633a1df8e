"""Parameter sets: calibrated values of model constants, per region, layered and with their provenance.

A set is a JSON file per region (``<set>/<region>.json``).  Sets are layered:
a run starts from the region data, then applies each layer of the set's
chain in turn.  The ``plan`` set sits on the ``history`` set, which sits on
the region data, so a plan-mode result is always reproduced with the
history fit underneath it, as plan mode computed it.  A layer records the
SHA-256 of its base; a base that has changed since makes the set stale, which
is a one-line error, never a silent mix.

Sets are chosen by name (shipped sets in ``calibration/sets/``, then the
user's own in the user data folder), or by an explicit path to a set file
or folder.  ``none`` is the region data alone.  A missing set is an error.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from innosim.errors import DataError, InputError
from innosim.files import read_text, write_text
from innosim.paths import display, shipped_sets_dir, user_sets_dir

DEFAULT = "history"
NONE = "none"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_BYTES = 4_000_000


@dataclass(frozen=True)
class Layer:
    """One file of a set's chain."""

    name: str
    path: Path
    sha256: str
    values: dict
    record: dict = field(compare=False, repr=False)
    text: str = field(default="", compare=False, repr=False)

    def line_of(self, key: str) -> int:
        """The line of the file where a parameter is given (1 when it cannot be found)."""
        return _line_of(self.text, key)


@dataclass(frozen=True)
class ParameterSet:
    """A resolved set: its layers (base first) and the values they give together."""

    name: str
    region: str
    layers: tuple[Layer, ...] = ()

    @property
    def values(self) -> dict:
        merged: dict = {}
        for layer in self.layers:
            merged.update(layer.values)
        return merged

    @property
    def top(self) -> Layer | None:
        return self.layers[-1] if self.layers else None

    @property
    def path(self) -> Path | None:
        return self.top.path if self.top else None

    @property
    def sha256(self) -> str | None:
        return self.top.sha256 if self.top else None

    @property
    def extras(self) -> dict:
        """The top layer's record beyond its values: standard errors, correlation, recorded outcomes."""
        if not self.top:
            return {}
        return {k: v for k, v in self.top.record.items() if k not in ("parameters", "provenance")}

    @property
    def provenance(self) -> dict:
        return self.top.record.get("provenance", {}) if self.top else {}

    def fitted(self) -> dict:
        """The values fitted in the top layer (the ones whose standard errors it records)."""
        return dict(self.top.values) if self.top else {}

    def identity(self) -> dict:
        return {"name": self.name, "region": self.region,
                "layers": [{"name": la.name, "file": display(la.path), "sha256": la.sha256} for la in self.layers]}


def available() -> list[str]:
    """Names of the shipped and user sets (user sets that shadow a shipped name are not listed)."""
    names = set()
    for folder in (shipped_sets_dir(), user_sets_dir()):
        if folder.is_dir():
            names |= {p.name for p in folder.iterdir() if p.is_dir() and NAME.match(p.name)}
    return sorted(names)


def is_path(selector: str) -> bool:
    return "/" in selector or "\\" in selector or selector.endswith(".json")


def locate(selector: str | None, region: str) -> tuple[str, Path | None]:
    """The (name, file) a selector means for a region; ``(none, None)`` for the region data alone."""
    selector = DEFAULT if selector is None else str(selector)
    if selector == NONE:
        return NONE, None
    if is_path(selector):
        path = Path(selector).expanduser()
        if path.is_dir():
            path = path / f"{region}.json"
        if not path.is_file():
            raise InputError(f"parameter set {selector}: no such parameter-set file"
                             f"{f' ({path.name} for {region})' if path.suffix == '.json' else ''}")
        return path.stem if path.parent.name in ("", ".") else path.parent.name, path
    if not NAME.match(selector):
        raise InputError(f"parameter set '{selector}': not a set name; allowed: {', '.join(available() + [NONE])}, "
                         f"or a path to a set file such as ./sets/history/{region}.json")
    for folder in (shipped_sets_dir(), user_sets_dir()):
        path = folder / selector / f"{region}.json"
        if path.is_file():
            return selector, path
        if path.exists():
            raise DataError(f"{display(path)}: not a file; a parameter set holds one JSON file per region")
    known = available()
    if selector in known:
        raise InputError(f"parameter set '{selector}' has no file for {region}")
    raise InputError(f"no parameter set '{selector}'; allowed: {', '.join(known + [NONE])}")


def _line_of(text: str, key: str) -> int:
    match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _no_duplicates(pairs):
    """A JSON object whose keys are unique: a parameter given twice is a mistake, not 'the last one wins'."""
    record = {}
    for key, value in pairs:
        if key in record:
            raise _Duplicate(key)
        record[key] = value
    return record


class _Duplicate(ValueError):
    pass


def _read_layer(name: str, path: Path, region: str) -> Layer:
    import hashlib

    where = display(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataError(f"{where}: cannot be read ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise DataError(f"{where}: {size} bytes; a parameter set may have at most {MAX_BYTES} bytes")
    text = read_text(path)
    try:
        record = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise DataError(f"{where}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except _Duplicate as exc:
        raise DataError(f"{where}: line {_line_of(text, str(exc))}: '{exc}' is given twice; keep one") from None
    except RecursionError:
        raise DataError(f"{where}: nested too deeply; a parameter set is an object of name: value pairs") from None
    if not isinstance(record, dict) or not isinstance(record.get("parameters"), dict):
        raise DataError(f"{where}: not a parameter set (it needs a \"parameters\" object of name: value)")
    owner = record.get("region", region)
    if not isinstance(owner, str):
        raise DataError(f"{where}: line {_line_of(text, 'region')}: region = {owner!r}; allowed: {region}")
    if owner != region:
        raise DataError(f"{where}: is a parameter set for {owner}, not {region}")
    values = {}
    for key, value in record["parameters"].items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise DataError(f"{where}: line {_line_of(text, key)}: parameters.{key} = {json.dumps(value)} is not "
                            f"a finite number")
        values[str(key)] = float(value)
    return Layer(name, path, hashlib.sha256(text.encode("utf-8")).hexdigest(), values, record, text)


def load_set(selector: str | None, region: str, _seen: tuple = ()) -> ParameterSet:
    """The set a selector names, for a region, with its base layers beneath it."""
    name, path = locate(selector, region)
    if path is None:
        return ParameterSet(NONE, region)
    layer = _read_layer(name, path, region)
    base = layer.record.get("base")
    if base in (None, NONE):
        return ParameterSet(name, region, (layer,))
    where = f"{display(path)}: line {_line_of(layer.text, 'base')}"
    if not isinstance(base, str) or base in _seen + (name,) or len(_seen) > 8:
        raise DataError(f"{where}: base = {json.dumps(base)} is not a set this one can sit on")
    try:
        under = load_set(base if not is_path(base) else str((path.parent / base).resolve()), region, _seen + (name,))
    except DataError:
        raise
    except InputError as exc:
        raise DataError(f"{where}: base = {json.dumps(base)}: {exc}") from None
    expected = layer.record.get("base_sha256")
    if expected and under.sha256 != expected:
        raise DataError(f"{path}: stale: it was fitted on parameter set '{base}' sha256 {expected[:12]}…, "
                        f"which is now {str(under.sha256)[:12]}…; calibrate it again")
    return ParameterSet(name, region, under.layers + (layer,))


def write_set(folder: Path, region: str, values: dict, provenance: dict, base: ParameterSet | None = None,
              extra: dict | None = None) -> Path:
    """Write one region's layer to ``folder/<region>.json`` atomically; ``base`` is the set it sits on."""
    record = {"mode": Path(folder).name, "region": region,
              "base": base.name if base is not None and base.name != NONE else None,
              "base_sha256": base.sha256 if base is not None else None,
              "parameters": values, **(extra or {}), "provenance": provenance}
    path = Path(folder) / f"{region}.json"
    write_text(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return path
