"""Helpers of the network tests: a seeded generator and the checks of a simple graph."""

import numpy as np

from ecosim.network import SocialNetwork


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def edge_set(net: SocialNetwork) -> set[tuple[int, int]]:
    source, target = net.edges_from(np.arange(net.n))
    keep = source < target
    return set(zip(source[keep].tolist(), target[keep].tolist(), strict=True))


def assert_simple_graph(net: SocialNetwork) -> None:
    """CSR invariants: dtypes, sorted rows, no self loops or duplicates, symmetry."""
    n = net.n
    assert net.indptr.dtype == np.int64
    assert net.indptr.shape == (n + 1,)
    assert net.indices.dtype == np.int32
    row = np.repeat(np.arange(n), net.degree)
    column = net.indices.astype(np.int64)
    assert not np.any(row == column), "self loop"
    same_row = row[1:] == row[:-1]
    assert np.all(np.diff(column)[same_row] > 0), "row unsorted or with a duplicate"
    assert np.array_equal(np.sort(row * n + column), np.sort(column * n + row)), "A != A.T"


def within_sd(observed: float, mean: float, sd: float, k: float = 4.0) -> bool:
    return abs(observed - mean) <= k * sd


# ---------------------------------------------------------------- SocialNetwork
