"""Small experiments written to a temporary folder, for the experiment tests."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import tomli_w

from support import small_scenario


def tiny_experiment(**changes) -> dict:
    """A valid experiment on ``small_scenario()``: 3 strategies × 2 conditions × 3 runs."""
    data = {
        "name": "tiny",
        "description": "Three plans on a small market.",
        "scenario": "scenario.toml",
        "seed": 11,
        "replications": 3,
        "days": 15,
        "customers": 300,
        "baseline": "plain",
        "outcomes": ["final_adopted_share", "total_revenue", "roi"],
        "strategies": {
            "plain": {"description": "as written"},
            "quiet": {"set": {"campaign.0.intensity": 0.2}},
            "promo": {
                "append": {
                    "campaign": [
                        {
                            "type": "promotion",
                            "brand": "shop",
                            "start": 2,
                            "end": 8,
                            "discount": 0.3,
                        }
                    ]
                }
            },
        },
        "conditions": {
            "parameters": [
                {
                    "name": "wom",
                    "path": "dynamics.wom_awareness_rate",
                    "range": [0.2, 0.8],
                    "levels": 2,
                }
            ]
        },
    }
    data.update(copy.deepcopy(changes))
    return data


def write_experiment(folder: Path, data: dict | None = None, scenario: dict | None = None) -> Path:
    """Write ``scenario.toml`` and ``experiment.toml`` into ``folder``; return the latter."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.toml").write_text(tomli_w.dumps(scenario or small_scenario()))
    path = folder / "experiment.toml"
    path.write_text(tomli_w.dumps(tiny_experiment() if data is None else data))
    return path


def read_results(folder: Path) -> pd.DataFrame:
    """The results table of a batch folder."""
    return pd.read_parquet(folder / "results.parquet")
