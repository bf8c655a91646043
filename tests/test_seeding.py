"""Tests for ecosim.seeding: seeding strategies and the independent cascade estimator."""

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from ecosim import load_scenario
from ecosim.model import EcosystemModel
from ecosim.network import SocialNetwork, barabasi_albert, complete, watts_strogatz
from ecosim.scenario import ScenarioError
from ecosim.seeding import (
    STRATEGIES,
    cascade_size,
    choose_seeds,
    degree_discount_seeds,
    greedy_seeds,
    hub_seeds,
    random_seeds,
    register,
    sampled_betweenness,
)

OPTIONS = {
    "random": {},
    "hubs": {},
    "bridges": {"samples": 50},
    "fringes": {},
    "degree_discount": {"p": 0.05},
    "greedy": {"p": 0.05, "simulations": 20},
}
BUILT_IN = tuple(OPTIONS)
DEGREE_BASED = ("hubs", "bridges", "fringes", "degree_discount")


def rng(seed: int | list[int] = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def graph(edges: list[tuple[int, int]], n: int) -> SocialNetwork:
    source, target = zip(*edges, strict=True)
    return SocialNetwork.from_edges(list(source), list(target), n=n)


def star_edges(centre: int, leaves: range) -> list[tuple[int, int]]:
    return [(centre, leaf) for leaf in leaves]


@pytest.fixture(scope="module")
def ba() -> SocialNetwork:
    return barabasi_albert(300, 2, rng(0))


@pytest.fixture
def registry():
    """Restore the registry after a test that registers strategies."""
    before = dict(STRATEGIES)
    yield STRATEGIES
    STRATEGIES.clear()
    STRATEGIES.update(before)


# ---------------------------------------------------------------- every strategy


def test_registry_holds_the_built_in_strategies():
    assert tuple(STRATEGIES) == BUILT_IN


@pytest.mark.parametrize("name", BUILT_IN)
def test_strategy_returns_k_distinct_valid_ids(ba, name):
    seeds = choose_seeds(ba, 25, name, rng(1), **OPTIONS[name])
    assert seeds.dtype == np.int64
    assert seeds.shape == (25,)
    assert np.unique(seeds).size == 25
    assert seeds.min() >= 0
    assert seeds.max() < ba.n


@pytest.mark.parametrize("name", BUILT_IN)
def test_strategy_with_k_equal_to_n_returns_every_node(name):
    net = watts_strogatz(40, 4, 0.2, rng(2))
    seeds = choose_seeds(net, net.n, name, rng(3), **OPTIONS[name])
    assert sorted(seeds.tolist()) == list(range(net.n))


@pytest.mark.parametrize("name", BUILT_IN)
def test_strategy_is_deterministic_for_a_fixed_seed(ba, name):
    first = choose_seeds(ba, 25, name, rng(7), **OPTIONS[name])
    second = choose_seeds(ba, 25, name, rng(7), **OPTIONS[name])
    assert np.array_equal(first, second)


def test_random_depends_on_the_seed(ba):
    draws = {tuple(choose_seeds(ba, 5, "random", rng(seed)).tolist()) for seed in range(10)}
    assert len(draws) == 10


@pytest.mark.parametrize("name", BUILT_IN)
@pytest.mark.parametrize("k", [0, -1, 301, 2.0, True, None])
def test_k_out_of_range_is_rejected(ba, name, k):
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 300\]"):
        choose_seeds(ba, k, name, rng(), **OPTIONS[name])


@pytest.mark.parametrize("name", BUILT_IN)
def test_strategy_function_validates_k_when_called_directly(ba, name):
    with pytest.raises(ValueError, match="k must be an integer"):
        STRATEGIES[name](ba, 0, rng(), **OPTIONS[name])


def test_unknown_strategy_lists_the_registered_names(ba):
    with pytest.raises(ValueError, match="unknown seeding strategy 'influencers'") as error:
        choose_seeds(ba, 3, "influencers", rng())
    for name in BUILT_IN:
        assert repr(name) in str(error.value)


def test_wrong_types_are_rejected(ba):
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        choose_seeds(ba, 3, "hubs", 42)
    with pytest.raises(TypeError, match="SocialNetwork"):
        choose_seeds(nx.star_graph(4), 1, "hubs", rng())
    with pytest.raises(TypeError, match="unexpected keyword argument 'p'"):
        choose_seeds(ba, 3, "hubs", rng(), p=0.1)


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("degree_discount", {"p": 1.5}, "p must be a probability"),
        ("degree_discount", {"p": -0.1}, "p must be a probability"),
        ("greedy", {"p": float("nan")}, "p must be a probability"),
        ("greedy", {"simulations": 0}, "simulations must be an integer"),
        ("bridges", {"samples": 0}, "samples must be an integer"),
        ("bridges", {"samples": 2.5}, "samples must be an integer"),
    ],
)
def test_invalid_options_are_rejected(ba, name, options, message):
    with pytest.raises(ValueError, match=message):
        choose_seeds(ba, 3, name, rng(), **options)


@pytest.mark.parametrize("name", DEGREE_BASED)
def test_degree_based_strategies_degenerate_to_random_when_well_mixed(name):
    net = complete(1_000_000)
    seeds = choose_seeds(net, 50, name, rng(4))
    assert np.array_equal(seeds, random_seeds(net, 50, rng(4)))
    assert np.unique(seeds).size == 50


def test_well_mixed_single_customer():
    for name in ("random", *DEGREE_BASED):
        assert choose_seeds(complete(1), 1, name, rng()).tolist() == [0]


def test_cascade_strategies_reject_a_well_mixed_network():
    with pytest.raises(ValueError, match="well-mixed"):
        choose_seeds(complete(100), 3, "greedy", rng())
    with pytest.raises(ValueError, match="well-mixed"):
        cascade_size(complete(100), np.array([0]), 0.1, rng())


# ---------------------------------------------------------------- hubs and fringes


def test_hubs_picks_the_centre_of_a_star():
    star = graph(star_edges(3, range(3)) + star_edges(3, range(4, 9)), 9)
    for seed in range(5):
        assert hub_seeds(star, 1, rng(seed)).tolist() == [3]


def test_hubs_orders_by_decreasing_degree():
    # Degrees: 5 -> 4, 0 -> 3, 9 -> 2, the other nodes 1.
    edges = [*star_edges(5, range(1, 5)), (0, 6), (0, 7), (0, 8), (9, 10), (9, 11)]
    assert hub_seeds(graph(edges, 12), 3, rng()).tolist() == [5, 0, 9]


def test_hubs_breaks_ties_at_random():
    # Hub 0 (degree 4) with leaves 1-4, then a 5-cycle 5-9 whose nodes all have degree 2.
    cycle = [(5 + i, 5 + (i + 1) % 5) for i in range(5)]
    net = graph(star_edges(0, range(1, 5)) + cycle, 10)
    picks = [hub_seeds(net, 2, rng(seed)).tolist() for seed in range(40)]
    assert all(pick[0] == 0 for pick in picks)
    assert {pick[1] for pick in picks} == {5, 6, 7, 8, 9}


def test_hubs_orders_equal_degrees_at_random():
    cycle = graph([(i, (i + 1) % 6) for i in range(6)], 6)
    firsts = {hub_seeds(cycle, 6, rng(seed))[0].item() for seed in range(40)}
    assert firsts == set(range(6))


@pytest.fixture
def path_and_star() -> SocialNetwork:
    """Path 0-1-2-3, star with centre 4 and leaves 5-7, isolated customers 8 and 9."""
    return graph([(0, 1), (1, 2), (2, 3), *star_edges(4, range(5, 8))], 10)


def test_fringes_picks_the_degree_one_customers(path_and_star):
    for seed in range(10):
        seeds = choose_seeds(path_and_star, 5, "fringes", rng(seed))
        assert set(seeds.tolist()) == {0, 3, 5, 6, 7}


def test_fringes_never_picks_isolated_customers(path_and_star):
    sixth = set()
    for seed in range(20):
        seeds = choose_seeds(path_and_star, 6, "fringes", rng(seed)).tolist()
        assert set(seeds[:5]) == {0, 3, 5, 6, 7}
        sixth.add(seeds[5])
    assert sixth == {1, 2}
    everyone_connected = choose_seeds(path_and_star, 8, "fringes", rng())
    assert set(everyone_connected.tolist()) == set(range(8))
    with pytest.raises(ValueError, match="8 customers with at least one contact"):
        choose_seeds(path_and_star, 9, "fringes", rng())


# ---------------------------------------------------------------- bridges


@pytest.fixture
def barbell() -> SocialNetwork:
    """Cliques 0-4 and 8-12 joined by the path 4-5-6-7-8."""
    clique = [(i, j) for i in range(5) for j in range(i + 1, 5)]
    other = [(i + 8, j + 8) for i, j in clique]
    return graph([*clique, *other, (4, 5), (5, 6), (6, 7), (7, 8)], 13)


def test_bridges_picks_the_path_between_two_cliques(barbell):
    for seed in range(5):
        seeds = choose_seeds(barbell, 3, "bridges", rng(seed)).tolist()
        assert seeds[0] == 6
        assert set(seeds) == {5, 6, 7}
    assert set(choose_seeds(barbell, 5, "bridges", rng()).tolist()) == {4, 5, 6, 7, 8}


@pytest.mark.parametrize(
    "net",
    [
        barabasi_albert(150, 2, rng(5)),
        watts_strogatz(120, 4, 0.1, rng(6)),
        graph([(0, 1), (1, 2), (2, 3), (3, 0), (3, 4), (5, 6), (6, 7)], 9),
    ],
    ids=["barabasi_albert", "watts_strogatz", "disconnected"],
)
def test_exact_betweenness_matches_networkx(net):
    expected = nx.betweenness_centrality(net.to_networkx())
    estimate = sampled_betweenness(net, net.n, rng())
    assert np.allclose(estimate, [expected[i] for i in range(net.n)], rtol=1e-9, atol=1e-12)


def test_sampled_betweenness_is_unbiased():
    net = barabasi_albert(60, 2, rng(8))
    exact = sampled_betweenness(net, net.n, rng())
    estimates = np.array([sampled_betweenness(net, 6, rng(seed)) for seed in range(200)])
    standard_error = estimates.std(axis=0, ddof=1) / np.sqrt(len(estimates))
    assert np.all(np.abs(estimates.mean(axis=0) - exact) <= 4 * standard_error + 1e-12)
    assert not np.allclose(estimates[0], exact)


def test_betweenness_is_zero_without_interior_nodes():
    assert sampled_betweenness(complete(10_000), 100, rng()).tolist() == [0.0] * 10_000
    assert sampled_betweenness(graph([(0, 1)], 2), 2, rng()).tolist() == [0.0, 0.0]


# ---------------------------------------------------------------- degree discount


def test_degree_discount_with_p_zero_equals_hubs_when_hubs_are_not_adjacent():
    # Disjoint stars with 6, 5, 4 and 3 leaves: centres 0, 7, 13, 18.
    edges = (
        star_edges(0, range(1, 7))
        + star_edges(7, range(8, 13))
        + star_edges(13, range(14, 18))
        + star_edges(18, range(19, 22))
    )
    net = graph(edges, 22)
    for seed in range(5):
        discounted = degree_discount_seeds(net, 4, rng(seed), p=0.0).tolist()
        assert discounted == hub_seeds(net, 4, rng(seed)).tolist() == [0, 7, 13, 18]


@pytest.fixture
def overlapping_hubs() -> SocialNetwork:
    """Hub 0 (degree 12) adjacent to hub 1 (degree 10); hub 2 (degree 8) adjacent to neither."""
    edges = [(0, 1), *star_edges(0, range(3, 14)), *star_edges(1, range(3, 12))]
    return graph(edges + star_edges(2, range(14, 22)), 22)


def test_degree_discount_prefers_a_non_neighbour_second_seed(overlapping_hubs):
    assert overlapping_hubs.degree[:3].tolist() == [12, 10, 8]
    for seed in range(10):
        assert hub_seeds(overlapping_hubs, 2, rng(seed)).tolist() == [0, 1]
        assert degree_discount_seeds(overlapping_hubs, 2, rng(seed), p=0.1).tolist() == [0, 2]


def test_degree_discount_ties_are_random(overlapping_hubs):
    # With p = 0 hub 1 is discounted to 10 - 2 = 8, the degree of hub 2.
    seconds = {
        degree_discount_seeds(overlapping_hubs, 2, rng(seed), p=0.0)[1].item() for seed in range(20)
    }
    assert seconds == {1, 2}


def test_degree_discount_picks_the_maximum_of_the_formula_at_every_step():
    net = barabasi_albert(200, 3, rng(9))
    p = 0.1
    seeds = degree_discount_seeds(net, 40, rng(10), p=p).tolist()
    for pick, seed in enumerate(seeds):
        chosen = set(seeds[:pick])
        score = {}
        for v in range(net.n):
            if v not in chosen:
                d = int(net.degree[v])
                t = len(chosen.intersection(net.neighbors(v).tolist()))
                score[v] = d - 2 * t - (d - t) * t * p
        assert score[seed] == pytest.approx(max(score.values()), abs=1e-12)


# ---------------------------------------------------------------- greedy (CELF)


def test_greedy_with_p_one_seeds_components_by_decreasing_size():
    # Components of sizes 5 (0-4), 4 (5-8), 3 (9-11); customers 12 and 13 are isolated.
    edges = [(0, 1), (1, 2), (2, 3), (3, 4), (5, 6), (6, 7), (7, 8), (9, 10), (10, 11)]
    net = graph(edges, 14)
    for seed in range(5):
        seeds = greedy_seeds(net, 5, rng(seed), p=1.0, simulations=3).tolist()
        assert seeds[0] in range(5)
        assert seeds[1] in range(5, 9)
        assert seeds[2] in range(9, 12)
        assert set(seeds[3:]) == {12, 13}


def test_greedy_picks_the_centre_of_a_star():
    star = graph([*star_edges(0, range(1, 30)), (30, 31)], 32)
    assert greedy_seeds(star, 1, rng(), p=0.2).tolist() == [0]


def test_greedy_breaks_ties_at_random():
    two_triangles = graph([(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3)], 6)
    firsts = {
        greedy_seeds(two_triangles, 2, rng(seed), p=1.0, simulations=1)[0].item()
        for seed in range(30)
    }
    assert firsts == set(range(6))


def test_greedy_rejects_too_many_node_simulations():
    net = barabasi_albert(1000, 2, rng())
    with pytest.raises(ValueError, match=r"n \* simulations"):
        greedy_seeds(net, 3, rng(), simulations=20_001)


def test_greedy_beats_random_and_matches_hubs_on_barabasi_albert():
    """Expected spread over 20 graphs, compared with one-sided paired t bounds at 95%."""
    spread = {"greedy": [], "hubs": [], "random": []}
    options = {"greedy": {"p": 0.05}, "hubs": {}, "random": {}}
    for graph_seed in range(20):
        net = barabasi_albert(2000, 2, rng(graph_seed))
        for name, values in spread.items():
            seeds = choose_seeds(net, 10, name, rng([graph_seed, 1]), **options[name])
            sizes = cascade_size(net, seeds, 0.05, rng([graph_seed, 2]), simulations=1000)
            values.append(sizes.mean())
    t = stats.t.ppf(0.95, df=19)

    def bounds(a: str, b: str) -> tuple[float, float]:
        difference = np.subtract(spread[a], spread[b])
        half_width = t * difference.std(ddof=1) / np.sqrt(difference.size)
        return difference.mean() - half_width, difference.mean() + half_width

    assert bounds("greedy", "random")[0] > 0
    assert bounds("hubs", "random")[0] > 0
    assert bounds("greedy", "hubs")[1] >= 0


# ---------------------------------------------------------------- cascade size


def test_cascade_size_on_a_path_from_an_end():
    length, p, simulations = 10, 0.5, 20_000
    path = graph([(i, i + 1) for i in range(length - 1)], length)
    size = np.arange(1, length + 1)
    probability = np.append(p ** (size[:-1] - 1) * (1 - p), p ** (length - 1))
    mean = (size * probability).sum()
    sd = np.sqrt(((size - mean) ** 2 * probability).sum())
    assert mean == pytest.approx(sum(p**i for i in range(length)))
    sizes = cascade_size(path, np.array([0]), p, rng(11), simulations)
    assert sizes.shape == (simulations,)
    assert abs(sizes.mean() - mean) <= 4 * sd / np.sqrt(simulations)
    assert sizes.min() >= 1
    assert sizes.max() <= length


def test_cascade_size_on_a_star_from_the_centre():
    leaves, p, simulations = 50, 0.3, 20_000
    star = graph(star_edges(0, range(1, leaves + 1)), leaves + 1)
    sizes = cascade_size(star, np.array([0]), p, rng(12), simulations)
    sd = np.sqrt(leaves * p * (1 - p))
    assert abs(sizes.mean() - (1 + p * leaves)) <= 4 * sd / np.sqrt(simulations)
    assert abs(sizes.std() - sd) <= 0.05 * sd


def test_cascade_size_on_a_star_from_a_leaf():
    leaves, p, simulations = 50, 0.3, 20_000
    star = graph(star_edges(0, range(1, leaves + 1)), leaves + 1)
    sizes = cascade_size(star, np.array([1]), p, rng(13), simulations)
    # 1 + B * (1 + Binomial(leaves - 1, p)) with B ~ Bernoulli(p).
    mean = 1 + p * (1 + p * (leaves - 1))
    second = p * ((1 + p * (leaves - 1)) ** 2 + (leaves - 1) * p * (1 - p))
    sd = np.sqrt(second - (mean - 1) ** 2)
    assert abs(sizes.mean() - mean) <= 4 * sd / np.sqrt(simulations)


def test_cascade_size_when_two_seeds_share_a_neighbour():
    # Seeds 0 and 1 both try customer 2, who (once, however activated) tries leaves 3-42.
    leaves, p, simulations = 40, 0.3, 20_000
    net = graph([(0, 2), (1, 2), *star_edges(2, range(3, leaves + 3))], leaves + 3)
    sizes = cascade_size(net, np.array([0, 1]), p, rng(16), simulations)
    q = 1 - (1 - p) ** 2
    mean = 2 + q * (1 + p * leaves)
    second = q * ((1 + p * leaves) ** 2 + leaves * p * (1 - p))
    sd = np.sqrt(second - (q * (1 + p * leaves)) ** 2)
    assert abs(sizes.mean() - mean) <= 4 * sd / np.sqrt(simulations)


def test_cascade_size_limits_p_zero_and_one(path_and_star):
    seeds = np.array([0, 5, 5, 9])
    assert cascade_size(path_and_star, seeds, 0.0, rng(), 50).tolist() == [3] * 50
    assert cascade_size(path_and_star, seeds, 1.0, rng(), 50).tolist() == [9] * 50
    assert cascade_size(path_and_star, np.array([], dtype=int), 0.5, rng(), 4).tolist() == [0] * 4


def test_cascade_size_in_batches_on_a_large_star():
    # 300 001 nodes and 600 000 directed edges: simulations run in batches of 4.
    leaves, p, simulations = 300_000, 0.5, 10
    star = SocialNetwork.from_edges(np.zeros(leaves, int), np.arange(1, leaves + 1), leaves + 1)
    sizes = cascade_size(star, np.array([0]), p, rng(14), simulations)
    sd = np.sqrt(leaves * p * (1 - p))
    assert np.all(np.abs(sizes - (1 + p * leaves)) <= 4 * sd)
    assert np.unique(sizes).size == simulations


def test_cascade_size_is_deterministic_for_a_fixed_seed(ba):
    first = cascade_size(ba, np.array([0, 1]), 0.2, rng(15), 200)
    assert np.array_equal(first, cascade_size(ba, np.array([0, 1]), 0.2, rng(15), 200))


@pytest.mark.parametrize(
    ("seeds", "p", "simulations", "message"),
    [
        (np.array([300]), 0.1, 10, r"seeds must hold node ids in \[0, 299\]"),
        (np.array([-1]), 0.1, 10, "seeds must hold node ids"),
        (np.array([[0]]), 0.1, 10, "one-dimensional integer array"),
        (np.array([0.0]), 0.1, 10, "one-dimensional integer array"),
        (np.array([0]), 1.1, 10, "p must be a probability"),
        (np.array([0]), 0.1, 0, "simulations must be an integer"),
    ],
)
def test_cascade_size_validation(ba, seeds, p, simulations, message):
    with pytest.raises(ValueError, match=message):
        cascade_size(ba, seeds, p, rng(), simulations)


# ---------------------------------------------------------------- register


def test_register_plugs_in_a_custom_strategy(ba, registry):
    @register("highest_ids")
    def highest_ids(network, k, rng, *, offset=0):
        return np.arange(network.n - k - offset, network.n - offset)

    assert registry["highest_ids"] is highest_ids
    assert choose_seeds(ba, 3, "highest_ids", rng()).tolist() == [297, 298, 299]
    assert choose_seeds(ba, 2, "highest_ids", rng(), offset=10).tolist() == [288, 289]
    with pytest.raises(ValueError, match="'highest_ids'"):
        choose_seeds(ba, 3, "no_such_strategy", rng())


def test_register_refuses_duplicates_and_bad_names(registry):
    with pytest.raises(ValueError, match="'hubs' is already registered"):
        register("hubs")
    with pytest.raises(ValueError, match="non-empty string"):
        register("")
    assert tuple(registry) == BUILT_IN


@pytest.mark.parametrize(
    "result",
    [np.array([0, 0, 1]), np.array([0, 1]), np.array([0, 1, 300]), np.array([0.0, 1.0, 2.0])],
    ids=["repeat", "too_few", "out_of_range", "float"],
)
def test_choose_seeds_checks_what_a_strategy_returns(ba, registry, result):
    register("broken")(lambda network, k, rng: result)
    with pytest.raises(ValueError, match="'broken' must return 3 distinct node ids"):
        choose_seeds(ba, 3, "broken", rng())


# ---------------------------------------------------------------- tie strength


def test_greedy_prefers_strong_ties():
    # a weak star of 10 leaves (w = 1) and a strong star of 6 leaves (w = 20), p = 0.1:
    # expected spreads 1 + 10 * 0.1 = 2 and 1 + 6 * (1 - 0.9**20) = 6.3
    source = [0] * 10 + [11] * 6
    target = list(range(1, 11)) + list(range(12, 18))
    weights = [1.0] * 10 + [20.0] * 6
    weighted = SocialNetwork.from_edges(source, target, n=18, weights=weights)
    unweighted = SocialNetwork.from_edges(source, target, n=18)
    for seed in range(10):
        assert greedy_seeds(weighted, 1, rng(seed), p=0.1, simulations=200).tolist() == [11]
        assert greedy_seeds(unweighted, 1, rng(seed), p=0.1, simulations=200).tolist() == [0]


def test_cascade_size_passes_ties_with_one_minus_q_to_the_w():
    star = SocialNetwork.from_edges(np.zeros(100, int), np.arange(1, 101), 101, np.full(100, 2.0))
    sizes = cascade_size(star, np.array([0]), 0.3, rng(), 4000)
    expected = 1 + 100 * (1 - 0.7**2)
    sd = np.sqrt(100 * 0.51 * 0.49 / 4000)
    assert abs(sizes.mean() - expected) < 4 * sd


def test_greedy_on_unweighted_networks_is_unchanged_by_a_weight_column_of_ones(ba):
    source, target = ba.edges_from(np.arange(ba.n))
    ones = SocialNetwork.from_edges(source, target, ba.n, np.ones(source.size))
    assert not ones.weighted
    assert np.array_equal(
        greedy_seeds(ones, 5, rng(3), p=0.05, simulations=20),
        greedy_seeds(ba, 5, rng(3), p=0.05, simulations=20),
    )


# ---------------------------------------------------------------- options from the scenario


@pytest.fixture
def recording(registry):
    calls = []

    @register("recording")
    def record(network, k, rng, *, p=0.01, simulations=100):
        calls.append({"p": p, "simulations": simulations})
        return random_seeds(network, k, rng)

    return calls


REDUCED_IC = {
    "campaign": [],
    "network": {"kind": "erdos_renyi", "mean_degree": 6},
    "diffusion.rule": "independent_cascade",
    "brands.0.initial_awareness": 0.0,
}


def test_diffusion_seeds_pass_their_options_to_the_strategy(recording):
    seeds = {"strategy": "recording", "count": 4, "cascade_probability": 0.2, "simulations": 7}
    overrides = {**REDUCED_IC, "diffusion.seeds": seeds}
    EcosystemModel("scenarios/baseline.toml", customers=300, days=2, overrides=overrides)
    assert recording == [{"p": 0.2, "simulations": 7}]
    overrides["diffusion.seeds"] = {"strategy": "recording", "count": 4}
    EcosystemModel("scenarios/baseline.toml", customers=300, days=2, overrides=overrides)
    assert recording[-1] == {"p": 0.01, "simulations": 100}, "omitted: the strategy's defaults"


def test_a_seeding_action_passes_its_options_to_the_strategy(recording):
    action = {
        "type": "seeding",
        "brand": "tokoku",
        "start": 1,
        "end": 1,
        "strategy": "recording",
        "seeds": 5,
        "cascade_probability": 0.3,
        "simulations": 9,
    }
    model = EcosystemModel(
        "scenarios/baseline.toml", customers=300, days=2, overrides={"campaign": [action]}
    )
    model.step()
    assert recording == [{"p": 0.3, "simulations": 9}]


def test_seeding_options_change_the_greedy_seeds():
    base = {**REDUCED_IC, "diffusion.seeds": {"strategy": "greedy", "count": 10}}
    chosen = []
    for p in (0.01, 0.5):
        overrides = {
            **base,
            "diffusion.seeds": {**base["diffusion.seeds"], "cascade_probability": p},
        }
        model = EcosystemModel("scenarios/baseline.toml", rng=5, customers=400, overrides=overrides)
        chosen.append(set(np.flatnonzero(model.population.purchases[:, 0]).tolist()))
    assert chosen[0] != chosen[1]


@pytest.mark.parametrize(
    ("seeds", "message"),
    [
        (
            {"strategy": "hubs", "count": 3, "simulations": 50},
            "simulations: the hubs strategy does not use it (used by: greedy)",
        ),
        (
            {"strategy": "random", "count": 3, "cascade_probability": 0.1},
            "cascade_probability: the random strategy does not use it "
            "(used by: degree_discount, greedy)",
        ),
        (
            {"customers": [1, 2], "cascade_probability": 0.1},
            "cascade_probability: only a seeding strategy uses it, not a list of customers",
        ),
        (
            {"customers": [1, 2], "strategy": "hubs"},
            "diffusion.seeds.strategy: listed customers are seeded as listed, not by the hubs "
            "strategy",
        ),
        (
            {"customers": [5, 7, 5]},
            "diffusion.seeds.customers: customer 5 is listed more than once",
        ),
        (
            {"strategy": "greedy", "count": 3, "cascade_probability": 1.5},
            "diffusion.seeds.cascade_probability: Input should be less than or equal to 1",
        ),
        (
            {"strategy": "greedy", "count": 3, "simulations": 0},
            "diffusion.seeds.simulations: Input should be greater than or equal to 1",
        ),
        (
            {"strategy": "greedy", "count": 3, "simulations": 100_000},
            "diffusion.seeds.simulations: greedy seeding of 300 customers with 100000 "
            "simulations needs population.size x simulations <= 2e+07 (expected at most "
            "66666 simulations, or the degree_discount strategy)",
        ),
    ],
)
def test_seeding_options_are_validated(seeds, message):
    overrides = {**REDUCED_IC, "population.size": 300, "diffusion.seeds": seeds}
    with pytest.raises(ScenarioError) as error:
        load_scenario("scenarios/baseline.toml", overrides)
    assert message in str(error.value)


def test_seeding_action_options_are_validated():
    action = {
        "type": "seeding",
        "brand": "tokoku",
        "start": 1,
        "end": 1,
        "strategy": "hubs",
        "seeds": 5,
        "cascade_probability": 0.3,
    }
    with pytest.raises(ScenarioError) as error:
        load_scenario("scenarios/baseline.toml", {"campaign": [action]})
    assert "cascade_probability: the hubs strategy does not use it" in str(error.value)
