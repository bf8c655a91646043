"""Speed and memory of ecosim at 10^4, 10^5 and 10^6 customers, against per-agent Mesa.

Runs ``scenarios/baseline.toml`` for 365 days at each size, in a fresh process per
measurement (so that peak memory is that run's alone), and, side by side, the same
word-of-mouth rule three ways on the same Barabasi-Albert network (m = 4): ecosim's
vectorised dialogue phase alone, and a plain per-agent Mesa model (one agent per
customer, ``shuffle_do``; ``benchmarks/mesa_wom.py``). The per-agent model runs fewer days
at large sizes (``--mesa-days``); its time per day is reported and scaled to 365 days.

Usage::

    python benchmarks/scale.py                  # writes benchmarks/RESULTS.md (section "Scale")
    python benchmarks/scale.py --sizes 10000    # a quick look, printed only
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from recording import machine, write_section

ROOT = Path(__file__).resolve().parents[1]
HEADING = "Scale: the baseline at 10^4 to 10^6 customers"
DAYS = 365


def measure(kind: str, n: int, days: int) -> dict:
    """Run one measurement in this process and return its timings and peak memory."""
    import numpy as np

    import ecosim
    from ecosim.network import barabasi_albert
    from ecosim.population import Population
    from ecosim.processes.dialogue import speak, word_of_mouth
    from ecosim.scenario import Dynamics

    started = time.perf_counter()
    if kind == "ecosim":
        model = ecosim.EcosystemModel(ROOT / "scenarios" / "baseline.toml", customers=n, days=days)
        built = time.perf_counter()
        model.run()
    else:
        rng = np.random.default_rng(1)
        network = barabasi_albert(n, 4, rng)
        if kind == "ecosim_wom":
            params = Dynamics()
            population = Population.blank(n, 1)
            population.talkativeness[:] = rng.beta(2, 8, n)
            population.aware[:, 0] = rng.random(n) < 0.3
            population.experience[:, 0] = np.where(
                population.aware[:, 0], rng.uniform(-0.5, 1, n), 0
            )
            population.stage[population.aware] = 1
            built = time.perf_counter()
            for _ in range(days):
                positive, negative = speak(population, params, rng)
                word_of_mouth(population, network, positive, negative, params, rng)
        else:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from mesa_wom import WordOfMouth

            model = WordOfMouth(network, seed=1)
            built = time.perf_counter()
            for _ in range(days):
                model.step()
    finished = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "kind": kind,
        "customers": n,
        "days": days,
        "build_seconds": built - started,
        "run_seconds": finished - built,
        "peak_bytes": peak,
    }


def in_subprocess(kind: str, n: int, days: int) -> dict:
    command = [sys.executable, __file__, "--one", kind, str(n), str(days)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(rows: list[dict]) -> str:
    def per_year(row: dict) -> float:
        return row["run_seconds"] / row["days"] * DAYS

    lines = [
        f"Measured {date.today().isoformat()} on {machine()}, by `python benchmarks/scale.py`. "
        "Each row is a fresh process; memory is its peak resident set.",
        "",
        "| model | customers | days run | build (s) | run (s) | 365 days (s) "
        "| total for 365 days (s) | peak memory (GiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = {
        "ecosim": "ecosim, full baseline (all phases)",
        "ecosim_wom": "ecosim, word of mouth only",
        "mesa_wom": "per-agent Mesa, word of mouth only",
    }
    for row in rows:
        year = per_year(row)
        lines.append(
            f"| {names[row['kind']]} | {row['customers']:,} | {row['days']} "
            f"| {row['build_seconds']:.2f} | {row['run_seconds']:.1f} | {year:.1f} "
            f"| {row['build_seconds'] + year:.1f} | {row['peak_bytes'] / 2**30:.2f} |"
        )
    lines += [
        "",
        "Speed-up of the same word-of-mouth rule "
        "(time per simulated day, per-agent Mesa / ecosim):",
        "",
    ]
    for n in sorted({r["customers"] for r in rows}):
        vector = [r for r in rows if r["customers"] == n and r["kind"] == "ecosim_wom"]
        agents = [r for r in rows if r["customers"] == n and r["kind"] == "mesa_wom"]
        full = [r for r in rows if r["customers"] == n and r["kind"] == "ecosim"]
        if vector and agents:
            ratio = (agents[0]["run_seconds"] / agents[0]["days"]) / (
                vector[0]["run_seconds"] / vector[0]["days"]
            )
            line = f"- {n:,} customers: {ratio:,.0f}x"
            if full:
                whole = (agents[0]["run_seconds"] / agents[0]["days"]) / (
                    full[0]["run_seconds"] / full[0]["days"]
                )
                line += f" (and {whole:,.0f}x against ecosim's full day, all seven phases)"
            lines.append(line)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--mesa-days",
        type=int,
        nargs="+",
        default=[365, 30, 3],
        help="days of the per-agent model at each size",
    )
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, n, days = args.one
        print(json.dumps(measure(kind, int(n), int(days))))
        return
    rows = []
    for n, mesa_days in zip(args.sizes, args.mesa_days, strict=False):
        for kind, days in (("ecosim", DAYS), ("ecosim_wom", DAYS), ("mesa_wom", mesa_days)):
            row = in_subprocess(kind, n, days)
            print(json.dumps(row), flush=True)
            rows.append(row)
    text = report(rows)
    print(text)
    if args.sizes == parser.get_default("sizes"):
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
