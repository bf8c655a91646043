"""Ranking and selection: pick the best of a few plans with a stated probability.

The search ranks plans on a few replications each, and the best of many noisy
estimates is biased upwards (the winner's curse). The selection stage runs the top
plans again, on new seeds common to all of them, with the fully sequential procedure
KN of Kim & Nelson (2001): after ``n0`` replications each, a plan is eliminated as soon
as its mean falls behind another's by more than a boundary that shrinks as replications
accumulate; the survivor is within ``delta`` (the indifference zone) of the best with
probability at least ``confidence``, whatever the variances and correlations (common
random numbers are allowed: the procedure uses the variance of each pair's
differences, which common seeds make small). KN needs fewer replications than the
two-stage procedure of Nelson & Matejcik (1995) because it stops sampling a clearly
inferior plan early.

References
----------
Kim, S.-H., & Nelson, B. L. (2001). A fully sequential procedure for indifference-zone
selection in simulation. *ACM Transactions on Modeling and Computer Simulation*, 11(3),
251-273.

Nelson, B. L., & Matejcik, F. J. (1995). Using common random numbers for
indifference-zone selection and multiple comparisons in simulation. *Management
Science*, 41(12), 1935-1945.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Selected", "UndefinedEverywhere", "kn_constants", "select_best"]

Sampler = Callable[[list[int], int, int], np.ndarray]
"""``sample(systems, first, count)``: outcomes of replications ``first .. first+count-1``
of each system, shape ``(len(systems), count)``; replication ``r`` uses the same seed
for every system."""


class UndefinedEverywhere(ValueError):
    """Every plan's outcome is undefined (NaN) in one of its replications: none can be chosen.

    Parameters
    ----------
    counts : list of int
        The replications each plan had run.
    """

    def __init__(self, counts: list[int]):
        self.counts = counts
        super().__init__("every plan's outcome is undefined (NaN) in one of its replications")


@dataclass(frozen=True)
class Selected:
    """The outcome of :func:`select_best`.

    Attributes
    ----------
    best : int
        Index of the plan selected.
    observations : numpy.ndarray
        Shape ``(k, replications)``: each plan's outcomes, NaN after it was eliminated.
    counts : numpy.ndarray of int
        Replications run per plan.
    eliminated : list of (int or None)
        The replication count at which each plan was eliminated (None: never).
    guaranteed : bool
        Whether the procedure ended by its own rule (one plan left, or the bound on
        replications reached); False if it was cut at ``max_replications``, when the
        plan with the best mean is returned without the guarantee.
    h2 : float
        The procedure's constant ``h^2``.
    undefined : list of bool
        Whether each plan was eliminated because its outcome was undefined (NaN) in one of
        its replications (an ROI without marketing cost): such a plan cannot be compared.
    """

    best: int
    observations: np.ndarray
    counts: np.ndarray
    eliminated: list[int | None]
    guaranteed: bool
    h2: float
    undefined: list[bool]

    @property
    def means(self) -> np.ndarray:
        """Each plan's mean over its replications (NaN where one was undefined)."""
        return np.array(
            [row[:n].mean() for row, n in zip(self.observations, self.counts, strict=True)]
        )


def kn_constants(k: int, confidence: float, first_stage: int) -> tuple[float, float]:
    """Return KN's ``eta`` and ``h^2 = 2 eta (n0 - 1)`` (Kim & Nelson 2001, with c = 1).

    ``eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2`` with ``alpha = 1 -
    confidence``.

    Examples
    --------
    >>> eta, h2 = kn_constants(2, 0.95, 10)
    >>> round(eta, 4), round(h2, 3)
    (0.3341, 6.013)
    """
    alpha = 1.0 - confidence
    eta = 0.5 * ((2.0 * alpha / (k - 1)) ** (-2.0 / (first_stage - 1)) - 1.0)
    return eta, 2.0 * eta * (first_stage - 1)


def select_best(
    sample: Sampler,
    k: int,
    delta: float,
    confidence: float = 0.95,
    first_stage: int = 10,
    step: int = 1,
    max_replications: int = 1000,
    maximize: bool = True,
) -> Selected:
    """Select the best of ``k`` plans with KN (Kim & Nelson 2001) under common random numbers.

    Parameters
    ----------
    sample : callable
        ``sample(systems, first, count)`` (see :data:`Sampler`).
    k : int
        Number of plans.
    delta : float
        Indifference zone: a difference smaller than this does not matter.
    confidence : float
        Probability of correct selection guaranteed when the best is at least ``delta``
        better than every other plan.
    first_stage : int
        Replications of every plan before the first elimination (``n0 >= 2``).
    step : int
        Replications added to every surviving plan between checks; checking less often
        than after every replication only makes eliminations rarer, so the guarantee holds.
    max_replications : int
        Most replications of a plan.
    maximize : bool

    Returns
    -------
    Selected

    Raises
    ------
    UndefinedEverywhere
        If every plan's outcome is undefined (NaN) in one of its replications. A plan
        whose outcome is undefined in a replication is eliminated as soon as it is: it
        cannot be compared, so it is never selected.
    """
    if k == 1:
        observations = np.asarray(sample([0], 0, first_stage), dtype=float)
        if np.isnan(observations).any():
            raise UndefinedEverywhere([first_stage])
        return Selected(0, observations, np.array([first_stage]), [None], True, math.nan, [False])
    _, h2 = kn_constants(k, confidence, first_stage)
    sign = 1.0 if maximize else -1.0
    data = np.full((k, max_replications), np.nan)
    data[:, :first_stage] = sample(list(range(k)), 0, first_stage)
    y = sign * data[:, :first_stage]
    differences = y[:, None, :] - y[None, :, :]
    s2 = differences.var(axis=2, ddof=1)
    alive = list(range(k))
    eliminated: list[int | None] = [None] * k
    undefined = [False] * k
    r = first_stage
    while True:
        for i in [i for i in alive if np.isnan(data[i, :r]).any()]:
            alive.remove(i)
            eliminated[i], undefined[i] = r, True
        if not alive:
            raise UndefinedEverywhere([eliminated[i] or r for i in range(k)])
        means = sign * data[:, :r].mean(axis=1)
        out = []
        for i in alive:
            for other in alive:
                if other == i:
                    continue
                w = max(0.0, delta / (2 * r) * (h2 * s2[i, other] / delta**2 - r))
                if means[i] < means[other] - w:
                    out.append(i)
                    break
        for i in out:
            alive.remove(i)
            eliminated[i] = r
        pairs = [s2[i, o] for i in alive for o in alive if i != o]
        bound = h2 * max(pairs) / delta**2 if pairs else 0.0  # may be inf: never reached
        if len(alive) == 1 or r > bound or r >= max_replications:
            break
        count = min(step, max_replications - r)
        data[alive, r : r + count] = sample(alive, r, count)
        r += count
    means = sign * data[:, :r].mean(axis=1)
    best = max(alive, key=lambda i: means[i])
    counts = np.array([eliminated[i] or r for i in range(k)])
    guaranteed = len(alive) == 1 or r > bound
    return Selected(best, data[:, :r], counts, eliminated, guaranteed, h2, undefined)
