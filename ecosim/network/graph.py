"""The social network: an undirected graph held as CSR arrays, and how strongly a tie passes.

A :class:`SocialNetwork` is an undirected simple graph on the nodes ``0 .. n-1`` stored in
compressed sparse row (CSR) form: the neighbours of node ``i`` are
``indices[indptr[i]:indptr[i + 1]]``, sorted ascending, and every edge is stored in both
directions. A weighted network also holds one positive tie strength per stored edge
(``weights``, aligned with ``indices``); an unweighted one holds none, and every tie counts 1.
The well-mixed population (the complete graph) is held implicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np
from scipy import sparse

from ecosim.checks import check_integer

__all__ = ["SocialNetwork", "tie_probability"]

_MAX_NODES = int(np.iinfo(np.int32).max)
_MAX_COMPLETE_NETWORKX = 5000


@dataclass(frozen=True, eq=False)
class SocialNetwork:
    """Undirected simple graph on nodes ``0 .. n-1`` in CSR form.

    Build instances with :meth:`from_edges`, :meth:`from_networkx`, a generator or
    :func:`read_edge_list`; the constructor checks only the cheap CSR invariants (shapes,
    dtypes, index range), not symmetry or sortedness.

    Parameters
    ----------
    n : int
        Number of nodes.
    indptr : numpy.ndarray
        int64 array of shape ``(n + 1,)``; row ``i`` is ``indices[indptr[i]:indptr[i + 1]]``.
    indices : numpy.ndarray
        int32 array of shape ``(2 * n_edges,)``: the neighbours of each node, sorted
        ascending, without self loops or duplicates.
    well_mixed : bool, optional
        If true the network is the complete graph, held implicitly: ``indptr`` and ``indices``
        are then the arrays of the empty graph and no array of size ``n**2`` is ever built.
    weights : numpy.ndarray, optional
        Tie strengths: positive finite numbers of the shape of ``indices``, stored as float32,
        the same for both directions of an edge (not checked). Omitted (``None``): the network
        is unweighted and every tie counts 1; the unweighted code paths are then used.

    Raises
    ------
    ValueError
        If the arrays are not a CSR structure on ``n`` nodes, or the weights are not positive
        finite numbers, one per stored edge.

    Notes
    -----
    The arrays are stored as read-only views so that the cached degree and sparse matrices
    stay valid.

    Examples
    --------
    >>> net = SocialNetwork.from_edges([0, 1, 2], [1, 2, 0], n=4)
    >>> net.indptr.tolist(), net.indices.tolist()
    ([0, 2, 4, 6, 6], [1, 2, 0, 2, 0, 1])
    >>> net.degree.tolist(), net.n_edges, net.mean_degree
    ([2, 2, 2, 0], 3, 1.5)
    """

    n: int
    indptr: np.ndarray = field(repr=False)
    indices: np.ndarray = field(repr=False)
    well_mixed: bool = False
    weights: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        n = check_integer("n", self.n, 0, _MAX_NODES)
        indptr = _index_array("indptr", self.indptr).astype(np.int64, copy=False)
        indices = _index_array("indices", self.indices)
        if indptr.shape != (n + 1,) or indptr[0] != 0 or indptr[-1] != indices.size:
            raise ValueError("indptr must have shape (n + 1,), start at 0 and end at len(indices)")
        if np.any(np.diff(indptr) < 0):
            raise ValueError("indptr must be non-decreasing")
        _check_node_ids("indices", indices, n)
        if self.well_mixed and indices.size:
            raise ValueError(
                "a well-mixed network holds its edges implicitly: indices must be empty"
            )
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "indptr", _read_only(indptr))
        object.__setattr__(self, "indices", _read_only(indices.astype(np.int32, copy=False)))
        object.__setattr__(self, "well_mixed", bool(self.well_mixed))
        if self.weights is not None:
            if self.well_mixed:
                raise ValueError("a well-mixed network has no tie strengths: weights must be None")
            weights = _check_weights(self.weights, indices.shape)
            object.__setattr__(self, "weights", _read_only(weights))

    @property
    def weighted(self) -> bool:
        """Whether the network holds tie strengths (``weights`` is not ``None``)."""
        return self.weights is not None

    @cached_property
    def strength(self) -> np.ndarray:
        """Sum of the tie strengths of every node: float64, shape ``(n,)``.

        The degree (as float64) when the network is unweighted.

        Examples
        --------
        >>> net = SocialNetwork.from_edges([0, 0], [1, 2], n=3, weights=[2.0, 0.5])
        >>> net.strength.tolist()
        [2.5, 2.0, 0.5]
        """
        if self.weights is None:
            return _read_only(self.degree.astype(np.float64))
        row = np.repeat(np.arange(self.n), self.degree)
        return _read_only(np.bincount(row, weights=self.weights, minlength=self.n))

    @cached_property
    def degree(self) -> np.ndarray:
        """Degree of every node: an int64 array of shape ``(n,)``; ``n - 1`` when well mixed."""
        if self.well_mixed:
            return _read_only(np.full(self.n, self.n - 1, dtype=np.int64))
        return _read_only(np.diff(self.indptr))

    @property
    def n_edges(self) -> int:
        """Number of undirected edges; ``n * (n - 1) / 2`` when well mixed."""
        if self.well_mixed:
            return self.n * (self.n - 1) // 2
        return self.indices.size // 2

    @property
    def mean_degree(self) -> float:
        """Mean degree ``2 * n_edges / n`` (0 for the empty network)."""
        return 2 * self.n_edges / self.n if self.n else 0.0

    def neighbors(self, i: int) -> np.ndarray:
        """Neighbours of node `i`.

        Parameters
        ----------
        i : int
            A node in ``[0, n)``.

        Returns
        -------
        numpy.ndarray
            The neighbours as a sorted int32 array (all other nodes when well mixed).

        Raises
        ------
        ValueError
            If `i` is not a node.

        Examples
        --------
        >>> SocialNetwork.from_edges([0, 0], [1, 2], n=3).neighbors(0).tolist()
        [1, 2]
        >>> from ecosim.network import complete
        >>> complete(4).neighbors(2).tolist()
        [0, 1, 3]
        """
        i = check_integer("i", i, 0, self.n - 1)
        if self.well_mixed:
            return np.delete(np.arange(self.n, dtype=np.int32), i)
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def neighbor_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of `values` over the neighbours of each node (weighted by tie strength).

        Parameters
        ----------
        values : numpy.ndarray
            Array of shape ``(n,)`` or ``(n, k)``; a 2-D array is averaged per column.

        Returns
        -------
        numpy.ndarray
            float64 array of the shape of `values`; isolated nodes get 0. The result is
            deterministic: the same inputs give bit-identical output.

        Raises
        ------
        ValueError
            If `values` does not have ``n`` rows.

        Notes
        -----
        One sparse product with the cached row-normalised adjacency matrix (data
        ``1 / degree``; ``weight / strength`` when weighted, which gives the weighted mean),
        or ``(column sum - own value) / (n - 1)`` in O(n) when well mixed.

        Examples
        --------
        >>> net = SocialNetwork.from_edges([0, 0, 1], [1, 2, 2], n=4)
        >>> net.neighbor_mean(np.array([1.0, 2.0, 6.0, 5.0])).tolist()
        [4.0, 3.5, 1.5, 0.0]
        """
        values = self._check_values(values)
        if self.well_mixed:
            return (values.sum(axis=0) - values) / max(self.n - 1, 1)
        return self._mean_matrix @ values

    def neighbor_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of `values` over the neighbours of each node (times the tie strength, if weighted).

        Parameters
        ----------
        values : numpy.ndarray
            Array of shape ``(n,)`` or ``(n, k)``; a 2-D array is summed per column.

        Returns
        -------
        numpy.ndarray
            float64 array of the shape of `values`; isolated nodes get 0. Deterministic.

        Raises
        ------
        ValueError
            If `values` does not have ``n`` rows.

        Examples
        --------
        >>> net = SocialNetwork.from_edges([0, 0, 1], [1, 2, 2], n=4)
        >>> net.neighbor_sum(np.array([1.0, 2.0, 6.0, 5.0])).tolist()
        [8.0, 7.0, 3.0, 0.0]
        >>> from ecosim.network import complete
        >>> complete(3).neighbor_sum(np.array([1.0, 2.0, 4.0])).tolist()
        [6.0, 5.0, 3.0]
        """
        values = self._check_values(values)
        if self.well_mixed:
            return values.sum(axis=0) - values
        return self._adjacency @ values

    def count_marked_neighbors(self, marked: np.ndarray) -> np.ndarray:
        """For each node and column, how many of its neighbours are marked.

        A single pass over the edges: one product per column of the cached adjacency
        matrix (float32 ones, CSR) with the marked column, or, when the marked nodes
        have few edges, a count over their edges alone (cheaper than the product below
        about an eighth of the edges). Both give the same, exact counts:
        float32 holds every whole number below 2**24, and no node has that many
        neighbours. A well-mixed network is counted in O(n).

        Parameters
        ----------
        marked : numpy.ndarray
            Boolean array of shape ``(n, k)``.

        Returns
        -------
        numpy.ndarray
            int64 array of shape ``(n, k)``.

        Examples
        --------
        >>> net = SocialNetwork.from_edges([0, 1], [1, 2], n=3)
        >>> net.count_marked_neighbors(np.array([[True], [False], [True]])).ravel().tolist()
        [0, 2, 0]
        """
        n, k = marked.shape
        if self.well_mixed:
            counts = marked.sum(axis=0, dtype=np.int64)
            return counts - marked.astype(np.int64)
        few = self._few_marked_edges(marked)
        if few is not None:
            key, _ = few
            return np.bincount(key, minlength=n * k).reshape(n, k)
        counts = np.empty((n, k), dtype=np.int64)
        for column in range(k):
            counts[:, column] = self._ones @ marked[:, column].astype(np.float32)
        return counts

    def marked_neighbor_weight(self, marked: np.ndarray) -> np.ndarray:
        """For each node and column, the total tie strength of its marked neighbours.

        The weighted counterpart of :meth:`count_marked_neighbors`, with the same two
        ways of counting; each node's sum runs over its neighbours in ascending order
        either way, so both give the same float64 sums. On an unweighted network it
        equals the count.

        Parameters
        ----------
        marked : numpy.ndarray
            Boolean array of shape ``(n, k)``.

        Returns
        -------
        numpy.ndarray
            float64 array of shape ``(n, k)``.

        Examples
        --------
        >>> net = SocialNetwork.from_edges([0, 1], [1, 2], n=3, weights=[2.0, 0.5])
        >>> net.marked_neighbor_weight(np.array([[True], [False], [True]])).ravel().tolist()
        [0.0, 2.5, 0.0]
        """
        if self.weights is None:
            return self.count_marked_neighbors(marked).astype(np.float64)
        n, k = marked.shape
        few = self._few_marked_edges(marked)
        if few is not None:
            key, position = few
            weight = self.weights[position].astype(np.float64)
            return np.bincount(key, weights=weight, minlength=n * k).reshape(n, k)
        total = np.empty((n, k), dtype=np.float64)
        for column in range(k):
            total[:, column] = self._adjacency @ marked[:, column].astype(np.float64)
        return total

    def neighbor_share(self, marked: np.ndarray) -> np.ndarray:
        """For each node and column, the share of its neighbours that are marked.

        ``(marked neighbours) / degree``; on a weighted network the share of its tie
        strength, ``sum of w over marked neighbours / sum of w``. Isolated nodes get 0.
        The same numbers as dividing :meth:`count_marked_neighbors` (or
        :meth:`marked_neighbor_weight`) by the degree (or strength), in one pass per
        column, and none for a column with nothing marked.

        Parameters
        ----------
        marked : numpy.ndarray
            Boolean array of shape ``(n, k)``.

        Returns
        -------
        numpy.ndarray
            float64 array of shape ``(n, k)``.

        Examples
        --------
        >>> path = SocialNetwork.from_edges([0, 1], [1, 2], n=3)
        >>> path.neighbor_share(np.array([[True], [False], [False]])).ravel().tolist()
        [0.0, 0.5, 0.0]
        """
        n, k = marked.shape
        if self.weighted:
            total = self.marked_neighbor_weight(marked)
            strength = self.strength[:, None]
            return np.divide(total, strength, out=np.zeros(total.shape), where=strength > 0)
        if self.well_mixed:
            return self.count_marked_neighbors(marked) / max(self.n - 1, 1)
        few = self._few_marked_edges(marked)
        if few is not None:
            key, _ = few
            return np.bincount(key, minlength=n * k).reshape(n, k) / self._divisor[:, None]
        shares = np.zeros((n, k))
        for column in range(k):
            if marked[:, column].any():
                counts = self._ones @ marked[:, column].astype(np.float32)
                np.divide(counts, self._divisor, out=shares[:, column])
        return shares

    def nonzero_neighbor_share(self, marked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the entries of :meth:`neighbor_share` that are not 0, and their keys.

        When few nodes are marked, only their edges are visited and no ``(n, k)`` array is
        made; the values are those :meth:`neighbor_share` gives.

        Parameters
        ----------
        marked : numpy.ndarray
            Boolean array of shape ``(n, k)``.

        Returns
        -------
        keys : numpy.ndarray
            The flat indices ``node * k + column`` of the entries, ascending (int64).
        shares : numpy.ndarray
            Their shares (float64, positive).

        Examples
        --------
        >>> path = SocialNetwork.from_edges([0, 1], [1, 2], n=3)
        >>> keys, shares = path.nonzero_neighbor_share(np.array([[True], [False], [True]]))
        >>> keys.tolist(), shares.tolist()
        ([1], [1.0])
        """
        k = marked.shape[1]
        few = None if self.well_mixed else self._few_marked_edges(marked)
        if few is None:
            shares = self.neighbor_share(marked).reshape(-1)
            keys = np.flatnonzero(shares)
            return keys, shares[keys]
        key, position = few
        if self.weighted:
            keys, where = np.unique(key, return_inverse=True)
            weight = self.weights[position].astype(np.float64)
            total = np.bincount(where, weights=weight, minlength=keys.size)
            return keys, total / self.strength[keys // k]
        keys, counts = np.unique(key, return_counts=True)
        return keys, counts / self._divisor[keys // k]

    def _few_marked_edges(self, marked: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Return the marked nodes' edges as ``(target * k + column, position)``, if few.

        ``None`` when they are more than an eighth of the edges per column: visiting an
        edge found through its node costs several times a step of a sparse product, so the
        product over every edge is then the cheaper pass.
        """
        k = marked.shape[1]
        flat = np.flatnonzero(marked.reshape(-1))
        rows = flat // k
        if 8 * int(self.degree[rows].sum()) > self.indices.size * k:
            return None
        position = self._positions(rows)
        key = self.indices[position].astype(np.int64) * k + np.repeat(flat % k, self.degree[rows])
        return key, position

    def edges_from(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All directed ``(source, target)`` pairs for the edges leaving `nodes`.

        Parameters
        ----------
        nodes : numpy.ndarray
            One-dimensional integer array of nodes (repeats allowed).

        Returns
        -------
        source, target : tuple of numpy.ndarray
            int32 arrays, ordered by position in `nodes`, then by the (sorted) CSR row.

        Raises
        ------
        ValueError
            If the network is well mixed (its edges are not held explicitly) or `nodes`
            contains something that is not a node.

        Examples
        --------
        >>> net = SocialNetwork.from_edges([0, 0, 1], [1, 2, 2], n=4)
        >>> source, target = net.edges_from(np.array([2, 3, 0]))
        >>> source.tolist(), target.tolist()
        ([2, 2, 0, 0], [0, 1, 1, 2])
        """
        if self.well_mixed:
            raise ValueError(
                "edges_from is not available for a well-mixed network: its n(n-1)/2 edges are "
                "held implicitly; use neighbor_mean, neighbor_sum or neighbors instead"
            )
        nodes = self._check_nodes(nodes)
        position = self._positions(nodes)
        return np.repeat(nodes.astype(np.int32), self.degree[nodes]), self.indices[position]

    def weighted_edges_from(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All directed ``(source, target, weight)`` triples for the edges leaving `nodes`.

        Like :meth:`edges_from`, with the tie strength of every edge (1 when unweighted).

        Parameters
        ----------
        nodes : numpy.ndarray
            One-dimensional integer array of nodes (repeats allowed).

        Returns
        -------
        source, target, weight : tuple of numpy.ndarray
            int32, int32 and float32 arrays in the order of :meth:`edges_from`.

        Raises
        ------
        ValueError
            As :meth:`edges_from`.

        Examples
        --------
        >>> net = SocialNetwork.from_edges([0, 0], [1, 2], n=3, weights=[2.0, 0.5])
        >>> [a.tolist() for a in net.weighted_edges_from(np.array([0]))]
        [[0, 0], [1, 2], [2.0, 0.5]]
        """
        source, target = self.edges_from(nodes)
        if self.weights is None:
            return source, target, np.ones(target.size, dtype=np.float32)
        return source, target, self.weights[self._positions(self._check_nodes(nodes))]

    def to_networkx(self, nodes: np.ndarray | None = None) -> nx.Graph:
        """Return the subgraph induced by `nodes` as a networkx graph.

        Parameters
        ----------
        nodes : numpy.ndarray, optional
            Nodes to keep (all if omitted); they keep their ids as labels.

        Returns
        -------
        networkx.Graph
            The induced subgraph; a weighted network's tie strengths are the edge attribute
            ``weight``.

        Raises
        ------
        ValueError
            If `nodes` contains something that is not a node, or the network is well mixed
            and the requested complete graph has more than 5000 nodes.

        Examples
        --------
        >>> net = SocialNetwork.from_edges([0, 0, 1], [1, 2, 2], n=4)
        >>> sorted(net.to_networkx().edges)
        [(0, 1), (0, 2), (1, 2)]
        >>> sorted(net.to_networkx(np.array([1, 2, 3])).edges)
        [(1, 2)]
        """
        nodes = np.arange(self.n) if nodes is None else _sorted_unique(self._check_nodes(nodes))
        if self.well_mixed:
            if nodes.size > _MAX_COMPLETE_NETWORKX:
                raise ValueError(
                    f"refusing to build a networkx complete graph on {nodes.size} nodes "
                    f"(allowed: at most {_MAX_COMPLETE_NETWORKX})"
                )
            return nx.complete_graph(nodes.tolist())
        inside = np.zeros(self.n, dtype=bool)
        inside[nodes] = True
        source, target = self.edges_from(nodes)
        keep = inside[target] & (source < target)
        graph = nx.Graph()
        graph.add_nodes_from(nodes.tolist())
        if self.weights is None:
            graph.add_edges_from(np.column_stack((source[keep], target[keep])).tolist())
            return graph
        weight = self.weights[self._positions(nodes)][keep].tolist()
        pairs = zip(source[keep].tolist(), target[keep].tolist(), weight, strict=True)
        graph.add_weighted_edges_from(pairs)
        return graph

    @classmethod
    def from_edges(
        cls,
        source: np.ndarray,
        target: np.ndarray,
        n: int,
        weights: np.ndarray | None = None,
    ) -> SocialNetwork:
        """Build a network from edge end points (and, optionally, tie strengths).

        The edges are symmetrised; self loops and duplicate edges are dropped. A tie given
        more than once (in either direction) keeps its largest weight.

        Parameters
        ----------
        source, target : numpy.ndarray
            One-dimensional integer arrays of equal length: edge ``k`` joins ``source[k]`` and
            ``target[k]``.
        n : int
            Number of nodes; every id must lie in ``[0, n)``.
        weights : numpy.ndarray, optional
            Positive finite tie strengths, one per edge. Omitted, or all equal to 1: the
            network is unweighted.

        Returns
        -------
        SocialNetwork
            The simple undirected graph.

        Raises
        ------
        ValueError
            If the arrays are not one-dimensional integer arrays of equal length or hold an id
            outside ``[0, n)``, or a weight is not a positive finite number.

        Examples
        --------
        >>> net = SocialNetwork.from_edges([0, 1, 1, 2], [1, 0, 1, 0], n=3)
        >>> net.n_edges, net.neighbors(0).tolist()
        (2, [1, 2])
        """
        n = check_integer("n", n, 0, _MAX_NODES)
        source = _index_array("source", source).astype(np.int64, copy=False)
        target = _index_array("target", target).astype(np.int64, copy=False)
        if source.shape != target.shape:
            raise ValueError(
                f"source and target must have the same length, got {source.size} and {target.size}"
            )
        _check_node_ids("source", source, n)
        _check_node_ids("target", target, n)
        loop = source == target
        source, target = source[~loop], target[~loop]
        key = np.concatenate((source * n + target, target * n + source))
        weight = None
        if weights is not None:
            weights = _check_weights(weights, loop.shape)
            if np.all(weights == 1.0):
                weights = None
        if weights is None:
            key = _sorted_unique(key)
        else:
            weight = np.tile(weights[~loop], 2)
            order = np.lexsort((weight, key))
            key, weight = key[order], weight[order]
            last = np.ones(key.shape, dtype=bool)
            last[:-1] = key[1:] != key[:-1]
            key, weight = key[last], weight[last]
        row, column = np.divmod(key, max(n, 1))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
        return cls(n, indptr, column.astype(np.int32), weights=weight)

    @classmethod
    def from_networkx(cls, graph: nx.Graph) -> SocialNetwork:
        """Convert a networkx graph, relabelling its nodes ``0 .. n-1`` in sorted order.

        Edge directions, weights, multiplicities and self loops are dropped.

        Parameters
        ----------
        graph : networkx.Graph
            Any networkx graph whose node labels are mutually comparable.

        Returns
        -------
        SocialNetwork
            The network; node ``i`` is the ``i``-th smallest label of `graph`.

        Examples
        --------
        >>> graph = nx.Graph([("b", "c"), ("a", "c")])
        >>> SocialNetwork.from_networkx(graph).neighbors(2).tolist()
        [0, 1]
        """
        nodes = sorted(graph.nodes)
        if not nodes:
            return cls.from_edges([], [], 0)
        adjacency = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=None, format="coo")
        return cls.from_edges(adjacency.row, adjacency.col, len(nodes))

    @cached_property
    def _mean_matrix(self) -> sparse.csr_array:
        if self.weights is None:
            weight = np.repeat(1.0 / np.maximum(self.degree, 1), self.degree)
        else:
            total = np.repeat(self.strength, self.degree)
            weight = self.weights / total
        return sparse.csr_array((weight, self.indices, self.indptr), shape=(self.n, self.n))

    @cached_property
    def _divisor(self) -> np.ndarray:
        """The degree as float64, at least 1: what a count of neighbours is shared by."""
        return _read_only(np.maximum(self.degree, 1).astype(np.float64))

    @cached_property
    def _ones(self) -> sparse.csr_array:
        """The adjacency matrix with float32 ones: counting in a single pass over the edges."""
        data = np.ones(self.indices.size, dtype=np.float32)
        return sparse.csr_array((data, self.indices, self._indptr32), shape=(self.n, self.n))

    @cached_property
    def _indptr32(self) -> np.ndarray:
        """``indptr`` as int32 where the edges allow: sparse products then read less."""
        fits = self.indices.size < np.iinfo(np.int32).max
        return self.indptr.astype(np.int32) if fits else self.indptr

    @cached_property
    def _adjacency(self) -> sparse.csr_array:
        if self.weights is None:
            weight = np.ones(self.indices.size)
        else:
            weight = self.weights.astype(np.float64)
        return sparse.csr_array((weight, self.indices, self._indptr32), shape=(self.n, self.n))

    def _positions(self, nodes: np.ndarray) -> np.ndarray:
        """Positions in ``indices`` of the edges leaving `nodes` (checked), row after row."""
        count = self.degree[nodes]
        first = np.cumsum(count) - count
        return np.repeat(self.indptr[nodes] - first, count) + np.arange(count.sum())

    def _check_values(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        if values.ndim not in (1, 2) or values.shape[0] != self.n:
            raise ValueError(
                f"values must have shape ({self.n},) or ({self.n}, k), got {values.shape}"
            )
        return values

    def _check_nodes(self, nodes: np.ndarray) -> np.ndarray:
        nodes = _index_array("nodes", nodes)
        _check_node_ids("nodes", nodes, self.n)
        return nodes


def tie_probability(probability: float, weight: np.ndarray) -> np.ndarray:
    """Return the probability ``1 - (1 - probability)**weight`` that a tie of strength w passes.

    A tie of strength ``w`` is ``w`` independent chances of ``probability`` (for whole
    ``w``), so strong ties pass more often than weak ones and ``w = 1`` gives
    ``probability``. Computed as ``-expm1(w log1p(-probability))``, exact for small values.

    Examples
    --------
    >>> tie_probability(0.1, np.array([0.5, 1.0, 2.0])).round(4).tolist()
    [0.0513, 0.1, 0.19]
    """
    with np.errstate(divide="ignore"):
        return -np.expm1(np.asarray(weight, dtype=np.float64) * np.log1p(-probability))


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (``np.unique`` is slow for large integer arrays in numpy 2.3+)."""
    values = np.sort(values)
    keep = np.ones(values.shape, dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _index_array(name: str, values: np.ndarray) -> np.ndarray:
    """`values` as a one-dimensional integer array (an empty array may have any dtype)."""
    array = np.asarray(values)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise ValueError(f"{name} must be a one-dimensional integer array")
    return array if array.size else array.astype(np.int64)


def _check_weights(weights: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """`weights` as float32 of `shape` if they are positive finite numbers, else raise."""
    array = np.asarray(weights)
    if array.shape != shape or (array.size and array.dtype.kind not in "iuf"):
        raise ValueError(f"weights must be a numeric array of shape {shape}, got {array.shape}")
    array = array.astype(np.float32)
    bad = array[~(np.isfinite(array) & (array > 0))]
    if bad.size:
        raise ValueError(f"weights must be positive finite numbers, found {bad[0]}")
    return array


def _check_node_ids(name: str, ids: np.ndarray, n: int) -> None:
    bad = ids[(ids < 0) | (ids >= n)]
    if bad.size:
        raise ValueError(f"{name} must hold node ids in [0, {n - 1}], found {bad[0]}")


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view
