"""Docking the value accrual against the lifetime value formula of Gupta, Lehmann & Stuart.

The full ecosystem is reduced, with ordinary scenario fields, to constant margin ``m``,
retention ``r`` and discount ``d`` per period, with a period of one day: every customer is
aware from the start and needs the category every day (``need_cycle`` 1), the outside
option is so unattractive (``outside_utility`` -50) that every aware customer who has
not defected buys, at a constant price (no promotions, loyalty programme or service
incidents, one unit per purchase, so the margin is always ``m``), nobody talks (word of
mouth off), and the daily churn hazard is the constant ``1 - r``
(``churn_experience_weight`` 0; the recency term is zero for a customer who bought that
day) with no win-back.

Timing. Within a day the engine records the purchase and its margin (phase 5, discounted
to day 0 by ``(1 + d)^-day``), then draws churn (phase 6). The first margin, on day 1,
is therefore earned *before* any retention event: the acquisition purchase. Gupta,
Lehmann & Stuart (2004) count margins after each retention, ``CLV = sum_{t>=1} m r^t /
(1 + d)^t = m r / (1 + d - r)``, at the acquisition (time 0) and not counting its margin.
The engine's value ``V`` maps onto that convention as ``(1 + d) V - m``: re-based from
day 0 to the acquisition day (one period later) and less the acquisition margin. The
expected value is exactly ``m r / (1 + d - r)`` (and ``E V = m / (1 + d - r)``). A
customer's lifetime, the number of days they buy, is geometric with mean ``1 / (1 - r)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from ecosim.model import EcosystemModel
from ecosim.validation.core import CaseResult, Check, Mode, minimal_scenario, seeds
from ecosim.value import lifetime_value

__all__ = ["clv_scenario", "customer_lifetime_value"]

DESCRIPTION = """\
The full ecosystem reduced with ordinary scenario fields to constant margin m, retention r
and discount d per period, the period one day (`dynamics.clv_period_days = 1`): every
customer is aware from the start (`brands.0.initial_awareness = 1`) and needs the category
every day (`need_cycle = 1`); the outside option is so unattractive
(`dynamics.outside_utility = -50`) that every aware customer who has not defected buys; the
price and margin are constant (no campaign, loyalty programme or service incidents:
`brands.0.service.incidents = []`; one unit per purchase whatever the stage:
`dynamics.stage_basket` all 1); nobody talks (`dynamics.stage_talk` all 0,
`dynamics.venting_rate = 0`: no word of mouth); nobody forgets (`dynamics.forgetting_rate =
0`); the daily churn hazard is the constant 1 − r (`dynamics.churn_rate = 1 − r`,
`dynamics.churn_experience_weight = 0`; the recency term is zero for a customer who bought
that day) with no win-back (`dynamics.winback_rate = 0`).

*Timing.* Within a day the engine records the purchase and its margin first (phase 5, in
`EcosystemModel._shop`, discounted to day 0 by (1 + d)^(−day)) and draws churn after it
(phase 6, `processes/retention.py`). The first margin, on day 1, is therefore earned before
any retention event: it is the acquisition purchase. Gupta, Lehmann & Stuart (2004) value a
customer at acquisition (time 0) from the margins that follow each retention, the first one
period later: CLV = Σ_(t≥1) m r^t / (1 + d)^t = m r / (1 + d − r). The engine's realised
value V of a customer maps onto that convention as (1 + d) V − m: re-based from day 0 to the
acquisition day one period later, without the acquisition margin. Its expectation is exactly
m r / (1 + d − r), and E V = m / (1 + d − r) (margin at the start of each period). A
customer's lifetime, the number of days with a purchase, is geometric with mean 1 / (1 − r).
The customers do not interact, so one run of many customers is a set of independent
replications."""

PRICE, MARGIN = 100.0, 0.3
RETENTION, DISCOUNT = 0.9, 0.02
TOLERANCE = 0.01


@dataclass(frozen=True)
class Settings:
    """Customers and days of the CLV case (one run: the customers do not interact)."""

    customers: int
    days: int


SETTINGS = {"full": Settings(200_000, 250), "quick": Settings(50_000, 120)}


def clv_scenario() -> dict:
    """Return the scenario fields (dotted paths) that reduce the ecosystem to constant CLV."""
    return {
        "population.segments": [{"name": "everyone", "share": 1.0, "need_cycle": 1}],
        "brands.0.price": PRICE,
        "brands.0.margin": MARGIN,
        "brands.0.initial_awareness": 1.0,
        "brands.0.service.incidents": [],
        "dynamics.clv_period_days": 1,
        "dynamics.clv_discount_rate": DISCOUNT,
        "dynamics.churn_rate": 1.0 - RETENTION,
        "dynamics.churn_experience_weight": 0.0,
        "dynamics.winback_rate": 0.0,
        "dynamics.outside_utility": -50.0,
        "dynamics.forgetting_rate": 0.0,
        "dynamics.stage_talk": [0.0] * 5,
        "dynamics.venting_rate": 0.0,
        "dynamics.stage_basket": [1.0] * 5,
    }


def customer_lifetime_value(mode: Mode = "full", jobs: int = 1) -> CaseResult:
    """Check the engine's customer value against ``m r / (1 + d - r)`` and ``1 / (1 - r)``.

    Parameters
    ----------
    mode : {"full", "quick"}
    jobs : int
        Unused: the case is one run (its customers are independent replications).

    Returns
    -------
    CaseResult

    References
    ----------
    S. Gupta, D. R. Lehmann and J. A. Stuart, "Valuing customers", Journal of Marketing
    Research 41 (2004) 7-18.
    """
    s = SETTINGS[mode]
    scenario = minimal_scenario("clv", s.customers, s.days, **clv_scenario())
    model = EcosystemModel(scenario, rng=np.random.default_rng(seeds("clv", 1)[0]))
    daily = model.run()
    m = PRICE * MARGIN
    value = model.population.value[:, 0]
    lifetime = model.population.purchases[:, 0].astype(float)
    gls = (1.0 + DISCOUNT) * value - m
    expected = float(lifetime_value(np.array(m), np.array(RETENTION), DISCOUNT))
    clv_error = gls.std(ddof=1) / np.sqrt(s.customers) / expected
    mean_life = 1.0 / (1.0 - RETENTION)
    life_error = lifetime.std(ddof=1) / np.sqrt(s.customers) / mean_life
    quick = mode == "quick"
    checks = [
        Check(
            "|mean simulated CLV / (m r / (1 + d - r)) - 1|",
            abs(gls.mean() / expected - 1.0),
            "<=",
            TOLERANCE,
            3 * clv_error if quick else 0.0,
        ),
        Check(
            "|mean lifetime / (1 / (1 - r)) - 1|",
            abs(lifetime.mean() / mean_life - 1.0),
            "<=",
            TOLERANCE,
            3 * life_error if quick else 0.0,
        ),
    ]
    alive = int((~model.population.churned[:, 0]).sum())
    notes = [
        f"m = {m:g} (price {PRICE:g}, margin {MARGIN:g}), r = {RETENTION}, d = {DISCOUNT} per "
        f"period of one day: m r / (1 + d - r) = {expected:.3f}; simulated (1 + d) V - m: mean "
        f"{gls.mean():.3f} (relative standard error {clv_error:.2%}). The engine's own value V "
        f"(discounted to day 0, acquisition margin included): mean {value.mean():.3f} against "
        f"m / (1 + d - r) = {m / (1 + DISCOUNT - RETENTION):.3f}.",
        f"Lifetime (days with a purchase): mean {lifetime.mean():.4f} against 1 / (1 - r) = "
        f"{mean_life:g} (relative standard error {life_error:.2%}).",
        f"Horizon {s.days} days: a customer is still active at the end with probability "
        f"r^{s.days} = {RETENTION**s.days:.1e} ({alive} were), so truncation is negligible. Word "
        f"of mouth was off: {daily['wom_positive'].sum() + daily['wom_negative'].sum():.0f} "
        f"speakers, {daily['incidents'].sum():.0f} service incidents.",
    ]
    return CaseResult(
        name="clv",
        title="Customer lifetime value with constant margin and retention",
        description=DESCRIPTION,
        checks=checks,
        source="Gupta, Lehmann & Stuart (2004)",
        settings={
            "customers": f"{s.customers:,}",
            "days": s.days,
            "period": "1 day",
            "m, r, d": f"{m:g}, {RETENTION}, {DISCOUNT}",
        },
        notes=notes,
        figure=_figure(daily["purchases"].to_numpy(), lifetime, gls, expected, s.customers),
        data={"clv": gls.mean(), "expected": expected, "lifetime": lifetime.mean()},
    )


def _figure(
    purchases: np.ndarray, lifetime: np.ndarray, gls: np.ndarray, expected: float, n: int
) -> Figure:
    fig = Figure(figsize=(15, 4.2), layout="constrained")
    ax = fig.subplots(1, 3)
    days = np.arange(1, len(purchases))
    ax[0].semilogy(days, purchases[1:] / n, ".", ms=3, label="ecosim: buyers on day t / N")
    ax[0].semilogy(days, RETENTION ** (days - 1.0), "k--", label="r^(t-1)")
    ax[0].set(title="Customers still buying", xlabel="day t", ylabel="share of customers")
    ax[0].legend()
    longest = int(min(lifetime.max(), 60))
    k = np.arange(1, longest + 1)
    counts = np.bincount(lifetime.astype(int), minlength=longest + 1)[1 : longest + 1]
    ax[1].bar(k, counts / n, color="C0", alpha=0.6, label="ecosim")
    ax[1].plot(k, (1 - RETENTION) * RETENTION ** (k - 1.0), "k.-", label="geometric (1-r) r^(k-1)")
    ax[1].set(title="Lifetime: days with a purchase", xlabel="k", ylabel="share of customers")
    ax[1].legend()
    se = gls.std(ddof=1) / np.sqrt(len(gls))
    ax[2].errorbar([0], [gls.mean()], yerr=[1.96 * se], fmt="o", color="C0", capsize=8)
    ax[2].axhline(expected, color="k", ls="--", label="m r / (1 + d - r)")
    ax[2].axhspan(
        expected * (1 - TOLERANCE), expected * (1 + TOLERANCE), color="C3", alpha=0.15, label="±1%"
    )
    ax[2].set(
        title="Mean CLV (95% interval)",
        xticks=[0],
        xticklabels=["ecosim: (1 + d) V − m"],
        xlim=(-1, 1),
        ylim=(expected * 0.97, expected * 1.03),
    )
    ax[2].legend(loc="lower right")
    return fig
