"""Batch throughput: ecosim batch on Dask against mesa.batch_run, over the same runs.

Both run the runs of ``experiments/strategy_comparison.toml`` (its strategies × market
conditions × ``--replications``, 10,000 customers, a year each) with the same number of
worker processes, and the same seeds; the script checks that both give the same days,
then writes runs per minute with the machine and the date into ``benchmarks/RESULTS.md``
under "Batch throughput".

Usage::

    .venv/bin/python benchmarks/batch_vs_mesa.py [--replications 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import sys
import tempfile
import time
from pathlib import Path

import dask
import mesa
import pandas as pd

from ecosim import EcosystemModel
from ecosim.experiment import condition_table, load_experiment, plan_runs
from ecosim.experiment.runner import dask_client, run_experiment, simulate
from ecosim.model import resolve_scenario

from recording import load, machine, write_section

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "experiments" / "strategy_comparison.toml"
HEADING = "Batch throughput"
MODEL_RUNS = 4
"""Runs timed one by one, in this process and in a Dask worker, to see where time goes."""


def run_ecosim(experiment, workers: int, out: Path) -> float:
    started = time.perf_counter()
    result = run_experiment(experiment, out, workers=workers, progress=False)
    assert result.failed == 0 and result.finished == result.planned
    return time.perf_counter() - started


def timed_simulation(scenario, overrides, seed) -> float:
    """Run one simulation the way a batch does; return its seconds."""
    started = time.perf_counter()
    simulate(scenario, overrides, seed)
    return time.perf_counter() - started


def model_seconds(experiment, count: int) -> tuple[float, float]:
    """Mean seconds of the same runs in this process and in a worker of ecosim's own cluster.

    Each side first runs one simulation untimed (imports and caches warm up).
    """
    runs = plan_runs(experiment)[:count]
    warm_up = {"overrides": runs[-1].overrides, "seed": runs[-1].seed}
    timed_simulation(experiment.scenario, **warm_up)
    here = [timed_simulation(experiment.scenario, run.overrides, run.seed) for run in runs]
    with dask_client(workers=1, scheduler=None) as client:
        client.submit(timed_simulation, experiment.scenario, **warm_up, pure=False).result()
        there = [
            client.submit(
                timed_simulation, experiment.scenario, run.overrides, run.seed, pure=False
            ).result()
            for run in runs
        ]
    return sum(here) / count, sum(there) / count


def run_mesa(experiment, workers: int) -> tuple[float, pd.DataFrame]:
    runs = plan_runs(experiment)
    overrides = list({repr(run.overrides): run.overrides for run in runs}.values())
    seeds = sorted({run.seed for run in runs})
    parameters = {"scenario": [experiment.scenario], "overrides": overrides}
    options = {}
    if "rng" in inspect.signature(mesa.batch_run).parameters:
        options["rng"] = seeds
    else:
        parameters["rng"] = seeds
    started = time.perf_counter()
    rows = mesa.batch_run(
        EcosystemModel,
        parameters,
        number_processes=workers,
        data_collection_period=-1,
        max_steps=experiment.scenario.days,
        display_progress=False,
        **options,
    )
    seconds = time.perf_counter() - started
    assert len(rows) == len(runs), (len(rows), len(runs))
    table = pd.DataFrame(rows)
    table["overrides"] = table["overrides"].map(repr)
    return seconds, table


def same_runs(experiment, out: Path, mesa_rows: pd.DataFrame) -> bool:
    """Check that mesa.batch_run's last reported day equals ecosim's for every run."""
    for run in plan_runs(experiment):
        daily = pd.read_parquet(out / "runs" / f"{run.run_id}.parquet").set_index("step")
        row = mesa_rows[
            (mesa_rows["overrides"] == repr(run.overrides)) & (mesa_rows["rng"] == run.seed)
        ]
        day = daily.loc[int(row["Step"].iloc[0])]
        if not (
            row[["adopted_share", "revenue"]].iloc[0] == day[["adopted_share", "revenue"]]
        ).all():
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--customers", type=int, default=10_000)
    args = parser.parse_args()
    experiment = load_experiment(EXPERIMENT)
    scenario = resolve_scenario(experiment.scenario, customers=args.customers)
    experiment = experiment.model_copy(
        update={"replications": args.replications, "scenario": scenario}
    )
    n = len(plan_runs(experiment))
    seconds: dict[str, list[float]] = {"ecosim": [], "mesa": []}
    loads = [load()]
    with tempfile.TemporaryDirectory() as folder:
        # A B B A: each runner once early and once late, so that other work on the
        # machine weighs on both alike.
        for trial, name in enumerate(("ecosim", "mesa", "mesa", "ecosim")):
            if name == "ecosim":
                out = Path(folder) / f"batch{trial}"
                seconds[name].append(run_ecosim(experiment, args.workers, out))
            else:
                took, mesa_rows = run_mesa(experiment, args.workers)
                seconds[name].append(took)
            loads.append(load())
        identical = same_runs(experiment, out, mesa_rows)
    here, in_worker = model_seconds(experiment, MODEL_RUNS)
    conditions = len(condition_table(experiment))
    rows = {
        name: f"{' and '.join(f'{t:.1f}' for t in times)} | {n / (sum(times) / 2) * 60:.1f}"
        for name, times in seconds.items()
    }
    text = f"""
`benchmarks/batch_vs_mesa.py`, {datetime.date.today():%Y-%m-%d}: the runs of
`experiments/strategy_comparison.toml` ({len(experiment.strategies)} strategies ×
{conditions} market conditions × {args.replications} replications = {n} runs of
{args.customers:,} customers over {experiment.scenario.days} days), each way with
{args.workers} worker processes and the same seeds, each runner twice in the order
ecosim, Mesa, Mesa, ecosim. Machine: {machine()}, Dask {dask.__version__}.
Load average (1 min) before and after each trial: {", ".join(loads)} (other work on
the machine slows both runners; the spread between a runner's two trials shows by how much).

| runner | processes | runs | wall time of the two trials (s) | runs per minute (mean) |
|---|---|---|---|---|
| `ecosim batch` (Dask `LocalCluster`) | {args.workers} | {n} | {rows["ecosim"]} |
| `mesa.batch_run` (`multiprocessing.Pool`) | {args.workers} | {n} | {rows["mesa"]} |

Both ran the same simulations: the last day `mesa.batch_run` reports is
{"identical" if identical else "NOT identical"} to ecosim's for every run. The ecosim time
includes starting the Dask cluster and writing every run's daily series to disk as it
finishes (what makes a batch resumable); `mesa.batch_run` keeps the rows of the reported
days in memory. Both runners call `EcosystemModel` with the same keywords. The first
{MODEL_RUNS} runs, timed one at a time after one run to warm up, took {here:.2f} s each on
average in a plain process and {in_worker:.2f} s in a worker of ecosim's Dask cluster.
"""
    write_section(HEADING, text)
    print(text)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
