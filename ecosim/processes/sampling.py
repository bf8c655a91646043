"""Fast independent Bernoulli selection for the processes."""

from __future__ import annotations

import numpy as np

__all__ = ["bernoulli"]


def bernoulli(indices: np.ndarray, p: float | np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Keep each index independently with probability ``p``.

    The draw costs time proportional to the number kept, not to ``len(indices)``: a
    binomial number of candidates is chosen at the largest probability and then thinned
    to each index's own probability (Lewis & Shedler 1979), which gives exactly the same
    distribution as one uniform draw per index.

    Parameters
    ----------
    indices : ndarray of int
        Candidates.
    p : float or ndarray of float
        Probability for all candidates, or one per candidate (values in [0, 1]).
    rng : numpy.random.Generator
        Random stream.

    Returns
    -------
    ndarray of int
        The kept indices, in ascending order of position in ``indices``.

    References
    ----------
    P. A. W. Lewis and G. S. Shedler, "Simulation of nonhomogeneous Poisson processes by
    thinning", Naval Research Logistics Quarterly 26 (1979) 403-413.

    Examples
    --------
    >>> kept = bernoulli(np.arange(100_000), 0.1, np.random.default_rng(0))
    >>> 9_700 < len(kept) < 10_300
    True
    """
    p = np.asarray(p, dtype=float)
    p_max = float(p.max()) if p.size and len(indices) else 0.0
    if p_max <= 0.0:
        return indices[:0]
    count = rng.binomial(len(indices), min(p_max, 1.0))
    chosen = np.sort(rng.choice(len(indices), count, replace=False))
    if p.ndim:
        chosen = chosen[rng.random(count) * p_max < p[chosen]]
    return indices[chosen]
