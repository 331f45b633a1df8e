"""The command line's side of one-line errors: options checked before any work, core errors in option terms.

The core names keys and values (``samples 0: allowed: 2 to ...``); a user
of the command typed ``--samples 0``, so every message about an option names
the option as typed.  Outputs are checked before a run starts, so a bad
``--out`` costs nothing and leaves nothing behind.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Iterable

from innosim.errors import InputError, shown
from innosim.files import check_target


class UserError(Exception):
    """An error in what the user asked for; reported in one line."""


def as_option(flag: str, value, exc: InputError) -> UserError:
    """The core's message under the option's name: "samples 0: allowed ..." becomes "--samples 0: allowed ..."
    (a message that leads with something else is kept whole after the option)."""
    text = " ".join(str(exc).split())
    head, sep, rest = text.partition(": ")
    lead = sep and (head.endswith(f" {shown(value)}") or head.endswith(f" {value!r}"))
    return UserError(f"{flag} {shown(value)}: {rest if lead else text}")


def checked(flag: str, value, check: Callable, *args):
    """``check(value, *args)``, its error named by the option."""
    try:
        return check(value, *args)
    except InputError as exc:
        raise as_option(flag, value, exc) from None


def translated(call: Callable, flags: dict[str, tuple[str, object]]):
    """Run ``call()``; an error about a core key in ``flags`` (key -> (option, value)) names the option."""
    try:
        return call()
    except InputError as exc:
        if exc.key in flags:
            flag, value = flags[exc.key]
            raise as_option(flag, value, exc) from None
        raise


def output(flag: str, value: str | None, folder: bool, shared: bool = False) -> None:
    """Refuse an output path that cannot be written, before any run starts."""
    if value is None:
        return
    if not str(value).strip():
        raise UserError(f"{flag}: empty; give a {'folder' if folder or shared else 'file name'}")
    try:
        check_target(Path(value), folder=folder, shared=shared)
    except InputError as exc:
        message = " ".join(str(exc).split())
        prefix = f"{Path(value)}: "
        raise UserError(f"{flag} {value}: {message.removeprefix(prefix)}") from None


def writing(flag: str, value: str, write: Callable):
    """``write()``, its failure (a full disk, a folder that vanished) named by the option."""
    try:
        return write()
    except InputError as exc:
        message = " ".join(str(exc).split())
        raise UserError(f"{flag} {value}: {message.removeprefix(f'{Path(value)}: ')}") from None


def parameter_set(flag: str, value: str | None, regions: Iterable[str]) -> None:
    """Refuse a parameter set that does not exist for one of ``regions`` (by name, or a path to a set)."""
    if value is None:
        return
    from innosim.core import paramsets

    if not value.strip():
        raise UserError(f"{flag}: empty; allowed: {', '.join(paramsets.available() + [paramsets.NONE])}, "
                        f"or a path to a set file or folder")
    for region in regions:
        try:
            paramsets.locate(value, region)
        except InputError as exc:
            if exc.__class__.__name__ == "DataError":
                raise
            raise as_option(flag, value, exc) from None


def emit(text: str) -> None:
    """Write to standard output; a closed or full one is the user's one-line error, a closed pipe is not."""
    if sys.stdout is None:
        raise UserError("standard output is closed; give --out FILE to write a file instead")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:
        quiet_stdout()
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UserError(f"standard output cannot be written ({reason}); give --out FILE to write a file "
                        f"instead") from None


def quiet_stdout() -> None:
    """Point stdout at /dev/null so Python's own flush at exit cannot print a traceback."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
