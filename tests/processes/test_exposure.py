import numpy as np

from ecosim.processes.exposure import deliver, limit, select

from support import assert_rate, make_population


def test_select_reaches_each_group_at_its_own_rate(draws):
    groups = [np.arange(0, 20_000), np.arange(20_000, 30_000), np.arange(30_000, 31_000)]
    reached = select(groups, np.array([0.1, 0.5, 0.0]), draws, "ad")
    assert_rate(np.sum(reached < 20_000), 20_000, 0.1)
    assert_rate(np.sum((reached >= 20_000) & (reached < 30_000)), 10_000, 0.5)
    assert not np.any(reached >= 30_000)
    assert len(np.unique(reached)) == len(reached)


def test_limit_keeps_a_random_subset(draws):
    customers = np.arange(100)
    kept = limit(customers, 30, draws, "ad")
    assert len(kept) == 30 and set(kept) <= set(customers)
    assert limit(customers, 500, draws, "ad") is customers
    assert len(limit(customers, 0, draws, "ad")) == 0


def test_deliver_adds_weight_and_marks_reached():
    population = make_population(5)
    deliver(population, 0, np.array([1, 3]), 2.0)
    deliver(population, 0, np.array([3]), 0.5)
    assert population.exposure[:, 0].tolist() == [0, 2.0, 0, 2.5, 0]
    assert population.reached[:, 0].tolist() == [False, True, False, True, False]
