"""Phase 6: churn and win-back."""

from __future__ import annotations

import numpy as np

from ecosim.population import Population
from ecosim.processes.sampling import Draws
from ecosim.scenario import Dynamics

__all__ = ["churn", "churn_hazard", "win_back"]


def churn_hazard(experience: np.ndarray, recency: np.ndarray, params: Dynamics) -> np.ndarray:
    """Daily probability that a customer defects from a brand.

    ``churn_rate * exp(-churn_experience_weight * x) * (1 + recency / active_window)``,
    capped at 1: a bad experience and a long time since the last purchase both make
    leaving likelier (recency and satisfaction as drivers of defection; Bolton 1998).

    Examples
    --------
    >>> from ecosim.scenario import Dynamics
    >>> float(churn_hazard(np.array([0.0]), np.array([0]), Dynamics(churn_rate=0.01))[0])
    0.01
    """
    hazard = (
        params.churn_rate
        * np.exp(-params.churn_experience_weight * experience)
        * (1.0 + recency / params.active_window)
    )
    return np.minimum(hazard, 1.0)


def churn(population: Population, day: int, params: Dynamics, draws: Draws) -> np.ndarray:
    """Let customers who have bought defect with the :func:`churn_hazard`.

    Members within a paid membership term do not defect (renewal is their churn
    point). A churned customer leaves the brand out of their choices until won back.

    Returns
    -------
    ndarray of int
        Defections per brand.
    """
    n_brands = population.n_brands
    at_risk = (population.purchases > 0) & ~population.churned & (population.member_until < day)
    flat = np.flatnonzero(at_risk.reshape(-1))
    recency = day - population.last_purchase.reshape(-1)[flat]
    hazard = churn_hazard(population.experience.reshape(-1)[flat], recency, params)
    leaving = flat[draws.uniform("churn", flat) < hazard]
    population.churned.reshape(-1)[leaving] = True
    return np.bincount(leaving % n_brands, minlength=n_brands)


def win_back(
    population: Population,
    customers: np.ndarray,
    brand: int,
    probability: float,
    draws: Draws,
    purpose: str = "return",
) -> int:
    """Churned ``customers`` return to ``brand`` with ``probability`` each.

    Spontaneous returns use ``winback_rate``; a win-back campaign its own response
    (and its own ``purpose`` of the draws).

    Returns
    -------
    int
        Customers won back.
    """
    lost = customers[population.churned[customers, brand]]
    back = draws.bernoulli(f"{purpose}:{brand}", lost, probability)
    population.churned[back, brand] = False
    population.aware[back, brand] = True
    return len(back)
