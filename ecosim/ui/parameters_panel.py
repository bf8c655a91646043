"""The parameters card: one control per setting, its value and unit printed beside it.

The controls are those of :func:`ecosim.ui.controls.model_params`. Each holds its value in
the page (not in the model): a change applies on Reset, and the card lists the changes
waiting for it (the scenario card lists those Reset has applied, as running). A slider's
value is rounded to its step, so the keyboard moves it exactly one step per key press and
the value printed is the value the model gets. A number field keeps text that is no number
of its kind as typed: Reset does not use it, and the card says so (:func:`unread`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import solara

from ecosim.ui.controls import read_number, shown, within_rules

__all__ = [
    "FRIENDS_UNUSED",
    "ParameterInput",
    "ParametersPanel",
    "initial_values",
    "pending",
    "readable",
    "unread",
]

_NUMBER_FIELDS = {"InputInt": int, "InputFloat": float}
"""The kinds of control typed as text, and the number each holds."""
_RANGED = ("SliderFloat", "SliderInt", "InputFloat", "InputInt")
"""Controls whose range is printed under them (a number field's when it has one)."""
_NOTE = {"font-size": "0.8em", "color": "#555"}
FRIENDS_UNUSED = {
    "complete": "not used: a complete network links every customer with every other",
    "edge_list": "not used: the uploaded network gives each customer's friends",
}
"""Network kinds whose friends are not a number to choose, and what the page says instead."""


def initial_values(params: dict[str, Any]) -> dict[str, Any]:
    """Return each model keyword's value before any control is moved.

    Examples
    --------
    >>> initial_values({"scenario": "s", "days": {"type": "SliderInt", "value": 365}})
    {'scenario': 's', 'days': 365}
    """
    return {
        name: spec["value"] if isinstance(spec, dict) and "type" in spec else spec
        for name, spec in params.items()
    }


def unread(params: dict[str, Any], values: dict[str, Any]) -> dict[str, str]:
    """Say, per number field holding text that is no number of its kind, what Reset uses.

    A number field's value is the number typed, or the text as typed when it is no number
    of the field's kind (``"1.5"`` for the random seed). The scenario's value Reset uses
    instead is written as the field writes it, with its unit.

    Returns
    -------
    dict of str to str
        The message by model keyword.

    Examples
    --------
    >>> params = {"seed": {"type": "InputInt", "value": 7, "label": "random seed"}}
    >>> unread(params, {"seed": "1.5"}), unread(params, {"seed": 3})
    ({'seed': "random seed: expected a whole number (got '1.5'); Reset uses the scenario's 7"}, {})
    """
    found = {}
    for name, spec in params.items():
        kind = _NUMBER_FIELDS.get(spec.get("type")) if isinstance(spec, dict) else None
        if kind is None or not isinstance(values.get(name), str):
            continue
        try:
            read_number(values[name], kind)
        except ValueError as error:
            scenario = f"{spec['value']} {spec.get('unit', '')}".rstrip()
            found[name] = f"{spec['label']}: {error}; Reset uses the scenario's {scenario}"
    return found


def readable(params: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Return the values without the text of number fields that is no number (:func:`unread`).

    Examples
    --------
    >>> params = {"seed": {"type": "InputInt", "value": 7, "label": "random seed"}}
    >>> readable(params, {"seed": "abc", "days": 30})
    {'days': 30}
    """
    skipped = unread(params, values)
    return {name: value for name, value in values.items() if name not in skipped}


def pending(
    params: dict[str, Any],
    values: dict[str, Any],
    applied: dict[str, Any] | None = None,
    *,
    campaign: bool = True,
) -> list[str]:
    """List the controls whose value the model does not run yet, as ``label value``.

    A select that offers its values by name (``labels``) is listed by the value's name alone
    (``a small-world friendship network``).

    Parameters
    ----------
    params : dict
        Model parameters (:func:`ecosim.ui.controls.model_params`).
    values : dict
        The controls' current values, by model keyword.
    applied : dict, optional
        The values the last Reset applied, by model keyword (none: the scenario's).
    campaign : bool
        Whether to list the controls of single campaign actions (``campaign.*``), or
        only the others.

    Examples
    --------
    >>> params = {"days": {"type": "SliderInt", "value": 365, "label": "days", "unit": "days"}}
    >>> pending(params, {"days": 30}), pending(params, {"days": 30}, applied={"days": 30})
    (['days 30'], [])
    """
    running = {**initial_values(params), **(applied or {})}
    skipped = unread(params, values)
    return [
        _said(spec, values[name])
        for name, spec in params.items()
        if isinstance(spec, dict)
        and "type" in spec
        and values.get(name) != running[name]
        and name not in skipped
        and (campaign or not name.startswith("campaign."))
    ]


def _said(spec: dict[str, Any], value: Any) -> str:
    """Write a control's value as :func:`pending` lists it."""
    if "labels" in spec:
        return spec["labels"].get(value, value)
    return f"{spec['label']} {shown(value, _unit_unless(spec['label'], spec.get('unit', '')))}"


def _unit_unless(label: str, unit: str) -> str:
    """Return the unit, or none where the label already ends with it ("customers 300")."""
    return "" if unit and label.endswith(unit) else unit


def _rounded(value: float, step: float) -> float:
    """Round a slider's value to its step's decimals (0.30000000000000004 -> 0.3)."""
    return round(value, max(0, -math.floor(math.log10(step))) + 1)


def _typed(text: str, kind: type[int] | type[float]) -> int | float | str:
    """Return the number typed, or the text itself if it is no number of its kind."""
    try:
        return read_number(text, kind)
    except ValueError:
        return text


def _Select(spec: dict[str, Any], value: Any, on_value: Callable[[Any], None]) -> None:
    """Offer a select's values, by their names (``labels``) if it has them.

    A select with names also names its value as a scenario file writes it, at ``file_key``.
    """
    labels = spec.get("labels") or {v: v for v in spec["values"]}
    values = {labels[v]: v for v in spec["values"]}
    solara.Select(
        spec["label"],
        values=list(values),
        value=labels.get(value, value),
        on_value=lambda name: on_value(values[name]),
        dense=True,
        style={"margin-top": "10px"},  # its label rises above it, onto the note before
    )
    if "file_key" in spec:
        solara.Text(
            f'in a scenario file: {spec["file_key"]} = "{value}"',
            style={**_NOTE, "margin-top": "-6px"},
        )


@solara.component
def ParameterInput(spec: dict[str, Any], value: Any, on_value: Callable[[Any], None]) -> None:
    """Show one control (slider, number field, choice or switch) and its value with unit."""
    kind, label = spec["type"], spec["label"]
    with solara.Column(gap="0px", style={"margin-bottom": "4px"}):
        if kind == "SliderFloat":
            solara.SliderFloat(
                label,
                value=value,
                min=spec["min"],
                max=spec["max"],
                step=spec["step"],
                on_value=lambda x: on_value(_rounded(x, spec["step"])),
                thumb_label=False,
            )
        elif kind == "SliderInt":
            solara.SliderInt(
                label,
                value=value,
                min=spec["min"],
                max=spec["max"],
                step=spec["step"],
                on_value=on_value,
                thumb_label=False,
                disabled="unused" in spec,
            )
        elif kind in _NUMBER_FIELDS:
            solara.InputText(
                label,
                value=str(value),
                on_value=lambda text: on_value(_typed(text, _NUMBER_FIELDS[kind])),
                error=isinstance(value, str),
                dense=True,
            )
        elif kind == "Select":
            _Select(spec, value, on_value)
        else:
            solara.Checkbox(label=label, value=value, on_value=on_value)
        if "unused" in spec:
            solara.Text(spec["unused"], style={**_NOTE, "margin-top": "-6px"})
        elif kind in _RANGED and "min" in spec and not isinstance(value, str):
            low, high = spec["min"], spec["max"]
            rule = f": {spec['rule']}" if "rule" in spec else ""
            span = (
                f"from {low:,.10g} up" if math.isinf(high) else f"from {low:,.10g} to {high:,.10g}"
            )
            solara.Text(
                f"{shown(value, spec.get('unit', ''))} ({span}{rule})",
                style={**_NOTE, "margin-top": "-6px"},
            )


@solara.component
def ParametersPanel(
    params: dict[str, Any],
    values: dict[str, Any],
    on_change: Callable[[str, Any], None],
    applied: dict[str, Any] | None = None,
    plan_edited: bool = False,
    refused: bool = False,
) -> None:
    """Show every control of ``params``; ``on_change(keyword, value)`` hears each change.

    A slider's range keeps the schema's rules between settings at the other controls'
    current values (:func:`ecosim.ui.controls.within_rules`), and says so; a number
    field's text that is no number counts as the scenario's value, which Reset uses.

    Parameters
    ----------
    params : dict
        Model parameters (:func:`ecosim.ui.controls.model_params`).
    values : dict
        The controls' current values, by model keyword.
    on_change : callable
        Called with a model keyword and its new value when a control changes.
    applied : dict, optional
        The values the last Reset applied, by model keyword (none: the scenario's).
    plan_edited : bool
        Whether Reset runs a plan edited in the Campaign tab, which replaces the scenario's
        actions: the controls of single actions then do not apply, and the card says so
        rather than listing them as waiting for Reset.
    refused : bool
        Whether the last Reset refused these very values (the page says why, and runs the
        scenario as written): the card lists them as refused, not as waiting for Reset.
    """
    params = within_rules(params, readable(params, values))
    kind = values.get("network", params.get("network", {}).get("value"))
    if kind in FRIENDS_UNUSED and isinstance(params.get("friends"), dict):
        params = {**params, "friends": {**params["friends"], "unused": FRIENDS_UNUSED[kind]}}
    waiting = pending(params, values, applied, campaign=not plan_edited)
    unused = plan_edited and pending(params, values, applied) != waiting
    with solara.Card("Parameters (apply on Reset)"), solara.Column(gap="2px"):
        for message in unread(params, values).values():
            solara.Error(message, dense=True)
        if waiting:
            solara.Text(
                ("Refused at the last Reset, not used: " if refused else "Waiting for Reset: ")
                + "; ".join(waiting),
                style={"font-size": "0.85em", "color": "#8a4b00"},
            )
        if unused:
            solara.Text(
                "The campaign controls moved do not apply: Reset runs the plan edited in the "
                "Campaign tab, whose actions replace the scenario's (edit them there).",
                style={"font-size": "0.85em", "color": "#8a4b00"},
            )
        for name, spec in params.items():
            if isinstance(spec, dict) and "type" in spec:
                ParameterInput(
                    spec,
                    values.get(name, spec["value"]),
                    lambda x, name=name: on_change(name, x),
                ).key(name)
