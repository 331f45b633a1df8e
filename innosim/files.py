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
import tomllib
from contextlib import contextmanager
from pathlib import Path

from .errors import DataError, InputError
from .paths import display

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


def read_toml(path: Path, error: type[Exception] = DataError) -> dict:
    """A TOML data file as a table; a syntax error is one ``error`` naming the file, the line and its text."""
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{display(path)}: {toml_problem(exc, text)}") from None


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


NAME_MAX = 255


def check_target(path: Path, folder: bool = False, shared: bool = False) -> None:
    """Say in one line, before any work is done, why ``path`` cannot receive an output.

    ``folder``: a folder of tables (an output set, which replaces only an
    earlier set), else one file; ``shared``: a folder that may hold other
    files (reports, parameter sets).  The nearest existing folder is tried
    with a temporary file, removed at once, so a read-only place is found
    even by root.
    """
    path = Path(path)
    if any(len(part.encode()) > NAME_MAX for part in path.parts):
        raise InputError(f"{path}: a name in the path is longer than {NAME_MAX} bytes")
    if folder or shared:
        if path.exists() and not path.is_dir():
            raise InputError(f"{path}: exists and is not a folder; give a folder to write into")
        if not shared and path.is_dir() and any(path.iterdir()) and not (path / MANIFEST).exists():
            raise InputError(f"{path}: the folder holds files innosim did not write; give a new or empty folder")
    elif path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    above = path if shared and path.is_dir() else path.parent
    while not above.exists() and above != above.parent:
        above = above.parent
    if not above.is_dir():
        raise InputError(f"{path}: {above} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=_tmp_name("probe"), dir=above)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(f"{path}: cannot be written in {above} ({exc.strerror or exc.__class__.__name__})") from None


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
    fd, tmp = tempfile.mkstemp(prefix=_tmp_name(path.name), dir=path.parent)
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

    The staging folder sits beside ``folder``.  Where the file system can swap
    two names in one step (Linux ``renameat2``), the new set and the old one
    change places atomically, so a reader sees the old set or the new one and
    never neither; elsewhere the old set is moved aside first, and a set left
    half-swapped by a kill between the two renames is restored on the next
    write.  An existing folder is replaced only if it is an earlier output set
    (it holds the ``.innosim-set`` manifest) or empty: innosim never deletes a
    user's files.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder; give a folder to write the tables into")
    parent = folder.parent
    _writable_folder(parent)
    _restore(folder)
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST).exists():
        raise InputError(f"{folder}: the folder holds files innosim did not write; give a new or empty folder")
    clean_stale(parent)
    staging = Path(tempfile.mkdtemp(prefix=_tmp_name(folder.name), dir=parent))
    try:
        yield staging
        names = sorted(p.name for p in staging.iterdir())
        (staging / MANIFEST).write_text("\n".join(names) + "\n", encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())
        if folder.exists() and _exchange(staging, folder):
            shutil.rmtree(staging, ignore_errors=True)          # the old set, now under the staging name
            return
        backup = parent / f"{_tmp_name(folder.name)}previous"
        if folder.exists():
            os.replace(folder, backup)
        os.replace(staging, folder)
        shutil.rmtree(backup, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"{folder}: cannot be written ({exc.strerror or exc.__class__.__name__})") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _host() -> str:
    """This machine, shortly: a process id means something only on the machine that made it."""
    import socket

    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _tmp_name(name: str) -> str:
    """A temporary name's prefix: hidden, and carrying the writer's process id and machine, so that the next
    writer knows a leftover of a killed process at once (``.innosim-tmp-<pid>.<host>-<name>.``)."""
    return f"{TMP_PREFIX}{os.getpid()}.{_host()}-{name}."


def _owner(item: Path) -> int | None:
    """The process id a temporary name carries, when it was made on this machine (else None: unknown)."""
    pid, _, host = item.name[len(TMP_PREFIX):].split("-", 1)[0].partition(".")
    return int(pid) if pid.isdigit() and host == _host() else None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return True                      # unknown owner: only age tells
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:                      # exists, owned by someone else
        return True
    return True


def _restore(folder: Path) -> None:
    """A set moved aside by a process killed before the new set took its place goes back."""
    if folder.exists():
        return
    backups = [b for b in folder.parent.glob(f"{TMP_PREFIX}*-{folder.name}.previous")
               if b.is_dir() and not _alive(_owner(b))]
    if backups:
        os.replace(max(backups, key=lambda b: b.stat().st_mtime), folder)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 with RENAME_EXCHANGE); False where that is not possible."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    return False                         # not supported here (old kernel, some file systems): two renames


def clean_stale(folder: Path, older_than: float = STALE_SECONDS) -> int:
    """Remove temporary files and folders that a killed run left in ``folder``; returns how many.

    A leftover whose writer is no longer running goes at once; one whose
    writer cannot be told (a name without a process id, or a process id now
    reused) goes once it is ``older_than`` seconds old.
    """
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
            if _alive(_owner(item)) and now - item.lstat().st_mtime < older_than:
                continue
            shutil.rmtree(item) if item.is_dir() and not item.is_symlink() else item.unlink()
            removed += 1
        except OSError:
            continue
    return removed
