"""innosim's errors: a user's mistake or a damaged file is one line, never a traceback.

Every client (the command line, the app) reports these by their message
alone.  The message names the file or key, the value and what is allowed,
in the core's own terms (keys and values, never command-line flags).
"""
from __future__ import annotations


class InputError(ValueError):
    """A user's input is not valid; the message is one line that says what to fix.

    When the error concerns one key, ``key``, ``value``, ``problem`` and
    ``allowed`` let a client (a scenario file, the app) phrase it in its own terms.
    """

    def __init__(self, message: str, key: str | None = None, value=None,
                 problem: str | None = None, allowed: str | None = None):
        super().__init__(message)
        self.key, self.value, self.problem, self.allowed = key, value, problem, allowed

    @classmethod
    def about(cls, kind: str, key: str, value, problem: str, allowed: str) -> "InputError":
        return cls(f"{kind} '{key}' = {shown(value)}: {problem}; allowed: {allowed}", key, value, problem, allowed)


class DataError(InputError):
    """A data file (shipped or local) is missing or damaged; the message names the file and the problem."""


def shown(value) -> str:
    """A value as a message shows it: text as is, floats compactly, the rest by repr."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)
