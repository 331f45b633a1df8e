"""Simulate one region for candidate parameter values and compare with observations or targets.

The evaluator runs the compiled model directly: one run per candidate, or
many candidates in one vectorised pass (finite-difference Jacobians).
"""
from __future__ import annotations

import numpy as np

from innosim.core.case import Case, within_run
from innosim.core.data import indicators as all_indicators
from innosim.core.model import load as load_model
from innosim.core.targets import judge

from .inputs import Observation, Spec


class Evaluator:
    """One region, a list of free parameters, and what to compare the runs with."""

    def __init__(self, region: str, spec: Spec, free: list[str], observations: list[Observation],
                 final_year: int, levers=None, parameter_set: str = "none", drivers: dict | None = None,
                 parameters: dict | None = None):
        self.m = load_model()
        self.region, self.spec, self.free = region, spec, list(free)
        levers = within_run(levers or {}, final_year)
        constants, lever_values, self.final_year = self.m.inputs(Case(region, levers, parameters or {}, final_year,
                                                                      parameter_set))
        self.constants, self.lever_values = constants, lever_values
        self.start = np.array([constants.get(p, self.m.file_defaults[p]) for p in self.free], dtype=float)
        self.engine = self.m.engine(frozenset(drivers or {}))
        self.drivers = drivers or {}
        grid = self.engine.grid(final_time=self.final_year)
        self.years = np.round(grid.save_times()).astype(int)
        self.row = {int(y): i for i, y in enumerate(self.years)}
        self.column = {name: i for i, name in enumerate(self.engine.saved)}
        self.indicators = {i.indicator: i for i in all_indicators()}
        self.observations = [o for o in observations if o.region == region and self._covered(o)]
        self.sigmas = np.array([spec.sigma(o) for o in self.observations])
        self.values = np.array([o.value for o in self.observations])
        self.lower_bound = np.array([o.comparator == ">" for o in self.observations])
        self.vintage = np.array([self._vintage_factor(o) for o in self.observations])

    def _vintage_factor(self, obs: Observation) -> float:
        """What turns the model's value (current GDP series) into the vintage the figure was published on."""
        role = self.spec.series[obs.series].vintage_role
        if not role:
            return 1.0
        ratio = self.spec.revision(obs.region, obs.year, obs.vintage)
        return 1.0 / ratio if role == "gdp" else ratio

    # ---- running ------------------------------------------------------
    def _covered(self, obs: Observation) -> bool:
        return all(y in self.row for y in self.spec.series[obs.series].years_needed(obs.year))

    def _constants(self, theta: np.ndarray) -> dict:
        c = dict(self.constants)
        for name, value in zip(self.free, theta):
            c[name] = value
        return c

    def simulate(self, theta) -> np.ndarray:
        """Saved values (times x variables) for one parameter vector."""
        frame = self.engine.run(self._constants(np.asarray(theta, float)), self.lever_values,
                                final_time=self.final_year, drivers=self.drivers or None)
        return frame.to_numpy()

    def simulate_many(self, thetas: np.ndarray) -> np.ndarray:
        """Saved values (times x variables x candidates) for many parameter vectors at once."""
        thetas = np.atleast_2d(thetas)
        n = thetas.shape[0]
        constants = dict(self.constants)
        for j, name in enumerate(self.free):
            constants[name] = thetas[:, j]
        return self.engine.run_vector(constants, self.lever_values, n=n, final_time=self.final_year,
                                      drivers=self.drivers or None)

    # ---- observations -------------------------------------------------
    def predictions(self, out: np.ndarray) -> np.ndarray:
        """Model values at the observations, from one run's saved values (times x variables[, n])."""
        paths = {}
        for name in dict.fromkeys(o.series for o in self.observations):
            s = self.spec.series[name]
            years, values = s.path(out[:, self.column[s.variable]], self.years)
            paths[name] = ({y: i for i, y in enumerate(years)}, values)
        raw = np.array([paths[o.series][1][paths[o.series][0][o.year]] for o in self.observations])
        factor = self.vintage if raw.ndim == 1 else self.vintage[:, None]
        return raw * factor

    def residuals_from(self, preds: np.ndarray) -> np.ndarray:
        gap = preds - (self.values if preds.ndim == 1 else self.values[:, None])
        lower = self.lower_bound if preds.ndim == 1 else self.lower_bound[:, None]
        gap = np.where(lower, np.minimum(gap, 0.0), gap)
        return gap / (self.sigmas if preds.ndim == 1 else self.sigmas[:, None])

    def residuals(self, theta) -> np.ndarray:
        return self.residuals_from(self.predictions(self.simulate(theta)))

    def residuals_many(self, thetas) -> np.ndarray:
        """Residuals (observations x candidates) of many parameter vectors in one pass."""
        return self.residuals_from(self.predictions(self.simulate_many(thetas)))

    # ---- targets --------------------------------------------------------
    def target_values(self, out: np.ndarray, targets) -> np.ndarray:
        """What each target judges (level, multiple or increase), from saved values (times x variables[, n])."""
        values = []
        for t in targets:
            ind = self.indicators[t.indicator]
            col = out[:, self.column[ind.variable]] * ind.scale
            base = col[self.row[t.base_year]] if t.kind != "level" else None
            values.append(judge(col[self.row[t.year]], base, t.kind))
        return np.array(values)
