"""Calibration recovers known parameters: synthetic data in, credible intervals around the truth.

``ecosim calibrate`` is checked the way Talts et al. (2018) check a Bayesian inference
algorithm: simulate data from known parameters, fit them, and see whether the credible
intervals cover the truth as often as they claim. The model is the reduced Bass market
(``diffusion.rule = "bass"`` on a complete network; ``calibrations/scenarios/
bass_market.toml``), chosen because a run of it takes milliseconds, so that the full
study can afford many fits; the search is exactly the one ``ecosim calibrate`` runs (the
same particle model, distance, population strategy and seeds), in one process.

The market size is fitted with p and q, as in a fit of real sales (Bass's m; the shipped
room air conditioners): it puts a parameter in thousands beside one in hundredths, which
is what the perturbation kernel has to handle (``ecosim.calibrate.kernel``).

Quick mode fits one data set, simulated at Sultan, Farley & Lehmann's (1990)
meta-analytic mean Bass coefficients (p = 0.03, q = 0.38) and a market of 20,000: the
90% credible interval of each parameter must cover the truth, and the data must inform
each (posterior sd at most 0.6 times the prior's after five generations). Full mode is a
coverage study: 20 data sets, each simulated from parameters drawn from the prior
(simulation-based calibration) and fitted; the 90% intervals must cover the truth in at
least the number of data sets a 90% coverage would give with 99% probability (the
binomial 1% quantile).
ABC with a positive epsilon approximates the posterior by a wider one (Sisson, Fan &
Beaumont 2018), so coverage above 90% is expected and reported, not failed.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from ecosim.calibrate.schema import Calibration, Data, Parameter, Settings, Statistic
from ecosim.experiment.plan import run_seed
from ecosim.validation.core import CaseResult, Check, Mode, minimal_scenario, replicate, seeds

__all__ = ["calibration_recovery"]

TRUTH = {"p": 0.03, "q": 0.38, "market_size": 20000.0}
"""Quick mode's truth: the mean Bass coefficients of Sultan, Farley & Lehmann (1990), and a
market of four times the simulated population."""
PRIORS = [
    Parameter(path="diffusion.p", prior="log_uniform", low=0.003, high=0.1),
    Parameter(path="diffusion.q", prior="uniform", low=0.05, high=0.8),
    Parameter(path="market_size", prior="uniform", low=5000.0, high=50000.0),
]
LEVEL = 0.90


@dataclass(frozen=True)
class _Settings:
    customers: int
    periods: int
    data_sets: int
    population: int
    generations: int


SETTINGS = {
    "quick": _Settings(customers=5000, periods=15, data_sets=1, population=80, generations=5),
    "full": _Settings(customers=5000, periods=15, data_sets=20, population=80, generations=5),
}

DESCRIPTION = """\
Synthetic adoption data are simulated from known Bass coefficients with the reduced Bass
market (`diffusion.rule = "bass"` on a complete network, 5,000 customers, 15 periods) and
fitted by the search of `ecosim calibrate` (pyabc ABC-SMC, adaptive distance and
population size, the daily `purchases` series as statistics, priors p log-uniform on
[0.003, 0.1], q uniform on [0.05, 0.8] and the market size uniform on [5,000, 50,000]
real customers for the 5,000 simulated). The reduced model is used because it is fast
enough for many fits; the search is the same for the full model. Quick mode fits one data
set at the meta-analytic mean p = 0.03, q = 0.38 (Sultan, Farley & Lehmann 1990) and a
market of 20,000; full mode
fits 20 data sets simulated from parameters drawn from the prior (simulation-based
calibration, Talts et al. 2018) and counts how often the 90% credible intervals cover the
truth."""


def _calibration(settings: _Settings, seed: int, observed: pd.DataFrame) -> Calibration:
    scenario = minimal_scenario(
        "calibration",
        settings.customers,
        settings.periods,
        **{"diffusion.rule": "bass", "diffusion.p": TRUTH["p"], "diffusion.q": TRUTH["q"]},
    )
    return Calibration(
        name="calibration",
        scenario=scenario,
        scenario_file="<validation case>",
        file="<validation case>",
        seed=seed,
        data=Data(path="<synthetic>"),
        parameters=PRIORS,
        statistics=[Statistic(column="purchases")],
        abc=Settings(
            population_size=settings.population,
            generations=settings.generations,
            draws=100,
            ppc_draws=10,
        ),
        observed=observed,
    )


def _fit(seed: np.random.SeedSequence, settings: _Settings, truth: dict[str, float] | None) -> dict:
    """Simulate a data set (at ``truth``, or at a draw from the prior) and fit it."""
    from ecosim.calibrate.abc import posterior, search
    from ecosim.calibrate.outputs import credible_intervals
    from ecosim.calibrate.simulation import simulated_periods

    draw, data, search_seed = seed.spawn(3)
    rng = np.random.default_rng(draw)
    if truth is None:
        truth = {p.label: float(p.distribution().rvs(random_state=rng)) for p in PRIORS}
    placeholder = pd.DataFrame({"period": np.arange(1, settings.periods + 1), "purchases": 0.0})
    synthetic = _calibration(settings, 0, placeholder)
    data_seed = run_seed(data)
    observed = simulated_periods(synthetic, truth, data_seed)[["period", "purchases"]]
    calibration = _calibration(
        settings, int(search_seed.generate_state(1)[0]), observed.reset_index(drop=True)
    )
    with tempfile.TemporaryDirectory() as folder:
        found = search(calibration, folder)
        particles = posterior(found.history)
    summary = credible_intervals(calibration, particles).set_index("parameter")
    return {
        "truth": truth,
        "summary": summary,
        "particles": particles,
        "observed": observed,
        "simulations": sum(g.simulations for g in found.generations),
    }


def calibration_recovery(mode: Mode = "full", jobs: int = 1) -> CaseResult:
    """Fit synthetic data from known parameters; check the 90% credible intervals cover them.

    Parameters
    ----------
    mode : {"full", "quick"}
        Quick: one data set at Sultan et al.'s mean coefficients; full: a coverage study
        over 20 data sets drawn from the prior.
    jobs : int
        Worker processes (one fit each; results do not depend on it).

    Returns
    -------
    CaseResult
    """
    s = SETTINGS[mode]
    truth = TRUTH if mode == "quick" else None
    fits = replicate(_fit, seeds("calibration", s.data_sets), jobs, settings=s, truth=truth)
    labels = [p.label for p in PRIORS]
    rows = [
        {
            "data_set": i,
            "parameter": label,
            "truth": fit["truth"][label],
            "median": fit["summary"].loc[label, "median"],
            "q05": fit["summary"].loc[label, "q05"],
            "q95": fit["summary"].loc[label, "q95"],
            "sd": fit["summary"].loc[label, "sd"],
        }
        for i, fit in enumerate(fits)
        for label in labels
    ]
    table = pd.DataFrame(rows)
    table["covered"] = (table["q05"] <= table["truth"]) & (table["truth"] <= table["q95"])
    checks = []
    if mode == "quick":
        for p in PRIORS:
            row = table[table["parameter"] == p.label].iloc[0]
            checks.append(
                Check(
                    f"{p.label} = {row.truth:g} inside the 90% credible interval "
                    f"[{row.q05:.4g}, {row.q95:.4g}] (1 = yes)",
                    float(row.covered),
                    ">=",
                    1.0,
                )
            )
            checks.append(
                Check(
                    f"posterior sd / prior sd of {p.label}",
                    float(row.sd / p.distribution().std()),
                    "<=",
                    0.6,
                )
            )
    else:
        least = int(stats.binom.ppf(0.01, s.data_sets, LEVEL))
        for label in labels:
            covered = int(table.loc[table["parameter"] == label, "covered"].sum())
            checks.append(
                Check(
                    f"data sets (of {s.data_sets}) whose 90% interval of {label} covers the truth",
                    float(covered),
                    ">=",
                    float(least),
                )
            )
    coverage = table.groupby("parameter", sort=False)["covered"].mean()
    notes = [
        "Coverage of the 90% credible intervals: "
        + ", ".join(f"{label} {coverage[label]:.0%}" for label in labels)
        + f" over {s.data_sets} data set(s).",
        "Particles simulated per fit: "
        f"{np.mean([f['simulations'] for f in fits]):,.0f} on average.",
    ]
    if mode == "full":
        notes.append(
            "The lower bound is the binomial 1% quantile of the covered count when the "
            "intervals cover with probability 0.9; ABC's approximate posterior is wider than "
            "the true one, so coverage above 90% is expected."
        )
    return CaseResult(
        name="calibration",
        title="Calibration recovers known parameters (simulation-based calibration)",
        description=DESCRIPTION,
        checks=checks,
        source="Talts et al. (2018); Klinger, Rickert & Hasenauer (2018); Sultan, Farley & "
        "Lehmann (1990)",
        settings={
            "customers": f"{s.customers:,}",
            "periods": s.periods,
            "data sets": s.data_sets,
            "population size": f"{s.population} (adaptive)",
            "generations": s.generations,
        },
        notes=notes,
        figure=_figure(table, fits[0], labels),
        data={"table": table, "coverage": coverage.to_dict()},
    )


def _figure(table: pd.DataFrame, first: dict, labels: list[str]) -> Figure:
    figure = Figure(figsize=(4.5 * (len(labels) + 1), 3.8), layout="constrained")
    axes = figure.subplots(1, len(labels) + 1)
    observed = first["observed"]
    axes[0].plot(observed["period"], observed["purchases"], "ko", ms=3)
    axes[0].set(xlabel="period", ylabel="purchases", title="first synthetic data set")
    for ax, label in zip(axes[1:], labels, strict=True):
        rows = table[table["parameter"] == label].sort_values("truth").reset_index(drop=True)
        colours = np.where(rows["covered"], "C0", "C3")
        ax.vlines(rows.index, rows["q05"], rows["q95"], colors=colours, lw=2)
        ax.plot(rows.index, rows["truth"], "k_", ms=10, label="truth")
        ax.plot(rows.index, rows["median"], "o", color="C1", ms=3, label="posterior median")
        ax.set(
            xlabel="data set (by truth)", ylabel=label, title=f"90% credible intervals of {label}"
        )
        ax.legend(fontsize=7)
    return figure
