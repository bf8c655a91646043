"""A plain per-agent Mesa implementation of ecosim's word-of-mouth rule, for benchmarks.

One Mesa agent per customer holds its own state; each day every agent decides whether it
speaks (``shuffle_do("speak")``), then every agent listens to its neighbours
(``shuffle_do("listen")``). The rule is the one of ``ecosim.processes.dialogue``:

- an aware customer with experience ``x > 0`` speaks positively with probability
  ``talkativeness * stage_talk[stage] * x``; with ``x < 0`` negatively with probability
  ``talkativeness * venting_rate * |x|``;
- a listener hears the shares ``P`` and ``N`` of their neighbours speaking positively and
  negatively; unaware, they become aware with probability ``1 - exp(-wom_awareness_rate
  * (P + N))``; aware, their experience moves by ``wom_experience_weight * (P (1 - x) -
  negativity_bias * N (1 + x))``.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from ecosim.network import SocialNetwork
from ecosim.scenario import Dynamics


class Talker(mesa.Agent):
    """A customer who speaks and listens, one at a time."""

    def __init__(self, model: WordOfMouth, talkativeness: float, aware: bool, experience: float):
        super().__init__(model)
        self.talkativeness = talkativeness
        self.aware = aware
        self.experience = experience
        self.stage = 1 if aware else 0
        self.neighbours: list[Talker] = []
        self.says = 0

    def speak(self) -> None:
        params, x = self.model.params, self.experience
        self.says = 0
        if not self.aware or x == 0:
            return
        rate = params.stage_talk[self.stage] if x > 0 else params.venting_rate
        if self.random.random() < self.talkativeness * rate * abs(x):
            self.says = 1 if x > 0 else -1

    def listen(self) -> None:
        if not self.neighbours:
            return
        params = self.model.params
        positive = sum(1 for n in self.neighbours if n.says > 0) / len(self.neighbours)
        negative = sum(1 for n in self.neighbours if n.says < 0) / len(self.neighbours)
        if positive + negative == 0:
            return
        if not self.aware:
            chance = 1 - math.exp(-params.wom_awareness_rate * (positive + negative))
            self.aware = self.random.random() < chance
        if self.aware:
            x = self.experience
            self.experience = x + params.wom_experience_weight * (
                positive * (1 - x) - params.negativity_bias * negative * (1 + x)
            )


class WordOfMouth(mesa.Model):
    """Word of mouth on a social network, one Mesa agent per customer."""

    def __init__(self, network: SocialNetwork, aware_share: float = 0.3, seed: int = 0):
        super().__init__(rng=seed)
        self.params = Dynamics()
        n = network.n
        rng = np.random.default_rng(seed)
        talk = rng.beta(2, 8, n)
        aware = rng.random(n) < aware_share
        experience = np.where(aware, rng.uniform(-0.5, 1.0, n), 0.0)
        agents = list(Talker.create_agents(self, n, talk, aware, experience))
        for i, agent in enumerate(agents):
            agent.neighbours = [agents[j] for j in network.neighbors(i)]
        self.talkers = self.agents_by_type[Talker]

    def step(self) -> None:
        """One day: everyone decides whether to speak, then everyone listens."""
        self.talkers.shuffle_do("speak")
        self.talkers.shuffle_do("listen")
