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


ENTRY_FILES = ("engine.py", "variables.json")
MODULE_NAMES = ("SAVED", "LEVERS", "DRIVEN")     # what the engine reads from a compiled module


def _intact(folder: Path) -> bool:
    """Whether a cache entry is complete and unaltered: its manifest lists exactly its files, with their hashes."""
    manifest = folder / "manifest.json"
    try:
        record = json.loads(manifest.read_text(encoding="utf-8"))
        files = record["files"]
        return sorted(files) == sorted(ENTRY_FILES) and \
            all(content_hash(folder / name) == files[name] for name in ENTRY_FILES)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _clear(path: Path) -> None:
    """Remove a damaged cache entry, whatever it has become (a folder, a file, a link)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)


def _cache_folder(folder: Path) -> None:
    """Make an entry's folder inside the cache root; what innosim put there and is in the way goes, the root
    itself is the user's (a file there is an error, never deleted)."""
    root = cache_root()
    if root.exists() and not root.is_dir():
        raise DataError(f"{root}: the cache folder is a file; set INNOSIM_CACHE_DIR to a folder innosim may use")
    for part in reversed(folder.relative_to(root).parents[:-1]):
        if (root / part).exists() and not (root / part).is_dir():
            _clear(root / part)
    _clear(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataError(f"{root}: the cache folder cannot be written ({exc.strerror or exc.__class__.__name__}); "
                        f"set INNOSIM_CACHE_DIR to a writable folder") from None


def compiled_artifacts(path: Path, driven: frozenset[str] = frozenset()
                       ) -> tuple[object, dict[str, Variable], dict[str, float]]:
    """The compiled module, variable metadata and constant defaults for ``path``.

    Generated once per model version (content hash), compiler version and
    set of driven variables, into the cache folder; later processes skip
    PySD's 1.5 s parse.  Raises :class:`~innosim.mdl.compiler.UnsupportedConstruct`
    when the model uses Vensim the compiler does not cover.
    """
    folder = compiled_folder(path, driven)
    if _intact(folder):
        try:
            return _read_entry(folder)
        except Exception:                 # hashes agree, content does not (edited together): build it again
            pass
    _build(path, folder, driven)
    try:
        return _read_entry(folder)
    except Exception as exc:
        raise DataError(f"{folder}: the cache entry built just now cannot be loaded ({exc.__class__.__name__}: "
                        f"{str(exc).splitlines()[0] if str(exc) else ''}); delete the folder") from None


def _build(path: Path, folder: Path, driven: frozenset[str]) -> None:
    from innosim.mdl import compiler  # imports PySD's parser (~0.6 s): only when the cache must be built
    from innosim.mdl.source import constant_defaults, read_elements

    elements = read_elements(path)
    source = compiler.generate(elements, content_hash(path), frozenset(driven), COMPILER_VERSION)
    payload = {"variables": [e.record() for e in elements.values()],
               "defaults": constant_defaults(elements)}
    _cache_folder(folder)
    write_text(folder / "variables.json", json.dumps(payload, ensure_ascii=False, indent=1))
    write_text(folder / "engine.py", source)
    write_text(folder / "manifest.json", json.dumps(          # last: an entry without it is never trusted
        {"model_sha256": content_hash(path), "compiler_version": COMPILER_VERSION,
         "files": {n: content_hash(folder / n) for n in ENTRY_FILES}}, indent=1))


def _read_entry(folder: Path):
    """An intact entry's module, variables and defaults; any fault here means the entry is damaged."""
    payload = json.loads(read_text(folder / "variables.json"))
    variables = {r["py_name"]: Variable.from_record(r) for r in payload["variables"]}
    defaults = {str(k): float(v) for k, v in payload["defaults"].items()}
    module = _load_module(folder / "engine.py", f"innosim_compiled_{folder.name.replace('-', '_')}")
    missing = [name for name in MODULE_NAMES if not hasattr(module, name)]
    if missing:
        raise AttributeError(f"the compiled module has no {missing[0]}")
    return module, variables, defaults


def verification_file(path: Path, region_data_sha: str) -> Path:
    """Where the verdict of checking the compiled engine against PySD is kept, per model and region data."""
    return compiled_folder(path) / f"verified-{region_data_sha[:16]}.json"
