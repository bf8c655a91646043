"""``ecosim optimize FILE``: search plans for a budget, resume a search, choose a plan."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ecosim.errors import report_stop, stop_reason
from ecosim.optimize.schema import load_optimisation
from ecosim.store import StoreError, output_folder

__all__ = ["optimize_command"]

SHOWN = 12
"""Most failed evaluations listed on standard error; the others are counted."""


def optimize_command(
    file: Path,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    serial: bool,
    dashboard: bool = False,
    overrides: dict[str, Any] | None = None,
) -> int:
    """Run ``ecosim optimize``; return the exit status.

    Parameters
    ----------
    file : Path
        The optimisation file.
    out : Path, optional
        The output folder (default ``results/<optimisation name>``).
    workers, scheduler, serial, dashboard
        Where the simulations run, as for ``ecosim batch``.
    overrides : dict, optional
        Changes to the file by dotted path (``--set``); a rerun into the same folder must
        give the same ones.

    Returns
    -------
    int
        0 when a plan is chosen, 130 when interrupted (143 on SIGTERM), 1 when the cluster,
        the disk or the memory failed (a rerun resumes in all these cases), 1 when
        evaluations of the search failed (listed on standard error; with none left, no plan
        is chosen), 1 when a run of the selection stage failed (no plan is chosen; a rerun
        continues), 2 when another process took the folder before the report was written (a
        rerun writes it).
    """
    from ecosim.optimize import optimise, write_report  # imports Optuna
    from ecosim.optimize.run import SearchFailed, SelectionFailed, failures
    from ecosim.optimize.search import DATABASE, evaluated

    optimisation = load_optimisation(file, overrides, overrides_from="the command line")
    out = output_folder(out or Path("results") / optimisation.name)

    def report(done: int, planned: int) -> None:
        print(f"{optimisation.name}: {done} of {planned} evaluations", flush=True)

    try:
        outcome = optimise(
            optimisation,
            out,
            workers=workers,
            scheduler=scheduler,
            serial=serial,
            dashboard=dashboard,
            on_batch=report,
        )
    except KeyboardInterrupt as stop:
        return report_stop(out, *stop_reason(stop), "finished evaluations")
    except OSError as error:  # a lost cluster, a full disk: the study keeps what is done
        return report_stop(out, f"error: {error}", 1, "finished evaluations")
    except MemoryError:  # the machine's, not the plans': the study keeps what is done
        why = "error: out of memory (ask for fewer plans at a time: search.batch)"
        return report_stop(out, why, 1, "finished evaluations")
    except SearchFailed as error:
        return _failed(error.failures, len(error.failures), out / DATABASE, "no plan is chosen")
    except SelectionFailed as error:
        why = f"{error}; no plan is chosen: remove its cause"
        return report_stop(out, why, 1, "finished evaluations and selection runs")
    try:
        path = write_report(outcome, optimisation)
    except KeyboardInterrupt as stop:  # the report is written again from what is kept
        return report_stop(out, *stop_reason(stop), "finished evaluations and selection runs")
    except StoreError as error:  # a rerun took the folder once the search let it go
        why = f"error: {error}, so the report was not written"
        return report_stop(out, why, 2, "finished evaluations and selection runs")
    except OSError as error:
        return report_stop(out, f"error: {error}", 1, "finished evaluations and selection runs")
    print(
        f"chosen: {outcome.chosen.name} ({'with' if outcome.selected.guaranteed else 'without'} "
        f"the selection guarantee); wrote {out / 'plan.toml'} and {path}"
    )
    failed = failures(outcome.study)
    if failed:
        trials = out / "tables" / "trials.csv"
        among = "the plan was chosen among the others"
        return _failed(failed, evaluated(outcome.study), trials, among)
    return 0


def _failed(failed: list[tuple[str, str]], done: int, errors: Path, consequence: str) -> int:
    """List the failed evaluations of the search on standard error; return exit status 1.

    Parameters
    ----------
    failed : list of (str, str)
        :func:`ecosim.optimize.run.failures`.
    done : int
        The evaluations of the search, failed or not.
    errors : Path
        Where the errors are kept.
    consequence : str
        What the failures mean for the plan chosen.
    """
    lines = [f"  {trial}: {error}".replace("\n", "\n    ") for trial, error in failed[:SHOWN]]
    if len(failed) > SHOWN:
        lines.append(f"  and {len(failed) - SHOWN} more")
    print(
        f"ecosim: {len(failed)} of {done} evaluations of the search failed (errors in "
        f"{errors}); {consequence}:\n" + "\n".join(lines) + "\n"
        "failed evaluations count as evaluations and are not run again: remove their cause, "
        "then raise search.evaluations, or rerun into a new --out",
        file=sys.stderr,
    )
    return 1
