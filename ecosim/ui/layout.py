"""A drawable piece of the social network: a connected sample of customers and their positions.

A class cannot read 10,000 dots, and a force-directed layout of 10,000 nodes takes minutes,
so the network view draws a *snowball sample* (breadth-first from random seeds, the way
word of mouth travels) of at most :data:`MAX_NODES` customers, laid out once per network
and seed.

networkx's ``spring_layout`` takes 5-15 s at 2,000 nodes; :func:`force_layout` is the same
Fruchterman-Reingold algorithm vectorised with numpy, with the repulsion on each node
estimated from a random batch of other nodes, which brings it under a second.
:func:`laid_out` keeps the last layouts, so pages that show the same network (a class
opening one scenario, a Reset that leaves the network as it was) lay it out once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass

import numpy as np

from ecosim.network import SocialNetwork

__all__ = [
    "KEPT_LAYOUTS",
    "MAX_NODES",
    "NetworkSample",
    "force_layout",
    "laid_out",
    "sample_network",
    "snowball",
]

MAX_NODES = 2000
"""The most customers the network view draws."""
KEPT_LAYOUTS = 8
"""The most samples :func:`laid_out` keeps (each about 150 kB, and the network view keeps
the picture of its edges, about 1 MB, while it is kept)."""

_kept: OrderedDict[tuple[bytes, int, int], NetworkSample] = OrderedDict()
_laying: dict[tuple[bytes, int, int], threading.Lock] = {}
"""The samples being laid out, each locked by the page laying it out."""
_kept_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class NetworkSample:
    """Customers to draw, their positions and the edges among them.

    Attributes
    ----------
    nodes : ndarray of int, shape (k,)
        Customer rows, ascending.
    xy : ndarray of float, shape (k, 2)
        Positions in the unit square.
    edges : ndarray of int, shape (m, 2)
        Pairs of positions in ``nodes`` that are contacts.
    degree : ndarray of int, shape (k,)
        Each customer's number of contacts in the whole network.
    total : int
        Number of customers in the population.
    """

    nodes: np.ndarray
    xy: np.ndarray
    edges: np.ndarray
    degree: np.ndarray
    total: int


def sample_network(
    network: SocialNetwork, rng: np.random.Generator, size: int = MAX_NODES
) -> NetworkSample:
    """Sample at most ``size`` customers and lay out the network among them.

    A well-mixed network (everyone hears everyone) has no edges worth drawing: its sample
    is placed on a sunflower spiral without edges.

    Parameters
    ----------
    network : SocialNetwork
    rng : numpy.random.Generator
        Used for the sample and the layout only (not the model's stream).
    size : int

    Returns
    -------
    NetworkSample
    """
    if network.well_mixed:
        nodes = np.sort(rng.choice(network.n, min(size, network.n), replace=False))
        xy, edges = _sunflower(len(nodes)), np.empty((0, 2), dtype=int)
        return NetworkSample(nodes, xy, edges, network.degree[nodes], network.n)
    nodes = snowball(network, size, rng)
    position = np.full(network.n, -1)
    position[nodes] = np.arange(len(nodes))
    source, target = network.edges_from(nodes)
    keep = (position[target] >= 0) & (source < target)
    edges = np.column_stack((position[source[keep]], position[target[keep]]))
    xy = force_layout(edges, len(nodes), rng)
    return NetworkSample(nodes, xy, edges, network.degree[nodes], network.n)


def laid_out(network: SocialNetwork, seed: int, size: int = MAX_NODES) -> NetworkSample:
    """Return :func:`sample_network` of ``network`` drawn from ``seed``, laid out once.

    The sample depends on the network (its contacts and their weights) and the seed only,
    so every page that shows the same network shares one (its layout takes 0.4 to 0.6 s of
    CPU at 2,000 customers drawn); pages asking for it at the same time wait for the first
    to lay it out. The last :data:`KEPT_LAYOUTS` are kept. Its arrays are read-only.

    Parameters
    ----------
    network : SocialNetwork
    seed : int
        Seeds the sample's and the layout's own random stream.
    size : int
        The most customers drawn.

    Returns
    -------
    NetworkSample

    Examples
    --------
    >>> from ecosim.network import SocialNetwork
    >>> ring = SocialNetwork.from_edges([0, 1, 2], [1, 2, 0], n=3)
    >>> laid_out(ring, 7) is laid_out(SocialNetwork.from_edges([0, 1, 2], [1, 2, 0], n=3), 7)
    True
    """
    key = (_digest(network), seed, size)
    with _kept_lock:
        laying = _laying.setdefault(key, threading.Lock())
    with laying:  # a page laying this network out holds it; the others wait, then read
        try:
            with _kept_lock:
                if key in _kept:
                    _kept.move_to_end(key)
                    return _kept[key]
            sample = sample_network(network, np.random.default_rng(seed), size)
            for array in (sample.nodes, sample.xy, sample.edges, sample.degree):
                array.flags.writeable = False
            with _kept_lock:
                _kept[key] = sample
                while len(_kept) > KEPT_LAYOUTS:
                    _kept.popitem(last=False)
            return sample
        finally:
            with _kept_lock:  # a page that came after this one's lock went has its own
                if _laying.get(key) is laying:
                    del _laying[key]


def _digest(network: SocialNetwork) -> bytes:
    """Return a digest of the network's contacts and weights: equal for equal networks."""
    digest = hashlib.blake2b(f"{network.n} {network.well_mixed}".encode(), digest_size=16)
    for array in (network.indptr, network.indices, network.weights):
        if array is not None:
            digest.update(str(array.dtype).encode())
            digest.update(np.ascontiguousarray(array).data)
    return digest.digest()


def snowball(network: SocialNetwork, size: int, rng: np.random.Generator) -> np.ndarray:
    """Meet customers breadth-first from random seeds until ``size`` are found.

    Parameters
    ----------
    network : SocialNetwork
    size : int
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int
        Distinct customer rows, ascending; all of them when the population is not larger.

    Examples
    --------
    >>> from ecosim.network import SocialNetwork
    >>> path = SocialNetwork.from_edges([0, 1, 2, 3], [1, 2, 3, 4], n=5)
    >>> snowball(path, 3, np.random.default_rng(0)).tolist()
    [2, 3, 4]
    """
    if network.n <= size:
        return np.arange(network.n)
    met = np.zeros(network.n, dtype=bool)
    found: list[int] = []
    while len(found) < size:
        seed = int(rng.integers(network.n))
        if met[seed]:
            continue
        met[seed] = True
        found.append(seed)
        queue = deque([seed])
        while queue and len(found) < size:
            contacts = network.neighbors(queue.popleft())
            new = contacts[~met[contacts]][: size - len(found)]
            met[new] = True
            found += new.tolist()
            queue.extend(new.tolist())
    return np.sort(np.array(found))


def force_layout(
    edges: np.ndarray,
    n: int,
    rng: np.random.Generator,
    iterations: int = 80,
    batch: int = 64,
) -> np.ndarray:
    """Fruchterman-Reingold force-directed positions in the unit square.

    Contacts attract with force ``d**2 / k`` and all pairs repel with ``k**2 / d``, where
    ``k = 1 / sqrt(n)``; each node's repulsion is estimated from ``batch`` random nodes,
    scaled by ``n / batch``. Moves are capped by a temperature that cools linearly
    (Fruchterman & Reingold 1991).

    Parameters
    ----------
    edges : ndarray of int, shape (m, 2)
    n : int
        Number of nodes.
    rng : numpy.random.Generator
    iterations, batch : int

    Returns
    -------
    ndarray of float, shape (n, 2)
        Scaled to the unit square; the outermost 0.5 % of nodes on each side sit on its edge.

    Examples
    --------
    >>> xy = force_layout(np.array([[0, 1], [1, 2]]), 4, np.random.default_rng(1))
    >>> xy.shape, bool(xy.min() >= 0 and xy.max() <= 1)
    ((4, 2), True)
    """
    xy = rng.random((n, 2))
    if n < 2:
        return xy
    k = 1.0 / np.sqrt(n)
    batch = min(batch, n)
    source, target = edges[:, 0], edges[:, 1]
    for temperature in np.linspace(0.1, 0.0, iterations, endpoint=False):
        others = xy[rng.integers(n, size=batch)]
        apart = xy[:, None, :] - others[None, :, :]
        squared = np.maximum(np.einsum("ijk,ijk->ij", apart, apart), 1e-6)
        move = (k * k * n / batch) * np.einsum("ijk,ij->ik", apart, 1.0 / squared)
        pull = (xy[source] - xy[target]) * (np.hypot(*(xy[source] - xy[target]).T) / k)[:, None]
        for axis in (0, 1):
            move[:, axis] += np.bincount(target, pull[:, axis], n)
            move[:, axis] -= np.bincount(source, pull[:, axis], n)
        length = np.maximum(np.hypot(move[:, 0], move[:, 1]), 1e-12)
        xy += move * (np.minimum(length, temperature) / length)[:, None]
    low, high = np.quantile(xy, [0.005, 0.995], axis=0)
    return np.clip((xy - low) / np.maximum(high - low, 1e-12), 0.0, 1.0)


def _sunflower(n: int) -> np.ndarray:
    """``n`` points spread evenly over a disc in the unit square (Vogel's spiral)."""
    i = np.arange(n) + 0.5
    radius = 0.5 * np.sqrt(i / max(n, 1))
    angle = i * np.pi * (3.0 - np.sqrt(5.0))
    return 0.5 + radius[:, None] * np.column_stack((np.cos(angle), np.sin(angle)))
