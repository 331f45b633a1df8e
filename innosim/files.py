"""File primitives shared by every part of innosim: content hashes, tolerant reading, atomic writing.

One atomic writer serves every export, parameter set and cache entry: a
file is written to a temporary name beside its target and renamed into
place, so a reader never sees half a file.  ``output_set`` does the same for
a whole folder of tables and their metadata: either the new set is there
complete, or the old one is untouched.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import DataError, InputError

TMP_PREFIX = ".innosim-tmp-"
STALE_SECONDS = 3600          # temporary files older than this are leftovers of a killed run


def content_hash(path: Path) -> str:
    """SHA-256 of a file's bytes: the identity of a model, data file or scenario version."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_text(path: Path) -> str:
    """A UTF-8 text file, with or without a byte-order mark (as Excel saves CSV)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: missing file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise DataError(f"{path}: line {line}: not UTF-8 text") from None


def read_csv_rows(path: Path, required: tuple[str, ...] = ()) -> list[dict]:
    """A CSV file as dicts; a missing column or a ragged row is a one-line error naming the file and line."""
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = reader.fieldnames or []
    missing = [c for c in required if c not in columns]
    if missing:
        raise DataError(f"{path}: line 1: missing column '{missing[0]}'; the header must have {', '.join(required)}")
    rows = []
    for row in reader:
        if None in row or any(v is None for v in row.values()):
            raise DataError(f"{path}: line {reader.line_num}: has {len([v for v in row.values() if v is not None])} "
                            f"fields, the header {len(columns)}")
        rows.append(row)
    return rows


def toml_problem(exc: Exception, text: str) -> str:
    """A TOML syntax error as a message shows it: the line, the problem and the line's own text.

    ``tomllib`` reports "Invalid value (at line 3, column 8)"; the line's text
    shows the user which key it is.
    """
    match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
    problem = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
    if not match:
        return f"not valid TOML ({problem})"
    number = int(match.group(1))
    lines = text.splitlines()
    shown = lines[number - 1].strip() if 0 < number <= len(lines) else ""
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"line {number}: not valid TOML ({problem})" + (f": {shown}" if shown else "")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _writable_folder(folder: Path) -> None:
    """Create ``folder`` (and parents) or say in one line why it cannot be written."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{folder}: the folder is not writable")


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside ``path``; rename it into place on success.

    On any failure the temporary file is removed and ``path`` is untouched;
    an OS error (a full disk, a read-only folder) becomes one line naming the file.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    _writable_folder(path.parent)
    clean_stale(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files private; outputs follow the umask
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot be written ({exc.strerror or exc.__class__.__name__})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: Path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


MANIFEST = ".innosim-set"        # lists the files of an output set; marks a folder innosim may replace


@contextmanager
def output_set(folder: Path):
    """Yield a staging folder; on success it replaces ``folder`` as a whole.

    The staging folder sits beside ``folder`` and becomes it by a rename, so
    either the complete new set is there or the old set is untouched.  An
    existing folder is replaced only if it is an earlier output set (it holds
    the ``.innosim-set`` manifest) or empty: innosim never deletes a user's files.
    A set left half-swapped by a kill between the two renames is restored on the next write.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder; give a folder to write the tables into")
    parent = folder.parent
    _writable_folder(parent)
    backup = parent / f"{TMP_PREFIX}{folder.name}.previous"
    if backup.is_dir() and not folder.exists():
        os.replace(backup, folder)                     # a kill between the two renames: put the old set back
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST).exists():
        raise InputError(f"{folder}: the folder holds files innosim did not write; give a new or empty folder")
    clean_stale(parent)
    staging = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{folder.name}.", dir=parent))
    try:
        yield staging
        names = sorted(p.name for p in staging.iterdir())
        (staging / MANIFEST).write_text("\n".join(names) + "\n", encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())
        if folder.exists():
            shutil.rmtree(backup, ignore_errors=True)
            os.replace(folder, backup)
        os.replace(staging, folder)
        shutil.rmtree(backup, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"{folder}: cannot be written ({exc.strerror or exc.__class__.__name__})") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise




def clean_stale(folder: Path, older_than: float = STALE_SECONDS) -> int:
    """Remove temporary files and folders that a killed run left in ``folder``; returns how many."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    now, removed = time.time(), 0
    try:
        items = list(folder.iterdir())
    except OSError:
        return 0
    for item in items:
        if not item.name.startswith(TMP_PREFIX):
            continue
        try:
            if now - item.lstat().st_mtime < older_than:
                continue
            shutil.rmtree(item) if item.is_dir() else item.unlink()
            removed += 1
        except OSError:
            continue
    return removed
