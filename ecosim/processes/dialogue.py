"""Phase 4: word of mouth spreads on the social network."""

from __future__ import annotations

import numpy as np

from ecosim.network import SocialNetwork
from ecosim.population import Population
from ecosim.processes.experience import pull
from ecosim.processes.sampling import Draws
from ecosim.scenario import Dynamics

__all__ = ["heard_shares", "heard_talk", "heard_valence", "media_story", "speak", "word_of_mouth"]


def speak(population: Population, params: Dynamics, draws: Draws) -> tuple[np.ndarray, np.ndarray]:
    """Decide who talks about which brand today, and with which valence.

    An aware customer with a positive experience ``x > 0`` recommends the brand with
    probability ``talkativeness * stage_talk[stage] * x``: the more engaged, the more they
    share (Evans & McKee 2010). A customer with a negative experience complains with probability
    ``talkativeness * venting_rate * |x|`` whatever their stage, if they have bought the
    brand: dissatisfaction with one's own consumption, not engagement, drives complaints,
    and dissatisfied customers talk more than satisfied ones (Anderson 1998); customers
    who only heard about the brand do not complain about it.

    Parameters
    ----------
    population : Population
        Read only.
    params : Dynamics
        Process parameters.
    draws : Draws
        The run's random numbers.

    Returns
    -------
    positive, negative : ndarray of bool, shape (n, n_brands)
        Who speaks positively and who negatively.
    """
    n_brands = population.n_brands
    flat = np.flatnonzero(population.aware.reshape(-1))
    x = population.experience.reshape(-1)[flat]
    stage_talk = np.asarray(params.stage_talk)[population.stage.reshape(-1)[flat]]
    used = population.purchases.reshape(-1)[flat] > 0
    rate = np.where(x < 0, params.venting_rate * used, stage_talk)
    p = population.talkativeness[flat // n_brands] * rate * np.abs(x)
    speaking = flat[draws.uniform("speak", flat) < p]
    x = population.experience.reshape(-1)[speaking]
    positive = np.zeros(population.aware.shape, dtype=bool)
    negative = np.zeros(population.aware.shape, dtype=bool)
    positive.reshape(-1)[speaking[x > 0]] = True
    negative.reshape(-1)[speaking[x < 0]] = True
    return positive, negative


def word_of_mouth(
    population: Population,
    network: SocialNetwork,
    positive: np.ndarray,
    negative: np.ndarray,
    params: Dynamics,
    draws: Draws,
    day: int = 0,
) -> dict[str, np.ndarray]:
    """Let customers hear their neighbours and update awareness and experience.

    A customer whose neighbours speak about a brand hears the shares ``P`` (positive) and
    ``N`` (negative) of their neighbours. An unaware listener becomes aware with
    probability ``1 - exp(-wom_awareness_rate * (P + N))``. Every aware listener's
    experience moves towards the valence ``v = (P - b N) / (P + b N)`` of what they hear
    by ``wom_experience_weight * (P + b N) / (P + N) * (1 - exp(-(P + N) /
    wom_saturation))`` of the distance, with ``b = negativity_bias``: criticism weighs
    more than praise (Baumeister et al. 2001), and the weight saturates in the share of
    contacts talking (:func:`heard_valence`). A listener who has bought the brand moves
    ``wom_user_weight`` times as far: own use outweighs hearsay.

    Parameters
    ----------
    population : Population
        Updated in place.
    network : SocialNetwork
        Who hears whom.
    positive, negative : ndarray of bool, shape (n, n_brands)
        Today's speakers (from :func:`speak`).
    params : Dynamics
        Process parameters.
    draws : Draws
        The run's random numbers.
    day : int
        Today, recorded as the day each listener last heard about the brand.

    Returns
    -------
    dict
        Per brand: ``wom_positive`` and ``wom_negative`` (speakers), ``wom_heard``
        (listeners) and ``aware_by_wom`` (new awareness).
    """
    n_brands = population.n_brands
    heard, p, q = heard_talk(network, positive, negative)
    population.heard_wom.reshape(-1)[heard] = day
    aware = population.aware.reshape(-1)
    chance = 1.0 - np.exp(-params.wom_awareness_rate * (p + q))
    converted = heard[~aware[heard] & (draws.uniform("hear", heard) < chance)]
    aware[converted] = True
    population.affected.reshape(-1)[heard[aware[heard]]] = True
    listening = aware[heard]
    heard, p, q = heard[listening], p[listening], q[listening]
    experience = population.experience.reshape(-1)
    valence, weight = heard_valence(p, q, params)
    used = population.purchases.reshape(-1)[heard] > 0
    weight = np.where(used, params.wom_user_weight * weight, weight)
    experience[heard] = pull(experience[heard], valence, weight)
    return {
        "wom_positive": positive.sum(axis=0),
        "wom_negative": negative.sum(axis=0),
        "wom_heard": np.bincount(heard % n_brands, minlength=n_brands),
        "aware_by_wom": np.bincount(converted % n_brands, minlength=n_brands),
    }


def heard_valence(
    positive: np.ndarray, negative: np.ndarray, params: Dynamics
) -> tuple[np.ndarray, np.ndarray]:
    """Return what listeners make of today's talk: its valence and how far it moves them.

    A negative message weighs ``negativity_bias`` (``b``) positive ones (Baumeister et
    al. 2001; Chevalier & Mayzlin 2006), so talk of shares ``P`` (positive) and ``N``
    (negative) has the valence ``v = (P - b N) / (P + b N)``. The listener's experience
    moves towards ``v`` by ``wom_experience_weight * (P + b N) / (P + N) * (1 -
    exp(-(P + N) / wom_saturation))``: criticism alone moves a listener ``b`` times as
    far as praise alone, and what is said matters more than how much is said — hearing
    the same opinion from more contacts adds less and less, as repeated messages carry
    redundant information — in line with the meta-analytic finding that the valence of
    word of mouth moves sales more than its volume (You, Vadakkepatt & Joshi 2015).

    Parameters
    ----------
    positive, negative : ndarray
        Shares of the listener's contacts speaking positively and negatively (``P``, ``N``).
    params : Dynamics

    Returns
    -------
    valence, weight : ndarray
        The target ``v`` in [-1, 1] and the share of the distance moved, in [0, 1)
        (the schema keeps ``wom_experience_weight * negativity_bias <= 1``).

    Examples
    --------
    >>> from ecosim.scenario import Dynamics
    >>> params = Dynamics(negativity_bias=2.0, wom_experience_weight=0.1, wom_saturation=0.1)
    >>> v, w = heard_valence(np.array([0.2, 0.0]), np.array([0.0, 0.2]), params)
    >>> v.tolist(), np.round(w, 4).tolist()
    ([1.0, -1.0], [0.0865, 0.1729])
    """
    weighted = positive + params.negativity_bias * negative
    heard = positive + negative
    valence = np.divide(
        positive - params.negativity_bias * negative,
        weighted,
        out=np.zeros_like(weighted),
        where=weighted > 0,
    )
    bias = np.divide(weighted, heard, out=np.ones_like(heard), where=heard > 0)
    weight = params.wom_experience_weight * bias * -np.expm1(-heard / params.wom_saturation)
    return valence, weight


def heard_talk(
    network: SocialNetwork, positive: np.ndarray, negative: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who hears talk about which brand, and the shares of contacts speaking each way.

    The listeners with a contact speaking about a brand, as :func:`heard_shares` gives
    them, found through the speakers' edges when they are few (no ``(n, n_brands)``
    arrays are made).

    Parameters
    ----------
    network : SocialNetwork
    positive, negative : ndarray of bool, shape (n, n_brands)
        Today's speakers.

    Returns
    -------
    heard : ndarray of int
        Flat ``customer * n_brands + brand`` indices of the listeners, ascending.
    p, q : ndarray of float64
        The shares of their contacts speaking positively and negatively.

    Examples
    --------
    >>> from ecosim.network import SocialNetwork
    >>> path = SocialNetwork.from_edges(np.array([0, 1]), np.array([1, 2]), 3)
    >>> heard, p, q = heard_talk(path, np.array([[True], [False], [False]]),
    ...                          np.array([[False], [False], [True]]))
    >>> heard.tolist(), p.tolist(), q.tolist()
    ([1], [0.5], [0.5])
    """
    n_brands = positive.shape[1]
    keys, shares = network.nonzero_neighbor_share(np.hstack([positive, negative]))
    customer, column = np.divmod(keys, 2 * n_brands)
    heard, where = np.unique(customer * n_brands + column % n_brands, return_inverse=True)
    p, q = np.zeros(heard.size), np.zeros(heard.size)
    praise = column < n_brands
    p[where[praise]] = shares[praise]
    q[where[~praise]] = shares[~praise]
    return heard, p, q


def heard_shares(network: SocialNetwork, speaking: np.ndarray) -> np.ndarray:
    """For every customer, the share of their neighbours speaking in each column.

    On a weighted network, the share of their tie strength: ``sum of w over speaking
    neighbours / sum of w``, so a strong tie's word counts more than a weak tie's
    (Goldenberg, Libai & Muller 2001).

    Parameters
    ----------
    network : SocialNetwork
    speaking : ndarray of bool, shape (n, k)
        Who speaks, per column (for example brand x valence).

    Returns
    -------
    ndarray of float64, shape (n, k)
        ``(number of speaking neighbours) / degree`` (weighted: the weighted share); 0 for
        isolated customers.

    Examples
    --------
    >>> from ecosim.network import SocialNetwork
    >>> path = SocialNetwork.from_edges(np.array([0, 1]), np.array([1, 2]), 3)
    >>> heard_shares(path, np.array([[True], [False], [False]])).ravel().tolist()
    [0.0, 0.5, 0.0]
    >>> ties = SocialNetwork.from_edges(np.array([0, 1]), np.array([1, 2]), 3, [3.0, 1.0])
    >>> heard_shares(ties, np.array([[True], [False], [False]])).ravel().tolist()
    [0.0, 0.75, 0.0]
    """
    return network.neighbor_share(speaking)


def media_story(
    population: Population,
    brand: int,
    customers: np.ndarray,
    valence: float,
    params: Dynamics,
    draws: Draws,
) -> None:
    """Show customers a media story about a brand that trends in dialogue.

    Each customer notices the story with probability
    ``1 - exp(-attention_rate * ad_receptiveness)``; noticing makes them aware and moves
    their experience towards ``valence`` (+1 for praise, -1 for criticism) by
    ``content_experience_weight`` of the distance, ``negativity_bias`` times as much for
    criticism. They are affected indirectly (``affected``), not reached by the brand.

    Parameters
    ----------
    population : Population
        Updated in place.
    brand : int
    customers : ndarray of int
        The channel's users who see the story.
    valence : float
        +1 or -1.
    params : Dynamics
    draws : Draws
        The run's random numbers.
    """
    notice = 1.0 - np.exp(-params.attention_rate * population.ad_receptiveness[customers])
    noticed = customers[draws.uniform(f"media story:{brand}", customers) < notice]
    weight = params.content_experience_weight * (params.negativity_bias if valence < 0 else 1.0)
    population.aware[noticed, brand] = True
    population.affected[noticed, brand] = True
    x = population.experience[noticed, brand]
    population.experience[noticed, brand] = pull(x, valence, min(weight, 1.0))
