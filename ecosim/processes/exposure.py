"""Phase 2: media, influencers and customers' shares deliver the brands' messages."""

from __future__ import annotations

import numpy as np

from ecosim.network import SocialNetwork
from ecosim.population import Population
from ecosim.processes.sampling import Draws
from ecosim.scenario import Dynamics

__all__ = ["deliver", "limit", "select", "share_posts"]


def select(
    groups: list[np.ndarray], probabilities: np.ndarray, draws: Draws, purpose: str
) -> np.ndarray:
    """Select the customers an action reaches today.

    Parameters
    ----------
    groups : list of ndarray of int
        Candidate customers, one array per group (for example per segment).
    probabilities : ndarray of float
        The chance that each member of group ``g`` is reached, ``probabilities[g]``.
    draws : Draws
        The run's random numbers.
    purpose : str
        What the draws are for (the action), so that each action draws its own.

    Returns
    -------
    ndarray of int
        The customers reached.
    """
    reached = [
        draws.bernoulli(purpose, group, p) for group, p in zip(groups, probabilities, strict=True)
    ]
    return np.concatenate(reached) if reached else np.empty(0, dtype=np.int64)


def limit(customers: np.ndarray, most: int, draws: Draws, purpose: str) -> np.ndarray:
    """Keep a random ``most`` of ``customers`` (all of them if there are not more).

    Used when the remaining budget pays for fewer contacts than an action would make.
    """
    return draws.subset(f"{purpose}:limit", customers, most)


def deliver(
    population: Population,
    brand: int,
    customers: np.ndarray,
    weight: float,
    channel: int | None = None,
    day: int | None = None,
) -> None:
    """Add an exposure of ``weight`` for ``brand`` to each of ``customers``.

    Parameters
    ----------
    population : Population
        Updated in place: ``exposure`` grows by ``weight`` and ``reached`` is set; with a
        ``channel``, today's channel mark and the last-touch attribution too.
    brand : int
        Brand index.
    customers : ndarray of int
        Distinct customer indices.
    weight : float
        Effective weight of one exposure (1 for an advertisement).
    channel : int, optional
        Index of the media channel that carried it.
    day : int, optional
        Today (needed with ``channel``).
    """
    population.exposure[customers, brand] += weight
    population.reached[customers, brand] = True
    if channel is not None:
        population.channels_today[customers, brand] |= np.uint64(1 << channel)
        population.last_channel[customers, brand] = channel
        population.last_touch[customers, brand] = day


def share_posts(
    population: Population,
    network: SocialNetwork,
    brand: int,
    readers: np.ndarray,
    appeal: float,
    params: Dynamics,
    draws: Draws,
) -> int:
    """Readers pass a post on to their contacts, who may pass it on again: a cascade.

    A customer who sees the post shares it with probability ``share_rate *
    talkativeness * appeal * min(stage_talk[stage] / stage_talk[2], 1)`` -- sharing is
    Evans's curation, so customers at curation or above share most. Each sharer's
    contacts receive an exposure of weight ``share_weight``; a contact who notices it
    (probability ``1 - exp(-attention_rate * ad_receptiveness * share_weight)``) may
    share it in turn, hop after hop, each customer at most once. On a well-mixed
    population a share reaches everyone, so the cascade stops after one hop. What
    contacts receive reaches them indirectly: it marks them ``affected``, not
    ``reached``. With a reproduction number above one (many contacts, talkative
    customers, appealing content) the post goes viral.

    Parameters
    ----------
    population : Population
        Updated in place.
    network : SocialNetwork
    brand : int
    readers : ndarray of int
        Customers who received the brand's post today.
    appeal : float
        How shareable the content is (1: ordinary).
    params : Dynamics
    draws : Draws
        The run's random numbers.

    Returns
    -------
    int
        Number of shares.
    """
    voice = np.minimum(np.asarray(params.stage_talk) / params.stage_talk[2], 1.0)
    seen = np.zeros(population.n, dtype=bool)
    seen[readers] = True
    candidates, shares = readers, 0
    while len(candidates):
        chance = params.share_rate * appeal * population.talkativeness[candidates]
        chance = chance * voice[population.stage[candidates, brand]]
        sharers = draws.bernoulli(f"share:{brand}", candidates, chance)
        shares += len(sharers)
        if len(sharers) == 0:
            break
        marked = np.zeros((population.n, 1), dtype=bool)
        marked[sharers] = True
        counts = network.count_marked_neighbors(marked)[:, 0]
        contacts = np.flatnonzero(counts)
        population.exposure[contacts, brand] += params.share_weight * counts[contacts]
        population.affected[contacts, brand] = True
        fresh = contacts[~seen[contacts]]
        seen[fresh] = True
        if network.well_mixed:
            break
        notice = 1.0 - np.exp(
            -params.attention_rate * population.ad_receptiveness[fresh] * params.share_weight
        )
        candidates = fresh[draws.uniform(f"notice share:{brand}", fresh) < notice]
    return shares
