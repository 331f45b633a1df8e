"""Drawing that waits for the Monte Carlo runs, done after the rest of the page.

A lever move draws the central answer first; what needs the runs (the
scorecard's chances, the chart's uncertainty fan) is kept here and drawn at the
end of the rerun, into the place left for it, so the page never waits for the
runs halfway down.  Once the rerun has drawn them the list is closed: a part
that reruns alone (a fragment of its own, called with the arguments of the
rerun that made it) then draws at once.
"""
from __future__ import annotations

from typing import Callable


class Later:
    def __init__(self) -> None:
        self.open = True
        self._calls: list[Callable[[], None]] = []

    def add(self, call: Callable[[], None]) -> None:
        if self.open:
            self._calls.append(call)
        else:
            call()

    def run(self) -> None:
        self.open = False
        for call in self._calls:
            call()
        self._calls.clear()
