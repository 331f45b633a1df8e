"""A case: one run to make.  Every analysis takes one (or many) and keyword options.

A case names a region and says what differs from the region's plan: lever
overrides (a number, or ``{year: value}`` meaning "from this year on"),
parameter overrides, the last year, and the calibrated parameter set.  It is
plain data: making one runs nothing, and running one changes nothing for the next.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Union

LeverInput = Union[float, Mapping[int, float]]


@dataclass(frozen=True)
class Case:
    """One run to make: a region with lever and parameter overrides."""

    region: str
    levers: Mapping[str, LeverInput] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)
    final_year: int | None = None
    parameter_set: str | None = None
    label: str = "plan"                  # the scenario column of the tables it produces
    policy_from: int | None = None       # the first year the case's levers apply (default: the first year not
                                         # yet observed); earlier for a counterfactual

    def with_levers(self, **levers: LeverInput) -> "Case":
        """The same case with more lever overrides (later ones win)."""
        return replace(self, levers={**self.levers, **levers})

    def ending(self, final_year: int) -> "Case":
        """The case cut to a run that ends in ``final_year`` (schedule points after it dropped)."""
        return replace(self, levers=within_run(self.levers, final_year), final_year=final_year)


def within_run(levers: Mapping[str, LeverInput], final_year: int) -> dict:
    """Lever overrides cut to a run that ends in ``final_year`` (schedule points after it dropped).

    Analyses that stop early (calibration, attribution, goal seeking) use it;
    a user's own run still rejects years outside it.
    """
    out = {}
    for key, value in (levers or {}).items():
        if isinstance(value, Mapping):
            value = {y: v for y, v in value.items() if int(y) <= final_year}
            if not value:
                continue
        out[key] = value
    return out
