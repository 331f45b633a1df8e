"""PySD's translation of a ``.mdl`` into its Python module, cached by the file's content hash.

The PySD engine runs it; ``innosim simulate`` runs it for models the compiled
engine does not cover; the compiled engine reads external data through it.
"""
from __future__ import annotations

import hashlib
import shutil
import warnings
from pathlib import Path

from innosim.files import content_hash, read_text, write_text
from innosim.paths import cache_root


def translated_module(path: Path, data_beside: bool = False) -> Path:
    """Path of PySD's translation of ``path``, translating on first use.

    The translation is cached in a folder named by the file's content hash,
    so an edited model is translated again and an unchanged one never is.
    With ``data_beside``, the translation reads external data (GET XLS ..., data
    files) from the model's own folder, as PySD does when it translates in place.
    """
    import pysd

    digest = content_hash(path)
    tag = ""
    if data_beside:
        tag = "-" + hashlib.sha256(str(Path(path).resolve().parent).encode()).hexdigest()[:8]
    folder = cache_root() / "pysd" / (digest[:16] + tag)
    module = folder / (Path(path).stem + ".py")
    done = folder / "translated.ok"
    if not (module.exists() and done.exists() and read_text(done).strip() == content_hash(module)):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        staging = folder / Path(path).name
        shutil.copyfile(path, staging)
        links = _link_beside(Path(path), folder) if data_beside else []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pysd.read_vensim(str(staging), initialize=False)
        finally:
            for link in links:               # PySD reads some (subscript ranges) while it translates
                link.unlink(missing_ok=True)
        if data_beside:
            # data files from the model's folder; the macros PySD wrote beside the translation stay there
            text = read_text(module).replace("_root.joinpath(", "Path(__file__).parent.joinpath(")
            text = text.replace("_root = Path(__file__).parent",
                                f"_root = Path({str(Path(path).resolve().parent)!r})", 1)
            write_text(module, text)
        write_text(done, content_hash(module))
    return module


def _link_beside(model: Path, folder: Path) -> list[Path]:
    """Links, in the staging folder, to the files beside the model (spreadsheets it reads)."""
    links = []
    for entry in model.resolve().parent.iterdir():
        target = folder / entry.name
        if entry.suffix.lower() in (".mdl", ".py") or target.exists():
            continue
        try:
            target.symlink_to(entry)
            links.append(target)
        except OSError:
            pass
    return links
