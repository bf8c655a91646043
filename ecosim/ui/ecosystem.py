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

from ecosim.scenario import Action
from ecosim.ui.live_model import LiveModel
from ecosim.ui.refresh import update_counter
from ecosim.ui.style import NEGATIVE, POSITIVE, STAGE_NAMES, Picture, data_url

__all__ = [
    "FLOW_MEANINGS",
    "MONEY_FLOWS",
    "EcosystemDiagram",
    "TodayFlows",
    "ecosystem_figure",
    "flow_row",
    "todays_flows",
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
MONEY_FLOWS = {
    "marketing_cost",
    "revenue",
    "gross_margin",
    "profit",
    "service_cost",
    "programme_cost",
    "fee_revenue",
    "rewards_value",
}
"""Flows in money (thousands of rupiah)."""

_BOXES = {
    "actions": ("Brand actions", (1.4, 6.45)),
    "media": ("Other actors: media\nand influencers", (8.6, 6.45)),
    "shopping": ("Shopping behaviour", (1.4, 3.6)),
    "experience": ("Customer brand\nexperience", (5.0, 3.6)),
    "consumption": ("Brand consumption", (8.6, 3.6)),
    "dialogue": ("Dialogue behaviour", (5.0, 0.75)),
    "peers": ("Other actors:\nother customers", (8.6, 0.75)),
}
_BOX_SIZE = (2.2, 1.4)


@dataclass(frozen=True)
class _Arrow:
    """A flow between two boxes; money flows are scaled among themselves."""

    start: str
    end: str
    flow: float
    label: str
    colour: str = "#4d4d4d"
    bend: float = 0.0
    money: bool = False


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
    return [
        _Arrow(
            "actions",
            "media",
            flows["marketing_cost"],
            f"Rp {count['marketing_cost']}k spent",
            money=True,
        ),
        _Arrow("media", "consumption", flows["exposures"], f"{count['exposures']} exposures"),
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
            bend=0.35,
        ),
        _Arrow("shopping", "experience", flows["purchases"], "using it", bend=0.35),
        _Arrow(
            "shopping", "actions", flows["revenue"], f"Rp {count['revenue']}k revenue", money=True
        ),
        _Arrow(
            "experience",
            "dialogue",
            flows["wom_positive"],
            f"{count['wom_positive']} praise",
            POSITIVE,
            0.3,
        ),
        _Arrow(
            "experience",
            "dialogue",
            flows["wom_negative"],
            f"{count['wom_negative']} complain",
            NEGATIVE,
            -0.3,
        ),
        _Arrow("dialogue", "peers", flows["wom_heard"], f"{count['wom_heard']} heard"),
        _Arrow(
            "peers",
            "experience",
            flows["aware_by_wom"],
            f"+{count['aware_by_wom']} aware\nby word of mouth",
        ),
    ]


def ecosystem_figure(model: LiveModel, brand: int | None) -> Figure:
    """Draw the ecosystem with today's flows.

    Parameters
    ----------
    model : LiveModel
    brand : int or None
        The brand's column, or ``None`` for all brands together.

    Returns
    -------
    matplotlib.figure.Figure
    """
    flows = todays_flows(model, brand)
    outcomes = model.outcomes
    suffix = (
        ""
        if brand is None or len(model.scenario.brands) == 1
        else f"__{model.scenario.brand_names[brand]}"
    )
    fig = Figure(figsize=(6.4, 4.8))
    ax = fig.add_axes((0, 0, 1, 0.93))
    ax.set(xlim=(0.1, 9.9), ylim=(-0.05, 7.25))
    ax.set_axis_off()
    who = "all brands" if brand is None else model.scenario.brand_names[brand]
    fig.suptitle(f"The engagement ecosystem today: day {model.steps}, {who}", fontsize=11)
    states = {
        "actions": _actions_today(model, brand),
        "media": _media_today(model, brand),
        "consumption": f"{_engaged(outcomes, suffix):.0%} engaged (4C)",
        "experience": (
            f"aware {outcomes['aware_share' + suffix]:.0%}, "
            f"mean {_signed(outcomes['mean_experience' + suffix])}\n"
            f"4C: {flows['stage_ups']:,.0f} up, {flows['stage_downs']:,.0f} down"
        ),
        "dialogue": f"net sentiment {outcomes['net_sentiment' + suffix]:+.2f}",
        "shopping": f"{outcomes['adopted_share' + suffix]:.0%} have bought",
        "peers": f"{model.network.mean_degree:.1f} friends each",
    }
    boxes = {key: _box(ax, centre, title, states[key]) for key, (title, centre) in _BOXES.items()}
    arrows = _arrows(flows)
    largest = {
        kind: max([a.flow for a in arrows if a.money == kind] + [1.0]) for kind in (True, False)
    }
    for arrow in arrows:
        _arrow(ax, arrow, boxes, math.log1p(arrow.flow) / math.log1p(largest[arrow.money]))
    return fig


def _signed(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.2f}"


def _engaged(outcomes: dict[str, float], suffix: str) -> float:
    return sum(outcomes[f"stage_{stage}{suffix}"] for stage in STAGE_NAMES)


def _active(model: LiveModel, brand: int | None) -> list[Action]:
    """Return today's funded campaign actions of one brand, or of all brands."""
    agents = [b for b in model.brands if brand is None or b.index == brand]
    return [action for agent in agents for action in agent.active]


def _actions_today(model: LiveModel, brand: int | None) -> str:
    kinds = sorted({a.type.replace("_", " ") for a in _active(model, brand)})
    return ", ".join(kinds) if kinds else "nothing today"


def _media_today(model: LiveModel, brand: int | None) -> str:
    actions = _active(model, brand)
    used = {getattr(a, "channel", None) or getattr(a, "influencer", None) for a in actions}
    used = sorted(used - {None})
    return ", ".join(used) if used else "silent today"


def _box(ax: Axes, centre: tuple[float, float], title: str, state: str) -> FancyBboxPatch:
    width, height = _BOX_SIZE
    x, y = centre
    patch = FancyBboxPatch(
        (x - width / 2, y - height / 2),
        width,
        height,
        boxstyle="round,pad=0.02,rounding_size=0.15",
        facecolor="#f4f7fb",
        edgecolor="#6b8bb5",
        linewidth=1.2,
    )
    ax.add_patch(patch)
    ax.text(x, y + 0.3, title, ha="center", va="center", fontsize=8.5, fontweight="bold")
    lines = "\n".join(textwrap.fill(line, 28) for line in state.split("\n"))
    ax.text(x, y - 0.35, lines, ha="center", va="center", fontsize=7)
    return patch


def _arrow(ax: Axes, arrow: _Arrow, boxes: dict[str, FancyBboxPatch], strength: float) -> None:
    """Draw an arrow between two boxes, its width by ``strength`` in [0, 1], and its label."""
    start, end = np.array(_BOXES[arrow.start][1]), np.array(_BOXES[arrow.end][1])
    silent = arrow.flow <= 0
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            connectionstyle=f"arc3,rad={arrow.bend}",
            arrowstyle="-|>",
            mutation_scale=10 + 10 * strength,
            linewidth=0.6 + 5.0 * strength,
            color="#c8c8c8" if silent else arrow.colour,
            linestyle="--" if silent else "-",
            patchA=boxes[arrow.start],
            patchB=boxes[arrow.end],
            alpha=0.85,
        )
    )
    dx, dy = end - start
    middle = (start + end) / 2 + arrow.bend / 2 * np.array([dy, -dx])
    if not arrow.bend:  # beside a straight arrow, on its left
        middle += 0.3 * np.array([-dy, dx]) / np.hypot(dx, dy)
    ax.text(
        *middle,
        arrow.label,
        ha="center",
        va="center",
        fontsize=7,
        color="#999999" if silent else "#111111",
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
        figure = ecosystem_figure(model, column if len(brands) > 1 else 0)
        Picture(data_url(figure, "png"), f"the engagement ecosystem on day {model.steps}")


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
    shown = f"Rp {value:,.0f}k" if name in MONEY_FLOWS else f"{value:,.0f}"
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
