import numpy as np

from ecosim.population import NEVER
from ecosim.processes.sampling import Draws
from ecosim.processes.shopping import (
    abandon,
    accrue_value,
    choice_probabilities,
    choose,
    due_today,
    offer_utilities,
    record_purchases,
    salience,
    use_product,
    utility,
)
from ecosim.scenario import Dynamics

from support import SEEDS, assert_rate, make_population


def buy_probability(experience=0.0, sensitivity=0.5, price=1.0, promoted=False, extra=0.0):
    params = Dynamics()
    cell = np.ones((1, 1))
    u = utility(
        experience * cell,
        price * cell,
        1.0,
        np.array([sensitivity]),
        promoted & (cell > 0),
        extra * cell,
        params,
    )
    return choice_probabilities(u, cell > 0, params)[0, 0]


def test_choice_rises_with_experience_promotion_and_extras_and_falls_with_price():
    assert buy_probability(experience=0.5) > buy_probability() > buy_probability(experience=-0.5)
    assert buy_probability(promoted=True) > buy_probability()
    assert buy_probability(extra=0.3) > buy_probability()
    assert buy_probability(price=0.8) > buy_probability(price=1.0) > buy_probability(price=1.2)
    assert buy_probability(price=1.2, sensitivity=0.9) < buy_probability(price=1.2, sensitivity=0.1)


def test_unavailable_brands_are_never_chosen():
    params = Dynamics()
    p = choice_probabilities(np.zeros((2, 2)), np.array([[True, False], [False, False]]), params)
    assert p[0, 1] == 0 and p[1, :2].sum() == 0 and np.isclose(p[1, 2], 1.0)


def test_choice_probabilities_are_the_logit_with_an_outside_option():
    params = Dynamics()
    experience = np.array([[0.4, -0.2]])
    u = utility(
        experience,
        np.array([[110.0, 90.0]]),
        100.0,
        np.array([0.5]),
        np.array([[False, True]]),
        np.zeros((1, 2)),
        params,
    )
    expected = params.experience_weight * experience[0] - params.price_weight * 0.5 * np.array(
        [0.1, -0.1]
    )
    expected[1] += params.promotion_weight
    assert np.allclose(u[0], expected)
    w = np.append(np.exp(expected), np.exp(params.outside_utility))
    p = choice_probabilities(u, np.ones((1, 2), bool), params)
    assert np.allclose(p[0], w / w.sum())
    assert np.isfinite(choice_probabilities(u + 800, np.ones((1, 2), bool), params)).all()


def test_choose_draws_each_option_at_its_probability(draws):
    p = np.tile([0.2, 0.5, 0.3], (30_000, 1))
    choice = choose(p, np.arange(30_000), draws)
    for option, share in enumerate([0.2, 0.5, 0.3]):
        assert_rate((choice == option).sum(), 30_000, share)


def test_needs_fall_on_the_scheduled_day_and_are_rescheduled(draws):
    population = make_population(1000, next_need=9)
    population.next_need[:400] = 10
    needy = due_today(population, 10, draws)
    assert needy.tolist() == list(range(400))
    assert (population.next_need[:400] > 10).all() and (population.next_need[400:] == 9).all()


def test_need_cycle_sets_the_purchase_frequency(draws):
    population = make_population(5000, need_cycle=20.0)
    population.next_need[:] = np.random.default_rng(0).geometric(1 / 20.0, 5000)
    needs = sum(len(due_today(population, day, draws)) for day in range(1, 401))
    assert abs(needs / 5000 - 400 / 20) < 0.03 * 20


def test_record_purchases_keeps_frequency_money_recency_and_switching():
    population = make_population(3, 2, history=(2, 0, 0))
    record_purchases(population, np.array([0, 1]), np.array([0, 1]), np.array([10.0, 20.0]), 5)
    switched = record_purchases(
        population, np.array([0, 1]), np.array([1, 1]), np.array([7.0, 8.0]), 9
    )
    assert switched.tolist() == [True, False]
    assert population.purchases.tolist() == [[1, 1], [0, 2], [0, 0]]
    assert population.spend[1, 1] == 28.0 and population.period_spend[1, 1] == 28.0
    assert population.last_purchase[0].tolist() == [5, 9] and population.last_brand[0] == 1
    assert population.purchase_days[1, 1].tolist() == [5, 9]
    assert population.aware[0].all() and (population.stage[0] == 1).all()


def test_using_the_product_moves_experience_towards_quality_and_disappointment_weighs_more(draws):
    params = Dynamics(use_noise=0.0)
    good = make_population(100)
    use_product(good, np.arange(100), np.zeros(100, int), np.array([0.9]), params, draws)
    assert np.allclose(good.experience, params.use_experience_weight * 0.8)
    bad = make_population(100)
    use_product(bad, np.arange(100), np.zeros(100, int), np.array([0.2]), params, draws)
    assert np.allclose(bad.experience, params.use_experience_weight * params.negativity_bias * -0.6)


def test_purchase_rate_with_an_outside_option(draws):
    params = Dynamics()
    k = 20_000
    u = utility(
        np.full((k, 1), 0.3),
        np.ones((k, 1)),
        1.0,
        np.full(k, 0.5),
        np.zeros((k, 1), bool),
        np.zeros((k, 1)),
        params,
    )
    choice = choose(choice_probabilities(u, np.ones((k, 1), bool), params), np.arange(k), draws)
    e = np.exp(params.experience_weight * 0.3)
    assert_rate((choice == 0).sum(), k, e / (e + np.exp(params.outside_utility)))


def test_salience_is_the_full_reminder_on_the_day_noticed_and_halves_every_half_life():
    params = Dynamics(ad_salience=0.4, ad_salience_half_life=7.0)
    noticed = np.array([[10, 3], [-4, NEVER]], dtype=np.int32)
    lift = salience(noticed, 10, params)
    np.testing.assert_allclose(lift[0], [0.4, 0.2])
    np.testing.assert_allclose(lift[1, 0], 0.1)
    assert lift[1, 1] == 0.0


def test_offer_utilities_add_habit_offers_novelty_and_rating_to_the_net_price():
    params = Dynamics()
    population = make_population(3, 2, experience=0.2, price_sensitivity=0.5)
    population.last_brand[:] = [0, 1, 0]
    population.offer_until[2, 1], population.offer_lift[2, 1] = 10, 0.4
    price = np.array([100.0, 80.0])
    promo = np.array([[0.1, 0.0]] * 3)
    cut = np.full((3, 2), 0.05)
    lift = np.zeros((3, 2))
    novelty, ratings, points = np.array([0.0, 0.3]), np.array([4.0, 3.0]), np.zeros(2)
    paying, values = offer_utilities(
        population, np.arange(3), 7, price, promo, cut, lift, novelty, ratings, points, 90.0, params
    )
    assert np.allclose(paying, [[85.5, 76.0]] * 3)
    base = utility(
        population.experience,
        paying,
        90.0,
        population.price_sensitivity,
        promo > 0,
        novelty + params.rating_weight * (ratings - 3.0) + np.zeros((3, 2)),
        params,
    )
    habit = params.inertia * np.array([[1, 0], [0, 1], [1, 0]])
    offer = np.array([[0, 0], [0, 0], [0, 0.4]])
    assert np.allclose(values, base + habit + offer)


def test_accrue_value_discounts_each_margin_to_day_zero():
    params = Dynamics(clv_discount_rate=0.1, clv_period_days=365)
    population = make_population(3, 2)
    accrue_value(
        population,
        np.array([0, 0, 2]),
        np.array([1, 1, 0]),
        np.array([10.0, 5.0, 2.0]),
        730,
        params,
    )
    factor = 1.1**-2
    assert np.allclose(population.value, [[0, 15 * factor], [0, 0], [2 * factor, 0]])


def test_no_friction_abandons_nobody_and_full_friction_everybody(draws):
    customers = np.arange(1000)
    brand = customers % 2
    gave_up = abandon(customers, brand, np.array([0.0, 1.0]), draws)
    assert not gave_up[brand == 0].any() and gave_up[brand == 1].all()
    assert not abandon(customers, brand, np.zeros(2), draws).any()


def test_the_abandoned_share_is_the_brands_friction():
    customers = np.arange(20_000)
    brand = (customers % 3 == 0).astype(int)
    friction = np.array([0.2, 0.05])
    for seed in SEEDS:
        gave_up = abandon(customers, brand, friction, Draws(seed))
        for b, share in enumerate(friction):
            assert_rate(gave_up[brand == b].sum(), (brand == b).sum(), share)


def test_a_customers_abandonment_draw_does_not_depend_on_who_else_shops(draws):
    everyone = abandon(np.arange(5000), np.zeros(5000, int), np.array([0.3]), draws)
    draws.start_day(draws.day)
    some = abandon(np.arange(0, 5000, 7), np.zeros(715, int), np.array([0.3]), draws)
    assert (some == everyone[::7]).all()
