"""Simulate one region for candidate parameter values and compare with observations or targets.

The evaluator runs the compiled model directly: one run per candidate, or
many candidates in one vectorised pass (finite-difference Jacobians).
"""
from __future__ import annotations

import numpy as np

import model
from model.api import within_run
from model.engine import schedule_values

from .inputs import Observation, Spec


class Evaluator:
    """One region, a list of free parameters, and what to compare the runs with."""

    def __init__(self, region: str, spec: Spec, free: list[str], observations: list[Observation],
                 final_year: int, levers=None, parameter_set: str = "none", drivers: dict | None = None):
        self.m = model.load()
        self.region, self.spec, self.free = region, spec, list(free)
        levers = within_run(levers or {}, final_year)
        constants, lever_values, self.final_year = self.m.inputs(region, levers, None, final_year, parameter_set)
        self.constants, self.lever_values = constants, lever_values
        self.start = np.array([constants.get(p, self.m.file_defaults[p]) for p in self.free], dtype=float)
        self.engine = self.m.engine(frozenset(drivers or {}))
        self.drivers = drivers or {}
        grid = self.engine.grid(final_time=self.final_year)
        steps = grid.step_times()
        self.lever_paths = {k: schedule_values(lv_default, lever_values[k], steps)
                            for k, lv_default in ((lv.id, lv.default(region)) for lv in self.m.levers)}
        self.years = np.round(grid.save_times()).astype(int)
        self.row = {int(y): i for i, y in enumerate(self.years)}
        self.column = {name: i for i, name in enumerate(self.engine.saved)}
        self.observations = [o for o in observations if o.region == region and self._covered(o)]
        self.sigmas = np.array([spec.sigma(o) for o in self.observations])
        self.values = np.array([o.value for o in self.observations])
        self.lower_bound = np.array([o.comparator == ">" for o in self.observations])

    # ---- running ------------------------------------------------------
    def _covered(self, obs: Observation) -> bool:
        transform = self.spec.series[obs.series].transform
        need = [obs.year] + ([obs.year - 1] if transform == "growth" else []) + \
               ([obs.year + 1] if transform == "annual_flow" else [])
        return all(y in self.row for y in need)

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
        levers = {k: np.repeat(v[:, None], n, axis=1) for k, v in self.lever_paths.items()}
        return self.engine.run_vector(constants, levers, n=n, final_time=self.final_year,
                                      drivers=self.drivers or None)

    # ---- observations -------------------------------------------------
    def predictions(self, out: np.ndarray) -> np.ndarray:
        """Model values at the observations, from one run's saved values (times x variables[, n])."""
        preds = []
        for obs in self.observations:
            s = self.spec.series[obs.series]
            col = out[:, self.column[s.variable]]
            r = self.row[obs.year]
            if s.transform == "level":
                preds.append(col[r] * s.scale)
            elif s.transform == "growth":
                preds.append(100 * (col[r] / col[self.row[obs.year - 1]] - 1))
            else:
                preds.append((col[r] + col[self.row[obs.year + 1]]) / 2 * s.scale)
        return np.array(preds)

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
        indicators = {i.indicator: i for i in model.indicators()}
        values = []
        for t in targets:
            ind = indicators[t.indicator]
            col = out[:, self.column[ind.variable]] * ind.scale
            now = col[self.row[t.year]]
            if t.kind == "multiple":
                now = now / col[self.row[t.base_year]]
            elif t.kind == "increase":
                now = now - col[self.row[t.base_year]]
            values.append(now)
        return np.array(values)
