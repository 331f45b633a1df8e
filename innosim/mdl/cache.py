"""Generated files, cached by the model's content hash: PySD's translation and the compiled engine.

Nothing here is committed or written into the package: everything lives
under :func:`innosim.paths.cache_root`.  Every compiled entry carries a
manifest with the SHA-256 of its files; an entry whose files do not match
(truncated, edited, half-written by a killed process) is rebuilt, never run.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import warnings
from pathlib import Path

from innosim.errors import DataError
from innosim.files import content_hash, read_text, write_text
from innosim.mdl.source import Variable
from innosim.paths import cache_root

# The compiled engine's generator version: part of its cache key, so a new generator rebuilds the cache.
# It lives here, not in compiler.py, so that a process with a warm cache never imports PySD.
COMPILER_VERSION = 6


def translated_module(path: Path) -> Path:
    """Path of PySD's translation of ``path``, translating on first use.

    The translation is cached in a folder named by the file's content hash,
    so an edited model is translated again and an unchanged one never is.
    """
    import pysd

    digest = content_hash(path)
    folder = cache_root() / "pysd" / digest[:16]
    module = folder / (Path(path).stem + ".py")
    done = folder / "translated.ok"
    if not (module.exists() and done.exists() and read_text(done).strip() == content_hash(module)):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        staging = folder / Path(path).name
        shutil.copyfile(path, staging)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pysd.read_vensim(str(staging), initialize=False)
        write_text(done, content_hash(module))
    return module


def _load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compiled_folder(path: Path, driven: frozenset[str] = frozenset()) -> Path:
    digest = content_hash(path)
    tag = "" if not driven else "-d" + hashlib.sha256(",".join(sorted(driven)).encode()).hexdigest()[:10]
    return cache_root() / "compiled" / f"{digest[:16]}-v{COMPILER_VERSION}{tag}"


def _intact(folder: Path) -> bool:
    """Whether a cache entry is complete and unaltered (its manifest's hashes match its files)."""
    manifest = folder / "manifest.json"
    try:
        record = json.loads(manifest.read_text(encoding="utf-8"))
        return all(content_hash(folder / name) == digest for name, digest in record["files"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def compiled_artifacts(path: Path, driven: frozenset[str] = frozenset()
                       ) -> tuple[object, dict[str, Variable], dict[str, float]]:
    """The compiled module, variable metadata and constant defaults for ``path``.

    Generated once per model version (content hash), compiler version and
    set of driven variables, into the cache folder; later processes skip
    PySD's 1.5 s parse.  Raises :class:`~innosim.mdl.compiler.UnsupportedConstruct`
    when the model uses Vensim the compiler does not cover.
    """
    folder = compiled_folder(path, driven)
    if not _intact(folder):
        from innosim.mdl import compiler  # imports PySD's parser (~0.6 s): only when the cache must be built
        from innosim.mdl.source import constant_defaults, read_elements

        elements = read_elements(path)
        source = compiler.generate(elements, content_hash(path), frozenset(driven), COMPILER_VERSION)
        payload = {"variables": [e.record() for e in elements.values()],
                   "defaults": constant_defaults(elements)}
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        write_text(folder / "variables.json", json.dumps(payload, ensure_ascii=False, indent=1))
        write_text(folder / "engine.py", source)
        write_text(folder / "manifest.json", json.dumps(
            {"model_sha256": content_hash(path), "compiler_version": COMPILER_VERSION,
             "files": {n: content_hash(folder / n) for n in ("engine.py", "variables.json")}}, indent=1))
    try:
        payload = json.loads(read_text(folder / "variables.json"))
        variables = {r["py_name"]: Variable.from_record(r) for r in payload["variables"]}
        module = _load_module(folder / "engine.py", f"innosim_compiled_{folder.name.replace('-', '_')}")
    except (ValueError, KeyError, SyntaxError) as exc:
        raise DataError(f"{folder}: damaged cache entry ({exc.__class__.__name__}); delete the folder") from None
    return module, variables, payload["defaults"]


def verification_file(path: Path, region_data_sha: str) -> Path:
    """Where the verdict of checking the compiled engine against PySD is kept, per model and region data."""
    return compiled_folder(path) / f"verified-{region_data_sha[:16]}.json"
