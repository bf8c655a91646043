"""The ``ecosim`` command.

Examples
--------
.. code-block:: console

    $ ecosim run scenarios/baseline.toml --days 90 --set brands.0.price=140 --out results/test
    $ ecosim validate --quick --out results/validation
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from ecosim import __version__
from ecosim.metrics import summarize
from ecosim.model import EcosystemModel
from ecosim.network import EdgeListError
from ecosim.plots import dashboard
from ecosim.scenario import ScenarioError, load_scenario, parse_assignment
from ecosim.store import write_figure, write_json, write_parquet
from ecosim.validation import CASES, CaseResult, ValidationError, run_cases, write_report
from ecosim.value import customer_values, value_totals

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
    except (ScenarioError, EdgeListError, ValidationError) as error:
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

    validate = commands.add_parser(
        "validate",
        help="dock the engine against theory and an independent implementation; write a report",
        description="Run the validation cases and write DIR/validation.md with a figure per "
        "case (in DIR/validation/). Exit status 0 if every case passes, 1 if one fails.",
    )
    speed = validate.add_mutually_exclusive_group()
    speed.add_argument(
        "--full",
        dest="mode",
        action="store_const",
        const="full",
        help="the settings and tolerances of the validation issue, run before a release "
        "(the default; about 16 minutes on one core, under 10 with --jobs 2)",
    )
    speed.add_argument(
        "--quick",
        dest="mode",
        action="store_const",
        const="quick",
        help="fewer replications, customers or days, every case present (under 2 minutes)",
    )
    validate.set_defaults(mode="full")
    validate.add_argument(
        "--out",
        type=Path,
        default=Path("docs"),
        metavar="DIR",
        help="report folder (default: docs)",
    )
    validate.add_argument(
        "--case",
        action="append",
        choices=list(CASES),
        metavar="NAME",
        help=f"run only this case (repeatable): {', '.join(CASES)}",
    )
    validate.add_argument(
        "--jobs",
        type=_positive,
        default=1,
        help="worker processes for the replications (results do not depend on it)",
    )
    validate.set_defaults(handler=_validate)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


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
    values = value_totals(model)
    if len(values) == 1:
        summary["outcomes"].update(next(iter(values.values())))
    else:
        for name, totals in values.items():
            summary["outcomes"]["brands"][name].update(totals)
    customers = pd.concat(
        [
            customer_values(model, b).assign(brand=name)
            for b, name in enumerate(scenario.brand_names)
        ]
    )
    write_parquet(timeseries, out / "timeseries.parquet")
    write_parquet(customers, out / "customers.parquet")
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
    written = ("timeseries.parquet", "customers.parquet", "summary.json", "dashboard.png")
    print("wrote " + ", ".join(str(out / name) for name in written))
    return 0


def _validate(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise ValidationError(f"--out {args.out}: not a folder")
    started = time.perf_counter()

    def report(result: CaseResult) -> None:
        verdict = "PASS" if result.passed else "FAIL"
        print(f"{result.name}: {verdict} ({result.seconds:.0f} s)", flush=True)
        for check in result.checks:
            print(f"  {check.describe()}", flush=True)

    results = run_cases(args.case or list(CASES), args.mode, args.jobs, progress=report)
    path = write_report(results, args.out, args.mode, time.perf_counter() - started, args.jobs)
    failed = [result.name for result in results if not result.passed]
    print(f"{len(results) - len(failed)} of {len(results)} cases pass; wrote {path}")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
