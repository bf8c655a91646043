"""Speed of the same simulation with two versions of ecosim's source, side by side.

Written to measure what common random numbers at the level of the customer cost: before
them every process thinned a shared ``numpy`` stream (``bernoulli(indices, p, rng)``),
after them every customer's draw is hashed from (run seed, purpose, day, customer)
(``Draws.uniform``). Give the two source folders (checkouts of the two commits); each
measurement runs in a fresh process that imports ecosim from its folder (and reads that
folder's scenarios), and the two versions take turns (before, after, before, after...) so
that a drift in the machine's speed hits both alike; the ratio after / before is taken
pair by pair and its median reported.

Two measurements:

- ``model``: the baseline scenario built, then stepped day by day; only the days are timed,
  import and build excluded, on the wall clock (``time.perf_counter``) and as the process's
  CPU time (``time.process_time``, which other work on a shared machine disturbs less).
  Reported as milliseconds per day.
- ``sampling``: the hot sampling call alone, at 10^4 and 10^6 keys: the old thinning
  ``bernoulli`` and ``rng.random`` (what a uniform per key costs from numpy's own
  generator) in the before folder; ``Draws.bernoulli`` and ``Draws.uniform`` in the after
  folder. Reported as the median CPU time of one call, in microseconds.

Usage::

    python benchmarks/crn_speed.py BEFORE AFTER                   # both measurements
    python benchmarks/crn_speed.py BEFORE AFTER --only sampling --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import timeit
from functools import partial
from pathlib import Path

from recording import load, machine

SIZES = ("10000x365", "100000x60")
KEYS = (10_000, 1_000_000)
SCALAR_P = 0.05
"""Probability of the scalar Bernoulli draws (the order of a day's talk or churn)."""


def model_days(customers: int, days: int) -> dict:
    """Build the baseline scenario, step it ``days`` times; return the stepping time."""
    import ecosim

    model = ecosim.EcosystemModel("scenarios/baseline.toml", rng=1, customers=customers, days=days)
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(days):
        model.step()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "source": ecosim.__file__,
        "ms_per_day": 1000 * seconds / days,
        "cpu_ms_per_day": 1000 * cpu / days,
    }


def per_call(call) -> float:
    """Median CPU time of one call in microseconds, over 7 batches of at least 0.2 s each."""
    timer = timeit.Timer(call, timer=time.process_time)
    number, _ = timer.autorange()
    return 1e6 * statistics.median(timer.repeat(7, number)) / number


def sampling_calls() -> dict:
    """Time this folder's sampling calls at each size of :data:`KEYS`."""
    import numpy as np

    import ecosim
    from ecosim.processes import sampling

    times = {}
    for n in KEYS:
        keys = np.arange(n)
        varying = np.random.default_rng(0).uniform(0.0, 2 * SCALAR_P, n)
        if hasattr(sampling, "Draws"):
            draws = sampling.Draws(1)
            calls = {
                "Draws.uniform": partial(draws.uniform, "x", keys),
                "bernoulli p scalar": partial(draws.bernoulli, "x", keys, SCALAR_P),
                "bernoulli p per key": partial(draws.bernoulli, "x", keys, varying),
            }
        else:
            rng = np.random.default_rng(1)
            calls = {
                "rng.random": partial(rng.random, n),
                "bernoulli p scalar": partial(sampling.bernoulli, keys, SCALAR_P, rng),
                "bernoulli p per key": partial(sampling.bernoulli, keys, varying, rng),
            }
        times.update({f"{name}, {n}": per_call(call) for name, call in calls.items()})
    return {"source": ecosim.__file__, "us_per_call": times}


def in_folder(folder: Path, *args: str) -> dict:
    """Run this script's ``--one`` in a fresh process importing ecosim from ``folder``."""
    env = {**os.environ, "PYTHONPATH": str(folder)}
    command = [sys.executable, __file__, "--one", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=folder, env=env)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not Path(result["source"]).resolve().is_relative_to(folder.resolve()):
        raise SystemExit(f"{folder}: ecosim was imported from {result['source']}, not from it")
    return result


def side_by_side(before: Path, after: Path, args: list[str], repeats: int) -> list[tuple]:
    """Alternate the two folders ``repeats`` times; return the (before, after) pairs."""
    pairs = []
    for _ in range(repeats):
        pairs.append((in_folder(before, *args), in_folder(after, *args)))
        print(json.dumps(pairs[-1]), file=sys.stderr, flush=True)
    return pairs


def model_table(before: Path, after: Path, repeats: int) -> str:
    lines = [
        "| customers × days | clock | before (ms per day) | after (ms per day) "
        "| after / before (median of pairs) | min – max of pairs |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for size in SIZES:
        customers, days = size.split("x")
        pairs = side_by_side(before, after, ["model", customers, days], repeats)
        for clock, key in (("wall", "ms_per_day"), ("CPU", "cpu_ms_per_day")):
            old = [a[key] for a, _ in pairs]
            new = [b[key] for _, b in pairs]
            ratios = [b / a for a, b in zip(old, new, strict=True)]
            lines.append(
                f"| {int(customers):,} × {days} | {clock} | {statistics.median(old):.2f} "
                f"| {statistics.median(new):.2f} | {statistics.median(ratios):.3f} "
                f"| {min(ratios):.3f} – {max(ratios):.3f} |"
            )
    return "\n".join(lines)


def sampling_table(before: Path, after: Path, repeats: int) -> str:
    pairs = side_by_side(before, after, ["sampling"], repeats)
    lines = [
        "| call | keys | before (µs) | after (µs) | after / before (median of pairs) |",
        "|---|---:|---:|---:|---:|",
    ]
    old_calls, new_calls = pairs[0][0]["us_per_call"], pairs[0][1]["us_per_call"]
    for name in old_calls:
        call, n = name.rsplit(", ", 1)
        old = [a["us_per_call"][name] for a, _ in pairs]
        if name in new_calls:
            new = [b["us_per_call"][name] for _, b in pairs]
            ratio = statistics.median(b / a for a, b in zip(old, new, strict=True))
            cells = f"{statistics.median(new):,.0f} | {ratio:.2f}"
        else:
            uniform = f"Draws.uniform, {n}"
            new = [b["us_per_call"][uniform] for _, b in pairs]
            ratio = statistics.median(b / a for a, b in zip(old, new, strict=True))
            call = f"{call} (before) against Draws.uniform (after)"
            cells = f"{statistics.median(new):,.0f} | {ratio:.2f}"
        lines.append(f"| {call} | {int(n):,} | {statistics.median(old):,.0f} | {cells} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, nargs="?", help="source folder of the old version")
    parser.add_argument("after", type=Path, nargs="?", help="source folder of the new version")
    parser.add_argument("--repeats", type=int, default=7, help="pairs of runs per measurement")
    parser.add_argument("--only", choices=("model", "sampling"), help="one measurement only")
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, *sizes = args.one
        result = model_days(*map(int, sizes)) if kind == "model" else sampling_calls()
        print(json.dumps(result))
        return
    if args.before is None or args.after is None:
        parser.error("give the two source folders, BEFORE and AFTER")
    for folder in (args.before, args.after):
        if not (folder / "ecosim" / "__init__.py").is_file():
            parser.error(f"{folder}: not an ecosim source folder (no ecosim/__init__.py)")
    print(f"{machine()}; load average (1 min) {load()} at the start", flush=True)
    if args.only in (None, "model"):
        print(model_table(args.before, args.after, args.repeats), flush=True)
    if args.only in (None, "sampling"):
        print(sampling_table(args.before, args.after, args.repeats), flush=True)
    print(f"load average (1 min) {load()} at the end")


if __name__ == "__main__":
    main()
