import numpy as np
from conftest import assert_rate, make_population

from ecosim.processes.shopping import choice_probabilities, shop
from ecosim.scenario import Dynamics


def probabilities(experience=0.0, aware=True, sensitivity=0.5, price=1.0, promoted=False):
    cell = np.ones((1, 1))
    return choice_probabilities(
        experience * cell,
        aware & (cell > 0),
        np.array([sensitivity]),
        price * cell,
        promoted & (cell > 0),
        Dynamics(),
    )[0, 0]


def test_choice_rises_with_experience_and_promotion_and_falls_with_price():
    assert (
        probabilities(experience=0.5)
        > probabilities(experience=0.0)
        > probabilities(experience=-0.5)
    )
    assert probabilities(promoted=True) > probabilities()
    assert probabilities(price=0.8) > probabilities(price=1.0) > probabilities(price=1.2)
    assert probabilities(price=1.2, sensitivity=0.9) < probabilities(price=1.2, sensitivity=0.1)
    assert probabilities(aware=False) == 0.0


def test_choice_probabilities_sum_to_one_and_match_logit():
    params = Dynamics()
    experience = np.array([[0.4, -0.2]])
    p = choice_probabilities(
        experience,
        np.ones((1, 2), bool),
        np.array([0.5]),
        np.array([[1.1, 0.9]]),
        np.array([[False, True]]),
        params,
    )
    u = params.experience_weight * experience[0] - params.price_weight * 0.5 * np.array([0.1, -0.1])
    u[1] += params.promotion_weight
    w = np.append(np.exp(u), np.exp(params.outside_utility))
    assert np.allclose(p[0], w / w.sum())


def test_only_customers_in_need_today_buy_and_revenue_is_price_after_discount(rng):
    params = Dynamics(outside_utility=-50.0)  # everyone in need buys
    population = make_population(1000, aware=True, next_need=9)
    population.next_need[:400] = 10
    discount = np.array([[0.25]])
    flows = shop(population, 10, np.array([80.0]), np.array([0.7]), discount, params, rng)
    assert population.purchases[:400].sum() == 400 and population.purchases[400:].sum() == 0
    assert flows["purchases"][0] == 400
    assert np.isclose(flows["revenue"][0], 400 * 80.0 * 0.75)
    assert np.isclose(population.spend.sum(), flows["revenue"][0])
    assert (population.last_purchase[:400] == 10).all()
    assert (population.next_need[:400] > 10).all() and (population.next_need[400:] == 9).all()


def test_using_the_product_moves_experience_towards_quality(rng):
    params = Dynamics(outside_utility=-50.0, use_noise=0.0)
    good = make_population(100, aware=True, next_need=1)
    shop(good, 1, np.array([10.0]), np.array([0.9]), np.zeros((1, 1)), params, rng)
    assert np.allclose(good.experience, params.use_experience_weight * 0.8)
    bad = make_population(100, aware=True, next_need=1)
    shop(bad, 1, np.array([10.0]), np.array([0.2]), np.zeros((1, 1)), params, rng)
    weight = params.use_experience_weight * params.negativity_bias
    assert np.allclose(bad.experience, weight * -0.6), "a disappointment weighs more"
    assert (good.stage == 1).all() and good.engaged_today.all()


def test_purchase_rate_with_an_outside_option(rng):
    params = Dynamics()
    population = make_population(20_000, aware=True, next_need=3, experience=0.3)
    shop(population, 3, np.array([10.0]), np.array([0.5]), np.zeros((1, 1)), params, rng)
    u = params.experience_weight * 0.3
    assert_rate(
        population.purchases.sum(), 20_000, np.exp(u) / (np.exp(u) + np.exp(params.outside_utility))
    )


def test_need_cycle_sets_the_purchase_frequency(rng):
    params = Dynamics(outside_utility=-50.0)
    population = make_population(5000, aware=True, need_cycle=20.0)
    population.next_need[:] = rng.geometric(1 / 20.0, 5000)
    for day in range(1, 401):
        shop(population, day, np.array([1.0]), np.array([0.5]), np.zeros((1, 1)), params, rng)
    mean = population.purchases.mean()
    assert abs(mean - 400 / 20) < 0.03 * 20, mean
