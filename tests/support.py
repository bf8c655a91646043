"""Shared test helpers: small hand-checkable populations and scenarios, statistical checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np

from ecosim.population import Population

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def start_command(*args: str) -> subprocess.Popen:
    """Start ``ecosim ARGS`` as a terminal does: in a session of its own, Ctrl-C not ignored.

    Its standard error is read as text; ``os.killpg(process.pid, signal.SIGINT)`` is a
    Ctrl-C at the terminal, which reaches every process of the command.
    """
    return subprocess.Popen(
        [sys.executable, "-m", "ecosim.cli", *args],
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def make_population(n: int, n_brands: int = 1, history=(0, 0, 0), **values) -> Population:
    """A population of identical customers; keyword arguments set any array's value."""
    population = Population.blank(n, n_brands, history)
    for name, value in values.items():
        array = getattr(population, name)
        value = np.asarray(value)
        if value.ndim == 1 and array.ndim == 2:
            value = value[:, None]
        array[...] = value
    return population


def small_scenario(**changes) -> dict:
    """A minimal valid scenario as a dictionary (as read from TOML)."""
    data = {
        "name": "small",
        "days": 30,
        "seed": 7,
        "population": {
            "size": 500,
            "segments": [
                {"name": "a", "share": 0.6, "channel_preferences": {"social": 0.9}},
                {"name": "b", "share": 0.4},
            ],
        },
        "network": {"kind": "watts_strogatz", "k": 6, "p": 0.1},
        "brands": [{"name": "shop", "price": 100.0, "budget": 10_000.0}],
        "channels": [{"name": "social", "reach": 0.2, "cost_per_exposure": 0.5}],
        "influencers": [{"name": "ayu", "audience_share": 0.2, "fee": 50.0}],
        "campaign": [
            {"type": "advertising", "brand": "shop", "channel": "social", "start": 1, "end": 20},
            {"type": "promotion", "brand": "shop", "start": 10, "end": 12, "discount": 0.2},
        ],
    }
    data.update(changes)
    return data


def rival_market(**changes) -> dict:
    """``small_scenario()`` with a rival brand that spends a hundred times the shop's budget
    on a TV flight (a fixed cost of 50,000): the market's totals are almost all the rival's."""
    data = small_scenario(
        brands=[
            {"name": "shop", "price": 100.0, "budget": 10_000.0},
            {"name": "rival", "price": 90.0, "budget": 100_000.0},
        ],
        **changes,
    )
    flight = {"type": "advertising", "brand": "rival", "channel": "social", "start": 1, "end": 20}
    data["campaign"].append({**flight, "cost": 50_000.0})
    return data


def ring_scenario(folder: Path, nodes: int) -> dict:
    """``small_scenario()`` on a ring of ``nodes`` customers, its edge list ``folder/ring.csv``."""
    (folder / "ring.csv").write_text("".join(f"{i},{(i + 1) % nodes}\n" for i in range(nodes)))
    scenario = small_scenario(network={"kind": "edge_list", "path": "ring.csv"})
    scenario["population"]["size"] = nodes
    return scenario


def assert_rate(successes: int, trials: int, p: float, z: float = 4.0) -> None:
    """Assert a binomial count is within ``z`` standard errors of ``trials * p``."""
    sd = np.sqrt(trials * p * (1 - p))
    assert abs(successes - trials * p) <= z * sd + 1e-9, (
        f"{successes}/{trials} is not within {z} sd of p={p:.4f} (expected {trials * p:.1f})"
    )


def paired_lower_bound(a, b, confidence: float = 0.95) -> float:
    """One-sided lower confidence bound of mean(a - b) over paired replications (t)."""
    from scipy import stats

    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    t = stats.t.ppf(confidence, len(d) - 1)
    return float(d.mean() - t * d.std(ddof=1) / np.sqrt(len(d)))


SEEDS = range(100, 120)
"""The fixed set of replication seeds of the statistical tests."""
