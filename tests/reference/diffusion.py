"""Network diffusion written the plain Mesa way: one agent per customer.

This is the independent implementation that ecosim's vectorised engine is docked
against (Rand & Rust 2011; ``ecosim validate``). It shares no code with ecosim: each
customer is a Mesa ``Agent`` that holds its own state (adopted or not, and on which day)
and a list of its neighbours, and the agents act one at a time, in random order
(``AgentSet.shuffle_do``). It is written to be read, not to be fast.

Updating is synchronous, like ecosim's: every decision of a day reads the state at the
start of that day. A day therefore has two passes over the agents. In the first
(``decide``, in random order) each agent looks at the start-of-day state and records
what will happen; nothing visible changes yet, so the order does not matter. In the
second (``commit``) every recorded adoption takes effect. Without the two passes an
agent stepping late in the day would see adoptions made earlier the same day
(asynchronous updating), a different process.

The rules:

``bass``
    A customer who has not adopted adopts with probability ``min(p + q * a / k, 1)``,
    where ``a`` of their ``k`` neighbours had adopted at the start of the day
    (``a / k = 0`` without neighbours) -- the network Bass model (Bass 1969).
``independent_cascade``
    A customer who adopted on the previous day (the seeds: on day 0) gets one chance to
    convince each neighbour who had not adopted at the start of the day, independently
    with probability ``edge_probability`` (Goldenberg, Libai & Muller 2001; Kempe,
    Kleinberg & Tardos 2003).

References
----------
F. M. Bass, "A new product growth for model consumer durables", Management Science 15
(1969) 215-227.
J. Goldenberg, B. Libai and E. Muller, "Talk of the network: a complex systems look at the
underlying process of word-of-mouth", Marketing Letters 12 (2001) 211-223.
W. Rand and R. T. Rust, "Agent-based modeling in marketing: guidelines for rigor",
International Journal of Research in Marketing 28 (2011) 181-193.

Examples
--------
>>> import networkx as nx
>>> model = ReferenceDiffusion(nx.path_graph(5), "independent_cascade",
...                            edge_probability=1.0, seeds=[0], rng=1)
>>> model.run(3).tolist()
[0.2, 0.4, 0.6, 0.8]
"""

from __future__ import annotations

from collections.abc import Iterable

import mesa
import networkx as nx
import numpy as np

__all__ = ["Customer", "ReferenceDiffusion"]

NOT_YET = -1


class Customer(mesa.Agent):
    """One customer: whether and when they adopted, and who their neighbours are."""

    def __init__(self, model: ReferenceDiffusion):
        super().__init__(model)
        self.neighbours: list[Customer] = []
        self.adopted_on = NOT_YET
        self.adopting_today = False

    @property
    def adopted(self) -> bool:
        """Whether the customer had adopted by the start of today (the state others see)."""
        return self.adopted_on != NOT_YET

    def decide(self) -> None:
        """First pass of a day: act on the start-of-day state, record today's adoptions."""
        model = self.model
        if model.rule == "bass":
            if self.adopted:
                return
            told = sum(1 for neighbour in self.neighbours if neighbour.adopted)
            share = told / len(self.neighbours) if self.neighbours else 0.0
            if self.random.random() < min(model.p + model.q * share, 1.0):
                self.adopting_today = True
        elif self.adopted_on == model.steps - 1:
            for neighbour in self.neighbours:
                if not neighbour.adopted and self.random.random() < model.edge_probability:
                    neighbour.adopting_today = True

    def commit(self) -> None:
        """Second pass of a day: today's adoption takes effect."""
        if self.adopting_today and not self.adopted:
            self.adopted_on = self.model.steps
        self.adopting_today = False


def adopted_share(model: ReferenceDiffusion) -> float:
    """Share of the customers who have adopted."""
    return sum(customer.adopted for customer in model.customers) / len(model.customers)


class ReferenceDiffusion(mesa.Model):
    """Network Bass or independent cascade diffusion with one Mesa agent per customer.

    Parameters
    ----------
    graph : networkx.Graph
        The social network; its nodes must be ``0 .. n-1``.
    rule : {"bass", "independent_cascade"}
    p, q : float
        Innovation and imitation coefficients per day (``bass``).
    edge_probability : float
        Chance that an adopter convinces a neighbour (``independent_cascade``).
    seeds : iterable of int
        Customers who have adopted on day 0.
    rng : int, optional
        Seed of the model's random streams (Mesa's ``rng``).

    Attributes
    ----------
    customers : list of Customer
        The agents, by node.
    datacollector : mesa.DataCollector
        ``adopted_share`` once a day; row 0 is day 0.
    """

    def __init__(
        self,
        graph: nx.Graph,
        rule: str,
        *,
        p: float = 0.0,
        q: float = 0.0,
        edge_probability: float = 0.0,
        seeds: Iterable[int] = (),
        rng: int | None = None,
    ):
        super().__init__(rng=rng)
        if rule not in ("bass", "independent_cascade"):
            raise ValueError(f"unknown rule {rule!r} (expected bass or independent_cascade)")
        if sorted(graph.nodes) != list(range(graph.number_of_nodes())):
            raise ValueError("the graph's nodes must be 0 .. n-1")
        self.rule, self.p, self.q, self.edge_probability = rule, p, q, edge_probability
        self.customers = [Customer(self) for _ in range(graph.number_of_nodes())]
        for node, customer in enumerate(self.customers):
            customer.neighbours = [self.customers[other] for other in sorted(graph[node])]
        for seed in seeds:
            self.customers[seed].adopted_on = 0
        self.datacollector = mesa.DataCollector(model_reporters={"adopted_share": adopted_share})
        self.datacollector.collect(self)

    def step(self) -> None:
        """One day: every agent decides (in random order), then every decision takes effect."""
        self.agents.shuffle_do("decide")
        self.agents.do("commit")
        self.datacollector.collect(self)

    def run(self, days: int) -> np.ndarray:
        """Step ``days`` days; return the adopted share on each day, day 0 first."""
        for _ in range(days):
            self.step()
        return self.datacollector.get_model_vars_dataframe()["adopted_share"].to_numpy()
