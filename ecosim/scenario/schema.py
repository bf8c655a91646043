"""Scenario schema: the whole ecosystem, and the checks across its parts."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError, model_validator

from ecosim.scenario.brands import Brand, Channel, CrisisResponse, Influencer
from ecosim.scenario.campaign import Action, DoublePoints, PersonalisedReward, Seeding
from ecosim.scenario.diffusion import Diffusion
from ecosim.scenario.dynamics import Dynamics, Engagement
from ecosim.scenario.fields import MAX_DAYS, Name, ScenarioTable, expected, repeated_names
from ecosim.scenario.network import BarabasiAlbert, NetworkSpec, network_problems
from ecosim.scenario.population import Population

__all__ = ["Scenario"]


MAX_BRANDS = 32_767
"""The most brands: a customer's last brand is held as a 16-bit integer."""

MAX_CHANNELS = 64
"""The most media channels: the channels a customer saw today are one 64-bit mask."""


class _Built(type(ScenarioTable)):
    """The scenario's class: ``Scenario(...)`` raises a ScenarioError, not pydantic's error.

    Only a call of the class itself comes here; pydantic validates a dict
    (``Scenario.model_validate``) without it, so validation's own errors are unchanged.
    """

    def __call__(cls, *args: Any, **data: Any) -> Any:
        try:
            return super().__call__(*args, **data)
        except ValidationError as error:
            from ecosim.scenario.loading import ScenarioError, validation_problems

            raise ScenarioError("Scenario(...)", validation_problems(error, data)) from None


class Scenario(ScenarioTable, metaclass=_Built):
    """A whole engagement ecosystem: customers, network, brands, media, influencers, plan.

    Read one from a file with :func:`~ecosim.scenario.load_scenario`, or from a dict with
    :func:`~ecosim.scenario.validate_scenario`; built directly (``Scenario(name=...)``), it
    is checked the same way and invalid fields are a
    :class:`~ecosim.scenario.ScenarioError` naming each of them.
    """

    name: Name
    description: str = ""
    days: int = Field(default=365, ge=1, le=MAX_DAYS)
    seed: int = Field(default=0, ge=0)
    population: Population
    network: NetworkSpec = Field(default_factory=lambda: BarabasiAlbert(kind="barabasi_albert"))
    brands: list[Brand] = Field(min_length=1, max_length=MAX_BRANDS)
    channels: list[Channel] = Field(default_factory=list, max_length=MAX_CHANNELS)
    influencers: list[Influencer] = Field(default_factory=list)
    campaign: list[Action] = Field(default_factory=list)
    engagement: Engagement = Field(default_factory=Engagement)
    dynamics: Dynamics = Field(default_factory=Dynamics)
    diffusion: Diffusion = Field(default_factory=Diffusion)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        problems = []
        for kind, items in (
            ("brand", self.brands),
            ("channel", self.channels),
            ("influencer", self.influencers),
        ):
            problems += repeated_names([item.name for item in items], kind, f"{kind}s")
        channels = [c.name for c in self.channels]
        for s, segment in enumerate(self.population.segments):
            for channel in segment.channel_preferences:
                if channel not in channels:
                    problems.append(
                        f"population.segments[{s}].channel_preferences.{channel}: "
                        f"unknown channel {channel!r} {expected(channels)}"
                    )
        for b, brand in enumerate(self.brands):
            kinds = [rule.type for rule in brand.rules]
            problems += [
                f"brands[{b}].rules[{r}].type: brand {brand.name} already has a {kind} rule "
                f"(rules[{kinds.index(kind)}]); a brand follows one rule of each type "
                "(expected one, with the values you want)"
                for r, kind in enumerate(kinds)
                if kinds.index(kind) < r
            ]
            for r, rule in enumerate(brand.rules):
                if isinstance(rule, CrisisResponse) and rule.apology_channel not in (
                    None,
                    *channels,
                ):
                    problems.append(
                        f"brands[{b}].rules[{r}].apology_channel: unknown channel "
                        f"{rule.apology_channel!r} {expected(channels)}"
                    )
        if self.influencers and self.influencers[0].overlap > 0:
            problems.append(
                "influencers[0].overlap: the first influencer has no influencer listed before "
                "it whose followers it could share; expected 0 (set the overlap on the later one)"
            )
        problems += network_problems(self.network, self.population)
        problems += self._campaign_problems(channels)
        problems += self._diffusion_problems()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _campaign_problems(self, channels: list[str]) -> list[str]:
        from ecosim.seeding import STRATEGIES

        known = {
            "brand": self.brand_names,
            "channel": channels,
            "influencer": [i.name for i in self.influencers],
            "segment": ["all", *(s.name for s in self.population.segments)],
        }
        with_points = [b.name for b in self.brands if b.loyalty.points is not None]
        problems = []
        for a, action in enumerate(self.campaign):
            where = f"campaign[{a}]"
            for field, names in known.items():
                value = getattr(action, field, None)
                if value is not None and value not in names:
                    problems.append(f"{where}.{field}: unknown {field} {value!r} {expected(names)}")
            if (
                isinstance(action, DoublePoints | PersonalisedReward)
                and action.brand not in with_points
            ):
                problems.append(
                    f"{where}: a {action.type} action needs brand {action.brand!r} to have "
                    f"a points programme (brands.loyalty.points)"
                )
            if isinstance(action, Seeding):
                problems += self._seeding_problems(where, action, list(STRATEGIES))
        return problems

    def _diffusion_problems(self) -> list[str]:
        from ecosim.seeding import STRATEGIES

        seeds = self.diffusion.seeds
        if seeds is None:
            return []
        return _seed_problems(
            "diffusion.seeds",
            seeds.strategy,
            seeds.count,
            seeds.customers,
            self.population.size,
            list(STRATEGIES),
            count_field="count",
        ) + seeds.option_problems("diffusion.seeds", self.population.size)

    def _seeding_problems(self, where: str, action: Seeding, strategies: list[str]) -> list[str]:
        return _seed_problems(
            where,
            action.strategy,
            action.seeds,
            action.customers,
            self.population.size,
            strategies,
            count_field="seeds",
        ) + action.option_problems(where, self.population.size)

    @property
    def brand_names(self) -> list[str]:
        """Names of the brands, in scenario order."""
        return [b.name for b in self.brands]

    @property
    def segment_names(self) -> list[str]:
        """Names of the segments, in scenario order."""
        return [s.name for s in self.population.segments]


def _seed_problems(
    where: str,
    strategy: str,
    count: int | None,
    customers: list[int] | None,
    size: int,
    strategies: list[str],
    count_field: str,
) -> list[str]:
    problems = []
    if customers is None and strategy not in strategies:
        problems.append(
            f"{where}.strategy: unknown seeding strategy {strategy!r} {expected(strategies)}"
        )
    if count is not None and count > size:
        problems.append(f"{where}.{count_field}: {count} seeds exceed the {size} customers")
    if customers and max(customers) >= size:
        problems.append(
            f"{where}.customers: customer {max(customers)} does not exist "
            f"(expected ids in [0, {size - 1}])"
        )
    return problems
