"""``report.md``: the calibration written up for a paper (method, priors, data, results, PPC)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ecosim import __version__
from ecosim.calibrate.abc import Generation
from ecosim.calibrate.outputs import LEVEL, summary_cells
from ecosim.calibrate.posterior import named_beside
from ecosim.calibrate.schema import MARKET_SIZE, STATISTIC_KINDS, Calibration
from ecosim.errors import plain_number
from ecosim.metrics import split_column
from ecosim.report.references import references_section

__all__ = ["periods", "unmoved_note", "write_report_text"]

REFERENCES = """\
- Beaumont, M. A., Cornuet, J.-M., Marin, J.-M., & Robert, C. P. (2009). Adaptive
  approximate Bayesian computation. *Biometrika*, 96(4), 983-990.
- Klinger, E., & Hasenauer, J. (2017). A scheme for adaptive selection of population sizes
  in approximate Bayesian computation - sequential Monte Carlo. *CMSB 2017*, 128-144.
- Klinger, E., Rickert, D., & Hasenauer, J. (2018). pyABC: distributed, likelihood-free
  inference. *Bioinformatics*, 34(20), 3591-3593.
- McCulloch, J., Ge, J., Ward, J. A., Heppenstall, A., Polhill, J. G., & Malleson, N. (2022).
  Calibrating agent-based models using uncertainty quantification methods. *Journal of
  Artificial Societies and Social Simulation*, 25(2), 1.
- Prangle, D. (2017). Adapting the ABC distance function. *Bayesian Analysis*, 12(1), 289-309.
"""


def periods(count: int) -> str:
    """Write a number of periods of data (``1 period``, ``40 periods``)."""
    return f"{count:,} period{'' if count == 1 else 's'}"


def _counted(numbers: list[int]) -> str:
    """Write ``[2, 4]`` as ``2 and 4``."""
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def unmoved_note(unmoved: dict[str, float]) -> str:
    """Say that no statistic moved with the parameters, so the posterior is the prior.

    Examples
    --------
    >>> print(unmoved_note({"mean_experience[1]": 0.0, "mean_experience[2]": 0.0}))
    ... # doctest: +NORMALIZE_WHITESPACE
    Every simulation from the prior gave the same statistics, whatever its parameters
    (mean_experience[1] = 0, mean_experience[2] = 0): they cannot tell the parameters apart,
    so the posterior is the prior. The scenario may not move these outcomes (see them with
    ecosim run), or the parameters fitted may not reach them.
    """
    shown = [f"{label} = {plain_number(value)}" for label, value in list(unmoved.items())[:3]]
    more = f", and {len(unmoved) - 3} more" if len(unmoved) > 3 else ""
    return (
        "Every simulation from the prior gave the same statistics, whatever its parameters "
        f"({', '.join(shown)}{more}): they cannot tell the parameters apart, so the posterior "
        "is the prior. The scenario may not move these outcomes (see them with ecosim run), "
        "or the parameters fitted may not reach them."
    )


def write_report_text(
    calibration: Calibration,
    summary: pd.DataFrame,
    generations: list[Generation],
    ppc: pd.DataFrame,
    seconds: float,
    where: str,
    resumed: int = 0,
    rewritten: bool = False,
    redrawn: list[int] | None = None,
    unmoved: dict[str, float] | None = None,
) -> str:
    """Return ``report.md``'s text.

    Parameters
    ----------
    calibration : Calibration
    summary : pandas.DataFrame
        :func:`ecosim.calibrate.outputs.credible_intervals`.
    generations : list of Generation
    ppc : pandas.DataFrame
        :func:`ecosim.calibrate.outputs.predictive_check`'s table.
    seconds : float
        Wall time of the search and the check, as run by the call that finished them.
    where : str
        Where the simulations ran (``"in one process"``, ``"on 2 Dask workers"``).
    resumed : int
        Generations complete before the call that finished the search.
    rewritten : bool
        The outputs are written again from a finished search's history: ``seconds`` and
        ``where`` are the rewrite's, and where and how long the search ran is not known.
    redrawn : list of int, optional
        The generation counts after which the search resumed without its kept simulations
        (:attr:`ecosim.calibrate.abc.Search.redrawn`).
    unmoved : dict of str to float, optional
        The statistics, if every particle of generation 0 gave each the same value
        (:func:`ecosim.calibrate.abc.unmoved`): the posterior is then the prior.
    """
    c = calibration
    s = c.abc
    scenario = c.scenario
    simulations = sum(g.simulations for g in generations)
    if rewritten:
        ran = "(where is not recorded in its history)"
    elif resumed and resumed == len(generations):
        ran = "in an earlier call (where is not recorded)"  # stopped before its outputs
    elif resumed:
        ran = (
            f"{where} for the last {len(generations) - resumed} of them (the first {resumed} "
            "in an earlier call, where is not recorded)"
        )
    else:
        ran = where
    lines = [
        f"# Calibration: {c.name}",
        "",
        c.description.strip(),
        "",
        f"Written by ecosim {__version__} (`ecosim calibrate {c.file}`) on "
        f"{date.today().isoformat()}.",
        "",
        "## Method",
        "",
        f"The scenario `{named_beside(c.file, c.scenario_file)}` "
        f"({scenario.population.size:,} customers, "
        f"{scenario.days} days, diffusion rule `{scenario.diffusion.rule}`) was fitted to the "
        "observed data by approximate Bayesian computation with sequential Monte Carlo "
        "(ABC-SMC; Beaumont et al. 2009) in pyABC (Klinger, Rickert & Hasenauer 2018), as "
        "McCulloch et al. (2022) recommend for agent-based models. Simulated and observed "
        "data are compared through summary statistics by a weighted Euclidean distance whose "
        "weights adapt to each statistic's spread in every generation (Prangle 2017), times "
        "the fixed weights below; the population size adapts to the posterior's complexity "
        f"(Klinger & Hasenauer 2017), starting at {s.population_size} particles (at most "
        f"{s.max_population_size or 2 * s.population_size}). New particles perturb the last "
        "generation's with a multivariate normal kernel (Silverman's bandwidth) fitted in "
        "units of each parameter's weighted standard deviation. Each particle's statistics are "
        f"the mean of {s.replications} simulation(s), seeded by a hash of the calibration's "
        f"seed ({c.seed}) and the particle's values; the particle itself is drawn from a seed of "
        "the calibration's, its generation and its place in the generation, which keeps its "
        "particles in that order, so the search is the same on any number of workers. "
        + (
            f"It was resumed after {_counted(redrawn)} complete generations without the "
            "simulations kept for resuming (`abc_simulations/`): the generations after are "
            "other draws than an uninterrupted search's, of the same target. "
            if redrawn
            else ""
        )
        + f"The search ran {len(generations)} "
        f"generations ({simulations:,} particles simulated) {ran}; it stops after "
        f"{s.generations} generations or once epsilon falls to {s.min_epsilon:g}.",
        "",
        "| parameter | scenario field | prior |",
        "|---|---|---|",
        *(f"| {p.label} | `{p.path}` | {p.describe()} |" for p in c.parameters),
        "",
    ]
    if any(p.path == MARKET_SIZE for p in c.parameters):
        lines += [
            f"`market_size` is the number of real customers the {scenario.population.size:,} "
            "simulated ones stand for: simulated counts and money are multiplied by "
            f"market_size / {scenario.population.size:,} before they are compared with the "
            "data (Bass's m).",
            "",
        ]
    lines += [
        "| statistic | weight |",
        "|---|---|",
        *(f"| {st.label} | {st.weight:g} |" for st in c.statistics),
        "",
        f"(`{'`, `'.join(STATISTIC_KINDS)}`: every period's value, the sum over periods, "
        "the largest value, its period, the last value.)",
        "",
        "## Data",
        "",
        f"`{named_beside(c.file, c.data.path)}`: {periods(len(c.observed))} of "
        f"{c.data.period_days} simulated "
        f"day(s) each, columns "
        f"{', '.join(f'`{col}`' for col in c.columns)}. Flows are summed over a period's days, "
        "states read on its last day"
        + (
            "; net sentiment is that of the period's word of mouth."
            if any(split_column(column)[0] == "net_sentiment" for column in c.columns)
            else "."
        ),
        "",
        "## Results",
        "",
        *([f"**{unmoved_note(unmoved)}**", ""] if unmoved else []),
        f"Posterior of the last generation (weighted): mean, sd, median and {LEVEL:.0%} "
        "credible interval (5th to 95th percentile).",
        "",
        "| parameter | mean | sd | median | 90% credible interval |",
        "|---|---|---|---|---|",
        *(
            "| {} | {} | {} | {} | [{}, {}] |".format(row.parameter, *summary_cells(row))
            for row in summary.itertuples()
        ),
        "",
        "| generation | epsilon | particles | simulated | acceptance |",
        "|---|---|---|---|---|",
        *(
            f"| {g.t} | {g.epsilon:.4g} | {g.particles} | {g.simulations} | {g.acceptance:.1%} |"
            for g in generations
        ),
        "",
        "Epsilon is measured with each generation's own adaptive weights, so it need not "
        "fall monotonically.",
        "",
        "![marginals](figures/marginals.png)",
        "",
        "![pairs](figures/pairs.png)",
        "",
        "## Posterior predictive check",
        "",
        f"{s.ppc_draws} draws from the posterior were each simulated once; the band is the "
        "5th to 95th percentile of the simulations in each period (`ppc.csv`).",
        "",
        "| column | periods | observed inside the 5-95% band |",
        "|---|---|---|",
        *(
            f"| {column} | {len(rows)} | {int(rows['inside'].sum())} "
            f"({rows['inside'].mean():.0%}) |"
            for column, rows in ppc.groupby("column", sort=False)
        ),
        "",
        "![posterior predictive check](figures/ppc.png)",
        "",
        (
            f"These outputs were written again from `abc.db` after the search had finished "
            f"({seconds:.0f} s, {where}; the generations' end times are in `abc.db`). "
            if rewritten
            else f"The call that finished the search resumed it after {resumed} complete "
            f"generations and took {seconds:.0f} s (the earlier generations' end times are "
            "in `abc.db`). "
            if resumed
            else f"Search and check took {seconds:.0f} s. "
        )
        + "`calibrated.toml` is the scenario at the "
        "posterior medians; `posterior_draws.parquet` holds equally weighted draws for "
        "experiments (`[posterior] from = ...`).",
        "",
    ]
    return "\n".join(lines + references_section(REFERENCES, lines))
