"""Docking against Bass (1969): the closed form on a complete graph, and its two limits.

On a complete graph (a well-mixed market) the engine's ``bass`` rule gives every
customer who has not adopted the daily adoption probability ``p + q F``, ``F`` the
adopted share of the others: a discrete-time, finite-population version of
``dF/dt = (p + q F)(1 - F)``. With daily steps and rates of order 10^-3 per day the
discretisation bias is of order 10^-4 (:func:`~ecosim.validation.theory.bass_recursion`
gives it exactly), far below the tolerance; what remains is Monte Carlo noise.

Full mode runs the issue's settings with one step per day. Quick mode lets one step
stand for 10 days (``p`` and ``q`` per step ten times the daily rates, 730 steps for 20
years): the same code path at a tenth of the steps, with a discretisation bias ten times
larger (still reported exactly) and more customers to keep the Monte Carlo noise small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy.ndimage import gaussian_filter1d

from ecosim.validation.core import CaseResult, Check, Mode, daily_curves, minimal_scenario
from ecosim.validation.theory import (
    bass_cdf,
    bass_peak_time,
    bass_rate,
    bass_recursion,
    logistic,
)

__all__ = ["BANDWIDTH", "P", "Q", "bass_closed_form", "bass_limits"]

P, Q = 0.03 / 365, 0.38 / 365
"""Innovation and imitation per day: 0.03 and 0.38 per year, the means of the
meta-analysis of Sultan, Farley & Lehmann (1990)."""

BANDWIDTH = 365
"""Standard deviation (days) of the Gaussian kernel that smooths the adoption rate before
its peak is located. Bass's rate is symmetric about its peak (a logistic density)
with scale ``1 / (p + q)`` = 2.4 years, flat within days of it, so the raw daily rate is too
noisy to locate a peak; smoothing a symmetric peak with a symmetric kernel does not move it
(the same smoothing of the closed form shows the bias, reported)."""

BASS_DESCRIPTION = """\
With every ecosystem mechanism switched off but diffusion (`diffusion.rule = "bass"`, no
campaign, nobody aware at the start) on a complete graph, each day every customer who has
not adopted adopts with probability p + q F, F the adopted share of the other customers.
With many customers and short steps this is Bass's dF/dt = (p + q F)(1 − F), solved by
F(t) = (1 − e^(−(p+q)t)) / (1 + (q/p) e^(−(p+q)t)), whose adoption rate peaks at
t* = ln(q/p) / (p + q). p = 0.03 and q = 0.38 per year are the means of the meta-analysis
of Sultan, Farley & Lehmann (1990). The engine steps in days: the exact discrete-time
mean-field recursion is drawn beside the closed form, so the discretisation bias can be
read off. The peak is located on the mean daily adoption rate smoothed with a Gaussian
kernel of one year: the rate is flat near its peak (55 days away it is 0.1 % lower) and a
run has only about three adoptions a day there, so the raw daily rate cannot place it. In
quick mode one step stands for 10 days (p and q per step ten times the daily rates): the
same code path at a tenth of the steps, with a larger but exactly known discretisation
bias, and 50,000 customers to keep the Monte Carlo noise down."""

LIMITS_DESCRIPTION = """\
The two special cases of the Bass model, through the same rule. With q = 0 only
innovation acts: F(t) = 1 − e^(−pt) (Fourt & Woodlock 1960; in daily steps
1 − (1 − p)^t). With p = 0 and a seeded share F0 of adopters (`diffusion.seeds.share`) only
imitation acts: the logistic curve F0 / (F0 + (1 − F0) e^(−qt)) (Mansfield 1961). The
tolerance is the Bass case's. The populations are larger and the replications fewer than
in the Bass case: the engine's cost per day hardly grows with the number of customers, and
the Monte Carlo noise shrinks with customers × replications. In quick mode, as in the Bass
case, one step stands for 10 days."""

TOLERANCE = 0.005
PEAK_TOLERANCE_YEARS = 0.15
SEEDED_SHARE = 0.1


@dataclass(frozen=True)
class Settings:
    """Customers, replications, horizon (years) and days per step of one run of a case."""

    customers: int
    replications: int
    years: float
    step_days: int = 1

    @property
    def steps(self) -> int:
        """The horizon in steps."""
        return round(self.years * 365 / self.step_days)

    def per_step(self, rate: float) -> float:
        """Convert a rate per day to a probability per step."""
        return rate * self.step_days

    def in_years(self, steps: np.ndarray | float) -> np.ndarray | float:
        """Convert steps to years."""
        return np.asarray(steps) * self.step_days / 365


BASS = {"full": Settings(10_000, 30, 20), "quick": Settings(50_000, 3, 20, 10)}
INNOVATION = {"full": Settings(50_000, 4, 20), "quick": Settings(20_000, 2, 20, 10)}
IMITATION = {"full": Settings(50_000, 6, 12), "quick": Settings(50_000, 2, 12, 10)}


def bass_closed_form(mode: Mode = "full", jobs: int = 1) -> CaseResult:
    """Check Bass (1969) on a complete graph: the mean adoption curve and its peak.

    Full mode: 10,000 customers, ``p = 0.03/365`` and ``q = 0.38/365`` per day, 20 years,
    30 replications. Checks ``max_t |mean F(t) - F_Bass(t)| <= 0.005`` and that the peak
    of the mean daily adoption rate (smoothed, :data:`BANDWIDTH`) lies within 0.15 years
    of ``ln(q/p) / (p + q)``.

    Parameters
    ----------
    mode : {"full", "quick"}
    jobs : int
        Worker processes for the replications.

    Returns
    -------
    CaseResult

    References
    ----------
    F. M. Bass, "A new product growth for model consumer durables", Management Science
    15 (1969) 215-227.
    """
    s = BASS[mode]
    p, q = s.per_step(P), s.per_step(Q)
    scenario = minimal_scenario(
        "bass",
        s.customers,
        s.steps,
        **{"diffusion.rule": "bass", "diffusion.p": p, "diffusion.q": q},
    )
    curves = daily_curves("bass", scenario, s.replications, "adopted_share", jobs)
    t = np.arange(s.steps + 1)
    closed = bass_cdf(t, p, q)
    discrete = bass_recursion(s.steps, p, q, customers=s.customers)
    mean, se = _mean_and_error(curves)
    deviation = np.abs(mean - closed)

    bandwidth = BANDWIDTH / s.step_days
    smoothed = gaussian_filter1d(np.diff(curves, axis=1), bandwidth, axis=1, mode="nearest")
    peak = float(np.argmax(smoothed.mean(axis=0)) + 1)
    peaks = np.argmax(smoothed, axis=1) + 1.0
    peak_se = float(peaks.std(ddof=1) / np.sqrt(len(peaks)))
    theory_peak = bass_peak_time(p, q)
    smoothed_theory = gaussian_filter1d(np.diff(closed), bandwidth, mode="nearest")
    smoothing_bias = float(np.argmax(smoothed_theory) + 1 - theory_peak)

    quick = mode == "quick"
    checks = [
        Check(
            "max_t |mean F(t) - F_Bass(t)|",
            float(deviation.max()),
            "<=",
            TOLERANCE,
            3 * float(se.max()) if quick else 0.0,
        ),
        Check(
            "|peak of the mean adoption rate - ln(q/p)/(p+q)|",
            float(s.in_years(abs(peak - theory_peak))),
            "<=",
            PEAK_TOLERANCE_YEARS,
            3 * float(s.in_years(peak_se)) if quick else 0.0,
            unit="years",
        ),
    ]
    notes = [
        f"Largest deviation at year {s.in_years(np.argmax(deviation)):.2f}; the Monte Carlo "
        f"standard error of the mean curve is at most {se.max():.4f} (the tolerance is "
        f"{TOLERANCE / se.max():.1f} standard errors).",
        f"Discretisation: the exact discrete-time mean-field recursion (steps of "
        f"{s.step_days} day{'s' if s.step_days > 1 else ''}, adoption probability p + q F, F "
        f"the share of the other {s.customers - 1:,} customers) differs from the continuous "
        f"closed form by at most {np.abs(discrete - closed).max():.5f}; the mean curve differs "
        f"from the recursion by at most {np.abs(mean - discrete).max():.4f}.",
        f"Peak: ln(q/p)/(p+q) = {s.in_years(theory_peak):.3f} years; peak of the smoothed mean "
        f"adoption rate = {s.in_years(peak):.3f} years (standard error from the replications' "
        f"own peaks: {s.in_years(peak_se):.3f} years). The same smoothing moves the closed "
        f"form's peak by {s.in_years(smoothing_bias):+.4f} years.",
    ]
    figure = _bass_figure(s, curves, se, closed, discrete, smoothed, peak, theory_peak)
    return CaseResult(
        name="bass",
        title="Bass closed form on a complete graph",
        description=BASS_DESCRIPTION,
        checks=checks,
        source="Bass (1969)",
        settings={
            "customers": f"{s.customers:,}",
            "replications": s.replications,
            "horizon": f"{s.years:g} years",
            "days per step": s.step_days,
            "p, q per day": "0.03/365, 0.38/365",
            "network": "complete",
        },
        notes=notes,
        figure=figure,
        data={"mean": mean, "closed_form": closed, "peak_years": s.in_years(peak)},
    )


def bass_limits(mode: Mode = "full", jobs: int = 1) -> CaseResult:
    """Check the two limits of the Bass model: pure innovation and pure imitation.

    ``q = 0`` gives ``F(t) = 1 - e^{-pt}`` (in discrete time ``1 - (1 - p)^t``; Fourt &
    Woodlock 1960); ``p = 0`` with a seeded share ``F_0`` gives the logistic curve
    ``F_0 / (F_0 + (1 - F_0) e^{-qt})`` (Mansfield 1961). Both are checked with the
    Bass case's tolerance, ``max_t |mean F(t) - F(t)| <= 0.005``.

    Parameters
    ----------
    mode : {"full", "quick"}
    jobs : int

    Returns
    -------
    CaseResult

    References
    ----------
    L. A. Fourt and J. W. Woodlock, "Early prediction of market success for new grocery
    products", Journal of Marketing 25 (1960) 31-38.
    E. Mansfield, "Technical change and the rate of imitation", Econometrica 29 (1961)
    741-766.
    """
    quick = mode == "quick"
    si, sm = INNOVATION[mode], IMITATION[mode]
    p, q = si.per_step(P), sm.per_step(Q)
    ti, tm = np.arange(si.steps + 1), np.arange(sm.steps + 1)
    limits = [
        (
            "q = 0",
            minimal_scenario(
                "bass_innovation",
                si.customers,
                si.steps,
                **{"diffusion.rule": "bass", "diffusion.p": p, "diffusion.q": 0.0},
            ),
            si,
            1.0 - np.exp(-p * ti),
            1.0 - (1.0 - p) ** ti,
        ),
        (
            f"p = 0, F0 = {SEEDED_SHARE}",
            minimal_scenario(
                "bass_imitation",
                sm.customers,
                sm.steps,
                **{
                    "diffusion.rule": "bass",
                    "diffusion.p": 0.0,
                    "diffusion.q": q,
                    "diffusion.seeds": {"share": SEEDED_SHARE},
                },
            ),
            sm,
            logistic(tm, q, SEEDED_SHARE),
            bass_recursion(sm.steps, 0.0, q, SEEDED_SHARE, sm.customers),
        ),
    ]
    panels, checks, notes = [], [], []
    for label, scenario, s, theory, discrete in limits:
        curves = daily_curves(scenario.name, scenario, s.replications, "adopted_share", jobs)
        mean, se = _mean_and_error(curves)
        checks.append(
            Check(
                f"{label}: max_t |mean F(t) - F(t)|",
                float(np.abs(mean - theory).max()),
                "<=",
                TOLERANCE,
                3 * float(se.max()) if quick else 0.0,
            )
        )
        notes.append(
            f"{label}: Monte Carlo standard error of the mean curve at most {se.max():.4f}; the "
            f"discrete-time curve differs from the continuous one by at most "
            f"{np.abs(discrete - theory).max():.5f}."
        )
        panels.append((label, s, curves, theory))
    return CaseResult(
        name="limits",
        title="Limits of the Bass model: pure innovation and pure imitation",
        description=LIMITS_DESCRIPTION,
        checks=checks,
        source="Bass (1969); Fourt & Woodlock (1960); Mansfield (1961)",
        settings={
            "q = 0": f"{si.customers:,} customers, {si.replications} replications, "
            f"{si.years:g} years, {si.step_days} day(s) per step, p = 0.03/365 per day",
            "p = 0": f"{sm.customers:,} customers, {sm.replications} replications, "
            f"{sm.years:g} years, {sm.step_days} day(s) per step, q = 0.38/365 per day, "
            f"seeded share {SEEDED_SHARE}",
            "network": "complete",
        },
        notes=notes,
        figure=_limits_figure(panels),
        data={label: curves.mean(axis=0) for label, _, curves, _ in panels},
    )


def _mean_and_error(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over replications and its standard error, per day."""
    return curves.mean(axis=0), curves.std(axis=0, ddof=1) / np.sqrt(len(curves))


def _bass_figure(
    s: Settings,
    curves: np.ndarray,
    se: np.ndarray,
    closed: np.ndarray,
    discrete: np.ndarray,
    smoothed: np.ndarray,
    peak: float,
    theory_peak: float,
) -> Figure:
    t = np.arange(curves.shape[1])
    years, mean = s.in_years(t), curves.mean(axis=0)
    fig = Figure(figsize=(15, 4.5), layout="constrained")
    ax = fig.subplots(1, 3)
    for curve in curves:
        ax[0].plot(years, curve, color="0.8", lw=0.6)
    ax[0].plot(years, mean, color="C0", label="ecosim, mean of replications")
    ax[0].plot(years, closed, "k--", label="Bass closed form")
    ax[0].set(title="Adopted share F(t)", xlabel="years", ylabel="share of customers")
    ax[0].legend(loc="lower right")

    ax[1].fill_between(years, -2 * se, 2 * se, color="C0", alpha=0.2, label="±2 standard errors")
    ax[1].plot(years, mean - closed, color="C0", label="mean − closed form")
    ax[1].plot(years, discrete - closed, "k:", label="discrete recursion − closed form")
    _tolerance_lines(ax[1], TOLERANCE)
    ax[1].set(title="Deviation from the closed form", xlabel="years", ylabel="ΔF")
    ax[1].legend(loc="lower left", fontsize="small")

    per_year = 365 / s.step_days
    rate = per_year * np.diff(mean)
    width = max(round(30 / s.step_days), 1)
    monthly = rate[: len(rate) // width * width].reshape(-1, width).mean(axis=1)
    ax[2].step(s.in_years(np.arange(len(monthly)) * width), monthly, where="post", color="0.6")
    ax[2].plot(years[1:], per_year * smoothed.mean(axis=0), color="C0", label="smoothed mean rate")
    ax[2].plot(years, 365 * bass_rate(years * 365, P, Q), "k--", label="Bass f(t)")
    ax[2].axvline(s.in_years(theory_peak), color="k", lw=0.8, label="ln(q/p)/(p+q)")
    ax[2].axvline(s.in_years(peak), color="C0", lw=0.8, ls="-.", label="measured peak")
    ax[2].set(
        title="Adoption rate (monthly means in grey)", xlabel="years", ylabel="share per year"
    )
    ax[2].legend(loc="upper right", fontsize="small")
    return fig


def _limits_figure(panels: list[tuple[str, Settings, np.ndarray, np.ndarray]]) -> Figure:
    fig = Figure(figsize=(12, 4.5), layout="constrained")
    ax = fig.subplots(1, 2)
    for axis, (label, s, curves, theory) in zip(ax, panels, strict=True):
        years, mean = s.in_years(np.arange(curves.shape[1])), curves.mean(axis=0)
        for curve in curves:
            axis.plot(years, curve, color="0.8", lw=0.6)
        axis.plot(years, mean, color="C0", label="ecosim, mean of replications")
        axis.plot(years, theory, "k--", label="closed form")
        inset = axis.inset_axes((0.55, 0.12, 0.42, 0.3))
        inset.plot(years, mean - theory, color="C0", lw=0.8)
        _tolerance_lines(inset, TOLERANCE)
        inset.set_title("mean − closed form", fontsize="small")
        inset.tick_params(labelsize="x-small")
        axis.set(title=label, xlabel="years", ylabel="adopted share")
        axis.legend(loc="upper left")
    return fig


def _tolerance_lines(axis: Axes, tolerance: float) -> None:
    for level in (-tolerance, tolerance):
        axis.axhline(level, color="C3", lw=0.8, ls="--")
    axis.axhline(0.0, color="k", lw=0.5)
