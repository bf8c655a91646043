"""Reduced models: a classic diffusion rule in place of the ecosystem's mechanisms.

With a scenario's ``diffusion.rule`` set to ``bass``, ``independent_cascade``,
``linear_threshold`` or ``sis``, each day runs the brands' actions, the exposures media and
influencers deliver, and the rule, per brand (:mod:`ecosim.processes.diffusion`).
Adoption is the first purchase at the list price; awareness (for ``sis``) is the
``aware`` state. These are the models the engine is docked against
(``docs/validation.md``). ``EcosystemModel(scenario)`` builds a :class:`DiffusionModel`
for such a scenario.

A reduced model reports what its day moves (:data:`DIFFUSION_OUTCOMES`): awareness,
adoption, the reach of the brands' actions and every daily flow. The ecosystem's other
states (experience, the 4C stages, presence, loyalty, service) are no rule's business;
``outcomes="all"`` reports them too, as the command line, batches and the web app do.

Examples
--------
>>> from ecosim.diffusion_model import DiffusionModel
>>> model = DiffusionModel("scenarios/baseline.toml", rng=1, customers=500,
...                        overrides={"diffusion.rule": "bass", "diffusion.p": 0.01})
>>> model.step()
>>> model.steps
1
"""

from __future__ import annotations

import numpy as np

from ecosim.market import Market
from ecosim.metrics import FLOWS
from ecosim.population import draw
from ecosim.processes.diffusion import bass, independent_cascade, linear_threshold, noticed, sis
from ecosim.processes.shopping import record_purchases
from ecosim.seeding import choose_seeds

__all__ = ["DIFFUSION_OUTCOMES", "DiffusionModel"]

DIFFUSION_OUTCOMES = (
    "aware_share",
    "adopted_share",
    "reached_share",
    "affected_share",
    "net_sentiment",
    *FLOWS,
)
"""What a reduced model measures when a run names no outcomes: the states its rule moves
(awareness, adoption), the reach of the brands' actions (delivered on its days too, social
posts shared onwards included) and every daily flow."""


class DiffusionModel(Market):
    """A scenario's market stepped by a classic diffusion rule (``diffusion.rule``).

    Parameters and attributes are :class:`~ecosim.market.Market`'s, but a run that names
    no outcomes measures :data:`DIFFUSION_OUTCOMES` only. The run stops early once
    ``diffusion.stop_after_quiet_days`` days in a row changed no one.

    Raises
    ------
    ValueError
        If the scenario's rule is ``ecosystem`` (use :class:`~ecosim.model.EcosystemModel`).
    """

    default_outcomes = DIFFUSION_OUTCOMES

    def _start(self) -> None:
        """Seed the rule: initial adopters (aware customers for ``sis``), thresholds."""
        rule, population = self.scenario.diffusion, self.population
        if not rule.reduced:
            raise ValueError(
                "DiffusionModel needs a diffusion rule (diffusion.rule is 'ecosystem': "
                "use EcosystemModel)"
            )
        self._frontier = [np.empty(0, dtype=np.int64) for _ in self.scenario.brands]
        self._thresholds = np.empty((0, 0))
        n, n_brands = population.n, len(self.brands)
        seeds = np.empty(0, dtype=np.int64)
        if rule.seeds is not None and rule.seeds.customers is not None:
            seeds = np.unique(np.asarray(rule.seeds.customers, dtype=np.int64))
        elif rule.seeds is not None:
            count = rule.seeds.count or max(1, round(rule.seeds.share * n))
            options = rule.seeds.strategy_options()
            seeds = np.sort(
                choose_seeds(self.network, count, rule.seeds.strategy, self.rng, **options)
            )
        if rule.rule == "linear_threshold":
            self._thresholds = draw(rule.thresholds, n * n_brands, self.rng, 0.0, 1.0).reshape(
                n, n_brands
            )
        for b in range(n_brands):
            if rule.rule == "sis":
                population.aware[seeds, b] = True
            else:
                self._adopt(seeds, b, 0)
                self._frontier[b] = seeds
        self.flows = self._new_flows()
        self._quiet_days = 0

    def _simulate(self, day: int) -> None:
        """Media and influencers deliver exposures, then the rule runs."""
        self.media.do("step")
        self.influencers.do("step")
        self._diffuse(day)

    def _diffuse(self, day: int) -> None:
        """Advertising noticed, then the diffusion rule, per brand."""
        rule, population, network, rng = (
            self.scenario.diffusion,
            self.population,
            self.network,
            self.rng,
        )
        attention = self.scenario.dynamics.attention_rate
        changed = False
        for b in range(len(self.brands)):
            ads = noticed(population.exposure[:, b], population.ad_receptiveness, attention, rng)
            if rule.rule == "sis":
                learn, lost = sis(
                    network, population.aware[:, b], rule.infection, rule.recovery, rng
                )
                changed |= bool(len(learn) or len(lost) or not population.aware[ads, b].all())
                population.aware[lost, b] = False
                population.aware[np.concatenate([learn, ads]), b] = True
                self._add(b, aware_by_wom=len(learn), forgot=len(lost), aware_by_content=len(ads))
                continue
            adopted = population.purchases[:, b] > 0
            if rule.rule == "bass":
                new = bass(network, adopted, rule.p, rule.q, rng)
            elif rule.rule == "independent_cascade":
                new = independent_cascade(
                    network, adopted, self._frontier[b], rule.edge_probability, rng
                )
            else:
                new = linear_threshold(network, adopted, self._thresholds[:, b])
            self._frontier[b] = np.union1d(new, ads[~adopted[ads]])
            self._adopt(self._frontier[b], b, day)
            changed |= len(self._frontier[b]) > 0
        self._quiet_days = 0 if changed else self._quiet_days + 1

    def _settled(self) -> bool:
        """Whether the rule has changed no one for ``stop_after_quiet_days`` days."""
        limit = self.scenario.diffusion.stop_after_quiet_days
        return limit is not None and self._quiet_days >= limit

    def _adopt(self, customers: np.ndarray, brand: int, day: int) -> None:
        """Adoption: a first purchase at the list price."""
        bought, price = len(customers), self.prices[brand]
        paid = np.full(bought, price)
        record_purchases(self.population, customers, np.full(bought, brand), paid, day)
        self._add(
            brand,
            purchases=bought,
            first_purchases=bought,
            units=bought,
            revenue=paid.sum(),
            gross_margin=bought * (price - self._unit_cost[brand]),
        )
