"""Phase 2: brand actions that reach customers directly, without paid media.

Gamification in the brand's app, AI-personalised offers, community invitations,
personalised rewards and sampling or ambassador programmes. Each function acts on the
customers an action targets and returns how many it touched, so that the brand can pay
per contact.
"""

from __future__ import annotations

import numpy as np

from ecosim.population import Population
from ecosim.processes.experience import pull
from ecosim.processes.exposure import limit
from ecosim.processes.sampling import Draws
from ecosim.processes.shopping import purchase_intervals
from ecosim.scenario import Community, Gamification, Personalisation, PersonalisedReward

__all__ = ["invite", "offer", "play", "predicted_purchase", "reward", "sample"]


def play(
    population: Population,
    customers: np.ndarray,
    brand: int,
    action: Gamification,
    day: int,
    most: int,
    draws: Draws,
) -> np.ndarray:
    """Aware customers play the brand's game (daily missions, a spin wheel).

    Each aware, not churned customer plays with probability ``participation *
    intensity``. Playing is consumption of the brand (stage at least consumption, an
    engaged day, which lets the stage climb) and moves the experience towards +1 by
    ``fun``. At most ``most`` play (what the budget pays for).

    Returns
    -------
    ndarray of int
        The players.
    """
    candidates = customers[
        population.aware[customers, brand] & ~population.churned[customers, brand]
    ]
    chance = action.participation * action.intensity
    players = limit(
        draws.bernoulli(f"play:{brand}", candidates, chance), most, draws, f"play:{brand}"
    )
    population.experience[players, brand] = pull(
        population.experience[players, brand], 1.0, action.fun
    )
    population.stage[players, brand] = np.maximum(population.stage[players, brand], 1)
    population.engaged_today[players, brand] = True
    population.last_consumed[players, brand] = day
    return players


def offer(
    population: Population,
    customers: np.ndarray,
    brand: int,
    action: Personalisation,
    day: int,
    most: int,
    draws: Draws,
) -> np.ndarray:
    """Send personalised offers to past buyers whose next purchase is predicted soon.

    The brand sees only its purchase records. It predicts each customer's next purchase
    at the last purchase plus their mean interval between purchases, or, for a
    one-time buyer, the mean interval of the brand's repeat buyers (no prediction
    before anyone has bought twice). Customers who bought the brand before, are not
    churned, have no open offer and are predicted to buy within ``lookahead`` days get
    an offer that lifts their purchase utility by ``lift`` until ``lookahead`` days
    after the predicted day. At most ``most`` offers go out.

    Returns
    -------
    ndarray of int
        The customers who got an offer.
    """
    predicted = predicted_purchase(population, customers, brand)
    due = predicted - day
    eligible = (
        (population.purchases[customers, brand] > 0)
        & ~population.churned[customers, brand]
        & (population.offer_until[customers, brand] < day)
        & (due >= 0)
        & (due <= action.lookahead)
    )
    candidates, predicted = customers[eligible], predicted[eligible]
    chosen = np.isin(candidates, limit(candidates, most, draws, f"offer:{brand}"))
    targets = candidates[chosen]
    until = predicted[chosen] + action.lookahead
    population.offer_until[targets, brand] = np.floor(until).astype(np.int32)
    population.offer_lift[targets, brand] = action.lift * action.intensity
    population.reached[targets, brand] = True
    return targets


def predicted_purchase(population: Population, customers: np.ndarray, brand: int) -> np.ndarray:
    """Predict each customer's next purchase of ``brand`` from the purchase records.

    The last purchase plus the customer's :func:`~ecosim.processes.shopping.purchase_intervals`.
    Customers who never bought, or for whom no interval is known yet, get ``inf``.

    Examples
    --------
    >>> from ecosim.population import Population
    >>> population = Population.blank(3, 1)
    >>> population.purchases[:, 0] = [3, 1, 0]
    >>> population.first_purchase[:, 0] = [0, 5, 0]
    >>> population.last_purchase[:, 0] = [20, 5, 0]
    >>> predicted_purchase(population, np.arange(3), 0)[:2].tolist()
    [30.0, 15.0]
    """
    predicted = (
        population.last_purchase[customers, brand]
        + purchase_intervals(population, brand)[customers]
    )
    bought = population.purchases[customers, brand] > 0
    return np.where(np.isfinite(predicted) & bought, predicted, np.inf)


def invite(
    population: Population,
    customers: np.ndarray,
    brand: int,
    action: Community,
    day: int,
    most: int,
    draws: Draws,
) -> np.ndarray:
    """Invite customers at curation or above to co-create; some accept and climb a stage.

    Each is invited with probability ``intensity`` and accepts with probability
    ``acceptance * max(x, 0)``; accepting moves them one stage up (towards
    collaboration, Evans's fourth stage) and is an engaged day. At most ``most`` are
    invited.

    Returns
    -------
    ndarray of int
        The customers invited.
    """
    candidates = customers[population.stage[customers, brand] >= 2]
    invited = draws.bernoulli(f"invite:{brand}", candidates, action.intensity)
    invited = limit(invited, most, draws, f"invite:{brand}")
    x = np.maximum(population.experience[invited, brand], 0.0)
    accepting = invited[draws.uniform(f"accept:{brand}", invited) < action.acceptance * x]
    population.stage[accepting, brand] = np.minimum(population.stage[accepting, brand] + 1, 4)
    population.engaged_today[accepting, brand] = True
    population.last_consumed[accepting, brand] = day
    population.reached[invited, brand] = True
    return invited


def reward(
    population: Population,
    customers: np.ndarray,
    brand: int,
    action: PersonalisedReward,
    day: int,
    active_window: int,
    most: int,
    draws: Draws,
) -> np.ndarray:
    """Give bonus points to the targeted customers who bought in the active window.

    Feeling valued moves their experience towards +1 by ``appreciation``. At most
    ``most`` are rewarded.

    Returns
    -------
    ndarray of int
        The customers rewarded.
    """
    recent = day - population.last_purchase[customers, brand] < active_window
    eligible = customers[recent & ~population.churned[customers, brand]]
    rewarded = limit(eligible, most, draws, f"reward:{brand}")
    population.points[rewarded, brand] += action.bonus_points
    x = population.experience[rewarded, brand]
    population.experience[rewarded, brand] = pull(x, 1.0, action.appreciation)
    population.reached[rewarded, brand] = True
    return rewarded


def sample(population: Population, seeds: np.ndarray, brand: int, day: int) -> None:
    """Seeded customers receive the product: they know it and have consumed it.

    Their experience of using it is applied by the caller (as for a purchase).
    """
    population.aware[seeds, brand] = True
    population.reached[seeds, brand] = True
    population.stage[seeds, brand] = np.maximum(population.stage[seeds, brand], 1)
    population.engaged_today[seeds, brand] = True
    population.last_consumed[seeds, brand] = day
