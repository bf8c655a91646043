"""The customer engagement ecosystem as a Mesa model: the order of the day.

One step is one day. Its phases follow Maslowska, Malthouse & Collinger (2016):

1. brands decide today's actions (and react to what they observed);
2. media, influencers and the brands' own channels deliver exposures;
3. customers update awareness, experience and brand consumption;
4. dialogue spreads on the network, and media amplify what trends;
5. shopping, loyalty points, tiers and membership, service incidents and their handling,
   reviews;
6. engagement stage transitions (Evans & McKee 2010), churn and win-back;
7. data collection.

Each phase's formulas live in :mod:`ecosim.processes`; the actors and their state in
:class:`~ecosim.market.Market`. A scenario with a classic diffusion rule
(``diffusion.rule``) is simulated by :class:`~ecosim.diffusion_model.DiffusionModel`
instead, and ``EcosystemModel(scenario)`` builds that one for it.

Examples
--------
>>> from ecosim import EcosystemModel
>>> model = EcosystemModel("scenarios/baseline.toml", rng=1, customers=500)
>>> model.step()
>>> model.steps
1
>>> type(EcosystemModel("scenarios/baseline.toml", customers=500,
...                     overrides={"diffusion.rule": "bass"})).__name__
'DiffusionModel'
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ecosim.agents import Brand
from ecosim.diffusion_model import DiffusionModel
from ecosim.market import (
    MAX_COMBINATIONS,
    Market,
    build_network,
    carry_to_horizon,
    first_invalid,
    resolve_scenario,
    run,
)
from ecosim.population import push_event
from ecosim.processes import costs, loyalty, reviews, service
from ecosim.processes.brand_actions import discount_table
from ecosim.processes.dialogue import speak, word_of_mouth
from ecosim.processes.engagement import cocreate, move_stages
from ecosim.processes.experience import consume_content, forget, omnichannel
from ecosim.processes.retention import churn, win_back
from ecosim.processes.shopping import (
    abandon,
    accrue_value,
    basket,
    choice_probabilities,
    choose,
    due_today,
    offer_utilities,
    record_purchases,
    use_product,
)
from ecosim.scenario import DoublePoints, ProductLaunch, Promotion, Scenario, ServiceDisruption

__all__ = [
    "MAX_COMBINATIONS",
    "EcosystemModel",
    "build_network",
    "carry_to_horizon",
    "first_invalid",
    "resolve_scenario",
    "run",
]


class EcosystemModel(Market):
    """Customers, brands, media and influencers interacting on a social network.

    Every mechanism of the ecosystem, in the order of the day (see the module). Its
    parameters, attributes and running are :class:`~ecosim.market.Market`'s. For a
    scenario whose ``diffusion.rule`` is a classic diffusion rule,
    ``EcosystemModel(scenario, ...)`` returns a
    :class:`~ecosim.diffusion_model.DiffusionModel`: the one way to build the right
    model of any scenario (subclasses build themselves).

    Parameters
    ----------
    scenario : Scenario, str or Path
        A validated scenario or the path of a scenario TOML file.
    rng : int or numpy.random.Generator, optional
        Seed of the run's random numbers: Mesa's ``rng`` and, keyed by its first number,
        the customers' daily draws (``draws``); the scenario's ``seed`` when omitted.
    customers, days : int, optional
        Override the population size and the horizon.
    overrides : dict, optional
        Scenario fields by dotted path (see :func:`ecosim.load_scenario`).
    outcomes : list of str or "all", optional
        Measure and report only these outcomes, or ``"all"``; every outcome when omitted
        (see :class:`~ecosim.market.Market`).
    """

    def __new__(
        cls,
        scenario: Scenario | str | Path | None = None,
        rng: int | np.random.Generator | None = None,
        *,
        customers: int | None = None,
        days: int | None = None,
        overrides: dict[str, Any] | None = None,
        outcomes: list[str] | str | None = None,
        **kwargs: Any,
    ) -> Market:
        """Build the engine the scenario asks for (see the class)."""
        if cls is not EcosystemModel or scenario is None:
            return super().__new__(cls)
        if kwargs:
            raise TypeError(f"EcosystemModel() got unexpected keyword arguments {sorted(kwargs)}")
        resolved = resolve_scenario(scenario, customers=customers, days=days, overrides=overrides)
        model = super().__new__(DiffusionModel if resolved.diffusion.reduced else cls)
        model._resolved = resolved  # validated once: __init__ takes it
        if isinstance(model, DiffusionModel):  # not an EcosystemModel: Python skips __init__
            model.__init__(resolved, rng, outcomes=outcomes)
        return model

    def _start(self) -> None:
        specs = self.scenario
        self._programmes = [brand.loyalty for brand in specs.brands]
        self._reference_price = specs.population.reference_price or float(
            np.mean([b.price for b in specs.brands])
        )

    def _simulate(self, day: int) -> None:
        """Phases 2 to 6 of the day (the brands decided in phase 1)."""
        self._deliver()
        self._experience(day)
        self._dialogue(day)
        self._shop(day)
        self._engage(day)

    def _deliver(self) -> None:
        """Phase 2: media, influencers and the brands' own channels reach customers."""
        self.media.do("step")
        self.influencers.do("step")
        self.brands.do("reach_directly")

    def _experience(self, day: int) -> None:
        """Phase 3: attention, awareness, experience and consumption."""
        params, population = self.scenario.dynamics, self.population
        consistency = np.array([b.omnichannel_consistency for b in self.scenario.brands])
        self.flows["omnichannel"] = omnichannel(population, consistency, params)
        self.flows.update(consume_content(population, day, params, self.draws))
        self.flows["forgot"] = forget(population, day, params, self.draws)

    def _dialogue(self, day: int) -> None:
        """Phase 4: word of mouth (with ambassadors) and trends."""
        params, population, draws = self.scenario.dynamics, self.population, self.draws
        positive, negative = speak(population, params, draws)
        for brand in self.brands:
            positive[brand.ambassadors_today(), brand.index] = True
        rows, brands = np.nonzero(positive)
        push_event(population.referral_days, rows, brands, day)
        self.flows.update(
            word_of_mouth(population, self.network, positive, negative, params, draws, day)
        )
        self.media.do("amplify")

    def _shop(self, day: int) -> None:
        """Phase 5: choice, checkout, purchase, loyalty, use, service, complaints, reviews."""
        params, population, draws = self.scenario.dynamics, self.population, self.draws
        price = self.prices
        needy = due_today(population, day, draws, loyalty.pace(population, self._programmes, day))
        promo = self._discounts()[:, population.segment[needy]].T
        loyal_cut, loyal_lift = loyalty.benefits(population, needy, self._programmes, day)
        multiplier = self._points_multiplier()
        paying, values = offer_utilities(
            population,
            needy,
            day,
            price,
            promo,
            loyal_cut,
            loyal_lift,
            self._novelty(),
            self.ratings,
            loyalty.points_value(self._programmes, multiplier),
            self._reference_price,
            params,
        )
        available = population.aware[needy] & ~population.churned[needy]
        choice = choose(choice_probabilities(values, available, params), needy, draws)
        n_brands = len(price)
        buying = choice < n_brands
        friction = np.array([b.checkout_friction for b in self.scenario.brands])
        gave_up = np.zeros(len(needy), dtype=bool)
        gave_up[buying] = abandon(needy[buying], choice[buying], friction, draws)
        buying &= ~gave_up
        buyers, bought = needy[buying], choice[buying]
        units = basket(population, buyers, bought, params)
        paid = paying[buying, choice[buying]] * units
        for b, programme in enumerate(self._programmes):
            if programme.points is not None:
                mine = bought == b
                paid[mine], earned, redeemed, value = loyalty.earn_and_redeem(
                    population, buyers[mine], paid[mine], b, programme.points, multiplier[b]
                )
                self._add(b, points_earned=earned, points_redeemed=redeemed, rewards_value=value)
        first = population.purchases[buyers, bought] == 0
        after_wom = first & (day - population.heard_wom[buyers, bought] < params.wom_memory_days)
        switched = record_purchases(population, buyers, bought, paid, day, units)
        use_product(population, buyers, bought, self.qualities, params, draws)
        self.flows["purchases"] = np.bincount(bought, minlength=n_brands).astype(float)
        self.flows["revenue"] = np.bincount(bought, weights=paid, minlength=n_brands)
        self.flows["units"] = np.bincount(bought, weights=units, minlength=n_brands)
        self.flows["first_purchases"] = np.bincount(bought[first], minlength=n_brands)
        self.flows["first_purchases_after_wom"] = np.bincount(bought[after_wom], minlength=n_brands)
        self.flows["switches"] = np.bincount(bought[switched], minlength=n_brands).astype(float)
        abandoned = np.bincount(choice[gave_up], minlength=n_brands)
        self.flows["abandoned_checkouts"] = abandoned.astype(float)
        self.flows["needs"] = np.full(n_brands, len(needy))
        margin = paid - units * self._unit_cost[bought]
        accrue_value(population, buyers, bought, margin, day, params)
        for brand in self.brands:
            self._serve(brand, buyers[bought == brand.index], day)
        self._voice_complaints(day)
        which, stars = reviews.write_reviews(population, buyers, bought, day, params, draws)
        for brand in self.brands:
            mine = which == brand.index
            brand.rating_total += float(stars[mine].sum())
            brand.rating_count += int(mine.sum())
            brand.attribute(buyers[bought == brand.index])
            self._add(brand.index, reviews=mine.sum())
        self.flows["gross_margin"] = (
            self.flows["revenue"]
            - self.flows["units"] * self._unit_cost
            + self.flows["fee_revenue"]
        )

    def _serve(self, brand: Brand, buyers: np.ndarray, day: int) -> None:
        """Loyalty memberships and tiers, service incidents and complaint handling."""
        population, draws, b = self.population, self.draws, brand.index
        programme = brand.spec.loyalty
        if programme.membership is not None:
            joined = loyalty.join_membership(
                population, buyers, b, programme.membership, brand.spec.price, day, draws
            )
            renewed, left = loyalty.renew_memberships(
                population, b, programme.membership, brand.spec.price, day, draws
            )
            fees = (joined + renewed) * programme.membership.fee
            self._add(
                b,
                members_joined=joined,
                members_renewed=renewed,
                members_left=left,
                fee_revenue=fees,
            )
        prevented, priority_cost = None, 0.0
        if programme.tiers is not None:
            promoted, demoted = loyalty.review_tiers(population, b, programme.tiers, day)
            self._add(b, promoted=promoted, demoted=demoted)
            prevented, priority_cost = loyalty.priority(population, buyers, b, programme.tiers)
        disruptions = [a.multiplier for a in brand.active if isinstance(a, ServiceDisruption)]
        complaints, counts = service.fail(
            population,
            buyers,
            b,
            brand.spec.service,
            brand.response_days,
            day,
            draws,
            disruption=max(disruptions, default=1.0),
            prevented=prevented,
        )
        brand.complaints.add(complaints)
        answered = service.respond(population, brand.complaints, b, brand.spec.service, day)
        cost = priority_cost + service.running_cost(
            brand.spec.service, brand.response_days, answered, counts["notices"]
        )
        self._add(b, answered=answered, service_cost=cost, **counts)
        members = partial(costs.enrolled, population, b, day)
        self._add(b, programme_cost=costs.programme_cost(programme, members, brand.active))

    def _voice_complaints(self, day: int) -> None:
        """Public complaints speak as negative word of mouth the day they are filed.

        A complaint posted in public is seen by the complainer's contacts at once, and by
        the media when they next look for trends (the next day's dialogue); an unanswered
        one is posted again on later days (see ``Complaints.visible_today``).
        """
        population, draws = self.population, self.draws
        loud = np.zeros(population.aware.shape, dtype=bool)
        for brand in self.brands:
            voices = brand.complaints.visible_today(day, brand.spec.service, draws, brand.index)
            loud[voices, brand.index] = True
        if not loud.any():
            return
        silent = np.zeros_like(loud)
        params = self.scenario.dynamics
        talk = word_of_mouth(population, self.network, silent, loud, params, draws, day)
        for name, amount in talk.items():
            self.flows[name] = self.flows[name] + amount
        self.media.do("read_posts", talk["wom_negative"])

    def _engage(self, day: int) -> None:
        """Phase 6: engagement stages, churn and spontaneous returns."""
        params, population, draws = self.scenario.dynamics, self.population, self.draws
        self.flows.update(move_stages(population, params, draws))
        for brand in self.brands:
            brand.quality = cocreate(population, brand.index, brand.quality, params)
        self.flows["churned"] = churn(population, day, params, draws).astype(float)
        for brand in self.brands:
            lost = np.flatnonzero(population.churned[:, brand.index])
            self._add(
                brand.index,
                won_back=win_back(population, lost, brand.index, params.winback_rate, draws),
            )

    def _discounts(self) -> np.ndarray:
        promotions = self._active(Promotion)
        return discount_table(promotions, len(self.brands), self.scenario.segment_names)

    def _novelty(self) -> np.ndarray:
        novelty = np.zeros(len(self.brands))
        for b, launch in self._active(ProductLaunch):
            novelty[b] = max(novelty[b], launch.novelty * launch.intensity)
        return novelty

    def _points_multiplier(self) -> np.ndarray:
        multiplier = np.ones(len(self.brands))
        for b, event in self._active(DoublePoints):
            multiplier[b] = max(multiplier[b], event.multiplier)
        return multiplier
