"""Random-graph generators, vectorised with numpy (no Python loop over nodes or edges).

Each builds a :class:`~ecosim.network.graph.SocialNetwork` with 10^6 nodes in about a
second and takes an explicit ``numpy.random.Generator``: the same seed gives identical arrays.
"""

from __future__ import annotations

import numpy as np

from ecosim.checks import check_integer, check_real, check_rng
from ecosim.errors import InputError
from ecosim.network.graph import _MAX_NODES, SocialNetwork, _sorted_unique

__all__ = [
    "barabasi_albert",
    "complete",
    "erdos_renyi",
    "stochastic_block",
    "stochastic_block_matrix",
    "watts_strogatz",
]


def barabasi_albert(n: int, m: int, rng: np.random.Generator) -> SocialNetwork:
    """Barabási–Albert preferential-attachment graph, generated in linear time.

    Nodes ``0 .. m`` form a seed clique; every later node ``v`` then adds ``m`` edges whose far
    ends are chosen with probability proportional to degree. This is the linear-time method of
    Batagelj & Brandes (2005): the list ``M`` of edge end points (length ``2 * edges``) holds
    each node once per incident edge, edge ``k`` from node ``v`` has ``M[2k] = v`` and
    ``M[2k + 1] = M[r_k]`` with ``r_k`` uniform on ``[0, 2k)``. All ``r_k`` are drawn at once
    and resolved by pointer jumping: a pointer to an odd (target) position of an earlier edge
    is replaced by that edge's pointer until every pointer is final (a source position or a
    seed edge), which takes O(log n) vectorised rounds.

    Parameters
    ----------
    n : int
        Number of nodes, at least ``m + 1``.
    m : int
        Edges added by each new node, at least 1.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    SocialNetwork
        The graph. Self loops (an edge may pick the new node's own earlier end point) and
        repeated edges are dropped, so the mean degree is slightly below
        ``2 * m - m * (m + 1) / n`` (by well under 1% for ``n >= 10**5``, ``m <= 10``). With
        ``m = 1`` no edge is lost and the graph is a tree.

    Raises
    ------
    InputError
        If ``m >= n`` (the seed clique alone needs ``m + 1`` nodes).
    ValueError
        If `m` or `n` is out of range.
    TypeError
        If `rng` is not a ``numpy.random.Generator``.

    Notes
    -----
    Batagelj & Brandes draw ``r_k`` from ``[0, 2k]``, which lets an edge point at itself
    (a self loop); the seed clique makes that unnecessary, so ``[0, 2k)`` is used. The degree
    distribution has a power-law tail ``P(k) ~ k**-3``.

    References
    ----------
    .. [1] V. Batagelj and U. Brandes, "Efficient generation of large random networks",
       Phys. Rev. E 71, 036113 (2005).
    .. [2] A.-L. Barabási and R. Albert, "Emergence of scaling in random networks",
       Science 286, 509-512 (1999).

    Examples
    --------
    >>> net = barabasi_albert(1000, 2, np.random.default_rng(0))
    >>> net.n, net.n_edges, int(net.degree.max())
    (1000, 1985, 118)
    """
    check_rng(rng)
    m = check_integer("m", m, 1, _MAX_NODES - 1)
    n = check_integer("n", n, 2, _MAX_NODES)
    if m >= n:
        _inconsistent(
            "barabasi_albert",
            "m",
            f"{m} edges per new node need more than {m} nodes (the first m + 1 form a clique), "
            f"but n = {n}; expected m <= n - 1 = {n - 1}",
        )
    seed_source, seed_target = np.triu_indices(m + 1, 1)
    n_seed = seed_source.size
    source = np.concatenate((seed_source, np.repeat(np.arange(m + 1, n), m)))
    edge = np.arange(n_seed, source.size)
    pointer = rng.integers(0, 2 * edge)
    open_ = np.flatnonzero((pointer % 2 == 1) & (pointer >= 2 * n_seed))
    while open_.size:
        pointer[open_] = pointer[(pointer[open_] - 1) // 2 - n_seed]
        open_ = open_[(pointer[open_] % 2 == 1) & (pointer[open_] >= 2 * n_seed)]
    ends = np.empty(2 * source.size, dtype=np.int64)
    ends[0::2] = source
    ends[1 : 2 * n_seed : 2] = seed_target
    ends[2 * n_seed + 1 :: 2] = ends[pointer]
    return SocialNetwork.from_edges(ends[0::2], ends[1::2], n)


def watts_strogatz(n: int, k: int, p: float, rng: np.random.Generator) -> SocialNetwork:
    """Watts–Strogatz small-world graph.

    Start from a ring lattice in which each node is joined to its `k` nearest neighbours
    (``k / 2`` on each side); then the far end of each lattice edge ``(i, i + j)`` is, with
    probability `p`, moved to a node drawn uniformly from all nodes other than ``i``. Edges that
    rewiring duplicates are dropped, so for ``p > 0`` the edge count can fall slightly below
    ``n * k / 2`` (each rewired edge is a duplicate with probability about ``k / n``).

    Parameters
    ----------
    n : int
        Number of nodes, at least 3.
    k : int
        Even lattice degree in ``[2, n - 1]``.
    p : float
        Rewiring probability in ``[0, 1]``.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    SocialNetwork
        The graph; with ``p = 0`` exactly the ring lattice.

    Raises
    ------
    InputError
        If ``k >= n`` (a node cannot have ``k`` distinct neighbours).
    ValueError
        If `n`, `k` or `p` is out of range.
    TypeError
        If `rng` is not a ``numpy.random.Generator``.

    References
    ----------
    .. [1] D. J. Watts and S. H. Strogatz, "Collective dynamics of 'small-world' networks",
       Nature 393, 440-442 (1998).

    Examples
    --------
    >>> ring = watts_strogatz(6, 2, 0.0, np.random.default_rng(0))
    >>> ring.neighbors(0).tolist(), ring.n_edges
    ([1, 5], 6)
    """
    check_rng(rng)
    n = check_integer("n", n, 3, _MAX_NODES)
    k = check_integer("k", k, 2, _MAX_NODES)
    if k >= n:
        _inconsistent(
            "watts_strogatz",
            "k",
            f"a ring of {k} nearest neighbours needs more than {k} nodes, but n = {n}; "
            f"expected k <= n - 1 = {n - 1}",
        )
    if k % 2:
        raise ValueError(f"k must be even, got {k}")
    p = check_real("p", p, 0.0, 1.0)
    source = np.repeat(np.arange(n), k // 2)
    target = (source + np.tile(np.arange(1, k // 2 + 1), n)) % n
    rewire = np.flatnonzero(rng.random(source.size) < p)
    new_target = rng.integers(0, n - 1, size=rewire.size)
    target[rewire] = new_target + (new_target >= source[rewire])
    return SocialNetwork.from_edges(source, target, n)


def erdos_renyi(n: int, mean_degree: float, rng: np.random.Generator) -> SocialNetwork:
    """Erdős–Rényi graph G(n, p) with ``p = mean_degree / (n - 1)``, in O(n + edges).

    The edge count is drawn from ``Binomial(n (n - 1) / 2, p)``; then that many distinct node
    pairs are drawn uniformly as linear indices into the strict lower triangle (with
    replacement, deduplicated and topped up until the count is reached; for ``p > 1/2`` the
    missing pairs are drawn instead) and converted to pairs with the triangular-root formula.

    Parameters
    ----------
    n : int
        Number of nodes, at least 1.
    mean_degree : float
        Expected mean degree in ``[0, n - 1]``.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    SocialNetwork
        The graph.

    Raises
    ------
    InputError
        If ``mean_degree > n - 1`` (more contacts than other nodes).
    ValueError
        If `n` or `mean_degree` is out of range.
    TypeError
        If `rng` is not a ``numpy.random.Generator``.

    References
    ----------
    .. [1] P. Erdős and A. Rényi, "On random graphs I", Publ. Math. Debrecen 6, 290-297
       (1959).
    .. [2] E. N. Gilbert, "Random graphs", Ann. Math. Statist. 30, 1141-1144 (1959).

    Examples
    --------
    >>> net = erdos_renyi(10_000, 8.0, np.random.default_rng(0))
    >>> net.n, round(net.mean_degree)
    (10000, 8)
    """
    check_rng(rng)
    n = check_integer("n", n, 1, _MAX_NODES)
    mean_degree = check_real("mean_degree", mean_degree, 0.0, np.inf)
    if mean_degree > n - 1:
        _inconsistent(
            "erdos_renyi",
            "mean_degree",
            f"{mean_degree:g} contacts each need more than {mean_degree:g} other nodes, but "
            f"n = {n}; expected mean_degree <= n - 1 = {n - 1}",
        )
    p = mean_degree / (n - 1) if n > 1 else 0.0
    row, column = _lower_triangle_pair(_sample_pairs(n * (n - 1) // 2, p, rng))
    return SocialNetwork.from_edges(row, column, n)


def stochastic_block(
    sizes: np.ndarray, p_in: float, p_out: float, rng: np.random.Generator
) -> SocialNetwork:
    """Stochastic block model with one within-block and one between-block probability.

    Parameters
    ----------
    sizes : numpy.ndarray
        Positive block sizes; block ``b`` holds the consecutive nodes
        ``sum(sizes[:b]) .. sum(sizes[:b + 1]) - 1``.
    p_in : float
        Probability of an edge between two nodes of the same block, in ``[0, 1]``.
    p_out : float
        Probability of an edge between nodes of different blocks, in ``[0, 1]``.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    SocialNetwork
        The graph on ``sum(sizes)`` nodes.

    Raises
    ------
    ValueError
        If `sizes`, `p_in` or `p_out` is invalid.
    TypeError
        If `rng` is not a ``numpy.random.Generator``.

    See Also
    --------
    stochastic_block_matrix : The same with a full matrix of block-pair probabilities.

    References
    ----------
    .. [1] P. W. Holland, K. B. Laskey and S. Leinhardt, "Stochastic blockmodels: first
       steps", Social Networks 5, 109-137 (1983).

    Examples
    --------
    >>> net = stochastic_block([3, 2], 1.0, 0.0, np.random.default_rng(0))
    >>> net.neighbors(0).tolist(), net.neighbors(4).tolist()
    ([1, 2], [3])
    """
    sizes = _check_sizes(sizes)
    p_in = check_real("p_in", p_in, 0.0, 1.0)
    p_out = check_real("p_out", p_out, 0.0, 1.0)
    p = np.full((sizes.size, sizes.size), p_out)
    np.fill_diagonal(p, p_in)
    return stochastic_block_matrix(sizes, p, rng)


def stochastic_block_matrix(
    sizes: np.ndarray, p: np.ndarray, rng: np.random.Generator
) -> SocialNetwork:
    """Stochastic block model with a matrix of block-pair edge probabilities.

    For each pair of blocks (a Python loop over the ``B (B + 1) / 2`` block pairs, meant for a
    modest number of blocks) the edge count is drawn from a binomial distribution and that many
    distinct node pairs are sampled, exactly as in :func:`erdos_renyi`.

    Parameters
    ----------
    sizes : numpy.ndarray
        Positive block sizes of ``B`` blocks of consecutive nodes.
    p : numpy.ndarray
        Symmetric ``(B, B)`` matrix: ``p[a, b]`` is the probability of an edge between a node
        of block ``a`` and a node of block ``b``; entries in ``[0, 1]``.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    SocialNetwork
        The graph on ``sum(sizes)`` nodes.

    Raises
    ------
    ValueError
        If `sizes` or `p` is invalid.
    TypeError
        If `rng` is not a ``numpy.random.Generator``.

    References
    ----------
    .. [1] P. W. Holland, K. B. Laskey and S. Leinhardt, "Stochastic blockmodels: first
       steps", Social Networks 5, 109-137 (1983).

    Examples
    --------
    >>> p = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> net = stochastic_block_matrix([2, 2], p, np.random.default_rng(0))
    >>> net.neighbors(0).tolist(), net.n_edges
    ([2, 3], 4)
    """
    check_rng(rng)
    sizes = _check_sizes(sizes)
    p = np.asarray(p, dtype=np.float64)
    if p.shape != (sizes.size, sizes.size):
        raise ValueError(f"p must have shape ({sizes.size}, {sizes.size}), got {p.shape}")
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError("p must contain probabilities in [0, 1]")
    if not np.array_equal(p, p.T):
        raise ValueError("p must be symmetric")
    offset = np.concatenate(([0], np.cumsum(sizes)))
    sources, targets = [], []
    for a, b in zip(*np.triu_indices(sizes.size), strict=True):
        if a == b:
            index = _sample_pairs(sizes[a] * (sizes[a] - 1) // 2, p[a, a], rng)
            row, column = _lower_triangle_pair(index)
        else:
            row, column = np.divmod(_sample_pairs(sizes[a] * sizes[b], p[a, b], rng), sizes[b])
        sources.append(row + offset[a])
        targets.append(column + offset[b])
    return SocialNetwork.from_edges(np.concatenate(sources), np.concatenate(targets), offset[-1])


def complete(n: int) -> SocialNetwork:
    """Return the well-mixed population: the complete graph on `n` nodes, held implicitly.

    Parameters
    ----------
    n : int
        Number of nodes, at least 1.

    Returns
    -------
    SocialNetwork
        A network with ``well_mixed=True``; it stores no edges, so any `n` is cheap.

    Raises
    ------
    ValueError
        If `n` is out of range.

    Examples
    --------
    >>> net = complete(1_000_000)
    >>> net.well_mixed, net.n_edges, net.mean_degree
    (True, 499999500000, 999999.0)
    """
    n = check_integer("n", n, 1, _MAX_NODES)
    return SocialNetwork(
        n, np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int32), well_mixed=True
    )


def _sample_pairs(total: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted distinct indices in ``[0, total)``, each present independently with probability p.

    The count is drawn from ``Binomial(total, p)``; the indices are then a uniform subset of
    that size. Rounds of draws with replacement are deduplicated and topped up; as the subset
    drawn is at most half of ``[0, total)`` (for a larger count its complement is drawn
    instead), each draw is new with probability at least 1/2, so the shortfall shrinks
    geometrically and O(log count) rounds suffice.
    """
    count = int(rng.binomial(total, p))
    if 2 * count <= total:
        return _distinct_integers(total, count, rng)
    keep = np.ones(total, dtype=bool)
    keep[_distinct_integers(total, total - count, rng)] = False
    return np.flatnonzero(keep)


def _distinct_integers(total: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """Draw a uniformly random set of `count` distinct integers in ``[0, total)``, sorted."""
    chosen = _sorted_unique(rng.integers(0, total, size=count))
    while chosen.size < count:
        extra = rng.integers(0, total, size=count - chosen.size)
        chosen = _sorted_unique(np.concatenate((chosen, extra)))
    return chosen


def _lower_triangle_pair(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map linear indices to pairs ``(i, j)``, ``j < i``, with ``index = i (i - 1) / 2 + j``.

    The floating-point triangular root can be off by one for large indices; it is corrected
    with exact integer arithmetic (valid for all indices of graphs with up to 2^31 nodes).
    """
    index = np.asarray(index, dtype=np.int64)
    i = ((1.0 + np.sqrt(8.0 * index + 1.0)) // 2).astype(np.int64)
    i -= i * (i - 1) // 2 > index
    i += (i + 1) * i // 2 <= index
    return i, index - i * (i - 1) // 2


def _inconsistent(generator: str, parameter: str, problem: str) -> None:
    """Raise the :class:`InputError` of a parameter inconsistent with the number of nodes."""
    raise InputError(generator, [(parameter, problem)])


def _check_sizes(sizes: np.ndarray) -> np.ndarray:
    array = np.asarray(sizes)
    if (
        array.ndim != 1
        or array.size == 0
        or array.dtype.kind not in "iu"
        or np.any(array < 1)
        or array.sum() > _MAX_NODES
    ):
        raise ValueError(
            f"sizes must be a non-empty sequence of positive integers summing to at most "
            f"{_MAX_NODES}, got {sizes!r}"
        )
    return array.astype(np.int64)
