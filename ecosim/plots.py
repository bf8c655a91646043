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
    """Six panels of a run: awareness, the 4C funnel, dialogue, sales, money, customers.

    Parameters
    ----------
    timeseries : pandas.DataFrame
        Daily outcomes of one run (:func:`ecosim.run`).
    title : str
        Figure title.
    brands : list of str, optional
        Brand names; with more than one, awareness, purchases and active customers are
        drawn per brand.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import ecosim
    >>> fig = dashboard(ecosim.run("scenarios/baseline.toml", days=5, customers=500))
    >>> len(fig.axes) >= 6
    True
    """
    brands = brands or []
    lines = [f"__{b}" for b in brands] if len(brands) > 1 else [""]
    labels = brands if len(brands) > 1 else [None]
    day = timeseries["step"]
    fig = Figure(figsize=(15, 8.5), layout="constrained")
    fig.suptitle(title)
    ax = fig.subplots(2, 3)

    for suffix, label in zip(lines, labels, strict=True):
        ax[0, 0].plot(day, timeseries["aware_share" + suffix], label=label)
    ax[0, 0].set(title="Awareness", ylabel="share of customers", ylim=(0, 1))

    shares = [timeseries[f"stage_{stage}"] for stage in STAGES[1:]]
    ax[0, 1].stackplot(day, shares, labels=STAGES[1:], colors=_STAGE_COLOURS)
    ax[0, 1].set(title="Engagement stages (Evans's 4C)", ylabel="share of customers")
    ax[0, 1].legend(loc="upper left", fontsize="small")

    ax[0, 2].plot(day, timeseries["wom_positive"], color="tab:green", label="positive")
    ax[0, 2].plot(day, timeseries["wom_negative"], color="tab:red", label="negative")
    ax[0, 2].set(title="Word of mouth", ylabel="customers talking per day")
    ax[0, 2].legend(loc="upper left", fontsize="small")
    sentiment = ax[0, 2].twinx()
    sentiment.plot(day, timeseries["net_sentiment"], color="grey", lw=0.8, alpha=0.7)
    sentiment.set(ylabel="net sentiment", ylim=(-1.05, 1.05))

    for suffix, label in zip(lines, labels, strict=True):
        weekly = timeseries["purchases" + suffix].rolling(7, min_periods=1).mean()
        ax[1, 0].plot(day, weekly, label=label)
    ax[1, 0].set(title="Purchases (7-day mean)", ylabel="purchases per day", xlabel="day")

    for name, colour in (
        ("revenue", "tab:blue"),
        ("gross_margin", "tab:green"),
        ("marketing_cost", "tab:red"),
    ):
        ax[1, 1].plot(day, np.cumsum(timeseries[name]), color=colour, label=name.replace("_", " "))
    ax[1, 1].set(title="Money (cumulative)", ylabel="currency units", xlabel="day")
    ax[1, 1].legend(loc="upper left", fontsize="small")

    for suffix, label in zip(lines, labels, strict=True):
        ax[1, 2].plot(day, timeseries["active_customers" + suffix], label=label)
    ax[1, 2].set(title="Active customers", ylabel="customers", xlabel="day")
    experience = ax[1, 2].twinx()
    experience.plot(day, timeseries["mean_experience"], color="purple", lw=0.8, alpha=0.7)
    experience.set(ylabel="mean experience (aware)", ylim=(-1.05, 1.05))

    if len(brands) > 1:
        for panel in (ax[0, 0], ax[1, 0], ax[1, 2]):
            panel.legend(loc="upper left", fontsize="small")
    return fig
