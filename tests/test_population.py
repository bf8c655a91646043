import numpy as np
import pytest

from ecosim.population import NEVER, Population, draw, segment_sizes
from ecosim.scenario import Beta, Constant, Gamma, Normal, Uniform, validate_scenario

from support import small_scenario


@pytest.mark.parametrize(
    ("shares", "n", "sizes"),
    [([0.5, 0.5], 3, [2, 1]), ([0.6, 0.4], 500, [300, 200]), ([1 / 3] * 3, 10, [4, 3, 3])],
)
def test_segment_sizes_add_up(shares, n, sizes):
    assert segment_sizes(shares, n).tolist() == sizes


@pytest.mark.parametrize(
    ("dist", "mean", "sd"),
    [
        (Constant(value=0.3), 0.3, 0.0),
        (Uniform(dist="uniform", low=0.2, high=0.6), 0.4, 0.4 / np.sqrt(12)),
        (Beta(dist="beta", mean=0.25, sd=0.1), 0.25, 0.1),
        (Gamma(dist="gamma", mean=30.0, sd=10.0), 30.0, 10.0),
        (Normal(dist="normal", mean=5.0, sd=2.0), 5.0, 2.0),
    ],
)
def test_draw_has_the_requested_moments(dist, mean, sd):
    values = draw(dist, 200_000, np.random.default_rng(3))
    assert abs(values.mean() - mean) < 0.01 * max(mean, 1) + 4 * sd / np.sqrt(200_000)
    assert abs(values.std() - sd) < 0.02 * max(sd, 1e-9) + 1e-12


def test_normal_draws_are_clipped_to_the_trait_range():
    values = draw(Normal(dist="normal", mean=0.5, sd=1.0), 10_000, np.random.default_rng(0), 0, 1)
    assert values.min() == 0.0 and values.max() == 1.0


def test_population_from_scenario_follows_segments():
    data = small_scenario()
    data["population"]["segments"][0]["talkativeness"] = 0.9
    data["population"]["segments"][1]["talkativeness"] = 0.1
    data["brands"][0]["initial_awareness"] = 0.3
    data["population"]["size"] = 5000
    scenario = validate_scenario(data)
    population = Population.from_scenario(scenario, np.random.default_rng(1))
    assert population.n == 5000 and population.n_brands == 1
    assert np.bincount(population.segment).tolist() == [3000, 2000]
    assert (population.talkativeness[population.segment == 0] == 0.9).all()
    assert (population.talkativeness[population.segment == 1] == 0.1).all()
    assert abs(population.aware.mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 5000)
    assert (population.next_need >= 1).all()
    assert (population.last_purchase == NEVER).all() and not population.stage.any()
    # segments are shuffled, not in blocks, so that ids carry no meaning
    assert 0.5 < population.segment[:2500].mean() / population.segment.mean() < 1.5
