import numpy as np

from ecosim.processes.retention import churn, churn_hazard, win_back, winback_response
from ecosim.scenario import Dynamics

from support import assert_rate, make_population


def test_hazard_grows_with_bad_experience_and_recency():
    params = Dynamics(churn_rate=0.01, churn_experience_weight=2.0, active_window=90)
    h = churn_hazard(np.array([0.5, 0.0, -0.5, 0.0]), np.array([0, 0, 0, 90]), params)
    assert h[0] < h[1] < h[2] and np.isclose(h[3], 2 * h[1])
    assert np.isclose(h[1], 0.01) and np.isclose(h[2], 0.01 * np.exp(1.0))


def test_churn_hits_buyers_at_the_hazard_and_spares_members_and_non_buyers(draws):
    params = Dynamics(churn_rate=0.05, churn_experience_weight=0.0)
    population = make_population(30_000, purchases=1, last_purchase=100)
    population.purchases[20_000:] = 0
    population.member_until[10_000:20_000] = 150
    lost = churn(population, 100, params, draws)
    assert lost[0] == population.churned.sum()
    assert_rate(population.churned[:10_000].sum(), 10_000, 0.05)
    assert not population.churned[10_000:].any()


def test_churned_customers_come_back_only_through_win_back(draws):
    population = make_population(20_000, churned=True)
    back = win_back(population, np.arange(20_000), 0, 0.3, draws)
    assert_rate(back, 20_000, 0.3)
    assert (~population.churned).sum() == back and population.aware.sum() == back


def test_a_winback_response_rises_with_the_experience_the_customer_left_with():
    params = Dynamics(churn_experience_weight=2.0)
    p = winback_response(np.array([-1.0, -0.5, 0.0, 0.5, 1.0]), 0.02, params)
    assert np.all(np.diff(p) > 0) and np.isclose(p[2], 0.02)
    assert np.isclose(p[3] / p[2], np.exp(1.0)) and np.isclose(p[2] / p[1], np.exp(1.0))
    assert winback_response(np.array([1.0]), 0.5, params)[0] == 1.0  # capped
    flat = winback_response(np.array([-1.0, 1.0]), 0.02, Dynamics(churn_experience_weight=0.0))
    assert np.allclose(flat, 0.02)


def test_a_campaign_wins_back_each_churned_customer_at_their_own_response(draws):
    """Half left after a bad experience, half after a good one: each half at its rate."""
    params = Dynamics(churn_experience_weight=2.0)
    population = make_population(40_000, churned=True)
    population.experience[:20_000, 0] = -0.5
    population.experience[20_000:, 0] = 0.5
    customers = np.arange(40_000)
    response = winback_response(population.experience[customers, 0], 0.05, params)
    win_back(population, customers, 0, response, draws, "winback")
    back = ~population.churned[:, 0]
    assert_rate(back[:20_000].sum(), 20_000, 0.05 * np.exp(-1.0))
    assert_rate(back[20_000:].sum(), 20_000, 0.05 * np.exp(1.0))
