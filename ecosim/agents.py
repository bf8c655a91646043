"""The actors of the ecosystem as Mesa agents.

Brands, media channels and influencers are few: ordinary Mesa agents whose ``step``
runs phases 1 and 2 of the day. Customers are many: their state lives in
:class:`~ecosim.population.Population` arrays and :class:`Customer` is a thin view onto
one row, created on demand, so that Mesa idioms work without paying for a Python
object per customer in the simulation's hot path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ecosim import scenario as schema
from ecosim.population import STAGES, TRAITS
from ecosim.processes import exposure

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

__all__ = ["Brand", "Customer", "Influencer", "Media"]


def _trait(name: str) -> property:
    def get(self: Customer) -> float:
        return float(getattr(self.model.population, name)[self.row])

    def put(self: Customer, value: float) -> None:
        getattr(self.model.population, name)[self.row] = value

    return property(get, put, doc=f"The customer's {name.replace('_', ' ')}.")


def _per_brand(name: str, doc: str) -> property:
    def get(self: Customer) -> np.ndarray:
        return getattr(self.model.population, name)[self.row]

    def put(self: Customer, value: object) -> None:
        getattr(self.model.population, name)[self.row] = value

    return property(get, put, doc=f"{doc}, one value per brand (a writable view).")


class Customer(mesa.Agent):
    """One customer: a view onto row ``row`` of the model's population arrays.

    Reading an attribute reads the row; assigning writes it. Per-brand attributes are
    numpy views of length ``n_brands``, so ``customer.experience[0] = 0.5`` writes too.

    Parameters
    ----------
    model : EcosystemModel
        The model whose population this customer belongs to.
    row : int
        The customer's index (its node in the social network).
    """

    def __init__(self, model: EcosystemModel, row: int):
        super().__init__(model)
        self.row = int(row)

    ad_receptiveness = _trait("ad_receptiveness")
    talkativeness = _trait("talkativeness")
    price_sensitivity = _trait("price_sensitivity")
    need_cycle = _trait("need_cycle")
    aware = _per_brand("aware", "Whether the customer knows the brand")
    experience = _per_brand("experience", "Experience valence in [-1, 1]")
    stage = _per_brand("stage", "Engagement stage (index into ecosim.population.STAGES)")
    purchases = _per_brand("purchases", "Number of purchases")
    spend = _per_brand("spend", "Money spent")
    last_purchase = _per_brand("last_purchase", "Day of the last purchase (-1: never)")

    @property
    def segment(self) -> str:
        """Name of the customer's segment."""
        index = self.model.population.segment[self.row]
        return self.model.scenario.population.segments[index].name

    @property
    def neighbors(self) -> np.ndarray:
        """Rows of the customer's contacts in the social network."""
        return self.model.network.neighbors(self.row)

    def state(self) -> dict[str, object]:
        """Return the customer's traits and, per brand name, its relationship with the brand."""
        brands = self.model.scenario.brand_names
        state: dict[str, object] = {"id": self.row, "segment": self.segment}
        state.update({trait: getattr(self, trait) for trait in TRAITS})
        for b, brand in enumerate(brands):
            state[brand] = {
                "aware": bool(self.aware[b]),
                "experience": float(self.experience[b]),
                "stage": STAGES[self.stage[b]],
                "purchases": int(self.purchases[b]),
                "spend": float(self.spend[b]),
                "last_purchase": int(self.last_purchase[b]),
            }
        return state


class Brand(mesa.Agent):
    """A brand runs its campaign calendar within its budget (phase 1 of the day).

    Parameters
    ----------
    model : EcosystemModel
    spec : ecosim.scenario.Brand
        Price, margin, quality and budget.
    index : int
        The brand's column in the population arrays.

    Attributes
    ----------
    active : list of ecosim.scenario.Campaign
        Today's funded actions.
    budget_left : float
        Budget not yet spent.
    spent_today : float
        Marketing money spent today.
    """

    def __init__(self, model: EcosystemModel, spec: schema.Brand, index: int):
        super().__init__(model)
        self.spec = spec
        self.index = index
        self.calendar = [a for a in model.scenario.campaign if a.brand == spec.name]
        self.budget_left = spec.budget
        self.spent_today = 0.0
        self.active: list[schema.Campaign] = []
        self._unfunded: set[int] = set()

    @property
    def name(self) -> str:
        """The brand's name."""
        return self.spec.name

    def step(self) -> None:
        """Start today's actions.

        An action whose fixed cost the budget cannot pay on its first day is dropped for
        its whole run.
        """
        day = self.model.steps
        self.spent_today = 0.0
        self.active = []
        for key, action in enumerate(self.calendar):
            if not action.start <= day <= action.end:
                continue
            if day == action.start and not self.pay(action.cost):
                self._unfunded.add(key)
            if key not in self._unfunded:
                self.active.append(action)

    def pay(self, amount: float) -> bool:
        """Spend ``amount`` if the budget allows it; return whether it was spent."""
        if amount > self.budget_left:
            return False
        self.budget_left -= amount
        self.spent_today += amount
        return True

    def affordable(self, unit_cost: float) -> int:
        """How many units of ``unit_cost`` the remaining budget pays for."""
        if unit_cost <= 0 or np.isinf(self.budget_left):
            return np.iinfo(np.int64).max
        return int(self.budget_left // unit_cost)


class Media(mesa.Agent):
    """A media channel delivers the brands' advertising and social posts (phase 2).

    Advertising reaches each customer of the targeted segment with probability
    ``reach * intensity * preference``, where ``preference`` is the segment's use of the
    channel; a social post reaches the same way, but only the brand's followers
    (customers at engagement stage consumption or above).

    Parameters
    ----------
    model : EcosystemModel
    spec : ecosim.scenario.Channel
    """

    def __init__(self, model: EcosystemModel, spec: schema.Channel):
        super().__init__(model)
        self.spec = spec
        self.preference = np.array(
            [s.channel_preferences.get(spec.name, 0.5) for s in model.scenario.population.segments]
        )

    def step(self) -> None:
        """Deliver every active action that uses this channel."""
        model = self.model
        for brand in model.brands:
            for action in brand.active:
                if action.channel == self.spec.name:
                    self._deliver(brand, action)

    def _deliver(self, brand: Brand, action: schema.Campaign) -> None:
        model = self.model
        segments = model.segment_indices(action.segment)
        groups = [model.segment_members[s] for s in segments]
        if action.type == "social_post":
            groups = [g[model.population.stage[g, brand.index] >= 1] for g in groups]
        chance = self.spec.reach * action.intensity * self.preference[segments]
        reached = exposure.select(groups, chance, model.rng)
        reached = exposure.limit(reached, brand.affordable(self.spec.cost_per_exposure), model.rng)
        brand.pay(len(reached) * self.spec.cost_per_exposure)
        exposure.deliver(model.population, brand.index, reached, 1.0)
        model.flows["exposures"][brand.index] += len(reached)


class Influencer(mesa.Agent):
    """An influencer posts for the brands that activate them (phase 2).

    On each day of an activation the brand pays the fee and each follower sees the post
    with probability ``reach * intensity``; an exposure weighs
    ``influencer_weight * credibility`` advertisements (source credibility, Hovland &
    Weiss 1951).

    Parameters
    ----------
    model : EcosystemModel
    spec : ecosim.scenario.Influencer
    audience : ndarray of int
        The followers' customer rows.
    """

    def __init__(self, model: EcosystemModel, spec: schema.Influencer, audience: np.ndarray):
        super().__init__(model)
        self.spec = spec
        self.audience = audience

    def step(self) -> None:
        """Post for every brand that activates this influencer today and pays the fee."""
        model = self.model
        weight = model.scenario.dynamics.influencer_weight * self.spec.credibility
        for brand in model.brands:
            for action in brand.active:
                if action.influencer != self.spec.name or not brand.pay(self.spec.fee):
                    continue
                chance = np.array([self.spec.reach * action.intensity])
                reached = exposure.select([self.audience], chance, model.rng)
                exposure.deliver(model.population, brand.index, reached, weight)
                model.flows["exposures"][brand.index] += len(reached)
