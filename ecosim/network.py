"""Social networks held as CSR arrays, fast random-graph generators and edge-list loading.

A :class:`SocialNetwork` is an undirected simple graph on the nodes ``0 .. n-1`` stored in
compressed sparse row (CSR) form: the neighbours of node ``i`` are
``indices[indptr[i]:indptr[i + 1]]``, sorted ascending, and every edge is stored in both
directions. A weighted network also holds one positive tie strength per stored edge
(``weights``, aligned with ``indices``); an unweighted one holds none, and every tie counts 1.
The well-mixed population (the complete graph) is held implicitly.

The generators are vectorised with numpy (no Python loop over nodes or edges) and build graphs
with 10^6 nodes in about a second. Each takes an explicit ``numpy.random.Generator``; the same
seed gives identical arrays.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from numpy.dtypes import StringDType
from scipy import sparse

from ecosim.checks import check_integer, check_real, check_rng
from ecosim.errors import InputError

__all__ = [
    "MAX_EDGE_LIST_BYTES",
    "EdgeListError",
    "SocialNetwork",
    "barabasi_albert",
    "complete",
    "erdos_renyi",
    "read_edge_list",
    "stochastic_block",
    "stochastic_block_matrix",
    "tie_probability",
    "watts_strogatz",
]

MAX_EDGE_LIST_BYTES = 50_000_000
"""Default size limit of :func:`read_edge_list`: 50 MB (about 4 million unweighted edges)."""

_MAX_NODES = int(np.iinfo(np.int32).max)
_MAX_COMPLETE_NETWORKX = 5000
_DIGITS = "0123456789"
# Edge lists are read and parsed in blocks of about this many bytes, cut after a newline.
_BLOCK_BYTES = 1 << 22
_BOM = b"\xef\xbb\xbf"
_HEADERS = {("source", "target"): False, ("source", "target", "weight"): True}
# The fast edge-list parser `_parse_plain_csv` drops whole-line comments and blank lines that
# follow a newline (`re` does not see a lone carriage return as one), then accepts only these bytes.
_COMMENT_OR_BLANK_LINE = re.compile(rb"^[ \t]*(?:#[^\r\n]*)?\r?(?:\n|\Z)", re.MULTILINE)
_PLAIN_BYTES = np.zeros(256, dtype=bool)
_PLAIN_BYTES[np.frombuffer(b"0123456789,+- \t\r\n", dtype=np.uint8)] = True
_PLAIN_WEIGHTED_BYTES = _PLAIN_BYTES.copy()
_PLAIN_WEIGHTED_BYTES[np.frombuffer(b".eE", dtype=np.uint8)] = True


class EdgeListError(InputError):
    """Raised for a malformed edge-list file.

    The message names the file, the line number and what was expected, e.g.
    ``edges.csv, line 7: 'abc' is not a node id (expected an integer in [0, 999])``.
    """


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


def read_edge_list(
    path: str | os.PathLike[str], n: int, *, max_bytes: int | None = MAX_EDGE_LIST_BYTES
) -> SocialNetwork:
    r"""Read an undirected network, optionally weighted, from a CSV edge list.

    Each line holds two integer node ids ``source,target`` (spaces around them allowed). The
    first non-blank, non-comment line may be the header ``source,target``, or
    ``source,target,weight`` for a weighted network: every line then holds a third value,
    the tie strength, a positive finite number (at most about 3.4e38, stored as float32).
    Blank lines and lines starting with ``#`` are skipped. Self loops are dropped, and so are
    repeated edges (a repeated weighted edge keeps its largest weight); a weight column of
    all 1 gives the unweighted network.

    The file must name every customer: its highest id must be ``n - 1``. A customer without
    contacts can be kept by a self loop (``"9,9"``), which declares the node and is dropped.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file (UTF-8).
    n : int
        Number of nodes; ids must lie in ``[0, n)`` and the highest must be ``n - 1``.
    max_bytes : int or None, optional
        Refuse a file larger than this many bytes (default :data:`MAX_EDGE_LIST_BYTES`,
        50 MB); ``None`` for no limit.

    Returns
    -------
    SocialNetwork
        The network.

    Raises
    ------
    EdgeListError
        If the file is missing, is a folder, is larger than `max_bytes`, holds no edges, has
        a malformed line, or names fewer than `n` nodes. The message names the file and, for
        a bad line, its 1-based physical line number (comments, blank lines and the header
        count) and what was expected, e.g.
        ``edges.csv, line 7: 'abc' is not a node id (expected an integer in [0, 999])``.
    ValueError
        If `n` or `max_bytes` is out of range.
    OSError
        If the file exists but cannot be read.

    Notes
    -----
    The file is streamed in blocks of about 4 MiB cut after a newline, so only the parsed
    ids (and weights) of the whole file are held in memory. Plain blocks (digits, commas,
    signs and white space only; decimal points and exponents too in a weighted file) are
    parsed by the pandas C parser. Any other block, or one that parser rejects, is parsed by
    a vectorised line-by-line parser that locates the first bad line; reading stops at the
    first bad block, so a bad line costs at most the blocks before it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "edges.csv"
    ...     _ = path.write_text("source,target\n# a comment\n0,1\n1,2\n")
    ...     read_edge_list(path, n=3).n_edges
    2
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "ties.csv"
    ...     _ = path.write_text("source,target,weight\n0,1,3.5\n1,2,0.5\n")
    ...     read_edge_list(path, n=3).strength.tolist()
    [3.5, 4.0, 0.5]
    """
    n = check_integer("n", n, 1, _MAX_NODES)
    if max_bytes is not None:
        max_bytes = check_integer("max_bytes", max_bytes, 1, sys.maxsize)
    try:
        with Path(path).open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            if max_bytes is not None and size > max_bytes:
                raise EdgeListError(_too_large(path, size, max_bytes))
            source, target, weight = _parse_blocks(_blocks(file, path, max_bytes), path, n)
    except FileNotFoundError as error:
        raise EdgeListError(f"{path}: file not found") from error
    except IsADirectoryError as error:
        raise EdgeListError(f"{path}: is a folder (expected a CSV file of edges)") from error
    if not source.size:
        raise EdgeListError(f"{path}: no edges")
    highest = int(max(source.max(), target.max()))
    if highest < n - 1:
        raise EdgeListError(
            f"{path}: the edge list names {highest + 1} customers (ids 0 to {highest}) but the "
            f"population has {n}, so customers {highest + 1} to {n - 1} would have no contacts; "
            f"set population.size = {highest + 1}, or keep customers without contacts with a "
            f"self loop such as '{n - 1},{n - 1}'"
        )
    return SocialNetwork.from_edges(source, target, n, weight)


def _too_large(path: str | os.PathLike[str], size: int, max_bytes: int) -> str:
    return (
        f"{path}: the file is larger than the limit of {max_bytes:,} bytes "
        f"({size:,} bytes read); raise max_bytes to read it"
    )


def _blocks(
    file: io.BufferedReader, path: str | os.PathLike[str], max_bytes: int | None
) -> Iterator[bytes]:
    """Yield the file in blocks of about ``_BLOCK_BYTES``, each cut after a newline."""
    carry, total = b"", 0
    while data := file.read(_BLOCK_BYTES):
        total += len(data)
        if max_bytes is not None and total > max_bytes:
            raise EdgeListError(_too_large(path, total, max_bytes))
        data = carry + data
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


def _parse_blocks(
    blocks: Iterable[bytes], path: str | os.PathLike[str], n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Parse the blocks of an edge list in order; raise at the first bad line."""
    line, weighted = 1, None
    sources, targets, weights = [], [], []
    for block in blocks:
        if weighted is None:
            block, weighted = _take_header(block.removeprefix(_BOM) if line == 1 else block)
        source, target, weight = _parse_block(block, path, n, bool(weighted), line)
        sources.append(source)
        targets.append(target)
        if weighted:
            weights.append(weight)
        line += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
    empty = np.zeros(0, dtype=np.int64)
    source = np.concatenate(sources) if sources else empty
    target = np.concatenate(targets) if targets else empty
    weight = np.concatenate(weights) if weighted and weights else None
    return source, target, weight


def _take_header(block: bytes) -> tuple[bytes, bool | None]:
    """Blank out a header on the first line with content; say whether it asks for weights.

    Returns the block (line numbers unchanged) and True (``source,target,weight``), False
    (``source,target`` or no header), or None if the block has no line with content.
    """
    offset = 0
    for raw_line in block.splitlines(keepends=True):
        text = raw_line.decode("utf-8", errors="replace").strip()
        if text and not text.startswith("#"):
            fields = tuple(part.strip() for part in text.split(","))
            if fields not in _HEADERS:
                return block, False
            body = raw_line.rstrip(b"\r\n")
            end = offset + len(body)
            return block[:offset] + block[end:], _HEADERS[fields]
        offset += len(raw_line)
    return block, None


def _parse_block(
    raw: bytes, path: str | os.PathLike[str], n: int, weighted: bool, first_line: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Parse one block of lines (header removed): the fast parser, else the line parser."""
    edges = _parse_plain_csv(raw, n, weighted)
    return edges if edges is not None else _parse_csv(raw, path, n, weighted, first_line)


def _parse_plain_csv(
    raw: bytes, n: int, weighted: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
    """Parse a plain block with pandas; None if that fails or any value is out of range."""
    if b"#" in raw:
        raw = _COMMENT_OR_BLANK_LINE.sub(b"", raw)
    plain = _PLAIN_WEIGHTED_BYTES if weighted else _PLAIN_BYTES
    if not plain[np.frombuffer(raw, dtype=np.uint8)].all():
        return None
    if weighted and _decimal_in_node_ids(raw):
        return None
    if not raw.strip():
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0) if weighted else None
    dtype = {0: np.int64, 1: np.int64, 2: np.float64} if weighted else np.int64
    try:
        with np.errstate(invalid="ignore", over="ignore"):  # a failed cast is rejected below
            table = pd.read_csv(io.BytesIO(raw), header=None, dtype=dtype)
    except (ValueError, OverflowError):
        return None
    if table.shape[1] != 2 + weighted:
        return None
    source, target = table[0].to_numpy(), table[1].to_numpy()
    if np.any((source < 0) | (source >= n) | (target < 0) | (target >= n)):
        return None
    if not weighted:
        return source, target, None
    weight = table[2].to_numpy()
    return (source, target, weight) if _valid_weights(weight).all() else None


def _decimal_in_node_ids(raw: bytes) -> bool:
    """Whether a decimal point or exponent appears before a line's second comma.

    pandas reads ``2.0`` or ``1e0`` in an int64 column as 2 or 1; node ids must be written
    as integers, so such a block is left to the line parser, which names the line.
    """
    byte = np.frombuffer(raw, dtype=np.uint8)
    commas = np.cumsum(byte == ord(","))
    line_end = np.flatnonzero((byte == ord("\n")) | (byte == ord("\r")))
    line_start = np.zeros(byte.size, dtype=np.int64)
    line_start[line_end[line_end + 1 < byte.size] + 1] = line_end[line_end + 1 < byte.size] + 1
    line_start = np.maximum.accumulate(line_start)
    field = commas - commas[line_start] + (byte[line_start] == ord(","))
    decimal = (byte == ord(".")) | (byte == ord("e")) | (byte == ord("E"))
    return bool(np.any(decimal & (field < 2)))


def _parse_csv(
    raw: bytes,
    path: str | os.PathLike[str],
    n: int,
    weighted: bool = False,
    first_line: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Parse a block line by line with numpy string functions; raise at the first bad line."""
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    rows = np.strings.strip(np.array(text.split("\n"), dtype=StringDType()))
    index = np.flatnonzero((rows != "") & ~np.strings.startswith(rows, "#"))
    rows, line = rows[index], index + first_line
    columns = np.strings.count(rows, ",") + 1
    comma = np.array(",", dtype=StringDType())
    first, _, rest = np.strings.partition(rows, comma)
    if weighted:
        second, _, third = np.strings.partition(rest, comma)
        source, target, token = np.strings.strip(first), np.strings.strip(second), third
    else:
        source, target = np.strings.strip(first), np.strings.strip(rest)
    source_id, source_ok = _parse_node_ids(source, n)
    target_id, target_ok = _parse_node_ids(target, n)
    expected_columns = 3 if weighted else 2
    bad = (columns != expected_columns) | ~source_ok | ~target_ok
    weight = None
    if weighted:
        token = np.strings.strip(token)
        weight = np.asarray(pd.to_numeric(token.astype(object), errors="coerce"), dtype=float)
        weight_ok = _valid_weights(weight)
        bad |= ~weight_ok
    if bad.any():
        i = int(np.argmax(bad))
        if columns[i] != expected_columns:
            what = f"{columns[i]} column(s)"
            expected = "3: source,target,weight" if weighted else "2: source,target"
            if columns[i] == 3 and not weighted:
                expected += "; a weight column needs the header source,target,weight"
        elif not (source_ok[i] and target_ok[i]):
            node = str(source[i]) if not source_ok[i] else str(target[i])
            what, expected = _node_id_problem(node, n), f"an integer in [0, {n - 1}]"
        else:
            what, expected = _weight_problem(str(token[i]), weight[i]), "a positive number"
        raise EdgeListError(f"{path}, line {line[i]}: {what} (expected {expected})")
    return source_id, target_id, weight


def _valid_weights(weight: np.ndarray) -> np.ndarray:
    """Whether each weight is a positive finite number that float32 holds as such."""
    finfo = np.finfo(np.float32)
    with np.errstate(invalid="ignore"):
        return (weight >= finfo.smallest_normal) & (weight <= finfo.max)


def _weight_problem(token: str, value: float) -> str:
    """Describe why `token` (which `_valid_weights` rejected) is not a tie strength."""
    if np.isnan(value):
        return f"{token!r} is not a weight"
    if value <= 0:
        return f"weight {token} is not positive"
    finfo = np.finfo(np.float32)
    return f"weight {token} is out of range [{finfo.smallest_normal:.3g}, {finfo.max:.3g}]"


def _parse_node_ids(token: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Values of node-id tokens (0 where invalid) and whether each is a valid id in [0, n)."""
    negative = np.strings.startswith(token, "-")
    unsigned = np.strings.slice(
        token, (negative | np.strings.startswith(token, "+")).astype(int), None
    )
    syntax_ok = (unsigned != "") & (np.strings.lstrip(unsigned, _DIGITS) == "")
    unsigned[~syntax_ok] = "0"
    # float64 holds every id below 2**31 exactly; longer digit strings parse to large values or inf.
    magnitude = unsigned.astype(np.float64)
    ok = syntax_ok & (magnitude < n) & ~(negative & (magnitude > 0))
    return np.where(ok, magnitude, 0).astype(np.int64), ok


def _node_id_problem(token: str, n: int) -> str:
    """Describe why `token` (which `_parse_node_ids` rejected) is not a node id in [0, n)."""
    unsigned = token.lstrip("+-")
    if len(token) - len(unsigned) > 1 or not unsigned or unsigned.strip(_DIGITS):
        return f"{token!r} is not a node id"
    if token.startswith("-"):
        return f"node id -{unsigned.lstrip('0')} is negative"
    return f"node id {unsigned.lstrip('0')} is out of range"


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


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (``np.unique`` is slow for large integer arrays in numpy 2.3+)."""
    values = np.sort(values)
    keep = np.ones(values.shape, dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


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
