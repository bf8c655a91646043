"""Reduced models: classic diffusion rules in place of the ecosystem's mechanisms.

When a scenario's ``diffusion.rule`` is not ``ecosystem``, each day runs brand actions,
exposures and one of these rules, per brand. Adoption is the first purchase; awareness
(for ``sis``) is the ``aware`` state. They reproduce the models the engine is docked
against (``docs/validation.md``).

On a weighted network each tie has a strength ``w`` (Goldenberg, Libai & Muller 2001:
strong and weak ties transmit differently): the independent cascade passes an edge with
probability ``1 - (1 - p)**w``, and the neighbour counts of the other rules become sums of
``w`` (shares: ``sum of w over adopted neighbours / sum of w``). With every ``w = 1`` these
are the unweighted rules; an unweighted network takes the unweighted code paths.
"""

from __future__ import annotations

import numpy as np

from ecosim.network import SocialNetwork, tie_probability

__all__ = [
    "adopted_share",
    "bass",
    "independent_cascade",
    "linear_threshold",
    "noticed",
    "sis",
]


def adopted_share(network: SocialNetwork, adopted: np.ndarray) -> np.ndarray:
    """Return the share of each customer's neighbours (all others, if well mixed) marked.

    On a weighted network, the share of tie strength: ``sum of w over marked neighbours /
    sum of w``. Customers without contacts get 0.
    """
    return network.neighbor_share(adopted[:, None])[:, 0]


def bass(
    network: SocialNetwork, adopted: np.ndarray, p: float, q: float, rng: np.random.Generator
) -> np.ndarray:
    """One day of the network Bass model (Bass 1969).

    Each customer who has not adopted adopts with probability ``min(p + q * F, 1)``,
    where ``F`` is the adopted share of their neighbours (of their tie strength, on a
    weighted network); on a complete graph ``F`` is the adopted share of everyone else,
    which gives Bass's ``dF/dt = (p + q F)(1 - F)``.

    Parameters
    ----------
    network : SocialNetwork
    adopted : ndarray of bool, shape (n,)
        Who has adopted (not modified).
    p, q : float
        Innovation and imitation coefficients per day.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int
        The customers who adopt today.

    References
    ----------
    F. M. Bass, "A new product growth for model consumer durables", Management Science
    15 (1969) 215-227.
    """
    waiting = np.flatnonzero(~adopted)
    hazard = np.minimum(p + q * adopted_share(network, adopted)[waiting], 1.0)
    return waiting[rng.random(len(waiting)) < hazard]


def independent_cascade(
    network: SocialNetwork,
    adopted: np.ndarray,
    frontier: np.ndarray,
    probability: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """One round of the independent cascade model.

    Each customer who adopted in the previous round gets one chance to convince each
    neighbour who has not adopted, independently with ``probability``; on a weighted
    network with :func:`tie_probability` of the tie's strength.

    Parameters
    ----------
    network : SocialNetwork
    adopted : ndarray of bool, shape (n,)
    frontier : ndarray of int
        The customers who adopted in the previous round.
    probability : float
        Activation probability of an edge.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int
        The customers who adopt in this round (distinct).

    References
    ----------
    J. Goldenberg, B. Libai and E. Muller, "Talk of the network: a complex systems look at
    the underlying process of word-of-mouth", Marketing Letters 12 (2001) 211-223.
    D. Kempe, J. Kleinberg and E. Tardos, "Maximizing the spread of influence through a
    social network", KDD 2003.
    """
    if len(frontier) == 0:
        return frontier
    if network.well_mixed:
        waiting = np.flatnonzero(~adopted)
        chance = 1.0 - (1.0 - probability) ** len(frontier)
        return waiting[rng.random(len(waiting)) < chance]
    if network.weighted:
        _, target, weight = network.weighted_edges_from(frontier)
        waiting = ~adopted[target]
        target, chance = target[waiting], tie_probability(probability, weight[waiting])
        return np.unique(target[rng.random(len(target)) < chance]).astype(np.int64)
    _, target = network.edges_from(frontier)
    target = target[~adopted[target]]
    return np.unique(target[rng.random(len(target)) < probability]).astype(np.int64)


def linear_threshold(
    network: SocialNetwork, adopted: np.ndarray, thresholds: np.ndarray
) -> np.ndarray:
    """One round of the linear threshold model (Granovetter 1978).

    A customer adopts once the adopted share of their neighbours (each neighbour weighing
    ``1 / degree``; ``w / sum of w`` on a weighted network) reaches their threshold.

    Parameters
    ----------
    network : SocialNetwork
    adopted : ndarray of bool, shape (n,)
    thresholds : ndarray, shape (n,)
        Each customer's threshold in [0, 1].

    Returns
    -------
    ndarray of int
        The customers who adopt in this round.

    References
    ----------
    M. Granovetter, "Threshold models of collective behavior", American Journal of
    Sociology 83 (1978) 1420-1443.
    """
    share = adopted_share(network, adopted)
    has_contacts = network.degree > 0
    return np.flatnonzero(~adopted & has_contacts & (share >= thresholds))


def sis(
    network: SocialNetwork,
    aware: np.ndarray,
    infection: float,
    recovery: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """One day of awareness with forgetting: a susceptible-infected-susceptible process.

    An unaware customer with ``m`` aware neighbours becomes aware with probability
    ``1 - (1 - infection)**m`` (``m``: the aware neighbours' total tie strength, on a
    weighted network); an aware customer forgets with probability ``recovery``.
    Both use the state at the start of the day. Awareness lasts when
    ``infection / recovery`` exceeds the epidemic threshold ``<k> / <k^2>``.

    Parameters
    ----------
    network : SocialNetwork
    aware : ndarray of bool, shape (n,)
    infection, recovery : float
    rng : numpy.random.Generator

    Returns
    -------
    learn, forget : ndarray of int
        Customers who become aware, and who forget.

    References
    ----------
    R. Pastor-Satorras and A. Vespignani, "Epidemic spreading in scale-free networks",
    Physical Review Letters 86 (2001) 3200-3203.
    """
    if network.weighted:
        contacts = network.marked_neighbor_weight(aware[:, None])[:, 0]
    else:
        contacts = network.count_marked_neighbors(aware[:, None])[:, 0]
    unaware = np.flatnonzero(~aware & (contacts > 0))
    chance = 1.0 - (1.0 - infection) ** contacts[unaware]
    learn = unaware[rng.random(len(unaware)) < chance]
    knowing = np.flatnonzero(aware)
    forget = knowing[rng.random(len(knowing)) < recovery]
    return learn, forget


def noticed(
    exposure: np.ndarray,
    receptiveness: np.ndarray,
    attention_rate: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Return the customers who notice today's advertising: probability ``1 - exp(-a r w)``.

    Parameters
    ----------
    exposure : ndarray, shape (n,)
        Today's exposure weight for one brand.
    receptiveness : ndarray, shape (n,)
    attention_rate : float
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int
    """
    exposed = np.flatnonzero(exposure > 0)
    chance = 1.0 - np.exp(-attention_rate * receptiveness[exposed] * exposure[exposed])
    return exposed[rng.random(len(exposed)) < chance]
