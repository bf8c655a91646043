"""The ecosystem view: Maslowska et al.'s (2016) diagram with today's flows on its arrows.

The six elements of the customer engagement ecosystem are boxes; the day's flows between
them (``model.flows``: exposures, content consumed, word of mouth, purchases, money, stage
moves) are arrows whose width grows with the flow, so a class sees where the ripple of a
campaign is today. A table beside it lists every flow of the day with its meaning,
including flows that new mechanisms add.
"""

from __future__ import annotations

import html
import math
import textwrap
from dataclasses import dataclass

import numpy as np
import solara
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ecosim.metrics import is_money
from ecosim.scenario import Action
from ecosim.ui.live_model import LiveModel
from ecosim.ui.refresh import update_counter
from ecosim.ui.style import NEGATIVE, POSITIVE, STAGE_NAMES, Picture, data_url, money

__all__ = [
    "FIGURE_SIZE",
    "FLOW_MEANINGS",
    "EcosystemDiagram",
    "TodayFlows",
    "ecosystem_figure",
    "flow_row",
    "percent",
    "todays_flows",
    "whose",
]

FLOW_MEANINGS = {
    "marketing_cost": "money the brand spent on marketing",
    "exposures": "messages delivered by media and influencers",
    "consumed": "customers who paid attention to (consumed) the brand's content",
    "aware_by_content": "customers who learnt of the brand from its content",
    "wom_positive": "customers who praised the brand to their friends",
    "wom_negative": "customers who complained about the brand to their friends",
    "wom_heard": "customers who heard friends talk about the brand",
    "aware_by_wom": "customers who learnt of the brand by word of mouth",
    "needs": "customers who needed to buy in the category",
    "purchases": "purchases of the brand",
    "revenue": "money the brand received (after discounts)",
    "gross_margin": "revenue less the cost of the goods sold, plus membership fees",
    "stage_ups": "customers who climbed one 4C stage",
    "stage_downs": "customers who slipped one 4C stage",
    "forgot": "customers who forgot the brand",
    "profit": "gross margin less marketing, service and programme costs",
    "service_cost": "cost of answers, proactive notices, self-service and priority delivery",
    "programme_cost": "running cost of loyalty programmes and AI personalisation",
    "units": "units sold (engaged customers buy more per purchase)",
    "notices": "customers warned of a service delay before it reached them",
    "fee_revenue": "membership fees received",
    "rewards_value": "value of the loyalty rewards given",
    "first_purchases": "customers who bought the brand for the first time",
    "first_purchases_after_wom": "first purchases by customers who had heard word of mouth",
    "shares": "customers who shared the brand's content",
    "amplified": "customers the media showed a trending story (praise or complaints)",
    "reviews": "reviews written",
    "switches": "customers who switched to the brand from another",
    "abandoned_checkouts": "customers who gave up in the brand's purchase process",
    "incidents": "service incidents (late delivery, wrong item...)",
    "complaints": "complaints to the brand",
    "public_complaints": "complaints made in public",
    "answered": "complaints the brand answered",
    "self_served": "complaints solved by self-service",
    "crisis_responses": "responses to a service crisis",
    "churned": "customers who left the brand",
    "won_back": "churned customers won back",
    "promoted": "members promoted to a higher tier",
    "demoted": "members demoted to a lower tier",
    "members_joined": "customers who joined the membership",
    "members_left": "members who left the membership",
    "members_renewed": "members who renewed",
    "points_earned": "loyalty points earned",
    "points_redeemed": "loyalty points redeemed",
    "seeded": "customers given a sample or made ambassadors",
    "omnichannel": "purchases across online and offline channels",
}
"""What each of today's flows counts (flows not listed are shown by name)."""
_WIDTH = 460.8
"""The diagram's width in points (6.4 inches); it is laid out in points."""
_FONT = 16.5
"""Points of the diagram's text. Drawn 455 pixels wide, as in a column of the page in a
1440-pixel window, a point is about a pixel: the text is as large as the page's (16 px)."""
_LINE = 1.2 * _FONT
"""Points from one line of text to the next."""
_PAD = 7.0
"""Points between a box's edge and its text."""
_MARGIN = 8.0
"""Points between the diagram's edge and its boxes."""
_SIDE, _MIDDLE = 160.0, 420.0
"""Points of width of a box in a column and of the box in the middle."""
_COLUMNS = {
    "left": _MARGIN + _SIDE / 2,
    "middle": _WIDTH / 2,
    "right": _WIDTH - _MARGIN - _SIDE / 2,
}
_CHARACTERS = 16
"""The most characters of a line of state in a box in a column."""

_BOXES = {
    "actions": ("Brand actions", "left", 0, 4),
    "media": ("Other actors:\nmedia and\ninfluencers", "right", 0, 2),
    "shopping": ("Shopping\nbehaviour", "left", 1, 1),
    "consumption": ("Brand\nconsumption", "right", 1, 1),
    "experience": ("Customer brand experience", "middle", 2, 2),
    "dialogue": ("Dialogue\nbehaviour", "left", 3, 2),
    "peers": ("Other actors:\nother\ncustomers", "right", 3, 1),
}
"""Each element of the ecosystem: its title, column, row (from the top) and lines of state.

Most flows run up or down a column, so their labels have room beside or on their arrows;
customer brand experience, in the middle, spans both columns."""
_GAPS = (60.0, 80.0, 80.0)
"""Points between one row of boxes and the next, where the arrows and their labels are."""
_TITLE = 2 * _LINE + 2 * _MARGIN
"""Points above the boxes, for the diagram's title."""
_BEND = 20.0
"""Points between two arrows between the same two boxes."""
_OUTER = 50.0
"""Points from a column's middle, towards the diagram's edge, to the arrows up and down it:
their labels, towards the diagram's middle, have the room between the columns."""
_GREY = "#4d4d4d"
"""The colour of an arrow of a flow that is not word of mouth."""


@dataclass(frozen=True)
class _Place:
    """Where a box is: its centre, width and height, in points."""

    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height / 2

    @property
    def bottom(self) -> float:
        return self.y - self.height / 2


def _layout() -> tuple[dict[str, _Place], float]:
    """Place the boxes, each row as tall as its most lines; return them and the height."""
    rows = 1 + max(row for _title, _column, row, _lines in _BOXES.values())
    tall = [0.0] * rows
    for title, _column, row, lines in _BOXES.values():
        text = title.count("\n") + 1 + lines
        tall[row] = max(tall[row], text * _LINE + 2 * _PAD)
    height = _TITLE + sum(tall) + sum(_GAPS) + _MARGIN
    tops = [height - _TITLE - sum(tall[:row]) - sum(_GAPS[:row]) for row in range(rows)]
    places = {
        key: _Place(
            _COLUMNS[column],
            tops[row] - tall[row] / 2,
            _MIDDLE if column == "middle" else _SIDE,
            tall[row],
        )
        for key, (_title, column, row, _lines) in _BOXES.items()
    }
    return places, height


_PLACES, _HEIGHT = _layout()
FIGURE_SIZE = (_WIDTH / 72, _HEIGHT / 72)
"""Inches of the diagram."""


@dataclass(frozen=True)
class _Arrow:
    """A flow between two boxes; money flows are scaled among themselves.

    An arrow between boxes of one row runs across, between their sides, its label on it.
    Otherwise it runs up or down its column, near the column's outer edge (``shift`` points
    right of there), its label beside it towards the diagram's middle, ``at`` of the way
    from its tail to its head. A coloured arrow's label is written in its colour.
    """

    start: str
    end: str
    flow: float
    label: str
    colour: str = _GREY
    money: bool = False
    shift: float = 0.0
    at: float = 0.5


def todays_flows(model: LiveModel, brand: int | None) -> dict[str, float]:
    """Return today's flows for one brand (its column) or summed over brands (``None``).

    Flows the model has not produced yet (before the first step) are 0.

    Examples
    --------
    >>> from ecosim.ui.live_model import LiveModel
    >>> model = LiveModel("scenarios/baseline.toml", customers=500)
    >>> todays_flows(model, None)["consumed"]
    0.0
    >>> model.step()
    >>> todays_flows(model, 0)["exposures"] > 0
    True
    """
    names = list(dict.fromkeys([*FLOW_MEANINGS, *model.flows]))
    zero = np.zeros(len(model.scenario.brands))
    pick = (lambda a: float(np.sum(a))) if brand is None else (lambda a: float(a[brand]))
    return {name: pick(np.asarray(model.flows.get(name, zero))) for name in names}


def _arrows(flows: dict[str, float]) -> list[_Arrow]:
    count = {name: f"{value:,.0f}" for name, value in flows.items()}
    pair = _BEND / 2
    return [
        _Arrow(
            "actions",
            "media",
            flows["marketing_cost"],
            f"{money(flows['marketing_cost'])}\nspent",
            money=True,
        ),
        _Arrow(
            "media",
            "consumption",
            flows["exposures"],
            f"{count['exposures']} exposures",
        ),
        _Arrow(
            "consumption",
            "experience",
            flows["consumed"],
            f"{count['consumed']} consumed\n+{count['aware_by_content']} aware",
        ),
        _Arrow(
            "experience",
            "shopping",
            flows["purchases"],
            f"{count['needs']} in need\n{count['purchases']} bought",
            shift=-pair,
            at=0.7,
        ),
        _Arrow("shopping", "experience", flows["purchases"], "using it", shift=pair, at=0.75),
        _Arrow(
            "shopping",
            "actions",
            flows["revenue"],
            f"{money(flows['revenue'])}\nrevenue",
            money=True,
        ),
        _Arrow(
            "experience",
            "dialogue",
            flows["wom_positive"],
            f"{count['wom_positive']} praise",
            POSITIVE,
            shift=-pair,
            at=0.25,
        ),
        _Arrow(
            "experience",
            "dialogue",
            flows["wom_negative"],
            f"{count['wom_negative']} complain",
            NEGATIVE,
            shift=pair,
            at=0.75,
        ),
        _Arrow("dialogue", "peers", flows["wom_heard"], f"{count['wom_heard']} heard"),
        _Arrow(
            "peers",
            "experience",
            flows["aware_by_wom"],
            f"+{count['aware_by_wom']} aware by\nword of mouth",
        ),
    ]


def ecosystem_figure(model: LiveModel, brand: int | None) -> Figure:
    """Draw the ecosystem with today's flows.

    The diagram is taller than wide, its text :data:`_FONT` points: in a column of the
    page it is as large as the page's text.

    Parameters
    ----------
    model : LiveModel
    brand : int or None
        The brand's column, or ``None`` for all brands together.

    Returns
    -------
    matplotlib.figure.Figure
        Titled with the day and whose flows it shows (:func:`whose`).
    """
    flows = todays_flows(model, brand)
    outcomes = model.outcomes
    suffix = (
        ""
        if brand is None or len(model.scenario.brands) == 1
        else f"__{model.scenario.brand_names[brand]}"
    )
    fig = Figure(figsize=FIGURE_SIZE)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set(xlim=(0, _WIDTH), ylim=(0, _HEIGHT))
    ax.set_axis_off()
    fig.suptitle(
        f"The engagement ecosystem today:\nday {model.steps}, {whose(model, brand)}",
        y=1 - _MARGIN / _HEIGHT,
        va="top",
        fontsize=_FONT,
        fontweight="bold",
        linespacing=1.2,
    )
    states = {
        "actions": _listed(_actions_today(model, brand), "nothing today", _BOXES["actions"][3]),
        "media": _listed(_media_today(model, brand), "silent today", _BOXES["media"][3]),
        "consumption": f"{percent(_engaged(outcomes, suffix))} engaged (4C)",
        "experience": (
            f"aware {percent(outcomes['aware_share' + suffix])}, "
            f"mean {_signed(outcomes['mean_experience' + suffix])}\n"
            f"4C: {flows['stage_ups']:,.0f} up, {flows['stage_downs']:,.0f} down"
        ),
        "dialogue": f"net sentiment\n{outcomes['net_sentiment' + suffix]:+.2f}",
        "shopping": f"{percent(outcomes['adopted_share' + suffix])} have bought",
        "peers": f"{model.network.mean_degree:.1f} friends each",
    }
    for key, state in states.items():
        _box(ax, key, state)
    arrows = _arrows(flows)
    largest = {
        kind: max([a.flow for a in arrows if a.money == kind] + [1.0]) for kind in (True, False)
    }
    for arrow in arrows:
        _arrow(ax, arrow, math.log1p(arrow.flow) / math.log1p(largest[arrow.money]))
    return fig


def whose(model: LiveModel, brand: int | None) -> str:
    """Say whose flows are shown: ``all brands``, or one brand's (``tokoku only``).

    Examples
    --------
    >>> from ecosim.ui.live_model import LiveModel
    >>> two = LiveModel("scenarios/two_brands.toml", customers=200)
    >>> whose(two, None), whose(two, 1)
    ('all brands', 'modaku only')
    """
    if brand is None:
        return "all brands"
    name = model.scenario.brand_names[brand]
    return f"{name} only" if len(model.scenario.brands) > 1 else name


def percent(share: float) -> str:
    """Write a share in whole percent, with a decimal below 10%, never 0% or 100% when it is not.

    Examples
    --------
    >>> [percent(x) for x in (0.0, 0.0004, 0.0018, 0.045, 0.86, 0.997, 1.0)]
    ['0%', '<0.1%', '0.2%', '4.5%', '86%', '>99%', '100%']
    """
    if 0 < share < 0.0005:
        return "<0.1%"
    if 0.995 <= share < 1:
        return ">99%"
    return f"{share:.1%}" if share < 0.0995 and share != 0 else f"{share:.0%}"


def _signed(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.2f}"


def _engaged(outcomes: dict[str, float], suffix: str) -> float:
    return sum(outcomes[f"stage_{stage}{suffix}"] for stage in STAGE_NAMES)


def _active(model: LiveModel, brand: int | None) -> list[Action]:
    """Return today's funded campaign actions of one brand, or of all brands."""
    agents = [b for b in model.brands if brand is None or b.index == brand]
    return [action for agent in agents for action in agent.active]


def _actions_today(model: LiveModel, brand: int | None) -> list[str]:
    return sorted({a.type.replace("_", " ") for a in _active(model, brand)})


def _media_today(model: LiveModel, brand: int | None) -> list[str]:
    actions = _active(model, brand)
    used = {getattr(a, "channel", None) or getattr(a, "influencer", None) for a in actions}
    return sorted(used - {None})


def _listed(names: list[str], none: str, lines: int) -> str:
    """Write names in at most ``lines`` lines of a box; those that do not fit are counted.

    Examples
    --------
    >>> print(_listed(["advertising", "sale", "social post", "influencer"], "nothing", 2))
    advertising,
    sale, +2 more
    >>> _listed([], "nothing today", 2)
    'nothing today'
    >>> print(_listed(["marketplace_search", "social"], "nothing", 2))  # shortened, not split
    marketplace_se…,
    social
    """
    if not names:
        return none
    names = [name if len(name) < _CHARACTERS else name[: _CHARACTERS - 2] + "…" for name in names]
    for shown in range(len(names), 0, -1):
        more = len(names) - shown
        text = ", ".join(names[:shown]) + (f", +{more} more" if more else "")
        wrapped = textwrap.wrap(text, _CHARACTERS, break_long_words=False)
        if len(wrapped) <= lines:
            break
    return "\n".join(wrapped[:lines])


def _box(ax: Axes, key: str, state: str) -> None:
    """Draw an element's box: its title at the top, today's state under it."""
    title, _column, _row, _lines = _BOXES[key]
    place = _PLACES[key]
    box = FancyBboxPatch(
        (place.x - place.width / 2, place.bottom),
        place.width,
        place.height,
        boxstyle="round,pad=0,rounding_size=8",
        facecolor="#f4f7fb",
        edgecolor="#6b8bb5",
        linewidth=1.2,
    )
    ax.add_patch(box)
    top = place.top - _PAD
    text = {"ha": "center", "va": "top", "fontsize": _FONT, "linespacing": 1.2}
    ax.text(place.x, top, title, fontweight="bold", **text)
    ax.text(place.x, top - (title.count("\n") + 1) * _LINE, state, **text)


def _arrow(ax: Axes, arrow: _Arrow, strength: float) -> None:
    """Draw an arrow between two boxes, its width by ``strength`` in [0, 1], and its label."""
    start, end = _PLACES[arrow.start], _PLACES[arrow.end]
    silent = arrow.flow <= 0
    ink = "#757575" if silent else "#111111" if arrow.colour == _GREY else arrow.colour
    if abs(start.y - end.y) < 1:  # one row: across, between the boxes' sides
        sign = 1 if end.x > start.x else -1
        tail = (start.x + sign * start.width / 2, start.y)
        head = (end.x - sign * end.width / 2, end.y)
        where, align = ((tail[0] + head[0]) / 2, start.y), "center"
    else:  # up or down the column of the narrower box, near its outer edge
        column = min(start, end, key=lambda place: place.width).x
        inward = 1 if column < _WIDTH / 2 else -1
        x = column - inward * _OUTER + arrow.shift
        down = start.y > end.y
        tail = (x, start.bottom if down else start.top)
        head = (x, end.top if down else end.bottom)
        where = (
            column - inward * (_OUTER - _BEND / 2 - 8),
            tail[1] + arrow.at * (head[1] - tail[1]),
        )
        align = "left" if inward > 0 else "right"
    ax.add_patch(
        FancyArrowPatch(
            tail,
            head,
            arrowstyle="-|>",
            mutation_scale=10 + 10 * strength,
            linewidth=0.6 + 5.0 * strength,
            color="#c8c8c8" if silent else arrow.colour,
            linestyle="--" if silent else "-",
            shrinkA=2,
            shrinkB=2,
            alpha=0.85,
        )
    )
    ax.text(
        *where,
        arrow.label,
        ha=align,
        va="center",
        fontsize=_FONT,
        linespacing=1.2,
        color=ink,
        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
    )


@solara.component
def EcosystemDiagram(model: LiveModel) -> None:
    """Show the ecosystem diagram with today's flows, for all brands or one."""
    update_counter.get()
    brands = model.scenario.brand_names
    choice, set_choice = solara.use_state("all brands")
    with solara.Column(gap="0px"):
        if len(brands) > 1:
            solara.ToggleButtonsSingle(choice, values=["all brands", *brands], on_value=set_choice)
        column = brands.index(choice) if choice in brands else None
        figure = ecosystem_figure(model, column)
        alt = f"the engagement ecosystem on day {model.steps}, {whose(model, column)}"
        Picture(data_url(figure, "png"), alt)


def flow_row(name: str, value: float) -> tuple[str, str]:
    """Return a flow's value and meaning as the table of today's flows shows them.

    Money is in thousands of rupiah; a flow without a meaning is shown by its name.

    Examples
    --------
    >>> flow_row("service_cost", 1234.4)
    ('Rp 1,234k', 'cost of answers, proactive notices, self-service and priority delivery')
    >>> flow_row("crisis_responses", 2.0), flow_row("new_flow", 3.0)
    (('2', 'responses to a service crisis'), ('3', 'new flow'))
    """
    shown = money(value) if is_money(name) else f"{value:,.0f}"
    return shown, FLOW_MEANINGS.get(name, name.replace("_", " "))


@solara.component
def TodayFlows(model: LiveModel) -> None:
    """List every flow of the day, with what it counts."""
    update_counter.get()
    flows = todays_flows(model, None)
    rows = "".join(
        f"<tr><td style='text-align:right; padding-right:12px; white-space:nowrap'>{shown}</td>"
        f"<td>{html.escape(meaning)}</td></tr>"
        for shown, meaning in (flow_row(name, value) for name, value in flows.items())
    )
    with solara.Column(gap="4px"):
        solara.Text(
            f"Today in the ecosystem (day {model.steps}, all brands)", style={"font-weight": "bold"}
        )
        solara.HTML(tag="table", unsafe_innerHTML=rows, style="font-size: 0.9em")
