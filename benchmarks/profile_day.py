"""Where a simulated day's time goes: CPU time per phase per day, at several sizes.

Builds a scenario (``scenarios/baseline.toml`` unless told otherwise), times every phase
of every day with a wrapper around the model's phase methods, and prints milliseconds per
day for each phase and its share of the day. The phases are the model's own methods
(``brands`` is the brands' ``step``, ``measure`` the data collection); a reduced model's
day is ``diffuse`` and ``measure``. Build time (population and network) is printed apart.

Usage::

    python benchmarks/profile_day.py                                 # 10^3 .. 10^6, 365 days
    python benchmarks/profile_day.py --sizes 10000 --days 100
    python benchmarks/profile_day.py --sizes 100000 --days 50 --set diffusion.rule=bass \
        --set network.m=5 --set campaign=[]
    python benchmarks/profile_day.py ... --outcomes adopted_share purchases   # a few outcomes

Run it with ``PYTHONPATH`` set to the checkout to profile (another checkout's ``ecosim``
gives its own phases, for a before-and-after comparison in one call: ``--before DIR``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FULL_PHASES = ("_deliver", "_experience", "_dialogue", "_shop", "_engage")
REDUCED_PHASES = ("_diffuse",)


def profile(
    scenario: str, n: int, days: int, overrides: dict, outcomes: list[str] | None = None
) -> dict:
    """Build and run one model in this process; return build time and ms per day per phase."""
    import numpy as np

    import ecosim
    from ecosim import metrics

    clock = time.thread_time  # CPU time: other work on a shared machine weighs less on it
    spent: dict[str, float] = defaultdict(float)

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            started = clock()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += clock() - started

        return wrapper

    build = ecosim.EcosystemModel
    started = clock()
    chosen = {"outcomes": outcomes} if outcomes else {}
    model = build(scenario, rng=1, customers=n, days=days, overrides=overrides, **chosen)
    built = clock() - started
    kind = type(model)
    for name in (*FULL_PHASES, *REDUCED_PHASES):
        if hasattr(model, name):
            setattr(model, name, timed(name.strip("_"), getattr(model, name)))
    brand = type(next(iter(model.brands)))
    brand.step = timed("brands", brand.step)
    measure = metrics.measure
    measured = timed("measure", measure)
    module = sys.modules[kind.step.__module__]  # the module whose step measures
    module.measure = measured
    collect = model.datacollector.collect
    model.datacollector.collect = timed("collect", collect)
    spent.clear()
    wall_started = time.perf_counter()
    started = clock()
    for _ in range(days):
        model.step()
        if not model.running:
            break
    total = clock() - started
    steps = max(model.steps, 1)
    wall = time.perf_counter() - wall_started
    phases = {name: 1e3 * seconds / steps for name, seconds in spent.items()}
    phases["day"] = 1e3 * total / steps
    phases["other"] = phases["day"] - sum(v for k, v in phases.items() if k != "day")
    load = Path("/proc/loadavg").read_text().split()[0]
    return {
        "customers": n,
        "days": steps,
        "build_s": built,
        "model": kind.__name__,
        "numpy": np.__version__,
        "ms_per_day": phases,
        "wall_ms_per_day": 1e3 * wall / steps,
        "load": load,
    }


def _overrides(assignments: list[str]) -> dict:
    values = {}
    for assignment in assignments:
        path, _, text = assignment.partition("=")
        values[path] = tomllib.loads(f"v = {text}")["v"]
    return values


def in_subprocess(
    source: Path, scenario: str, n: int, days: int, sets: list[str], outcomes: list[str] | None
) -> dict:
    """Profile in a fresh process importing ``ecosim`` from ``source``."""
    command = [sys.executable, __file__, "--one", scenario, str(n), str(days)]
    for assignment in sets:
        command += ["--set", assignment]
    if outcomes:
        command += ["--outcomes", *outcomes]
    environment = {"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        command, capture_output=True, text=True, check=True, cwd=source, env=environment
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def show(label: str, row: dict) -> str:
    """One line per phase: CPU ms per day and share of the day (and the day's wall time)."""
    phases = row["ms_per_day"]
    day = phases["day"]
    parts = [
        f"{name} {value:.3f} ({100 * value / day:.0f}%)"
        for name, value in sorted(phases.items(), key=lambda item: -item[1])
        if name != "day"
    ]
    return (
        f"{label}{row['customers']:>9,} customers x {row['days']} days, "
        f"build {row['build_s']:.2f} s, day {day:.3f} ms CPU "
        f"({row['wall_ms_per_day']:.3f} wall, load {row['load']}): " + ", ".join(parts)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/baseline.toml")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    parser.add_argument("--before", type=Path, help="another checkout, profiled in turn")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--outcomes", nargs="+", metavar="NAME", help="measure only these outcomes (all if omitted)"
    )
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        scenario, n, days = args.one
        overrides = _overrides(args.set)
        print(json.dumps(profile(scenario, int(n), int(days), overrides, args.outcomes)))
        return
    sources = [("after  ", ROOT)] + ([("before ", args.before)] if args.before else [])
    for n in args.sizes:
        for _ in range(args.repeats):
            for label, source in reversed(sources):
                row = in_subprocess(source, args.scenario, n, args.days, args.set, args.outcomes)
                print(show(label if args.before else "", row), flush=True)


if __name__ == "__main__":
    main()
