import numpy as np
from scipy import stats

from ecosim.processes.sampling import Draws

from support import assert_rate


def test_scalar_probability_matches_binomial_over_many_seeds():
    counts = [len(Draws(s).bernoulli("x", np.arange(1000), 0.03)) for s in range(200)]
    assert_rate(sum(counts), 200 * 1000, 0.03)


def test_per_item_probabilities_are_respected():
    p = np.where(np.arange(40_000) < 20_000, 0.05, 0.2)
    kept = Draws(5).bernoulli("x", np.arange(40_000), p)
    assert_rate(np.sum(kept < 20_000), 20_000, 0.05)
    assert_rate(np.sum(kept >= 20_000), 20_000, 0.2)


def test_edge_cases():
    draws = Draws(0)
    assert len(draws.bernoulli("a", np.arange(10), 0.0)) == 0
    assert draws.bernoulli("a", np.arange(10), 1.0).tolist() == list(range(10))
    assert len(draws.bernoulli("a", np.arange(0), 0.5)) == 0
    assert np.all(np.diff(draws.bernoulli("a", np.arange(1000), 0.5)) > 0)


def test_uniforms_are_uniform_and_independent_across_keys_purposes_and_days():
    draws = Draws(11)
    keys = np.arange(200_000)
    a = draws.uniform("a", keys)
    b = draws.uniform("b", keys)
    draws.start_day(1)
    c = draws.uniform("a", keys)
    for u in (a, b, c):
        assert u.min() > 0.0 and u.max() < 1.0
        assert stats.kstest(u, "uniform").pvalue > 0.001
    for u, v in ((a, b), (a, c), (a[:-1], a[1:])):
        r, p_value = stats.pearsonr(u, v)
        assert abs(r) < 0.01 and p_value > 0.001


def test_a_customers_draw_depends_only_on_seed_purpose_day_and_customer():
    one, other = Draws(3), Draws(3)
    one.start_day(9)
    other.start_day(9)
    everyone = one.uniform("speak", np.arange(1000))
    some = other.uniform("speak", np.array([999, 4, 500]))
    assert some.tolist() == everyone[[999, 4, 500]].tolist()
    assert (
        Draws(4).uniform("speak", np.arange(5)).tolist()
        != Draws(3).uniform("speak", np.arange(5)).tolist()
    )


def test_repeated_purpose_on_one_day_draws_afresh_and_a_new_day_restarts_the_count():
    draws = Draws(1)
    first = draws.uniform("post", np.arange(50))
    second = draws.uniform("post", np.arange(50))
    assert not np.array_equal(first, second)
    draws.start_day(0)
    assert np.array_equal(draws.uniform("post", np.arange(50)), first)


def test_normal_and_geometric_have_their_distributions():
    draws = Draws(2)
    z = draws.normal("z", np.arange(100_000))
    assert stats.kstest(z, "norm").pvalue > 0.001
    g = draws.geometric("g", np.arange(100_000), 0.1)
    assert g.min() == 1
    assert abs(g.mean() - 10.0) < 4 * np.sqrt(90.0 / 100_000)
    assert draws.geometric("g", np.arange(5), 1.0).tolist() == [1] * 5


def test_subset_keeps_a_uniform_random_sample_of_the_requested_size():
    keys = np.arange(100)
    chosen = np.concatenate([Draws(s).subset("s", keys, 10) for s in range(2000)])
    counts = np.bincount(chosen, minlength=100)
    assert stats.chisquare(counts).pvalue > 0.001
    assert Draws(0).subset("s", keys, 200) is keys
    assert len(Draws(0).subset("s", keys, 0)) == 0
