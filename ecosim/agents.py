"""The actors of the ecosystem as Mesa agents.

Brands, media channels and influencers are few: ordinary Mesa agents whose ``step``
runs phases 1 and 2 of the day. Customers are many: their state lives in
:class:`~ecosim.population.Population` arrays and :class:`Customer` is a thin view onto
one row, created on demand, so that Mesa idioms work without paying for a Python
object per customer in the simulation's hot path.
"""

from __future__ import annotations

import itertools
import operator
import weakref
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa
import numpy as np

from ecosim import scenario as schema
from ecosim.errors import InputError
from ecosim.population import NEVER, STAGES, TRAIT_BOUNDS, TRAITS
from ecosim.processes import direct_actions, exposure
from ecosim.processes.dialogue import media_story
from ecosim.processes.retention import win_back, winback_response
from ecosim.processes.service import Complaints
from ecosim.processes.shopping import use_product
from ecosim.seeding import choose_seeds

if TYPE_CHECKING:
    from ecosim.market import Market

__all__ = ["Agent", "Brand", "BrandValues", "Customer", "Influencer", "Media"]


class _IdCounters(weakref.WeakKeyDictionary):
    """Each model's counter of agent ids, holding the models weakly.

    Mesa 3.3 counts a model's agent ids in ``mesa.Agent._ids``, a dictionary of the class
    keyed by the model, which keeps every model that ever created an agent alive, with its
    population arrays, for the life of the process (mesa issue 3179, fixed in later Mesa
    by numbering agents in the model): a calibration's thousands of runs, or a batch
    worker's hundreds, grew without bound until the machine ran out of memory.
    """

    def __getitem__(self, model: mesa.Model) -> itertools.count:
        try:
            return super().__getitem__(model)
        except KeyError:
            self[model] = counter = itertools.count(1)
            return counter


class Agent(mesa.Agent):
    """A Mesa agent whose id counter does not keep its model alive (see :class:`_IdCounters`).

    The ids are those Mesa gives: 1, 2, ... in order of creation within each model.
    """

    _ids = _IdCounters()


def _checked(
    customer: Customer, name: str, value: object, low: float, high: float | np.ndarray
) -> object:
    """Return ``value`` if it fits the customer's ``name`` array and ``[low, high]``.

    Finite numbers within the array's type too, and whole numbers for an integer or boolean
    array (numpy would truncate 2.5 to 2 and make 0.5 True); ``high`` may differ by brand.
    Otherwise an :class:`InputError` naming the customer and the attribute.
    """
    numbers = np.asarray(value)
    row = getattr(customer.model.population, name)[customer.row]
    whole = row.dtype.kind in "biu"
    if numbers.shape not in ((), np.shape(row)):
        expected = (
            "one number" if np.ndim(row) == 0 else f"one number or {np.size(row)}, one per brand"
        )
        raise InputError(f"customer {customer.row}: {name} takes {expected}, got {value!r}")
    if row.dtype.kind in "iu":
        limits = np.iinfo(row.dtype)
        low, high = max(low, limits.min), np.minimum(high, limits.max)
    fits = (
        numbers.dtype.kind in "biuf"
        and np.all(np.isfinite(numbers))
        and np.all((numbers >= low) & (numbers <= high))
    )
    if not fits or (whole and not np.all(numbers == np.round(numbers))):
        kind = "a whole number" if whole else "a number"
        if np.ndim(high) == 0:
            where = f"[{_shown(low)}, {_shown(high)}]"
        else:
            names = customer.model.scenario.brand_names
            where = ", ".join(
                f"[{_shown(low)}, {_shown(h)}] for {b}" for b, h in zip(names, high, strict=True)
            )
        raise InputError(
            f"customer {customer.row}: {name} must be {kind} in {where}, got {value!r}"
        )
    return value


def _shown(bound: float) -> str:
    """Write a bound: a whole number with thousands separators, else as ``:g`` does."""
    return f"{bound:,.0f}" if np.isfinite(bound) and bound == round(bound) else f"{bound:g}"


def _tier_levels(customer: Customer) -> np.ndarray:
    """Return the highest tier of each brand: its number of levels (0 without tiers)."""
    return np.array(
        [
            len(b.spec.loyalty.tiers.levels) if b.spec.loyalty.tiers else 0
            for b in customer.model.brands
        ]
    )


def _trait(name: str) -> property:
    low, high = TRAIT_BOUNDS[name]

    def get(self: Customer) -> float:
        return float(getattr(self.model.population, name)[self.row])

    def put(self: Customer, value: float) -> None:
        getattr(self.model.population, name)[self.row] = _checked(self, name, value, low, high)

    return property(get, put, doc=f"The customer's {name.replace('_', ' ')}.")


class BrandValues(np.ndarray):
    """A customer's values of one attribute, one per brand: a view whose writes are checked.

    ``customer.experience[0] = 0.5`` and ``customer.experience += 0.1`` write the customer's
    row with the checks of ``customer.experience = ...``: a value out of its range, not
    finite, or not whole where the array counts is an :class:`~ecosim.errors.InputError`
    and is not written. The view is read-only to numpy (``fill``, ``out=``), which would
    write unchecked. Arithmetic on it gives plain numpy arrays and numbers.
    """

    _put: Callable[[object], None] | None = None

    def __array_finalize__(self, obj: object) -> None:
        self._put = None  # a slice or copy of the view writes as numpy does

    def __array_wrap__(
        self, array: np.ndarray, context: object = None, return_scalar: bool = False
    ) -> object:
        plain = np.asarray(array)
        return plain[()] if return_scalar else plain

    def __setitem__(self, key: object, value: object) -> None:
        if self._put is None:
            super().__setitem__(key, value)
            return
        row = np.array(self, dtype=object)  # the values as given: numpy would cast them
        row[key] = value
        self._put(row.tolist())


def _not_in_place(operation: Callable[[object, object], object]) -> Callable[..., object]:
    """Return an augmented assignment (``+=``) that gives a new array, written back checked."""
    return lambda self, other: operation(np.asarray(self), other)


_AUGMENTED = {
    "__iadd__": operator.add,
    "__isub__": operator.sub,
    "__imul__": operator.mul,
    "__itruediv__": operator.truediv,
    "__ifloordiv__": operator.floordiv,
    "__imod__": operator.mod,
    "__ipow__": operator.pow,
    "__iand__": operator.and_,
    "__ior__": operator.or_,
    "__ixor__": operator.xor,
}
"""numpy's augmented assignments, which :class:`BrandValues` does not do in place."""

for _method, _operation in _AUGMENTED.items():
    setattr(BrandValues, _method, _not_in_place(_operation))


def _per_brand(
    name: str,
    doc: str,
    low: float = -np.inf,
    high: float | Callable[[Customer], np.ndarray] = np.inf,
) -> property:
    def get(self: Customer) -> BrandValues:
        view = getattr(self.model.population, name)[self.row].view(BrandValues)
        view.flags.writeable = False
        view._put = lambda value: put(self, value)
        return view

    def put(self: Customer, value: object) -> None:
        most = high(self) if callable(high) else high
        getattr(self.model.population, name)[self.row] = _checked(self, name, value, low, most)

    return property(get, put, doc=f"{doc}, one value per brand (a checked, writable view).")


class Customer(Agent):
    """One customer: a view onto row ``row`` of the model's population arrays.

    Reading an attribute reads the row; assigning writes it. Per-brand attributes are
    views of length ``n_brands`` (:class:`BrandValues`), so ``customer.experience[0] = 0.5``
    writes too; every write is checked.

    Parameters
    ----------
    model : Market
        The model whose population this customer belongs to.
    row : int
        The customer's index (its node in the social network).
    """

    def __init__(self, model: Market, row: int):
        super().__init__(model)
        self.row = int(row)

    ad_receptiveness = _trait("ad_receptiveness")
    talkativeness = _trait("talkativeness")
    price_sensitivity = _trait("price_sensitivity")
    need_cycle = _trait("need_cycle")
    aware = _per_brand("aware", "Whether the customer knows the brand", 0, 1)
    experience = _per_brand("experience", "Experience valence in [-1, 1]", -1.0, 1.0)
    stage = _per_brand(
        "stage", "Engagement stage (index into ecosim.population.STAGES)", 0, len(STAGES) - 1
    )
    purchases = _per_brand("purchases", "Number of purchases", 0)
    spend = _per_brand("spend", "Money spent", 0.0)
    last_purchase = _per_brand("last_purchase", "Day of the last purchase")
    churned = _per_brand("churned", "Whether the customer has defected from the brand", 0, 1)
    points = _per_brand("points", "Loyalty points balance", 0.0)
    tier = _per_brand("tier", "Loyalty tier (0: none; up to the brand's levels)", 0, _tier_levels)

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
        population, day = self.model.population, self.model.steps
        state: dict[str, object] = {"id": self.row, "segment": self.segment}
        state.update({trait: getattr(self, trait) for trait in TRAITS})
        for b, brand in enumerate(self.model.brands):
            tiers = brand.spec.loyalty.tiers
            last = int(self.last_purchase[b])
            state[brand.name] = {
                "aware": bool(self.aware[b]),
                "experience": float(self.experience[b]),
                "stage": STAGES[self.stage[b]],
                "purchases": int(self.purchases[b]),
                "spend": float(self.spend[b]),
                "last_purchase": None if last == NEVER else last,
                "churned": bool(self.churned[b]),
                "points": float(self.points[b]),
                "tier": tiers.levels[self.tier[b] - 1].name if tiers and self.tier[b] else None,
                "member": bool(population.member_until[self.row, b] >= day),
                "reached_directly": bool(population.reached[self.row, b]),
                "affected_indirectly": bool(population.affected[self.row, b]),
            }
        return state


class Brand(Agent):
    """A brand: runs its campaign calendar within its budget and reacts to what it sees.

    Phase 1 of the day (:meth:`step`): react by its rules, start today's actions, set
    today's price and quality. Phase 2 (:meth:`reach_directly`): deliver the actions
    that need no paid media (launch news, gamification, personalised offers, community
    invitations, personalised rewards, win-back).

    Parameters
    ----------
    model : Market
    spec : ecosim.scenario.Brand
    index : int
        The brand's column in the population arrays.

    Attributes
    ----------
    active : list of actions
        Today's funded actions (an apology campaign is added during a crisis response).
    budget_left, spent_today : float
        Budget not yet spent; marketing money spent today.
    price, quality : float
        Today's list price (the scenario's, or that of a price change running today) and
        product quality. The price is set anew each morning: to change it for good, set the
        scenario's (``overrides={"brands.0.price": ...}``) or plan a ``price_change``.
    complaints : ecosim.processes.service.Complaints
        Open complaints.
    rating_total, rating_count : float, int
        Sum and number of the stars of its reviews.
    channel_scale : ndarray
        Multiplier of the intensity of its advertising per channel (budget shifts).
    """

    def __init__(self, model: Market, spec: schema.Brand, index: int):
        super().__init__(model)
        self.spec = spec
        self.index = index
        self.calendar = [a for a in model.scenario.campaign if a.brand == spec.name]
        self.budget_left = spec.budget
        self.spent_today = 0.0
        self.active: list[schema.Action] = []
        self.price = spec.price
        self.quality = spec.quality
        self.complaints = Complaints()
        self.rating_total = 0.0
        self.rating_count = 0
        channels = model.scenario.channels
        self.channel_scale = np.ones(len(channels))
        self.channel_sales = np.zeros(len(channels))
        self.channel_cost = np.zeros(len(channels))
        self.crisis_until = NEVER
        self._crisis_started = NEVER
        self._complaint_share: deque[float] = deque(maxlen=35)
        self._ambassadors: list[tuple[np.ndarray, schema.Seeding]] = []
        self._unfunded: set[int] = set()

    @property
    def name(self) -> str:
        """The brand's name."""
        return self.spec.name

    @property
    def in_crisis(self) -> bool:
        """Whether a crisis response is running today."""
        return self.model.steps <= self.crisis_until

    @property
    def response_days(self) -> float:
        """Today's mean response time to complaints (shorter in a crisis response)."""
        rule = self._rule(schema.CrisisResponse)
        if self.in_crisis and rule is not None:
            return min(rule.response_days, self.spec.service.response_days)
        return self.spec.service.response_days

    def step(self) -> None:
        """Phase 1: react, then start today's funded actions.

        An action whose fixed cost the budget cannot pay on its first day is dropped for
        its whole run.
        """
        day = self.model.steps
        self.spent_today = 0.0
        self._react(day)
        self.active = []
        for key, action in enumerate(self.calendar):
            if not action.runs_on(day):
                continue
            if day == action.start and not self.pay(action.cost):
                self._unfunded.add(key)
            if key not in self._unfunded:
                self.active.append(action)
                if day == action.start:
                    self._begin(action, day)
        changes = [a.price for a in self.active if isinstance(a, schema.PriceChange)]
        self.price = changes[-1] if changes else self.spec.price
        rule = self._rule(schema.CrisisResponse)
        if self.in_crisis and rule is not None and rule.apology_channel is not None:
            self.active.append(
                schema.Advertising(
                    type="advertising",
                    brand=self.name,
                    channel=rule.apology_channel,
                    start=day,
                    end=day,
                    intensity=rule.apology_intensity,
                )
            )

    def pay(self, amount: float) -> bool:
        """Spend ``amount`` if the budget allows it; return whether it was spent."""
        if amount > self.budget_left:
            return False
        self.budget_left -= amount
        self.spent_today += amount
        return True

    def affordable(self, unit_cost: float) -> int:
        """How many units of ``unit_cost`` the remaining budget pays for (at most int64's)."""
        most = np.iinfo(np.int64).max
        if unit_cost <= 0 or np.isinf(self.budget_left):
            return most
        units = self.budget_left // unit_cost
        return most if units >= most else int(units)

    def reach_directly(self) -> None:
        """Phase 2: deliver today's actions that reach customers without paid media."""
        model, day, b = self.model, self.model.steps, self.index
        population, draws = model.population, model.draws
        for action in self.active:
            members = model.segment_customers(action.segment)
            if isinstance(action, schema.ProductLaunch):
                chance = np.array([action.reach * action.intensity])
                news = exposure.select([members], chance, draws, f"launch:{b}")
                exposure.deliver(population, b, news, model.attention_weight(action))
                model.flows["exposures"][b] += len(news)
            elif isinstance(action, schema.Gamification):
                most = self.affordable(action.reward_cost)
                players = direct_actions.play(population, members, b, action, day, most, draws)
                self.pay(len(players) * action.reward_cost)
            elif isinstance(action, schema.Personalisation):
                most = self.affordable(action.cost_per_message)
                targets = direct_actions.offer(population, members, b, action, day, most, draws)
                self.pay(len(targets) * action.cost_per_message)
            elif isinstance(action, schema.Community):
                most = self.affordable(action.cost_per_invite)
                invited = direct_actions.invite(population, members, b, action, day, most, draws)
                self.pay(len(invited) * action.cost_per_invite)
            elif isinstance(action, schema.PersonalisedReward):
                points = self.spec.loyalty.points
                unit = action.bonus_points * points.reward_value / points.goal
                window = model.scenario.dynamics.active_window
                most = self.affordable(unit)
                direct_actions.reward(population, members, b, action, day, window, most, draws)
            elif isinstance(action, schema.Winback):
                lost = members[population.churned[members, b]]
                most = self.affordable(action.cost_per_contact)
                contacted = exposure.limit(lost, most, draws, f"winback:{b}")
                self.pay(len(contacted) * action.cost_per_contact)
                experience = population.experience[contacted, b]
                response = winback_response(
                    experience, action.response * action.intensity, model.scenario.dynamics
                )
                back = win_back(population, contacted, b, response, draws, "winback")
                model.flows["won_back"][b] += back

    def ambassadors_today(self) -> np.ndarray:
        """Ambassadors who post about the brand today (each with the action's intensity)."""
        day, draws = self.model.steps, self.model.draws
        posting = [
            draws.bernoulli(f"ambassador:{self.index}", seeds, action.intensity)
            for seeds, action in self._ambassadors
            if action.runs_on(day)
        ]
        return np.concatenate(posting) if posting else np.empty(0, dtype=np.int64)

    def attribute(self, buyers: np.ndarray) -> None:
        """Credit today's purchases to the channel of each buyer's last exposure (7 days)."""
        population, day = self.model.population, self.model.steps
        recent = day - population.last_touch[buyers, self.index] <= 7
        channels = population.last_channel[buyers[recent], self.index]
        self.channel_sales += np.bincount(channels, minlength=len(self.channel_sales))

    def _begin(self, action: schema.Action, day: int) -> None:
        if isinstance(action, schema.ProductLaunch) and action.quality is not None:
            self.quality = action.quality
        if isinstance(action, schema.Seeding):
            self._seed(action, day)

    def _seed(self, action: schema.Seeding, day: int) -> None:
        model, b = self.model, self.index
        if action.customers is not None:
            seeds = np.unique(np.asarray(action.customers, dtype=np.int64))
        else:
            count = action.seeds or max(1, round(action.seed_share * model.population.n))
            seeds = choose_seeds(
                model.network, count, action.strategy, model.rng, **action.strategy_options()
            )
        seeds = exposure.limit(
            seeds, self.affordable(action.cost_per_seed), model.draws, f"seed:{b}"
        )
        self.pay(len(seeds) * action.cost_per_seed)
        direct_actions.sample(model.population, seeds, b, day)
        brands = np.full(len(seeds), b)
        use_product(
            model.population, seeds, brands, model.qualities, model.scenario.dynamics, model.draws
        )
        if action.kind == "ambassador":
            model.population.stage[seeds, b] = np.maximum(model.population.stage[seeds, b], 3)
            self._ambassadors.append((seeds, action))
        model.flows["seeded"][b] += len(seeds)

    def _rule(self, kind: type) -> object | None:
        return next((rule for rule in self.spec.rules if isinstance(rule, kind)), None)

    def _react(self, day: int) -> None:
        """Apply the brand's rules to what it observed yesterday."""
        crisis = self._rule(schema.CrisisResponse)
        if crisis is not None:
            self._complaint_share.append(
                self.model.outcome("public_complaints", self.index) / self.model.population.n
            )
            history = np.array(self._complaint_share)
            week, before = history[-7:].mean(), history[:-7]
            known = len(before) >= 7
            trending = known and week > crisis.threshold and week >= crisis.ratio * before.mean()
            if trending and day >= self._crisis_started + crisis.cooldown:
                self._crisis_started = day
                self.crisis_until = day + crisis.duration - 1
                self.model.flows["crisis_responses"][self.index] += 1
        shift = self._rule(schema.BudgetShift)
        if shift is not None and day % shift.period == 0:
            spent = self.channel_cost > 0
            if spent.sum() >= 2:
                rate = np.where(
                    spent, self.channel_sales / np.maximum(self.channel_cost, 1e-12), np.nan
                )
                self.channel_scale[np.nanargmax(rate)] *= 1.0 + shift.fraction
                self.channel_scale[np.nanargmin(rate)] *= 1.0 - shift.fraction
            self.channel_sales[:] = 0.0
            self.channel_cost[:] = 0.0


class Media(Agent):
    """A media channel: carries the brands' messages and amplifies what trends.

    Phase 2 (:meth:`step`): advertising reaches each customer of the targeted segment
    with probability ``reach * min(intensity * scale, 1) * preference`` (``scale`` the
    brand's budget-shift multiplier for the channel, ``preference`` the segment's use of
    the channel), each exposure paid at ``cost_per_exposure``; a social post reaches the
    brand's followers (customers at consumption or above) the same way and at the same
    cost, and any follower who sees it may share it, with a probability weighted by their
    stage's ``stage_talk`` (curators and above share most; see
    :func:`~ecosim.processes.exposure.share_posts`). Phase 4 (:meth:`amplify`): when a
    brand trends in dialogue, the channel shows the story.

    Parameters
    ----------
    model : Market
    spec : ecosim.scenario.Channel
    index : int
        The channel's position in the scenario.
    """

    def __init__(self, model: Market, spec: schema.Channel, index: int):
        super().__init__(model)
        self.spec = spec
        self.index = index
        self.preference = np.array(
            [s.channel_preferences.get(spec.name, 0.5) for s in model.scenario.population.segments]
        )
        self._talk = {
            (b, valence): deque(maxlen=28)
            for b in range(len(model.scenario.brands))
            for valence in (1.0, -1.0)
        }
        self._posted = np.zeros(len(model.scenario.brands))

    def step(self) -> None:
        """Deliver every active action that uses this channel."""
        for brand in self.model.brands:
            for action in brand.active:
                if getattr(action, "channel", None) == self.spec.name:
                    self._deliver(brand, action)

    def read_posts(self, complaints: np.ndarray) -> None:
        """Keep the complaints posted in public since the channel last looked, per brand.

        Customers post them in phase 5, after the day's talk; the channel reads them with
        the next day's dialogue (:meth:`amplify`).
        """
        if self.spec.amplification > 0:
            self._posted = self._posted + complaints

    def amplify(self) -> None:
        """Show the stories of brands trending in today's dialogue to the channel's users.

        The negative talk is today's criticism and the complaints posted in public since
        the channel last looked (:meth:`read_posts`).
        """
        if self.spec.amplification <= 0:
            return
        model = self.model
        posted, self._posted = self._posted, np.zeros_like(self._posted)
        talk = {
            1.0: model.flows["wom_positive"] + model.flows["shares"],
            -1.0: model.flows["wom_negative"] + posted,
        }
        for brand in model.brands:
            b = brand.index
            for valence, counts in talk.items():
                share = counts[b] / model.population.n
                history = self._talk[b, valence]
                usual = np.mean(history) if history else 0.0
                history.append(share)
                if share <= self.spec.trend_threshold or share < self.spec.trend_ratio * usual:
                    continue
                chance = self.spec.amplification * self.preference
                purpose = f"story {self.spec.name}:{b}"
                audience = exposure.select(model.segment_members, chance, model.draws, purpose)
                media_story(
                    model.population, b, audience, valence, model.scenario.dynamics, model.draws
                )
                model.flows["amplified"][b] += len(audience)

    def _deliver(self, brand: Brand, action: schema.Advertising | schema.SocialPost) -> None:
        model, b = self.model, brand.index
        segments = model.segment_indices(action.segment)
        groups = [model.segment_members[s] for s in segments]
        if action.type == "social_post":
            groups = [g[model.population.stage[g, b] >= 1] for g in groups]
        intensity = min(action.intensity * brand.channel_scale[self.index], 1.0)
        chance = self.spec.reach * intensity * self.preference[segments]
        purpose = f"{action.type} {self.spec.name}:{b}"
        reached = exposure.select(groups, chance, model.draws, purpose)
        cost = self.spec.cost_per_exposure
        reached = exposure.limit(reached, brand.affordable(cost), model.draws, purpose)
        brand.pay(len(reached) * cost)
        brand.channel_cost[self.index] += len(reached) * cost
        weight = model.attention_weight(action)
        exposure.deliver(model.population, b, reached, weight, self.index, model.steps)
        model.flows["exposures"][b] += len(reached)
        if action.type == "social_post":
            params = model.scenario.dynamics
            appeal = action.appeal * weight
            shares = exposure.share_posts(
                model.population, model.network, b, reached, appeal, params, model.draws
            )
            model.flows["shares"][b] += shares


class Influencer(Agent):
    """An influencer posts for the brands that activate them (phase 2).

    On each day of an activation the brand pays the fee and each follower sees the post
    with probability ``reach * intensity``; an exposure weighs
    ``influencer_weight * credibility`` advertisements (source credibility, Hovland &
    Weiss 1951).

    Parameters
    ----------
    model : Market
    spec : ecosim.scenario.Influencer
    audience : ndarray of int
        The followers' customer rows.
    """

    def __init__(self, model: Market, spec: schema.Influencer, audience: np.ndarray):
        super().__init__(model)
        self.spec = spec
        self.audience = audience

    def step(self) -> None:
        """Post for every brand that activates this influencer today and pays the fee."""
        model = self.model
        weight = model.scenario.dynamics.influencer_weight * self.spec.credibility
        for brand in model.brands:
            for action in brand.active:
                if getattr(action, "influencer", None) != self.spec.name or not brand.pay(
                    self.spec.fee
                ):
                    continue
                chance = np.array([self.spec.reach * action.intensity])
                purpose = f"influencer {self.spec.name}:{brand.index}"
                reached = exposure.select([self.audience], chance, model.draws, purpose)
                exposure.deliver(
                    model.population, brand.index, reached, weight * model.attention_weight(action)
                )
                model.flows["exposures"][brand.index] += len(reached)
