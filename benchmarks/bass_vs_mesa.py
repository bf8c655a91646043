"""The reduced network-Bass model through ecosim's public API against per-agent Mesa.

Both simulate the network Bass model (Bass 1969) on the same Barabasi-Albert network
(m = 5) of ``--customers`` customers for ``--days`` days, from nobody adopted: ecosim as
``EcosystemModel`` of ``scenarios/baseline.toml`` with ``diffusion.rule = "bass"`` and no
campaign, stepped day by day with its data collection; Mesa as the plain per-agent
reference of the validation suite (``tests/reference/diffusion.py``: one agent per
customer, ``shuffle_do``, a ``DataCollector``). Building the network and the models is not
timed; each measurement is a fresh process, the engines taking turns.

In the ecosim process the script also times, per day, the network pass (counting adopted
neighbours) against a bare float32 CSR product of the same graph
(``scipy.sparse.csr_array @ vector``), and the data collection (outcomes and Mesa's
``DataCollector``) as a share of the day. Times are CPU times of the simulating thread, so
that other work on a shared machine weighs less on them.

``--before DIR`` adds ecosim from another checkout (its own ``ecosim``), in turn;
``--outcomes NAME ...`` adds ecosim measuring only those outcomes (``outcomes=``, what a
calibration does), in turn.

Usage::

    python benchmarks/bass_vs_mesa.py                    # 10^5 customers, 50 days, 3 rounds
    python benchmarks/bass_vs_mesa.py --before /tmp/speed-before --outcomes adopted_share purchases
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADING = "Network Bass through the model: ecosim against per-agent Mesa"
P, Q = 0.001, 0.1


def overrides(n: int, days: int) -> dict:
    """The reduced model's scenario changes: Bass on BA(m=5), no campaign."""
    return {
        "population.size": n,
        "days": days,
        "network": {"kind": "barabasi_albert", "m": 5},
        "diffusion.rule": "bass",
        "diffusion.p": P,
        "diffusion.q": Q,
        "campaign": [],
    }


def run_ecosim(n: int, days: int, outcomes: list[str] | None = None) -> dict:
    """Step ecosim's reduced model; time the days, the network passes and the collection."""
    import numpy as np
    from scipy import sparse

    import ecosim
    from ecosim import metrics
    from ecosim.network import SocialNetwork

    clock = time.thread_time  # CPU time: other work on a shared machine weighs less on it
    chosen = {"outcomes": outcomes} if outcomes else {}
    model = ecosim.EcosystemModel(
        ROOT / "scenarios" / "baseline.toml", rng=1, **_kw(n, days), **chosen
    )
    spent = {"network": 0.0, "collect": 0.0}
    passes = [0]

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            started = clock()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += clock() - started
                passes[0] += name == "network"

        return wrapper

    pass_name = (
        "neighbor_share" if hasattr(SocialNetwork, "neighbor_share") else ("count_marked_neighbors")
    )
    setattr(SocialNetwork, pass_name, timed("network", getattr(SocialNetwork, pass_name)))
    module = sys.modules[type(model).step.__module__]  # the module whose step measures
    module.measure = timed("collect", metrics.measure)
    model.datacollector.collect = timed("collect", model.datacollector.collect)
    started = clock()
    for _ in range(days):
        model.step()
    total = clock() - started
    graph = model.network
    ones = np.ones(graph.indices.size, dtype=np.float32)
    adjacency = sparse.csr_array((ones, graph.indices, graph.indptr), shape=(n, n))
    vector = (np.arange(n) % 3 == 0).astype(np.float32)
    products = []
    for _ in range(30):
        begun = clock()
        adjacency @ vector
        products.append(clock() - begun)
    return {
        "engine": "ecosim",
        "customers": n,
        "days": days,
        "ms_per_day": 1e3 * total / days,
        "network_ms_per_pass": 1e3 * spent["network"] / max(passes[0], 1),
        "passes_per_day": passes[0] / days,
        "matvec_ms": 1e3 * statistics.median(products),
        "collect_share": spent["collect"] / total,
        "final_share": float(model.timeseries()["adopted_share"].iloc[-1]),
    }


def run_mesa(n: int, days: int) -> dict:
    """Step the per-agent Mesa reference on ecosim's network of the same scenario."""
    import ecosim

    sys.path.insert(0, str(ROOT / "tests"))
    from reference.diffusion import ReferenceDiffusion

    network = ecosim.EcosystemModel(
        ROOT / "scenarios" / "baseline.toml", rng=1, **_kw(n, days)
    ).network
    model = ReferenceDiffusion(network.to_networkx(), "bass", p=P, q=Q, rng=1)
    started = time.thread_time()
    shares = model.run(days)
    total = time.thread_time() - started
    return {
        "engine": "mesa",
        "customers": n,
        "days": days,
        "ms_per_day": 1e3 * total / days,
        "final_share": float(shares[-1]),
    }


def _kw(n: int, days: int) -> dict:
    return {"overrides": overrides(n, days)}


def in_subprocess(
    engine: str, source: Path, n: int, days: int, outcomes: list[str] | None = None
) -> dict:
    """One measurement in a fresh process importing ``ecosim`` from ``source``."""
    command = [sys.executable, __file__, "--one", engine, str(n), str(days)]
    command += ["--outcomes", *outcomes] if outcomes else []
    environment = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run(
        command, capture_output=True, text=True, check=True, cwd=ROOT, env=environment
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout's ecosim, in turn")
    parser.add_argument("--outcomes", nargs="+", metavar="NAME", help="also ecosim with only these")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, n, days = args.one
        if engine == "mesa":
            print(json.dumps(run_mesa(int(n), int(days))))
        else:
            print(json.dumps(run_ecosim(int(n), int(days), args.outcomes)))
        return
    engines = [("after", ROOT), ("mesa", ROOT)]
    if args.before:
        engines.insert(0, ("before", args.before))
    if args.outcomes:
        engines.insert(-1, ("after, some outcomes", ROOT))
    rows: dict[str, list[dict]] = {label: [] for label, _ in engines}
    for _ in range(args.rounds):
        for label, source in engines:
            engine = "mesa" if label == "mesa" else "ecosim"
            some = args.outcomes if label == "after, some outcomes" else None
            row = in_subprocess(engine, source, args.customers, args.days, some)
            row["load"] = Path("/proc/loadavg").read_text().split()[0]
            rows[label].append(row)
            print(label, json.dumps(row), flush=True)
    mesa = statistics.median(r["ms_per_day"] for r in rows["mesa"])
    for label in rows:
        if label == "mesa":
            continue
        ecosim_day = statistics.median(r["ms_per_day"] for r in rows[label])
        print(f"{label}: Mesa / ecosim per day = {mesa / ecosim_day:.0f}x")


if __name__ == "__main__":
    main()
