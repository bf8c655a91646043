import numpy as np

from ecosim.processes.engagement import move_stages
from ecosim.scenario import Dynamics

from support import assert_rate, make_population


def test_engaged_customers_with_good_experience_climb(draws):
    params = Dynamics()
    population = make_population(
        30_000, aware=True, stage=1, experience=0.6, engaged_today=True, talkativeness=0.5
    )
    population.stage[10_000:20_000] = 2
    population.stage[20_000:] = 4
    flows = move_stages(population, params, draws)
    assert_rate((population.stage[:10_000] == 2).sum(), 10_000, params.stage_up[0] * 0.6)
    assert_rate(
        (population.stage[10_000:20_000] == 3).sum(), 10_000, params.stage_up[1] * 0.5 * 0.6
    )
    assert (population.stage[20_000:] == 4).all(), "collaboration is the top"
    assert flows["stage_downs"][0] == 0


def test_bad_experience_does_not_climb_and_idle_customers_slip(draws):
    params = Dynamics(stage_down=0.05)
    population = make_population(20_000, aware=True, stage=2, experience=-0.5, engaged_today=True)
    move_stages(population, params, draws)
    assert (population.stage == 2).all()
    population.engaged_today[:] = False
    move_stages(population, params, draws)
    assert_rate((population.stage == 1).sum(), 20_000, 0.05 * (1 + 2 * 0.5))


def test_stage_none_is_left_alone(draws):
    population = make_population(100, aware=True, experience=1.0, engaged_today=True)
    move_stages(population, Dynamics(), draws)
    assert (population.stage == 0).all()


def test_collaborators_raise_quality_modestly_and_never_past_perfect():
    from ecosim.processes.engagement import cocreate

    params = Dynamics(cocreation_rate=0.02)
    population = make_population(1000)
    assert cocreate(population, 0, 0.7, params) == 0.7, "no collaborators, no ideas"
    population.stage[:50, 0] = 4
    quality = 0.7
    for _ in range(365):
        quality = cocreate(population, 0, quality, params)
    expected = 1.0 - 0.3 * (1.0 - 0.02 * 0.05) ** 365
    assert np.isclose(quality, expected) and 0.7 < quality < 0.8, "5% collaborating: +0.09"
    population.stage[:, 0] = 4
    quality = 0.7
    for _ in range(10_000):
        quality = cocreate(population, 0, quality, params)
    assert 0.99 < quality <= 1.0
