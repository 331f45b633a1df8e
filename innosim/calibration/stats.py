"""Fit statistics: MAPE, R-squared and Theil's decomposition of the mean squared error.

Theil (1966); Sterman (1984), "Appropriate summary statistics for evaluating
the historical fit of system dynamics models", Dynamica 10(2): the mean
squared error splits into bias (U^M), unequal variation (U^S) and unequal
covariation (U^C); U^M + U^S + U^C = 1.  Most error in U^C means the model
tracks the trend and the mean, missing only point-to-point noise.
"""
from __future__ import annotations

import math

import numpy as np

MIN_POINTS_FOR_VARIATION = 3


def mape(predicted, observed) -> float:
    p, o = np.asarray(predicted, float), np.asarray(observed, float)
    return float(np.mean(np.abs(p - o) / np.abs(o)) * 100)


def r_squared(predicted, observed) -> float:
    """1 - SS_res / SS_tot; NaN below three points or when the observations do not vary."""
    p, o = np.asarray(predicted, float), np.asarray(observed, float)
    if len(o) < MIN_POINTS_FOR_VARIATION:
        return math.nan
    ss_tot = np.sum((o - o.mean()) ** 2)
    return float(1 - np.sum((p - o) ** 2) / ss_tot) if ss_tot > 0 else math.nan


def theil(predicted, observed) -> dict:
    """U^M, U^S, U^C (shares of the mean squared error) and the MSE itself.

    With fewer than three points only the bias share is meaningful; the
    variation shares are NaN.
    """
    p, o = np.asarray(predicted, float), np.asarray(observed, float)
    mse = float(np.mean((p - o) ** 2))
    if mse == 0:
        return {"mse": 0.0, "um": 0.0, "us": 0.0, "uc": 0.0}
    um = (p.mean() - o.mean()) ** 2 / mse
    if len(o) < MIN_POINTS_FOR_VARIATION:
        return {"mse": mse, "um": float(um), "us": math.nan, "uc": math.nan}
    sp, so = p.std(), o.std()
    r = np.corrcoef(p, o)[0, 1] if sp > 0 and so > 0 else 0.0
    us = (sp - so) ** 2 / mse
    uc = 2 * (1 - r) * sp * so / mse
    return {"mse": mse, "um": float(um), "us": float(us), "uc": float(uc)}


def series_statistics(predicted, observed, lower_bound) -> dict:
    """Statistics of one series; lower-bound observations count as met or not, not in the errors."""
    p, o, lb = np.asarray(predicted, float), np.asarray(observed, float), np.asarray(lower_bound, bool)
    exact = ~lb
    stats = {"n": int(exact.sum()), "bounds": int(lb.sum()),
             "bounds_met": int(np.sum(p[lb] >= o[lb])) if lb.any() else 0}
    if exact.any():
        stats.update(mape=mape(p[exact], o[exact]), mae=float(np.mean(np.abs(p[exact] - o[exact]))),
                     r2=r_squared(p[exact], o[exact]), **theil(p[exact], o[exact]))
    else:
        stats.update(mape=math.nan, mae=math.nan, r2=math.nan, mse=math.nan, um=math.nan, us=math.nan, uc=math.nan)
    return stats


def covariance(jacobian: np.ndarray) -> tuple[np.ndarray, bool]:
    """The parameters' covariance from the Jacobian of sigma-weighted residuals: (J'J)^-1.

    Residuals are already divided by their measurement error (and the prior
    rows by the prior's), so it needs no further scaling.  A singular J'J
    (data that do not identify every parameter) gets the pseudo-inverse and
    ``identified`` False.
    """
    jtj = jacobian.T @ jacobian
    identified = np.linalg.matrix_rank(jtj, tol=1e-10 * max(1.0, np.abs(jtj).max())) == jtj.shape[0]
    return (np.linalg.inv(jtj) if identified else np.linalg.pinv(jtj)), bool(identified)


def parameter_uncertainty(jacobian: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Standard errors sqrt(diag(cov)), the correlation matrix and whether the data identify every parameter.

    Standard errors are NaN for parameters the data do not touch at all;
    their correlation rows are those of the identity.
    """
    cov, identified = covariance(jacobian)
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(sd, sd)
    corr[~np.isfinite(corr)] = 0.0
    np.fill_diagonal(corr, 1.0)
    se = sd.copy()
    if not identified:
        se[np.abs(jacobian).sum(axis=0) < 1e-12] = np.nan
    return se, np.clip(corr, -1.0, 1.0), identified
