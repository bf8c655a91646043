"""Building blocks of the scenario schema: field types and trait distributions."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = [
    "NAME_PATTERN",
    "Beta",
    "Constant",
    "Day",
    "Distribution",
    "Gamma",
    "Name",
    "NonNegative",
    "Normal",
    "Probability",
    "Spec",
    "Uniform",
    "check_positive_trait",
    "check_unit_trait",
    "expected",
    "repeated_names",
]

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=40)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Day = Annotated[int, Field(ge=1)]


class Spec(BaseModel):
    """Base of every schema class: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Constant(Spec):
    """Every customer gets ``value``."""

    dist: Literal["constant"] = "constant"
    value: float


class Uniform(Spec):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


class Beta(Spec):
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


class Normal(Spec):
    """Normal distribution, clipped to the trait's range."""

    dist: Literal["normal"]
    mean: float
    sd: float = Field(ge=0.0)


class Gamma(Spec):
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
"""A trait distribution; a plain number means a constant."""


def check_unit_trait(dist: Distribution) -> Distribution:
    """Check that a probability-like trait is drawn from a distribution on [0, 1]."""
    if isinstance(dist, Gamma):
        raise ValueError("a gamma is not bounded by 1; use beta, uniform, normal or constant")
    if isinstance(dist, Constant) and not 0.0 <= dist.value <= 1.0:
        raise ValueError(f"value {dist.value} is outside [0, 1]")
    if isinstance(dist, Uniform) and not (dist.low >= 0.0 and dist.high <= 1.0):
        raise ValueError("low and high must lie in [0, 1]")
    return dist


def check_positive_trait(dist: Distribution) -> Distribution:
    """Check that a duration in days is drawn from a distribution on [1, inf)."""
    if isinstance(dist, Beta):
        raise ValueError("a beta lies in [0, 1]; use gamma, uniform, normal or constant (days)")
    if isinstance(dist, Constant) and dist.value < 1.0:
        raise ValueError(f"value {dist.value} must be >= 1 day")
    if isinstance(dist, Uniform) and dist.low < 1.0:
        raise ValueError("low must be >= 1 day")
    return dist


def expected(names: list[str]) -> str:
    """Say which names are allowed, for an error message."""
    return f"(expected one of: {', '.join(names)})" if names else "(none is defined)"


def repeated_names(names: list[str], kind: str) -> list[str]:
    """Return one problem per name used more than once."""
    seen, problems = set(), []
    for name in names:
        if name in seen:
            problems.append(f"{kind} name {name!r} is used twice")
        seen.add(name)
    return problems
