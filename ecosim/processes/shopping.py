"""Phase 5: shopping -- category needs, brand choice and the experience of use."""

from __future__ import annotations

import numpy as np

from ecosim.population import Population
from ecosim.scenario import Dynamics

__all__ = ["choice_probabilities", "shop"]


def choice_probabilities(
    experience: np.ndarray,
    aware: np.ndarray,
    price_sensitivity: np.ndarray,
    relative_price: np.ndarray,
    promoted: np.ndarray,
    params: Dynamics,
) -> np.ndarray:
    """Multinomial-logit brand choice with an outside option (McFadden 1974).

    A customer who needs the category chooses among the brands they are aware of, or none
    of them (buys from the rest of the market or postpones; utility ``outside_utility``).
    Brand ``b``'s utility is ``experience_weight * x_b``
    ``- price_weight * price_sensitivity * (relative_price_b - 1)``
    ``+ promotion_weight * [b is promoted]``, where the relative price is the price paid
    over the mean list price of all brands.

    Parameters
    ----------
    experience, aware, relative_price, promoted : ndarray, shape (k, n_brands)
        For each of ``k`` customers in need.
    price_sensitivity : ndarray, shape (k,)
    params : Dynamics

    Returns
    -------
    ndarray, shape (k, n_brands + 1)
        Choice probabilities; the last column is the outside option.

    Examples
    --------
    >>> from ecosim.scenario import Dynamics
    >>> one = np.ones((1, 1))
    >>> params = Dynamics(outside_utility=0.0)
    >>> choice_probabilities(0 * one, one > 0, np.ones(1), one, one < 0, params).tolist()
    [[0.5, 0.5]]
    """
    utility = (
        params.experience_weight * experience
        - params.price_weight * price_sensitivity[:, None] * (relative_price - 1.0)
        + params.promotion_weight * promoted
    )
    weight = np.where(aware, np.exp(utility), 0.0)
    weight = np.hstack([weight, np.full((len(weight), 1), np.exp(params.outside_utility))])
    return weight / weight.sum(axis=1, keepdims=True)


def shop(
    population: Population,
    day: int,
    price: np.ndarray,
    quality: np.ndarray,
    discount: np.ndarray,
    params: Dynamics,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Let the customers whose category need falls today choose a brand, buy and use it.

    Needs arrive as a Poisson process per customer: the next need comes after a
    geometric number of days with mean ``need_cycle`` (Ehrenberg 1959). A purchase of
    brand ``b`` at list price ``p_b`` with the segment's discount ``d`` earns
    ``p_b (1 - d)``; using the product moves experience towards the experienced quality
    ``v = clip(2 quality_b - 1 + fit + use_noise * e, -1, 1)``, ``e ~ N(0, 1)``, by
    ``use_experience_weight`` of the distance (expectation-confirmation, Oliver 1980), or
    ``negativity_bias`` times as much when ``v`` falls short of the experience so far
    (negative performance weighs more, Mittal, Ross & Baldasare 1998).

    Parameters
    ----------
    population : Population
        Updated in place (``next_need``, ``purchases``, ``spend``, ``last_purchase``,
        ``experience``, ``aware``, ``stage``, ``engaged_today``).
    day : int
        Today.
    price, quality : ndarray, shape (n_brands,)
        List prices and product quality in [0, 1].
    discount : ndarray, shape (n_brands, n_segments)
        Today's discounts (from :func:`~ecosim.processes.brand_actions.discount_table`).
    params : Dynamics
    rng : numpy.random.Generator

    Returns
    -------
    dict
        Per brand: ``purchases`` (count), ``revenue`` (money received) and ``needs``
        (customers in need today, the same for every brand).
    """
    n_brands = population.n_brands
    needy = np.flatnonzero(population.next_need == day)
    population.next_need[needy] = day + rng.geometric(1.0 / population.need_cycle[needy])
    cut = discount[:, population.segment[needy]].T
    probabilities = choice_probabilities(
        population.experience[needy],
        population.aware[needy],
        population.price_sensitivity[needy],
        price * (1.0 - cut) / price.mean(),
        cut > 0,
        params,
    )
    draws = rng.random(len(needy))
    choice = (draws[:, None] >= np.cumsum(probabilities, axis=1)[:, :-1]).sum(axis=1)
    buying = choice < n_brands
    buyers, brand = needy[buying], choice[buying]
    paid = price[brand] * (1.0 - cut[buying, brand])
    population.purchases[buyers, brand] += 1
    population.spend[buyers, brand] += paid
    population.last_purchase[buyers, brand] = day
    noise = params.use_noise * rng.standard_normal(len(brand))
    felt = np.clip(2.0 * quality[brand] - 1.0 + population.fit[buyers, brand] + noise, -1.0, 1.0)
    x = population.experience[buyers, brand]
    weight = params.use_experience_weight * np.where(felt < x, params.negativity_bias, 1.0)
    population.experience[buyers, brand] = x + np.minimum(weight, 1.0) * (felt - x)
    population.stage[buyers, brand] = np.maximum(population.stage[buyers, brand], 1)
    population.engaged_today[buyers, brand] = True
    return {
        "purchases": np.bincount(brand, minlength=n_brands),
        "revenue": np.bincount(brand, weights=paid, minlength=n_brands),
        "needs": np.full(n_brands, len(needy)),
    }
