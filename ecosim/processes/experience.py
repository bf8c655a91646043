"""Phase 3: awareness, experience valence and brand consumption."""

from __future__ import annotations

import numpy as np

from ecosim.population import Population
from ecosim.processes.sampling import Draws
from ecosim.scenario import Dynamics

__all__ = ["consume_content", "forget", "omnichannel", "pull"]


def pull(x: np.ndarray, target: float | np.ndarray, weight: float | np.ndarray) -> np.ndarray:
    """Move valences ``x`` a fraction ``weight`` of the way towards ``target``.

    The update every experience process uses: with ``0 <= weight <= 1`` and a target in
    [-1, 1], the result stays in [-1, 1].

    Examples
    --------
    >>> pull(np.array([0.0, 0.5]), 1.0, 0.5).tolist()
    [0.5, 0.75]
    """
    return x + weight * (target - x)


def consume_content(
    population: Population, day: int, params: Dynamics, draws: Draws
) -> dict[str, np.ndarray]:
    """Turn today's exposures into attention, awareness, experience and consumption.

    A customer exposed with total weight ``w`` attends to (consumes) the content with
    probability ``1 - exp(-attention_rate * ad_receptiveness * w)``. Consuming makes the
    customer aware, moves the experience valence ``x`` towards the message valence
    ``ad_valence`` by ``1 - (1 - content_experience_weight)**w`` of the distance,
    lifts the engagement stage to at least *consumption* and records the day
    (``last_noticed``: the brand is salient when the customer next shops).

    Parameters
    ----------
    population : Population
        Updated in place.
    day : int
        Today.
    params : Dynamics
        Process parameters.
    draws : Draws
        The run's random numbers.

    Returns
    -------
    dict
        Per brand: ``consumed`` (customers who consumed content) and ``aware_by_content``
        (customers who became aware through it).
    """
    n_brands = population.n_brands
    flat = np.flatnonzero(population.exposure.reshape(-1) > 0)
    rows = flat // n_brands
    weight = population.exposure.reshape(-1)[flat]
    attend = 1.0 - np.exp(-params.attention_rate * population.ad_receptiveness[rows] * weight)
    kept = draws.uniform("attend", flat) < attend
    flat, weight = flat[kept], weight[kept]
    aware = population.aware.reshape(-1)
    newly = flat[~aware[flat]]
    aware[flat] = True
    experience = population.experience.reshape(-1)
    share = 1.0 - (1.0 - params.content_experience_weight) ** weight
    experience[flat] = pull(experience[flat], params.ad_valence, share)
    stage = population.stage.reshape(-1)
    stage[flat] = np.maximum(stage[flat], 1)
    population.engaged_today.reshape(-1)[flat] = True
    population.last_consumed.reshape(-1)[flat] = day
    population.last_noticed.reshape(-1)[flat] = day
    return {
        "consumed": np.bincount(flat % n_brands, minlength=n_brands),
        "aware_by_content": np.bincount(newly % n_brands, minlength=n_brands),
    }


def omnichannel(population: Population, consistency: np.ndarray, params: Dynamics) -> np.ndarray:
    """Judge the brand's consistency across channels.

    A customer who met the brand on two or more channels today compares them: with
    the brand's ``omnichannel_consistency`` ``c``, the experience moves towards +1 (a
    consistent brand, ``c > 0.5``) or -1 (an inconsistent one) by
    ``omnichannel_weight * |2c - 1|`` of the distance.

    Parameters
    ----------
    population : Population
        Updated in place.
    consistency : ndarray, shape (n_brands,)
        Each brand's omnichannel consistency in [0, 1].
    params : Dynamics

    Returns
    -------
    ndarray of int
        Customers who met each brand on several channels today.
    """
    n_brands = population.n_brands
    flat = np.flatnonzero(np.bitwise_count(population.channels_today.reshape(-1)) >= 2)
    c = 2.0 * consistency[flat % n_brands] - 1.0
    experience = population.experience.reshape(-1)
    experience[flat] = pull(experience[flat], np.sign(c), params.omnichannel_weight * np.abs(c))
    return np.bincount(flat % n_brands, minlength=n_brands)


def forget(population: Population, day: int, params: Dynamics, draws: Draws) -> np.ndarray:
    """Let unengaged customers forget the brand (awareness with forgetting, SIS-type).

    Each aware customer at stage *none*, not engaged today and without a purchase in the
    last ``active_window`` days, forgets the brand with probability ``forgetting_rate``.

    Parameters
    ----------
    population : Population
        Updated in place.
    day : int
        Today.
    params : Dynamics
        Process parameters.
    draws : Draws
        The run's random numbers.

    Returns
    -------
    ndarray of int
        Number of customers who forgot each brand.
    """
    recent = day - population.last_purchase < params.active_window
    idle = population.aware & (population.stage == 0) & ~population.engaged_today & ~recent
    forgot = draws.bernoulli("forget", np.flatnonzero(idle.reshape(-1)), params.forgetting_rate)
    population.aware.reshape(-1)[forgot] = False
    return np.bincount(forgot % population.n_brands, minlength=population.n_brands)
