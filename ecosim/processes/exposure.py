"""Phase 2: media and influencers deliver the brands' messages to customers."""

from __future__ import annotations

import numpy as np

from ecosim.population import Population
from ecosim.processes.sampling import bernoulli

__all__ = ["deliver", "limit", "select"]


def select(
    groups: list[np.ndarray], probabilities: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Select the customers an action reaches today.

    Parameters
    ----------
    groups : list of ndarray of int
        Candidate customers, one array per group (for example per segment).
    probabilities : ndarray of float
        The chance that each member of group ``g`` is reached, ``probabilities[g]``.
    rng : numpy.random.Generator
        Random stream.

    Returns
    -------
    ndarray of int
        The customers reached.
    """
    reached = [bernoulli(group, p, rng) for group, p in zip(groups, probabilities, strict=True)]
    return np.concatenate(reached) if reached else np.empty(0, dtype=np.int64)


def limit(customers: np.ndarray, most: int, rng: np.random.Generator) -> np.ndarray:
    """Keep a random ``most`` of ``customers`` (all of them if there are not more).

    Used when the remaining budget pays for fewer exposures than an action would make.
    """
    if len(customers) <= most:
        return customers
    return np.sort(rng.choice(customers, max(most, 0), replace=False))


def deliver(population: Population, brand: int, customers: np.ndarray, weight: float) -> None:
    """Add an exposure of ``weight`` for ``brand`` to each of ``customers``.

    Parameters
    ----------
    population : Population
        Updated in place: ``exposure`` grows by ``weight`` and ``reached`` is set.
    brand : int
        Brand index.
    customers : ndarray of int
        Distinct customer indices.
    weight : float
        Effective weight of one exposure (1 for an advertisement).
    """
    population.exposure[customers, brand] += weight
    population.reached[customers, brand] = True
