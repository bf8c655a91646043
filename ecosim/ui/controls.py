"""Model parameters for the app's controls, generated from the scenario schema.

Each control is one scenario field, named by its dotted path (``brands.tokoku.price``) and
passed to :class:`~ecosim.ui.live_model.LiveModel` on Reset. Its kind and range come from
the schema: a ``Literal`` becomes a select, a ``bool`` a switch, a bounded number a slider
whose ends are the field's ``ge``/``gt`` and ``le``/``lt`` constraints. An upper end the
schema leaves open is set three times as far from the lower end as the scenario's value, and
at least as far as the setting's scale (a membership fee ranges at least over its brand's
price).
A slider may reach a value the schema excludes (an influencer audience of 0): the app then
shows the schema's message.

The main parameters offered are listed in :func:`settings`: population and horizon, the
network, segment shares, each brand's offer, each influencer's audience, each campaign
action's strength (its intensity; a sale's discount, a price change's price, a points
event's or a disruption's multiplier, a reward's points), and the dynamics that matter most
in class.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ecosim.scenario import (
    BarabasiAlbert,
    EdgeList,
    ErdosRenyi,
    NetworkSpec,
    Scenario,
    StochasticBlock,
    WattsStrogatz,
)
from ecosim.ui.live_model import ENGAGED, OWN_DEFINITION, engaged_choice, mean_degree

__all__ = [
    "DYNAMICS",
    "KNOBS",
    "MAX_CUSTOMERS",
    "NETWORK_NAMES",
    "OWN_WORDS",
    "PRODUCT_RULES",
    "Setting",
    "changes",
    "control",
    "engaged_words",
    "fitting_step",
    "max_customers",
    "model_params",
    "network_kinds",
    "network_words",
    "read_number",
    "settings",
    "shown",
    "unit",
    "within_rules",
]

DYNAMICS = (
    "ad_valence",
    "negativity_bias",
    "wom_awareness_rate",
    "wom_experience_weight",
    "venting_rate",
    "forgetting_rate",
    "share_rate",
    "churn_rate",
)
"""The dynamics offered as controls (each one a field of ``ecosim.scenario.Dynamics``)."""

PRODUCT_RULES = (("dynamics.wom_experience_weight", "dynamics.negativity_bias"),)
"""Pairs of settings whose product the schema keeps at most 1 (``ecosim.scenario.Dynamics``:
so that experience stays within [-1, 1])."""

NETWORK_NAMES = {
    "barabasi_albert": "a scale-free friendship network",
    "watts_strogatz": "a small-world friendship network",
    "erdos_renyi": "a random friendship network",
    "stochastic_block": "a network of communities",
    "complete": "a well-mixed market",
    "edge_list": "the friendship network in a file",
}
"""Each network kind's plain name (at most 32 characters), as the network control offers it
and :func:`network_words` begins."""

OWN_WORDS = "does as the scenario defines it"
"""The engaged control's words for a scenario's own definition (none of ``ENGAGED``)."""
_OPEN_END_SPAN = 3.0
MAX_CUSTOMERS = 100_000
"""The customers control's maximum (higher for a scenario written with more customers)."""


@dataclass(frozen=True)
class Setting:
    """One control: a scenario field and how it is shown.

    Parameters
    ----------
    path : str
        Dotted field path in the scenario (list items by name or position).
    label : str
        What the control is called on the page.
    key : str, optional
        The model keyword it sets; ``path`` when omitted.
    low, high : float, optional
        A practical range inside the schema's (population size, horizon).
    scale : float, optional
        The least reach of an open upper end above the lower end (a membership fee ranges at
        least over its brand's price, even from a fee of 0 or 1). A field with an open upper
        end at its lower end and no scale gets a number field without an upper end: no end
        of a slider would mean anything (a budget of 0 in a scenario without budgets).
    """

    path: str
    label: str
    key: str | None = None
    low: float | None = None
    high: float | None = None
    scale: float | None = None

    @property
    def keyword(self) -> str:
        """The keyword of :class:`~ecosim.ui.live_model.LiveModel` this control sets."""
        return self.key or self.path


def max_customers(scenario: Scenario) -> int:
    """Return the customers control's maximum for a scenario.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> max_customers(load_scenario("scenarios/baseline.toml"))
    100000
    """
    return max(MAX_CUSTOMERS, scenario.population.size)


KNOBS = {
    "promotion": "discount",
    "price_change": "price",
    "double_points": "multiplier",
    "personalised_reward": "bonus_points",
    "service_disruption": "multiplier",
}
"""The field a campaign action's control sets, for the types that read no intensity."""


def settings(scenario: Scenario) -> list[Setting]:
    """List the main parameters of a scenario, in the order the controls appear.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    list of Setting
    """
    size = scenario.population.size
    found = [
        Setting(
            "population.size",
            "customers",
            key="customers",
            low=min(100, size),  # an uploaded network may be smaller
            high=max_customers(scenario),
        ),
        Setting("days", "days", key="days", high=max(730, scenario.days)),
    ]
    segments = scenario.population.segments
    if len(segments) > 1:
        found += [
            Setting(f"population.segments.{s.name}.share", f"{s.name.replace('_', ' ')} share")
            for s in segments
        ]
    budget_scale = _budget_scale(scenario)
    for brand in scenario.brands:
        name = brand.name
        found += [
            Setting(f"brands.{name}.price", f"{name} price"),
            Setting(f"brands.{name}.quality", f"{name} quality"),
            Setting(f"brands.{name}.omnichannel_consistency", f"{name} omnichannel consistency"),
            Setting(f"brands.{name}.checkout_friction", f"{name} checkout friction"),
            Setting(f"brands.{name}.service.response_days", f"{name} service response days"),
            Setting(f"brands.{name}.service.response_quality", f"{name} service response quality"),
            Setting(f"brands.{name}.service.proactive_notice", f"{name} proactive delay notices"),
        ]
        if math.isfinite(brand.budget):
            found.append(Setting(f"brands.{name}.budget", f"{name} budget", scale=budget_scale))
        if brand.loyalty.points is not None:
            found.append(
                Setting(f"brands.{name}.loyalty.points.goal_gradient", f"{name} goal gradient")
            )
        if brand.loyalty.tiers is not None:
            found += [
                Setting(
                    f"brands.{name}.loyalty.tiers.levels.{level.name}.priority",
                    f"{name} {level.name} priority",
                )
                for level in brand.loyalty.tiers.levels
            ]
        membership = brand.loyalty.membership
        if membership is not None:
            found.append(
                Setting(
                    f"brands.{name}.loyalty.membership.fee",
                    f"{name} member fee per {membership.term_days} days",
                    scale=brand.price if membership.discount else None,
                )
            )
    for influencer in scenario.influencers:
        found += [
            Setting(f"influencers.{influencer.name}.audience_share", f"{influencer.name} audience"),
            Setting(f"influencers.{influencer.name}.credibility", f"{influencer.name} credibility"),
        ]
    several = len(scenario.brands) > 1
    for number, action in enumerate(scenario.campaign):
        days = f"d{action.start}" if action.start == action.end else f"d{action.start}-{action.end}"
        what = {
            "advertising": f"{getattr(action, 'channel', '')} ads",
            "social_post": f"{getattr(action, 'channel', '')} posts",
            "influencer": f"{getattr(action, 'influencer', '')}",
            "promotion": "sale",
            "price_change": "price change",
            "service_disruption": "disruption",
            "personalised_reward": "reward",
        }.get(action.type, action.type.replace("_", " "))
        field = KNOBS.get(action.type, "intensity")
        if field == "intensity" and "intensity" not in action.read_here():
            continue  # a sample seeding: nothing to turn
        brand = f"{action.brand} " if several else ""
        suffix = {"intensity": "", "price": "", "multiplier": " ×", "bonus_points": " points"}.get(
            field, f" {field}"
        )
        found.append(Setting(f"campaign.{number}.{field}", f"{brand}{what} {days}{suffix}"))
    found += [
        Setting(f"dynamics.{name}", name.replace("_", " "))
        for name in DYNAMICS
        if name in type(scenario.dynamics).model_fields
    ]
    return found


def control(scenario: Scenario, setting: Setting) -> dict[str, Any]:
    """Describe the input for one setting, from the field's type and constraints.

    Parameters
    ----------
    scenario : Scenario
        Gives the current value (and, for open ranges, the scale).
    setting : Setting

    Returns
    -------
    dict
        ``{"type": "SliderInt" | "SliderFloat" | "Select" | "Checkbox", "value": ...,
        "label": ..., ...}``.

    Raises
    ------
    TypeError
        For a field type no control can show (a list, a table).

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> scenario = load_scenario("scenarios/baseline.toml")
    >>> spec = control(scenario, Setting("brands.tokoku.quality", "quality"))
    >>> spec["type"], spec["value"], spec["min"], spec["max"], spec["step"]
    ('SliderFloat', 0.72, 0.0, 1.0, 0.01)
    >>> control(scenario, Setting("diffusion.rule", "rule"))["values"]
    ['ecosystem', 'bass', 'independent_cascade', 'linear_threshold', 'sis']
    """
    owner, name = _owner(scenario, setting.path)
    info = type(owner).model_fields[name]
    value = getattr(owner, name)
    kind, bounds = _kind(info)
    base = {"label": setting.label, "value": value, "unit": unit(setting.path)}
    if typing.get_origin(kind) is Literal:
        return {"type": "Select", "values": list(typing.get_args(kind)), **base}
    if kind is bool:
        return {"type": "Checkbox", **base}
    if kind not in (int, float):
        raise TypeError(f"{setting.path}: no control for a field of type {kind}")
    low = setting.low if setting.low is not None else bounds.get("low", 0.0)
    high = setting.high if setting.high is not None else bounds.get("high")
    if high is None:
        reach = max(value - low, (setting.scale or 0.0) / _OPEN_END_SPAN)
        if reach == 0:  # no end of a slider would mean anything
            if kind is int:
                return {"type": "InputInt", "min": int(low), "max": math.inf, **base}
            return {"type": "InputFloat", "min": float(low), "max": math.inf, **base}
        high = low + max(_OPEN_END_SPAN * reach, 1.0)
    step = fitting_step(high - low, value, low, integer=kind is int)
    if step is None:
        return {"type": "InputFloat", "min": float(low), "max": float(high), **base}
    if kind is int:
        return {"type": "SliderInt", "min": int(low), "max": int(high), "step": int(step), **base}
    return {"type": "SliderFloat", "min": float(low), "max": float(high), "step": step, **base}


def _budget_scale(scenario: Scenario) -> float | None:
    """Return the least reach of a budget's slider (None: nothing to measure it by).

    The largest of the scenario's budgets and of each brand's campaign fixed costs (summed
    over its actions): a brand without budget, beside brands with one, gets a slider over
    theirs.
    """
    budgets = [brand.budget for brand in scenario.brands if math.isfinite(brand.budget)]
    costs = [sum(a.cost for a in scenario.campaign if a.brand == b.name) for b in scenario.brands]
    return max([*budgets, *costs], default=0.0) or None


def within_rules(params: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Return the controls with slider ranges that keep the schema's rules between settings.

    For each pair of :data:`PRODUCT_RULES`, a slider ends where the product reaches 1 at the
    other control's current value (rounded down to its step), and its ``rule`` says why.

    Parameters
    ----------
    params : dict
        Model parameters (:func:`model_params`).
    values : dict
        The controls' current values, by model keyword (the scenario's where missing); numbers,
        without a number field's text (:func:`ecosim.ui.parameters_panel.readable`).

    Returns
    -------
    dict
        ``params`` with the narrowed controls replaced.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> params = model_params(load_scenario("scenarios/baseline.toml"))
    >>> bias, weight = "dynamics.negativity_bias", "dynamics.wom_experience_weight"
    >>> narrowed = within_rules(params, {})
    >>> params[bias]["max"], narrowed[bias]["max"], narrowed[weight]["max"]
    (2.5, 2.0, 0.66)
    >>> narrowed[bias]["rule"]
    'wom experience weight × negativity bias ≤ 1'
    >>> within_rules(params, {weight: 0.8})[bias]["max"]
    1.25
    """
    narrowed = dict(params)
    for pair in PRODUCT_RULES:
        if not all(isinstance(params.get(name), dict) for name in pair):
            continue
        rule = " × ".join(params[name]["label"] for name in pair) + " ≤ 1"
        for name, other in (pair, pair[::-1]):
            spec, partner = params[name], values.get(other, params[other]["value"])
            if partner <= 0 or "step" not in spec:
                continue
            steps = math.floor((1 / partner - spec["min"]) / spec["step"] + 1e-9)
            top = round(spec["min"] + steps * spec["step"], 10)
            if top < spec["max"]:
                narrowed[name] = {**spec, "max": top, "rule": rule}
    return narrowed


def fitting_step(span: float, value: float, low: float, integer: bool = False) -> float | None:
    """Return a round slider step that lands on ``value``; ``None`` if none fits.

    The step gives about 100 positions over ``span`` (0.01 over [0, 1]), or up to 1,000
    when the value needs a finer one; a value no such step reaches (a churn rate of
    0.00123) gets a number field instead, so a control never changes a value by itself.

    Examples
    --------
    >>> fitting_step(1.0, 0.72, 0.0), fitting_step(1.0, 0.005, 0.0)
    (0.01, 0.001)
    >>> fitting_step(1.0, 0.00123, 0.0) is None
    True
    >>> fitting_step(99_900, 10_000, 100, integer=True)
    100
    """
    step = _step(span)
    for _ in range(2):
        if integer:
            step = max(1, int(step))
        if _lands_on(value - low, step):
            return step
        step /= 10
    return 1 if integer else None


def _lands_on(offset: float, step: float) -> bool:
    """Whether ``offset`` is a whole number of ``step`` (to rounding)."""
    return abs(offset / step - round(offset / step)) < 1e-6


_MONEY = {"price", "budget", "fee", "cost", "reward_cost"}
_NAMED_UNITS = {
    "days": "days",
    "response_days": "days",
    "size": "customers",
    "checkout_friction": "share of choosers lost at checkout",
    "priority": "share of foreseeable incidents spared by priority delivery",
    "proactive_notice": "share of foreseeable incidents announced",
    "discount": "share off the price",
}
"""Units of settings by name; the others by their name's ending (money, rates, shares)."""


def unit(path: str) -> str:
    """Return the unit a setting is shown in (money is in thousands of rupiah).

    Examples
    --------
    >>> unit("brands.tokoku.price"), unit("dynamics.churn_rate"), unit("days")
    ('Rp thousand', 'per day', 'days')
    >>> unit("brands.tokoku.loyalty.tiers.levels.gold.priority")
    'share of foreseeable incidents spared by priority delivery'
    """
    name = path.rsplit(".", 1)[-1]
    if name in _MONEY:
        return "Rp thousand"
    if name in _NAMED_UNITS:
        return _NAMED_UNITS[name]
    if name.endswith("_rate"):
        return "per day"
    if name.endswith("share"):
        return "share of customers"
    return ""


def shown(value: object, unit: str) -> str:
    """Write a setting's value with its unit, as printed beside its control.

    Examples
    --------
    >>> shown(150, "Rp thousand"), shown(0.001, "per day"), shown(10000, "customers")
    ('Rp 150 thousand', '0.001 per day', '10,000 customers')
    >>> shown(True, ""), shown("watts_strogatz", ""), shown(1, "days"), shown(1.5, "days")
    ('yes', 'watts_strogatz', '1 day', '1.5 days')
    >>> shown(99999999999999999999999, "")
    '99,999,999,999,999,999,999,999'
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    number = f"{value:,}" if isinstance(value, int) else f"{value:,.10g}"
    if unit == "Rp thousand":
        return f"Rp {number} thousand"
    if unit == "days" and value == 1:
        unit = "day"
    return f"{number} {unit}".strip()


def read_number(text: str | None, kind: type[int] | type[float]) -> int | float:
    """Read a number typed in a field: a whole number (``kind`` int) or a finite one.

    Raises
    ------
    ValueError
        Saying what was expected, if the text is empty or no number of its kind.

    Examples
    --------
    >>> read_number(" 12 ", int), read_number("2.5", float)
    (12, 2.5)
    >>> read_number("1.5", int)
    Traceback (most recent call last):
    ...
    ValueError: expected a whole number (got '1.5')
    >>> read_number(" ", float)
    Traceback (most recent call last):
    ...
    ValueError: empty (expected a finite number)
    """
    what = "a whole number" if kind is int else "a finite number"
    if text is None or not text.strip():
        raise ValueError(f"empty (expected {what})")
    try:
        value = kind(text.strip())
    except ValueError:
        raise ValueError(f"expected {what} (got {text!r})") from None
    if not math.isfinite(value):
        raise ValueError(f"expected {what} (got {text!r})")
    return value


def network_kinds(scenario: Scenario) -> list[str]:
    """List the schema's network kinds; an edge list only when the scenario has one."""
    members = typing.get_args(_unwrap(Scenario.model_fields["network"].annotation)[0])
    kinds = [typing.get_args(m.model_fields["kind"].annotation)[0] for m in members]
    return [k for k in kinds if k != "edge_list" or scenario.network.kind == "edge_list"]


def changes(base: Scenario, used: Scenario, plan_edited: bool = False) -> list[str]:
    """Describe how the scenario a model runs differs from the one picked, setting by setting.

    The settings of single campaign actions are left out when the model runs a plan
    edited in the Campaign tab (``plan_edited``), which replaces them, and when the plan
    has no such action any more.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> base = load_scenario("scenarios/baseline.toml")
    >>> used = load_scenario("scenarios/baseline.toml", {"brands.0.price": 135, "seed": 3})
    >>> changes(base, used)
    ['tokoku price Rp 135 thousand (was Rp 150)', 'random seed 3 (was 2016)']
    >>> changes(base, load_scenario("scenarios/baseline.toml", {"network.m": 2}))
    ... # doctest: +NORMALIZE_WHITESPACE
    ['a scale-free friendship network, each newcomer befriending 2 people
    (was each newcomer befriending 4 people)']
    """
    found = []
    for setting in settings(base):
        if setting.path.startswith("campaign.") and (
            plan_edited or not _has_field(used, setting.path)
        ):
            continue
        before, after = (getattr(*_owner(s, setting.path)) for s in (base, used))
        if before != after and unit(setting.path) == "Rp thousand":
            found.append(f"{setting.label} Rp {after:,.10g} thousand (was Rp {before:,.10g})")
        elif before != after:
            found.append(f"{setting.label} {after:,.10g} (was {before:,.10g})")
    if base.network != used.network:
        found.append(_network_change(base.network, used.network))
    if base.engagement != used.engagement:
        found.append(f"engaged: a customer who {engaged_words(used)} (was {engaged_words(base)})")
    if base.seed != used.seed:
        found.append(f"random seed {used.seed} (was {base.seed})")
    return found


def engaged_words(scenario: Scenario) -> str:
    """Say what "engaged" means in a scenario, as the engaged control names it.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> engaged_words(load_scenario("scenarios/baseline.toml"))
    'buys at least twice in 90 days'
    """
    choice = engaged_choice(scenario)
    return OWN_WORDS if choice == OWN_DEFINITION else ENGAGED[choice][0]


def _has_field(scenario: Scenario, path: str) -> bool:
    """Whether the campaign action ``campaign.<number>.<field>`` exists and has the field."""
    _, number, field = path.split(".")
    actions = scenario.campaign
    return int(number) < len(actions) and hasattr(actions[int(number)], field)


def network_words(network: NetworkSpec) -> str:
    """Say what a friendship network is in words a marketing class knows, with its numbers.

    Examples
    --------
    >>> network_words(BarabasiAlbert(kind="barabasi_albert", m=4))
    'a scale-free friendship network, each newcomer befriending 4 people'
    >>> network_words(WattsStrogatz(kind="watts_strogatz", k=6, p=0.1))
    'a small-world friendship network, 6 close neighbours each, 10% of ties to distant people'
    """
    return ", ".join(part for part in _network_parts(network) if part)


def _network_parts(network: NetworkSpec) -> tuple[str, str]:
    """Return what kind of network it is, and its numbers in words ("" if it has none)."""
    name = NETWORK_NAMES[network.kind]
    if isinstance(network, BarabasiAlbert):
        people = "person" if network.m == 1 else "people"
        return name, f"each newcomer befriending {network.m} {people}"
    if isinstance(network, WattsStrogatz):
        return name, (
            f"{network.k} close neighbours each, {100 * network.p:g}% of ties to distant people"
        )
    if isinstance(network, ErdosRenyi):
        return name, f"{network.mean_degree:g} friends each on average"
    if isinstance(network, StochasticBlock):
        return f"{name} (one per segment)", (
            f"on average {network.mean_degree_within:g} friends inside and "
            f"{network.mean_degree_between:g} outside each customer's own"
        )
    if isinstance(network, EdgeList):
        return f"the friendship network in {Path(network.path).name}", ""
    return f"{name} where everyone hears everyone", ""


def _network_change(base: NetworkSpec, used: NetworkSpec) -> str:
    """Say which network runs and which it replaces; of the same kind, only the numbers.

    Examples
    --------
    >>> random = ErdosRenyi(kind="erdos_renyi", mean_degree=6)
    >>> print(_network_change(random, random.model_copy(update={"mean_degree": 4})))
    a random friendship network, 4 friends each on average (was 6 friends each on average)
    >>> print(_network_change(random, WattsStrogatz(kind="watts_strogatz", k=8)))
    ... # doctest: +NORMALIZE_WHITESPACE
    a small-world friendship network, 8 close neighbours each, 10% of ties to distant people
    (was a random friendship network, 6 friends each on average)
    """
    (kind, now), (old_kind, before) = _network_parts(used), _network_parts(base)
    if kind == old_kind and now and before:
        return f"{kind}, {now} (was {before})"
    return f"{network_words(used)} (was {network_words(base)})"


def model_params(scenario: Scenario) -> dict[str, Any]:
    """Return the model parameters of the app's controls for a scenario.

    Parameters
    ----------
    scenario : Scenario
        Passed unchanged (a fixed parameter); the controls change it on Reset.

    Returns
    -------
    dict
        ``scenario``, then one input per keyword of
        :class:`~ecosim.ui.live_model.LiveModel`: the settings of :func:`settings`, the
        network kind, the number of friends, what "engaged" means (near the top: a class
        defines it first), the other settings and the random seed. The
        network's select offers the kinds by their plain names (``labels``,
        :data:`NETWORK_NAMES`) and names the field that sets the kind in a scenario file
        (``file_key``).
    """
    params: dict[str, Any] = {"scenario": scenario}
    main = settings(scenario)
    params.update({s.keyword: control(scenario, s) for s in main[:2]})
    params["network"] = {
        "type": "Select",
        "label": "network",
        "value": scenario.network.kind,
        "values": network_kinds(scenario),
        "labels": {kind: NETWORK_NAMES[kind] for kind in network_kinds(scenario)},
        "file_key": "network.kind",
        "unit": "",
    }
    params["friends"] = {
        "type": "SliderInt",
        "label": "friends per customer",
        "value": round(mean_degree(scenario) or 8),
        "min": 2,
        "max": 40,
        "step": 2,
        "unit": "contacts",
    }
    own = engaged_choice(scenario)
    params["engaged"] = {
        "type": "Select",
        "label": "engaged means a customer who",
        "value": own,
        "values": [*ENGAGED, *([own] if own == OWN_DEFINITION else [])],
        "labels": {OWN_DEFINITION: OWN_WORDS}
        | {name: words for name, (words, _) in ENGAGED.items()},
        "unit": "",
    }
    params.update({s.keyword: control(scenario, s) for s in main[2:]})
    params["seed"] = {
        "type": "InputInt",
        "label": "random seed",
        "value": scenario.seed,
        "unit": "",
    }
    return params


def _owner(scenario: Scenario, path: str) -> tuple[BaseModel, str]:
    """Return the model object holding the field at ``path``, and the field's name."""
    *parents, name = path.split(".")
    node: Any = scenario
    for part in parents:
        if isinstance(node, list):
            named = [item for item in node if getattr(item, "name", None) == part]
            node = named[0] if named else node[int(part)]
        else:
            node = getattr(node, part)
    return node, name


def _kind(info: FieldInfo) -> tuple[Any, dict[str, float]]:
    """Return a field's value type and its numeric bounds (``low``, ``high``)."""
    kind, metadata = _unwrap(info.annotation)
    bounds: dict[str, float] = {}
    for item in [*info.metadata, *metadata]:
        if isinstance(item, annotated_types.Ge | annotated_types.Gt):
            bounds["low"] = float(getattr(item, "ge", getattr(item, "gt", None)))
        elif isinstance(item, annotated_types.Le | annotated_types.Lt):
            bounds["high"] = float(getattr(item, "le", getattr(item, "lt", None)))
    return kind, bounds


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """Strip ``Optional`` and ``Annotated``; return the type and the constraints met on the way."""
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = typing.get_args(annotation)
            for item in extra:
                metadata += item.metadata if isinstance(item, FieldInfo) else [item]
        elif origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(
            annotation
        ):
            (annotation,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        else:
            return annotation, metadata


def _step(span: float) -> float:
    """Return a round step giving about 100 positions over ``span`` (0.01 over [0, 1])."""
    return 10.0 ** math.floor(math.log10(span / 100)) if span > 0 else 1.0
