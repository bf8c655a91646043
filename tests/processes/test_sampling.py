import numpy as np

from ecosim.processes.sampling import bernoulli

from support import assert_rate


def test_scalar_probability_matches_binomial_over_many_seeds():
    counts = [len(bernoulli(np.arange(1000), 0.03, np.random.default_rng(s))) for s in range(200)]
    assert_rate(sum(counts), 200 * 1000, 0.03)


def test_per_item_probabilities_are_respected():
    rng = np.random.default_rng(5)
    p = np.where(np.arange(40_000) < 20_000, 0.05, 0.2)
    kept = bernoulli(np.arange(40_000), p, rng)
    assert_rate(np.sum(kept < 20_000), 20_000, 0.05)
    assert_rate(np.sum(kept >= 20_000), 20_000, 0.2)


def test_edge_cases():
    rng = np.random.default_rng(0)
    assert len(bernoulli(np.arange(10), 0.0, rng)) == 0
    assert bernoulli(np.arange(10), 1.0, rng).tolist() == list(range(10))
    assert len(bernoulli(np.arange(0), 0.5, rng)) == 0
    assert np.all(np.diff(bernoulli(np.arange(1000), 0.5, rng)) > 0)
