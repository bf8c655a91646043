"""Propositions of the customer engagement ecosystem made observable (Maslowska et al. 2016).

Each proposition is an experiment on the full ecosystem (rule ``ecosystem``: every
mechanism on) over a fixed set of replication seeds. Arms of an experiment share each
seed -- common random numbers: the same customers, traits and network in every arm --
and a proposition holds when a one-sided 95 % confidence bound of the paired difference
over the seeds has the predicted sign.

* Non-linear effects: a dose-response sweep of advertising intensity saturates -- the
  marginal effect on awareness at low intensity exceeds that at high intensity.
* Indirect effects: a brand action changes customers it never reached -- customers
  outside its target who were never exposed become aware and buy, through word of mouth.
* Negativity: negative dialogue weighs more than positive -- the same number of
  customers speaking with the same strength moves their neighbours' experience further
  down when negative than up when positive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ecosim.model import EcosystemModel
from ecosim.scenario import Scenario, apply_overrides, validate_scenario
from ecosim.validation.core import CaseResult, Check, Mode, confidence_bounds, replicate, seeds

__all__ = [
    "INTENSITIES",
    "dose_response",
    "indirect_effect",
    "market",
    "negativity",
]


@dataclass(frozen=True)
class Settings:
    """Customers, replication seeds and days of a proposition experiment."""

    customers: int
    replications: int
    days: int


DOSE = {"full": Settings(2_000, 50, 90), "quick": Settings(500, 20, 30)}
INDIRECT = {"full": Settings(2_000, 50, 90), "quick": Settings(500, 20, 60)}
NEGATIVITY = {"full": Settings(2_000, 50, 60), "quick": Settings(500, 20, 30)}

COMMON = """\
The full ecosystem (`diffusion.rule = "ecosystem"`, every mechanism on, every dynamics
parameter at its default) in a small market: two segments of equal size (*young* use the
social channel with probability 0.9, *older* with 0.4), a Barabási–Albert network, one
brand known to 2 % of the customers at the start. The arms of the experiment share each
replication seed (common random numbers: the same customers, traits, network and initial
awareness); the proposition holds when a one-sided 95 % confidence bound of the paired
difference over the seeds has the predicted sign. """

DOSE_DESCRIPTION = (
    COMMON
    + """Maslowska et al. (2016) expect the effects of brand actions to be non-linear. A
dose-response sweep runs advertising on the social channel all period long at intensities
0, 0.25, 0.5, 0.75 and 1 (the daily chance to reach a channel user scales with it). The
test: the marginal effect on final awareness of the first quarter of intensity exceeds
that of the last (saturation: concavity)."""
)

INDIRECT_DESCRIPTION = (
    COMMON
    + """In the ecosystem a brand action reaches some customers and, through their dialogue,
changes others it never reached. Advertising targets the *young* segment only; the
customers it never reached in the run with the action (`population.reached` false: every
*older* customer) are compared with the same customers in the run without it. The test:
their awareness and their adoption (share who bought) rise."""
)

NEGATIVITY_DESCRIPTION = (
    COMMON
    + """Negative dialogue should weigh more than positive. The same 5 % of the customers,
chosen at random, are injected at the start as aware past buyers at stage *curation* with
experience +0.8 (positive arm), 0 (control: they do not speak) or −0.8 (negative arm).
`dynamics.venting_rate` is set to `stage_talk` at curation (0.15), so a speaker with
experience x talks with probability talkativeness × 0.15 × |x| whatever its sign: both
arms start with the same expected number of speakers of the same strength. The test: the
drop of their neighbours' mean experience in the negative arm (control − negative) exceeds
the rise in the positive arm (positive − control)."""
)

INTENSITIES = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Advertising intensities of the dose-response sweep."""

INJECTED_SHARE = 0.05
INJECTED_EXPERIENCE = 0.8
INJECTED_STAGE = 2
"""Injected speakers sit at stage *curation* (index 2)."""


def market(name: str, customers: int, days: int, **changes: Any) -> Scenario:
    """Build the small market of the propositions: one brand, one social channel.

    Two segments of equal size (``young`` use the social channel with probability 0.9,
    ``older`` with 0.4), a Barabási-Albert friendship network (3 edges per new customer),
    a brand known to 2 % of the customers at the start, price 100, margin 0.35, quality
    0.72, the default service incidents, and every dynamics parameter at its default.

    Parameters
    ----------
    name : str
    customers, days : int
    **changes
        Scenario fields by dotted path.

    Returns
    -------
    Scenario
    """
    data = {
        "name": name,
        "days": days,
        "population": {
            "size": customers,
            "segments": [
                {"name": "young", "share": 0.5, "channel_preferences": {"social": 0.9}},
                {"name": "older", "share": 0.5, "channel_preferences": {"social": 0.4}},
            ],
        },
        "network": {"kind": "barabasi_albert", "m": 3},
        "brands": [
            {
                "name": "brand",
                "price": 100.0,
                "margin": 0.35,
                "quality": 0.72,
                "initial_awareness": 0.02,
            }
        ],
        "channels": [{"name": "social", "reach": 0.3, "cost_per_exposure": 0.03}],
    }
    return validate_scenario(apply_overrides(data, changes), source=f"proposition {name!r}")


def advertising(days: int, intensity: float, segment: str = "all") -> list[dict[str, Any]]:
    """Return a campaign of one advertising action on the social channel, all days long."""
    return [
        {
            "type": "advertising",
            "brand": "brand",
            "channel": "social",
            "segment": segment,
            "start": 1,
            "end": days,
            "intensity": intensity,
        }
    ]


# ------------------------------------------------------------------ dose-response


def dose_arm(seed: np.random.SeedSequence, customers: int, days: int) -> dict[str, np.ndarray]:
    """Run every intensity of the sweep with one seed (common random numbers).

    Returns
    -------
    dict
        ``aware``, ``adopted`` (final shares) and ``revenue`` (total), one value per
        intensity.
    """
    result: dict[str, list[float]] = {"aware": [], "adopted": [], "revenue": []}
    for intensity in INTENSITIES:
        scenario = market("dose", customers, days, campaign=advertising(days, intensity))
        daily = EcosystemModel(scenario, rng=np.random.default_rng(seed)).run()
        result["aware"].append(daily["aware_share"].iloc[-1])
        result["adopted"].append(daily["adopted_share"].iloc[-1])
        result["revenue"].append(daily["revenue"].sum())
    return {name: np.array(values) for name, values in result.items()}


def dose_response(mode: Mode = "full", jobs: int = 1) -> CaseResult:
    """Check that a campaign's effect saturates with its intensity (non-linearity).

    Advertising on the social channel all period long, at intensities 0, 0.25, 0.5, 0.75
    and 1. The marginal effect of the first quarter of intensity on final awareness,
    ``A(0.25) - A(0)``, must exceed that of the last, ``A(1) - A(0.75)``: the lower 95 %
    bound of their paired difference over the seeds is above zero.

    Parameters
    ----------
    mode : {"full", "quick"}
    jobs : int

    Returns
    -------
    CaseResult

    References
    ----------
    E. Maslowska, E. C. Malthouse and T. Collinger, "The customer engagement ecosystem",
    Journal of Marketing Management 32 (2016) 469-501.
    """
    s = DOSE[mode]
    arms = replicate(
        dose_arm, seeds("dose_response", s.replications), jobs, customers=s.customers, days=s.days
    )
    outcome = {name: np.vstack([arm[name] for arm in arms]) for name in arms[0]}
    aware = outcome["aware"]
    low, high = aware[:, 1] - aware[:, 0], aware[:, -1] - aware[:, -2]
    lower, _ = confidence_bounds(low - high)
    second = {name: np.diff(values, n=2, axis=1).mean(axis=0) for name, values in outcome.items()}
    checks = [
        Check(
            "lower 95% bound of [A(0.25) - A(0)] - [A(1) - A(0.75)], final awareness A",
            lower,
            ">=",
            0.0,
        )
    ]
    levels = zip(INTENSITIES, aware.mean(axis=0), strict=True)
    notes = [
        "Final awareness by intensity: "
        + ", ".join(f"{x:g}: {v:.3f}" for x, v in levels)
        + f". Marginal effect of the first quarter {low.mean():.3f}, of the last "
        + f"{high.mean():.3f}.",
        "Mean second differences (negative: concave) — awareness: "
        + ", ".join(f"{v:+.3f}" for v in second["aware"])
        + "; adoption: "
        + ", ".join(f"{v:+.3f}" for v in second["adopted"])
        + "; revenue: "
        + ", ".join(f"{v:+.0f}" for v in second["revenue"])
        + ".",
    ]
    return CaseResult(
        name="dose_response",
        title="Proposition: the effect of a brand action is non-linear in its intensity",
        description=DOSE_DESCRIPTION,
        checks=checks,
        source="Maslowska, Malthouse & Collinger (2016)",
        settings=_settings(s, "advertising on the social channel, days 1 to the end"),
        notes=notes,
        figure=_dose_figure(outcome),
        data={"outcome": outcome, "low": low, "high": high},
    )


# ------------------------------------------------------------------ indirect effects


def indirect_arm(seed: np.random.SeedSequence, customers: int, days: int) -> dict[str, Any]:
    """Run the market without and with advertising to the young segment, with one seed.

    Returns
    -------
    dict
        ``unreached`` (how many customers the action never reached), and for those
        customers in each arm (``without``, ``with``) the final ``aware`` and ``adopted``
        shares; the daily ``affected_share`` and ``reached_share`` of the action arm.
    """
    runs = {}
    for arm, campaign in (("without", []), ("with", advertising(days, 1.0, "young"))):
        model = EcosystemModel(
            market("indirect", customers, days, campaign=campaign),
            rng=np.random.default_rng(seed),
        )
        runs[arm] = (model, model.run())
    never = ~runs["with"][0].population.reached[:, 0]
    result: dict[str, Any] = {"unreached": int(never.sum())}
    for arm, (model, _) in runs.items():
        population = model.population
        result[arm] = {
            "aware": float(population.aware[never, 0].mean()),
            "adopted": float((population.purchases[never, 0] > 0).mean()),
        }
    daily = runs["with"][1]
    result["affected_share"] = daily["affected_share"].to_numpy()
    result["reached_share"] = daily["reached_share"].to_numpy()
    return result


def indirect_effect(mode: Mode = "full", jobs: int = 1) -> CaseResult:
    """Check that a brand action changes customers it never reached.

    Advertising reaches only the young segment. The customers it never reached (in the
    run with the action) are compared with the same customers in the run without it:
    the lower 95 % bounds of the paired differences in their final awareness and in
    their adoption (share who bought) must be above zero.

    Parameters
    ----------
    mode : {"full", "quick"}
    jobs : int

    Returns
    -------
    CaseResult

    References
    ----------
    E. Maslowska, E. C. Malthouse and T. Collinger, "The customer engagement ecosystem",
    Journal of Marketing Management 32 (2016) 469-501.
    """
    s = INDIRECT[mode]
    arms = replicate(
        indirect_arm,
        seeds("indirect_effect", s.replications),
        jobs,
        customers=s.customers,
        days=s.days,
    )
    difference = {
        name: np.array([arm["with"][name] - arm["without"][name] for arm in arms])
        for name in ("aware", "adopted")
    }
    checks = [
        Check(
            f"never-reached customers: lower 95% bound of the rise in {label}",
            confidence_bounds(difference[name])[0],
            ">=",
            0.0,
        )
        for name, label in (("aware", "awareness"), ("adopted", "adoption"))
    ]
    unreached = np.array([arm["unreached"] for arm in arms])
    notes = [
        f"The action never reached {unreached.mean():.0f} of {s.customers} customers on average "
        f"({unreached.mean() / s.customers:.0%}). Among them, awareness "
        f"{np.mean([a['without']['aware'] for a in arms]):.3f} without the action and "
        f"{np.mean([a['with']['aware'] for a in arms]):.3f} with it; adoption "
        f"{np.mean([a['without']['adopted'] for a in arms]):.3f} and "
        f"{np.mean([a['with']['adopted'] for a in arms]):.3f}.",
        "Same seed in both arms: the same customers, traits, network and initial awareness; "
        "the daily random draws differ once the action starts using them.",
    ]
    return CaseResult(
        name="indirect_effect",
        title="Proposition: a brand action changes customers it never reached",
        description=INDIRECT_DESCRIPTION,
        checks=checks,
        source="Maslowska, Malthouse & Collinger (2016)",
        settings=_settings(s, "advertising on the social channel to the young segment only"),
        notes=notes,
        figure=_indirect_figure(arms, difference),
        data={"difference": difference},
    )


# ------------------------------------------------------------------ negativity


def negativity_arm(
    seed: np.random.SeedSequence,
    customers: int,
    days: int,
    changes: dict[str, Any] | None = None,
    liked: float = 0.0,
) -> dict[str, Any]:
    """Inject the same speakers with a positive, a neutral and a negative experience.

    A random 5 % of the customers (the same in every arm) are made aware past buyers
    (only buyers complain), at stage curation, with experience +0.8, 0 (control: they do
    not speak) or -0.8. With ``venting_rate`` equal to ``stage_talk`` at curation, a
    speaker with experience ``x`` talks with probability ``talkativeness * stage_talk[2] *
    |x|`` whatever the sign, so both arms start with the same expected number of speakers.

    Parameters
    ----------
    seed : numpy.random.SeedSequence
    customers, days : int
    changes : dict, optional
        Further scenario fields by dotted path (e.g. everyone aware of the brand).
    liked : float
        The experience every aware customer starts with (0: none yet; an established,
        liked brand starts above 0).

    Returns
    -------
    dict
        Per arm (``positive``, ``control``, ``negative``): the neighbours' daily mean
        ``experience``, the arm's total ``positive`` and ``negative`` speakers, and
        ``sales``, the purchases of every customer but the injected speakers.
    """
    pick = np.random.default_rng(seed.spawn(1)[0])
    chosen = pick.choice(customers, round(INJECTED_SHARE * customers), replace=False)
    result: dict[str, Any] = {}
    talk = market("negativity", customers, days, **(changes or {})).dynamics.stage_talk
    for arm, valence in (("positive", 1.0), ("control", 0.0), ("negative", -1.0)):
        scenario = market(
            "negativity",
            customers,
            days,
            **{"dynamics.venting_rate": talk[INJECTED_STAGE], **(changes or {})},
        )
        model = EcosystemModel(scenario, rng=np.random.default_rng(seed))
        population = model.population
        population.experience[population.aware[:, 0], 0] = liked
        population.aware[chosen, 0] = True
        population.purchases[chosen, 0] = 1
        population.stage[chosen, 0] = INJECTED_STAGE
        population.experience[chosen, 0] = valence * INJECTED_EXPERIENCE
        injected = np.zeros((customers, 1), dtype=bool)
        injected[chosen] = True
        neighbours = model.network.count_marked_neighbors(injected)[:, 0] > 0
        neighbours[chosen] = False
        path = [population.experience[neighbours, 0].mean()]
        for _ in range(days):
            model.step()
            path.append(population.experience[neighbours, 0].mean())
        daily = model.timeseries()
        result[arm] = {
            "experience": np.array(path),
            "positive": float(daily["wom_positive"].sum()),
            "negative": float(daily["wom_negative"].sum()),
            "sales": float(population.purchases[~injected[:, 0], 0].sum()),
        }
    return result


def negativity(mode: Mode = "full", jobs: int = 1) -> CaseResult:
    """Check that negative dialogue weighs more than positive.

    The drop of the neighbours' mean experience caused by negative speakers (control
    minus negative arm, at the end) must exceed the rise caused by the same number of
    positive speakers (positive arm minus control): the lower 95 % bound of the paired
    difference over the seeds is above zero.

    Parameters
    ----------
    mode : {"full", "quick"}
    jobs : int

    Returns
    -------
    CaseResult

    References
    ----------
    R. F. Baumeister, E. Bratslavsky, C. Finkenauer and K. D. Vohs, "Bad is stronger than
    good", Review of General Psychology 5 (2001) 323-370.
    E. Maslowska, E. C. Malthouse and T. Collinger, "The customer engagement ecosystem",
    Journal of Marketing Management 32 (2016) 469-501.
    """
    s = NEGATIVITY[mode]
    arms = replicate(
        negativity_arm,
        seeds("negativity", s.replications),
        jobs,
        customers=s.customers,
        days=s.days,
    )
    final = {arm: np.array([a[arm]["experience"][-1] for a in arms]) for arm in arms[0]}
    rise = final["positive"] - final["control"]
    drop = final["control"] - final["negative"]
    checks = [
        Check(
            "lower 95% bound of (drop from negative - rise from positive), neighbours' experience",
            confidence_bounds(drop - rise)[0],
            ">=",
            0.0,
        )
    ]
    bias = market("negativity", s.customers, s.days).dynamics.negativity_bias
    extra_positive = np.mean([a["positive"]["positive"] - a["control"]["positive"] for a in arms])
    extra_negative = np.mean([a["negative"]["negative"] - a["control"]["negative"] for a in arms])
    notes = [
        f"Neighbours' mean experience after {s.days} days: rise {rise.mean():+.4f} from "
        f"positive speakers, drop {drop.mean():.4f} from negative ones (ratio "
        f"{drop.mean() / rise.mean():.2f}).",
        f"Speakers: the positive arm had {extra_positive:.0f} more positive speaker-days than the "
        f"control, the negative arm {extra_negative:.0f} more negative ones (totals over the run, "
        f"mean over seeds) — per speaker-day, a drop of {drop.mean() / extra_negative:.2e} "
        f"against a rise of {rise.mean() / extra_positive:.2e}.",
        "Two mechanisms carry the asymmetry: heard criticism moves a listener's experience "
        f"negativity_bias = {bias:g} times as far as praise, and negative "
        "speakers keep talking "
        "longer (they rarely buy, so use does not correct their experience, and complaints "
        "do not fade with the engagement stage).",
    ]
    return CaseResult(
        name="negativity",
        title="Proposition: negative dialogue weighs more than positive",
        description=NEGATIVITY_DESCRIPTION,
        checks=checks,
        source="Maslowska, Malthouse & Collinger (2016); Baumeister et al. (2001)",
        settings=_settings(
            s,
            f"{INJECTED_SHARE:.0%} of the customers injected as speakers with experience "
            f"+{INJECTED_EXPERIENCE}, 0 or -{INJECTED_EXPERIENCE}; venting_rate = stage_talk "
            "at curation",
        ),
        notes=notes,
        figure=_negativity_figure(arms),
        data={"rise": rise, "drop": drop},
    )


def _settings(s: Settings, action: str) -> dict[str, Any]:
    return {
        "customers": f"{s.customers:,}",
        "replication seeds": s.replications,
        "days": s.days,
        "rule": "ecosystem (every mechanism on)",
        "action": action,
    }


def _dose_figure(outcome: dict[str, np.ndarray]) -> Figure:
    fig = Figure(figsize=(15, 4.2), layout="constrained")
    ax = fig.subplots(1, 3)
    x = np.array(INTENSITIES)
    for axis, (name, label) in zip(
        ax,
        (
            ("aware", "final aware share"),
            ("adopted", "final adopted share"),
            ("revenue", "revenue"),
        ),
        strict=True,
    ):
        values = outcome[name]
        mean = values.mean(axis=0)
        half = 1.96 * values.std(axis=0, ddof=1) / np.sqrt(len(values))
        for row in values:
            axis.plot(x, row, color="0.85", lw=0.6)
        axis.errorbar(x, mean, yerr=half, color="C0", marker="o", capsize=4, label="mean, 95%")
        axis.plot(x[[0, -1]], mean[[0, -1]], "k:", lw=0.8, label="linear between the ends")
        axis.set(title=label.capitalize(), xlabel="advertising intensity", ylabel=label)
        axis.legend(loc="lower right")
    return fig


def _indirect_figure(arms: list[dict[str, Any]], difference: dict[str, np.ndarray]) -> Figure:
    fig = Figure(figsize=(12, 4.2), layout="constrained")
    ax = fig.subplots(1, 2)
    affected = np.vstack([a["affected_share"] for a in arms])
    reached = np.vstack([a["reached_share"] for a in arms])
    days = np.arange(affected.shape[1])
    ax[0].plot(days, reached.mean(axis=0), color="C0", label="reached directly")
    ax[0].plot(days, affected.mean(axis=0), color="C3", label="affected only indirectly")
    ax[0].set(title="With the action (mean of seeds)", xlabel="day", ylabel="share of customers")
    ax[0].legend()
    for x, values in enumerate(difference.values()):
        ax[1].plot(np.full(len(values), x), values, "o", color="C3", alpha=0.5)
        low = confidence_bounds(values)[0]
        ax[1].errorbar([x + 0.2], [values.mean()], yerr=[[values.mean() - low], [0]], fmt="ks")
    ax[1].axhline(0.0, color="k", lw=0.6)
    ax[1].set(
        title="Never-reached customers: with − without (per seed)",
        xticks=(0, 1),
        xticklabels=["awareness", "adoption"],
        xlim=(-0.5, 1.5),
        ylabel="difference in share",
    )
    return fig


def _negativity_figure(arms: list[dict[str, Any]]) -> Figure:
    fig = Figure(figsize=(12, 4.2), layout="constrained")
    ax = fig.subplots(1, 2)
    control = np.vstack([a["control"]["experience"] for a in arms])
    days = np.arange(control.shape[1])
    for arm, colour in (("positive", "C2"), ("negative", "C3")):
        change = np.vstack([a[arm]["experience"] for a in arms]) - control
        mean = change.mean(axis=0)
        half = 1.96 * change.std(axis=0, ddof=1) / np.sqrt(len(change))
        ax[0].plot(days, mean, color=colour, label=f"{arm} speakers − control")
        ax[0].fill_between(days, mean - half, mean + half, color=colour, alpha=0.2)
        ax[0].plot(days, -mean, color=colour, ls=":", lw=0.8)
    ax[0].axhline(0.0, color="k", lw=0.6)
    ax[0].set(
        title="Neighbours' mean experience (dotted: mirrored)",
        xlabel="day",
        ylabel="difference from control",
    )
    ax[0].legend()
    rise = np.array(
        [a["positive"]["experience"][-1] - a["control"]["experience"][-1] for a in arms]
    )
    drop = np.array(
        [a["control"]["experience"][-1] - a["negative"]["experience"][-1] for a in arms]
    )
    ax[1].plot(rise, drop, "o", color="C3", alpha=0.6)
    top = max(rise.max(), drop.max()) * 1.1
    ax[1].plot([0, top], [0, top], "k--", lw=0.8, label="drop = rise")
    ax[1].set(
        title="Per seed: drop from negative vs rise from positive",
        xlabel="rise from positive speakers",
        ylabel="drop from negative speakers",
    )
    ax[1].legend()
    return fig
