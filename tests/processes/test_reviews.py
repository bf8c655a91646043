import numpy as np

from ecosim.processes.reviews import average_rating, stars, write_reviews
from ecosim.scenario import Dynamics

from support import assert_rate, make_population


def test_engaged_buyers_review_more(draws):
    params = Dynamics()
    population = make_population(40_000, history=(0, 0, 1), experience=0.5)
    population.stage[20_000:] = 3
    which, rating = write_reviews(
        population, np.arange(40_000), np.zeros(40_000, int), 3, params, draws
    )
    reviewed = population.review_days[:, 0, 0] == 3
    assert_rate(reviewed[:20_000].sum(), 20_000, params.stage_review[0])
    assert_rate(reviewed[20_000:].sum(), 20_000, params.stage_review[3])
    assert len(which) == reviewed.sum() and np.allclose(rating, 5.0)


def test_stars_and_bayesian_average():
    assert stars(np.array([-0.6, 0.1])).tolist() == [1.0, 3.4]
    params = Dynamics(rating_prior_mean=4.0, rating_prior_count=10)
    assert average_rating(np.array([0.0]), np.array([0]), params)[0] == 4.0
    assert np.isclose(average_rating(np.array([100.0]), np.array([100]), params)[0], 140 / 110)
