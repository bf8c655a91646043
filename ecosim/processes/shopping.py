"""Phase 5: shopping -- category needs, brand choice, purchase and the experience of use."""

from __future__ import annotations

import numpy as np

from ecosim.population import Population, push_event
from ecosim.processes.experience import pull
from ecosim.processes.sampling import Draws
from ecosim.scenario import Dynamics

__all__ = [
    "abandon",
    "accrue_value",
    "basket",
    "choice_probabilities",
    "choose",
    "due_today",
    "offer_utilities",
    "purchase_intervals",
    "record_purchases",
    "salience",
    "use_product",
    "utility",
]


def due_today(
    population: Population, day: int, draws: Draws, pace: np.ndarray | None = None
) -> np.ndarray:
    """Return the customers whose category need falls today, and schedule their next.

    Needs arrive as a Poisson process per customer: the next need comes after a
    geometric number of days with mean ``need_cycle`` (purchase incidence as in
    Ehrenberg 1959; gamma-distributed need cycles across customers give NBD counts),
    divided by the customer's ``pace`` (more purchase occasions, e.g. a member's).

    Parameters
    ----------
    population : Population
        ``next_need`` is updated for the customers returned.
    day : int
    draws : Draws
        The run's random numbers.
    pace : ndarray, optional
        Per customer, how many times as often as their need cycle they shop (1: as it).

    Returns
    -------
    ndarray of int
    """
    needy = np.flatnonzero(population.next_need == day)
    faster = 1.0 if pace is None else pace[needy]
    gap = draws.geometric("need", needy, np.minimum(faster / population.need_cycle[needy], 1.0))
    population.next_need[needy] = day + gap
    return needy


def basket(
    population: Population, buyers: np.ndarray, brand: np.ndarray, params: Dynamics
) -> np.ndarray:
    """Units each buyer takes: engaged customers buy more per purchase (up- and cross-sell).

    ``stage_basket[stage]`` (1, 1, 1.05, 1.1, 1.2 for none .. collaboration): a customer
    at curation or above adds to the basket — a bigger pack, a second item, a product of
    another line — as engaged customers give a brand a larger share of wallet (Gallup
    2014: +23% for fully engaged customers; Kumar & Pansari 2016).

    Returns
    -------
    ndarray of float
        Units per purchase, the multiplier of its price and cost.
    """
    return np.asarray(params.stage_basket)[population.stage[buyers, brand]]


def salience(last_noticed: np.ndarray, day: int, params: Dynamics) -> np.ndarray:
    """Each brand's reminder effect on the utility of customers shopping today.

    ``ad_salience × 0.5 ** ((day - last_noticed) / ad_salience_half_life)``: content
    the customer attended to recently makes the brand salient at the moment of choice,
    advertising's immediate, current-period effect (Tellis 1988; Ehrenberg, Barnard,
    Kennedy & Bloom 2002), fading within weeks.

    Parameters
    ----------
    last_noticed : ndarray of int, shape (k, n_brands)
        Day each shopping customer last attended to each brand's content.
    day : int
        Today.
    params : Dynamics
        ``ad_salience`` and ``ad_salience_half_life``.

    Returns
    -------
    ndarray, shape (k, n_brands)
    """
    since = (day - last_noticed).astype(float)
    return params.ad_salience * np.exp2(-since / params.ad_salience_half_life)


def utility(
    experience: np.ndarray,
    price_paid: np.ndarray,
    reference_price: float,
    price_sensitivity: np.ndarray,
    promoted: np.ndarray,
    extra: np.ndarray,
    params: Dynamics,
) -> np.ndarray:
    """Each brand's utility for customers in need.

    ``experience_weight * x - price_weight * price_sensitivity * (price_paid /
    reference_price - 1) + promotion_weight * [promoted] + extra``, where ``extra`` sums
    the loyalty, rating, inertia, novelty and personal-offer terms.

    Parameters
    ----------
    experience, price_paid, promoted, extra : ndarray, shape (k, n_brands)
    reference_price : float
        The price customers judge prices against (``population.reference_price``, or the
        brands' mean list price).
    price_sensitivity : ndarray, shape (k,)
    params : Dynamics

    Returns
    -------
    ndarray, shape (k, n_brands)
    """
    relative = price_paid / reference_price - 1.0
    return (
        params.experience_weight * experience
        - params.price_weight * price_sensitivity[:, None] * relative
        + params.promotion_weight * promoted
        + extra
    )


def offer_utilities(
    population: Population,
    needy: np.ndarray,
    day: int,
    price: np.ndarray,
    promo: np.ndarray,
    loyal_cut: np.ndarray,
    loyal_lift: np.ndarray,
    novelty: np.ndarray,
    ratings: np.ndarray,
    points_value: np.ndarray,
    reference_price: float,
    params: Dynamics,
) -> tuple[np.ndarray, np.ndarray]:
    """Return what each customer in need would pay for each brand today, and its utility.

    The price paid is the list price less the promotion and the loyalty discount. The
    utility (:func:`utility`) weighs the price net of the money value of the points it
    earns, and adds the loyalty lift, a personalised offer still running, habit
    (``inertia`` for the brand bought last), a launch's novelty, the brand's rating
    (``rating_weight`` per star above 3) and the salience of content noticed lately
    (:func:`salience`).

    Parameters
    ----------
    population : Population
    needy : ndarray of int
        The customers shopping today.
    day : int
    price : ndarray, shape (n_brands,)
        Today's list prices.
    promo, loyal_cut, loyal_lift : ndarray, shape (len(needy), n_brands)
        Promotion discount, loyalty discount and loyalty lift per customer and brand.
    novelty, ratings, points_value : ndarray, shape (n_brands,)
        A launch's novelty, the average rating, and the points' money value per unit paid.
    reference_price : float
        The price customers judge prices against (``population.reference_price``, or the
        brands' mean list price).
    params : Dynamics

    Returns
    -------
    paying, values : ndarray, shape (len(needy), n_brands)
    """
    paying = price * (1.0 - promo) * (1.0 - loyal_cut)
    offer = np.where(population.offer_until[needy] >= day, population.offer_lift[needy], 0.0)
    habit = params.inertia * (population.last_brand[needy][:, None] == np.arange(len(price)))
    extra = (
        loyal_lift
        + offer
        + habit
        + novelty
        + params.rating_weight * (ratings - 3.0)
        + salience(population.last_noticed[needy], day, params)
    )
    values = utility(
        population.experience[needy],
        paying * (1.0 - points_value),
        reference_price,
        population.price_sensitivity[needy],
        promo > 0,
        extra,
        params,
    )
    return paying, values


def accrue_value(
    population: Population,
    buyers: np.ndarray,
    brand: np.ndarray,
    margin: np.ndarray,
    day: int,
    params: Dynamics,
) -> None:
    """Add each purchase's margin, discounted to day 0, to the customer's realised value.

    The discount factor is ``(1 + clv_discount_rate) ** (-day / clv_period_days)``, the
    discounting of customer lifetime value (Gupta, Lehmann & Stuart 2004).

    Parameters
    ----------
    population : Population
        ``value`` is updated in place.
    buyers, brand : ndarray of int
        Who bought which brand (a customer may appear more than once).
    margin : ndarray
        Each purchase's margin: money paid less the cost of the units.
    day : int
    params : Dynamics
    """
    discount = (1.0 + params.clv_discount_rate) ** (-day / params.clv_period_days)
    np.add.at(population.value, (buyers, brand), margin * discount)


def choice_probabilities(
    utility: np.ndarray, available: np.ndarray, params: Dynamics
) -> np.ndarray:
    """Multinomial-logit brand choice with an outside option (McFadden 1974).

    A customer in need chooses among the brands available to them (aware, not
    churned), or none of them: buying from the rest of the market or postponing, with
    utility ``outside_utility``.

    Parameters
    ----------
    utility : ndarray, shape (k, n_brands)
    available : ndarray of bool, shape (k, n_brands)
    params : Dynamics

    Returns
    -------
    ndarray, shape (k, n_brands + 1)
        Choice probabilities; the last column is the outside option.

    Examples
    --------
    >>> from ecosim.scenario import Dynamics
    >>> params = Dynamics(outside_utility=0)
    >>> choice_probabilities(np.zeros((1, 1)), np.ones((1, 1), bool), params).tolist()
    [[0.5, 0.5]]
    """
    utility = np.where(available, utility, -np.inf)
    top = utility.max(axis=1, initial=params.outside_utility)
    weight = np.exp(utility - top[:, None])
    outside = np.exp(params.outside_utility - top)[:, None]
    weight = np.hstack([weight, outside])
    return weight / weight.sum(axis=1, keepdims=True)


def choose(probabilities: np.ndarray, customers: np.ndarray, draws: Draws) -> np.ndarray:
    """Draw one choice per row (customer); returns column indices (the last: outside option)."""
    u = draws.uniform("choose", customers)
    return (u[:, None] >= np.cumsum(probabilities, axis=1)[:, :-1]).sum(axis=1)


def abandon(
    customers: np.ndarray, brand: np.ndarray, friction: np.ndarray, draws: Draws
) -> np.ndarray:
    """Return which customers who chose a brand give up in its purchase process.

    A customer who chose brand ``b`` abandons with probability ``friction_b``, the
    brand's ``checkout_friction``: a long or complicated checkout, an account to create
    or an app that is not made for the phone loses a share of the sales customers meant
    to make (Baymard Institute's cart-abandonment research). Whoever abandons does not
    buy today; the need is lost, as if they had chosen the outside option.

    Parameters
    ----------
    customers, brand : ndarray of int
        Who chose which brand today (each customer at most once).
    friction : ndarray, shape (n_brands,)
        Each brand's ``checkout_friction`` in [0, 1].
    draws : Draws
        The run's random numbers (purpose ``"abandon"``).

    Returns
    -------
    ndarray of bool
        Per customer, whether they abandon.

    Examples
    --------
    >>> from ecosim.processes.sampling import Draws
    >>> abandon(np.arange(4), np.zeros(4, int), np.array([0.0]), Draws(1)).tolist()
    [False, False, False, False]
    """
    chance = friction[brand]
    if not chance.any():
        return np.zeros(len(customers), dtype=bool)
    return draws.uniform("abandon", customers) < chance


def purchase_intervals(population: Population, brand: int) -> np.ndarray:
    """Each customer's mean interval between purchases of ``brand``, from the purchase records.

    ``(last - first) / (purchases - 1)`` for repeat buyers; a one-time buyer gets the mean
    of the repeat buyers' intervals (``nan`` before anyone has bought twice, and for
    customers who never bought): what a brand can estimate without knowing its
    customers' needs.

    Examples
    --------
    >>> population = Population.blank(3, 1)
    >>> population.purchases[:, 0] = [3, 1, 0]
    >>> population.first_purchase[:, 0] = [0, 5, 0]
    >>> population.last_purchase[:, 0] = [20, 5, 0]
    >>> purchase_intervals(population, 0).tolist()
    [10.0, 10.0, nan]
    """
    count = population.purchases[:, brand]
    repeat = count >= 2
    span = (population.last_purchase[:, brand] - population.first_purchase[:, brand]).astype(float)
    interval = np.divide(span, count - 1.0, out=np.full(len(count), np.nan), where=repeat)
    pooled = interval[repeat].mean() if repeat.any() else np.nan
    return np.where(repeat, interval, np.where(count == 1, pooled, np.nan))


def record_purchases(
    population: Population,
    buyers: np.ndarray,
    brand: np.ndarray,
    paid: np.ndarray,
    day: int,
    units: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Record purchases: frequency, monetary value, recency, history.

    Parameters
    ----------
    population : Population
        Updated in place (``purchases``, ``spend``, ``units``, ``first_purchase``,
        ``last_purchase``, ``purchase_days``, ``period_spend``, ``term_purchases``,
        ``last_brand``, ``aware``, ``stage`` at least consumption, ``engaged_today``,
        ``last_consumed``).
    buyers, brand : ndarray of int
        Who bought which brand (each customer at most once).
    paid : ndarray of float
        What they paid.
    day : int
    units : ndarray of float or float
        Units each took (:func:`basket`).

    Returns
    -------
    ndarray of bool
        Which purchases switched brand (the customer's previous purchase was another
        brand).
    """
    switched = (population.last_brand[buyers] >= 0) & (population.last_brand[buyers] != brand)
    first = population.purchases[buyers, brand] == 0
    population.first_purchase[buyers[first], brand[first]] = day
    population.purchases[buyers, brand] += 1
    population.spend[buyers, brand] += paid
    population.units[buyers, brand] += units
    population.period_spend[buyers, brand] += paid
    population.term_purchases[buyers, brand] += 1
    population.last_purchase[buyers, brand] = day
    population.last_consumed[buyers, brand] = day
    population.last_brand[buyers] = brand
    population.aware[buyers, brand] = True
    population.stage[buyers, brand] = np.maximum(population.stage[buyers, brand], 1)
    population.engaged_today[buyers, brand] = True
    push_event(population.purchase_days, buyers, brand, day)
    return switched


def use_product(
    population: Population,
    buyers: np.ndarray,
    brand: np.ndarray,
    quality: np.ndarray,
    params: Dynamics,
    draws: Draws,
) -> np.ndarray:
    """Let customers use what they bought; the experience moves towards how it felt.

    The felt valence is ``v = clip(2 quality_b - 1 + fit + use_noise * e, -1, 1)``,
    ``e ~ N(0, 1)``; the experience moves towards it by ``use_experience_weight`` of the
    distance (expectation-confirmation, Oliver 1980), or ``negativity_bias`` times as
    much when ``v`` falls short of the experience so far (negative performance weighs
    more, Mittal, Ross & Baldasare 1998).

    Parameters
    ----------
    population : Population
        ``experience`` updated in place.
    buyers, brand : ndarray of int
    quality : ndarray, shape (n_brands,)
        Product quality in [0, 1].
    params : Dynamics
    draws : Draws
        The run's random numbers.

    Returns
    -------
    ndarray
        The felt valences.
    """
    noise = params.use_noise * draws.normal("use", buyers)
    felt = np.clip(2.0 * quality[brand] - 1.0 + population.fit[buyers, brand] + noise, -1.0, 1.0)
    x = population.experience[buyers, brand]
    weight = params.use_experience_weight * np.where(felt < x, params.negativity_bias, 1.0)
    population.experience[buyers, brand] = pull(x, felt, np.minimum(weight, 1.0))
    return felt
