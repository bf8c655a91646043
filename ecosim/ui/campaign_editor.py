"""The Campaign tab: the scenario's campaign calendar as a table, to edit, apply and download.

A strategist adds, removes and edits actions (type, brand, channel or influencer, segment,
start, end, intensity, cost, and any other field of the action's type). Every change is
checked by the scenario schema itself (:func:`ecosim.scenario.validate_scenario`): a plan
the schema rejects is not taken, and its message shows in the page with the form kept as
typed. The plan taken applies on Reset; it downloads as a scenario TOML file; and the
Compare tab can run it against the scenario's own plan.
"""

from __future__ import annotations

import html
import tomllib
import typing
from collections.abc import Callable
from typing import Any

import reacton.ipyvuetify as rv
import solara
import tomli_w

from ecosim.errors import plain_number, without_input_warnings
from ecosim.scenario import Scenario, ScenarioError, validate_scenario
from ecosim.scenario.campaign import (
    ACTION_TYPES,
    PRICES,
    SHARED_FIELDS,
    Action,
    horizon_problem,
)
from ecosim.scenario.files import NumberTooLarge, loads_toml
from ecosim.ui.calendar import date_label
from ecosim.ui.controls import KNOBS, read_number
from ecosim.ui.live_model import LiveModel
from ecosim.ui.style import TABLE_BOX, KeepInView

__all__ = [
    "COLUMNS",
    "NUMBERS",
    "CampaignEditor",
    "action_row",
    "blank_action",
    "downloaded",
    "form_numbers",
    "retyped",
    "same_plan",
    "scenario_toml",
    "with_campaign",
]

COLUMNS = ("type", "brand", "channel", "segment", "start", "end", "intensity", "cost")
"""The fields every row of the table shows (channel: or influencer)."""
_FORM = ("type", "brand", "channel", "influencer", "segment", "start", "end", "intensity", "cost")
UNCHANGED = "Nothing changed: the action is as it was, and so is the plan."
"""Said when an action is saved as it was: the plan is not marked as edited."""
_CELL = "padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: left; white-space: nowrap"


def blank_action(scenario: Scenario) -> dict[str, Any]:
    """Return a new action to start from: a week of advertising by the first brand.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> blank_action(load_scenario("scenarios/baseline.toml"))["type"]
    'advertising'
    """
    channel = scenario.channels[0].name if scenario.channels else ""
    return {
        "type": "advertising",
        "brand": scenario.brands[0].name,
        "channel": channel,
        "segment": "all",
        "start": 1,
        "end": 7,
        "intensity": 0.5,
        "cost": 0.0,
    }


_FIELDS = {
    typing.get_args(kind.model_fields["type"].annotation)[0]: set(kind.model_fields)
    - (set(SHARED_FIELDS) - set(kind.reads))
    for kind in typing.get_args(typing.get_args(Action)[0])
}
"""Each action type's fields, but the shared fields it does not read (a promotion's intensity)."""


def _takes(action: dict[str, Any]) -> set[str]:
    """Return the fields the action reads (an ambassador's intensity, not a sample's)."""
    fields = _FIELDS.get(action["type"], set(SHARED_FIELDS))
    if action["type"] == "seeding" and action.get("kind", "sample") != "ambassador":
        return fields - {"intensity"}
    return fields


def retyped(
    draft: dict[str, Any], kind: str, extra: str, scenario: Scenario
) -> tuple[dict[str, Any], str]:
    """Return the form's action and its other fields (TOML) with another type.

    The fields the new type lacks are dropped (a promotion has no channel), and a channel or
    influencer it needs is the scenario's first, so that the form holds an action of the new
    type; its own fields with a default are added to the other fields, at their defaults.
    Other fields that are not TOML are kept as typed, for their message on saving.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> scenario = load_scenario("scenarios/baseline.toml")
    >>> action, extra = retyped(blank_action(scenario), "promotion", "", scenario)
    >>> "channel" in action, action["type"]
    (False, 'promotion')
    >>> action, extra = retyped(action, "advertising", "discount = 0.3", scenario)
    >>> action["channel"], extra
    ('social', '')
    >>> retyped(action, "double_points", extra, scenario)[1]  # its own field, to be seen
    'multiplier = 2.0'
    """
    fields = _takes({**draft, "type": kind})
    action = {k: v for k, v in draft.items() if k in fields}
    firsts = {"channel": scenario.channels, "influencer": scenario.influencers}
    for name, named in firsts.items():
        if name in fields and not action.get(name) and named:
            action[name] = named[0].name
    try:
        others = loads_toml(extra)
    except (tomllib.TOMLDecodeError, NumberTooLarge):
        return {**action, "type": kind}, extra
    kept = {k: v for k, v in others.items() if k in fields}
    if kind != draft["type"]:  # the new type's own fields, at their defaults, to be seen
        kept = {**_own_defaults(kind), **kept}
    return {**action, "type": kind}, tomli_w.dumps(kept).strip() if kept != others else extra


def _own_defaults(kind: str) -> dict[str, Any]:
    """Return the fields of an action type beyond the form's that have a default, at it.

    Examples
    --------
    >>> _own_defaults("double_points")
    {'multiplier': 2.0}
    """
    (model,) = [
        m
        for m in typing.get_args(typing.get_args(Action)[0])
        if m.model_fields["type"].annotation == typing.Literal[kind]
    ]
    return {
        name: field.default
        for name, field in model.model_fields.items()
        if name not in {*_FORM, *SHARED_FIELDS}
        and not field.is_required()
        and field.default is not None
    }


def with_campaign(
    scenario: Scenario, actions: list[dict[str, Any]], days: int | None = None
) -> Scenario:
    """Return the scenario with another campaign plan, validated by the scenario schema.

    Parameters
    ----------
    scenario : Scenario
    actions : list of dict
        The plan's actions, as a scenario file's ``[[campaign]]`` tables.
    days : int, optional
        The horizon the plan runs to (the page's days control). Longer than the scenario's,
        it is the plan's: an action may start up to its last day, and a download of the plan
        loads with it. Shorter, the scenario's days are kept: the actions after it are left
        out of the runs (the page says so), not refused.

    Raises
    ------
    ScenarioError
        If the schema rejects the plan, or an action starts after the plan's last day (as
        when a file is read); the message names each action's field (``campaign[2].end``)
        and what was expected.
    """
    data = scenario.model_dump(exclude_none=True)
    data["campaign"] = actions
    data["days"] = max(scenario.days, days or 0)
    return validate_scenario(data, source="the campaign plan", beyond_horizon="refuse")


def same_plan(a: list[Any], b: list[Any]) -> bool:
    """Whether two campaign plans are the same but for what the sidebar's controls set.

    The controls of single actions set an action's intensity, a sale's discount, a price
    change's price, a multiplier or a reward's points; a plan with only those changed is still
    the scenario's plan.
    """
    tuned = {"intensity", "discount", "price", "multiplier", "bonus_points"}
    return [x.model_dump(exclude=tuned) for x in a] == [x.model_dump(exclude=tuned) for x in b]


NUMBERS = {
    "start": ("start (day)", int),
    "end": ("end (day)", int),
    "intensity": ("intensity (0 to 1)", float),
    "cost": ("fixed cost (Rp thousand)", float),
}
"""The form's number fields: their labels and kinds. The form keeps what is typed, and
:func:`form_numbers` reads it when the action is saved."""


def form_numbers(draft: dict[str, Any]) -> dict[str, Any]:
    """Return the form's fields with the number fields read from what was typed.

    Another field left empty is left out (the schema's default, or its "required"
    message); a number field left empty is refused, rather than read as its default (a
    cleared intensity would be a full-strength action, a cleared cost a free one).

    Raises
    ------
    ValueError
        Naming the field, if its text is empty or no number of its kind (a whole number
        for days, a finite number otherwise).

    Examples
    --------
    >>> form_numbers({"type": "promotion", "start": " 12 ", "cost": "2.5", "segment": ""})
    {'type': 'promotion', 'start': 12, 'cost': 2.5}
    >>> form_numbers({"intensity": " "})
    Traceback (most recent call last):
    ...
    ValueError: intensity (0 to 1): empty (expected a finite number)
    >>> form_numbers({"start": "12.5"})
    Traceback (most recent call last):
    ...
    ValueError: start (day): expected a whole number (got '12.5')
    >>> form_numbers({"cost": "nan"})
    Traceback (most recent call last):
    ...
    ValueError: fixed cost (Rp thousand): expected a finite number (got 'nan')
    """
    fields = {}
    for name, value in draft.items():
        if name in NUMBERS and (value is None or isinstance(value, str)):
            label, kind = NUMBERS[name]
            try:
                value = read_number(value, kind)
            except ValueError as error:
                raise ValueError(f"{label}: {error}") from None
        elif value in ("", None):
            continue
        fields[name] = value
    return fields


def scenario_toml(scenario: Scenario, edge_list: str = "") -> str:
    """Write a scenario as TOML that loads back to the same scenario.

    Parameters
    ----------
    scenario : Scenario
    edge_list : str
        For a network uploaded to the page: the edge list's file name, written as the
        network's ``path`` (relative: the file goes beside the scenario) instead of the
        page's own copy, which lives only as long as the browser session.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> scenario = load_scenario("scenarios/baseline.toml")
    >>> validate_scenario(tomllib.loads(scenario_toml(scenario))) == scenario
    True
    """
    data = scenario.model_dump(mode="json", exclude_none=True)
    if edge_list:
        data["network"]["path"] = edge_list
    return tomli_w.dumps(data)


def downloaded(running: Scenario, plan: Scenario) -> tuple[Scenario, str]:
    """Return the scenario to download: the one the model runs, with the plan edited here.

    The model runs the scenario with the settings applied on Reset (customers, days, prices):
    the download holds them, and the edited plan. Where the plan does not fit them (an
    action after the horizon it runs, more seeds than its customers), or the model runs
    another scenario, the download is the plan's scenario as written, and the page says so
    and why.

    Parameters
    ----------
    running : Scenario
        The scenario the model runs.
    plan : Scenario
        The scenario with the edited plan.

    Returns
    -------
    scenario : Scenario
    note : str
        What the download holds, for the page.
    """
    if running.name != plan.name:
        return plan, "The download holds the scenario as written, with this plan."
    data = running.model_dump(exclude_none=True)
    data["campaign"] = [action.model_dump(exclude_none=True) for action in plan.campaign]
    try:
        with without_input_warnings():
            scenario = validate_scenario(data, beyond_horizon="refuse")
    except ScenarioError as error:
        why = error.problems[0][1] if error.problems else str(error)
        return plan, (
            f"This plan does not fit the settings the model runs with ({why}): the download "
            "holds the scenario as written, with this plan."
        )
    return scenario, "The download holds the settings the model runs with, and this plan."


def action_row(action: dict[str, Any]) -> list[str]:
    """Return a table row for an action: its fields in :data:`COLUMNS` order, readable.

    Examples
    --------
    >>> action_row({"type": "promotion", "brand": "tokoku", "segment": "all", "start": 315,
    ...             "end": 315, "intensity": 1.0, "cost": 2000.0, "discount": 0.3})[4:]
    ['day 315 (11.11)', 'day 315 (11.11)', 'discount 0.3', 'Rp 2,000k']
    """
    where = action.get("channel") or action.get("influencer") or ""
    takes = _takes(action)
    return [
        str(action["type"]).replace("_", " "),
        str(action["brand"]),
        str(where),
        str(action.get("segment", "all")) if "segment" in takes else "–",
        f"day {action['start']} ({date_label(action['start'])})",
        f"day {action['end']} ({date_label(action['end'])})",
        _strength(action, takes),
        f"Rp {action.get('cost', 0.0):,.0f}k",
    ]


def _strength(action: dict[str, Any], takes: set[str]) -> str:
    """Write how strong an action is: its intensity, or the field its type has instead.

    Examples
    --------
    >>> _strength({"type": "promotion", "discount": 0.3}, set())
    'discount 0.3'
    >>> _strength({"type": "advertising", "intensity": 0.5}, {"intensity"})
    '0.5'
    """
    if "intensity" in takes:
        return f"{action.get('intensity', 1.0):g}"
    knob = KNOBS.get(action["type"])
    if knob is None or action.get(knob) is None:
        return "–"
    return f"{knob.replace('_', ' ')} {action[knob]:g}"


def running_costs(action: dict[str, Any], scenario: Scenario) -> str:
    """Say what an action costs as it runs, beyond its fixed cost, in Rp thousand.

    The channel's price of an exposure (advertising, posts), the influencer's fee for each
    day of the activation, and the action's own prices (``cost_per_contact``,
    ``reward_cost``, ``running_cost``).

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> scenario = load_scenario("scenarios/baseline.toml")
    >>> running_costs({"type": "influencer", "influencer": "rina_style"}, scenario)
    'fee Rp 3,000k a day'
    >>> running_costs({"type": "winback", "cost_per_contact": 0.2}, scenario)
    'Rp 0.2k a contact'
    >>> running_costs({"type": "seeding", "cost_per_seed": 1_500_000.5}, scenario)
    'Rp 1,500,000.5k a seed'
    """
    costs = [("", value, _PRICED[name]) for name, value in action.items() if name in _PRICED]
    if action["type"] in ("advertising", "social_post"):
        channel = next(c for c in scenario.channels if c.name == action["channel"])
        costs.insert(0, ("", channel.cost_per_exposure, "an exposure"))
    if action["type"] == "influencer":
        influencer = next(i for i in scenario.influencers if i.name == action["influencer"])
        costs.insert(0, ("fee ", influencer.fee, "a day"))
    said = [f"{what}Rp {plain_number(value)}k {unit}" for what, value, unit in costs if value]
    return ", ".join(said) or "–"


_PRICED = {**PRICES, "running_cost": "a day (engine)"}
"""An action's own prices, and what each pays for (an engine's running cost, outside the
budget, too)."""


def _table(actions: list[dict[str, Any]], scenario: Scenario) -> str:
    header = ("#", *COLUMNS[:6], "strength", "fixed cost", "costs as it runs")
    header = (*header[:3], "channel or influencer", *header[4:])
    rows = ["".join(f"<th style='{_CELL}'>{html.escape(h)}</th>" for h in header)]
    for number, action in enumerate(actions):
        cells = [str(number), *action_row(action), running_costs(action, scenario)]
        rows.append("".join(f"<td style='{_CELL}'>{html.escape(c)}</td>" for c in cells))
    return "".join(f"<tr>{row}</tr>" for row in rows)


def _others(action: dict[str, Any]) -> str:
    """Return the action's fields beyond the form's as TOML (``discount = 0.3``)."""
    unread = set(SHARED_FIELDS) - _takes(action)  # a promotion's cultural relevance
    rest = {k: v for k, v in action.items() if k not in {*_FORM, *unread} and v is not None}
    return tomli_w.dumps(rest).strip()


@solara.component
def CampaignEditor(
    scenario: Scenario,
    plan: Scenario | None,
    on_plan: Callable[[Scenario | None], None],
    running: LiveModel,
    edge_list: str = "",
    days: int | None = None,
) -> None:
    """Show the campaign calendar and the form that edits it.

    Parameters
    ----------
    scenario : Scenario
        The scenario picked (its plan is the starting point).
    plan : Scenario or None
        The scenario with the edited plan, once one was taken.
    on_plan : callable
        Called with the scenario with the edited plan (``None``: back to the scenario's).
    running : LiveModel
        The model running, to say whether it uses the edited plan.
    edge_list : str
        The file name of a network uploaded to the page ("" for the scenario's own): the
        download names it, to be kept beside the scenario (:func:`scenario_toml`).
    days : int, optional
        The horizon Reset runs the plan to (the days control); the scenario's by default.
        An action is checked against it, and an action it cuts short is said so.
    """
    current = plan or scenario
    actions = [a.model_dump(exclude_none=True) for a in current.campaign]
    row, set_row = solara.use_state(0 if actions else -1)
    chosen = row if 0 <= row < len(actions) else -1
    draft, set_draft = solara.use_state(actions[chosen] if chosen >= 0 else blank_action(scenario))
    extra, set_extra = solara.use_state(_others(draft))
    message, set_message = solara.use_state("")
    answers, set_answers = solara.use_state(0)  # how many times a button was answered
    horizon = current.days if days is None else days

    def choose(number: int) -> None:
        set_row(number)
        action = actions[number] if 0 <= number < len(actions) else blank_action(scenario)
        set_draft(action)
        set_extra(_others(action))
        set_message("")

    def answer(text: str) -> None:
        set_message(text)
        set_answers(lambda count: count + 1)

    def take(new: list[dict[str, Any]], done: str) -> bool:
        try:
            edited = with_campaign(scenario, new, horizon)
        except ScenarioError as error:
            answer(str(error))
            return False
        if edited.campaign == current.campaign:
            answer(UNCHANGED)
            return False
        on_plan(edited)
        answer(done)
        return True

    def back() -> None:
        on_plan(None)
        set_message("")

    def filled() -> dict[str, Any] | None:
        try:
            others = loads_toml(extra)
        except tomllib.TOMLDecodeError as error:
            answer(f"other fields: not TOML ({error}); expected e.g. discount = 0.3")
            return None
        except NumberTooLarge as error:
            answer(f"other fields: {error}")
            return None
        try:
            fields = form_numbers({k: v for k, v in draft.items() if k in _FORM})
        except ValueError as error:
            answer(str(error))
            return None
        return {**fields, **others}

    def save() -> None:
        action = filled()
        if action is not None and 0 <= chosen < len(actions):
            take([*actions[:chosen], action, *actions[chosen + 1 :]], f"Action {chosen} saved.")

    def add() -> None:
        action = filled()
        if action is not None and take([*actions, action], f"Action {len(actions)} added."):
            set_row(len(actions))

    def remove() -> None:
        if 0 <= chosen < len(actions):
            take(actions[:chosen] + actions[chosen + 1 :], f"Action {chosen} removed.")
            set_row(-1)

    def field(name: str, value: Any) -> None:
        set_draft({**draft, name: value})

    def retype(kind: str) -> None:
        action, others = retyped(draft, kind, extra, scenario)
        set_draft(action)
        set_extra(others)

    choices = {  # the first is the default
        "brand": scenario.brand_names,
        "channel": ["", *(c.name for c in scenario.channels)],
        "influencer": ["", *(i.name for i in scenario.influencers)],
        "segment": ["all", *(s.name for s in scenario.population.segments)],
    }
    download, held = solara.use_memo(
        lambda: downloaded(running.scenario, current), [running, current]
    )
    uses = (  # the sidebar's controls tune the scenario's plan, not an edited one
        running.scenario.campaign == current.campaign
        if plan
        else same_plan(running.scenario.campaign, current.campaign)
    )
    with solara.Column(gap="10px", style={"max-width": "1200px"}):
        solara.Text("Campaign calendar", style={"font-weight": "bold", "font-size": "1.1em"})
        solara.Text(
            ("Your edited plan" if plan else "The scenario's plan")
            + f": {len(actions)} actions. Money in thousands of rupiah; day 1 is 1 January. "
            + (
                "The model running uses this plan."
                if uses
                else "Press Reset (sidebar) to run this plan."
            ),
            style={"font-size": "0.9em"},
        )
        with solara.Div(style=TABLE_BOX):
            solara.HTML(
                tag="table",
                unsafe_innerHTML=_table(actions, scenario),
                style="font-size: 0.85em; border-collapse: collapse",
            )
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Select(
                "action to edit",
                values=[*range(len(actions)), -1],
                value=chosen,
                on_value=choose,
                dense=True,
                style={"max-width": "180px"},
            )
            solara.Text("(-1: a new action)", style={"font-size": "0.8em"})
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            rv.Select(  # named as the table names them ("social post")
                label="type",
                items=[{"text": kind.replace("_", " "), "value": kind} for kind in ACTION_TYPES],
                v_model=draft["type"],
                on_v_model=retype,
                dense=True,
            )
            takes = _takes(draft)
            for name, values in choices.items():
                if name in takes:
                    solara.Select(
                        name,
                        values=values,
                        value=draft.get(name, values[0]),
                        on_value=lambda x, name=name: field(name, x),
                        dense=True,
                    )
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            defaults = {"start": 1, "end": 1, "intensity": 1.0, "cost": 0.0}
            for name, (label, _) in NUMBERS.items():
                if name not in takes:
                    continue
                solara.InputText(
                    label,
                    value=str(draft.get(name, defaults[name])),
                    on_value=lambda x, name=name: field(name, x),
                    dense=True,
                ).key(f"{name}-{chosen}")
        solara.Text(  # above the box: its own label is hidden once it holds text
            "Other fields of this type (TOML, e.g. discount = 0.3):",
            style={"font-size": "0.8em", "color": "#555"},
        )
        solara.InputTextArea("", value=extra, on_value=set_extra, rows=2)
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            solara.Button("Save action", on_click=save, disabled=chosen < 0, color="primary")
            solara.Button("Add as new action", on_click=add, color="primary")
            solara.Button("Remove action", on_click=remove, disabled=chosen < 0)
            solara.Button("Back to the scenario's plan", on_click=back, disabled=not plan)
            solara.FileDownload(
                lambda: scenario_toml(download, edge_list),
                filename=f"{current.name}-plan.toml",
                label="Download scenario (TOML)",
                mime_type="application/toml",
            )
        solara.Text(held, style={"font-size": "0.8em", "color": "#555"})
        if edge_list:
            solara.Text(
                f"The downloaded scenario's network is the uploaded {edge_list}: keep that "
                "file beside it.",
                style={"font-size": "0.8em", "color": "#555"},
            )
        cut = [  # an action the horizon cuts short (one after it is refused): said here too
            f"campaign[{i}].{'start' if found[0] == 'beyond' else 'end'}: {found[1]}"
            for i, action in enumerate(current.campaign)
            if (found := horizon_problem(action, horizon))
        ]
        if message.endswith((" saved.", " added.", " removed.")):
            if not uses:  # once it runs, the heading says so
                solara.Success(message + " It applies on Reset.", dense=True)
            if cut and plan:
                solara.Warning("\n".join(cut), dense=True, style_="white-space: pre-wrap")
        elif message == UNCHANGED:
            solara.Info(message, dense=True)
        elif message:
            solara.Error(message, style_="white-space: pre-wrap")
        if message:
            KeepInView.element(token=answers)
