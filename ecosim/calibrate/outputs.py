"""What a calibration leaves in its folder: posterior samples, tables, figures, the scenario.

- ``posterior.parquet``: the last generation's particles with their weights;
- ``posterior_draws.parquet``: ``draws`` equally weighted samples from it (resampled with
  the calibration's seed), by scenario field path: what an experiment's ``[posterior]``
  uses, sample ``r`` for replication ``r``;
- ``posterior_summary.csv``: weighted mean, sd, median and 90% credible interval;
- ``ppc.csv`` and ``figures/ppc.png``: the posterior predictive check;
- ``figures/marginals.png``, ``figures/pairs.png``;
- ``calibrated.toml``: the scenario at the posterior median.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import tomli_w
from matplotlib.figure import Figure

from ecosim.calibrate.schema import MARKET_SIZE, Calibration, Parameter
from ecosim.calibrate.simulation import simulated_periods
from ecosim.experiment.plan import run_seed
from ecosim.plots import suptitle
from ecosim.report.text import distinct_numbers
from ecosim.scenario import apply_overrides, validate_scenario
from ecosim.scenario.campaign import started_after
from ecosim.scenario.loading import read_toml

__all__ = [
    "calibrated_scenario",
    "credible_intervals",
    "marginals_figure",
    "pairs_figure",
    "posterior_draws",
    "ppc_figure",
    "predictive_check",
    "weighted_quantile",
]

LEVEL = 0.90
"""Credible intervals and predictive bands: the central 90% (5th to 95th percentile)."""


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Return the ``q`` quantile of weighted values (pyabc's: the weighted CDF interpolated).

    Examples
    --------
    >>> weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.6, 0.2]), 0.5)
    2.0
    """
    from pyabc.weighted_statistics import weighted_quantile as quantile

    return float(quantile(np.asarray(values, float), np.asarray(weights, float), alpha=q))


def summary_cells(row: Any) -> list[str]:
    """Write a parameter's posterior mean, sd, median, q05 and q95 as the outputs show them.

    The mean, median and interval ends with the digits that tell them apart (a narrow
    posterior would read ``[1.7e+04, 1.7e+04]`` in four digits); the sd in three.
    """
    mean, median, low, high = distinct_numbers([row.mean, row.median, row.q05, row.q95])
    return [mean, distinct_numbers([row.sd], 3)[0], median, low, high]


def credible_intervals(calibration: Calibration, particles: pd.DataFrame) -> pd.DataFrame:
    """Weighted posterior mean, sd, median and 90% credible interval of each parameter.

    Parameters
    ----------
    calibration : Calibration
    particles : pandas.DataFrame
        A column per parameter label and ``weight``.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``parameter``, ``path``, ``prior``, ``mean``, ``sd``,
        ``median``, ``q05``, ``q95``.
    """
    from pyabc.weighted_statistics import weighted_mean, weighted_std

    w = particles["weight"].to_numpy(float)
    w = w / w.sum()
    rows = []
    for p in calibration.parameters:
        x = particles[p.label].to_numpy(float)
        rows.append(
            {
                "parameter": p.label,
                "path": p.path,
                "prior": p.describe(),
                "mean": float(weighted_mean(x, w)),
                "sd": float(weighted_std(x, w)),
                "median": weighted_quantile(x, w, 0.5),
                "q05": weighted_quantile(x, w, (1 - LEVEL) / 2),
                "q95": weighted_quantile(x, w, (1 + LEVEL) / 2),
            }
        )
    return pd.DataFrame(rows)


def posterior_draws(calibration: Calibration, particles: pd.DataFrame) -> pd.DataFrame:
    """Draw equally weighted samples from the weighted particles (with replacement).

    Returns
    -------
    pandas.DataFrame
        ``draw`` (0, 1, ...), then one column per parameter, named by its path (values
        rounded for integer fields): ``abc.draws`` rows, seeded by the calibration's seed.
    """
    w = particles["weight"].to_numpy(float)
    rng = np.random.default_rng([calibration.seed, 1])
    rows = rng.choice(len(particles), size=calibration.abc.draws, p=w / w.sum())
    chosen = particles.iloc[rows].reset_index(drop=True)
    return pd.DataFrame(
        {
            "draw": np.arange(calibration.abc.draws),
            **{p.path: [p.value(x) for x in chosen[p.label]] for p in calibration.parameters},
        }
    )


def predictive_check(
    calibration: Calibration,
    draws: pd.DataFrame,
    run: Callable[[Callable[..., Any], Iterable[Any]], list[Any]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate the first ``abc.ppc_draws`` posterior draws; band them against the data.

    Draw ``i`` runs once with seed ``SeedSequence([seed, 2, i])``.

    Parameters
    ----------
    calibration : Calibration
    draws : pandas.DataFrame
        :func:`posterior_draws`.
    run : callable, optional
        ``run(function, arguments)`` -> results in order (for example a Dask client's
        ``map`` and ``gather``); by default a loop in this process.

    Returns
    -------
    table : pandas.DataFrame
        One row per column and period: ``observed``, the simulations' ``median``, ``q05``
        and ``q95``, and ``inside`` (whether the observation is in the 5-95% band).
    simulations : pandas.DataFrame
        Every simulated period: ``draw``, ``period`` and the columns.
    """
    count = calibration.abc.ppc_draws
    by_path = {p.path: p.label for p in calibration.parameters}
    arguments = [
        (
            calibration,
            {by_path[path]: float(value) for path, value in row.items() if path in by_path},
            _ppc_seed(calibration.seed, i),
        )
        for i, row in enumerate(draws.drop(columns="draw").head(count).to_dict("records"))
    ]
    if run is None:
        results = [_simulate(arguments) for arguments in arguments]
    else:
        results = run(_simulate, arguments)
    simulations = pd.concat(
        [frame.assign(draw=i) for i, frame in enumerate(results)], ignore_index=True
    )
    rows = []
    observed = calibration.observed
    for column in calibration.columns:
        band = simulations.pivot_table(index="period", columns="draw", values=column).to_numpy(
            float
        )
        for k, value in enumerate(observed[column].to_numpy(float)):
            low, median, high = np.quantile(band[k], [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2])
            rows.append(
                {
                    "column": column,
                    "period": k + 1,
                    "observed": value,
                    "median": median,
                    "q05": low,
                    "q95": high,
                    "inside": bool(low <= value <= high),
                }
            )
    return pd.DataFrame(rows), simulations[["draw", "period", *calibration.columns]]


def _simulate(arguments: tuple[Calibration, dict[str, float], int]) -> pd.DataFrame:
    return simulated_periods(*arguments)


def _ppc_seed(seed: int, i: int) -> int:
    return run_seed(np.random.SeedSequence([seed, 2, i]))


def calibrated_scenario(
    calibration: Calibration, summary: pd.DataFrame, network: str | None = None
) -> str:
    """Return the base scenario at the posterior medians, as TOML with a header comment.

    The scenario file is read as written (``extends`` resolved), the calibration's
    ``customers`` and ``days`` and the medians applied, and the result validated. Campaign
    actions that start after the last day (when the calibration's ``days`` shortens the
    horizon) ran in no simulation, and a scenario holding one does not load: they are left
    out, and the header says so.
    ``network``: the name of the copy of its edge list that the file reads, beside it.
    """
    medians = dict(zip(summary["parameter"], summary["median"], strict=True))
    overrides = calibration.overrides(medians)
    if network is not None:
        overrides["network.path"] = network
    if calibration.customers is not None:
        overrides["population.size"] = calibration.customers
    if calibration.days is not None:
        overrides["days"] = calibration.days
    data = apply_overrides(read_toml(_scenario_path(calibration)), overrides)
    horizon = calibration.scenario.days
    campaign = data.get("campaign", [])  # with the medians: a fitted start is the median's
    beyond, actions = started_after(campaign, horizon)
    if beyond:  # ran in no simulation, and a scenario that holds one does not load
        data["campaign"] = [action for a, action in enumerate(campaign) if a not in beyond]
    validate_scenario(data, source="calibrated.toml")
    lines = [
        f"# {calibration.scenario.name} calibrated to {calibration.data.path} by ecosim calibrate",
        f"# ({calibration.file}, {date.today().isoformat()}): each fitted field is at its",
        "# posterior median (rounded for an integer parameter). Fitted:",
        *(
            _fitted(p, row, beyond)
            for p, row in zip(calibration.parameters, summary.itertuples(), strict=True)
        ),
    ]
    if beyond:
        lines.append(
            f"# It leaves out the scenario's {actions}: starting after the last day "
            f"({horizon}), {'it' if len(beyond) == 1 else 'they'} ran in no simulation; "
            "the fields above are numbered as in the scenario."
        )
    if any(p.path == MARKET_SIZE for p in calibration.parameters):
        lines.append(
            f"# market_size is not a scenario field: the {calibration.scenario.population.size:,} "
            "simulated customers stand for that many."
        )
    return "\n".join(lines) + "\n\n" + tomli_w.dumps(data)


def _fitted(parameter: Parameter, row: Any, left_out: list[int]) -> str:
    """Return calibrated.toml's header line for a parameter: the value set, its interval.

    A campaign action's field whose action moved up, as ``left_out`` actions before it were
    left out, is also named by its place in the file.
    """
    median, low, high = distinct_numbers([row.median, row.q05, row.q95], 6)
    interval = f"90% credible interval {low} to {high}"
    path = row.path
    if (found := re.match(r"campaign\.(\d+)\.", path)) and left_out:
        number = int(found[1])
        if (moved := number - sum(a < number for a in left_out)) != number:
            path += f" (campaign[{moved}] in this file)"
    if parameter.integer:
        value = parameter.value(row.median)
        return f"#   {path} = {value} (the posterior median {median} rounded; {interval})"
    return f"#   {path} = {median} ({interval})"


def _scenario_path(calibration: Calibration) -> Path:
    return Path(calibration.file).parent / calibration.scenario_file


# ---------------------------------------------------------------- figures


def _figure(rows: int, columns: int, width: float = 3.2, height: float = 2.6) -> Figure:
    matplotlib.use("Agg")
    return Figure(figsize=(width * columns, height * rows), layout="constrained")


def _limits(calibration: Calibration, particles: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Each parameter's axis: the particles' range padded by a tenth, within its bounds."""
    limits = {}
    for p in calibration.parameters:
        low, high = float(particles[p.label].min()), float(particles[p.label].max())
        pad = 0.1 * (high - low) or 0.1 * abs(high) or 0.1
        limits[p.label] = (max(p.low, low - pad), min(p.high, high + pad))
    return limits


def marginals_figure(
    calibration: Calibration, particles: pd.DataFrame, summary: pd.DataFrame
) -> Figure:
    """One panel per parameter: the weighted posterior histogram, the prior, the 90% interval."""
    count = len(calibration.parameters)
    figure = _figure(1, count)
    axes = figure.subplots(1, count, squeeze=False)[0]
    w = particles["weight"].to_numpy(float)
    limits = _limits(calibration, particles)
    for ax, p, row in zip(axes, calibration.parameters, summary.itertuples(), strict=True):
        x = particles[p.label].to_numpy(float)
        grid = np.linspace(*limits[p.label], 200)
        ax.hist(
            x,
            bins=np.linspace(*limits[p.label], 26),
            weights=w / w.sum(),
            density=True,
            color="C0",
            alpha=0.6,
            label="posterior",
        )
        ax.plot(grid, p.distribution().pdf(grid), "k--", lw=1, label="prior")
        for edge in (row.q05, row.q95):
            ax.axvline(edge, color="C3", lw=1)
        ax.axvline(row.median, color="C3", lw=2, label="median, 90% CI")
        ax.set_xlim(*limits[p.label])
        ax.set_xlabel(p.label)
    axes[0].set_ylabel("density")
    axes[0].legend(fontsize=7)
    suptitle(figure, f"{calibration.name}: posterior marginals (axes: the posterior's range)")
    return figure


def pairs_figure(calibration: Calibration, particles: pd.DataFrame) -> Figure:
    """Pairwise posterior: weighted histograms below the diagonal, the particles above it."""
    labels = [p.label for p in calibration.parameters]
    count = len(labels)
    figure = _figure(count, count, 2.4, 2.4)
    axes = figure.subplots(count, count, squeeze=False)
    w = particles["weight"].to_numpy(float)
    limits = _limits(calibration, particles)
    for i, y in enumerate(labels):
        for j, x in enumerate(labels):
            ax = axes[i, j]
            if i == j:
                ax.hist(particles[x], bins=np.linspace(*limits[x], 26), weights=w, color="C0")
                ax.set_yticks([])
            elif i > j:
                ax.hist2d(
                    particles[x],
                    particles[y],
                    bins=25,
                    weights=w,
                    range=[limits[x], limits[y]],
                    cmap="Blues",
                )
            else:
                ax.scatter(particles[x], particles[y], s=4, c="C0", alpha=0.4)
            ax.set_xlim(*limits[x])
            if i != j:
                ax.set_ylim(*limits[y])
            if i == count - 1:
                ax.set_xlabel(x)
            if j == 0 and i > 0:
                ax.set_ylabel(y)
    suptitle(figure, f"{calibration.name}: pairwise posterior")
    return figure


def ppc_figure(calibration: Calibration, table: pd.DataFrame) -> Figure:
    """Observed series against the 5-95% band of simulations from the posterior."""
    columns = calibration.columns
    figure = _figure(1, len(columns), 4.5, 3.0)
    axes = figure.subplots(1, len(columns), squeeze=False)[0]
    days = calibration.data.period_days
    unit = f"period ({days} simulated day{'s' if days > 1 else ''} each)"
    for ax, column in zip(axes, columns, strict=True):
        rows = table[table["column"] == column]
        ax.fill_between(
            rows["period"],
            rows["q05"],
            rows["q95"],
            color="C0",
            alpha=0.3,
            label="posterior predictive 5-95%",
        )
        ax.plot(rows["period"], rows["median"], color="C0", label="median")
        ax.plot(rows["period"], rows["observed"], "ko", ms=3, label="observed")
        ax.set_xlabel(unit)
        ax.set_ylabel(column)
    axes[0].legend(fontsize=7)
    suptitle(figure, f"{calibration.name}: posterior predictive check")
    return figure
