"""The ``ecosim`` command.

Examples
--------
.. code-block:: console

    $ ecosim run scenarios/baseline.toml --days 90 --set brands.0.price=140 --out results/test
    $ ecosim ui scenarios/two_brands.toml --port 8765
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ecosim import __version__
from ecosim.metrics import summarize
from ecosim.model import EcosystemModel
from ecosim.network import EdgeListError
from ecosim.plots import dashboard
from ecosim.scenario import ScenarioError, load_scenario, parse_assignment
from ecosim.store import write_figure, write_json, write_parquet

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Invalid input (a scenario, an override, an edge list) is reported on standard error
    as one clear message, exit status 2, without a traceback.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (ScenarioError, EdgeListError) as error:
        print(f"ecosim: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ecosim: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecosim",
        description="Simulate the customer engagement ecosystem (Maslowska et al. 2016).",
    )
    parser.add_argument("--version", action="version", version=f"ecosim {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run one scenario; write its data and a dashboard")
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    run.add_argument("--days", type=int, help="horizon in days")
    run.add_argument("--seed", type=int, help="random seed")
    run.add_argument("--customers", type=int, help="population size")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD.PATH=VALUE",
        help="override a scenario field, e.g. brands.0.price=29.5 (repeatable)",
    )
    run.add_argument("--out", type=Path, help="output folder (default: results/<scenario>)")
    run.set_defaults(handler=_run)

    ui = commands.add_parser("ui", help="start the web app and print its address")
    ui.add_argument(
        "scenario", nargs="?", type=Path, help="scenario to open (default: scenarios/baseline.toml)"
    )
    ui.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any free port)")
    ui.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this computer)"
    )
    ui.set_defaults(handler=_ui)
    return parser


def _run(args: argparse.Namespace) -> int:
    overrides = dict(parse_assignment(text) for text in args.set)
    for field, value in (
        ("days", args.days),
        ("seed", args.seed),
        ("population.size", args.customers),
    ):
        if value is not None:
            overrides[field] = value
    scenario = load_scenario(args.scenario, overrides)
    out = args.out or Path("results") / scenario.name
    started = time.perf_counter()
    model = EcosystemModel(scenario)
    timeseries = model.run(progress=True)
    wall_time = time.perf_counter() - started
    summary = {
        "scenario": scenario.name,
        "scenario_file": str(args.scenario),
        "seed": scenario.seed,
        "days": scenario.days,
        "customers": scenario.population.size,
        "brands": scenario.brand_names,
        "ecosim_version": __version__,
        "wall_time_seconds": round(wall_time, 3),
        "outcomes": summarize(timeseries, scenario),
    }
    write_parquet(timeseries, out / "timeseries.parquet")
    write_json(summary, out / "summary.json")
    title = (
        f"{scenario.name}: {scenario.population.size:,} customers, {scenario.days} days, "
        f"seed {scenario.seed}"
    )
    write_figure(dashboard(timeseries, title, scenario.brand_names), out / "dashboard.png")
    outcomes = summary["outcomes"]
    print(
        f"{scenario.name}: {outcomes['total_purchases']:,.0f} purchases, revenue "
        f"{outcomes['total_revenue']:,.0f}, final awareness {outcomes['final_aware_share']:.1%} "
        f"({wall_time:.1f} s)"
    )
    print(f"wrote {out / 'timeseries.parquet'}, {out / 'summary.json'}, {out / 'dashboard.png'}")
    return 0


def _ui(args: argparse.Namespace) -> int:
    from ecosim.ui.serve import serve  # the web app's imports are heavy: only for this command

    return serve(args.scenario, host=args.host, port=args.port)


if __name__ == "__main__":
    sys.exit(main())
