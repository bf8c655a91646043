"""The customer inspector: one customer's state today and its history since it was picked.

A customer is picked by clicking it in the network view or by typing its id; from then on
the model records its state after every step (:meth:`~ecosim.ui.live_model.LiveModel.watch`).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ecosim.plots import key_below
from ecosim.population import STAGES, TRAITS
from ecosim.ui.controls import read_number
from ecosim.ui.live_model import LiveModel
from ecosim.ui.refresh import force_update, update_counter
from ecosim.ui.style import BRAND_COLOURS, Picture, data_url, money

__all__ = [
    "CustomerHistory",
    "CustomerInspector",
    "customer_id",
    "dropped_message",
    "history_figure",
    "history_frame",
]


def customer_id(text: str | None, n: int) -> int | None:
    """Read the customer id typed in the inspector (empty: nobody).

    Raises
    ------
    ValueError
        If the text is not a whole number, saying which ids there are.

    Examples
    --------
    >>> customer_id(" 12 ", 100), customer_id("", 100)
    (12, None)
    >>> customer_id("abc", 100)
    Traceback (most recent call last):
    ...
    ValueError: 'abc' is not a customer id: type a whole number from 0 to 99
    """
    if text is None or not text.strip():
        return None
    try:
        return read_number(text, int)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a customer id: type a whole number from 0 to {n - 1:,}"
        ) from None


def dropped_message(row: int, n: int) -> str:
    """Say that the customer followed before a Reset is not in the new run.

    Examples
    --------
    >>> dropped_message(9999, 100)
    'customer 9999 is not among the 100 customers of this run (ids 0 to 99), so no one is followed.'
    """
    return f"{_absent(row, n)}, so no one is followed."


def _absent(row: int, n: int) -> str:
    return f"customer {row} is not among the {n:,} customers of this run (ids 0 to {n - 1:,})"


def history_frame(history: list[dict], brands: list[str]) -> pd.DataFrame:
    """Flatten the watched customer's history into one row per step.

    Returns
    -------
    pandas.DataFrame
        ``step`` and, per brand, ``<brand> experience``, ``<brand> stage`` (an index into
        :data:`ecosim.population.STAGES`) and ``<brand> purchases``.

    Examples
    --------
    >>> state = {"step": 3, "x": {"experience": 0.5, "stage": "curation", "purchases": 1}}
    >>> history_frame([state], ["x"]).iloc[0].tolist()
    [3.0, 0.5, 2.0, 1.0]
    """
    rows = [
        {
            "step": state["step"],
            **{f"{b} experience": state[b]["experience"] for b in brands},
            **{f"{b} stage": STAGES.index(state[b]["stage"]) for b in brands},
            **{f"{b} purchases": state[b]["purchases"] for b in brands},
        }
        for state in history
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "step",
            *(f"{b} {w}" for w in ("experience", "stage", "purchases") for b in brands),
        ],
    )


LINE_STYLES = ("-", "--", ":", "-.", "-", "--")
"""A brand's line in the customer's history, beside its colour: two brands' lines often lie
on each other (the same stage), and the one drawn last hid the other."""


def history_figure(frame: pd.DataFrame, brands: list[str], row: int) -> Figure:
    """Draw a customer's experience and 4C stage over time, one colour per brand."""
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    experience, stage = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    dot = "o" if len(frame) == 1 else None  # a line of one day draws nothing
    for brand, colour, dashes in zip(brands, BRAND_COLOURS, LINE_STYLES, strict=False):
        experience.plot(
            frame["step"],
            frame[f"{brand} experience"],
            color=colour,
            ls=dashes,
            label=brand,
            marker=dot,
        )
        stage.step(
            frame["step"],
            frame[f"{brand} stage"],
            where="post",
            color=colour,
            ls=dashes,
            marker=dot,
        )
        bought = frame[f"{brand} purchases"].diff().fillna(0) > 0
        experience.scatter(
            frame["step"][bought],
            frame[f"{brand} experience"][bought],
            color=colour,
            marker="v",
            s=30,
        )
    experience.axhline(0, color="#999999", lw=0.6)
    experience.set(
        ylim=(-1.05, 1.05), ylabel="experience", title=f"Customer {row} since picked (▼ a purchase)"
    )
    if len(brands) > 1:
        key_below(fig, experience)
    stage.set(
        yticks=range(len(STAGES)), yticklabels=STAGES, ylim=(-0.3, len(STAGES) - 0.7), xlabel="day"
    )
    if dot:  # a day either side, with the day itself its only tick (day 0 has no day -1)
        day = int(frame["step"].iloc[0])
        stage.set_xlim(day - 1, day + 1)
        stage.set_xticks([day])
    else:
        stage.xaxis.set_major_locator(MaxNLocator(6, integer=True))
    stage.tick_params(axis="y", labelsize=8)
    return fig


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


_SHOWN = {
    "aware": _yes,
    "experience": "{:+.2f}".format,
    "stage": str,
    "purchases": str,
    "spend": money,
    "last_purchase": lambda day: "never" if day is None else f"day {day}",
    "churned": _yes,
    "points": "{:,.0f}".format,
    "tier": lambda tier: tier or "none",
    "member": _yes,
    "reached_directly": _yes,
    "affected_indirectly": _yes,
}
"""How each of a customer's per-brand values is shown."""


def _trait_shown(trait: str, value: float) -> str:
    """Write a customer's trait: the need cycle in days, the others (0 to 1) as they are."""
    return f"{value:.1f} days" if trait == "need_cycle" else f"{value:.2f}"


def _state_table(state: dict, brands: list[str]) -> str:
    """Write a customer's state by brand as table rows; no experience of a brand not known.

    Examples
    --------
    >>> import re
    >>> known = dict.fromkeys(_SHOWN, 0) | {"aware": True, "experience": 0.25}
    >>> unknown = known | {"aware": False, "experience": 0.0}
    >>> table = _state_table({"a": known, "b": unknown}, ["a", "b"])
    >>> re.findall(r"<tr><td>experience</td>(.*?)</tr>", table)[0].count("–"), "+0.25" in table
    (1, True)
    """
    head = "".join(f"<th style='padding:0 8px'>{html.escape(b)}</th>" for b in brands)
    lines = []
    for field, show in _SHOWN.items():
        shown = [
            "–" if field == "experience" and not state[b]["aware"] else show(state[b][field])
            for b in brands
        ]
        cells = "".join(
            f"<td style='padding:0 8px; text-align:right'>{html.escape(text)}</td>"
            for text in shown
        )
        lines.append(f"<tr><td>{field.replace('_', ' ')}</td>{cells}</tr>")
    return f"<tr><td></td>{head}</tr>" + "".join(lines)


@solara.component
def CustomerInspector(
    model: LiveModel, dropped: str = "", on_follow: Callable[[], None] | None = None
) -> None:
    """Pick a customer (by id, at random, the best connected) and show its state today.

    ``dropped`` says why the customer followed before the last Reset is not followed now
    (:func:`dropped_message`); it shows until another customer is picked, or none (the
    id field cleared): then ``on_follow()`` is called, to drop the message.
    """
    update_counter.get()
    problem, set_problem = solara.use_state("")
    n = model.population.n

    def follow(row: int | None) -> None:
        try:
            model.watch(row)
        except IndexError:
            set_problem(f"{_absent(row, n)}: type one of those.")
            return
        set_problem("")
        if on_follow is not None:
            on_follow()
        force_update()

    def typed(text: str | None) -> None:
        try:
            follow(customer_id(text, n))
        except ValueError as error:
            set_problem(str(error))

    def random_customer() -> None:
        follow(int(np.random.default_rng().integers(n)))

    def best_connected() -> None:
        follow(int(np.argmax(model.network.degree)))

    with solara.Column(gap="6px"):
        solara.Text("Customer inspector", style={"font-weight": "bold", "font-size": "1.1em"})
        with solara.Row(gap="8px", style={"align-items": "center"}):
            solara.InputText(
                "customer id",
                value="" if model.watched is None else str(model.watched),
                on_value=typed,
            )
            solara.Button("random", on_click=random_customer, outlined=True)
            solara.Button("best connected", on_click=best_connected, outlined=True)
        if problem:
            solara.Error(problem)
        row = model.watched
        if row is None and dropped:
            solara.Warning(dropped)
        if row is None:
            solara.Text(f"Click a customer in the network view, or type an id from 0 to {n - 1:,}.")
            return
        state = model.customer(row).state()
        friends = model.network.neighbors(row)
        aware_friends = int(model.population.aware[friends].any(axis=1).sum())
        segment = state["segment"].replace("_", " ")
        solara.Text(
            f"Customer {row}: segment {segment}, {len(friends):,} friends "
            f"({aware_friends:,} aware of a brand)"
        )
        solara.Text(
            ", ".join(f"{t.replace('_', ' ')} {_trait_shown(t, state[t])}" for t in TRAITS),
            style={"font-size": "0.85em"},
        )
        solara.HTML(
            tag="table",
            unsafe_innerHTML=_state_table(state, model.scenario.brand_names),
            style="font-size: 0.9em",
        )


@solara.component
def CustomerHistory(model: LiveModel) -> None:
    """Plot the watched customer's experience and stage since it was picked."""
    update_counter.get()
    if model.watched is None:
        solara.Text("Pick a customer to see its history here.")
        return
    brands = model.scenario.brand_names
    frame = history_frame(model.history, brands)
    figure = history_figure(frame, brands, model.watched)
    Picture(data_url(figure), f"customer {model.watched} since picked, day {model.steps}")
