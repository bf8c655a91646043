import numpy as np

from ecosim.processes.experience import consume_content, forget
from ecosim.scenario import Dynamics

from support import assert_rate, make_population


def test_advertising_raises_awareness_at_the_documented_rate(draws):
    params = Dynamics()
    population = make_population(20_000, ad_receptiveness=0.4)
    population.exposure[:10_000] = 1.5
    flows = consume_content(population, 1, params, draws)
    expected = 1 - np.exp(-params.attention_rate * 0.4 * 1.5)
    assert_rate(population.aware[:10_000].sum(), 10_000, expected)
    assert not population.aware[10_000:].any(), "unexposed customers must stay unaware"
    assert flows["aware_by_content"][0] == population.aware.sum()


def test_consumption_lifts_stage_and_pulls_experience_towards_the_message(draws):
    params = Dynamics(ad_valence=0.5, content_experience_weight=0.1)
    population = make_population(1000, ad_receptiveness=1.0, experience=-0.5)
    population.exposure[:] = 50.0
    consume_content(population, 1, params, draws)
    assert (population.stage[:, 0] == 1).all()
    assert np.allclose(population.experience, -0.5 + (1 - 0.9**50) * 1.0)
    assert population.engaged_today.all()


def test_stage_is_never_lowered_by_consumption(draws):
    population = make_population(10, ad_receptiveness=1.0, stage=3, aware=True)
    population.exposure[:] = 100.0
    consume_content(population, 1, Dynamics(), draws)
    assert (population.stage == 3).all()


def test_forgetting_hits_only_idle_unengaged_customers(draws):
    params = Dynamics(forgetting_rate=0.2, active_window=30)
    population = make_population(40_000, aware=True)
    population.stage[10_000:20_000] = 1  # engaged
    population.last_purchase[20_000:30_000] = 95  # bought recently (day 100)
    forgot = forget(population, 100, params, draws)
    assert population.aware[10_000:30_000].all()
    lost = (~population.aware[:10_000]).sum() + (~population.aware[30_000:]).sum()
    assert_rate(lost, 20_000, 0.2)
    assert forgot[0] == lost


def test_forgetting_spares_customers_engaged_today(draws):
    population = make_population(100, aware=True, engaged_today=True)
    forget(population, 5, Dynamics(forgetting_rate=1.0), draws)
    assert population.aware.all()
