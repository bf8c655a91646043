"""Small optimisation files written to a temporary folder, for the optimisation tests."""

from __future__ import annotations

import copy
from pathlib import Path

import tomli_w

from support import small_scenario


def tiny_optimisation(**changes) -> dict:
    """A valid optimisation of ``small_scenario()``: the margin, the flight and a budget split."""
    data = {
        "name": "tiny",
        "scenario": "scenario.toml",
        "seed": 5,
        "customers": 300,
        "days": 25,
        "variables": [{"name": "margin", "path": "brands.0.margin", "low": 0.1, "high": 0.9}],
        "objectives": [{"outcome": "total_profit", "direction": "maximize"}],
        "search": {"evaluations": 6, "replications": 2, "batch": 2, "startup": 3},
        "selection": {
            "top": 2,
            "indifference": 50.0,
            "first_stage": 3,
            "step": 1,
            "max_replications": 6,
        },
    }
    data.update(copy.deepcopy(changes))
    return data


def write_optimisation(
    folder: Path, data: dict | None = None, scenario: dict | None = None
) -> Path:
    """Write ``scenario.toml`` and ``optimisation.toml`` into ``folder``; return the latter."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.toml").write_text(tomli_w.dumps(scenario or small_scenario()))
    path = folder / "optimisation.toml"
    path.write_text(tomli_w.dumps(tiny_optimisation() if data is None else data))
    return path
