"""Known results the engine is compared with: closed forms and mean-field recursions.

Time ``t`` is in days and the rates are per day, as in the engine.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "bass_cdf",
    "bass_peak_time",
    "bass_rate",
    "bass_recursion",
    "epidemic_threshold",
    "logistic",
]


def bass_cdf(t: np.ndarray, p: float, q: float) -> np.ndarray:
    """Bass's adopted share ``F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})``.

    The solution of ``dF/dt = (p + q F)(1 - F)`` with ``F(0) = 0``; with ``q = 0`` it is
    ``1 - e^{-pt}`` (Fourt & Woodlock 1960).

    Parameters
    ----------
    t : ndarray
        Time (days).
    p, q : float
        Innovation and imitation coefficients per day (``p > 0``).

    Returns
    -------
    ndarray

    References
    ----------
    F. M. Bass, "A new product growth for model consumer durables", Management Science
    15 (1969) 215-227.

    Examples
    --------
    >>> round(float(bass_cdf(np.array([2260.3]), 0.03 / 365, 0.38 / 365)[0]), 4)
    0.4605
    """
    decay = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1.0 - decay) / (1.0 + q / p * decay)


def bass_rate(t: np.ndarray, p: float, q: float) -> np.ndarray:
    """Bass's adoption rate ``f(t) = dF/dt = (p + q F)(1 - F)`` (share per day)."""
    share = bass_cdf(t, p, q)
    return (p + q * share) * (1.0 - share)


def bass_peak_time(p: float, q: float) -> float:
    """Time of the peak of Bass's adoption rate, ``ln(q/p) / (p + q)`` (for ``q > p``).

    Examples
    --------
    >>> round(bass_peak_time(0.03 / 365, 0.38 / 365) / 365, 3)
    6.193
    """
    return float(np.log(q / p) / (p + q))


def bass_recursion(
    days: int, p: float, q: float, start: float = 0.0, customers: int | None = None
) -> np.ndarray:
    """Iterate the discrete-time mean-field Bass model, which a daily engine converges to.

    ``F_{t+1} = F_t + (1 - F_t) min(p + q F_t n / (n - 1), 1)``: each day every customer
    who has not adopted adopts with probability ``p + q`` times the adopted share of the
    *other* customers (the factor ``n / (n - 1)``; 1 without ``customers``).

    Parameters
    ----------
    days : int
    p, q : float
        Per day.
    start : float
        ``F_0`` (seeded adopters).
    customers : int, optional
        Population size ``n``.

    Returns
    -------
    ndarray, shape (days + 1,)
        ``F_0 .. F_days``.

    Examples
    --------
    >>> bass_recursion(2, 0.5, 0.0).tolist()
    [0.0, 0.5, 0.75]
    """
    others = 1.0 if customers is None else customers / (customers - 1)
    share = np.empty(days + 1)
    share[0] = start
    for t in range(days):
        share[t + 1] = share[t] + (1.0 - share[t]) * min(p + q * share[t] * others, 1.0)
    return share


def logistic(t: np.ndarray, q: float, start: float) -> np.ndarray:
    """Pure imitation (Bass with ``p = 0``): ``F(t) = F_0 / (F_0 + (1 - F_0) e^{-qt})``.

    The logistic curve of imitation (Mansfield 1961), from a seeded share ``F_0``.

    Examples
    --------
    >>> logistic(np.array([0.0]), 0.1, 0.2).tolist()
    [0.2]
    """
    return start / (start + (1.0 - start) * np.exp(-q * np.asarray(t, dtype=float)))


def epidemic_threshold(degree: np.ndarray) -> float:
    """Return the SIS epidemic threshold ``<k> / <k^2>`` of a network with these degrees.

    Awareness that spreads with rate ``beta`` per aware contact and is forgotten with
    rate ``mu`` lasts when ``beta / mu`` exceeds it (heterogeneous mean field,
    Pastor-Satorras & Vespignani 2001).

    Examples
    --------
    >>> epidemic_threshold(np.array([1, 3]))
    0.4
    """
    k = np.asarray(degree, dtype=float)
    return float(k.mean() / (k**2).mean())
