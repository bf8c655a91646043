import numpy as np
import pytest
from pydantic import ValidationError

from ecosim.population import NEVER
from ecosim.processes import loyalty
from ecosim.processes.shopping import choice_probabilities, choose, utility
from ecosim.scenario import Dynamics, Loyalty, Membership, Points, Tier, Tiers

from support import assert_rate, make_population

POINTS = Points(earn_rate=1.0, goal=100.0, reward_value=10.0, goal_gradient=0.5)
TIERS = Tiers(
    levels=[
        Tier(name="silver", threshold=100, discount=0.05, utility=0.2),
        Tier(name="gold", threshold=300, discount=0.10, utility=0.4),
    ],
    review_days=30,
    promotion_boost=0.2,
    loss_aversion=2.0,
)


def purchase_rate(population, customers, programmes, draws, day=1):
    """Share of ``customers`` who buy brand 0 when in need, with their programme benefits."""
    params = Dynamics()
    cut, lift = loyalty.benefits(population, customers, programmes, day)
    k = len(customers)
    values = utility(
        population.experience[customers],
        100.0 * (1 - cut),
        100.0,
        population.price_sensitivity[customers],
        np.zeros((k, 1), bool),
        lift,
        params,
    )
    choice = choose(choice_probabilities(values, np.ones((k, 1), bool), params), customers, draws)
    return int((choice == 0).sum())


def test_goal_gradient_raises_purchase_rate_as_the_goal_nears_then_lull_after_redemption(draws):
    programmes = [Loyalty(points=POINTS)]
    population = make_population(60_000)
    population.points[:20_000] = 10.0  # far from the goal
    population.points[20_000:40_000] = 90.0  # near the goal
    far = purchase_rate(population, np.arange(20_000), programmes, draws)
    near = purchase_rate(population, np.arange(20_000, 40_000), programmes, draws)
    # two-proportion z-test, one-sided at 4 standard errors
    p1, p2 = far / 20_000, near / 20_000
    se = np.sqrt(p1 * (1 - p1) / 20_000 + p2 * (1 - p2) / 20_000)
    assert p2 - p1 > 4 * se
    # redeeming resets progress: the buyer's next purchase is less likely (post-reward lull)
    population.points[40_000:] = 105.0
    buyers = np.arange(40_000, 60_000)
    loyalty.earn_and_redeem(population, buyers, np.full(20_000, 5.0), 0, POINTS, 1.0)
    after = purchase_rate(population, buyers, programmes, draws) / 20_000
    assert after < p2 - 4 * se


def test_points_identity_earned_equals_redeemed_plus_outstanding(rng):
    population = make_population(500)
    earned_total = redeemed_total = rewards = 0.0
    for day in range(60):
        buyers = np.sort(rng.choice(500, 100, replace=False))
        paid = rng.uniform(10, 60, 100)
        multiplier = 2.0 if day % 7 == 0 else 1.0
        after, earned, redeemed, value = loyalty.earn_and_redeem(
            population, buyers, paid, 0, POINTS, multiplier
        )
        assert np.all(after <= paid) and np.all(after >= 0)
        assert np.isclose(value, (paid - after).sum())
        earned_total, redeemed_total, rewards = (
            earned_total + earned,
            redeemed_total + redeemed,
            rewards + value,
        )
    assert redeemed_total > 0
    assert np.isclose(earned_total, redeemed_total + population.points.sum())
    assert np.isclose(rewards, redeemed_total / POINTS.goal * POINTS.reward_value)


def test_double_points_double_what_is_earned():
    population = make_population(2)
    _, single, _, _ = loyalty.earn_and_redeem(
        population, np.array([0]), np.array([30.0]), 0, POINTS, 1.0
    )
    _, double, _, _ = loyalty.earn_and_redeem(
        population, np.array([1]), np.array([30.0]), 0, POINTS, 2.0
    )
    assert double == 2 * single == 60.0


def test_tier_review_promotes_and_demotes_by_period_spend():
    population = make_population(4, experience=0.2)
    population.tier[:, 0] = [0, 1, 2, 1]
    population.period_spend[:, 0] = [150.0, 400.0, 50.0, 120.0]
    assert loyalty.review_tiers(population, 0, TIERS, 29) == (0, 0), "not a review day"
    promoted, demoted = loyalty.review_tiers(population, 0, TIERS, 30)
    assert (promoted, demoted) == (2, 1)
    assert population.tier[:, 0].tolist() == [1, 2, 0, 1]
    assert not population.period_spend.any()
    up = 0.2 + 0.2 * (1 - 0.2)
    down = 0.2 + 0.4 * (-1 - 0.2)
    assert np.allclose(population.experience[:, 0], [up, up, down, 0.2])


def test_demotion_lowers_purchase_rate_more_than_promotion_raises_it(draws):
    programmes = [Loyalty(tiers=TIERS)]
    n = 40_000
    population = make_population(2 * n, experience=0.3)
    promoted, demoted = np.arange(n), np.arange(n, 2 * n)
    population.tier[promoted, 0], population.period_spend[promoted, 0] = 1, 350.0
    population.tier[demoted, 0], population.period_spend[demoted, 0] = 2, 150.0
    before_up = purchase_rate(population, promoted, programmes, draws) / n
    before_down = purchase_rate(population, demoted, programmes, draws) / n
    loyalty.review_tiers(population, 0, TIERS, 30)
    after_up = purchase_rate(population, promoted, programmes, draws) / n
    after_down = purchase_rate(population, demoted, programmes, draws) / n
    gain, loss = after_up - before_up, before_down - after_down
    se = np.sqrt(4 * 0.25 / n)  # a generous bound on the sd of each difference
    assert gain > 4 * se and loss > 4 * se
    assert loss - gain > 4 * np.sqrt(2) * se


def test_membership_benefits_only_during_the_term():
    membership = Membership(discount=0.1, utility=0.5)
    population = make_population(2)
    population.member_until[0, 0] = 20
    cut, lift = loyalty.benefits(population, np.array([0, 1]), [Loyalty(membership=membership)], 10)
    assert np.allclose(cut[:, 0], [0.1, 0.0]) and np.allclose(lift[:, 0], [0.5, 0.0])
    cut, _ = loyalty.benefits(population, np.array([0]), [Loyalty(membership=membership)], 21)
    assert cut[0, 0] == 0.0


def test_hybrid_discounts_combine_multiplicatively():
    programme = Loyalty(tiers=TIERS, membership=Membership(discount=0.1, utility=0.3))
    population = make_population(1)
    population.tier[0, 0], population.member_until[0, 0] = 2, 99
    cut, lift = loyalty.benefits(population, np.array([0]), [programme], 1)
    assert np.isclose(cut[0, 0], 1 - 0.9 * 0.9) and np.isclose(lift[0, 0], 0.7)


def test_joining_needs_a_positive_experience(draws):
    membership = Membership(
        fee=0.0,
        join_probability=0.5,
        term_days=30,
        renewal_intercept=0.0,
        renewal_usage=0.0,
        renewal_experience=0.0,
    )
    population = make_population(20_000)
    population.experience[:10_000, 0] = 0.8
    population.experience[10_000:, 0] = -0.5
    joined = loyalty.join_membership(population, np.arange(20_000), 0, membership, 100, 5, draws)
    members = population.member_until[:, 0] >= 5
    assert not members[10_000:].any()
    assert_rate(members[:10_000].sum(), 10_000, 0.5 * 0.8 * 0.5)
    assert joined == members.sum() and (population.member_until[members, 0] == 35).all()


def test_a_buyer_joins_as_they_would_renew_after_the_purchases_they_expect(draws):
    """Saving 10 a purchase, a fee of 30 needs 3 purchases a term: every 10 days in 30."""
    membership = Membership(
        fee=30.0,
        discount=0.1,
        term_days=30,
        frequency_lift=0.0,
        join_probability=0.5,
        renewal_intercept=0.0,
        renewal_usage=1.0,
        renewal_experience=0.0,
    )
    assert loyalty.break_even(membership, 100.0) == 3.0
    population = make_population(20_000, experience=1.0)
    population.need_cycle[:10_000] = 10.0  # 3 purchases expected: the fee is repaid
    population.need_cycle[10_000:] = 30.0  # 1 purchase: two short of repaying it
    loyalty.join_membership(population, np.arange(20_000), 0, membership, 100.0, 5, draws)
    members = population.member_until[:, 0] >= 5
    assert_rate(members[:10_000].sum(), 10_000, 0.5 * 0.5)
    assert_rate(members[10_000:].sum(), 10_000, 0.5 / (1 + np.exp(2.0)))


def test_the_fees_collected_from_joiners_rise_peak_then_fall_as_the_fee_grows(draws):
    """Joining falls logistically with the fee: a higher fee first earns more, then less."""
    collected = []
    for fee in (40.0, 80.0, 200.0):
        membership = Membership(fee=fee, discount=0.1, term_days=30, join_probability=1.0)
        population = make_population(20_000, experience=1.0)
        joined = loyalty.join_membership(
            population, np.arange(20_000), 0, membership, 100, 5, draws
        )
        collected.append(joined * fee)
    assert collected[0] < collected[1] > collected[2]


def test_a_fee_needs_a_discount_and_renewal_cannot_fall_with_use():
    with pytest.raises(ValidationError, match="a membership with a fee needs a discount"):
        Membership(fee=10.0, discount=0.0)
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        Membership(renewal_usage=-0.1)
    assert loyalty.break_even(Membership(fee=0.0, discount=0.0), 100.0) == 0.0


def test_renewal_follows_the_purchases_above_the_break_even_number(draws):
    """Fee 20 at a saving of 10 a purchase: 2 purchases repay it (log-odds 0 there)."""
    membership = Membership(
        fee=20.0, discount=0.1, renewal_intercept=0.0, renewal_usage=0.5, renewal_experience=0.0
    )
    population = make_population(20_000, member_until=40)
    population.term_purchases[:10_000, 0] = 2
    population.term_purchases[10_000:, 0] = 6
    loyalty.renew_memberships(population, 0, membership, 100.0, 40, draws)
    staying = population.member_until[:, 0] > 40
    assert_rate(staying[:10_000].sum(), 10_000, 0.5)
    assert_rate(staying[10_000:].sum(), 10_000, 1 / (1 + np.exp(-2.0)))


def test_renewal_rises_with_usage_and_non_renewers_leave(draws):
    membership = Membership(
        fee=0.0, renewal_intercept=-1.0, renewal_usage=0.5, renewal_experience=0.0
    )
    population = make_population(20_000, member_until=40)
    population.term_purchases[:10_000, 0] = 6
    renewed, left = loyalty.renew_memberships(population, 0, membership, 100.0, 40, draws)
    staying = population.member_until[:, 0] > 40
    assert_rate(staying[:10_000].sum(), 10_000, 1 / (1 + np.exp(-2.0)))
    assert_rate(staying[10_000:].sum(), 10_000, 1 / (1 + np.exp(1.0)))
    assert renewed + left == 20_000
    assert (population.member_until[~staying, 0] == NEVER).all()
    assert not population.term_purchases.any()


def test_priority_serves_only_the_tiers_that_offer_it_and_costs_per_purchase():
    levels = [
        Tier(name="silver", threshold=100),
        Tier(name="gold", threshold=300, priority=0.5, priority_cost=4.0),
        Tier(name="platinum", threshold=600, priority=0.9, priority_cost=6.0),
    ]
    population = make_population(5)
    population.tier[:, 0] = [0, 1, 2, 3, 2]
    prevented, cost = loyalty.priority(population, np.arange(5), 0, Tiers(levels=levels))
    assert prevented.tolist() == [0.0, 0.0, 0.5, 0.9, 0.5]
    assert cost == 4.0 + 6.0 + 4.0
