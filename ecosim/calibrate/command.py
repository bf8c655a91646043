"""``ecosim calibrate FILE``: fit, resume or reread a calibration, with a line per generation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ecosim.calibrate.abc import RECORD, Generation, continued, finished
from ecosim.calibrate.fit import FIGURES, calibrate, inputs, outputs
from ecosim.calibrate.outputs import summary_cells
from ecosim.calibrate.report import periods
from ecosim.calibrate.schema import load_calibration
from ecosim.errors import report_stop, stop_reason
from ecosim.store import output_folder

__all__ = ["calibrate_command"]


def calibrate_command(
    file: Path,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    serial: bool,
    dashboard: bool = False,
    overrides: dict[str, Any] | None = None,
) -> int:
    """Run ``ecosim calibrate``; return the exit status.

    Parameters
    ----------
    file : Path
        The calibration file.
    out : Path, optional
        The output folder (default ``results/<calibration name>``).
    workers, scheduler, serial, dashboard
        Where the simulations run, as for ``ecosim batch``.
    overrides : dict, optional
        Changes to the file by dotted path (``--set``); a rerun into the same folder must
        give the same ones.

    Returns
    -------
    int
        0 when the calibration is finished, 130 when interrupted (143 on SIGTERM), 1
        when the cluster or the disk failed (a rerun resumes in all three cases).
    """
    calibration = load_calibration(file, overrides, overrides_from="the command line")
    out = output_folder(
        out or Path("results") / calibration.name,
        (RECORD, *outputs(calibration)),
        inputs=inputs(calibration),
    )
    done = finished(out) and not continued(out, calibration)
    runner = {"workers": workers, "scheduler": scheduler, "serial": serial, "dashboard": dashboard}
    if done:  # its outputs are read, or written again from abc.db if one is missing
        result = calibrate(calibration, out, **runner)
        again = "its outputs written again" if result.generations else "remove it to fit again"
        print(f"{calibration.name}: already finished in {out} ({again})")
    else:
        print(
            f"{calibration.name}: {len(calibration.parameters)} parameters, "
            f"{periods(len(calibration.observed))} of data; ABC-SMC into {out}",
            flush=True,
        )
        shown: list[Generation] = []

        def progress(generation: Generation) -> None:
            if not shown and generation.t > 0:  # the first generation of a resumed search
                print(f"resumed after {generation.t} complete generation(s)", flush=True)
            shown.append(generation)
            print(generation.describe(), flush=True)

        try:
            result = calibrate(calibration, out, progress=progress, **runner)
        except KeyboardInterrupt as stop:
            return report_stop(out, *stop_reason(stop), "complete generations")
        except OSError as error:  # a lost cluster, a full disk: the history keeps what is done
            return report_stop(
                out, f"error: {type(error).__name__}: {error}", 1, "complete generations"
            )
        if result.resumed and not shown:  # every generation was done: none ran now
            print(f"resumed after {result.resumed} complete generation(s)")
    table = [["parameter", "mean", "median", "q05", "q95"]]
    for row in result.summary.itertuples():
        mean, _, median, low, high = summary_cells(row)
        table.append([row.parameter, mean, median, low, high])
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))
    shown = [name for name in outputs(calibration) if name not in FIGURES] + ["figures/"]
    print(f"{'its outputs are' if done else 'wrote'} {', '.join(shown)} in {out}")
    return 0
