"""The ``ecosim`` command.

Examples
--------
.. code-block:: console

    $ ecosim run scenarios/baseline.toml --days 90 --set brands.0.price=140 --out results/test
    $ ecosim batch experiments/strategy_comparison.toml --workers 2
    $ ecosim compare results/strategy_comparison
    $ ecosim sensitivity experiments/strategy_comparison.toml --method morris
    $ ecosim optimize optimizations/spend_mix.toml --workers 2
    $ ecosim calibrate calibrations/room_air_conditioners_bass.toml --workers 2
    $ ecosim ui scenarios/two_brands.toml --port 8765
    $ ecosim validate --quick --out results/validation
"""

from __future__ import annotations

import argparse
import fnmatch
import gc
import json
import logging
import math
import os
import shlex
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from ecosim import __version__
from ecosim.errors import (
    INTERRUPT_RECEIVED,
    EcosimError,
    InputError,
    InputWarning,
    Terminated,
    report_stop,
    stop_reason,
)

if TYPE_CHECKING:
    from ecosim.experiment.schema import Experiment, Factor
    from ecosim.scenario import Scenario
    from ecosim.validation import CaseResult

# Each command imports what it uses when it runs: the simulation (Mesa, pandas), Dask,
# SALib and matplotlib take seconds to import, and `ecosim --help` or `ecosim run` need
# none of the others' (tests/test_cli.py checks what `import ecosim.cli` loads).

__all__ = ["command", "main"]

_COMMAND_LINE = "the command line"
"""Where a command's overrides come from, as problems in the fields they set name it."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Invalid input (a scenario, an override, an edge list, an experiment, a results
    folder, a run too large for the memory available) is reported on standard error as
    one clear message, exit status 2, without a traceback; a file that cannot be
    written (a full disk) gives exit status 1. Any other error is reported in one line
    with a hint to rerun with ``--debug``, which shows its traceback. Warnings about
    the input (a campaign action cut short by the horizon) are printed as
    ``ecosim: warning: ...``. SIGTERM stops a command as Ctrl-C does (:class:`Terminated`),
    except the web app, which stops itself.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        if getattr(args, "out", None) is not None:
            from ecosim.store import output_folder

            output_folder(args.out)
        with (
            _warnings_shown(),
            _outside_paths(getattr(args, "allow_outside_paths", False)),
            _signals_as_interrupts(args.handler is not _ui),
        ):
            return args.handler(args)
    except EcosimError as error:
        print(f"ecosim: error: {error}", file=sys.stderr)
        return 2
    except MemoryError:
        print(
            "ecosim: error: out of memory: the run needs more memory than is available "
            "(try fewer customers, a sparser network or fewer brands)",
            file=sys.stderr,
        )
        return 2
    except OSError as error:
        print(f"ecosim: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as stop:
        why, status = stop_reason(stop)
        print(f"ecosim: {why}", file=sys.stderr)
        return status
    except Exception as error:  # anything unforeseen: one line, the traceback on request
        if debug:
            traceback.print_exc()
        print(f"ecosim: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        if not debug:
            print("rerun with --debug for the traceback", file=sys.stderr)
        return 1
    finally:
        Terminated.received.clear()  # once its status is known: later calls start afresh
        INTERRUPT_RECEIVED.clear()


def command() -> NoReturn:
    """Run the ``ecosim`` command (:func:`main` on ``sys.argv``) and exit with its status.

    Everything the command imported lives until the interpreter exits, so it is first
    moved out of the garbage collector's reach (:func:`gc.freeze`): the exiting
    interpreter then no longer collects it object by object, which took half a second
    after a simulation had imported Mesa, pandas and scipy (``benchmarks/RESULTS.md``).
    A Ctrl-C while the command starts (reading its options, which may import) stops it
    as one later does, without a traceback; once the command has said what it did or
    kept, another Ctrl-C is ignored, so that the cluster's shutdown as the interpreter
    exits (Dask closes its clusters then) finishes instead of printing a traceback.
    """
    try:
        status = main()
    except KeyboardInterrupt as stop:
        why, status = stop_reason(stop)
        print(f"ecosim: {why}", file=sys.stderr)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()
    sys.exit(status)


@contextmanager
def _warnings_shown() -> Iterator[None]:
    """Print warnings about the input as ``ecosim: warning: ...``, others as usual; each once.

    Python shows a warning once per place, but forgets it whenever the warning filters
    change, as they do each time a run silences the input warnings given already
    (``experiment.runner``): numpy's warnings from pyabc's kernel then filled a
    calibration's standard error with hundreds of copies of the same line.
    """
    show = warnings.showwarning
    printed: set[str] = set()
    seen: set[tuple[type[Warning], str, str, int]] = set()

    def shown(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, InputWarning):
            if str(message) not in printed:
                printed.add(str(message))
                print(f"ecosim: warning: {message}", file=sys.stderr)
        elif (category, str(message), filename, lineno) not in seen:
            seen.add((category, str(message), filename, lineno))
            show(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.showwarning = shown
        warnings.simplefilter("default", InputWarning)
        yield


@contextmanager
def _signals_as_interrupts(wanted: bool) -> Iterator[None]:
    """Raise :class:`Terminated` on SIGTERM, ``KeyboardInterrupt`` on Ctrl-C, and note each.

    In the main thread only, while the block runs. Each handler sets its event before it
    raises, so that a loop over runs still stops if the exception is lost
    (:func:`~ecosim.errors.stop_if_signalled`), and silences logging: what Dask's threads
    log of the connections the stop closes is no error of the command, which says itself
    what it kept. A stop raised where Python cannot pass it on (a garbage collector's
    callback of Dask's, an object's ``__del__``) is not printed with a traceback, as
    "Exception ignored": the loops over runs raise it again from its event.
    """
    if not wanted or threading.current_thread() is not threading.main_thread():
        yield
        return

    def swallowed(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):  # a stop: noted already
            hook(unraisable)

    def terminate(signum: int, frame: object) -> None:
        Terminated.received.set()
        logging.disable(logging.CRITICAL)
        raise Terminated

    def interrupt(signum: int, frame: object) -> None:
        INTERRUPT_RECEIVED.set()
        logging.disable(logging.CRITICAL)
        raise KeyboardInterrupt

    Terminated.received.clear()
    INTERRUPT_RECEIVED.clear()
    logged = logging.root.manager.disable
    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, terminate)}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored by a parent
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, interrupt)
    hook, sys.unraisablehook = sys.unraisablehook, swallowed
    try:
        yield
    finally:
        sys.unraisablehook = hook
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        logging.disable(logged)


@contextmanager
def _outside_paths(allowed: bool) -> Iterator[None]:
    """Allow files outside a scenario's folder for this command (and its subprocesses)."""
    from ecosim.scenario import OUTSIDE_PATHS_VARIABLE

    if not allowed:
        yield
        return
    before = os.environ.get(OUTSIDE_PATHS_VARIABLE)
    os.environ[OUTSIDE_PATHS_VARIABLE] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[OUTSIDE_PATHS_VARIABLE]
        else:
            os.environ[OUTSIDE_PATHS_VARIABLE] = before


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecosim",
        description="Simulate the customer engagement ecosystem (Maslowska et al. 2016).",
    )
    parser.add_argument("--version", action="version", version=f"ecosim {__version__}")
    _add_global_options(parser)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run one scenario; write its data and a dashboard")
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    run.add_argument("--days", type=_positive, help="horizon in days")
    run.add_argument("--seed", type=_natural, help="random seed")
    run.add_argument("--customers", type=_customers, help="population size")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD.PATH=VALUE",
        help="override a scenario field, e.g. brands.0.price=29.5 (repeatable)",
    )
    run.add_argument("--out", type=_out_path, help="output folder (default: results/<scenario>)")
    run.set_defaults(handler=_run)

    batch = commands.add_parser(
        "batch",
        help="run an experiment's strategies × conditions × replications (resumable)",
    )
    batch.add_argument("experiment", type=Path, help="experiment TOML file")
    batch.add_argument(
        "--out",
        type=_out_path,
        metavar="DIR",
        help="results folder (default: results/<experiment>)",
    )
    _add_experiment_arguments(
        batch,
        "runs of every strategy under every condition, 2 or more (to pair them)",
        "conditions.parameters.0.values=[0.5,1.5]",
        fewest=2,
    )
    _add_runner_arguments(batch)
    batch.set_defaults(handler=_batch)

    comparison = commands.add_parser(
        "compare",
        help="compare an experiment's strategies: intervals, paired differences, report.md",
    )
    comparison.add_argument("directory", type=Path, help="results folder of ecosim batch")
    comparison.add_argument(
        "--out",
        type=_out_path,
        metavar="DIR",
        help="folder for report.md, figures/ and tables/ (default: DIRECTORY)",
    )
    comparison.add_argument(
        "--confidence",
        type=_level,
        default=0.95,
        metavar="LEVEL",
        help="confidence level of every interval and test, between 0 and 1 (default: 0.95)",
    )
    comparison.set_defaults(handler=_compare)

    sensitivity = commands.add_parser(
        "sensitivity",
        help="Morris or Sobol sensitivity analysis over the ranges of an experiment's "
        "[[sensitivity.parameters]] (without them, its conditions' parameters)",
        description="Run a Morris or Sobol design over the ranges of the experiment's "
        "[[sensitivity.parameters]] (without them, over its market conditions' parameters, "
        "which then all need a range) for one strategy (sensitivity.strategy, default the "
        "baseline), and write sensitivity.md with its table and figure. Rerun the same "
        "command after an interruption to resume.",
    )
    sensitivity.add_argument("experiment", type=Path, help="experiment TOML file")
    sensitivity.add_argument("--method", choices=("morris", "sobol"), required=True)
    sensitivity.add_argument(
        "--out",
        type=_out_path,
        metavar="DIR",
        help="results folder (default: results/<experiment>-<method>)",
    )
    _add_experiment_arguments(
        sensitivity,
        "runs per design point (sensitivity.replications)",
        "sensitivity.trajectories=4",
        fewest=1,
    )
    _add_runner_arguments(sensitivity)
    sensitivity.set_defaults(handler=_sensitivity)

    optimize = commands.add_parser(
        "optimize",
        help="search for the best plan for a budget, then select it with a stated "
        "confidence (resumable)",
        description="Search the plans of an optimisation file (its variables and budget "
        "shares) with Optuna, then run the best few again until the best is known with the "
        "stated confidence, and write plan.toml, the comparison with the current plan and "
        "report.md. Rerun the same command after an interruption to resume without redoing "
        "finished runs; with more evaluations, to continue the search.",
    )
    optimize.add_argument("optimisation", type=Path, help="optimisation TOML file")
    optimize.add_argument(
        "--out", type=_out_path, metavar="DIR", help="output folder (default: results/<name>)"
    )
    optimize.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD.PATH=VALUE",
        help="set a field of the optimisation file, e.g. search.evaluations=20 (repeatable)",
    )
    _add_runner_arguments(optimize)
    optimize.set_defaults(handler=_optimize)

    calibration = commands.add_parser(
        "calibrate",
        help="fit a scenario to observed data by ABC-SMC (pyabc): posterior, checks, report.md",
        description="Fit the parameters of a calibration file by ABC-SMC and write the "
        "posterior, its plots, a posterior predictive check, calibrated.toml and report.md. "
        "Rerun the same command after an interruption to resume from the last complete "
        "generation. The same seed gives the same posterior with --serial and on a cluster of any "
        "size.",
    )
    calibration.add_argument("calibration", type=Path, help="calibration TOML file")
    calibration.add_argument(
        "--out",
        type=_out_path,
        metavar="DIR",
        help="output folder (default: results/<calibration>)",
    )
    calibration.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD.PATH=VALUE",
        help="set a field of the calibration file, e.g. abc.generations=3 (repeatable)",
    )
    _add_runner_arguments(calibration)
    calibration.set_defaults(handler=_calibrate)

    ui = commands.add_parser("ui", help="start the web app and print its address")
    ui.add_argument(
        "scenario", nargs="?", type=Path, help="scenario to open (default: scenarios/baseline.toml)"
    )
    ui.add_argument(
        "--port", type=_port, default=8765, help="port, 1-65535 (default 8765; 0: any free port)"
    )
    ui.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this computer)"
    )
    ui.set_defaults(handler=_ui)

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
        "(the default; 25 to 80 minutes: the run of docs/validation.md took 77 minutes "
        "with --jobs 2 on a machine also running tests, an earlier one 25 on a quiet machine)",
    )
    speed.add_argument(
        "--quick",
        dest="mode",
        action="store_const",
        const="quick",
        help="fewer replications, customers or days, every case present (a few minutes: "
        "about 3 with --jobs 1)",
    )
    validate.set_defaults(mode="full")
    validate.add_argument(
        "--out",
        type=_out_path,
        metavar="DIR",
        help="report folder (default: docs, the release report, for the full run of every "
        "case; results/validation for --quick or --case)",
    )
    validate.add_argument(
        "--case",
        action="append",
        choices=_CaseNames(),
        metavar="NAME",
        help="run only this case (repeatable): %(choices)s",
    )
    validate.add_argument(
        "--jobs",
        type=_positive,
        default=1,
        help="worker processes for the replications (results do not depend on it)",
    )
    validate.set_defaults(handler=_validate)
    for command in commands.choices.values():
        _add_global_options(command)
    return parser


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    """Options every command takes, before or after its name."""
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an unexpected error",
    )
    parser.add_argument(
        "--allow-outside-paths",
        action="store_true",
        default=argparse.SUPPRESS,
        help="let a scenario's extends and network.path name files outside its folder",
    )


def _add_experiment_arguments(
    command: argparse.ArgumentParser, replications: str, example: str, fewest: int
) -> None:
    """Add the options that change an experiment file; ``example`` is one for ``--set``.

    ``fewest`` is the fewest replications the command takes (a batch pairs its runs: 2).

    ``--set``'s examples are checked on ``experiments/strategy_comparison.toml`` by
    tests/test_cli.py.
    """
    changes = command.add_argument_group(
        "changes to the experiment file",
        "validated like the file and recorded in the results folder; a rerun into the same "
        "folder must make the same runs",
    )
    changes.add_argument(
        "--replications", type=partial(_whole, least=fewest), metavar="N", help=replications
    )
    changes.add_argument("--customers", type=_customers, metavar="N", help="population size")
    changes.add_argument("--days", type=_positive, metavar="N", help="horizon in days")
    changes.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD.PATH=VALUE",
        help=f"set an experiment field, e.g. seed=7, {example} or scenario.brands.0.price=90 "
        "(the base scenario's; repeatable)",
    )


def _experiment_overrides(args: argparse.Namespace, replications: str) -> dict[str, object]:
    return _overrides(
        args,
        {replications: "replications", "customers": "customers", "days": "days"},
    )


def _overrides(args: argparse.Namespace, options: dict[str, str]) -> dict[str, object]:
    """Return the ``--set`` assignments with the options that set a field (``--days``) added.

    ``options`` maps a field path to the option that sets it. A field given both by its
    option and by ``--set`` is an error naming both, rather than one silently winning.
    """
    from ecosim.scenario import parse_assignment
    from ecosim.scenario.loading import overlapping

    assignments = [parse_assignment(text) for text in args.set]
    overrides: dict[str, object] = {path: _from_here(path, value) for path, value in assignments}
    paths = [path for path, _ in assignments]
    clashes = [
        (f"--set {path}", f"{path} is given {paths.count(path)} times: give it once")
        for path in dict.fromkeys(paths)
        if paths.count(path) > 1
    ]
    for path, option in options.items():
        value = getattr(args, option)
        if value is None:
            continue
        if path in overrides:
            clashes.append(
                (
                    f"--set {path}",
                    f"{path} is also given by --{option} ({overrides[path]!r} and {value!r}): "
                    "give it once",
                )
            )
        clashes += [
            (
                f"--set {other}",
                f"{other} holds {path}, which --{option} gives ({value!r}): give it once",
            )
            for other in overrides
            if other != path and overlapping(other, path)
        ]
        overrides[path] = value
    if clashes:
        raise InputError(_COMMAND_LINE, clashes)
    return overrides


FILE_FIELDS = (
    "scenario",
    "data.path",
    "posterior.from",
    "strategies.*.scenario",
    "network.path",
    "scenario.network.path",
    "strategies.*.set.network.path",
)
"""Fields that name a file, relative to the file that holds them (an experiment's scenario,
a calibration's data, a scenario's edge list). Given with ``--set`` a path is the user's
own, as typed in the working folder, and recorded whole, so that a rerun from another
folder reads the same file."""


def _from_here(path: str, value: object) -> object:
    """Return a ``--set`` value with the files it names at :data:`FILE_FIELDS` made absolute.

    Examples
    --------
    >>> import os
    >>> _from_here("data.path", "sales.csv") == os.path.abspath("sales.csv")
    True
    >>> _from_here("data", {"path": "/tmp/sales.csv", "period_days": 7})
    {'path': '/tmp/sales.csv', 'period_days': 7}
    >>> network = _from_here("scenario.network", {"kind": "edge_list", "path": "ties.csv"})
    >>> network["path"] == os.path.abspath("ties.csv")
    True
    >>> _from_here("days", "30")
    '30'
    """
    if isinstance(value, dict):
        return {key: _from_here(f"{path}.{key}", item) for key, item in value.items()}
    if isinstance(value, str) and any(fnmatch.fnmatchcase(path, f) for f in FILE_FIELDS):
        return os.path.abspath(value)
    return value


def _refuse_varied(
    args: argparse.Namespace,
    overrides: dict[str, object],
    parameters: list[Factor],
    where: str,
    scenario: Scenario,
) -> None:
    """Refuse an option or ``--set`` of a scenario field that a parameter varies.

    A parameter gives every run its own value of its field, after the experiment's
    ``customers`` and ``days`` and the ``scenario.*`` overrides: an option or override of
    that field (or of a field inside it) would apply to no run, only to the record of the
    results.

    Parameters
    ----------
    args : argparse.Namespace
    overrides : dict
        The experiment's overrides (:func:`_experiment_overrides`).
    parameters : list of Factor
        The parameters the command's runs take their values from.
    where : str
        Their field path in the file (``sensitivity.parameters``).
    scenario : Scenario
        The experiment's base scenario, whose list items a path may name by name.

    Raises
    ------
    InputError
        Naming the option (or ``--set``) and each parameter of its field.
    """
    from ecosim.scenario.loading import field_path, inside

    data = scenario.model_dump()
    options = {"customers": "population.size", "days": "days"}
    clashes = []
    for key, value in overrides.items():
        if key in options:
            path = options[key]
        elif key.startswith("scenario."):
            path = key.removeprefix("scenario.")
        else:
            continue
        flag = key in options and getattr(args, key) is not None
        given = f"--{key}" if flag else f"--set {key}"
        used = f"{given} {value}" if flag else f"{given}={value}"
        clashes += [
            (
                given,
                f"{where}[{i}] gives every run its {parameter.path}, so {used} would apply to "
                f"no run: remove {given} or the parameter",
            )
            for i, parameter in enumerate(parameters)
            if inside(field_path(data, path), field_path(data, parameter.path))
        ]
    if clashes:
        raise InputError(_COMMAND_LINE, clashes)


_UNREAD_BY = {"morris": ("samples",), "sobol": ("trajectories", "levels")}
"""The settings of the sensitivity design that each method leaves unread."""


def _refuse_unsampled(overrides: dict[str, object], experiment: Experiment, method: str) -> None:
    """Refuse ``--set`` of the experiment's fields that ``ecosim sensitivity`` does not read.

    The analysis runs one strategy (``sensitivity.strategy``, else the baseline) at the
    points of its design, each ``sensitivity.replications`` times when that is set (else
    ``replications``), over the ranges of ``sensitivity.parameters`` when there are any
    (else over those of the conditions' parameters), and reports ``sensitivity.outcomes``
    when set (else ``outcomes``); Morris's design reads ``trajectories`` and ``levels``,
    Sobol's ``samples``. A field outside these would be recorded with the results and
    apply to no run.

    Raises
    ------
    InputError
        Naming each such ``--set`` and what to set instead.
    """
    settings = experiment.sensitivity
    strategy = settings.strategy or experiment.baseline
    problems = []
    for key, value in overrides.items():
        parts = key.split(".")
        if key == "replications" and settings.replications is not None:
            reason = (
                f"the analysis runs each point sensitivity.replications times "
                f"({settings.replications}): set that instead (--replications)"
            )
        elif parts[0] == "conditions" and settings.parameters:
            reason = "the analysis samples sensitivity.parameters, not the market conditions"
        elif parts[0] == "strategies" and len(parts) > 1 and parts[1] != strategy:
            reason = f"the analysis runs the strategy {strategy} only"
        elif key == "baseline" and settings.strategy is not None:
            reason = f"the analysis runs sensitivity.strategy ({settings.strategy})"
        elif parts[0] == "outcomes" and settings.outcomes is not None:
            reason = "the analysis reports sensitivity.outcomes: set that instead"
        elif key in (f"sensitivity.{name}" for name in _UNREAD_BY[method]):
            reason = f"the {method} design does not read it"
        else:
            continue
        problems.append((f"--set {key}", f"{key}={value!r} would apply to no run: {reason}"))
    if problems:
        raise InputError(_COMMAND_LINE, problems)


def _add_runner_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--dashboard",
        action="store_true",
        help="serve the local Dask cluster's dashboard on http://127.0.0.1:8787 (or the port "
        "printed), with the "
        "profiler and frequent health checks it shows, which slow the runs a little (by "
        "default the cluster serves no web pages)",
    )
    where = command.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="worker processes of the local Dask cluster (default: one per core; at most four "
        "per core)",
    )
    where.add_argument("--scheduler", metavar="ADDRESS", help="use a running Dask scheduler")
    where.add_argument("--serial", action="store_true", help="run in this process, without Dask")


RUN_FILES = ("timeseries.parquet", "customers.parquet", "summary.json", "dashboard.png")
"""What ``ecosim run`` writes into its folder."""


def _run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ecosim.memory import check_memory
    from ecosim.model import EcosystemModel
    from ecosim.plots import dashboard, loyalty_programmes
    from ecosim.scenario import load_scenario
    from ecosim.store import (
        output_folder,
        refuse_foreign_files,
        refuse_other_kinds,
        staged_files,
        write_figure,
        write_json,
        write_parquet,
    )
    from ecosim.value import customer_values

    overrides = _overrides(args, {"days": "days", "seed": "seed", "population.size": "customers"})
    scenario = load_scenario(args.scenario, overrides, overrides_from=_COMMAND_LINE)
    out = output_folder(
        args.out or Path("results") / scenario.name, RUN_FILES, inputs=(args.scenario,)
    )
    refuse_other_kinds(out, "run")
    refuse_foreign_files(out, RUN_FILES, "summary.json", written=_run_summary)
    if args.out is None:
        _refuse_another_scenarios_run(out, args.scenario, scenario.name)
    check_memory(scenario, source=str(args.scenario))
    started = time.perf_counter()
    model = EcosystemModel(scenario, outcomes="all")
    timeseries = model.run(progress=True)
    wall_time = time.perf_counter() - started
    values = [customer_values(model, b) for b in range(len(scenario.brands))]
    summary = {
        "scenario": scenario.name,
        "scenario_file": str(args.scenario),
        "overrides": overrides,
        "seed": scenario.seed,
        "days": scenario.days,
        "customers": scenario.population.size,
        "brands": scenario.brand_names,
        "ecosim_version": __version__,
        "wall_time_seconds": round(wall_time, 3),
        "outcomes": model.summary(values),
    }
    customers = pd.concat(
        [table.assign(brand=name) for table, name in zip(values, scenario.brand_names, strict=True)]
    )
    title = (
        f"{scenario.name}: {scenario.population.size:,} customers, {scenario.days} days, "
        f"seed {scenario.seed}"
    )
    replaced = any((out / name).exists() for name in RUN_FILES)
    with staged_files(out) as stage:
        write_parquet(timeseries, stage / "timeseries.parquet")
        write_parquet(customers, stage / "customers.parquet")
        write_json(summary, stage / "summary.json")
        figure = dashboard(
            timeseries, title, scenario.brand_names, programmes=loyalty_programmes(scenario)
        )
        write_figure(figure, stage / "dashboard.png")
    outcomes = summary["outcomes"]
    print(
        f"{scenario.name}: {outcomes['total_purchases']:,.0f} purchases, revenue "
        f"{outcomes['total_revenue']:,.0f}, final awareness {outcomes['final_aware_share']:.1%} "
        f"({wall_time:.1f} s)"
    )
    print(
        "wrote "
        + ", ".join(str(out / name) for name in RUN_FILES)
        + (" (replacing a previous run's)" if replaced else "")
    )
    return 0


def _run_summary(path: Path) -> bool:
    """Whether ``path`` is the ``summary.json`` of an ``ecosim run`` (not a user's file)."""
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(summary, dict) and {"ecosim_version", "outcomes"} <= summary.keys()


def _refuse_another_scenarios_run(out: Path, path: Path, name: str) -> None:
    """Refuse the default folder of a scenario's name when it holds another file's run.

    Two files of one name (one that ``extends`` the other and names nothing, say) share
    ``results/<name>``: the second would replace the first's run without being asked to.
    """
    try:
        held = json.loads((out / "summary.json").read_text(encoding="utf-8"))["scenario_file"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    if Path(held).resolve() != Path(path).resolve():
        raise InputError(
            f"{out}: holds the run of {held}, another scenario named {name!r} (a file that "
            "extends another takes its name unless it gives its own); give this one a name "
            "of its own, or --out"
        )


class _CaseNames:
    """The names of the validation cases, read from :mod:`ecosim.validation` when asked.

    ``validate --case`` checks its value against these and its help lists them; the
    validation cases import the whole model, so only that option's check or help does.
    """

    def _names(self) -> list[str]:
        from ecosim.validation import CASES

        return list(CASES)

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


def _out_path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder (got an empty path)")
    return Path(text)


def _whole(text: str, least: int) -> int:
    """Read a whole number of the digits 0 to 9, at least ``least``."""
    if not (text.isascii() and text.isdigit()) or int(text) < least:
        raise argparse.ArgumentTypeError(f"expected a whole number >= {least} (got {text!r})")
    return int(text)


def _positive(text: str) -> int:
    return _whole(text, 1)


def _customers(text: str) -> int:
    return _whole(text, 2)


def _natural(text: str) -> int:
    return _whole(text, 0)


def _level(text: str) -> float:
    """Read a confidence level: a number strictly between 0 and 1."""
    try:
        level = float(text)
    except ValueError:
        level = math.nan
    if not 0 < level < 1:
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1 (exclusive), such as 0.9 (got {text!r})"
        )
    return level


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port number in 1-65535, or 0 for any free port (got {text!r})"
        )
    return port


def _check_where(args: argparse.Namespace) -> None:
    """Refuse the options that say where runs go, named as options (``--workers``, ...)."""
    from ecosim.experiment.runner import check_where

    check_where(args.workers, args.scheduler, args.serial, args.dashboard, prefix="--")


def _scenario_file(path: Path, experiment: Experiment) -> Path | None:
    """Return the scenario file an experiment file names (None: its scenario is in the file)."""
    return None if experiment.scenario_file is None else path.parent / experiment.scenario_file


def _batch(args: argparse.Namespace) -> int:
    from ecosim.experiment import ExperimentError, load_experiment, run_experiment
    from ecosim.experiment.plan import refused_conditions
    from ecosim.store import ResultStore, output_folder

    _check_where(args)
    overrides = _experiment_overrides(args, "replications")
    experiment = load_experiment(args.experiment, overrides, overrides_from=_COMMAND_LINE)
    _refuse_varied(
        args, overrides, experiment.parameters, "conditions.parameters", experiment.scenario
    )
    refused = refused_conditions(experiment)  # before the folder: named by the file
    if refused:
        raise ExperimentError(str(args.experiment), refused)
    out = output_folder(
        args.out or Path("results") / experiment.name,
        (ResultStore.RECORD,),
        inputs=(args.experiment, _scenario_file(args.experiment, experiment)),
    )
    try:
        result = run_experiment(
            experiment,
            out,
            workers=args.workers,
            scheduler=args.scheduler,
            serial=args.serial,
            dashboard=args.dashboard,
        )
    except KeyboardInterrupt as stop:
        return _runs_stopped(out, *stop_reason(stop))
    except OSError as error:
        return _runs_stopped(out, f"error: {error}", 1)
    print(
        f"{experiment.name}: {result.planned} runs: {result.skipped} already done, "
        f"{result.finished} finished now, {result.failed} failed ({result.seconds:.1f} s)"
    )
    print(f"wrote {out / 'results.parquet'} and {out / 'runs'}/")
    if result.failed:
        return _failed(result.failed, result.planned, out)
    print(f"next: ecosim compare {shlex.quote(str(out))}")  # to paste in a shell
    return 0


def _compare(args: argparse.Namespace) -> int:
    from ecosim.plots import percent, with_unit
    from ecosim.report import compare, format_number, write_report
    from ecosim.report.markdown import written_by_compare
    from ecosim.report.text import profit_per_rp
    from ecosim.store import output_folder, refuse_foreign_files, refuse_other_kinds

    # first: the folder named is a batch's, or said so
    comparison = compare(args.directory, confidence=args.confidence)
    out = output_folder(
        Path(args.out or args.directory), ("report.md",), folders=("figures", "tables")
    )
    if out.resolve() != Path(args.directory).resolve():  # not the batch's own folder
        refuse_other_kinds(out, "report")
    refuse_foreign_files(
        out, ("report.md", "figures", "tables"), "report.md", written=written_by_compare
    )
    path = write_report(comparison, out)
    e = comparison.experiment
    for outcome in e.outcomes:
        print(with_unit(outcome))
        rows = comparison.summary[comparison.summary["outcome"] == outcome]
        for _, row in rows.iterrows():
            where = f"condition {row['condition']}: " if comparison.groups else ""
            print(
                f"  {where}{row['strategy']}: {format_number(row['mean'])} "
                f"({percent(comparison.confidence)} CI "
                f"{format_number(row['ci_low'])} to {format_number(row['ci_high'])})"
            )
    spend = comparison.spend
    if len(spend):
        for _, row in spend[~spend["equal_cost"]].iterrows():
            where = f"condition {row['condition']}: " if comparison.groups else ""
            whose = f" ({row['brand']}'s own)" if "brand" in spend.columns else ""
            print(
                f"not at equal cost: {where}{row['strategy']}{whose} spends "
                f"{'+' if row['extra_spend'] > 0 else ''}{format_number(row['extra_spend'])} "
                f"({row['extra_spend_share']:+.1%}) against "
                f"{row['baseline']}; profit "
                + profit_per_rp(row["extra_spend"], row["profit_per_extra_spend"])
            )
    for sentence in [*comparison.pending_sentences(), *comparison.unfinished_sentences()]:
        print(sentence.replace("`", "").replace("**", ""))
    print(f"wrote {path} (figures/ and tables/ beside it)")
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    from ecosim.experiment import ExperimentError, run_sensitivity
    from ecosim.experiment.plan import sensitivity_design
    from ecosim.report import (
        format_number,
        too_few_samples_note,
        undefined_note,
        write_sensitivity_report,
    )
    from ecosim.store import ResultStore, output_folder, refuse_foreign_files

    _check_where(args)
    overrides = _experiment_overrides(args, "sensitivity.replications")
    experiment = _load_analysed(args.experiment, overrides)
    where = "sensitivity" if experiment.sensitivity.parameters else "conditions"
    _refuse_varied(
        args,
        overrides,
        experiment.sensitivity_parameters,
        f"{where}.parameters",
        experiment.scenario,
    )
    _refuse_unsampled(overrides, experiment, args.method)
    try:  # the design's problems, named by the file rather than the experiment's name
        sensitivity_design(experiment, args.method)
    except ExperimentError as error:
        raise ExperimentError(str(args.experiment), error.problems) from None
    out = output_folder(
        args.out or Path("results") / f"{experiment.name}-{args.method}",
        (ResultStore.RECORD,),
        inputs=(args.experiment, _scenario_file(args.experiment, experiment)),
    )
    report = ("sensitivity.md", f"tables/{args.method}.csv", f"figures/{args.method}.png")
    refuse_foreign_files(out, report, ResultStore.RECORD)
    try:
        result = run_sensitivity(
            experiment,
            out,
            args.method,
            workers=args.workers,
            scheduler=args.scheduler,
            serial=args.serial,
            dashboard=args.dashboard,
        )
    except KeyboardInterrupt as stop:
        return _runs_stopped(out, *stop_reason(stop))
    except OSError as error:
        return _runs_stopped(out, f"error: {error}", 1)
    batch = result.batch
    print(
        f"{experiment.name} ({args.method}): {batch.planned} runs: {batch.skipped} already done, "
        f"{batch.finished} finished now, {batch.failed} failed ({batch.seconds:.1f} s)"
    )
    if result.indices is None:
        return _failed(batch.failed, batch.planned, out)
    path = write_sensitivity_report(result, out)
    if len(result.indices):
        print(result.indices.to_string(index=False, float_format=format_number))
    for outcome in [*result.undefined, *result.constant]:
        print(undefined_note(result, outcome).replace("`", ""))
    if note := too_few_samples_note(result):
        print(note.replace("`", "").replace("**", ""))
    print(f"wrote {path}" + (" (figures/ and tables/ beside it)" if len(result.indices) else ""))
    return 0


def _load_analysed(path: Path, overrides: dict[str, object]) -> Experiment:
    """Load an experiment for its sensitivity analysis, warning only of what it runs.

    The analysis runs one strategy (``sensitivity.strategy``, else the baseline): the
    horizon's warnings about the others' actions were noise. A file refused gives every
    warning with its problems.
    """
    from ecosim.experiment import load_experiment

    experiment = None
    given: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as given:
            warnings.simplefilter("always")
            experiment = load_experiment(path, overrides, overrides_from=_COMMAND_LINE)
    finally:
        others: tuple[str, ...] = ()
        if experiment is not None:
            analysed = experiment.sensitivity.strategy or experiment.baseline
            others = tuple(f"strategy {n!r}: " for n in experiment.strategies if n != analysed)
        for warning in given:
            if not (
                issubclass(warning.category, InputWarning)
                and str(warning.message).startswith(others)
            ):
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
    return experiment


def _runs_stopped(out: Path, why: str, status: int) -> int:
    """Say why a batch or an analysis stopped, and what it keeps: its finished runs, if any."""
    from ecosim.store import ResultStore

    if out.is_dir() and next(ResultStore(out).runs.glob("*.parquet"), None) is None:
        print(
            f"ecosim: {why}\nno run had finished; rerun the same command to start", file=sys.stderr
        )
        return status
    return report_stop(out, why, status, "finished runs")


def _failed(failed: int, planned: int, out: Path) -> int:
    from ecosim.experiment import describe_failures

    print(
        f"ecosim: {failed} of {planned} runs failed after retries "
        f"(errors in {out / 'failed.parquet'}):\n{describe_failures(out)}\n"
        "rerun the same command to try them again",
        file=sys.stderr,
    )
    return 1


def _optimize(args: argparse.Namespace) -> int:
    from ecosim.optimize.command import optimize_command  # Optuna: only for this command

    return _on_runner(optimize_command, args.optimisation, args)


def _calibrate(args: argparse.Namespace) -> int:
    from ecosim.calibrate.command import calibrate_command  # pyabc: only for this command

    return _on_runner(calibrate_command, args.calibration, args)


def _on_runner(command: Callable[..., int], file: Path, args: argparse.Namespace) -> int:
    """Call a command that runs its simulations where the runner options say, with ``--set``."""
    _check_where(args)
    overrides = _overrides(args, {})
    return command(
        file, args.out, args.workers, args.scheduler, args.serial, args.dashboard, overrides
    )


def _ui(args: argparse.Namespace) -> int:
    from ecosim.ui.serve import serve

    return serve(args.scenario, host=args.host, port=args.port)


def _validate(args: argparse.Namespace) -> int:
    from ecosim.experiment.runner import check_local_processes
    from ecosim.store import output_folder, refuse_foreign_files
    from ecosim.validation import CASES, run_cases
    from ecosim.validation import write_report as write_validation_report
    from ecosim.validation.report import FIGURES, written_by_validate

    check_local_processes(args.jobs, "--jobs")
    twice = sorted({case for case in args.case or [] if args.case.count(case) > 1})
    if twice:
        raise InputError(
            f"--case: {', '.join(twice)} given more than once (each case runs once; name "
            "each case you want once)"
        )
    started = time.perf_counter()

    def report(result: CaseResult) -> None:
        verdict = "PASS" if result.passed else "FAIL"
        print(f"{result.name}: {verdict} ({result.seconds:.0f} s)", flush=True)
        for check in result.checks:
            print(f"  {check.describe()}", flush=True)

    release = args.mode == "full" and not args.case
    out = output_folder(args.out or (Path("docs") if release else Path("results") / "validation"))
    refuse_foreign_files(
        out, ("validation.md", FIGURES), "validation.md", written=written_by_validate
    )
    replaced = (out / "validation.md").exists()
    cases = [name for name in CASES if name in (args.case or CASES)]  # the report's order
    results = run_cases(cases, args.mode, args.jobs, progress=report)
    path = write_validation_report(
        results, out, args.mode, time.perf_counter() - started, args.jobs
    )
    failed = [result.name for result in results if not result.passed]
    print(
        f"{len(results) - len(failed)} of {len(results)} cases pass; wrote {path}"
        + (" (replacing a previous report)" if replaced else "")
    )
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    command()
