"""Estimators of the evidence cases: confidence intervals, arc elasticities, a Bass fit.

Each works on the per-pair (or per-replication) numbers of a paired experiment and is
tested on synthetic data with known answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from ecosim.validation.theory import bass_cdf

__all__ = ["BassFit", "Estimate", "arc_elasticity", "fit_bass", "t_interval"]


@dataclass(frozen=True)
class Estimate:
    """A mean over independent replications with its two-sided Student-t interval.

    Attributes
    ----------
    mean : float
    low, high : float
        Ends of the confidence interval.
    n : int
        Replications (pairs).
    sd : float
        Standard deviation of the replications.
    confidence : float
    """

    mean: float
    low: float
    high: float
    n: int
    sd: float
    confidence: float = 0.95

    @property
    def se(self) -> float:
        """Standard error of the mean."""
        return self.sd / np.sqrt(self.n) if self.n > 0 else float("nan")

    def within(self, low: float, high: float) -> bool:
        """Whether the whole interval lies in ``[low, high]``."""
        return bool(low <= self.low and self.high <= high)

    def describe(self, digits: int = 3) -> str:
        """Return the mean and its interval, e.g. ``0.120 [0.080, 0.160]``."""
        return f"{self.mean:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


def t_interval(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> Estimate:
    """Two-sided Student-t confidence interval of the mean of independent values.

    Parameters
    ----------
    values : sequence of float
        One value per replication (for a paired experiment: one per pair). Non-finite
        values make the estimate non-finite (and any check on it fail).
    confidence : float

    Returns
    -------
    Estimate
        ``mean -/+ t_{(1 + confidence)/2, n-1} * sd / sqrt(n)``.

    Examples
    --------
    >>> e = t_interval([1.0, 2.0, 3.0])
    >>> round(e.mean, 3), round(e.low, 3), round(e.high, 3)
    (2.0, -0.484, 4.484)
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n < 2:
        raise ValueError(f"a confidence interval needs at least 2 values, got {n}")
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n))
    mean = float(x.mean())
    return Estimate(mean, float(mean - half), float(mean + half), n, sd, confidence)


def arc_elasticity(
    outcome_plus: np.ndarray | float,
    outcome_minus: np.ndarray | float,
    driver_plus: np.ndarray | float,
    driver_minus: np.ndarray | float,
) -> np.ndarray:
    """Arc (log) elasticity ``ln(S+ / S-) / ln(A+ / A-)`` of an outcome S to a driver A.

    Exact for a constant-elasticity response ``S = c A^e`` whatever the size of the
    change, and symmetric in the two arms.

    Parameters
    ----------
    outcome_plus, outcome_minus : array_like
        The outcome (e.g. unit sales) in the arm with the larger and the smaller driver.
    driver_plus, driver_minus : array_like
        The realised driver (e.g. advertising spend) in the two arms.

    Returns
    -------
    ndarray
        One elasticity per pair.

    Examples
    --------
    >>> float(arc_elasticity(2.0 * 1.1**0.5, 2.0 * 0.9**0.5, 1.1, 0.9).round(6))
    0.5
    """
    s_plus, s_minus = np.asarray(outcome_plus, float), np.asarray(outcome_minus, float)
    a_plus, a_minus = np.asarray(driver_plus, float), np.asarray(driver_minus, float)
    return np.log(s_plus / s_minus) / np.log(a_plus / a_minus)


@dataclass(frozen=True)
class BassFit:
    """Bass (1969) coefficients fitted to adoptions.

    Attributes
    ----------
    p, q : float
        Innovation and imitation coefficients per year.
    m : float
        Market potential (eventual adopters).
    rmse : float
        Root mean squared error of the fitted cumulative adoptions.
    """

    p: float
    q: float
    m: float
    rmse: float


def fit_bass(adoptions: np.ndarray, days_per_year: float = 365.0) -> BassFit:
    """Fit the Bass model to daily adoptions by nonlinear least squares.

    The cumulative adoptions ``N(t)`` after day ``t`` are fitted with ``m F(t; p, q)``,
    ``F`` the Bass adopted share with ``F(0) = 0`` (Srinivasan & Mason 1986), by
    :func:`scipy.optimize.least_squares` with ``p, q`` in years.

    Parameters
    ----------
    adoptions : ndarray
        New adopters per day, days 1, 2, ... (nobody has adopted at day 0).
    days_per_year : float

    Returns
    -------
    BassFit

    Raises
    ------
    ValueError
        If there are no adoptions.

    References
    ----------
    V. Srinivasan and C. H. Mason, "Nonlinear least squares estimation of new product
    diffusion models", Marketing Science 5 (1986) 169-178.
    """
    counts = np.asarray(adoptions, dtype=float)
    cumulative = np.cumsum(counts)
    total = cumulative[-1] if len(cumulative) else 0.0
    if total <= 0:
        raise ValueError("no adoptions to fit a Bass curve to")
    years = np.arange(1, len(counts) + 1) / days_per_year

    def residuals(theta: np.ndarray) -> np.ndarray:
        p, q, m = theta
        return (m * bass_cdf(years, p, q) - cumulative) / total

    starts = [(0.03, 0.38), (0.5, 0.5), (3.0, 3.0), (0.3, 5.0)]
    best = None
    for p0, q0 in starts:
        fit = optimize.least_squares(
            residuals,
            x0=[p0, q0, 1.2 * total],
            bounds=([1e-6, 0.0, total], [100.0, 100.0, 1e3 * total]),
            x_scale=[1.0, 1.0, total],
        )
        if best is None or fit.cost < best.cost:
            best = fit
    p, q, m = best.x
    rmse = float(np.sqrt(np.mean((best.fun * total) ** 2)))
    return BassFit(float(p), float(q), float(m), rmse)
