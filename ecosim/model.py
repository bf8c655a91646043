"""The customer engagement ecosystem as a Mesa model.

One step is one day. Its phases follow Maslowska, Malthouse & Collinger (2016):

1. brands decide today's actions (and react to what they observed);
2. media, influencers and the brands' own channels deliver exposures;
3. customers update awareness, experience and brand consumption;
4. dialogue spreads on the network, and media amplify what trends;
5. shopping, loyalty points, tiers and membership, service incidents and their handling,
   reviews;
6. engagement stage transitions (Evans 2010), churn and win-back;
7. data collection.

Examples
--------
>>> from ecosim import EcosystemModel
>>> model = EcosystemModel("scenarios/baseline.toml", rng=1, customers=500)
>>> model.step()
>>> model.steps
1
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ecosim import network as graphs
from ecosim.agents import Brand, Customer, Influencer, Media
from ecosim.memory import check_memory
from ecosim.metrics import FLOWS, columns, measure, reporters, summarize
from ecosim.population import Population, draw, push_event
from ecosim.processes import costs, loyalty, reviews, service
from ecosim.processes.brand_actions import discount_table
from ecosim.processes.dialogue import speak, word_of_mouth
from ecosim.processes.diffusion import bass, independent_cascade, linear_threshold, noticed, sis
from ecosim.processes.engagement import cocreate, move_stages
from ecosim.processes.experience import consume_content, forget, omnichannel
from ecosim.processes.retention import churn, win_back
from ecosim.processes.sampling import Draws
from ecosim.processes.shopping import (
    basket,
    choice_probabilities,
    choose,
    due_today,
    record_purchases,
    salience,
    use_product,
    utility,
)
from ecosim.scenario import (
    BarabasiAlbert,
    Complete,
    DoublePoints,
    EdgeList,
    ErdosRenyi,
    ProductLaunch,
    Promotion,
    Scenario,
    ServiceDisruption,
    StochasticBlock,
    WattsStrogatz,
    apply_overrides,
    load_scenario,
    validate_scenario,
)
from ecosim.seeding import choose_seeds
from ecosim.value import value_totals

__all__ = ["EcosystemModel", "build_network", "carry_to_horizon", "resolve_scenario", "run"]

_COUNTS = (
    "consumed",
    "aware_by_content",
    "aware_by_wom",
    "wom_heard",
    "forgot",
    "omnichannel",
    "needs",
    "stage_ups",
    "stage_downs",
    "members_joined",
    "members_renewed",
    "members_left",
    "promoted",
    "demoted",
    "self_served",
    "notices",
    "seeded",
    "crisis_responses",
)


class EcosystemModel(mesa.Model):
    """Customers, brands, media and influencers interacting on a social network.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A validated scenario or the path of a scenario TOML file.
    rng : int or numpy.random.Generator, optional
        Seed of the run's single random stream (Mesa's ``rng``); the scenario's ``seed``
        when omitted.
    customers : int, optional
        Override the population size.
    days : int, optional
        Override the horizon; the model stops running after this many steps.
    overrides : dict, optional
        Scenario fields by dotted path (see :func:`ecosim.load_scenario`).

    Attributes
    ----------
    scenario : Scenario
    population : Population
        Customer state (numpy arrays).
    network : SocialNetwork
        The social graph (CSR arrays).
    brands, media, influencers : mesa.AgentSet
    flows : dict of str to ndarray
        Today's per-brand flows (exposures, purchases, word of mouth...).
    outcomes : dict of str to float
        The latest day's outcome columns.
    datacollector : mesa.DataCollector
        One row per day; row 0 is the initial state.
    draws : Draws
        The customers' common random numbers, keyed by purpose, day and customer
        (:mod:`ecosim.processes.sampling`); ``rng`` draws the population, the network
        and the reduced models' rules.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        rng: int | np.random.Generator | None = None,
        *,
        customers: int | None = None,
        days: int | None = None,
        overrides: dict[str, Any] | None = None,
    ):
        self.scenario = resolve_scenario(
            scenario, customers=customers, days=days, overrides=overrides
        )
        check_memory(self.scenario)
        super().__init__(rng=self.scenario.seed if rng is None else rng)
        specs = self.scenario
        self.draws = Draws(int(self.rng.integers(2**63)))
        self.population = Population.from_scenario(specs, self.rng)
        self.network = build_network(specs, self.population.segment, self.rng)
        n = self.population.n
        self.everyone = np.arange(n)
        self.segment_members = [
            np.flatnonzero(self.population.segment == s) for s in range(len(specs.segment_names))
        ]
        self._customer_views: list[Customer] = []
        self.brands = Brand.create_agents(
            self, len(specs.brands), specs.brands, list(range(len(specs.brands)))
        )
        self.media = Media.create_agents(
            self, len(specs.channels), specs.channels, list(range(len(specs.channels)))
        )
        self.influencers = Influencer.create_agents(
            self, len(specs.influencers), specs.influencers, self._audiences()
        )
        self._programmes = [brand.loyalty for brand in specs.brands]
        self._unit_cost = np.array([b.price * (1.0 - b.margin) for b in specs.brands])
        self._reference_price = float(np.mean([b.price for b in specs.brands]))
        self.column_names = columns(specs)
        self.flows = self._new_flows()
        self._frontier = [np.empty(0, dtype=np.int64) for _ in specs.brands]
        self._thresholds = np.empty((0, 0))
        if specs.diffusion.reduced:
            self._start_diffusion()
        self.outcomes = measure(self)
        self.datacollector = mesa.DataCollector(model_reporters=reporters(specs))
        self.datacollector.collect(self)

    # ------------------------------------------------------------ customers as agents

    @property
    def customers(self) -> mesa.AgentSet:
        """All customers as :class:`~ecosim.agents.Customer` views (created on first use)."""
        if not self._customer_views:
            n = self.population.n
            self._customer_views = list(Customer.create_agents(self, n, np.arange(n)))
        return super().agents_by_type[Customer]

    @property
    def agents(self) -> mesa.AgentSet:
        """All agents, customers included (see :attr:`customers`)."""
        _ = self.customers
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, mesa.AgentSet]:
        """Agents by class, customers included (see :attr:`customers`)."""
        _ = self.customers
        return super().agents_by_type

    def customer(self, row: int) -> Customer:
        """Return the customer at ``row`` (its node in the network)."""
        if not 0 <= row < self.population.n:
            raise IndexError(f"customer {row} does not exist (0..{self.population.n - 1})")
        _ = self.customers
        return self._customer_views[row]

    # ------------------------------------------------------------ what the actors see

    @property
    def prices(self) -> np.ndarray:
        """Today's list price of each brand."""
        return np.array([brand.price for brand in self.brands])

    @property
    def qualities(self) -> np.ndarray:
        """Today's product quality of each brand."""
        return np.array([brand.quality for brand in self.brands])

    @property
    def ratings(self) -> np.ndarray:
        """Each brand's average review rating, as every aware customer sees it."""
        total = np.array([brand.rating_total for brand in self.brands])
        count = np.array([brand.rating_count for brand in self.brands])
        return reviews.average_rating(total, count, self.scenario.dynamics)

    def outcome(self, name: str, brand: int) -> float:
        """Return the latest measured value of an outcome for one brand."""
        if len(self.brands) > 1:
            name = f"{name}__{self.scenario.brand_names[brand]}"
        return self.outcomes[name]

    def segment_indices(self, segment: str) -> list[int]:
        """Return the indices of the segments a campaign's ``segment`` field targets."""
        names = self.scenario.segment_names
        return list(range(len(names))) if segment == "all" else [names.index(segment)]

    def segment_customers(self, segment: str) -> np.ndarray:
        """Return the customers of a segment (``all``: everyone)."""
        if segment == "all":
            return self.everyone
        return self.segment_members[self.scenario.segment_names.index(segment)]

    def attention_weight(self, action: Any) -> float:
        """Weight of an exposure to ``action``: culturally timed actions draw more attention."""
        return 1.0 + self.scenario.dynamics.cultural_boost * action.cultural_relevance

    # ------------------------------------------------------------ running

    def run(self, progress: bool = False) -> pd.DataFrame:
        """Step to the end of the horizon and return the daily outcomes.

        A reduced model with ``diffusion.stop_after_quiet_days`` stops early once that many
        days in a row changed no one (``running`` becomes False, ``steps`` is the stop day);
        the days after are not simulated, and the returned series carries the stop day's
        state to the horizon with every daily flow 0 (see :func:`carry_to_horizon`).

        Parameters
        ----------
        progress : bool
            Show a progress bar (only on a terminal).

        Returns
        -------
        pandas.DataFrame
            See :meth:`timeseries`; one row per day of the horizon.
        """
        remaining = self.scenario.days - self.steps
        for _ in tqdm(
            range(remaining), disable=None if progress else True, unit="day", leave=False
        ):
            self.step()
            if not self.running:
                break
        return carry_to_horizon(self.timeseries(), self.scenario.days)

    def summary(self) -> dict[str, Any]:
        """Return the run's summary: :func:`ecosim.metrics.summarize` and customer value.

        The totals of :func:`ecosim.value.value_totals` are added to the outcomes (to each
        brand's, with several brands).
        """
        summary = summarize(self.timeseries(), self.scenario)
        values = value_totals(self)
        if len(values) == 1:
            summary.update(next(iter(values.values())))
        else:
            for name, totals in values.items():
                summary["brands"][name].update(totals)
        return summary

    def timeseries(self) -> pd.DataFrame:
        """Return the outcomes collected so far, one row per day (``step`` 0: initial state)."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        return frame.astype({"step": "int64"})

    # ------------------------------------------------------------ one day

    def step(self) -> None:
        """Simulate one day: the seven phases in order (or a reduced model's rule)."""
        day = self.steps
        self.draws.start_day(day)
        self.population.new_day()
        self.flows = self._new_flows()
        self.brands.do("step")
        if self.scenario.diffusion.reduced:
            self.media.do("step")
            self.influencers.do("step")
            self._diffuse(day)
        else:
            self._deliver()
            self._experience(day)
            self._dialogue(day)
            self._shop(day)
            self._engage(day)
        self.flows["marketing_cost"] = np.array(self.brands.get("spent_today"))
        self.flows["profit"] = (
            self.flows["gross_margin"]
            - self.flows["marketing_cost"]
            - self.flows["service_cost"]
            - self.flows["programme_cost"]
        )
        self.outcomes = measure(self)
        self.datacollector.collect(self)
        self.running = day < self.scenario.days and not self._settled()

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
        """Phase 5: choice, purchase, loyalty, use, service and public complaints, reviews."""
        params, population, draws = self.scenario.dynamics, self.population, self.draws
        price = self.prices
        needy = due_today(population, day, draws, loyalty.pace(population, self._programmes, day))
        promo = self._discounts()[:, population.segment[needy]].T
        loyal_cut, loyal_lift = loyalty.benefits(population, needy, self._programmes, day)
        paying = price * (1.0 - promo) * (1.0 - loyal_cut)
        offer = np.where(population.offer_until[needy] >= day, population.offer_lift[needy], 0.0)
        habit = params.inertia * (population.last_brand[needy][:, None] == np.arange(len(price)))
        extra = (
            loyal_lift
            + offer
            + habit
            + self._novelty()
            + params.rating_weight * (self.ratings - 3.0)
            + salience(population.last_noticed[needy], day, params)
        )
        multiplier = self._points_multiplier()
        values = utility(
            population.experience[needy],
            paying * (1.0 - loyalty.points_value(self._programmes, multiplier)),
            self._reference_price,
            population.price_sensitivity[needy],
            promo > 0,
            extra,
            params,
        )
        available = population.aware[needy] & ~population.churned[needy]
        choice = choose(choice_probabilities(values, available, params), needy, draws)
        buying = choice < len(price)
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
        n_brands = len(price)
        self.flows["purchases"] = np.bincount(bought, minlength=n_brands).astype(float)
        self.flows["revenue"] = np.bincount(bought, weights=paid, minlength=n_brands)
        self.flows["units"] = np.bincount(bought, weights=units, minlength=n_brands)
        self.flows["first_purchases"] = np.bincount(bought[first], minlength=n_brands)
        self.flows["first_purchases_after_wom"] = np.bincount(bought[after_wom], minlength=n_brands)
        self.flows["switches"] = np.bincount(bought[switched], minlength=n_brands).astype(float)
        self.flows["needs"] = np.full(n_brands, len(needy))
        margin = paid - units * self._unit_cost[bought]
        discount = (1.0 + params.clv_discount_rate) ** (-day / params.clv_period_days)
        np.add.at(population.value, (buyers, bought), margin * discount)
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
                population, buyers, b, programme.membership, day, draws
            )
            renewed, left = loyalty.renew_memberships(
                population, b, programme.membership, day, draws
            )
            fees = (joined + renewed) * programme.membership.fee
            self._add(
                b,
                members_joined=joined,
                members_renewed=renewed,
                members_left=left,
                fee_revenue=fees,
            )
        if programme.tiers is not None:
            promoted, demoted = loyalty.review_tiers(population, b, programme.tiers, day)
            self._add(b, promoted=promoted, demoted=demoted)
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
        )
        brand.complaints.add(complaints)
        answered = service.respond(population, brand.complaints, b, brand.spec.service, day)
        cost = service.running_cost(
            brand.spec.service, brand.response_days, answered, counts["notices"]
        )
        self._add(b, answered=answered, service_cost=cost, **counts)
        members = partial(costs.enrolled, population, b, day)
        self._add(b, programme_cost=costs.programme_cost(programme, members, brand.active))

    def _voice_complaints(self, day: int) -> None:
        """Public complaints speak as negative word of mouth the day they are filed.

        A complaint posted in public is seen by the complainer's contacts at once; an
        unanswered one is posted again on later days (see ``Complaints.visible_today``).
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

    def _start_diffusion(self) -> None:
        """Seed a reduced model: initial adopters (aware customers for ``sis``), thresholds."""
        rule, population = self.scenario.diffusion, self.population
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

    def _diffuse(self, day: int) -> None:
        """Run a reduced model's day: advertising noticed, then the diffusion rule, per brand."""
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
        """Whether a reduced model has changed no one for ``stop_after_quiet_days`` days."""
        limit = self.scenario.diffusion.stop_after_quiet_days
        return limit is not None and self._quiet_days >= limit

    def _adopt(self, customers: np.ndarray, brand: int, day: int) -> None:
        """Adoption in a reduced model: a first purchase at the list price."""
        price = np.full(len(customers), self.prices[brand])
        record_purchases(self.population, customers, np.full(len(customers), brand), price, day)
        self._add(brand, purchases=len(customers), units=len(customers), revenue=price.sum())
        self.flows["gross_margin"][brand] += len(customers) * (
            price[:1].sum() - self._unit_cost[brand]
        )

    def _add(self, brand: int, **amounts: float) -> None:
        for name, amount in amounts.items():
            self.flows[name][brand] += amount

    def _active(self, kind: type) -> list[tuple[int, Any]]:
        return [
            (brand.index, a) for brand in self.brands for a in brand.active if isinstance(a, kind)
        ]

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

    def _audiences(self) -> list[np.ndarray]:
        """Draw each influencer's followers; a share ``overlap`` comes from earlier audiences."""
        n, rng = self.population.n, self.rng
        audiences, followed = [], np.zeros(n, dtype=bool)
        for spec in self.scenario.influencers:
            size = max(1, round(spec.audience_share * n))
            shared_pool, fresh_pool = np.flatnonzero(followed), np.flatnonzero(~followed)
            shared = min(round(spec.overlap * size), len(shared_pool))
            fresh = min(size - shared, len(fresh_pool))
            shared = size - fresh
            audience = np.concatenate(
                [
                    rng.choice(shared_pool, shared, replace=False),
                    rng.choice(fresh_pool, fresh, replace=False),
                ]
            )
            audiences.append(np.sort(audience))
            followed[audience] = True
        return audiences

    def _new_flows(self) -> dict[str, np.ndarray]:
        return {name: np.zeros(len(self.scenario.brands)) for name in (*FLOWS, *_COUNTS)}


def resolve_scenario(
    scenario: Scenario | str | Path,
    *,
    customers: int | None = None,
    days: int | None = None,
    overrides: dict[str, Any] | None = None,
) -> Scenario:
    """Load (or re-validate) a scenario with overrides and the common shortcuts applied.

    Parameters
    ----------
    scenario : Scenario, str or Path
    customers, days : int, optional
        Shortcuts for ``population.size`` and ``days``.
    overrides : dict, optional
        Values by dotted field path.

    Returns
    -------
    Scenario
    """
    overrides = dict(overrides or {})
    if customers is not None:
        overrides["population.size"] = customers
    if days is not None:
        overrides["days"] = days
    if isinstance(scenario, Scenario):
        if not overrides:
            return scenario
        data = apply_overrides(scenario.model_dump(), overrides)
        return validate_scenario(data, source=f"scenario {scenario.name!r}")
    return load_scenario(scenario, overrides)


def build_network(
    scenario: Scenario, segment: np.ndarray, rng: np.random.Generator
) -> graphs.SocialNetwork:
    """Build the scenario's social network on ``population.size`` customers.

    For a stochastic block network each segment is one community; the edge probabilities
    give the requested mean degrees within and between communities exactly when the
    segments are of equal size. An edge list is read whatever its size (the scenario's own
    file, unlike an upload) and must name every customer.

    Parameters
    ----------
    scenario : Scenario
    segment : ndarray of int
        Each customer's segment index.
    rng : numpy.random.Generator

    Returns
    -------
    SocialNetwork
    """
    n, spec = scenario.population.size, scenario.network
    if isinstance(spec, BarabasiAlbert):
        return graphs.barabasi_albert(n, spec.m, rng)
    if isinstance(spec, WattsStrogatz):
        return graphs.watts_strogatz(n, spec.k, spec.p, rng)
    if isinstance(spec, ErdosRenyi):
        return graphs.erdos_renyi(n, spec.mean_degree, rng)
    if isinstance(spec, Complete):
        return graphs.complete(n)
    if isinstance(spec, EdgeList):
        return graphs.read_edge_list(spec.path, n, max_bytes=None)
    if isinstance(spec, StochasticBlock):
        sizes = np.bincount(segment, minlength=len(scenario.population.segments))
        size = n / len(sizes)
        p_in = min(spec.mean_degree_within / max(size - 1, 1), 1.0)
        p_out = min(spec.mean_degree_between / max(n - size, 1), 1.0)
        blocks = graphs.stochastic_block(sizes, p_in, p_out, rng)
        customer = np.argsort(segment, kind="stable")
        source, target = blocks.edges_from(np.arange(n))
        return graphs.SocialNetwork.from_edges(customer[source], customer[target], n)
    raise TypeError(f"unknown network kind {spec!r}")


def carry_to_horizon(daily: pd.DataFrame, days: int) -> pd.DataFrame:
    """Extend the daily series of a run that stopped early to the days ``0 .. days``.

    The added days repeat the last simulated day's states (shares, counts, stocks) and
    have every daily flow -- and the day's ``net_sentiment`` -- equal to 0: a cascade that
    stopped because nothing changed stays where it is. Time-dependent states (presence,
    active customers, engagement) are carried too, not decayed. A series that reaches
    the horizon is returned as it is.

    Parameters
    ----------
    daily : pandas.DataFrame
        The simulated days, ``step`` 0 first.
    days : int
        The horizon.

    Returns
    -------
    pandas.DataFrame
        One row per day ``0 .. days``.
    """
    last = int(daily["step"].iloc[-1])
    if last >= days:
        return daily
    rest = daily.iloc[[-1] * (days - last)].reset_index(drop=True)
    rest["step"] = np.arange(last + 1, days + 1, dtype=np.int64)
    per_day = {*FLOWS, "net_sentiment"}
    rest[[c for c in daily.columns if c.split("__")[0] in per_day]] = 0.0
    return pd.concat([daily, rest], ignore_index=True)


def run(
    scenario: Scenario | str | Path,
    *,
    days: int | None = None,
    seed: int | np.random.Generator | None = None,
    customers: int | None = None,
    overrides: dict[str, Any] | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run a scenario and return its daily outcomes.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A validated scenario or the path of a scenario TOML file.
    days : int, optional
        Horizon; the scenario's ``days`` when omitted.
    seed : int or numpy.random.Generator, optional
        Random seed; the scenario's ``seed`` when omitted.
    customers : int, optional
        Population size; the scenario's when omitted.
    overrides : dict, optional
        Scenario fields by dotted path.
    progress : bool
        Show a progress bar (on a terminal).

    Returns
    -------
    pandas.DataFrame
        One row per day (``step`` 0 is the initial state), the columns of
        :func:`ecosim.metrics.columns`.

    Examples
    --------
    >>> import ecosim
    >>> df = ecosim.run("scenarios/baseline.toml", days=10, customers=1000, seed=3)
    >>> len(df), int(df["step"].iloc[-1])
    (11, 10)
    """
    model = EcosystemModel(scenario, rng=seed, customers=customers, days=days, overrides=overrides)
    return model.run(progress=progress)
