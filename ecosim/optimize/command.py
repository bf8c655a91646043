"""``ecosim optimize FILE``: search plans for a budget, resume a search, choose a plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ecosim.errors import report_stop, stop_reason
from ecosim.optimize.schema import load_optimisation
from ecosim.store import output_folder

__all__ = ["optimize_command"]


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
        0 when a plan is chosen, 130 when interrupted (143 on SIGTERM), 1 when the cluster
        or the disk failed (a rerun resumes in all three cases).
    """
    from ecosim.optimize import optimise, write_report  # imports Optuna

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
    path = write_report(outcome, optimisation)
    print(
        f"chosen: {outcome.chosen.name} ({'with' if outcome.selected.guaranteed else 'without'} "
        f"the selection guarantee); wrote {out / 'plan.toml'} and {path}"
    )
    return 0
