"""Empirical generalisations of marketing science, measured in the full model.

Each row is a paired experiment on a shipped scenario: both arms of a pair run with the
same replication seed (common random numbers), pairs with different seeds, all derived
from the validation root seed (:func:`ecosim.validation.core.seeds` with the case name
``empirical_<row>``). An estimate is the mean over the pairs with a two-sided Student-t
95 % interval; a band is met when the mean lies in it (quick mode: widened by 3 standard
errors) and an ordering when the whole interval of the paired difference is above zero.
The experiments themselves are in :mod:`ecosim.validation.empirical_runs`; this module holds
the rows, their summaries and the case.

* ``advertising``: advertising elasticity of sales, short and long term (Sethuraman,
  Tellis & Briesch 2011).
* ``price``: brand price elasticity (Bijmolt, van Heerde & Pieters 2005).
* ``ewom``: sales elasticity of word-of-mouth volume, and of its valence (You,
  Vadakkepatt & Joshi 2015).
* ``wom_share``: word of mouth behind a fifth to a half of purchase decisions (Bughin,
  Doogan & Vetvik 2010), and a material loss of revenue without it.
* ``bass``: imitation dominates innovation in the first purchases (Sultan, Farley &
  Lehmann 1990).
* ``negativity``: per message, negative talk moves sales more than positive (Chevalier &
  Mayzlin 2006).
* ``service_failure``: a failed order delays the customer's next one (Amorim,
  Eng-Larsson & Rooderkerk 2025).

Examples
--------
One row, measured quickly from Python (the mean, its interval and the verdict)::

    from ecosim.validation.empirical import measure
    print(measure("advertising", replications=8, customers=3000, jobs=1))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ecosim.errors import InputError
from ecosim.validation.core import CaseResult, Mode, check_sizes, replicate, seeds
from ecosim.validation.empirical_runs import (
    FOLLOW_DAYS,
    MONTH,
    PRICE_SCALE,
    RUNS,
    next_purchase,
)
from ecosim.validation.estimators import arc_elasticity, fit_bass, t_interval
from ecosim.validation.findings import Finding, Measurement, markdown_table
from ecosim.validation.variants import scenario_data

__all__ = ["ROWS", "Row", "generalisations", "measure"]


@dataclass(frozen=True)
class Size:
    """Pairs (replication seeds), customers and days of a row (``None``: the scenario's)."""

    pairs: int
    customers: int | None = None
    days: int | None = None


@dataclass(frozen=True)
class Row:
    """One empirical generalisation: what it says, where from, how it is measured.

    Attributes
    ----------
    title : str
        The generalisation in words.
    source : str
        Where the band comes from.
    scenario : str
        The shipped scenario it is measured on.
    design : str
        The experiment (Markdown, for the report).
    full, quick : Size
    """

    title: str
    source: str
    scenario: str
    design: str
    full: Size
    quick: Size


MATERIAL_DROP = 0.10
"""Switching word of mouth off must lower revenue by at least this share (see ROWS)."""

ROWS: dict[str, Row] = {
    "advertising": Row(
        title="Advertising elasticity of sales: about 0.12 short term, 0.24 long term",
        source="Sethuraman, Tellis & Briesch (2011)",
        scenario="baseline",
        design="Advertising intensity and fixed cost scaled by 1 ± 0.1, so its spend "
        "moves by about ±10 %; A is the realised advertising spend (media exposures "
        "bought plus fixed costs), S the unit sales. Arc elasticity ln(S+/S−) / ln(A+/A−) "
        "per pair. Short term, the current-period effect: only the advertising of the 30 "
        "days from the start of the TV burst is scaled, and S and A are that month's; "
        "long term, with the carry-over: every advertising action is scaled all year, "
        "and S and A are the year's. Bands: short term [0.03, 0.25], long term "
        "[0.08, 0.5], and long term > short term.",
        full=Size(20),
        quick=Size(8, customers=3_000),
    ),
    "price": Row(
        title="Brand price elasticity: about −2.6",
        source="Bijmolt, van Heerde & Pieters (2005)",
        scenario="two_brands",
        design="The incumbent's (tokoku's) list price scaled by 1 ± 0.05 (its promotions "
        "are relative discounts and follow); its unit sales over the year. Arc elasticity "
        "per pair; band [−4.0, −1.2].",
        full=Size(20),
        quick=Size(6, customers=2_000, days=180),
    ),
    "ewom": Row(
        title="Sales elasticity of eWOM volume about 0.24, of valence about 0.42",
        source="You, Vadakkepatt & Joshi (2015)",
        scenario="baseline",
        design="Volume: every `dynamics.stage_talk` entry and `dynamics.venting_rate` "
        "scaled by 1 ± 0.1 (capped at 1), V the realised number of speakers over the year "
        "(positive and negative), S the unit sales: elasticity ln(S+/S−) / ln(V+/V−) in "
        "[0.1, 0.45]. Valence: `dynamics.wom_experience_weight` (how far what is heard "
        "moves experience) scaled by 1 ± 0.1: its elasticity must exceed volume's "
        "(paired difference over the same seeds). Quick mode keeps the 20 pairs (the "
        "difference between the two elasticities is small next to its spread), at 5,000 "
        "customers.",
        full=Size(20),
        quick=Size(20, customers=5_000),
    ),
    "wom_share": Row(
        title="Word of mouth is behind a fifth to a half of purchase decisions",
        source="Bughin, Doogan & Vetvik (2010)",
        scenario="baseline",
        design="Share of first purchases whose buyer heard word of mouth about the brand in "
        "the previous `dynamics.wom_memory_days` days: in [0.2, 0.5]. Word of mouth off "
        "(`dynamics.wom_awareness_rate = 0`, `dynamics.wom_experience_weight = 0`) must "
        "lower revenue significantly and materially: by at least 10 %, half the lower "
        "end of Bughin et al.'s range, allowing that up to half of the purchases preceded "
        "by word of mouth would have happened without it.",
        full=Size(20),
        quick=Size(6, customers=2_000),
    ),
    "bass": Row(
        title="Imitation dominates innovation: q ≈ 0.38 > p ≈ 0.03 per year",
        source="Sultan, Farley & Lehmann (1990)",
        scenario="baseline",
        design="A Bass curve m F(t; p, q) fitted by nonlinear least squares (Srinivasan & "
        "Mason 1986) to the cumulative first purchases of each replication of the "
        "single-brand baseline; q − p per replication must be positive.",
        full=Size(20),
        quick=Size(6, customers=2_000),
    ),
    "negativity": Row(
        title="Per message, negative talk moves sales more than positive",
        source="Chevalier & Mayzlin (2006)",
        scenario="the propositions' small market, the brand known to everyone",
        design="The negativity proposition's experiment (the same 5 % of the customers "
        "injected as speakers with experience +0.8, 0 or −0.8) in a market where every "
        "customer knows and mildly likes the brand (experience 0.3 at the start), so that "
        "talk moves sales through valence, not awareness, for an established product (as "
        "the books of Chevalier & Mayzlin were listed and sold on both sites; East, "
        "Hammond & Lomax 2008 find negative word of mouth moves purchase probability more "
        "where that probability is high, positive where it is low). Sales "
        "are the purchases of everyone but the injected speakers; the effect per message "
        "is the arm's change in sales against the control divided by its extra messages "
        "(speaker-days) of its valence. Per pair: drop per negative message − rise per "
        "positive message, which must be positive.",
        full=Size(50, customers=2_000, days=60),
        quick=Size(24, customers=1_000, days=60),
    ),
    "service_failure": Row(
        title="A failed order delays the customer's next order: about 7 % later",
        source="Amorim, Eng-Larsson & Rooderkerk (2025)",
        scenario="baseline",
        design="One run per replication; every purchase of the brand on a day at least "
        "120 days before the end is followed for 120 days. Incidents are drawn at random "
        "per purchase, so purchases with and without one are alike but for it. Delay: the "
        "mean days to the next purchase of the brand after a failed purchase against "
        "after one without an incident, minus 1, among those bought again within the "
        "120 days (the time to the next order, as Amorim et al. measure it in an online "
        "grocer's orders: 7.2 % on average); it must be positive (the whole interval above "
        "zero; Rao, Griffis & Goldsby 2011 also find previously loyal customers ordering "
        "less often after a delivery delay). Its size, and the change in the share who buy "
        "again within the 120 days, are reported, not checked: the incidents' severities "
        "are round values (`docs/model.md`, Service), and the size is what calibrating "
        "them to such evidence would aim at.",
        full=Size(20),
        quick=Size(8, customers=3_000),
    ),
}
"""Every empirical generalisation by name, in report order (data for readers)."""


def _advertising(pairs: list[dict[str, Any]], mode: Mode, row: Row) -> Measurement:
    short, long, change = [], [], []
    for pair in pairs:
        plus, minus = pair["plus"], pair["minus"]
        month = slice(pair["burst"], pair["burst"] + MONTH)
        month_plus, month_minus = pair["month_plus"], pair["month_minus"]
        short.append(
            arc_elasticity(
                month_plus["purchases"][month].sum(),
                month_minus["purchases"][month].sum(),
                month_plus["spend"][month].sum(),
                month_minus["spend"][month].sum(),
            )
        )
        long.append(
            arc_elasticity(
                plus["purchases"].sum(),
                minus["purchases"].sum(),
                plus["spend"].sum(),
                minus["spend"].sum(),
            )
        )
        mid = (plus["spend"].sum() + minus["spend"].sum()) / 2
        change.append((plus["spend"].sum() / mid - 1, minus["spend"].sum() / mid - 1))
    short, long, change = np.array(short), np.array(long), np.array(change)
    findings = [
        Finding.band("short-term elasticity", t_interval(short), 0.03, 0.25, mode, row.source),
        Finding.band("long-term elasticity", t_interval(long), 0.08, 0.5, mode, row.source),
        Finding(
            "long-term − short-term elasticity",
            t_interval(long - short),
            "significant",
            low=0.0,
            source=row.source,
        ),
    ]
    spend = np.mean([p["plus"]["spend"].sum() + p["minus"]["spend"].sum() for p in pairs]) / 2
    notes = [
        f"Realised advertising spend against the mean of the two arms: "
        f"{change[:, 0].mean():+.1%} and {change[:, 1].mean():+.1%} (ratio A+/A− "
        f"{np.mean([p['plus']['spend'].sum() / p['minus']['spend'].sum() for p in pairs]):.3f}"
        f"; 1.1/0.9 = 1.222); mean spend {spend:,.0f} a year.",
    ]
    return Measurement(
        "advertising", row.title, findings, {}, notes, {"short": short, "long": long}
    )


def _price(pairs: list[dict[str, float]], mode: Mode, row: Row) -> Measurement:
    plus = np.array([p["plus"] for p in pairs])
    minus = np.array([p["minus"] for p in pairs])
    elasticity = arc_elasticity(plus, minus, 1.0 + PRICE_SCALE, 1.0 - PRICE_SCALE)
    findings = [
        Finding.band("price elasticity", t_interval(elasticity), -4.0, -1.2, mode, row.source)
    ]
    notes = [
        f"Incumbent's unit sales: {plus.mean():,.0f} at +5 % price, {minus.mean():,.0f} at −5 % "
        "(mean over pairs)."
    ]
    return Measurement("price", row.title, findings, {}, notes, {"elasticity": elasticity})


def _ewom(pairs: list[dict[str, Any]], mode: Mode, row: Row) -> Measurement:
    def elasticity(kind: str, driver: str) -> np.ndarray:
        return np.array(
            [
                arc_elasticity(
                    p[f"{kind}_plus"]["sales"],
                    p[f"{kind}_minus"]["sales"],
                    p[f"{kind}_plus"][driver],
                    p[f"{kind}_minus"][driver],
                )
                for p in pairs
            ]
        )

    volume, valence = elasticity("volume", "volume"), elasticity("valence", "weight")
    ratio = np.array([p["volume_plus"]["volume"] / p["volume_minus"]["volume"] for p in pairs])
    findings = [
        Finding.band("volume elasticity", t_interval(volume), 0.1, 0.45, mode, row.source),
        Finding("valence elasticity", t_interval(valence), "info", source=row.source),
        Finding(
            "valence − volume elasticity",
            t_interval(valence - volume),
            "significant",
            low=0.0,
            source=row.source,
        ),
    ]
    notes = [
        f"Realised word-of-mouth volume (speakers over the run): ratio V+/V− "
        f"{ratio.mean():.3f} (1.1/0.9 = 1.222; stage_talk entries capped at 1); "
        f"{np.mean([p['volume_plus']['volume'] for p in pairs]):,.0f} and "
        f"{np.mean([p['volume_minus']['volume'] for p in pairs]):,.0f} speakers.",
    ]
    return Measurement(
        "ewom", row.title, findings, {}, notes, {"volume": volume, "valence": valence}
    )


def _wom_share(pairs: list[dict[str, dict[str, float]]], mode: Mode, row: Row) -> Measurement:
    on = {k: np.array([p["on"][k] for p in pairs]) for k in pairs[0]["on"]}
    off = {k: np.array([p["off"][k] for p in pairs]) for k in pairs[0]["off"]}
    share = on["first_purchases_after_wom"] / on["first_purchases"]
    drop = 1.0 - off["revenue"] / on["revenue"]
    findings = [
        Finding.band(
            "share of first purchases after word of mouth", t_interval(share), 0.2, 0.5, mode
        ),
        Finding(
            "revenue drop without word of mouth (significant)",
            t_interval(drop),
            "significant",
            low=0.0,
        ),
        Finding.band(
            "revenue drop without word of mouth (material)",
            t_interval(drop),
            MATERIAL_DROP,
            np.inf,
            mode,
        ),
    ]
    notes = [
        f"First purchases {on['first_purchases'].mean():,.0f} a run, "
        f"{on['first_purchases_after_wom'].mean():,.0f} after word of mouth; without word of "
        f"mouth {off['first_purchases'].mean():,.0f} "
        f"({off['first_purchases_after_wom'].mean():,.0f} after talk heard, which still "
        "happens but moves nobody). Revenue "
        f"{on['revenue'].mean():,.0f} with, {off['revenue'].mean():,.0f} without."
    ]
    return Measurement("wom_share", row.title, findings, {}, notes, {"share": share, "drop": drop})


def _bass(pairs: list[dict[str, Any]], mode: Mode, row: Row) -> Measurement:
    curves = [p["curve"] for p in pairs]
    fits = [fit_bass(curve) for curve in curves]
    p = np.array([f.p for f in fits])
    q = np.array([f.q for f in fits])
    m = np.array([f.m for f in fits])
    findings = [
        Finding("p per year", t_interval(p), "info", source=row.source),
        Finding("q per year", t_interval(q), "info", source=row.source),
        Finding("q − p per year", t_interval(q - p), "significant", low=0.0, source=row.source),
    ]
    adopters = np.array([c.sum() for c in curves])
    notes = [
        f"Fitted market potential m {m.mean():,.0f} (first purchases in the run "
        f"{adopters.mean():,.0f}); RMSE of the cumulative curve "
        f"{np.mean([f.rmse for f in fits]):.1f} customers. q > p in "
        f"{int((q > p).sum())} of {len(q)} replications."
    ]
    return Measurement("bass", row.title, findings, {}, notes, {"p": p, "q": q, "m": m})


def _negativity(arms: list[dict[str, Any]], mode: Mode, row: Row) -> Measurement:
    def extra(arm_name: str, valence: str) -> np.ndarray:
        return np.array([a[arm_name][valence] - a["control"][valence] for a in arms])

    sales = {name: np.array([a[name]["sales"] for a in arms]) for name in arms[0]}
    negative_messages, positive_messages = (
        extra("negative", "negative"),
        extra("positive", "positive"),
    )
    per_negative = (sales["control"] - sales["negative"]) / negative_messages
    per_positive = (sales["positive"] - sales["control"]) / positive_messages
    findings = [
        Finding("sales drop per negative message", t_interval(per_negative), "info"),
        Finding("sales rise per positive message", t_interval(per_positive), "info"),
        Finding(
            "drop per negative − rise per positive message",
            t_interval(per_negative - per_positive),
            "significant",
            low=0.0,
            source=row.source,
        ),
    ]
    notes = [
        f"Extra messages against the control: {positive_messages.mean():,.0f} positive, "
        f"{negative_messages.mean():,.0f} negative; sales (purchases of the customers not "
        f"injected) {sales['positive'].mean():,.0f} / {sales['control'].mean():,.0f} / "
        f"{sales['negative'].mean():,.0f} in the positive / control / negative arms."
    ]
    data = {"per_negative": per_negative, "per_positive": per_positive}
    return Measurement("negativity", row.title, findings, {}, notes, data)


def _service_failure(runs: list[dict[str, Any]], mode: Mode, row: Row) -> Measurement:
    followed = [next_purchase(run) for run in runs]

    def column(key: str) -> np.ndarray:
        return np.array([f[key] for f in followed])

    delay = column("gap_failed") / column("gap_served") - 1.0
    again = column("again_failed") / column("again_served") - 1.0
    findings = [
        Finding(
            "delay of the next purchase after a failed one",
            t_interval(delay),
            "significant",
            low=0.0,
            source=row.source,
        ),
        Finding("change in buying again within 120 days", t_interval(again), "info"),
    ]
    notes = [
        f"Purchases followed a run: {column('n_failed').mean():,.0f} failed, "
        f"{column('n_served').mean():,.0f} without an incident; bought again within "
        f"{FOLLOW_DAYS} days {column('again_failed').mean():.1%} and "
        f"{column('again_served').mean():.1%}, after {column('gap_failed').mean():.1f} and "
        f"{column('gap_served').mean():.1f} days on average. The delay, "
        f"{delay.mean():+.0%}, against +7.2% in Amorim et al.'s online grocer."
    ]
    return Measurement("service_failure", row.title, findings, {}, notes, {"delay": delay})


TASKS: dict[str, tuple[str, Callable[..., Measurement]]] = {
    "advertising": ("advertising", _advertising),
    "price": ("price", _price),
    "ewom": ("ewom", _ewom),
    "wom_share": ("wom", _wom_share),
    "bass": ("wom", _bass),
    "negativity": ("negativity", _negativity),
    "service_failure": ("failure", _service_failure),
}
"""Each row's experiment (``wom_share`` and ``bass`` share theirs) and its summary."""


def measure(
    name: str,
    replications: int | None = None,
    customers: int | None = None,
    days: int | None = None,
    jobs: int = 1,
    mode: Mode = "full",
) -> Measurement:
    """Measure one empirical generalisation.

    Parameters
    ----------
    name : str
        A key of :data:`ROWS`.
    replications : int, optional
        Pairs (replication seeds); the mode's when omitted. Replication i uses the i-th
        seed of the row's experiment whatever the count, so a smaller run uses the first
        seeds of a larger one.
    customers, days : int, optional
        Population size and horizon; the mode's (or else the scenario's) when omitted.
    jobs : int
        Worker processes (results do not depend on it).
    mode : {"full", "quick"}
        Default sizes; quick mode also widens bands by 3 standard errors.

    Returns
    -------
    Measurement
        Its findings (estimate, 95 % interval, criterion, verdict); ``print`` shows them.

    Raises
    ------
    InputError
        If there is no such row, or a size is no whole number from 1.
    """
    return _measure(name, replications, customers, days, jobs, mode, {})


def _measure(
    name: str,
    replications: int | None,
    customers: int | None,
    days: int | None,
    jobs: int,
    mode: Mode,
    done: dict[tuple, list[Any]],
) -> Measurement:
    if name not in ROWS:
        raise InputError(f"unknown empirical generalisation {name!r} (one of: {', '.join(ROWS)})")
    check_sizes(replications, customers, days, jobs, mode)
    row = ROWS[name]
    size = getattr(row, mode)
    pairs = replications or size.pairs
    customers = customers or size.customers
    days = days or size.days
    if customers is None or days is None:
        resolved = scenario_data(row.scenario, customers, days)
        customers, days = resolved["population"]["size"], resolved["days"]
    run, summarise = TASKS[name]
    key = (run, pairs, customers, days)
    if key not in done:
        done[key] = replicate(
            RUNS[run], seeds(f"empirical_{run}", pairs), jobs, customers=customers, days=days
        )
    measurement = summarise(done[key], mode, row)
    measurement.settings = {
        "scenario": row.scenario,
        "pairs": pairs,
        "customers": f"{customers:,}",
        "days": days,
    }
    return measurement


DESCRIPTION = """\
Published empirical generalisations of marketing science, measured in the full model on
the shipped scenarios. Each row is a paired experiment: the two arms of a pair run with
the same replication seed (common random numbers: the same customers, traits and
network), the pairs with different seeds derived from the root seed. An estimate is the
mean over the pairs with its two-sided Student-t 95 % interval. A band is met when the
mean lies in it (in quick mode widened by 3 standard errors); an ordering, or an effect
that must exist, when the whole interval lies above zero. The table gives each estimate,
its interval, the criterion and the source; the rows' designs follow it. One row can be
measured from Python, at any size: `from ecosim.validation.empirical import measure;
print(measure("advertising", replications=8, customers=3000, jobs=2))`."""


def generalisations(mode: Mode = "full", jobs: int = 1) -> CaseResult:
    """Measure every empirical generalisation of :data:`ROWS`.

    Parameters
    ----------
    mode : {"full", "quick"}
    jobs : int

    Returns
    -------
    CaseResult
        Its checks (every finding's), a table of the findings, a forest plot.
    """
    done: dict[tuple, list[Any]] = {}
    measurements = [_measure(name, None, None, None, jobs, mode, done) for name in ROWS]
    rows = [
        [
            m.name,
            f.statistic,
            f"{f.estimate.mean:.3g}",
            f"[{f.estimate.low:.3g}, {f.estimate.high:.3g}]",
            f.requirement,
            ROWS[m.name].source,
            f.verdict,
        ]
        for m in measurements
        for f in m.findings
    ]
    table = markdown_table(
        ["row", "statistic", "estimate", "95% CI", "criterion", "source", "result"], rows
    )
    designs = "\n".join(
        f"- **{name}** ({row.title}; {row.source}; scenario: {row.scenario}; "
        + ", ".join(f"{k} {v}" for k, v in m.settings.items() if k != "scenario")
        + f"): {row.design}"
        for (name, row), m in zip(ROWS.items(), measurements, strict=True)
    )
    return CaseResult(
        name="empirical",
        title="Empirical generalisations of marketing science",
        description=DESCRIPTION,
        checks=[check for m in measurements for check in m.checks()],
        source="; ".join(row.source for row in ROWS.values()),
        settings={"rows": len(ROWS), "mode": mode},
        notes=[f"{m.name}: {note}" for m in measurements for note in m.notes],
        figure=_figure(measurements),
        table=table + "\n\n" + designs,
        data={m.name: m for m in measurements},
    )


def _figure(measurements: list[Measurement]) -> Figure:
    findings = [(m.name, f) for m in measurements for f in m.findings if f.criterion != "info"]
    fig = Figure(figsize=(10, 0.45 * len(findings) + 1.2), layout="constrained")
    ax = fig.subplots()
    for y, (_, f) in enumerate(findings):
        colour = "C2" if f.passed else "C3"
        e = f.estimate
        ax.errorbar(
            [e.mean], [y], xerr=[[e.mean - e.low], [e.high - e.mean]], fmt="o", color=colour
        )
        low = f.low if np.isfinite(f.low) else min(e.low, 0.0)
        high = f.high if np.isfinite(f.high) else max(e.high, low) * 1.1 + 0.05
        ax.plot([low, high], [y, y], color="0.6", lw=6, alpha=0.35, solid_capstyle="butt")
    ax.axvline(0.0, color="k", lw=0.6)
    ax.set_yticks(range(len(findings)), [f"{n}: {f.statistic}" for n, f in findings])
    ax.invert_yaxis()
    ax.set(xlabel="value")
    fig.suptitle("Estimates and 95% intervals (green: pass, red: fail) against the bands (grey)")
    return fig
