"""Tests for ecosim.network.graph: the CSR social network and its passes."""

import doctest

import networkx as nx
import numpy as np
import pytest

from ecosim.network import (
    SocialNetwork,
    barabasi_albert,
    complete,
    edge_list,
    erdos_renyi,
    generators,
    graph,
)

from network_helpers import assert_simple_graph, edge_set, rng


@pytest.fixture
def small() -> SocialNetwork:
    """Edges 0-1, 0-2, 1-2, 2-3; node 4 isolated (given with duplicates and a self loop)."""
    return SocialNetwork.from_edges(
        np.array([0, 1, 2, 2, 2, 1, 3]), np.array([1, 0, 0, 1, 3, 2, 3]), n=5
    )


def test_from_edges_builds_sorted_symmetric_csr(small):
    assert small.n == 5
    assert small.indptr.tolist() == [0, 2, 4, 7, 8, 8]
    assert small.indices.tolist() == [1, 2, 0, 2, 0, 1, 3, 2]
    assert small.indptr.dtype == np.int64
    assert small.indices.dtype == np.int32
    assert small.degree.tolist() == [2, 2, 3, 1, 0]
    assert small.degree.dtype == np.int64
    assert small.n_edges == 4
    assert small.mean_degree == pytest.approx(1.6)
    assert small.neighbors(2).tolist() == [0, 1, 3]
    assert small.neighbors(4).tolist() == []
    assert not small.well_mixed


def test_arrays_are_read_only(small):
    with pytest.raises(ValueError, match="read-only"):
        small.indices[0] = 3
    with pytest.raises(ValueError, match="read-only"):
        small.degree[0] = 7


def test_neighbor_mean_and_sum_by_hand(small):
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose(small.neighbor_sum(values), [5, 4, 7, 3, 0])
    np.testing.assert_allclose(small.neighbor_mean(values), [2.5, 2, 7 / 3, 3, 0])
    columns = np.column_stack((values, 10 * values))
    np.testing.assert_allclose(small.neighbor_mean(columns)[:, 1], [25, 20, 70 / 3, 30, 0])
    np.testing.assert_allclose(small.neighbor_sum(columns)[:, 0], [5, 4, 7, 3, 0])
    assert small.neighbor_mean(values).dtype == np.float64


def test_neighbor_mean_rejects_wrong_shape(small):
    with pytest.raises(ValueError, match=r"values must have shape \(5,\) or \(5, k\)"):
        small.neighbor_mean(np.ones(4))
    with pytest.raises(ValueError, match="values must have shape"):
        small.neighbor_sum(np.ones((5, 2, 2)))


def test_neighbor_mean_matches_networkx():
    graph = nx.gnm_random_graph(300, 900, seed=3)
    net = SocialNetwork.from_networkx(graph)
    values = rng(4).normal(size=(300, 2))
    expected_mean = np.zeros((300, 2))
    expected_sum = np.zeros((300, 2))
    for node in graph:
        neighbours = list(graph[node])
        if neighbours:
            expected_sum[node] = values[neighbours].sum(axis=0)
            expected_mean[node] = values[neighbours].mean(axis=0)
    np.testing.assert_allclose(net.neighbor_mean(values), expected_mean, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.neighbor_sum(values[:, 0]), expected_sum[:, 0], atol=1e-12)


def test_neighbor_mean_is_bit_identical_across_calls_and_instances():
    values = rng(5).random(2000)
    first = erdos_renyi(2000, 6.0, rng(6))
    second = erdos_renyi(2000, 6.0, rng(6))
    result = first.neighbor_mean(values)
    assert result.tobytes() == first.neighbor_mean(values).tobytes()
    assert result.tobytes() == second.neighbor_mean(values).tobytes()
    assert first.neighbor_sum(values).tobytes() == second.neighbor_sum(values).tobytes()


def test_well_mixed_matches_explicit_complete_graph():
    implicit = complete(50)
    explicit = SocialNetwork.from_networkx(nx.complete_graph(50))
    assert implicit.well_mixed
    assert implicit.indices.size == 0
    assert implicit.indptr.shape == (51,)
    assert implicit.n_edges == explicit.n_edges == 1225
    assert implicit.mean_degree == explicit.mean_degree == 49
    assert np.array_equal(implicit.degree, explicit.degree)
    assert np.array_equal(implicit.neighbors(7), explicit.neighbors(7))
    values = rng(7).normal(size=(50, 3))
    np.testing.assert_allclose(implicit.neighbor_mean(values), explicit.neighbor_mean(values))
    np.testing.assert_allclose(
        implicit.neighbor_sum(values[:, 1]), explicit.neighbor_sum(values[:, 1])
    )


def test_well_mixed_single_node_is_isolated():
    net = complete(1)
    assert net.n_edges == 0
    assert net.mean_degree == 0
    assert net.neighbor_mean(np.array([3.0])).tolist() == [0.0]
    assert net.neighbor_sum(np.array([3.0])).tolist() == [0.0]


def test_well_mixed_limits():
    with pytest.raises(ValueError, match="edges_from is not available for a well-mixed"):
        complete(10).edges_from(np.array([0]))
    with pytest.raises(ValueError, match="at most 5000"):
        complete(6000).to_networkx()
    assert nx.utils.graphs_equal(complete(5).to_networkx(), nx.complete_graph(5))
    assert sorted(complete(6000).to_networkx(np.array([3, 9, 4])).edges) == [(3, 4), (3, 9), (4, 9)]
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, "):
        complete(0)


def test_edges_from(small):
    source, target = small.edges_from(np.array([2, 4, 0]))
    assert source.tolist() == [2, 2, 2, 0, 0]
    assert target.tolist() == [0, 1, 3, 1, 2]
    empty_source, empty_target = small.edges_from(np.array([], dtype=np.int64))
    assert empty_source.size == empty_target.size == 0
    with pytest.raises(ValueError, match=r"nodes must hold node ids in \[0, 4\], found 5"):
        small.edges_from(np.array([1, 5]))
    with pytest.raises(ValueError, match="nodes must be a one-dimensional integer array"):
        small.edges_from(np.array([0.5]))


def test_networkx_round_trip():
    graph = nx.gnm_random_graph(60, 150, seed=1)
    net = SocialNetwork.from_networkx(graph)
    assert_simple_graph(net)
    assert nx.utils.graphs_equal(net.to_networkx(), graph)
    nodes = np.array([5, 1, 9, 33, 5, 42])
    assert nx.utils.graphs_equal(net.to_networkx(nodes), graph.subgraph(nodes.tolist()))


def test_from_networkx_relabels_in_sorted_order():
    graph = nx.DiGraph([(10, 3), (7, 42), (42, 42), (3, 10)])
    graph.add_node(0)
    net = SocialNetwork.from_networkx(graph)
    # sorted labels 0, 3, 7, 10, 42 -> 0..4; directions, duplicates and the self loop go
    assert net.n == 5
    assert edge_set(net) == {(1, 3), (2, 4)}
    assert SocialNetwork.from_networkx(nx.Graph()).n == 0


@pytest.mark.parametrize(
    ("source", "target", "n", "message"),
    [
        ([0, 5], [1, 2], 5, r"source must hold node ids in \[0, 4\], found 5"),
        ([0, 1], [-1, 2], 5, r"target must hold node ids in \[0, 4\], found -1"),
        ([0, 1], [1], 5, "source and target must have the same length, got 2 and 1"),
        ([0.0, 1.0], [1, 2], 5, "source must be a one-dimensional integer array"),
        ([[0, 1]], [[1, 2]], 5, "source must be a one-dimensional integer array"),
        ([0], [1], -1, r"n must be an integer in \[0, "),
    ],
)
def test_from_edges_validation(source, target, n, message):
    with pytest.raises(ValueError, match=message):
        SocialNetwork.from_edges(np.array(source), np.array(target), n)


@pytest.mark.parametrize(
    ("indptr", "indices", "well_mixed", "message"),
    [
        ([0, 1], [0], False, r"indptr must have shape \(n \+ 1,\)"),
        ([0, 1, 1, 2], [1], False, "end at len"),
        ([0, 2, 1, 2], [1, 0], False, "non-decreasing"),
        ([0, 1, 2, 2], [1, 3], False, r"indices must hold node ids in \[0, 2\], found 3"),
        ([0, 1, 2, 2], [1, 0], True, "well-mixed network holds its edges implicitly"),
    ],
)
def test_constructor_validation(indptr, indices, well_mixed, message):
    with pytest.raises(ValueError, match=message):
        SocialNetwork(3, np.array(indptr), np.array(indices), well_mixed=well_mixed)


def test_docstring_examples():
    attempted = 0
    for module in (graph, generators, edge_list):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0
        attempted += result.attempted
    assert attempted > 20


def test_weighted_network_from_edges_keeps_the_largest_weight_of_a_repeated_tie():
    net = SocialNetwork.from_edges([0, 1, 0, 2, 3], [1, 0, 2, 2, 1], n=4, weights=[2, 5, 1, 9, 4])
    assert_simple_graph(net)
    assert net.weighted and net.weights.dtype == np.float32
    source, target, weight = net.weighted_edges_from(np.arange(4))
    ties = {(int(a), int(b)): float(w) for a, b, w in zip(source, target, weight, strict=True)}
    assert ties == {(0, 1): 5, (1, 0): 5, (0, 2): 1, (2, 0): 1, (1, 3): 4, (3, 1): 4}
    assert net.strength.tolist() == [6.0, 9.0, 1.0, 4.0]


def test_weights_of_all_ones_give_the_unweighted_network():
    plain = SocialNetwork.from_edges([0, 1], [1, 2], n=3)
    ones = SocialNetwork.from_edges([0, 1], [1, 2], n=3, weights=[1.0, 1.0])
    assert not ones.weighted and ones.weights is None
    assert np.array_equal(ones.indices, plain.indices)


@pytest.mark.parametrize("weights", [[1.0, 0.0], [1.0, -2.0], [1.0, np.nan], [np.inf, 1.0]])
def test_weights_must_be_positive_and_finite(weights):
    with pytest.raises(ValueError, match="weights must be positive finite numbers"):
        SocialNetwork.from_edges([0, 1], [1, 2], n=3, weights=weights)


def test_weighted_sums_means_and_marked_neighbours():
    net = SocialNetwork.from_edges([0, 0, 1], [1, 2, 2], n=4, weights=[3.0, 1.0, 0.5])
    values = np.array([1.0, 2.0, 6.0, 5.0])
    assert net.neighbor_sum(values).tolist() == [12.0, 6.0, 2.0, 0.0]
    assert net.neighbor_mean(values).tolist() == [3.0, 6.0 / 3.5, 2.0 / 1.5, 0.0]
    marked = np.array([[True, False], [False, True], [True, True], [False, False]])
    assert net.marked_neighbor_weight(marked).tolist() == [
        [1.0, 4.0],
        [3.5, 0.5],
        [1.0, 0.5],
        [0.0, 0.0],
    ]
    assert net.count_marked_neighbors(marked).tolist() == [[1, 2], [2, 1], [1, 1], [0, 0]]


def test_marked_neighbor_weight_of_an_unweighted_network_is_the_count():
    net = barabasi_albert(300, 2, rng(3))
    marked = rng(4).random((300, 3)) < 0.2
    assert np.array_equal(net.marked_neighbor_weight(marked), net.count_marked_neighbors(marked))


@pytest.mark.parametrize("share", [0.001, 0.01, 0.3, 0.9])
def test_marked_neighbours_are_counted_exactly_whether_few_or_many_are_marked(share):
    # Few marked nodes are counted over their own edges, many by a sparse product: both
    # must give the counts and the tie-strength sums in ascending order of neighbour.
    n = 400
    plain = barabasi_albert(n, 3, rng(5))
    weights = rng(6).uniform(0.1, 3.0, plain.n_edges)
    source, target = plain.edges_from(np.arange(n))
    upper = source < target
    tied = SocialNetwork.from_edges(source[upper], target[upper], n, weights=weights)
    marked = rng(7).random((n, 2)) < share
    dense = nx.to_numpy_array(plain.to_networkx(), nodelist=range(n))
    assert np.array_equal(plain.count_marked_neighbors(marked), dense @ marked)
    expected = np.zeros((n, 2))
    for node in range(n):
        start, stop = tied.indptr[node], tied.indptr[node + 1]
        ties = zip(tied.indices[start:stop], tied.weights[start:stop], strict=True)
        for neighbour, weight in ties:
            expected[node] += float(weight) * marked[neighbour]
    assert np.array_equal(tied.marked_neighbor_weight(marked), expected)
    shares = plain.neighbor_share(marked)
    assert np.array_equal(shares, (dense @ marked) / np.maximum(plain.degree, 1)[:, None])
    assert np.array_equal(tied.neighbor_share(marked), expected / tied.strength[:, None])
    marked[:, 1] = False
    assert np.array_equal(plain.neighbor_share(marked)[:, 1], np.zeros(n))


def test_weighted_network_to_networkx_carries_the_weights():
    net = SocialNetwork.from_edges([0, 1], [1, 2], n=3, weights=[2.5, 0.5])
    graph = net.to_networkx()
    assert graph[0][1]["weight"] == 2.5 and graph[1][2]["weight"] == 0.5
