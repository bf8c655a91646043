"""Reading scenarios: TOML files, overrides by dotted path, and clear errors.

A scenario is data: a TOML file read with :mod:`tomllib`, validated with pydantic and
never evaluated. Every problem is reported with the file, the dotted path of the field
and what was expected, as a :class:`ScenarioError`.

Paths in a scenario file (``extends`` and ``network.path``) are relative to the file
that names them and must lie inside its folder (or a folder below it): a scenario
someone sends cannot make ecosim read files elsewhere on the disk. Passing
``allow_outside_paths=True`` (``--allow-outside-paths`` on the command line, or the
environment variable :data:`OUTSIDE_PATHS_VARIABLE` set to ``1``) lifts the rule.
Paths given as overrides (``--set``) are the user's own and are taken as given.
"""

from __future__ import annotations

import copy
import os
import re
import tomllib
import warnings
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import ValidationError

from ecosim.errors import LINK_LOOP, InputError, InputWarning, as_path, plain_number
from ecosim.scenario.campaign import PRICES, Action, horizon_problem
from ecosim.scenario.fields import NAME_PATTERN, expected, field_path_problem
from ecosim.scenario.files import NumberTooLarge, loads_toml, read_toml_file
from ecosim.scenario.schema import Scenario

__all__ = [
    "OUTSIDE_PATHS_VARIABLE",
    "ScenarioError",
    "apply_overrides",
    "beyond_horizon_problems",
    "blame_overrides",
    "check_overrides",
    "field_path",
    "field_value",
    "inside",
    "load_scenario",
    "other_kind",
    "overlapping",
    "parse_assignment",
    "read_toml",
    "referenced_file",
    "scenario_notices",
    "validate_scenario",
    "validation_problems",
]

OUTSIDE_PATHS_VARIABLE = "ECOSIM_ALLOW_OUTSIDE_PATHS"
"""Environment variable that, set to ``1``, lets scenario files name files outside
their folder (what ``--allow-outside-paths`` sets for a command and its subprocesses)."""


class ScenarioError(InputError):
    """A scenario that cannot be used, with every problem named by its field path.

    Parameters
    ----------
    source : str
        Where the scenario came from (a file name, ``--set`` or ``<dict>``).
    problems : list of (str, str)
        Pairs of field path (``campaign[2].channel``) and what was wrong.
    """


def load_scenario(
    path: str | Path,
    overrides: dict[str, Any] | None = None,
    *,
    allow_outside_paths: bool | None = None,
    overrides_from: str | None = None,
) -> Scenario:
    """Read, override and validate a scenario TOML file.

    A file may start from another scenario with ``extends = "other.toml"`` (a path
    relative to the file): its tables are merged into the other's, field by field,
    except a table that names another kind than the other's (``kind``, ``type`` or
    ``dist``, as ``[network] kind = "watts_strogatz"``), which replaces it; in every list
    of named tables (``brands``, ``channels``, ``influencers``, segments, a brand's
    ``service.incidents`` and ``loyalty.tiers.levels``) an item merges into the other's
    item of the same name or is added, and none is removed; other lists (such as
    ``campaign``) replace the other's.

    A campaign action that starts after the file's horizon (``days``) is an error; one
    that is cut short by it gives an :class:`~ecosim.errors.InputWarning`. When
    ``overrides`` shorten the horizon, actions beyond it give a warning instead.

    Parameters
    ----------
    path : str or Path
        The TOML file.
    overrides : dict, optional
        Field values by dotted path, applied before validation, e.g.
        ``{"days": 90, "brands.0.price": 30, "campaign.1.intensity": 0.5}``. A list of
        named items may also be indexed by name: ``"brands.tokoku.price"``.
    allow_outside_paths : bool, optional
        Let ``extends`` and ``network.path`` name files outside the folder of the file
        that names them. By default, only if the environment variable
        :data:`OUTSIDE_PATHS_VARIABLE` is ``1``.
    overrides_from : str, optional
        Where ``overrides`` came from (``"the command line"``): a problem in a field they
        set is then named as theirs, not the file's (see :func:`blame_overrides`).

    Returns
    -------
    Scenario
        The validated scenario; a relative edge-list path is resolved against the
        folder of the file that names it.

    Raises
    ------
    ScenarioError
        If the file is missing, is not valid TOML, names a file outside its folder, or
        any field is invalid; the message names the file, the field path and what was
        expected (for a file named by ``extends``, the file and field that named it too).
    """
    path = as_path(path, "path")
    if allow_outside_paths is None:
        allow_outside_paths = os.environ.get(OUTSIDE_PATHS_VARIABLE) == "1"
    elif not isinstance(allow_outside_paths, bool):  # "no" would allow them
        raise InputError(
            f"allow_outside_paths: expected True or False (got {allow_outside_paths!r:.60})"
        )
    overrides = {} if overrides is None else overrides
    check_overrides(overrides)
    extended: list[Path] = []
    in_file = read_toml(path, allow_outside_paths=allow_outside_paths, extended=extended)
    data = apply_overrides(in_file, overrides, source=str(path))
    source = str(path)
    if extended:  # a field may come from any of the files
        shown = str if path.is_absolute() else os.path.relpath  # as the scenario was named
        names = ", ".join(shown(file) for file in extended)
        source += f" (with {names}, which it extends)"
    try:
        return validate_scenario(
            data, source=source, beyond_horizon="warn" if "days" in overrides else "refuse"
        )
    except ScenarioError as error:
        if overrides_from is None:
            raise
        problems = blame_overrides(error.problems, in_file, overrides, overrides_from)
        raise ScenarioError(error.source, problems) from None


def read_toml(
    path: Path,
    _seen: tuple[Path, ...] = (),
    *,
    allow_outside_paths: bool = False,
    extended: list[Path] | None = None,
    named: Path | None = None,
) -> dict[str, Any]:
    """Read a scenario file as a dictionary, following ``extends`` (see :func:`load_scenario`).

    ``extended``, if given, receives the files followed, nearest first. Errors name the file
    ``named`` (``path`` by default): a file extended is named through the one that extends
    it, relative when the scenario was named relative to the working folder.
    """
    try:
        data = read_toml_file(path, ScenarioError, kind="scenario")
    except ScenarioError as error:
        raise ScenarioError(str(named or path), error.problems) from None
    return _follow(path, named or path, data, _seen, allow_outside_paths, extended)


def _follow(
    path: Path,
    named: Path,
    data: dict[str, Any],
    seen: tuple[Path, ...],
    allow_outside_paths: bool,
    extended: list[Path] | None,
) -> dict[str, Any]:
    """Resolve a scenario file's ``network.path`` and merge it over the file it extends."""
    network = data.get("network")
    if isinstance(network, dict) and isinstance(network.get("path"), str):
        network["path"] = str(
            referenced_file(path, "network.path", network["path"], allow_outside_paths, named)
        )
    base = data.pop("extends", None)
    if base is None:
        return data
    if not isinstance(base, str):
        raise ScenarioError(str(named), [("extends", f"expected a file name, got {_short(base)}")])
    parent = referenced_file(path, "extends", base, allow_outside_paths, named)
    if parent in seen or parent == path.resolve():
        raise ScenarioError(str(named), [("extends", f"{base!r} extends itself in a cycle")])
    if extended is not None:
        extended.append(parent)
    try:
        inherited = read_toml(
            parent,
            (*seen, path.resolve()),
            allow_outside_paths=allow_outside_paths,
            extended=extended,
            named=named.parent / base,
        )
    except ScenarioError as error:
        raise ScenarioError(str(named), error.under("extends")) from None
    return _merge(inherited, data)


def referenced_file(
    path: Path, field: str, name: str, allow_outside: bool, named: Path | None = None
) -> Path:
    """Resolve a file named in ``path``'s ``field``; refuse it outside ``path``'s folder.

    Errors name the file ``named`` (``path`` by default).
    """
    folder = path.parent.resolve()
    try:
        target = (folder / name).resolve()
    except RuntimeError:  # Python before 3.13 on a loop of symbolic links
        raise ScenarioError(
            str(named or path), [(field, f"{name!r} {LINK_LOOP}; expected a file")]
        ) from None
    except (OSError, ValueError) as error:  # a NUL byte
        raise ScenarioError(
            str(named or path), [(field, f"{name!r} cannot be a file name here ({error})")]
        ) from None
    if not allow_outside and not target.is_relative_to(folder):
        raise ScenarioError(
            str(named or path),
            [
                (
                    field,
                    f"{name!r} is outside the scenario's folder {folder} (expected a file "
                    "in it or below it; pass --allow-outside-paths, or "
                    "allow_outside_paths=True, to allow it)",
                )
            ],
        )
    return target


_TAGS = ("dist", "kind", "type")
"""Fields that say which kind of table a table is (a network's ``kind``, a rule's ``type``)."""


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if (
            isinstance(value, dict)
            and isinstance(merged.get(key), dict)
            and not other_kind(merged[key], value)
        ):
            merged[key] = _merge(merged[key], value)
        elif _named_tables(value) and _named_tables(merged.get(key)):
            merged[key] = _merge_named(merged[key], value)
        else:
            merged[key] = value
    return merged


def _merge_named(base: list[dict[str, Any]], changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge two lists of named tables by name; a name repeated in either list stays repeated.

    Merging by name would silently fold two tables of one name into one; kept apart, they
    reach validation, which refuses the repeated name.
    """
    in_base = Counter(item["name"] for item in base)
    position = {item["name"]: i for i, item in enumerate(base) if in_base[item["name"]] == 1}
    repeated = {name for name, n in Counter(item["name"] for item in changes).items() if n > 1}
    merged = list(base)
    for item in changes:
        if item["name"] in position and item["name"] not in repeated:
            merged[position[item["name"]]] = _merge(base[position[item["name"]]], item)
        else:
            merged.append(item)
    return merged


def _dropped(before: Any, value: Any, dotted: str) -> str | None:
    """Say which fields setting table ``dotted`` whole to ``value`` drops, if any."""
    if not (isinstance(before, dict) and isinstance(value, dict) and value):
        return None  # an empty table clears it on purpose
    if any(tag in value for tag in _TAGS):
        return None  # a table given with its kind (network.kind) is given whole on purpose
    lost = [key for key in before if key not in value and not _tables(before[key])]
    if not lost:  # a part dropped (a loyalty programme's points for tiers) is a choice
        return None
    shown = ", ".join(f"{key} = {_short(before[key])}" for key in lost[:3])
    more = f" and {len(lost) - 3} more" if len(lost) > 3 else ""
    field, given = next(iter(value.items()), ("FIELD", "VALUE"))
    return (
        f"sets the table whole, without the {shown}{more} it holds now (they "
        f"would fall back to their defaults); to change fields inside it, give each by its "
        f'path in quotes ("{dotted}.{field}" = {_short(given)}: unquoted, TOML reads '
        f"{dotted}.{field} as the whole table {dotted}), or give the table's other fields too"
    )


def other_kind(base: dict[str, Any], changes: dict[str, Any]) -> bool:
    """Whether table ``changes`` names another kind (``kind``, ``type``, ``dist``) than ``base``.

    Examples
    --------
    >>> other_kind({"kind": "barabasi_albert", "m": 4}, {"kind": "watts_strogatz"})
    True
    >>> other_kind({"kind": "barabasi_albert", "m": 4}, {"m": 5})
    False
    """
    return any(tag in changes and changes[tag] != base.get(tag) for tag in _TAGS)


def _tables(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
    )


def _named_tables(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and isinstance(item.get("name"), str) for item in value)
    )


def validate_scenario(
    data: dict[str, Any],
    source: str = "<dict>",
    *,
    beyond_horizon: Literal["refuse", "warn"] = "warn",
) -> Scenario:
    """Validate a scenario given as a dictionary (as read from TOML).

    Parameters
    ----------
    data : dict
        The scenario's fields.
    source : str
        Named in error messages.
    beyond_horizon : {"warn", "refuse"}
        What a campaign action that starts after the horizon (``days``) is: an error
        (``"refuse"``, for a file's own horizon) or an
        :class:`~ecosim.errors.InputWarning` (``"warn"``, for a horizon shortened on
        purpose). An action cut short by the horizon always gives a warning.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        With one line per problem: field path and what was expected.
    """
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(source, validation_problems(error, data)) from None
    for message in (*_empty_segments(scenario), *_over_budget(scenario)):
        warnings.warn(f"{source}: {message}", InputWarning, stacklevel=2)
    beyond, cut = beyond_horizon_problems(scenario)
    if beyond and beyond_horizon == "refuse":
        raise ScenarioError(source, beyond)
    if beyond_horizon == "refuse":
        for where, message in cut:
            warnings.warn(f"{source}: {where}: {message}", InputWarning, stacklevel=2)
    elif beyond or cut:
        warnings.warn(f"{source}: {_horizon(scenario, beyond, cut)}", InputWarning, stacklevel=2)
    return scenario


def scenario_notices(scenario: Scenario) -> list[str]:
    """Return what reading the scenario warns of, for a page to show.

    Segments with no customer, actions whose fixed cost is more than their brand's whole
    budget (they never run), and actions the horizon leaves out or cuts short.

    Examples
    --------
    >>> scenario = load_scenario("scenarios/baseline.toml")
    >>> scenario_notices(scenario)
    []
    >>> print(*scenario_notices(scenario.model_copy(update={"days": 360})))
    ... # doctest: +NORMALIZE_WHITESPACE
    days: the horizon of 360 days cuts short 3 campaign actions (campaign[1], campaign[2],
    campaign[3])
    """
    found = [*_empty_segments(scenario), *_over_budget(scenario)]
    beyond, cut = beyond_horizon_problems(scenario)
    return [*found, _horizon(scenario, beyond, cut)] if beyond or cut else found


def _pays(action: Action, scenario: Scenario) -> bool:
    """Whether an action costs its brand's budget anything.

    A fixed cost, a channel's price of an exposure, an influencer's fee, its own prices
    (:data:`~ecosim.scenario.campaign.PRICES`) or a reward's points.
    """
    exposure = {channel.name: channel.cost_per_exposure for channel in scenario.channels}
    fee = {influencer.name: influencer.fee for influencer in scenario.influencers}
    return (
        action.cost > 0
        or exposure.get(getattr(action, "channel", None), 0) > 0
        or (action.type == "influencer" and fee.get(action.influencer, 0) > 0)
        or any(getattr(action, name, 0) > 0 for name in PRICES)
        or action.type == "personalised_reward"
    )


def _over_budget(scenario: Scenario) -> list[str]:
    """Name what never runs for want of budget.

    A brand with actions and a budget of 0 (none of its paid actions runs), and the other
    brands' actions whose fixed cost is more than their brand's whole budget.
    """
    budgets = {brand.name: brand.budget for brand in scenario.brands}
    acting = {action.brand for action in scenario.campaign if _pays(action, scenario)}
    broke = [i for i, brand in enumerate(scenario.brands) if brand.budget == 0]
    unpaid = {scenario.brands[i].name for i in broke}
    return [
        *(
            f"brands[{i}].budget: {name}'s budget is 0, so none of its actions that cost "
            "money runs (paid media, influencer fees, rewards, messages and fixed costs are "
            "paid from it)"
            for i in broke
            if (name := scenario.brands[i].name) in acting
        ),
        *(
            f"campaign[{i}].cost: {plain_number(action.cost)} is more than brand {action.brand}'s "
            f"whole budget ({plain_number(budgets[action.brand])}): the action never runs"
            for i, action in enumerate(scenario.campaign)
            if action.cost > budgets[action.brand] and action.brand not in unpaid
        ),
    ]


def _horizon(scenario: Scenario, beyond: list[tuple[str, str]], cut: list[tuple[str, str]]) -> str:
    """Say which actions the horizon leaves out (``beyond``) or cuts short (``cut``)."""
    left_out = f"leaves out {_listed(beyond)}" if beyond else ""
    cut_short = f"cuts short {_listed(cut)}" if cut else ""
    joined = " and ".join(part for part in (left_out, cut_short) if part)
    days = "1 day" if scenario.days == 1 else f"{scenario.days} days"
    return f"days: the horizon of {days} {joined}"


def _empty_segments(scenario: Scenario) -> list[str]:
    """Name the segments whose share of the population is less than one customer."""
    segments, size = scenario.population.segments, scenario.population.size
    empty = [i for i, count in enumerate(scenario.population.sizes()) if count == 0]
    if len(empty) == 1:
        segment = segments[empty[0]]
        return [
            f"population.segments[{empty[0]}].share: a share of {segment.share:g} of "
            f"{size:,} customers gives segment {segment.name!r} no customer (actions aimed "
            "at it reach no one)"
        ]
    if empty:
        names = ", ".join(repr(segments[i].name) for i in empty[:5])
        return [
            f"population.segments: the shares of {len(empty):,} segments ({names}"
            f"{', ...' if len(empty) > 5 else ''}) give them no customer of {size:,} "
            "(actions aimed at them reach no one)"
        ]
    return []


def _listed(problems: list[tuple[str, str]]) -> str:
    actions = [where.rpartition(".")[0] for where, _ in problems]
    noun = "action" if len(actions) == 1 else "actions"
    return f"{len(actions)} campaign {noun} ({', '.join(actions)})"


def beyond_horizon_problems(
    scenario: Scenario,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Campaign actions that start after the horizon, and those it cuts short.

    Returns
    -------
    beyond, cut : list of (str, str)
        Field path and what is wrong, for each action.
    """
    beyond, cut = [], []
    for a, action in enumerate(scenario.campaign):
        problem = horizon_problem(action, scenario.days)
        if problem is not None and problem[0] == "beyond":
            beyond.append((f"campaign[{a}].start", problem[1]))
        elif problem is not None:
            cut.append((f"campaign[{a}].end", problem[1]))
    return beyond, cut


def validation_problems(error: ValidationError, data: Any) -> list[tuple[str, str]]:
    """Translate pydantic's errors into (field path, what was expected) pairs of ``data``."""
    problems = []
    for item in _unions_merged(error.errors(include_url=False)):
        path = _field_path(item["loc"], data)
        message = item["msg"].removeprefix("Value error, ")
        message = message.replace(f"String should match pattern '{NAME_PATTERN}'", _NAME_RULE)
        if item["type"] == "extra_forbidden":
            message = "unknown field"
        elif item["type"] == "missing":
            message = "required field is missing"
        elif item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            tag = item["ctx"]["discriminator"].strip("'")
            path = f"{path}.{tag}" if path else tag
            found = item["ctx"].get("tag")
            message = "required field is missing" if found is None else f"unknown {tag} {found!r}"
            if "expected_tags" in item["ctx"]:
                message += (
                    f" (expected one of: {item['ctx']['expected_tags'].replace(chr(39), '')})"
                )
        elif item["type"] == "field_problem":
            field = item["ctx"]["field"]
            path = f"{path}.{field}" if path else field
        elif item["type"] == "model_type" and item.get("ctx", {}).get("class_name") == "Scenario":
            message = (
                "expected the path to a scenario TOML file or a [scenario] table (got "
                f"{_short(item['input'])})"
            )
        elif item["type"] in ("list_type", "tuple_type") and _positions_only(item.get("input")):
            first = next(iter(item["input"]))
            message = f"a list the file does not write has no item {first} to set: set it whole"
        elif "input" in item and item["type"] not in ("value_error", "assertion_error"):
            message = f"{message} (got {_short(item['input'])})"
        for line in message.split("\n"):
            head, sep, rest = line.partition(": ")
            if sep and re.match(r"^[a-z_]+(\[\d+\])?([.\[][\w\]\[.]*)?$", head):
                problems.append((f"{path}.{head}" if path else head, rest))
            else:
                problems.append((path, line))
    return problems


_NAME_RULE = "expected a lower-case name (a letter, then letters, digits or _)"


def _unions_merged(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge the errors of the members of an untagged union into one error of its field.

    Pydantic reports a value that fits no member of ``Name | Literal["all"]`` once per
    member, under the member's label (``segment.constrained-str``, ``segment.literal['all']``);
    the field gets one problem that names what each member expected.
    """
    merged: list[dict[str, Any]] = []
    members: dict[tuple, dict[str, Any]] = {}
    for item in items:
        *field, last = item["loc"] or ("",)
        unknown = item["type"] in ("extra_forbidden", "missing")  # a key of the input
        if unknown or not (isinstance(last, str) and _MEMBER.fullmatch(last)):
            merged.append(item)
            continue
        key = tuple(field)
        message = item["msg"].removeprefix("Value error, ")
        if key in members:
            members[key]["msg"] += f" or {message.removeprefix('Input should be ')}"
        else:
            members[key] = {**item, "loc": key, "msg": message, "type": "union"}
            merged.append(members[key])
    return merged


_MEMBER = re.compile(r"(int|float|str|bool|none|[a-z]+-[a-z-]+|[a-z]+\[.*\])")
"""The label pydantic gives a member of an untagged union (no field of a scenario's)."""


def _field_path(loc: tuple, data: Any) -> str:
    """Join a pydantic location into ``a.b[2].c``, dropping union tags.

    Pydantic names the member of a tagged union it validated (``campaign[4].influencer``
    for an action of type ``influencer``) right where it enters the table; the tag is
    dropped there even when a field has the same name (an influencer action's
    ``influencer``), which comes after it.
    """
    parts, node, entered = [], data, True
    for key in loc:
        if isinstance(key, int):
            parts.append(f"[{key}]")
            node = node[key] if isinstance(node, list) and key < len(node) else None
            entered = True
        elif isinstance(node, dict) or node is None:
            if isinstance(node, dict) and entered and _is_tag(node, key):
                entered = False
                continue
            parts.append(f".{key}" if parts else str(key))
            node = node.get(key) if isinstance(node, dict) else None
            entered = True
        else:
            parts.append(f".{key}" if parts else str(key))
            node = None
    return "".join(parts)


def _positions_only(value: Any) -> bool:
    """Whether ``value`` is the table ``--set`` makes of list positions (``{"0": 2}``)."""
    return isinstance(value, dict) and bool(value) and all(_is_position(k) for k in value)


def _is_tag(node: dict, key: str) -> bool:
    return any(node.get(tag) == key for tag in _TAGS)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------- overrides


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``FIELD.PATH=VALUE`` and read the value as a TOML value.

    Parameters
    ----------
    text : str
        For example ``"brands.0.price=29.5"`` or ``"network.kind=watts_strogatz"``; a value
        that is not valid TOML (a bare word) is taken as a string.

    Returns
    -------
    tuple of (str, object)

    Raises
    ------
    ScenarioError
        If there is no ``=`` or no field path.
    """
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError("--set", [(text, "expected FIELD.PATH=VALUE")])
    try:
        value = loads_toml(f"value = {raw.strip()}")["value"]
    except NumberTooLarge as problem:
        raise ScenarioError("--set", [(text, str(problem))]) from None
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return path.strip(), value


def check_overrides(overrides: Any) -> Mapping[str, Any]:
    """Return overrides that are a mapping of dotted field paths to values; else refuse them.

    Raises
    ------
    InputError
        Naming ``overrides`` and what was expected.

    Examples
    --------
    >>> check_overrides({"brands.0.price": 135})
    {'brands.0.price': 135}
    >>> check_overrides([("days", 3)])
    Traceback (most recent call last):
    ...
    ecosim.errors.InputError: overrides: expected a dict of values by dotted field path, ...
    """
    if not (isinstance(overrides, Mapping) and all(isinstance(key, str) for key in overrides)):
        raise InputError(
            "overrides: expected a dict of values by dotted field path, such as "
            f'{{"brands.0.price": 135}} (got {overrides!r:.60})'
        )
    return overrides


def apply_overrides(
    data: dict[str, Any],
    overrides: dict[str, Any],
    source: str = "--set",
    written: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a copy of ``data`` with values set at dotted paths.

    Parameters
    ----------
    data : dict
        Scenario fields as read from TOML.
    overrides : dict
        Values by dotted path. Numeric parts index lists; in a list of named items a part
        may also be an item's ``name``. Missing tables are created.
    source : str
        Named in error messages.
    written : dict, optional
        The values the scenario sets itself (``data`` by default; a checked scenario's
        values other than the defaults): those a table set whole leaves out are warned of.

    Returns
    -------
    dict
        A new dictionary; ``data`` is not modified.

    Raises
    ------
    ScenarioError
        If a path runs through a value that is not a table or list, or indexes past the
        end of a list, or names an item that does not exist, or two paths name one field
        (``brands.0.price`` and ``brands.shop.price``), or a table is set whole after a
        field inside it (which it would silently undo; a field set after its table refines
        it).

    Warns
    -----
    InputWarning
        If a table is set whole without values it holds now, and without
        saying its kind: TOML reads ``{dynamics.share_rate = 0.5}`` as the table
        ``dynamics``, whole, and the scenario's other dynamics fall back to their defaults.
        A table given with its kind (a network's ``kind``, an action's ``type``), empty, or
        that leaves out only tables (a loyalty programme without its points), is meant
        whole.
    """
    check_overrides(overrides)
    result = copy.deepcopy(data)
    problems = []
    setters: dict[str, str] = {}
    for dotted, value in overrides.items():
        problem = field_path_problem(dotted) if re.search(r"\[\d+\]", dotted) else None
        if dotted.partition(".")[0] == "extends":
            problem = (
                "extends names the file a scenario file starts from: write it in the file; "
                "it cannot be set here"
            )
        before = field_value(data if written is None else written, dotted)
        dropped = None if problem else _dropped(before, value, dotted)
        if dropped is not None:
            warnings.warn(InputWarning(f"{dotted}: {dropped}"), stacklevel=2)
        if problem is not None:
            problems.append((dotted, problem))
            continue
        try:
            _set_path(result, dotted.split("."), _plain(value))
        except (KeyError, IndexError, TypeError) as error:
            problems.append((dotted, str(error.args[0])))
            continue
        where = field_path(result, dotted)
        before = next((field for field in setters if inside(field, where)), None)
        if before is not None:
            clash = (
                f"sets {where} again, as {setters[before]} does"
                if before == where
                else f"sets {where} whole after {setters[before]} set {before} inside it"
            )
            problems.append(
                (dotted, f"{clash}: give each field once (one of the two would silently win)")
            )
        setters.setdefault(where, dotted)
    if problems:
        raise ScenarioError(f"{source} (overrides)", problems)
    return result


def blame_overrides(
    problems: list[tuple[str, str]],
    data: dict[str, Any],
    overrides: dict[str, Any],
    origin: str = "the command line",
) -> list[tuple[str, str]]:
    """Name the problems of fields that ``overrides`` set, rather than of the file.

    Parameters
    ----------
    problems : list of (str, str)
        Field path (``brands[0].price``) and what was wrong, as in an :class:`InputError`.
    data : dict
        The input as read, before the overrides.
    overrides : dict
        Values by dotted path, as given to :func:`apply_overrides`.
    origin : str
        Where the overrides came from.

    Returns
    -------
    list of (str, str)
        The problems; a path at or inside a field that an override set (or created) reads
        ``<path> (set on <origin>)``, one around such a field, in a table whose ``kind``
        or ``type`` an override changed, or naming a name an override changed (an action of
        a renamed brand), ``<path> (with <dotted path> set on <origin>)``.

    Examples
    --------
    >>> data = {"population": {"size": 10}, "brands": [{"name": "a"}]}
    >>> problems = [("population.size", "must be >= 2"), ("brands[0]", "no price")]
    >>> overrides = {"population.size": -5, "brands.a.price": 0}
    >>> for path, message in blame_overrides(problems, data, overrides):
    ...     print(f"{path}: {message}")
    population.size (set on the command line): must be >= 2
    brands[0] (with brands.a.price set on the command line): no price
    >>> problems = [("network.m", "unknown field")]
    >>> blame_overrides(problems, {"network": {"m": 4}}, {"network.kind": "edge_list"})
    [('network.m (with network.kind set on the command line)', 'unknown field')]
    """
    fields = {dotted: field_path(data, dotted) for dotted in overrides}
    kinds = {
        dotted: field.rpartition(".")[0]
        for dotted, field in fields.items()
        if field.rpartition(".")[2] in ("kind", "type")
    }
    renamed = {
        dotted: name
        for dotted, field in fields.items()
        if field.endswith(".name") and isinstance(name := field_value(data, dotted), str)
    }
    blamed = []
    for path, message in _unwritten(problems, data, overrides):
        around = [dotted for dotted, field in fields.items() if inside(field, path)]
        around += [dotted for dotted, table in kinds.items() if table and inside(path, table)]
        around += [dotted for dotted, name in renamed.items() if repr(name) in message]
        if path and any(inside(path, field) for field in fields.values()):
            path = f"{path} (set on {origin})"
        elif path and around:
            path = f"{path} (with {', '.join(around)} set on {origin})"
        blamed.append((path, message))
    return blamed


def _unwritten(
    problems: list[tuple[str, str]], data: dict[str, Any], overrides: dict[str, Any]
) -> list[tuple[str, str]]:
    """Say so where an override set a field inside a table or list the file does not write.

    Such a field creates its table, which then lacks its required fields (``tiers``
    without ``levels``), or a table of named items where a list belongs: the problem is
    the table's, to be set whole.
    """
    try:
        applied = apply_overrides(data, overrides)
    except ScenarioError:
        return problems
    inner = [field_path(applied, dotted) for dotted in overrides]

    def created(table: str) -> bool:
        unwritten = field_value(data, re.sub(r"\[(\d+)\]", r".\1", table)) is None
        return bool(table) and unwritten and any(f.startswith(f"{table}.") for f in inner)

    rewritten = []
    for path, message in problems:
        table, _, missing = path.rpartition(".")
        if message == "required field is missing" and created(table):
            path, message = (
                table,
                (
                    "the file does not write this table, so a field set in it leaves its "
                    f"required {missing} out: set the table whole"
                ),
            )
        elif message.startswith("Input should be a valid list") and created(path):
            item = next(f for f in inner if f.startswith(f"{path}."))[len(path) + 1 :]
            message = (
                f"a list the file does not write has no item named "
                f"{item.partition('.')[0]!r} to set: set it whole"
            )
        rewritten.append((path, message))
    return rewritten


def field_path(data: Any, dotted: str) -> str:
    """Return the field path (``brands[0].price``) a dotted path names, as far as ``data`` has it.

    List items named by name or by position both come out by position, so two spellings of
    one field give one path.

    Examples
    --------
    >>> data = {"brands": [{"name": "shop", "price": 10}]}
    >>> field_path(data, "brands.shop.price"), field_path(data, "brands.0.price")
    ('brands[0].price', 'brands[0].price')
    """
    path, node = "", data
    for part in dotted.split("."):
        if isinstance(node, list):
            try:
                index = _list_index(node, part)
            except (KeyError, IndexError):
                return f"{path}[{part}]"
            path, node = f"{path}[{index}]", node[index]
        else:
            path = f"{path}.{part}" if path else part
            if not isinstance(node, dict) or part not in node:
                return path
            node = node[part]
    return path


def field_value(data: Any, dotted: str) -> Any:
    """Return the value a dotted path names in ``data``, or None where ``data`` has none.

    List items are named by name or by position, as in ``--set``.

    Examples
    --------
    >>> data = {"brands": [{"name": "shop", "price": 10}]}
    >>> field_value(data, "brands.shop.price"), field_value(data, "brands.1.price")
    (10, None)
    """
    node = data
    for part in dotted.split("."):
        if isinstance(node, list):
            try:
                node = node[_list_index(node, part)]
            except (KeyError, IndexError):
                return None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def inside(path: str, field: str) -> bool:
    """Whether ``path`` is ``field`` or a path inside it.

    Examples
    --------
    >>> inside("brands[0].price", "brands[0]"), inside("brands[01]", "brands[0]")
    (True, False)
    """
    return path == field or path.startswith((f"{field}.", f"{field}["))


def overlapping(a: str, b: str) -> bool:
    """Whether two paths name the same field, or one a field inside the other.

    Examples
    --------
    >>> overlapping("brands.0", "brands.0.price"), overlapping("brands.0", "brands.01")
    (True, False)
    """
    return inside(a, b) or inside(b, a)


def _plain(value: Any) -> Any:
    """Return a copy of an override's value with numpy values and paths as Python's own.

    A value from Python code may be a numpy scalar (``np.int64(300)`` from a sweep), a
    numpy array (a list of numbers) or a ``pathlib.Path``: the same number, list or path,
    which the schema's strict types would otherwise refuse.

    Examples
    --------
    >>> import numpy as np
    >>> _plain({"size": np.int64(300), "path": Path("net.csv"), "shares": [np.float64(0.5)]})
    {'size': 300, 'path': 'net.csv', 'shares': [0.5]}
    >>> _plain(np.array([1.0, 1.1]))
    [1.0, 1.1]
    """
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return copy.deepcopy(value)


def _set_path(node: Any, parts: list[str], value: Any) -> None:
    if "" in parts:
        raise KeyError("a part of the path is empty (expected names joined by single dots)")
    *head, last = parts
    for depth, part in enumerate(head):
        node = _child(node, part, where=".".join(parts[:depth]))
    if isinstance(node, list):
        node[_list_index(node, last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise TypeError(_not_a_table(".".join(head), node, last))


def _child(node: Any, part: str, where: str) -> Any:
    if isinstance(node, dict):
        return node.setdefault(part, {})
    if isinstance(node, list):
        return node[_list_index(node, part)]
    raise TypeError(_not_a_table(where, node, part))


def _not_a_table(where: str, node: Any, part: str) -> str:
    """Say that a path runs into a value that holds no fields.

    Examples
    --------
    >>> _not_a_table("days", 365, "x")
    "days is a value (365), not a table or list: it has no field 'x'"
    """
    return f"{where} is a value ({node!r}), not a table or list: it has no field {part!r}"


def _is_position(part: str) -> bool:
    """Whether a part of a dotted path is a list position (``0``, ``-1``), not a name."""
    return part.lstrip("-").isascii() and part.lstrip("-").isdigit()


def _list_index(items: list, part: str) -> int:
    if _is_position(part):
        index = int(part)
        if not 0 <= index < len(items):
            count = f"{len(items)} item{'s' * (len(items) != 1)}"
            span = f": expected 0 to {len(items) - 1}" if items else ""
            raise IndexError(f"index {index} is out of range (the list has {count}{span})")
        return index
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return index
    names = [str(item["name"]) for item in items if isinstance(item, dict) and "name" in item]
    if len(names) == len(items):
        raise KeyError(f"no item named {part!r} {expected(names)}")
    positions = f"a position from 0 to {len(items) - 1}"
    raise KeyError(
        f"no item named {part!r} (expected one of: {', '.join(names)}; or {positions}, as some "
        "items have no name)"
        if names
        else f"no item named {part!r} (its items have no name: expected {positions})"
    )
