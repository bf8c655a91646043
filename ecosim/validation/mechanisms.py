"""No inert mechanism: each shipped scenario's key mechanism, on against off.

Every shipped scenario shows one idea (its header comment). :data:`ROWS` switches that
idea's mechanism off with ordinary scenario fields and campaign changes, and names the
outcome the scenario is about, the direction the mechanism should move it, a plausible
range for the size of the effect and its rationale. Both arms of a pair run with the
same replication seed (common random numbers); the effect of a pair is
``(on - off) / |off|``. A row passes when the whole 95 % interval of the mean effect is on
the expected side of zero (significant, in the expected direction) and the mean lies in
the plausible range (quick mode: widened by 3 standard errors).

Examples
--------
One row, measured quickly from Python::

    from ecosim.validation.mechanisms import measure
    print(measure("paid_membership", replications=8, customers=3000, jobs=1))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ecosim.errors import InputError
from ecosim.metrics import split_column
from ecosim.validation.core import CaseResult, Mode, check_sizes, replicate, seeds
from ecosim.validation.estimators import t_interval
from ecosim.validation.findings import ALLOWANCE_SE, Finding, Measurement, markdown_table
from ecosim.validation.variants import arm, model, scenario_data, shipped_names

__all__ = ["ROWS", "Mechanism", "measure", "no_inert_mechanism"]


@dataclass(frozen=True)
class Mechanism:
    """A scenario's key mechanism, how to switch it off, and what it should do.

    Attributes
    ----------
    scenario : str
        The shipped scenario (file stem).
    mechanism : str
        The mechanism in words.
    off : dict
        Scenario fields set in the *off* arm, by dotted path (``None`` removes an
        optional part).
    drop : tuple of str
        Campaign actions removed in the *off* arm: ``type`` or ``type@brand``.
    outcome : str
        The outcome column the scenario is about.
    over : {"total", "final", "mean"}
        The column summed over the days, its last value, or its mean over the days.
    per : str or None
        A column the outcome is divided by (aggregated the same way), for shares.
    start : int
        First day counted (``total`` and ``mean``).
    direction : {1, -1}
        Whether the mechanism raises (1) or lowers (-1) the outcome.
    plausible : tuple of float
        Plausible range of the relative effect ``(on - off) / |off|``.
    rationale : str
        Why that direction and size: a sentence and its source.
    quick_days : int or None
        Horizon in quick mode (the scenario's when None): shorter where the mechanism
        acts early.
    quick_customers : int or None
        Customers in quick mode where the quick default is too few to resolve the effect
        (a rule that watches a share of customers complaining needs the scenario's size).
    """

    scenario: str
    mechanism: str
    off: dict[str, Any]
    outcome: str
    direction: Literal[1, -1]
    plausible: tuple[float, float]
    rationale: str
    drop: tuple[str, ...] = ()
    over: Literal["total", "final", "mean"] = "total"
    per: str | None = None
    start: int = 1
    quick_days: int | None = None
    quick_customers: int | None = None
    label: str = field(default="", compare=False)

    def value(self, daily: pd.DataFrame) -> float:
        """Return the outcome of one run."""

        def aggregate(column: str) -> float:
            series = daily[column]
            if self.over == "final":
                return float(series.iloc[-1])
            window = series[daily["step"] >= self.start]
            return float(window.sum() if self.over == "total" else window.mean())

        value = aggregate(self.outcome)
        return value / aggregate(self.per) if self.per else value


ROWS: list[Mechanism] = [
    Mechanism(
        scenario="baseline",
        mechanism="word of mouth",
        off={"dynamics.wom_awareness_rate": 0.0, "dynamics.wom_experience_weight": 0.0},
        outcome="revenue",
        label="revenue over the run",
        direction=1,
        plausible=(0.1, 1.0),
        rationale="Word of mouth is behind 20-50 % of purchase decisions (Bughin, Doogan & "
        "Vetvik 2010) and its referrals outsell advertising's (Trusov, Bucklin & Pauwels "
        "2009): switching it off should cost at least a tenth of revenue.",
        quick_days=180,
    ),
    Mechanism(
        scenario="brand_community",
        mechanism="invitations to co-create in the brand community",
        off={},
        drop=("community",),
        outcome="revenue",
        label="revenue over the run",
        direction=1,
        plausible=(0.005, 0.2),
        rationale="About a fifth of what customers spent after joining a retailer's online "
        "community was due to joining (Manchanda, Packard & Pattabhiramaiah 2015), though "
        "on eBay, where an e-mail invitation raised participation, members came to spend "
        "more conservatively (Algesheimer, Borle, Dholakia & Singh 2010): a community that "
        "a minority of customers joins should raise revenue, by well under a fifth.",
        quick_days=180,
    ),
    Mechanism(
        scenario="easy_checkout",
        mechanism="the cumbersome brand's checkout friction",
        off={"brands.modaku.checkout_friction": 0.0},
        outcome="purchases__modaku",
        label="cumbersome brand's purchases over the run",
        direction=-1,
        plausible=(-0.4, -0.05),
        rationale="A checkout that loses a fifth of the customers who chose the brand "
        "completes 0.8 of their purchases (-20 % before any feedback); better checkout "
        "design alone can raise a large e-commerce site's conversion rate by about 35 % "
        "(Baymard Institute 2024): its checkout loses about a quarter (1 - 1/1.35) of the "
        "sales a better one would make. "
        "The friction should cost a few per cent of the year's purchases at least and, with "
        "the repeat purchases and word of mouth of the buyers it loses, at most about 40 %.",
        quick_days=180,
    ),
    Mechanism(
        scenario="gamification",
        mechanism="daily missions and spin wheel",
        off={},
        drop=("gamification",),
        outcome="presence_cognitive",
        over="mean",
        label="mean cognitive presence over the run",
        direction=1,
        plausible=(0.05, 0.6),
        rationale="Most studies find gamification raises engagement (Hamari, Koivisto & "
        "Sarsa 2014); the scenario's header cites up to a quarter.",
        quick_days=180,
    ),
    Mechanism(
        scenario="harbolnas_double_points",
        mechanism="double coins on sale days",
        off={},
        drop=("double_points",),
        outcome="purchases",
        label="purchases over the run",
        direction=1,
        plausible=(0.002, 0.1),
        rationale="Points earned faster bring customers nearer the reward and the goal "
        "gradient pulls purchases forward (Kivetz, Urminsky & Zheng 2006); on some 34 days "
        "of the year the effect on annual purchases is small but positive.",
        quick_days=290,
        quick_customers=10_000,
    ),
    Mechanism(
        scenario="influencer_seeding",
        mechanism="ambassadors seeded at the hubs, not at random",
        off={"campaign.0.strategy": "random"},
        outcome="aware_share",
        over="final",
        label="aware share at the end",
        direction=1,
        plausible=(0.1, 7.0),
        rationale="Seeding the same number of well-connected customers rather than random "
        "ones spreads a product further: in Hinz, Skiera, Barrot & Becker's (2011) field "
        "experiments hub seeding won and the best strategy was up to eight times as "
        "successful as others (hence at most +700%).",
    ),
    Mechanism(
        scenario="omnichannel_consistency",
        mechanism="the consistent brand's consistency advantage",
        off={"brands.modaku.omnichannel_consistency": 0.95},
        outcome="purchases__tokoku",
        per="purchases",
        label="consistent brand's share of purchases",
        direction=1,
        plausible=(0.02, 0.5),
        rationale="Customers expect consistent interactions across channels, and "
        "integrated channels raise satisfaction and sales (Verhoef, Kannan & Inman 2015): "
        "equal consistency should remove part of the consistent brand's share.",
        quick_days=180,
    ),
    Mechanism(
        scenario="paid_membership",
        mechanism="paid membership (free shipping, renewal)",
        off={"brands.tokoku.loyalty.membership": None},
        outcome="purchases",
        label="purchases over the run",
        direction=1,
        plausible=(0.02, 0.5),
        rationale="Loyalty programme members raise their purchase frequency, light buyers "
        "most (Liu 2007); a paid membership adds a sunk fee to use up.",
        quick_days=180,
    ),
    Mechanism(
        scenario="points_vs_tiers",
        mechanism="the status tiers of modaku",
        off={"brands.modaku.loyalty.tiers": None},
        outcome="purchases__modaku",
        label="tiered brand's purchases over the run",
        direction=1,
        plausible=(0.02, 0.5),
        rationale="Status tiers raise spending to reach and keep a tier (Drèze & Nunes "
        "2009), though demotion hurts (Wagner, Hennig-Thurau & Rudolph 2009).",
        quick_days=180,
    ),
    Mechanism(
        scenario="priority_delivery",
        mechanism="priority delivery for gold and platinum members",
        off={
            "brands.tokoku.loyalty.tiers.levels.gold.priority": 0.0,
            "brands.tokoku.loyalty.tiers.levels.platinum.priority": 0.0,
        },
        outcome="purchases",
        label="purchases over the run",
        direction=1,
        plausible=(0.002, 0.05),
        rationale="Priority serves the gold and platinum members' purchases, about a fifth "
        "of the brand's, and spares them half (platinum four fifths) of the late deliveries "
        "and stock-outs, which strike 8 % of purchases: about one purchase in a hundred is "
        "spared an incident. Preferential treatment keeps the best customers buying (Lacey, "
        "Suh & Morgan 2007), so purchases should rise, but by no more than a few per cent: "
        "a spared incident keeps at most a few purchases (its customer's, and those of the "
        "friends who would have heard a complaint).",
    ),
    Mechanism(
        scenario="price_war",
        mechanism="the incumbent's price match",
        off={},
        drop=("price_change@tokoku",),
        outcome="purchases__tokoku",
        label="incumbent's purchases over the run",
        direction=1,
        plausible=(0.1, 2.0),
        rationale="With a brand price elasticity of about -2.6 (Bijmolt, van Heerde & "
        "Pieters 2005), matching 20-27 % cuts for most of the year keeps much volume.",
        quick_days=240,
    ),
    Mechanism(
        scenario="proactive_personalisation",
        mechanism="personalised offers and proactive, fast service",
        off={
            "brands.tokoku.service.proactive_notice": 0.0,
            "brands.tokoku.service.self_service": 0.0,
            "brands.tokoku.service.response_days": 2.0,
            "brands.tokoku.service.response_quality": 0.6,
        },
        drop=("personalisation",),
        outcome="revenue",
        label="revenue over the run",
        direction=1,
        plausible=(0.02, 0.5),
        rationale="Offers timed to the predicted need raise conversion among past buyers "
        "(about 40 % higher odds, the scenario's header; Kumar & Reinartz 2016), and fast "
        "recovery keeps customers (Smith, Bolton & Wagner 1999).",
        quick_days=180,
    ),
    Mechanism(
        scenario="service_crisis",
        mechanism="the crisis response rule",
        off={"brands.tokoku.rules": []},
        outcome="wom_negative",
        start=316,
        label="negative word of mouth from the failure (day 316) on",
        direction=-1,
        plausible=(-0.7, -0.05),
        rationale="Faster recovery restores more satisfaction (Smith, Bolton & Wagner "
        "1999), and answered complaints are not posted again: less negative talk.",
        quick_customers=10_000,
    ),
    Mechanism(
        scenario="two_brands",
        mechanism="the challenger's price advantage",
        off={"brands.modaku.price": 150.0},
        outcome="purchases__modaku",
        label="challenger's purchases over the run",
        direction=1,
        plausible=(0.1, 2.0),
        rationale="A 20 % lower price with a brand price elasticity of about -2.6 (Bijmolt, "
        "van Heerde & Pieters 2005) should raise the challenger's volume by tens of percent.",
        quick_days=180,
    ),
    Mechanism(
        scenario="viral_content",
        mechanism="media amplification of trending dialogue",
        off={"channels.social.amplification": 0.0},
        outcome="purchases",
        label="purchases over the run",
        direction=1,
        plausible=(0.1, 5.0),
        rationale="Media that show what trends multiply the reach of shared content "
        "(Berger & Milkman 2012; Goel, Anderson, Hofman & Watts 2016), and earned social "
        "media sell (Stephen & Galak 2012). Sales, not the final aware share: awareness "
        "saturates by the end of the year with or without the amplification.",
        quick_days=120,
    ),
    Mechanism(
        scenario="winback",
        mechanism="a two-week win-back campaign to every lapsed customer",
        off={},
        drop=("winback",),
        outcome="churned_customers",
        over="final",
        label="customers churned at the end of the run",
        direction=-1,
        plausible=(-0.45, -0.1),
        rationale="Firms win back 20-40 % of the lapsed customers they approach (Griffin & "
        "Lowenstein 2001), the more readily the better the customers' first lifetime with "
        "the firm (Kumar, Bhagwat & Zhang 2015): contacting everyone churned by late November "
        "should leave a tenth to about two fifths fewer churned customers at the year's end "
        "(not quite the share won back: some leave after the campaign, some again).",
    ),
]
"""One row per shipped scenario: its key mechanism, on against off (data for readers)."""

BY_SCENARIO = {row.scenario: row for row in ROWS}


@dataclass(frozen=True)
class Size:
    """Pairs, customers and whether to use the rows' quick horizons."""

    pairs: int
    customers: int | None
    quick_days: bool


SIZES = {"full": Size(20, None, False), "quick": Size(6, 3_000, True)}


def pair(
    seed: np.random.SeedSequence, scenario: str, customers: int | None, days: int | None
) -> dict[str, float]:
    """Run a scenario's mechanism on and off with one seed; return the outcome of each."""
    row = BY_SCENARIO[scenario]
    data = scenario_data(scenario, customers, days)
    read = [split_column(column)[0] for column in (row.outcome, row.per) if column]
    return {
        "on": row.value(model(arm(data), seed, read).run()),
        "off": row.value(model(arm(data, row.off, row.drop), seed, read).run()),
    }


def _percent(fraction: float) -> str:
    """Write a bound of a plausible range as a percentage with the digits it needs.

    Examples
    --------
    >>> _percent(0.002), _percent(-0.4), _percent(7.0)
    ('+0.2%', '-40%', '+700%')
    """
    return f"{fraction * 100:+g}%"


def measure(
    scenario: str,
    replications: int | None = None,
    customers: int | None = None,
    days: int | None = None,
    jobs: int = 1,
    mode: Mode = "full",
) -> Measurement:
    """Measure one scenario's mechanism, on against off.

    Parameters
    ----------
    scenario : str
        A shipped scenario with a row in :data:`ROWS`.
    replications : int, optional
        Pairs (replication seeds); the mode's when omitted (the first seeds of a larger
        run).
    customers, days : int, optional
        Population size and horizon; the mode's (or else the scenario's) when omitted.
    jobs : int
        Worker processes (results do not depend on it).
    mode : {"full", "quick"}

    Returns
    -------
    Measurement
        The relative effect with its interval, direction and size checks; ``print``
        shows them.

    Raises
    ------
    InputError
        If the scenario has no row, or a size is no whole number from 1.
    """
    if scenario not in BY_SCENARIO:
        raise InputError(f"no mechanism row for {scenario!r} (one of: {', '.join(BY_SCENARIO)})")
    check_sizes(replications, customers, days, jobs, mode)
    row, size = BY_SCENARIO[scenario], SIZES[mode]
    pairs = replications or size.pairs
    quick = size.quick_days
    resolved = scenario_data(
        scenario,
        customers or (row.quick_customers if quick and row.quick_customers else size.customers),
        days or (row.quick_days if quick else None),
    )
    customers, days = resolved["population"]["size"], resolved["days"]
    results = replicate(
        pair,
        seeds(f"mechanism_{scenario}", pairs),
        jobs,
        scenario=scenario,
        customers=customers,
        days=days,
    )
    on = np.array([r["on"] for r in results])
    off = np.array([r["off"] for r in results])
    effect = (on - off) / np.abs(off)
    estimate = t_interval(effect)
    low, high = row.plausible
    significant = (
        Finding("effect, expected up", estimate, "significant", low=0.0)
        if row.direction > 0
        else Finding("effect, expected down", estimate, "significant", high=0.0)
    )
    size_check = Finding(
        "effect size",
        estimate,
        "mean",
        low,
        high,
        ALLOWANCE_SE * estimate.se if mode == "quick" else 0.0,
    )
    notes = [
        f"{row.label}: {on.mean():,.4g} on, {off.mean():,.4g} off (mean over pairs); "
        f"effect in the expected direction in {int((np.sign(effect) == row.direction).sum())} "
        f"of {pairs} pairs."
    ]
    return Measurement(
        scenario,
        row.mechanism,
        [significant, size_check],
        {"pairs": pairs, "customers": f"{customers:,}", "days": days},
        notes,
        {"on": on, "off": off, "effect": effect},
    )


DESCRIPTION = """\
No inert mechanism: every shipped scenario's key mechanism, the idea of its header, is
switched off with ordinary scenario fields (the *off* column), and the outcome the
scenario is about is compared with the scenario as shipped, over paired seeds (common
random numbers). The effect is (on − off) / |off| per pair; a row passes when its 95 %
interval lies on the expected side of zero and its mean lies in the plausible range
(quick mode: widened by 3 standard errors). The rows are data
(`ecosim.validation.mechanisms.ROWS`); one can be measured from Python, at any size:
`from ecosim.validation.mechanisms import measure; print(measure("paid_membership",
replications=8, customers=3000, jobs=2))`."""


def no_inert_mechanism(mode: Mode = "full", jobs: int = 1) -> CaseResult:
    """Measure every row of :data:`ROWS` (every shipped scenario has one).

    Parameters
    ----------
    mode : {"full", "quick"}
    jobs : int

    Returns
    -------
    CaseResult
    """
    missing = sorted(set(shipped_names()) - set(BY_SCENARIO))
    measurements = [measure(row.scenario, jobs=jobs, mode=mode) for row in ROWS]
    table_rows = []
    for row, m in zip(ROWS, measurements, strict=True):
        e = m.findings[0].estimate
        off = ", ".join(
            [f"`{k}` removed" if v is None else f"`{k} = {v}`" for k, v in row.off.items()]
            + [f"no `{d}`" for d in row.drop]
        )
        table_rows.append(
            [
                row.scenario,
                row.mechanism,
                off,
                row.label,
                "up" if row.direction > 0 else "down",
                f"{e.mean:+.1%}",
                f"[{e.low:+.1%}, {e.high:+.1%}]",
                f"[{_percent(row.plausible[0])}, {_percent(row.plausible[1])}]",
                f"{m.settings['pairs']} × {m.settings['customers']} × {m.settings['days']}",
                "PASS" if m.passed else "FAIL",
                row.rationale,
            ]
        )
    table = markdown_table(
        [
            "scenario",
            "mechanism",
            "off",
            "outcome",
            "expected",
            "effect",
            "95% CI",
            "plausible",
            "pairs × customers × days",
            "result",
            "rationale",
        ],
        table_rows,
    )
    notes = [f"{m.name}: {note}" for m in measurements for note in m.notes]
    if missing:
        notes.append(f"Shipped scenarios without a row: {', '.join(missing)}.")
    return CaseResult(
        name="mechanisms",
        title="No inert mechanism: each scenario's mechanism on against off",
        description=DESCRIPTION,
        checks=[check for m in measurements for check in m.checks()],
        source="the rows' rationales",
        settings={"scenarios": len(ROWS), "mode": mode},
        notes=notes,
        figure=_figure(measurements),
        table=table,
        data={"measurements": {m.name: m for m in measurements}, "missing": missing},
    )


def _figure(measurements: list[Measurement]) -> Figure:
    fig = Figure(figsize=(10, 0.45 * len(measurements) + 1.2), layout="constrained")
    ax = fig.subplots()
    for y, (row, m) in enumerate(zip(ROWS, measurements, strict=True)):
        e = m.findings[0].estimate
        colour = "C2" if m.passed else "C3"
        ax.errorbar(
            [e.mean], [y], xerr=[[e.mean - e.low], [e.high - e.mean]], fmt="o", color=colour
        )
        ax.plot(list(row.plausible), [y, y], color="0.6", lw=6, alpha=0.35, solid_capstyle="butt")
    ax.axvline(0.0, color="k", lw=0.6)
    ax.set_xscale("symlog", linthresh=0.1)
    ax.set_yticks(range(len(ROWS)), [f"{r.scenario}: {r.mechanism}" for r in ROWS])
    ax.invert_yaxis()
    ax.set(xlabel="relative effect")
    fig.suptitle(
        "Relative effect (on − off)/|off| and 95% intervals against plausible ranges (grey)"
    )
    return fig
