"""Building blocks of the scenario schema: field types and trait distributions."""

from __future__ import annotations

import math
import re
import types
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ecosim.errors import InputError

__all__ = [
    "FIELD_PATH_PATTERN",
    "LARGEST",
    "MAX_DAYS",
    "NAME_PATTERN",
    "SMALLEST",
    "Beta",
    "Budget",
    "Constant",
    "Day",
    "Distribution",
    "FieldPath",
    "Gamma",
    "Name",
    "NonNegative",
    "Normal",
    "Probability",
    "ScenarioTable",
    "Spec",
    "Uniform",
    "check_positive_trait",
    "check_unit_trait",
    "expected",
    "field_path_problem",
    "field_problem",
    "repeated_names",
]

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=40)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
MAX_DAYS = 36_500
"""The most days any field counts (a hundred years): the longest horizon, so the longest
duration, window or wait that can matter in a run; day counts are held as 32-bit integers."""
Day = Annotated[int, Field(ge=1, le=MAX_DAYS)]
FIELD_PATH_PATTERN = r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$"
"""A dotted field path: names and list positions joined by dots (``brands.0.price``)."""


def field_path_problem(value: str) -> str | None:
    """Say why ``value`` is not a dotted field path, and how to write it; None if it is one.

    Examples
    --------
    >>> field_path_problem("brands.tokoku.price") is None
    True
    >>> print(field_path_problem("campaign[0].intensity"))  # doctest: +NORMALIZE_WHITESPACE
    'campaign[0].intensity' is not a dotted field path: write campaign.0.intensity (names and
    list positions joined by dots, as brands.0.price or brands.tokoku.price)
    """
    if re.match(FIELD_PATH_PATTERN, value):
        return None
    dotted = re.sub(r"\[(\w+)\]", r".\1", value)
    rule = "names and list positions joined by dots, as brands.0.price or brands.tokoku.price"
    if re.match(FIELD_PATH_PATTERN, dotted):
        return f"{value!r} is not a dotted field path: write {dotted} ({rule})"
    return f"{value!r} is not a dotted field path (expected {rule})"


def _dotted(value: str) -> str:
    problem = field_path_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


FieldPath = Annotated[str, AfterValidator(_dotted)]
"""A scenario field named by a dotted path (:data:`FIELD_PATH_PATTERN`)."""


def _not_nan(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        raise ValueError("expected a number >= 0, or inf for no limit (got nan)")
    return value


Budget = Annotated[float, Field(ge=0.0, allow_inf_nan=True), BeforeValidator(_not_nan)]
"""An amount of money that may be unlimited (``inf``), never NaN."""


class Spec(BaseModel):
    """Base of every schema class (scenarios and experiment files).

    Unknown fields are errors and values are immutable. Types are strict: a number is
    never read from a string or a boolean, nor a whole number from a float (a whole
    number is a fine float); numbers must be finite unless a field says otherwise
    (:data:`Budget`). A list is read as a tuple where a field is a tuple (TOML has no
    tuples).

    Examples
    --------
    >>> class Plan(Spec):
    ...     days: int = 1
    ...     price: float = 1.0
    >>> Plan(days=30, price=150).price
    150.0
    >>> Plan.model_validate({"days": True})
    Traceback (most recent call last):
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Plan
    days
      Input should be a valid integer [type=int_type, input_value=True, input_type=bool]
    ...
    >>> Plan.model_validate({"price": float("inf")}).price
    Traceback (most recent call last):
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Plan
    price
      Input should be a finite number [type=finite_number, input_value=inf, input_type=float]
    ...
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    def __setattr__(self, name: str, value: Any) -> None:
        raise InputError(
            f"{type(self).__name__}.{name}: checked values are not changed in place; read "
            "the file again with the change as an override by its dotted field path "
            "(e.g. load_scenario(path, overrides={'days': 30}))"
        )

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, None)

    @model_validator(mode="before")
    @classmethod
    def _lists_as_tuples(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        fields = _tuple_fields(cls)
        if not any(isinstance(data.get(name), list) for name in fields):
            return data
        return {k: tuple(v) if k in fields and isinstance(v, list) else v for k, v in data.items()}


LARGEST = 1e15
"""The largest size of a number in a scenario that is not a whole number, a budget excepted
(which may be ``inf``): a quadrillion is beyond any price, cost, fee or coefficient of one
action, customer or day that means something, even in rupiah (a million rupiah is about 60
US dollars); a product of four such numbers summed over 10^7 customers and 36,500 days stays
far inside float64's range, where numbers near its largest (~1.8e308) make outcomes infinite
or NaN. Whole numbers (counts, days, the seed) have limits of their own."""

SMALLEST = 1e-15
"""The smallest size of a number in a scenario that is not 0 (nor a whole number): below any
price, cost, rate, share or duration that means something; as a divisor (a price against the
reference price, a margin against a marketing cost of 1e-320) a smaller one made quotients
infinite, and with it as divisor a quotient of numbers up to :data:`LARGEST` stays within
10^30."""


class ScenarioTable(Spec):
    """Base of every table of a scenario.

    A :class:`Spec` whose numbers, whole numbers apart, are 0 or from :data:`SMALLEST` to
    :data:`LARGEST` in size (a budget may be larger, up to ``inf``).

    Examples
    --------
    >>> class Offer(ScenarioTable):
    ...     price: float = 1.0
    >>> Offer(price=2e15)
    Traceback (most recent call last):
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Offer
    price
      Value error, 2e+15 is too large: numbers in a scenario are at most 1e+15 in size ...
    ...
    >>> Offer(price=1e-300)
    Traceback (most recent call last):
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Offer
    price
      Value error, 1e-300 is too small: numbers in a scenario are 0 or at least 1e-15 ...
    ...
    """

    @field_validator("*", mode="after")
    @classmethod
    def _sized(cls, value: Any, info: ValidationInfo) -> Any:
        unlimited = info.field_name is not None and _may_be_unlimited(cls, info.field_name)
        if isinstance(value, dict):
            items = [(f"{key!r}: ", number) for key, number in value.items()]
        elif isinstance(value, tuple | list):
            items = [(f"item {index}: ", number) for index, number in enumerate(value)]
        else:
            items = [("", value)]
        for where, number in items:
            if not isinstance(number, float):
                continue
            if abs(number) > LARGEST and not unlimited:
                raise ValueError(
                    f"{where}{_shown(number)} is too large: numbers in a scenario are at most "
                    f"{LARGEST:g} in size (a budget excepted)"
                )
            if 0.0 < abs(number) < SMALLEST:
                raise ValueError(
                    f"{where}{_shown(number)} is too small: numbers in a scenario are 0 or at "
                    f"least {SMALLEST:g} in size"
                )
        return value


def _shown(number: float) -> str:
    """Return the shortest scientific notation that gives ``number`` back (``1.0000001e+15``)."""
    return next(t for digits in range(17) if float(t := f"{number:.{digits}e}") == number)


@cache
def _may_be_unlimited(cls: type[BaseModel], name: str) -> bool:
    """Whether field ``name`` of ``cls`` takes ``inf`` (a :data:`Budget`)."""
    info = cls.model_fields[name]
    return any(getattr(item, "allow_inf_nan", False) for item in info.metadata)


@cache
def _tuple_fields(cls: type[BaseModel]) -> frozenset[str]:
    """Names of the fields of ``cls`` whose type is a tuple (or an optional tuple)."""

    def is_tuple(annotation: Any) -> bool:
        if get_origin(annotation) in (Union, types.UnionType):
            return any(is_tuple(arg) for arg in get_args(annotation))
        if get_origin(annotation) is Annotated:
            return is_tuple(get_args(annotation)[0])
        return annotation is tuple or get_origin(annotation) is tuple

    return frozenset(name for name, info in cls.model_fields.items() if is_tuple(info.annotation))


class Constant(ScenarioTable):
    """Every customer gets ``value``."""

    dist: Literal["constant"] = "constant"
    value: float


class Uniform(ScenarioTable):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


class Beta(ScenarioTable):
    """Beta distribution on ``[0, 1]`` given by its mean and standard deviation."""

    dist: Literal["beta"]
    mean: float = Field(gt=0.0, lt=1.0)
    sd: float = Field(gt=0.0)

    @model_validator(mode="after")
    def _feasible(self) -> Beta:
        limit = math.sqrt(self.mean * (1.0 - self.mean))
        if self.sd >= limit:
            raise ValueError(f"sd must be < sqrt(mean*(1-mean)) = {limit:.4g} for a beta")
        return _spread(self, self.sd / limit)


class Normal(ScenarioTable):
    """Normal distribution, clipped to the trait's range."""

    dist: Literal["normal"]
    mean: float
    sd: float = Field(ge=0.0)


class Gamma(ScenarioTable):
    """Gamma distribution on ``(0, inf)`` given by its mean and standard deviation."""

    dist: Literal["gamma"]
    mean: float = Field(gt=0.0)
    sd: float = Field(gt=0.0)

    @model_validator(mode="after")
    def _feasible(self) -> Gamma:
        return _spread(self, self.sd / self.mean)


SMALLEST_SPREAD = 1e-6
"""The smallest sd of a beta or gamma, relative to its mean's scale (the beta's largest sd,
the gamma's mean): below it the distribution is a constant in effect, and its parameters
(which grow as the inverse square of the sd) overflow."""


def _spread(dist: Beta | Gamma, relative_sd: float) -> Any:
    if relative_sd < SMALLEST_SPREAD:
        raise ValueError(
            f"sd {dist.sd:g} is too small for a {dist.dist} of mean {dist.mean:g} (a constant "
            f"in effect): give the mean as a plain number"
        )
    return dist


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
    if isinstance(dist, Normal) and not 0.0 <= dist.mean <= 1.0:
        raise ValueError(
            f"mean {dist.mean} is outside [0, 1] (a normal is clipped to [0, 1], so most "
            "customers would get the bound)"
        )
    return dist


def check_positive_trait(dist: Distribution) -> Distribution:
    """Check that a duration in days is drawn from a distribution on [1, MAX_DAYS]."""
    largest = {
        Constant: ("value",),
        Uniform: ("high",),
        Normal: ("mean", "sd"),
        Gamma: ("mean", "sd"),
    }.get(type(dist), ())
    for name in largest:
        if getattr(dist, name) > MAX_DAYS:
            raise ValueError(f"{name} {getattr(dist, name):g} must be <= {MAX_DAYS:,} days")
    if isinstance(dist, Beta):
        raise ValueError("a beta lies in [0, 1]; use gamma, uniform, normal or constant (days)")
    if isinstance(dist, Constant) and dist.value < 1.0:
        raise ValueError(f"value {dist.value} must be >= 1 day")
    if isinstance(dist, Uniform) and dist.low < 1.0:
        raise ValueError("low must be >= 1 day")
    if isinstance(dist, Gamma) and dist.mean < 1.0:
        raise ValueError(f"mean {dist.mean:g} must be >= 1 day")
    if isinstance(dist, Normal) and dist.mean < 1.0:
        raise ValueError(
            f"mean {dist.mean} must be >= 1 day (a normal is clipped at 1 day, so most "
            "customers would get the bound)"
        )
    return dist


def expected(names: list[str]) -> str:
    """Say which names are allowed, for an error message."""
    return f"(expected one of: {', '.join(names)})" if names else "(none is defined)"


def field_problem(field: str, message: str) -> PydanticCustomError:
    """Return the error of a table's check that is about one of its fields.

    A check of a whole table (a model validator) is reported at the table's path;
    raised with this error, its problem is reported at the field's
    (``campaign[0].segment``, not ``campaign[0]``).

    Parameters
    ----------
    field : str
        The field the problem is about.
    message : str
        What is wrong with it and what was expected.

    Returns
    -------
    pydantic_core.PydanticCustomError
        To raise in the validator.
    """
    return PydanticCustomError("field_problem", "{message}", {"field": field, "message": message})


def repeated_names(names: list[str], kind: str, field: str | list[str] | None = None) -> list[str]:
    """Return one problem per name used more than once.

    Parameters
    ----------
    names : list of str
        The items' names, in order.
    kind : str
        What an item is (``brand``).
    field : str or list of str, optional
        The list that holds the items (``brands``), or each item's own place when they
        come from several lists (``["variables[0]", "flights[0]"]``): each problem then
        starts with the repeated item's name field and names the first item of that name.

    Examples
    --------
    >>> repeated_names(["a", "b", "a"], "brand", "brands")
    ["brands[2].name: brand name 'a' is used twice (first by brands[0])"]
    >>> repeated_names(["a", "a"], "decision", ["variables[0]", "flights[0]"])
    ["flights[0].name: decision name 'a' is used twice (first by variables[0])"]
    >>> repeated_names(["a", "a"], "item")
    ["item name 'a' is used twice"]
    """
    places = [f"{field}[{i}]" for i in range(len(names))] if isinstance(field, str) else field
    first: dict[str, int] = {}
    problems = []
    for i, name in enumerate(names):
        if name not in first:
            first[name] = i
        elif places is None:
            problems.append(f"{kind} name {name!r} is used twice")
        else:
            problems.append(
                f"{places[i]}.name: {kind} name {name!r} is used twice "
                f"(first by {places[first[name]]})"
            )
    return problems
