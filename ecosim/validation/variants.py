"""The shipped scenarios and their variants, run as the arms of paired experiments.

An arm is a shipped scenario (``scenarios/NAME.toml``) with changes: fields set by dotted
path (``None`` removes an optional part such as a loyalty programme) and campaign actions
dropped by type (``"seeding"``) or by type and brand (``"price_change@tokoku"``). Both
arms of a pair run with the same replication seed (common random numbers: the same
customers, traits and network).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ecosim.errors import ValidationCaseError, without_input_warnings
from ecosim.market import Market
from ecosim.model import EcosystemModel
from ecosim.scenario import Scenario, apply_overrides, load_scenario, validate_scenario

__all__ = ["SCENARIOS", "arm", "drop_actions", "model", "scenario_data", "shipped_names"]

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
"""Where the shipped scenarios live in a source checkout."""


def shipped_names() -> list[str]:
    """Names of the shipped scenarios (the files in ``scenarios/``), sorted."""
    return sorted(path.stem for path in SCENARIOS.glob("*.toml"))


@cache
def _loaded(name: str) -> Scenario:
    path = SCENARIOS / f"{name}.toml"
    if not path.is_file():
        raise ValidationCaseError(
            f"the shipped scenario {path} does not exist: the evidence cases need a source "
            "checkout of the repository"
        )
    return load_scenario(path)


def scenario_data(name: str, customers: int | None = None, days: int | None = None) -> dict:
    """Return a shipped scenario's fields (validated once, then a fresh copy each call).

    Parameters
    ----------
    name : str
        The file's stem, e.g. ``baseline``.
    customers, days : int, optional
        Population size and horizon; the scenario's own when omitted.

    Returns
    -------
    dict
        Scenario fields, as :func:`ecosim.scenario.validate_scenario` takes them.
    """
    data = _loaded(name).model_dump()
    if customers is not None:
        data["population"]["size"] = customers
    if days is not None:
        data["days"] = days
    return data


def drop_actions(data: dict, drop: Iterable[str]) -> dict:
    """Remove campaign actions by type (``"seeding"``) or type and brand (``"promotion@modaku"``).

    Raises
    ------
    ValidationCaseError
        If an entry matches no action (the variant would silently equal the scenario).
    """
    campaign = data["campaign"]
    for entry in drop:
        kind, _, brand = entry.partition("@")
        keep = [
            a for a in campaign if not (a["type"] == kind and (not brand or a["brand"] == brand))
        ]
        if len(keep) == len(campaign):
            raise ValidationCaseError(f"scenario {data['name']!r}: no campaign action {entry!r}")
        campaign = keep
    return {**data, "campaign": campaign}


def arm(data: dict, overrides: dict[str, Any] | None = None, drop: Iterable[str] = ()) -> Scenario:
    """Validate a variant of scenario fields: ``overrides`` set, ``drop`` actions removed.

    The variant is the validation's own design (a quick case's shorter horizon leaves
    campaign actions out on purpose), so its input warnings, which would tell a user to
    mend a file, are not shown: they said nothing the user can act on, and once per
    replication in each worker process with ``--jobs`` above 1.
    """
    changed = apply_overrides(drop_actions(data, drop), dict(overrides or {}))
    with without_input_warnings():
        return validate_scenario(changed, source=f"variant of scenario {data['name']!r}")


def model(
    scenario: Scenario, seed: np.random.SeedSequence, outcomes: list[str] | None = None
) -> Market:
    """Build the model of one arm with a replication seed.

    ``outcomes``: the outcomes the arm is measured on, the only ones measured each day
    (their values are a full run's; every outcome when None).
    """
    return EcosystemModel(scenario, rng=np.random.default_rng(seed), outcomes=outcomes)
