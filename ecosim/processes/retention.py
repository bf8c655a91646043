"""Phase 6: churn and win-back."""

from __future__ import annotations

import numpy as np

from ecosim.population import Population
from ecosim.processes.sampling import Draws
from ecosim.scenario import Dynamics

__all__ = ["churn", "churn_hazard", "win_back", "winback_response"]


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


def winback_response(experience: np.ndarray, response: float, params: Dynamics) -> np.ndarray:
    """Daily probability that a churned customer contacted by a win-back campaign returns.

    ``response * exp(churn_experience_weight * x)``, capped at 1: the customer's experience
    of the brand (what they lived with it, and what they have heard of it since they left)
    weighs on their return as it did on their leaving (:func:`churn_hazard`, with the
    opposite sign). Lost customers whose first lifetime
    with the firm was better (they recommended it, their problems were fixed) accept a
    win-back offer more often; those who complained a lot, less often (Kumar, Bhagwat &
    Zhang 2015).

    Parameters
    ----------
    experience : ndarray
        The contacted customers' experience of the brand, in [-1, 1].
    response : float
        The probability at a neutral experience (the action's response times its
        intensity).
    params : Dynamics

    Returns
    -------
    ndarray
        One probability per customer.

    Examples
    --------
    >>> from ecosim.scenario import Dynamics
    >>> p = winback_response(np.array([-0.5, 0.0, 0.5]), 0.05, Dynamics())
    >>> [round(float(v), 4) for v in p]
    [0.0184, 0.05, 0.1359]
    """
    return np.minimum(response * np.exp(params.churn_experience_weight * experience), 1.0)


def win_back(
    population: Population,
    customers: np.ndarray,
    brand: int,
    probability: float | np.ndarray,
    draws: Draws,
    purpose: str = "return",
) -> int:
    """Churned ``customers`` return to ``brand`` with ``probability`` each.

    Spontaneous returns use ``winback_rate``; a win-back campaign its
    :func:`winback_response`, one per contacted customer (and its own ``purpose`` of the
    draws).

    Parameters
    ----------
    population : Population
    customers : ndarray of int
        Customers who may return: those not churned from ``brand`` are passed over.
    brand : int
    probability : float or ndarray
        One for all, or one per customer of ``customers``.
    draws : Draws
    purpose : str
        The draws' purpose.

    Returns
    -------
    int
        Customers won back.
    """
    churned = population.churned[customers, brand]
    lost = customers[churned]
    chance = probability[churned] if np.ndim(probability) else probability
    back = draws.bernoulli(f"{purpose}:{brand}", lost, chance)
    population.churned[back, brand] = False
    population.aware[back, brand] = True
    return len(back)
