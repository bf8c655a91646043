"""``sensitivity.md`` of ``ecosim sensitivity``: the indices, their table and plot."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ecosim.experiment.schema import DUMMY
from ecosim.metrics import UNDEFINED
from ecosim.plots import sensitivity_plot
from ecosim.report.references import references_section
from ecosim.report.text import format_number
from ecosim.store import write_figure, write_text

if TYPE_CHECKING:
    from ecosim.experiment.runner import SensitivityResult

__all__ = ["too_few_samples_note", "undefined_note", "write_sensitivity_report"]

REFERENCES = """\
- Campolongo, F., Cariboni, J., & Saltelli, A. (2007). An effective screening design for
  sensitivity analysis of large models. *Environmental Modelling & Software*, 22(10),
  1509–1518.
- Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
  *Technometrics*, 33(2), 161–174.
- Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., & Tarantola, S. (2010).
  Variance based sensitivity analysis of model output. *Computer Physics Communications*,
  181(2), 259–270.
- Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and
  their Monte Carlo estimates. *Mathematics and Computers in Simulation*, 55, 271–280.
"""
"""The works the report's methods cite (a report lists those it cites)."""


def write_sensitivity_report(result: SensitivityResult, directory: str | Path) -> Path:
    """Write the sensitivity table (CSV and Markdown) and the plot of the indices.

    Parameters
    ----------
    result : SensitivityResult
        With its indices computed.
    directory : str or Path

    Returns
    -------
    Path
        ``sensitivity.md``.
    """
    directory = Path(directory)
    design = result.design
    indices = result.indices
    if len(indices):
        write_text(indices.to_csv(index=False), directory / "tables" / f"{design.method}.csv")
        write_figure(
            sensitivity_plot(indices, design.method, dummy=DUMMY),
            directory / "figures" / f"{design.method}.png",
            dpi=90,
        )
    if design.method == "morris":
        columns = ["mu_star", "mu_star_conf", "mu", "sigma"]
        what = (
            f"Morris elementary effects (Morris 1991) on {len(design.sample)} design points "
            "(random trajectories); μ* (mean absolute elementary effect, "
            "Campolongo et al. 2007: the change of the outcome over a step scaled to the "
            "parameter's whole range) ranks the parameters' influence, σ signals interactions "
            "or non-linearity"
        )
    else:
        columns = ["S1", "S1_conf", "ST", "ST_conf"]
        what = (
            "Sobol' first-order (S1) and total (ST) indices (Sobol' 2001) estimated with the "
            f"Saltelli scheme (Saltelli et al. 2010) on {len(design.sample)} design points"
        )
    lines = [
        f"# {design.method.capitalize()} sensitivity analysis of strategy `{design.strategy}`",
        "",
        f"{what}. Each design point was run {design.replications} time(s) and its outcomes "
        "averaged. Intervals: 95% bootstrap confidence intervals from SALib.",
        "",
        f"The parameter **`{DUMMY}`** is in the design but the model never reads it: its index "
        "is the **noise floor** left by the finite number of replications. Design points get "
        "independent random seeds (not common random numbers), so that the dummy measures "
        "this noise. A parameter is marked *above noise* when its interval lies wholly above "
        "the dummy's; others have no effect detectable at this number of runs.",
        "",
        "| parameter | range |",
        "|---|---|",
    ]
    bounds = dict(zip(design.problem["names"], design.problem["bounds"], strict=True))
    lines += [
        f"| `{name}` | [{format_number(low)}, {format_number(high)}] |"
        for name, (low, high) in bounds.items()
    ]
    lines.append("")
    unreliable = _unreliable(indices, design.method)
    if note := too_few_samples_note(result):
        lines += [note, ""]
    for outcome in design.outcomes:
        if outcome in result.undefined or outcome in result.constant:
            lines += [f"## `{outcome}`", "", undefined_note(result, outcome), ""]
            continue
        rows = indices[indices["outcome"] == outcome]
        lines += [
            f"## `{outcome}`",
            "",
            "| parameter | " + " | ".join(columns) + " | above noise |",
        ]
        lines.append("|---|" + "---|" * (len(columns) + 1))
        for _, row in rows.iterrows():
            if row["parameter"] == DUMMY:
                mark = "noise floor"
            elif unreliable[row.name]:
                mark = "too few samples"
            else:
                mark = "yes" if bool(row["above_noise"]) else "no"
            lines.append(
                f"| `{row['parameter']}` | "
                + " | ".join(format_number(row[x]) for x in columns)
                + f" | {mark} |"
            )
        lines.append("")
    if len(indices):
        caption = (
            "Sensitivity indices per outcome; the dashed line is the dummy's index plus its "
            "interval."
        )
        lines += [f"![{caption}](figures/{design.method}.png)", "", f"*{caption}*", ""]
        lines += [f"Table: `tables/{design.method}.csv`.", ""]
    path = directory / "sensitivity.md"
    write_text("\n".join(lines + references_section(REFERENCES, lines)).rstrip("\n") + "\n", path)
    return path


def _unreliable(indices: pd.DataFrame, method: str) -> pd.Series:
    """Mark the Sobol' indices the base sample is too small for.

    An estimate outside [0, 1] (the range of an index) by more than its interval, or an
    interval wider than half that range, says nothing about the parameter; Morris's
    indices have no such range.
    """
    if method != "sobol" or not len(indices):
        return pd.Series(False, index=indices.index)
    bad = pd.Series(False, index=indices.index)
    for index in ("S1", "ST"):
        value, half = indices[index], indices[f"{index}_conf"]
        bad |= (value < -half) | (value > 1 + half) | (half > 0.5)
    return bad


def too_few_samples_note(result: SensitivityResult) -> str | None:
    """Say which Sobol' indices are too noisy to read, and what to do; None if none is.

    Parameters
    ----------
    result : SensitivityResult

    Returns
    -------
    str or None
        A sentence in Markdown naming the parameters and outcomes concerned.
    """
    design, indices = result.design, result.indices
    if indices is None:
        return None
    read = indices[indices["parameter"] != DUMMY]  # the dummy's indices are the noise floor
    bad = _unreliable(read, design.method)
    if not bad.any():
        return None
    samples = len(design.sample) // (design.problem["num_vars"] + 2)
    named = [f"`{row.parameter}` on `{row.outcome}`" for row in read[bad].itertuples()]
    listed = ", ".join(named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
    which = f"all {len(named)}" if len(named) == len(read) else f"{len(named)} of the {len(read)}"
    return (
        f"**Too few samples for {which} parameter × outcome pairs** ({listed}): "
        "their S1 or ST lies outside [0, 1], the range of a Sobol' index, by more than its "
        f"interval, or has an interval wider than half of it. {samples} base samples "
        "(`sensitivity.samples`) leave the estimator this noisy: raise `sensitivity.samples` "
        "(a power of two) and rerun."
    )


def undefined_note(result: SensitivityResult, outcome: str) -> str:
    """Say why an outcome of a sensitivity analysis has no indices.

    Parameters
    ----------
    result : SensitivityResult
    outcome : str
        One of ``result.undefined`` or ``result.constant``.

    Returns
    -------
    str
    """
    points = len(result.design.sample)
    if outcome in result.constant:
        return (
            f"`{outcome}` was {format_number(result.constant[outcome])} at every one of the "
            f"{points:,} design points: no parameter changed it within its range, so it has "
            "no indices (each would be 0 over 0)."
        )
    return (
        f"`{outcome}` is undefined in runs at {result.undefined[outcome]:,} of the {points:,} "
        f"design points (undefined: {UNDEFINED}); an index needs the outcome at every point, "
        f"so `{outcome}` has none."
    )
