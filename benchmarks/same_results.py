"""Check that two checkouts of ecosim give the same daily series, run by run.

Runs a set of short runs covering every engine and code path a speed change could touch
(the shipped scenarios, the four reduced rules, a weighted edge list with the full model,
Bass and SIS) in each checkout, in a fresh process importing that checkout's ``ecosim``,
hashes each run's daily series of every outcome (``pandas.util.hash_pandas_object``)
and compares.

Usage::

    python benchmarks/same_results.py BEFORE_DIR AFTER_DIR
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

RUNS = [
    ("baseline", 3000, 120, {}),
    ("two_brands", 2000, 100, {}),
    ("viral_content", 2000, 100, {}),
    ("service_crisis", 2000, 365, {}),
    ("points_vs_tiers", 2000, 100, {}),
    ("paid_membership", 2000, 100, {}),
    ("influencer_seeding", 2000, 100, {}),
    ("proactive_personalisation", 2000, 100, {}),
    ("baseline", 3000, 60, {"diffusion.rule": "bass", "diffusion.p": 0.01, "diffusion.q": 0.3}),
    ("baseline", 3000, 60, {"diffusion.rule": "sis", "diffusion.seeds.share": 0.05}),
    (
        "baseline",
        3000,
        30,
        {
            "diffusion.rule": "independent_cascade",
            "diffusion.seeds.share": 0.01,
            "diffusion.edge_probability": 0.1,
        },
    ),
    ("baseline", 3000, 30, {"diffusion.rule": "linear_threshold", "diffusion.seeds.share": 0.05}),
]
WEIGHTED = [
    ("baseline", 2000, 100, {}),
    ("baseline", 2000, 40, {"diffusion.rule": "bass", "diffusion.p": 0.01, "diffusion.q": 0.3}),
    ("baseline", 2000, 40, {"diffusion.rule": "sis", "diffusion.seeds.share": 0.05}),
]


def hashes(edge_list: str) -> list[str]:
    """Run every case in this process; return one hash of the daily series per run."""
    import warnings

    import pandas as pd

    warnings.simplefilter("ignore")
    import ecosim

    network = {"network": {"kind": "edge_list", "path": edge_list}}
    cases = RUNS + [(name, n, days, {**network, **extra}) for name, n, days, extra in WEIGHTED]
    every = "outcomes" in inspect.signature(ecosim.run).parameters
    result = []
    for name, n, days, overrides in cases:
        path = f"scenarios/{name}.toml"
        # every outcome, whatever the engine's default (a version without ``outcomes``
        # reports them all)
        chosen = {"outcomes": everything(ecosim.load_scenario(path, overrides))} if every else {}
        daily = ecosim.run(path, seed=5, customers=n, days=days, overrides=overrides, **chosen)
        digest = hashlib.sha1(pd.util.hash_pandas_object(daily, index=False).to_numpy().tobytes())
        result.append(f"{name} {json.dumps(overrides)}: {digest.hexdigest()[:16]}")
    return result


def everything(scenario) -> list[str]:
    """Every outcome of a scenario, by name (the form both versions accept)."""
    from ecosim import metrics

    return [*metrics.OUTCOMES, *(f"tier_{name}" for name in metrics.tier_names(scenario))]


def weighted_edges(path: Path) -> None:
    """Write a weighted Barabasi-Albert edge list of 2,000 customers (m = 4)."""
    import networkx as nx
    import numpy as np

    graph = nx.barabasi_albert_graph(2000, 4, seed=3)
    weight = np.random.default_rng(0).uniform(0.2, 3.0, graph.number_of_edges())
    lines = [f"{u},{v},{w:.3f}" for (u, v), w in zip(graph.edges(), weight, strict=True)]
    path.write_text("source,target,weight\n" + "\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(hashes(args.one)))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        edges = Path(folder) / "weighted.csv"
        weighted_edges(edges)
        found = {}
        for checkout in (args.before, args.after):
            command = [sys.executable, __file__, str(args.before), str(args.after)]
            done = subprocess.run(
                [*command, "--one", str(edges)],
                capture_output=True,
                text=True,
                check=True,
                cwd=checkout,
                env={**os.environ, "PYTHONPATH": str(checkout.resolve())},
            )
            found[checkout] = json.loads(done.stdout.strip().splitlines()[-1])
    differ = 0
    for before, after in zip(found[args.before], found[args.after], strict=True):
        same = before == after
        differ += not same
        print(("same    " if same else "DIFFERS ") + after)
    print(f"{len(found[args.after]) - differ} of {len(found[args.after])} runs identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
