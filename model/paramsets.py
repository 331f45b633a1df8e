"""Parameter sets: calibrated values of model constants, per region and mode, with their provenance.

A set lives in ``calibration/sets/<mode>/<region>.json``.  Runs use the
``history`` set by default; ``parameter_set="none"`` runs on the region data
alone, and any other name selects another set.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .data import PROJECT_DIR

SETS_DIR = PROJECT_DIR / "calibration" / "sets"
DEFAULT = "history"
NONE = "none"


@dataclass(frozen=True)
class ParameterSet:
    name: str
    region: str
    values: dict
    provenance: dict
    path: Path | None
    sha256: str | None
    extras: dict = field(default_factory=dict, compare=False)   # the rest of the record: standard errors,
                                                                # correlation, plan-mode verdicts

    def identity(self) -> dict:
        return {"name": self.name, "region": self.region,
                "file": str(self.path.relative_to(PROJECT_DIR)) if self.path else None, "sha256": self.sha256}


def set_path(name: str, region: str) -> Path:
    return SETS_DIR / name / f"{region}.json"


def available() -> list[str]:
    return sorted(p.name for p in SETS_DIR.iterdir() if p.is_dir()) if SETS_DIR.exists() else []


def load_set(name: str | None, region: str) -> ParameterSet:
    """The named set for a region; the empty set when it is 'none' or the region has no file for it."""
    name = name or DEFAULT
    if name == NONE:
        return ParameterSet(NONE, region, {}, {}, None, None)
    path = set_path(name, region)
    if not path.exists():
        if name == DEFAULT:
            return ParameterSet(NONE, region, {}, {"note": f"no {DEFAULT} set for {region}"}, None, None)
        raise FileNotFoundError(f"no parameter set '{name}' for {region} ({path})")
    raw = path.read_bytes()
    record = json.loads(raw)
    extras = {k: v for k, v in record.items() if k not in ("parameters", "provenance")}
    return ParameterSet(name, region, dict(record["parameters"]), record.get("provenance", {}), path,
                        hashlib.sha256(raw).hexdigest(), extras)


def write_set(name: str, region: str, values: dict, provenance: dict, extra: dict | None = None) -> Path:
    from .export import write_json

    record = {"mode": name, "region": region, "parameters": values, **(extra or {}), "provenance": provenance}
    return write_json(record, set_path(name, region))
