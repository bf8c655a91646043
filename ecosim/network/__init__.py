"""Social networks: graphs held as CSR arrays, random-graph generators and edge lists.

- :mod:`ecosim.network.graph`: :class:`SocialNetwork`, an undirected graph in CSR form
  (weighted or not; the well-mixed population held implicitly), and the passes over
  neighbours that word of mouth and diffusion make;
- :mod:`ecosim.network.generators`: Barabási–Albert, Watts–Strogatz, Erdős–Rényi,
  stochastic block and complete graphs, vectorised with numpy;
- :mod:`ecosim.network.edge_list`: a network read from a CSV edge list.
"""

from ecosim.network.edge_list import (
    MAX_EDGE_LIST_BYTES,
    EdgeListError,
    edge_list_digest,
    read_edge_list,
)
from ecosim.network.generators import (
    barabasi_albert,
    complete,
    erdos_renyi,
    stochastic_block,
    stochastic_block_matrix,
    watts_strogatz,
)
from ecosim.network.graph import SocialNetwork, tie_probability

__all__ = [
    "MAX_EDGE_LIST_BYTES",
    "EdgeListError",
    "SocialNetwork",
    "barabasi_albert",
    "complete",
    "edge_list_digest",
    "erdos_renyi",
    "read_edge_list",
    "stochastic_block",
    "stochastic_block_matrix",
    "tie_probability",
    "watts_strogatz",
]
