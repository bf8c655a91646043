"""Matplotlib figures of runs.

Figures are built with :class:`matplotlib.figure.Figure` directly, so no display or
pyplot state is needed (safe in batch workers and the web app).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ecosim.population import STAGES

__all__ = ["dashboard"]

_STAGE_COLOURS = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")


def dashboard(timeseries: pd.DataFrame, title: str = "", brands: list[str] | None = None) -> Figure:
    """Nine panels of a run: the elements of the engagement ecosystem over time.

    Awareness and adoption, the 4C stages, dialogue, purchases, money, customers
    (active and churned), loyalty, service, and engagement as defined by the scenario
    with its three presence components.

    Parameters
    ----------
    timeseries : pandas.DataFrame
        Daily outcomes of one run (:func:`ecosim.run`).
    title : str
        Figure title.
    brands : list of str, optional
        Brand names; with more than one, awareness, purchases and customers are drawn
        per brand.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import ecosim
    >>> fig = dashboard(ecosim.run("scenarios/baseline.toml", days=5, customers=500))
    >>> len(fig.axes) >= 9
    True
    """
    brands = brands or []
    several = len(brands) > 1
    lines = list(zip([f"__{b}" for b in brands], brands, strict=True)) if several else [("", None)]
    day = timeseries["step"]
    fig = Figure(figsize=(16, 12), layout="constrained")
    fig.suptitle(title)
    ax = fig.subplots(3, 3)

    for suffix, label in lines:
        name = f"{label}: " if label else ""
        ax[0, 0].plot(day, timeseries["aware_share" + suffix], label=f"{name}aware")
        ax[0, 0].plot(day, timeseries["adopted_share" + suffix], ls="--", label=f"{name}bought")
    ax[0, 0].set(title="Awareness and adoption", ylabel="share of customers", ylim=(0, 1))
    ax[0, 0].legend(loc="upper left", fontsize="small")

    shares = [timeseries[f"stage_{stage}"] for stage in STAGES[1:]]
    ax[0, 1].stackplot(day, shares, labels=STAGES[1:], colors=_STAGE_COLOURS)
    ax[0, 1].set(title="Engagement stages (Evans's 4C)", ylabel="share of customers")
    ax[0, 1].legend(loc="upper left", fontsize="small")

    ax[0, 2].plot(day, timeseries["wom_positive"], color="tab:green", label="positive")
    ax[0, 2].plot(day, timeseries["wom_negative"], color="tab:red", label="negative")
    ax[0, 2].set(title="Dialogue: word of mouth", ylabel="customers talking per day")
    ax[0, 2].legend(loc="upper left", fontsize="small")
    sentiment = ax[0, 2].twinx()
    smooth = timeseries["net_sentiment"].rolling(7, min_periods=1).mean()
    sentiment.plot(day, smooth, color="grey", lw=0.8, alpha=0.8)
    sentiment.set(ylabel="net sentiment (7-day mean)", ylim=(-1.05, 1.05))

    for suffix, label in lines:
        weekly = timeseries["purchases" + suffix].rolling(7, min_periods=1).mean()
        ax[1, 0].plot(day, weekly, label=label)
    ax[1, 0].set(title="Shopping: purchases (7-day mean)", ylabel="purchases per day")

    for name, colour in (
        ("revenue", "tab:blue"),
        ("gross_margin", "tab:green"),
        ("marketing_cost", "tab:red"),
    ):
        ax[1, 1].plot(day, np.cumsum(timeseries[name]), color=colour, label=name.replace("_", " "))
    ax[1, 1].set(title="Money (cumulative)", ylabel="currency units")
    ax[1, 1].legend(loc="upper left", fontsize="small")

    for suffix, label in lines:
        name = f"{label}: " if label else ""
        ax[1, 2].plot(day, timeseries["active_customers" + suffix], label=f"{name}active")
        ax[1, 2].plot(
            day, timeseries["churned_customers" + suffix], ls="--", label=f"{name}churned"
        )
    ax[1, 2].set(title="Customers: active and churned", ylabel="customers")
    ax[1, 2].legend(loc="upper left", fontsize="small")

    tiers = [c for c in timeseries.columns if c.startswith("tier_") and "__" not in c]
    for column in ["members", *tiers]:
        if timeseries[column].any():
            ax[2, 0].plot(day, timeseries[column], label=column.removeprefix("tier_"))
    if ax[2, 0].lines:
        ax[2, 0].legend(loc="upper left", fontsize="small")
    else:
        ax[2, 0].text(
            0.5, 0.5, "no paid members or tiers", ha="center", transform=ax[2, 0].transAxes
        )
    ax[2, 0].set(title="Loyalty programme", ylabel="customers", xlabel="day")

    for name, colour in (
        ("incidents", "tab:orange"),
        ("complaints", "tab:red"),
        ("answered", "tab:green"),
    ):
        weekly = timeseries[name].rolling(7, min_periods=1).sum()
        ax[2, 1].plot(day, weekly, color=colour, label=name)
    ax[2, 1].set(title="Service (7-day totals)", ylabel="per week", xlabel="day")
    ax[2, 1].legend(loc="upper left", fontsize="small")

    ax[2, 2].plot(day, timeseries["engaged_share"], color="black", label="engaged (as defined)")
    for part, colour in (
        ("physical", "tab:blue"),
        ("cognitive", "tab:purple"),
        ("emotional", "tab:pink"),
    ):
        ax[2, 2].plot(
            day, timeseries[f"presence_{part}"], color=colour, lw=1, label=f"{part} presence"
        )
    ax[2, 2].set(
        title="Engagement (Patterson et al. 2006)", ylabel="share / mean", xlabel="day", ylim=(0, 1)
    )
    ax[2, 2].legend(loc="upper left", fontsize="small")

    if several:
        ax[1, 0].legend(loc="upper left", fontsize="small")
    return fig
