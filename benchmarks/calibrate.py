"""Calibration throughput: simulations per minute during ABC-SMC, and the time to a posterior.

Fits the worked example of ``docs/calibration.md`` (Bass's room air conditioners with the
reduced Bass market, ``calibrations/room_air_conditioners_bass.toml``) with ``ecosim
calibrate``'s own code, in this process (``serial``) and on the local Dask cluster of
``ecosim batch`` with 1 and 2 workers, each into a fresh folder. For each it reports:

- simulations per minute during the generations (the particles simulated over the wall
  time of the generations, pyabc's work between them included);
- the time to a posterior: the whole ``calibrate`` call, cluster start, search, posterior
  predictive check and outputs included.

The machine is shared: the 1-minute load average before and after each fit is recorded
beside it.

Usage::

    python benchmarks/calibrate.py                      # serial, 1 and 2 workers
    python benchmarks/calibrate.py --generations 4 --modes 1 2
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime

from ecosim.calibrate import calibrate, load_calibration

from recording import load, machine, write_section

EXAMPLE = "calibrations/room_air_conditioners_bass.toml"


def fit(mode: str, generations: int | None) -> dict:
    """Fit the example in one mode (``serial`` or a number of workers); return the timings."""
    calibration = load_calibration(EXAMPLE)
    if generations is not None:
        calibration = calibration.model_copy(
            update={"abc": calibration.abc.model_copy(update={"generations": generations})}
        )
    before = load()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        result = calibrate(
            calibration,
            folder,
            serial=mode == "serial",
            workers=None if mode == "serial" else int(mode),
        )
    total = time.perf_counter() - started
    simulations = sum(g.simulations for g in result.generations)
    searching = sum(g.seconds for g in result.generations)
    return {
        "mode": "in this process" if mode == "serial" else f"{mode} Dask worker(s)",
        "generations": len(result.generations),
        "simulations": simulations,
        "per_minute": 60 * simulations / searching,
        "seconds": total,
        "load": f"{before} – {load()}",
        "summary": result.summary.set_index("parameter")[["median", "q05", "q95"]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", default=["serial", "1", "2"])
    parser.add_argument("--generations", type=int, help="fewer generations than the file's")
    args = parser.parse_args()
    rows = []
    for mode in args.modes:
        row = fit(mode, args.generations)
        print(row, flush=True)
        rows.append(row)
    table = [
        "| where the simulations ran | generations | simulations | simulations per minute "
        "| time to a posterior (s) | load before – after |",
        "|---|---:|---:|---:|---:|---|",
        *(
            f"| {r['mode']} | {r['generations']} | {r['simulations']:,} | "
            f"{r['per_minute']:,.0f} | {r['seconds']:.0f} | {r['load']} |"
            for r in rows
        ),
    ]
    medians = [
        f"{r['mode']}: "
        + ", ".join(
            f"{label} {row['median']:.4g} [{row['q05']:.4g}, {row['q95']:.4g}]"
            for label, row in r["summary"].iterrows()
        )
        for r in rows
    ]
    text = f"""\
`python benchmarks/calibrate.py` ({datetime.now(UTC):%Y-%m-%d}); {machine()}. The
machine is shared with other work: the load average (1 minute, 2 cores) is given for each
fit, and every number here is slower than on an idle machine.

The worked example of `docs/calibration.md`: Bass's room air conditioner sales fitted with
the reduced Bass market (2,000 customers, 13 steps per simulation), ABC-SMC as `ecosim
calibrate` runs it (adaptive distance and population size, 200 to 400 particles). One
simulation takes a few tens of milliseconds, so pyabc's own work between generations
(adaptive population size, distance weights, kernel fits) is a large share of a
generation's time and caps the gain from a second worker.

{chr(10).join(table)}

Simulations per minute: particles simulated over the wall time of the generations.
Time to a posterior: the whole `calibrate` call (cluster start, search, posterior
predictive check of 100 draws, figures and report). Posterior medians and 90% intervals
(the same in every mode: each evaluation's particle is drawn from its own seed, and a
generation keeps its evaluations in order, `ecosim.calibrate.sampling`):

{chr(10).join(f"- {line}" for line in medians)}
"""
    write_section("Calibration: ABC-SMC throughput", text)


if __name__ == "__main__":
    main()
