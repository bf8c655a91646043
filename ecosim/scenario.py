"""Scenario schema: a validated description of one engagement ecosystem.

A scenario is data: a TOML file read with :mod:`tomllib`, validated with pydantic and
never evaluated. Every problem is reported with the file, the dotted path of the field
and what was expected, as a :class:`ScenarioError`.

Examples
--------
>>> from ecosim import load_scenario
>>> scenario = load_scenario("scenarios/baseline.toml", overrides={"days": 30})
>>> scenario.days
30
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

__all__ = [
    "Brand",
    "Campaign",
    "Channel",
    "Dynamics",
    "Influencer",
    "Population",
    "Scenario",
    "ScenarioError",
    "Segment",
    "apply_overrides",
    "load_scenario",
    "parse_assignment",
    "validate_scenario",
]

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=40)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Day = Annotated[int, Field(ge=1)]


class ScenarioError(ValueError):
    """A scenario that cannot be used, with every problem named by its field path.

    Parameters
    ----------
    source : str
        Where the scenario came from (a file name, ``--set`` or ``<dict>``).
    problems : list of (str, str)
        Pairs of field path (``campaign[2].channel``) and what was wrong.
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        lines = [f"  {path}: {message}" if path else f"  {message}" for path, message in problems]
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{source}: {len(problems)} {noun}\n" + "\n".join(lines))


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- distributions


class Constant(_Spec):
    """Every customer gets ``value``."""

    dist: Literal["constant"] = "constant"
    value: float


class Uniform(_Spec):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


class Beta(_Spec):
    """Beta distribution on ``[0, 1]`` given by its mean and standard deviation."""

    dist: Literal["beta"]
    mean: float = Field(gt=0.0, lt=1.0)
    sd: float = Field(gt=0.0)

    @model_validator(mode="after")
    def _feasible(self) -> Beta:
        limit = math.sqrt(self.mean * (1.0 - self.mean))
        if self.sd >= limit:
            raise ValueError(f"sd must be < sqrt(mean*(1-mean)) = {limit:.4g} for a beta")
        return self


class Normal(_Spec):
    """Normal distribution, clipped to the trait's range."""

    dist: Literal["normal"]
    mean: float
    sd: float = Field(ge=0.0)


class Gamma(_Spec):
    """Gamma distribution on ``(0, inf)`` given by its mean and standard deviation."""

    dist: Literal["gamma"]
    mean: float = Field(gt=0.0)
    sd: float = Field(gt=0.0)


def _number_is_constant(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"dist": "constant", "value": value}
    return value


Distribution = Annotated[
    Constant | Uniform | Beta | Normal | Gamma,
    BeforeValidator(_number_is_constant),
    Field(discriminator="dist"),
]


def _check_unit_trait(dist: Distribution) -> Distribution:
    """Traits that are probabilities must be drawn from a distribution on [0, 1]."""
    if isinstance(dist, Gamma):
        raise ValueError("a gamma is not bounded by 1; use beta, uniform, normal or constant")
    if isinstance(dist, Constant) and not 0.0 <= dist.value <= 1.0:
        raise ValueError(f"value {dist.value} is outside [0, 1]")
    if isinstance(dist, Uniform) and not (dist.low >= 0.0 and dist.high <= 1.0):
        raise ValueError("low and high must lie in [0, 1]")
    return dist


def _check_positive_trait(dist: Distribution) -> Distribution:
    """Durations must be drawn from a distribution on (0, inf)."""
    if isinstance(dist, Beta):
        raise ValueError("a beta lies in [0, 1]; use gamma, uniform, normal or constant (days)")
    if isinstance(dist, Constant) and dist.value < 1.0:
        raise ValueError(f"value {dist.value} must be >= 1 day")
    if isinstance(dist, Uniform) and dist.low < 1.0:
        raise ValueError("low must be >= 1 day")
    return dist


UnitTrait = Annotated[Distribution, Field(validate_default=True)]


# ---------------------------------------------------------------- population


class Segment(_Spec):
    """A group of customers who share trait distributions and channel habits.

    Traits are drawn per customer. ``channel_preferences`` gives, per media channel, the
    probability that a customer of the segment uses it (channels not listed: 0.5).
    """

    name: Name
    share: float = Field(gt=0.0, le=1.0)
    ad_receptiveness: Distribution = Field(
        default_factory=lambda: Beta(dist="beta", mean=0.3, sd=0.1)
    )
    talkativeness: Distribution = Field(default_factory=lambda: Beta(dist="beta", mean=0.2, sd=0.1))
    price_sensitivity: Distribution = Field(
        default_factory=lambda: Beta(dist="beta", mean=0.5, sd=0.15)
    )
    need_cycle: Distribution = Field(
        default_factory=lambda: Gamma(dist="gamma", mean=30.0, sd=15.0)
    )
    channel_preferences: dict[Name, Probability] = Field(default_factory=dict)

    _unit = field_validator("ad_receptiveness", "talkativeness", "price_sensitivity")(
        _check_unit_trait
    )
    _positive = field_validator("need_cycle")(_check_positive_trait)


class Population(_Spec):
    """The customers: how many, and the segments they belong to."""

    size: int = Field(ge=2, le=50_000_000)
    segments: list[Segment] = Field(
        default_factory=lambda: [Segment(name="everyone", share=1.0)], min_length=1
    )

    @model_validator(mode="after")
    def _shares(self) -> Population:
        total = sum(s.share for s in self.segments)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"segment shares must sum to 1 (they sum to {total:.6g})")
        _unique([s.name for s in self.segments], "segment")
        return self


# ---------------------------------------------------------------- network


class BarabasiAlbert(_Spec):
    """Scale-free graph by preferential attachment; ``m`` edges per new customer."""

    kind: Literal["barabasi_albert"]
    m: int = Field(default=3, ge=1, le=1000)


class WattsStrogatz(_Spec):
    """Small world: ring of ``k`` nearest neighbours, each edge rewired with probability ``p``."""

    kind: Literal["watts_strogatz"]
    k: int = Field(default=10, ge=2, le=1000)
    p: Probability = 0.1

    @field_validator("k")
    @classmethod
    def _even(cls, k: int) -> int:
        if k % 2:
            raise ValueError(f"k must be even (got {k})")
        return k


class ErdosRenyi(_Spec):
    """Random graph G(n, p) with p chosen to give ``mean_degree``."""

    kind: Literal["erdos_renyi"]
    mean_degree: float = Field(default=10.0, gt=0.0)


class StochasticBlock(_Spec):
    """Communities: one block per segment, denser within than between."""

    kind: Literal["stochastic_block"]
    mean_degree_within: float = Field(default=8.0, ge=0.0)
    mean_degree_between: float = Field(default=2.0, ge=0.0)


class Complete(_Spec):
    """Well-mixed population: everyone hears everyone (held implicitly, O(n))."""

    kind: Literal["complete"]


class EdgeList(_Spec):
    """A CSV file of ``source,target`` customer ids, relative to the scenario file."""

    kind: Literal["edge_list"]
    path: str


NetworkSpec = Annotated[
    BarabasiAlbert | WattsStrogatz | ErdosRenyi | StochasticBlock | Complete | EdgeList,
    Field(discriminator="kind"),
]


# ---------------------------------------------------------------- actors


class Brand(_Spec):
    """A brand: its offer (price, margin, quality) and its marketing budget."""

    name: Name
    price: float = Field(gt=0.0)
    margin: Probability = 0.3
    quality: Probability = 0.7
    budget: NonNegative = math.inf
    initial_awareness: Probability = 0.0


class Channel(_Spec):
    """A media channel that carries the brands' messages.

    ``reach`` is the daily chance that a full-intensity action on the channel reaches a
    customer who uses it; each exposure costs ``cost_per_exposure``.
    """

    name: Name
    reach: Probability
    cost_per_exposure: NonNegative = 0.0
    amplification: NonNegative = 0.0


class Influencer(_Spec):
    """An influencer whom brands can activate.

    A share ``audience_share`` of the customers follows the influencer (drawn at random),
    and a share ``reach`` of the followers sees a post; ``credibility`` scales the weight
    of what they say; ``fee`` is paid per day of activation.
    """

    name: Name
    audience_share: float = Field(gt=0.0, le=1.0)
    reach: Probability = 0.2
    credibility: Probability = 0.7
    fee: NonNegative = 0.0


# ---------------------------------------------------------------- campaign calendar


class Campaign(_Spec):
    """One action of a brand's calendar, active on days ``start`` to ``end`` inclusive.

    Days count from 1. ``cost`` is the fixed cost of the action (creative, set-up), charged
    on its first day; exposures add their channel's cost per exposure and influencer days
    their fee.
    """

    type: Literal["advertising", "social_post", "promotion", "influencer"]
    brand: Name
    start: Day
    end: Day
    segment: Name | Literal["all"] = "all"
    intensity: Probability = 1.0
    cost: NonNegative = 0.0
    channel: Name | None = None
    influencer: Name | None = None
    discount: Probability | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Campaign:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) must be >= start ({self.start})")
        if self.type in ("advertising", "social_post") and self.channel is None:
            raise ValueError(f"a {self.type} action needs a channel")
        if self.type == "influencer" and self.influencer is None:
            raise ValueError("an influencer action needs an influencer")
        if self.type == "promotion" and self.discount is None:
            raise ValueError("a promotion needs a discount (a fraction of the price, 0..1)")
        if self.type != "promotion" and self.discount is not None:
            raise ValueError(f"discount applies only to promotions, not to {self.type}")
        return self


# ---------------------------------------------------------------- dynamics


class Dynamics(_Spec):
    """Parameters of the daily processes; ``docs/model.md`` gives each one's rationale."""

    attention_rate: NonNegative = 1.0
    influencer_weight: NonNegative = 2.0
    ad_valence: float = Field(default=0.3, ge=-1.0, le=1.0)
    content_experience_weight: Probability = 0.05
    forgetting_rate: Probability = 0.01
    stage_talk: list[Probability] = Field(
        default=[0.05, 0.2, 0.5, 1.0, 1.0], min_length=5, max_length=5
    )
    venting_rate: Probability = 0.3
    wom_awareness_rate: NonNegative = 0.5
    wom_experience_weight: Probability = 0.1
    negativity_bias: float = Field(default=2.0, ge=1.0)
    outside_utility: float = 1.5
    experience_weight: NonNegative = 2.0
    price_weight: NonNegative = 3.0
    promotion_weight: NonNegative = 0.5
    use_experience_weight: Probability = 0.3
    fit_sd: NonNegative = 0.6
    use_noise: NonNegative = 0.3
    active_window: int = Field(default=90, ge=1)
    stage_up: list[Probability] = Field(default=[0.05, 0.15, 0.02], min_length=3, max_length=3)
    stage_down: Probability = 0.005

    @model_validator(mode="after")
    def _bounded_pull(self) -> Dynamics:
        if self.wom_experience_weight * self.negativity_bias > 1.0:
            raise ValueError(
                "wom_experience_weight * negativity_bias must be <= 1 so that experience "
                "stays within [-1, 1]"
            )
        return self


# ---------------------------------------------------------------- scenario


class Scenario(_Spec):
    """A whole engagement ecosystem: customers, network, brands, media, influencers, plan."""

    name: Name
    description: str = ""
    days: int = Field(default=365, ge=1, le=36_500)
    seed: int = Field(default=0, ge=0)
    population: Population
    network: NetworkSpec = Field(default_factory=lambda: BarabasiAlbert(kind="barabasi_albert"))
    brands: list[Brand] = Field(min_length=1)
    channels: list[Channel] = Field(default_factory=list)
    influencers: list[Influencer] = Field(default_factory=list)
    campaign: list[Campaign] = Field(default_factory=list)
    dynamics: Dynamics = Field(default_factory=Dynamics)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        problems = []
        for kind, items in (("brand", self.brands), ("channel", self.channels)):
            problems += _unique([item.name for item in items], kind, raise_=False)
        problems += _unique([i.name for i in self.influencers], "influencer", raise_=False)
        channels = [c.name for c in self.channels]
        for s, segment in enumerate(self.population.segments):
            for channel in segment.channel_preferences:
                if channel not in channels:
                    problems.append(
                        f"population.segments[{s}].channel_preferences.{channel}: "
                        f"unknown channel {channel!r} {_expected(channels)}"
                    )
        known = {
            "brand": [b.name for b in self.brands],
            "channel": channels,
            "influencer": [i.name for i in self.influencers],
            "segment": ["all", *(s.name for s in self.population.segments)],
        }
        for a, action in enumerate(self.campaign):
            for field, names in known.items():
                value = getattr(action, field)
                if value is not None and value not in names:
                    problems.append(
                        f"campaign[{a}].{field}: unknown {field} {value!r} {_expected(names)}"
                    )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def brand_names(self) -> list[str]:
        """Names of the brands, in scenario order."""
        return [b.name for b in self.brands]


def _expected(names: list[str]) -> str:
    return f"(expected one of: {', '.join(names)})" if names else "(none is defined)"


def _unique(names: list[str], kind: str, raise_: bool = True) -> list[str]:
    seen, problems = set(), []
    for name in names:
        if name in seen:
            problems.append(f"{kind} name {name!r} is used twice")
        seen.add(name)
    if problems and raise_:
        raise ValueError("; ".join(problems))
    return problems


# ---------------------------------------------------------------- loading


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read, override and validate a scenario TOML file.

    Parameters
    ----------
    path : str or Path
        The TOML file.
    overrides : dict, optional
        Field values by dotted path, applied before validation, e.g.
        ``{"days": 90, "brands.0.price": 30, "campaign.1.intensity": 0.5}``. A list of
        named items may also be indexed by name: ``"brands.tokoku.price"``.

    Returns
    -------
    Scenario
        The validated scenario; a relative edge-list path is resolved against the
        file's folder.

    Raises
    ------
    ScenarioError
        If the file is missing, is not valid TOML, or any field is invalid; the message
        names the file, the field path and what was expected.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), [("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(str(path), [("", f"cannot be read ({error})")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(str(path), [("", f"invalid TOML: {error}")]) from None
    data = apply_overrides(data, overrides or {}, source=str(path))
    network = data.get("network")
    if isinstance(network, dict) and isinstance(network.get("path"), str):
        network["path"] = str((path.parent / network["path"]).resolve())
    return validate_scenario(data, source=str(path))


def validate_scenario(data: dict[str, Any], source: str = "<dict>") -> Scenario:
    """Validate a scenario given as a dictionary (as read from TOML).

    Parameters
    ----------
    data : dict
        The scenario's fields.
    source : str
        Named in error messages.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        With one line per problem: field path and what was expected.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(source, _problems(error, data)) from None


def _problems(error: ValidationError, data: Any) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors(include_url=False):
        path = _field_path(item["loc"], data)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown field"
        elif item["type"] == "missing":
            message = "required field is missing"
        elif "input" in item and item["type"] not in ("value_error", "assertion_error"):
            message = f"{message} (got {_short(item['input'])})"
        for line in message.split("\n"):
            head, sep, rest = line.partition(": ")
            if sep and not path and re.match(r"^[a-z_]+(\[\d+\])?([.\[][\w\]\[.]*)?$", head):
                problems.append((head, rest))
            else:
                problems.append((path, line))
    return problems


def _field_path(loc: tuple, data: Any) -> str:
    """Join a pydantic location into ``a.b[2].c``, dropping union tags not in the input."""
    parts, node = [], data
    for key in loc:
        if isinstance(key, int):
            parts.append(f"[{key}]")
            node = node[key] if isinstance(node, list) and key < len(node) else None
        elif isinstance(node, dict) or node is None:
            if isinstance(node, dict) and key not in node and _is_tag(node, key):
                continue
            parts.append(f".{key}" if parts else str(key))
            node = node.get(key) if isinstance(node, dict) else None
        else:
            parts.append(f".{key}" if parts else str(key))
            node = None
    return "".join(parts)


def _is_tag(node: dict, key: str) -> bool:
    return any(node.get(tag) == key for tag in ("dist", "kind", "type"))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------- overrides


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``FIELD.PATH=VALUE`` and read the value as a TOML value.

    Parameters
    ----------
    text : str
        For example ``"brands.0.price=29.5"`` or ``"network.kind=watts_strogatz"``; a value
        that is not valid TOML (a bare word) is taken as a string.

    Returns
    -------
    tuple of (str, object)

    Raises
    ------
    ScenarioError
        If there is no ``=`` or no field path.
    """
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError("--set", [(text, "expected FIELD.PATH=VALUE")])
    try:
        value = tomllib.loads(f"value = {raw.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return path.strip(), value


def apply_overrides(
    data: dict[str, Any], overrides: dict[str, Any], source: str = "--set"
) -> dict[str, Any]:
    """Return a copy of ``data`` with values set at dotted paths.

    Parameters
    ----------
    data : dict
        Scenario fields as read from TOML.
    overrides : dict
        Values by dotted path. Numeric parts index lists; in a list of named items a part
        may also be an item's ``name``. Missing tables are created.
    source : str
        Named in error messages.

    Returns
    -------
    dict
        A new dictionary; ``data`` is not modified.

    Raises
    ------
    ScenarioError
        If a path runs through a value that is not a table or list, or indexes past the
        end of a list, or names an item that does not exist.
    """
    result = copy.deepcopy(data)
    problems = []
    for dotted, value in overrides.items():
        try:
            _set_path(result, dotted.split("."), copy.deepcopy(value))
        except (KeyError, IndexError, TypeError) as error:
            problems.append((dotted, str(error.args[0])))
    if problems:
        raise ScenarioError(f"{source} (overrides)", problems)
    return result


def _set_path(node: Any, parts: list[str], value: Any) -> None:
    *head, last = parts
    for depth, part in enumerate(head):
        node = _child(node, part, create=True, where=".".join(parts[:depth]) or "the scenario")
    if isinstance(node, list):
        node[_list_index(node, last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise TypeError(f"cannot set {last!r} inside a {type(node).__name__}")


def _child(node: Any, part: str, create: bool, where: str) -> Any:
    if isinstance(node, dict):
        if part not in node and create:
            node[part] = {}
        return node[part]
    if isinstance(node, list):
        return node[_list_index(node, part)]
    raise TypeError(f"{where} is a {type(node).__name__}, not a table or list")


def _list_index(items: list, part: str) -> int:
    if part.lstrip("-").isdigit():
        index = int(part)
        if not 0 <= index < len(items):
            raise IndexError(f"index {index} is out of range (the list has {len(items)} items)")
        return index
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return index
    names = [str(item.get("name")) for item in items if isinstance(item, dict)]
    raise KeyError(f"no item named {part!r} {_expected(names)}")
