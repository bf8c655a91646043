"""Speed of the SIS awareness rule: ecosim's vectorised engine against NDlib.

NDlib (Rossetti et al. 2018) is the reference library of network diffusion models in
Python. Its ``SISModel`` with ``tp_rate = 1`` applies the same rule as ecosim's
``diffusion.rule = "sis"``: each day an unaware customer with ``m`` aware neighbours becomes
aware with probability ``1 - (1 - beta)^m`` and an aware one forgets with probability
``mu``, all customers updated synchronously. Both run on the same Erdos-Renyi graph (mean
degree 10), from the same initially aware customers, for the same days; the script reports
the time per simulated day, the ratio, and each engine's late prevalence (the aware share
averaged over the last quarter of the days) as a check that both simulate the same process.

NDlib is not a dependency of ecosim: ``pip install -e '.[bench]'`` installs it.

Usage::

    python benchmarks/ndlib_sis.py                 # writes benchmarks/RESULTS.md ("NDlib")
    python benchmarks/ndlib_sis.py --sizes 2000    # a quick look, printed only
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import ndlib
import ndlib.models.epidemics as epidemics
import ndlib.models.ModelConfig as model_config
import numpy as np

from ecosim import EcosystemModel
from ecosim.validation.core import minimal_scenario

from recording import load, machine, write_section

HEADING = "NDlib: the SIS awareness rule"
INFECTION = 0.01
RECOVERY = 0.05
SEEDED_SHARE = 0.05


def ecosim_run(n: int, days: int, seed: int) -> tuple[EcosystemModel, np.ndarray, float]:
    """Build and run ecosim's SIS model; return it, its initially aware customers, its time."""
    scenario = minimal_scenario(
        "sis",
        n,
        days,
        **{
            "network": {"kind": "erdos_renyi", "mean_degree": 10},
            "diffusion.rule": "sis",
            "diffusion.infection": INFECTION,
            "diffusion.recovery": RECOVERY,
            "diffusion.seeds": {"share": SEEDED_SHARE},
        },
    )
    model = EcosystemModel(scenario, rng=np.random.default_rng(seed))
    initially_aware = np.flatnonzero(model.population.aware[:, 0])
    started = time.perf_counter()
    model.run()
    return model, initially_aware, time.perf_counter() - started


def ndlib_run(
    model: EcosystemModel, initially_aware: np.ndarray, days: int, seed: int
) -> tuple[np.ndarray, float]:
    """Run NDlib's SIS model on ecosim's graph; return the aware share per day and its time."""
    sis = epidemics.SISModel(model.network.to_networkx())
    config = model_config.Configuration()
    config.add_model_parameter("beta", INFECTION)
    config.add_model_parameter("lambda", RECOVERY)
    config.add_model_parameter("tp_rate", 1)
    config.add_model_initial_configuration("Infected", initially_aware.tolist())
    sis.set_initial_status(config)
    np.random.seed(seed)  # noqa: NPY002 (NDlib draws from the legacy global generator)
    started = time.perf_counter()
    iterations = sis.iteration_bunch(days + 1, node_status=False)
    seconds = time.perf_counter() - started
    aware = np.array([step["node_count"][1] for step in iterations]) / model.network.n
    return aware, seconds


def late(aware: np.ndarray) -> float:
    """Mean aware share over the last quarter of the days."""
    return float(aware[-max(1, len(aware) // 4) :].mean())


def measure(n: int, days: int, seed: int) -> dict:
    """Run both engines once at one size."""
    model, initially_aware, ecosim_seconds = ecosim_run(n, days, seed)
    ecosim_aware = model.datacollector.get_model_vars_dataframe()["aware_share"].to_numpy()
    ndlib_aware, ndlib_seconds = ndlib_run(model, initially_aware, days, seed)
    return {
        "customers": n,
        "days": days,
        "ecosim_seconds": ecosim_seconds,
        "ndlib_seconds": ndlib_seconds,
        "ecosim_late": late(ecosim_aware),
        "ndlib_late": late(ndlib_aware),
    }


def report(rows: list[dict], loads: list[str]) -> str:
    lines = [
        f"Measured {date.today().isoformat()} on {machine()}, NDlib {ndlib.__version__}, by "
        "`python benchmarks/ndlib_sis.py`. Erdos-Renyi graph, mean degree 10; beta = "
        f"{INFECTION}, mu = {RECOVERY} per day; {SEEDED_SHARE:.0%} aware at the start (the same "
        "customers in both); one process each, one after the other. Load average (1 min) "
        f"before each size and at the end: {', '.join(loads)}.",
        "",
        "| customers | days | ecosim (ms per day) | NDlib (ms per day) | speed-up "
        "| late prevalence, ecosim | late prevalence, NDlib |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ecosim_day = row["ecosim_seconds"] / row["days"] * 1000
        ndlib_day = row["ndlib_seconds"] / row["days"] * 1000
        lines.append(
            f"| {row['customers']:,} | {row['days']} | {ecosim_day:.2f} | {ndlib_day:,.0f} "
            f"| {ndlib_day / ecosim_day:,.0f}x | {row['ecosim_late']:.3f} "
            f"| {row['ndlib_late']:.3f} |"
        )
    lines += [
        "",
        "ecosim's time is its whole day (the reduced model's phases and the data collection); "
        "NDlib's is its iterations. The late prevalences are single runs of each engine: "
        "they agree within the run-to-run noise when both simulate the same process.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()
    rows, loads = [], []
    for n in args.sizes:
        loads.append(load())
        rows.append(measure(n, args.days, args.seed))
        print(rows[-1], flush=True)
    loads.append(load())
    text = report(rows, loads)
    print(text)
    if args.sizes == parser.get_default("sizes") and args.days == parser.get_default("days"):
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
