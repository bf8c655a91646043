"""The batch engine's overhead: `ecosim batch` on Dask against the same runs in plain processes.

Both run the runs of ``experiments/strategy_comparison.toml`` (its strategies × market
conditions × ``--replications``, ``--customers`` customers, a year each) on ``--workers``
processes: ``ecosim batch`` (``run_experiment``: an embedded Dask ``LocalCluster``, every
run written to disk as it finishes) and a ``multiprocessing`` pool of plain processes
calling the same ``simulate`` and keeping the results in memory. Each measurement is a
fresh process; the runners take turns, ``--rounds`` times. ``--before DIR`` adds
``ecosim batch`` from another checkout.

A run's own cost is measured too: one simulation timed inside a Dask worker and in a plain
process, with its CPU time and its minor page faults (the thread's ``getrusage``).

Usage::

    python benchmarks/batch_overhead.py --replications 2 --rounds 2 --before /tmp/before
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "experiments" / "strategy_comparison.toml"


def _experiment(replications: int, customers: int):
    from ecosim.experiment import load_experiment
    from ecosim.model import resolve_scenario

    experiment = load_experiment(EXPERIMENT)
    scenario = resolve_scenario(experiment.scenario, customers=customers)
    return experiment.model_copy(update={"replications": replications, "scenario": scenario})


def _simulate(arguments: tuple) -> float:
    from ecosim.experiment.runner import simulate

    scenario, overrides, seed = arguments
    simulate(scenario, overrides, seed)
    return 0.0


def one_run(scenario, overrides, seed) -> dict:
    """Time one simulation in the calling thread: wall, CPU and minor page faults."""
    import resource

    from ecosim.experiment.runner import simulate

    faults = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    started, cpu = time.perf_counter(), time.thread_time()
    simulate(scenario, overrides, seed)
    return {
        "wall": time.perf_counter() - started,
        "cpu": time.thread_time() - cpu,
        "faults": resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - faults,
    }


def measure(kind: str, replications: int, customers: int, workers: int) -> dict:
    """One measurement: runs per minute of a runner, or one run's cost in and out of Dask."""
    from ecosim.experiment import plan_runs, run_experiment

    experiment = _experiment(replications, customers)
    runs = plan_runs(experiment)
    if kind == "batch":
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            result = run_experiment(experiment, Path(folder) / "out", workers=workers)
            seconds = time.perf_counter() - started
        assert result.failed == 0 and result.finished == len(runs)
        return {"runs": len(runs), "seconds": seconds}
    if kind == "plain":
        jobs = [(experiment.scenario, run.overrides, run.seed) for run in runs]
        context = multiprocessing.get_context("spawn")
        started = time.perf_counter()
        with context.Pool(workers) as pool:
            pool.map(_simulate, jobs, chunksize=1)
        return {"runs": len(runs), "seconds": time.perf_counter() - started}
    from ecosim.experiment.runner import dask_client

    job = (experiment.scenario, runs[1].overrides, runs[1].seed)
    warm = (experiment.scenario, runs[0].overrides, runs[0].seed)
    one_run(*warm)
    plain = [one_run(*job) for _ in range(3)]
    with dask_client(workers=1, scheduler=None) as client:
        client.submit(one_run, *warm, pure=False).result()
        worker = [client.submit(one_run, *job, pure=False).result() for _ in range(3)]
    return {
        "plain": {k: statistics.median(r[k] for r in plain) for k in plain[0]},
        "worker": {k: statistics.median(r[k] for r in worker) for k in worker[0]},
    }


def in_subprocess(source: Path, kind: str, args: argparse.Namespace) -> dict:
    command = [
        sys.executable,
        __file__,
        "--one",
        kind,
        "--replications",
        str(args.replications),
        "--customers",
        str(args.customers),
        "--workers",
        str(args.workers),
    ]
    environment = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run(
        command, capture_output=True, text=True, check=True, cwd=ROOT, env=environment
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        row = measure(args.one, args.replications, args.customers, args.workers)
        print(json.dumps(row))
        return
    runners = [("plain", "plain", ROOT), ("batch", "batch", ROOT)]
    costs = [("after", "run", ROOT)]
    if args.before:
        runners.append(("batch before", "batch", args.before))
        costs.append(("before", "run", args.before))
    rates: dict[str, list[float]] = {label: [] for label, _, _ in runners}
    for _ in range(args.rounds):
        for label, kind, source in runners:
            row = in_subprocess(source, kind, args)
            rates[label].append(60 * row["runs"] / row["seconds"])
            print(label, json.dumps(row), "load", os.getloadavg()[0], flush=True)
    for label, kind, source in costs:
        print(f"one run, {label}:", json.dumps(in_subprocess(source, kind, args)), flush=True)
    plain = statistics.median(rates["plain"])
    for label, values in rates.items():
        rate = statistics.median(values)
        print(f"{label}: {rate:.1f} runs per minute ({rate / plain:.0%} of plain processes)")


if __name__ == "__main__":
    main()
