"""Which scenarios the app offers, and scenarios with an uploaded network."""

from __future__ import annotations

import os
from pathlib import Path

from ecosim.network import read_edge_list
from ecosim.scenario import Scenario, validate_scenario

__all__ = ["SCENARIO_VARIABLE", "first_scenario", "scenario_files", "with_edge_list"]

SCENARIO_VARIABLE = "ECOSIM_UI_SCENARIO"
"""Environment variable naming the scenario file the app opens with (set by ``ecosim ui``)."""


def first_scenario() -> Path:
    """Return the scenario file to open with: ``$ECOSIM_UI_SCENARIO``, else the baseline."""
    if os.environ.get(SCENARIO_VARIABLE):
        return Path(os.environ[SCENARIO_VARIABLE]).resolve()
    local = Path("scenarios") / "baseline.toml"
    return (local if local.is_file() else Path(__file__).parents[2] / local).resolve()


def scenario_files(folder: Path) -> dict[str, Path]:
    """Return the scenario files of a folder by name (file stem), sorted.

    Examples
    --------
    >>> files = scenario_files(Path("scenarios"))
    >>> files["baseline"].name, "two_brands" in files
    ('baseline.toml', True)
    """
    return {path.stem: path for path in sorted(folder.glob("*.toml"))}


def with_edge_list(scenario: Scenario, path: Path) -> Scenario:
    """Return the scenario with its network read from an edge-list file.

    Raises
    ------
    EdgeListError
        If the file is not an edge list of the scenario's customers (the message names the
        line and what was expected).
    ScenarioError
        If the scenario with this network is not valid.
    """
    read_edge_list(path, scenario.population.size)
    data = scenario.model_dump()
    data["network"] = {"kind": "edge_list", "path": str(path)}
    return validate_scenario(data, source=f"{scenario.name} with {path.name}")
