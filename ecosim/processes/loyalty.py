"""Phase 5: loyalty programmes -- points, status tiers and paid membership.

A brand's programme may combine all three (a hybrid). Their effects enter the purchase
utility (:func:`benefits`), the money paid (rewards and member or tier discounts), and
the experience (tier promotions and demotions); tiers may also buy their members priority
fulfilment (:func:`priority`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ecosim.population import NEVER, Population
from ecosim.processes.experience import pull
from ecosim.processes.sampling import Draws
from ecosim.scenario import Loyalty, Membership, Points, Tiers

__all__ = [
    "benefits",
    "break_even",
    "earn_and_redeem",
    "join_membership",
    "pace",
    "points_value",
    "priority",
    "renew_memberships",
    "review_tiers",
    "worth_renewing",
]


def benefits(
    population: Population, customers: np.ndarray, programmes: list[Loyalty], day: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return what each brand's programme offers these customers today.

    Points: a utility lift ``goal_gradient * min(points / goal, 1)`` that grows as the
    goal nears -- the goal-gradient effect (Kivetz, Urminsky & Zheng 2006); after a
    redemption progress restarts, so the lift falls back (the post-reward lull).
    Tiers: the tier's discount and utility, and a lift ``goal_gradient * min(s / t, 1)``
    for a customer below the top tier, with ``s`` the period's spend and ``t`` the next
    tier's threshold: status is a goal too (Drèze & Nunes 2009, 2011). Membership: its
    discount and utility.

    Parameters
    ----------
    population : Population
    customers : ndarray of int
    programmes : list of Loyalty
        One per brand.
    day : int

    Returns
    -------
    discount, lift : ndarray, shape (k, n_brands)
        The combined discount (fractions combine multiplicatively) and utility lift.
    """
    shape = (len(customers), len(programmes))
    keep, lift = np.ones(shape), np.zeros(shape)
    for b, programme in enumerate(programmes):
        if programme.points is not None:
            progress = population.points[customers, b] / programme.points.goal
            lift[:, b] += programme.points.goal_gradient * np.minimum(progress, 1.0)
        if programme.tiers is not None:
            tier = population.tier[customers, b]
            levels = programme.tiers.levels
            keep[:, b] *= 1.0 - np.array([0.0, *(t.discount for t in levels)])[tier]
            lift[:, b] += np.array([0.0, *(t.utility for t in levels)])[tier]
            following = np.array([*(t.threshold for t in levels), np.inf])[tier]
            progress = population.period_spend[customers, b] / following
            lift[:, b] += programme.tiers.goal_gradient * np.minimum(progress, 1.0)
        if programme.membership is not None:
            member = population.member_until[customers, b] >= day
            keep[:, b] *= np.where(member, 1.0 - programme.membership.discount, 1.0)
            lift[:, b] += np.where(member, programme.membership.utility, 0.0)
    return 1.0 - keep, lift


def pace(population: Population, programmes: list[Loyalty], day: int) -> np.ndarray | None:
    """Return how often each customer shops relative to their need cycle: members shop more.

    A member of a brand's paid membership has ``1 + frequency_lift`` times the purchase
    occasions (the largest lift of their memberships); ``None`` when no brand has a
    membership.
    """
    lifts = [
        (b, programme.membership.frequency_lift)
        for b, programme in enumerate(programmes)
        if programme.membership is not None
    ]
    if not lifts:
        return None
    faster = np.ones(population.n)
    for b, lift in lifts:
        member = population.member_until[:, b] >= day
        faster[member] = np.maximum(faster[member], 1.0 + lift)
    return faster


def points_value(programmes: list[Loyalty], multiplier: np.ndarray) -> np.ndarray:
    """Return the money value of the points a purchase earns, as a share of what is paid.

    ``earn_rate * multiplier * reward_value / goal`` per brand with a points card (0
    without): customers count the rewards they earn as part of the deal (Kivetz &
    Simonson 2002), so a double-points day is a small price cut in their eyes — as well
    as a step towards the goal.

    Examples
    --------
    >>> from ecosim.scenario import Loyalty, Points
    >>> card = Loyalty(points=Points(earn_rate=1.0, goal=1500, reward_value=20))
    >>> points_value([card, Loyalty()], np.array([2.0, 1.0])).round(4).tolist()
    [0.0267, 0.0]
    """
    return np.array(
        [
            p.points.earn_rate * m * p.points.reward_value / p.points.goal
            if p.points is not None
            else 0.0
            for p, m in zip(programmes, multiplier, strict=True)
        ]
    )


def earn_and_redeem(
    population: Population,
    buyers: np.ndarray,
    paid: np.ndarray,
    brand: int,
    points: Points,
    multiplier: float,
) -> tuple[np.ndarray, float, float, float]:
    """Redeem a reward for buyers who reached the goal, then earn points on what they pay.

    A buyer holding at least ``goal`` points redeems ``goal`` of them for a reward worth
    ``reward_value``, taken off this purchase (at most its price). Every buyer then earns
    ``earn_rate * multiplier`` points per money unit paid (``multiplier`` is 2 on a
    double-points day). Points earned = points redeemed + points outstanding.

    Parameters
    ----------
    population : Population
        ``points`` updated in place.
    buyers : ndarray of int
        Buyers of ``brand``.
    paid : ndarray
        What each would pay before the reward.
    brand : int
    points : Points
    multiplier : float

    Returns
    -------
    paid : ndarray
        What each pays after the reward.
    earned, redeemed, reward_value : float
        Points earned, points redeemed, money value of the rewards given.
    """
    balance = population.points[buyers, brand]
    redeeming = balance >= points.goal
    reward = np.where(redeeming, np.minimum(points.reward_value, paid), 0.0)
    paid = paid - reward
    earned = points.earn_rate * multiplier * paid
    population.points[buyers, brand] = balance - redeeming * points.goal + earned
    return paid, float(earned.sum()), float(redeeming.sum() * points.goal), float(reward.sum())


def priority(
    population: Population, customers: np.ndarray, brand: int, tiers: Tiers
) -> tuple[np.ndarray, float]:
    """Priority fulfilment for a brand's best customers: what it prevents and costs.

    A member of a tier with ``priority`` above 0 has their orders dispatched first and
    stock reserved for them, so that share of the incidents the brand sees coming (the
    ``notifiable`` ones: late deliveries, stock-outs) does not happen to them -- the
    seeds' "delivery priority for loyal customers"; preferential treatment of the best
    customers strengthens their relationship with the firm (Lacey, Suh & Morgan 2007).
    Each such purchase costs the tier's ``priority_cost`` (express courier, held stock).

    Parameters
    ----------
    population : Population
    customers : ndarray of int
        Today's buyers of ``brand``.
    brand : int
    tiers : Tiers
        The brand's status tiers.

    Returns
    -------
    prevented : ndarray of float, shape (k,)
        The share of each buyer's notifiable incidents that priority prevents.
    cost : float
        Today's cost of the priority purchases.

    Examples
    --------
    >>> import numpy as np
    >>> from ecosim.population import Population
    >>> from ecosim.scenario import Tier, Tiers
    >>> population = Population.blank(3, 1)
    >>> population.tier[:, 0] = [0, 1, 2]
    >>> levels = [Tier(name="gold", threshold=500), Tier(name="vip", threshold=900, priority=0.5)]
    >>> prevented, cost = priority(population, np.arange(3), 0, Tiers(levels=levels))
    >>> prevented.tolist(), cost
    ([0.0, 0.0, 0.5], 10.0)
    """
    levels = tiers.levels
    tier = population.tier[customers, brand]
    prevented = np.array([0.0, *(level.priority for level in levels)])[tier]
    fee = np.array([0.0, *(level.priority_cost * (level.priority > 0) for level in levels)])
    return prevented, float(fee[tier].sum())


def review_tiers(population: Population, brand: int, tiers: Tiers, day: int) -> tuple[int, int]:
    """On review days, move customers between tiers by their spend in the period.

    A customer's new tier is the highest whose ``threshold`` the period's spend reaches;
    period spend then restarts. A promotion moves the experience towards +1 by
    ``promotion_boost``; a demotion towards -1 by ``loss_aversion * promotion_boost``:
    losing status hurts more than gaining it pleases (Wagner, Hennig-Thurau & Rudolph
    2009).

    Parameters
    ----------
    population : Population
        Updated in place (``tier``, ``period_spend``, ``experience``).
    brand : int
    tiers : Tiers
    day : int

    Returns
    -------
    promoted, demoted : int
    """
    if day % tiers.review_days:
        return 0, 0
    thresholds = np.array([level.threshold for level in tiers.levels])
    new = np.searchsorted(thresholds, population.period_spend[:, brand], side="right")
    old = population.tier[:, brand]
    up, down = np.flatnonzero(new > old), np.flatnonzero(new < old)
    boost = tiers.promotion_boost
    experience = population.experience
    experience[up, brand] = pull(experience[up, brand], 1.0, boost)
    experience[down, brand] = pull(
        experience[down, brand], -1.0, min(tiers.loss_aversion * boost, 1)
    )
    population.tier[:, brand] = new
    population.period_spend[:, brand] = 0.0
    return len(up), len(down)


def break_even(membership: Membership, price: float) -> float:
    """Return the purchases in a term whose discount repays the fee: ``fee / (discount * price)``.

    0 for a free membership (a membership with a fee has a discount: the schema says so).

    Examples
    --------
    >>> break_even(Membership(fee=25, discount=0.06), price=150)
    2.7777777777777777
    """
    return membership.fee / (membership.discount * price) if membership.fee else 0.0


def worth_renewing(
    membership: Membership, purchases: np.ndarray, experience: np.ndarray, price: float
) -> np.ndarray:
    """Return the probability that a member renews after ``purchases`` in a term.

    ``logistic(renewal_intercept + renewal_usage * (purchases - b) + renewal_experience *
    x)``, ``b`` the purchases whose discount repays the fee at the list ``price``
    (:func:`break_even`): the membership is worth its fee as far as it saved the member.

    Parameters
    ----------
    membership : Membership
    purchases : ndarray of float
        Purchases in the term, made (at renewal) or expected (at joining).
    experience : ndarray of float
        The members' experience valence ``x`` with the brand.
    price : float
        The brand's regular list price.

    Returns
    -------
    ndarray of float
        The probability of renewing, per member.

    Examples
    --------
    >>> membership = Membership(fee=25, discount=0.06, renewal_intercept=0.0)
    >>> worth_renewing(membership, np.array([25 / 9]), np.array([0.0]), price=150).round(2)
    array([0.5])
    """
    shortfall = purchases - break_even(membership, price)
    return expit(
        membership.renewal_intercept
        + membership.renewal_usage * shortfall
        + membership.renewal_experience * experience
    )


def join_membership(
    population: Population,
    buyers: np.ndarray,
    brand: int,
    membership: Membership,
    price: float,
    day: int,
    draws: Draws,
) -> int:
    """Buyers who are not members join if the membership looks worth its fee to them.

    A buyer joins with probability ``join_probability * max(x, 0) * r``, ``r`` the chance
    they would renew (:func:`worth_renewing`) after the purchases they expect in a term:
    their need cycle, sped up by the membership's ``frequency_lift``. The chance falls
    logistically as the fee grows, so the fees collected from joiners have a maximum.

    Parameters
    ----------
    population : Population
        ``member_until`` and ``term_purchases`` updated for those who join.
    buyers : ndarray of int
        Today's buyers of ``brand``.
    brand : int
    membership : Membership
    price : float
        The brand's list price.
    day : int
    draws : Draws
        The run's random numbers.

    Returns
    -------
    int
        Customers who joined (each pays the fee).
    """
    outsiders = buyers[population.member_until[buyers, brand] < day]
    experience = population.experience[outsiders, brand]
    expected = membership.term_days * (1 + membership.frequency_lift)
    expected = expected / population.need_cycle[outsiders]
    chance = membership.join_probability * np.maximum(experience, 0)
    chance *= worth_renewing(membership, expected, experience, price)
    joining = outsiders[draws.uniform(f"join:{brand}", outsiders) < chance]
    population.member_until[joining, brand] = day + membership.term_days
    population.term_purchases[joining, brand] = 0
    return len(joining)


def renew_memberships(
    population: Population,
    brand: int,
    membership: Membership,
    price: float,
    day: int,
    draws: Draws,
) -> tuple[int, int]:
    """Members whose term ends today renew or leave: renewal is a churn point.

    A member renews with the probability :func:`worth_renewing` gives for the purchases of
    the term ending; a member who leaves loses the benefits and is exposed to churn again
    (members do not churn within a paid term).

    Returns
    -------
    renewed, left : int
    """
    ending = np.flatnonzero(population.member_until[:, brand] == day)
    chance = worth_renewing(
        membership,
        population.term_purchases[ending, brand],
        population.experience[ending, brand],
        price,
    )
    renewing = draws.uniform(f"renew:{brand}", ending) < chance
    population.member_until[ending[renewing], brand] = day + membership.term_days
    population.member_until[ending[~renewing], brand] = NEVER
    population.term_purchases[ending, brand] = 0
    return int(renewing.sum()), int((~renewing).sum())
