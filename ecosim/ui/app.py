"""The ecosim web app: the customer engagement ecosystem, run and explored in a browser.

Run it with ``ecosim ui [SCENARIO]``, or ``solara run ecosim.ui.app``. Each browser session
renders :func:`Page`, which holds that session's own scenario, model, settings, campaign
plan and comparison of strategies, so classes and strategists working at the same time
never share any of them.

The page is built on Solara with Mesa's model: the sidebar holds the run controls, the
scenario and the parameters; the main area the day and its date, then named tabs. Only
the tab shown is drawn.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import reacton.core
import solara
import solara.lab

from ecosim.network import EdgeListError
from ecosim.scenario import Scenario, ScenarioError, load_scenario
from ecosim.ui.about import AboutTheModel
from ecosim.ui.calendar import day_label
from ecosim.ui.campaign_editor import CampaignEditor
from ecosim.ui.charts import OutcomeExplorer, chart_components
from ecosim.ui.compare import CompareResults, CompareSession, CompareSettings
from ecosim.ui.controls import changes, model_params
from ecosim.ui.ecosystem import EcosystemDiagram, TodayFlows
from ecosim.ui.inspector import CustomerHistory, CustomerInspector, dropped_message
from ecosim.ui.live_model import SPENT_SHARE, LiveModel
from ecosim.ui.network_view import NetworkView
from ecosim.ui.parameters_panel import ParametersPanel, initial_values, readable
from ecosim.ui.refresh import force_update, update_counter
from ecosim.ui.run_controls import RunControls
from ecosim.ui.scenario_panel import ScenarioPanel
from ecosim.ui.scenarios import UploadError, first_scenario, scenario_files, with_edge_list

__all__ = ["NAME", "PLAN_DROPPED", "TABS", "Building", "Page", "reset_keywords"]

NAME = "ecosim: the customer engagement ecosystem"
TABS = ("Model", "Ecosystem", "Customer", "Campaign", "About", "Compare")
"""The tabs of the main area, in order."""
NARROW_SIDEBAR = """
@media (max-width: 600px) {
  .v-navigation-drawer { min-width: 0 !important; width: 85vw !important; }
  .v-navigation-drawer .v-btn-toggle { flex-wrap: wrap; }
}
"""
"""On a phone the sidebar opens over the page and Solara makes it at least 400 px wide:
wider than the screen, it hid the page and left nothing beside it to tap to close it. At
85% of the width it leaves a strip that closes it, and the pace buttons take two rows."""
TAB_BAR = """
.v-tabs .v-tab { min-width: 0; padding: 0 8px; letter-spacing: 0.03em; }
"""
"""At 1024 px beside the sidebar, Vuetify's tabs (at least 90 px wide, 16 px of padding on
each side, letters 0.09 em apart) overflowed the main area: the bar scrolled and hid Model
and Compare. With less padding and letter spacing all six fit, in the same size of letters."""

PLAN_DROPPED = (
    "The campaign plan edited in the Campaign tab was dropped with {what}: edit it again there."
)
"""What the page says, until the next Reset or edit of a plan, when another scenario or
network drops the plan edited in the Campaign tab."""

_log = logging.getLogger(__name__)

_GRID = {
    "display": "grid",
    "grid-template-columns": "repeat(auto-fit, minmax(440px, 1fr))",
    "gap": "16px",
    "width": "100%",
    "align-items": "start",
}
_GRID_ITEM = {"min-width": "0"}
"""A view in the grid: no wider than its column, which a wide table would otherwise widen
past the page."""


def reset_keywords(
    params: dict[str, Any], edits: dict[str, Any], plan: Scenario | None
) -> dict[str, Any]:
    """Return the keywords Reset builds the model with.

    Parameters
    ----------
    params : dict
        The scenario's model parameters (:func:`ecosim.ui.controls.model_params`).
    edits : dict
        The controls moved, by model keyword; a number field's text that is no number
        (:func:`ecosim.ui.parameters_panel.unread`) leaves the scenario's value.
    plan : Scenario or None
        The scenario with the campaign plan edited in the Campaign tab, if any: it replaces
        the scenario, and the controls of single campaign actions no longer apply.

    Examples
    --------
    >>> reset_keywords({"scenario": "s", "days": {"type": "SliderInt", "value": 9}}, {}, None)
    {'scenario': 's', 'days': 9}
    """
    keywords = {**initial_values(params), **readable(params, edits)}
    if plan is not None:
        keywords = {k: v for k, v in keywords.items() if not k.startswith("campaign.")}
        keywords["scenario"] = plan
    return keywords


@solara.component
def DayHeader(model: LiveModel) -> None:
    """Show the day, its date in the scenario's calendar, and today's notable events."""
    update_counter.get()
    events = [label for label, days in model.events.items() if days[-1] == model.steps]
    with solara.Row(style={"align-items": "baseline", "gap": "16px"}):
        solara.Text(day_label(model.steps, model.scenario.days), style={"font-size": "1.4em"})
        solara.Text(model.scenario.name, style={"color": "#555"})
        if events and model.steps:
            solara.Text("Today: " + ", ".join(events), style={"color": "#6a1b9a"})
    if model.spent:
        solara.Warning(spent_message(model.spent), dense=True)


def spent_message(spent: dict[str, int]) -> str:
    """Say which brands have spent their budget (:data:`SPENT_SHARE`), and by which day.

    Examples
    --------
    >>> print(spent_message({"tokoku": 69}))  # doctest: +NORMALIZE_WHITESPACE
    tokoku has spent 99% of its budget (by day 69): its paid actions now stop or reach fewer
    customers.
    """
    share = f"{1 - SPENT_SHARE:.0%}"
    if len(spent) == 1:
        ((name, day),) = spent.items()
        return (
            f"{name} has spent {share} of its budget (by day {day}): its paid actions now "
            "stop or reach fewer customers."
        )
    listed = ", ".join(f"{name} by day {day}" for name, day in spent.items())
    return (
        f"Spent {share} of their budgets: {listed}. Their paid actions now stop or reach "
        "fewer customers."
    )


@solara.component
def Parameters(
    params: dict[str, Any],
    edits: solara.Reactive[dict[str, Any]],
    applied: solara.Reactive[dict[str, Any]],
    plan_edited: bool = False,
    refused: solara.Reactive[dict[str, Any] | None] | None = None,
) -> None:
    """Show the parameters card, reading the controls' edits itself.

    A moved control then draws this card again, not the whole page with its charts and
    network (which took seconds at 10,000 customers). ``plan_edited``: Reset runs a plan
    edited in the Campaign tab; ``refused``: the edits the last Reset refused, if it did
    (see :func:`ParametersPanel`).
    """
    ParametersPanel(
        params,
        {**initial_values(params), **edits.value},
        lambda name, value: edits.set({**edits.value, name: value}),
        applied.value,
        plan_edited,
        refused=refused is not None and refused.value == edits.value,
    )


def _grid(model: LiveModel, views: list[Callable]) -> None:
    with solara.Div(style=_GRID):
        for view in views:
            with solara.Div(style=_GRID_ITEM):
                view(model)


@solara.component
def Building(
    asked: solara.Reactive[tuple[str, Callable[[], LiveModel], Callable[[LiveModel], None]] | None],
    page: Any,
) -> None:
    """Say what model is being built, and build it once the page says so.

    Building a model takes seconds at 10,000 customers (its network, its layout), during
    which the page showed the old one with no sign of work. ``asked`` holds what the page
    says, the function that builds the model and the function that puts it in the page
    (called in one render of ``page``, the page's render context). Only this notice and
    the run controls read ``asked``: the page is drawn once, with the new model. A build
    that fails is said in the page (and its traceback in the server's log), which runs the
    model it ran before.
    """
    failed, set_failed = solara.use_state("")

    def build() -> None:
        request = asked.value
        if request is None:
            return
        what, make, then = request
        try:
            built, said = make(), ""
        except Exception as error:  # said in the page; the old model runs on
            _log.exception("%s failed", what)
            built = None
            said = f"Could not finish: {what.rstrip('…')} ({type(error).__name__}: {error}). "
            said += "The page still runs the model it ran before."
        if asked.value is not request:  # another asked for meanwhile (an upload's thread)
            return  # builds next, and is the one shown
        with page:  # one render: the new model (or what failed), and the notice gone
            set_failed(said)
            if built is not None:
                then(built)
            asked.set(None)

    solara.use_effect(build, [asked.value])
    if asked.value is not None:
        solara.ProgressLinear(True)
        solara.Info(asked.value[0], dense=True)
    elif failed:
        solara.Error(failed, dense=True)


@solara.component
def Page() -> None:
    """One browser session: its scenario, model, controls, views, plan and comparison."""
    page = reacton.core.get_render_context()  # batches the state an upload's thread sets
    start = solara.use_memo(first_scenario, [])
    files = solara.use_memo(lambda: scenario_files(start.parent), [])
    choice = solara.use_reactive(start.stem)
    scenario = solara.use_reactive(solara.use_memo(lambda: load_scenario(start), []))
    problem = solara.use_reactive("")
    plan_dropped = solara.use_reactive("")  # said until the next Reset or edit of a plan
    refusals = solara.use_reactive(0)
    uploaded = solara.use_reactive("")
    edits = solara.use_reactive({})
    applied = solara.use_reactive({})
    refused = solara.use_reactive(None)  # the edits the last Reset refused, if it did
    plan = solara.use_reactive(None)
    tab = solara.use_reactive(0)
    uploads = solara.use_memo(lambda: Path(tempfile.mkdtemp(prefix="ecosim-ui-")), [])
    solara.use_effect(lambda: lambda: shutil.rmtree(uploads, ignore_errors=True), [])
    comparison = solara.use_memo(CompareSession, [])
    solara.use_effect(lambda: comparison.close, [])

    params = solara.use_memo(lambda: model_params(scenario.value), [scenario.value])
    model = solara.use_reactive(solara.use_memo(lambda: LiveModel(scenario.value), []))
    previous = solara.use_ref(model.value)
    dropped = solara.use_reactive("")
    building = solara.use_reactive(None)  # (what the page says, build, then): see Building

    def build(what: str, make: Callable[[], LiveModel], then: Callable[[LiveModel], None]) -> None:
        """Say what is built, then build it (:func:`Building`)."""
        building.set((what, make, then))

    def keep_watching() -> None:
        """After a Reset, follow the customer the previous model followed, or say why not."""
        old, previous.current = previous.current, model.value
        row, n = old.watched, model.value.population.n
        if row is None or model.value.watched is not None:
            dropped.set("")
        elif row < n:
            dropped.set("")
            model.value.watch(row)
            force_update()
        else:
            dropped.set(dropped_message(row, n))

    solara.use_effect(keep_watching, [model.value])

    def shown(message: str) -> str:
        """Return the message without the server's folders in the files it names."""
        for folder in (uploads, start.parent):
            message = message.replace(f"{folder}{os.sep}", "")
        return message

    def use(
        name: str, change: Callable[[], tuple[Scenario, str]], network: str = "", dropped: str = ""
    ) -> None:
        """Run another scenario or network; ``dropped``: what it says of an edited plan."""
        try:
            chosen, note = change()
        except (ScenarioError, EdgeListError, UploadError) as error:
            kept = (
                f"{name} was not loaded; the page still runs {choice.value}.\n"
                if name != choice.value
                else ""
            )
            problem.set(shown(kept + str(error)))
            plan_dropped.set("")
            refusals.set(refusals.value + 1)
            return

        def then(built: LiveModel) -> None:  # one render: never one upload's size beside
            model.set(built)  # another's name
            scenario.set(chosen)
            choice.set(name)
            uploaded.set(network)
            problem.set(note)
            plan_dropped.set(dropped if plan.value is not None else "")
            edits.set({})
            applied.set({})
            refused.set(None)
            plan.set(None)

        with page:
            build(f"Loading {network or name}…", lambda: LiveModel(chosen), then)

    def pick(name: str, dropped: str = "") -> None:
        """Run a scenario file; ``dropped``: what drops an edited plan (another scenario's)."""
        if name != choice.value:
            dropped = PLAN_DROPPED.format(what="the other scenario")
        use(name, lambda: (load_scenario(files[name]), ""), dropped=dropped)

    def own_network() -> None:
        pick(choice.value, PLAN_DROPPED.format(what="the return to the scenario's own network"))

    def upload(name: str, content: bytes) -> None:
        path = uploads / re.sub(r"[^\w.-]", "_", Path(name).name)
        use(
            choice.value,
            lambda: with_edge_list(scenario.value, path, content),
            network=path.name,
            dropped=PLAN_DROPPED.format(what="the new network"),
        )

    def start_upload() -> None:
        problem.set("")
        plan_dropped.set("")

    def edit_plan(edited: Scenario | None) -> None:
        plan.set(edited)
        plan_dropped.set("")

    def reset() -> None:
        keywords = reset_keywords(params, edits.value, plan.value)
        asked = dict(edits.value)
        used = {name: keywords[name] for name in asked if name in keywords}

        def then(built: LiveModel) -> None:
            model.set(built)
            applied.set({} if built.problem else used)
            refused.set(asked if built.problem else None)
            plan_dropped.set("")

        build("Resetting: building the model…", lambda: LiveModel(**keywords), then)

    running = model.value.scenario.campaign
    edited = plan.value is not None and running == plan.value.campaign
    solara.Style(NARROW_SIDEBAR + TAB_BAR)
    solara.Title(NAME)
    with solara.AppBar():
        solara.AppBarTitle(NAME)
    with solara.Sidebar(), solara.Column(gap="8px"):
        RunControls(model, on_reset=reset, busy=building)
        ScenarioPanel(
            scenario=scenario.value,
            choice=choice.value,
            choices=list(files),
            on_choice=pick,
            uploaded=uploaded.value,
            on_edge_list=upload,
            on_refused=problem.set,
            on_upload_started=start_upload,
            on_generated_network=own_network,
            problem=" ".join(part for part in (problem.value, plan_dropped.value) if part),
            changed=changes(scenario.value, model.value.scenario, edited),
            plan_edited=edited,
            refusals=refusals.value,
        )
        Parameters(params, edits, applied, plan.value is not None, refused)
    Building(building, page)
    DayHeader(model.value)
    if model.value.problem:
        solara.Error(
            "These settings were not used; the scenario runs as written.\n"
            + shown(model.value.problem),
            style_="white-space: pre-wrap",
        )
    if model.value.notices:
        solara.Warning(
            "\n".join(shown(notice) for notice in model.value.notices),
            style_="white-space: pre-wrap",
        )
    charts = [view for view, _ in chart_components(model.value)]
    with solara.lab.Tabs(value=tab, lazy=True):
        with solara.lab.Tab(TABS[0]):
            _grid(model.value, [NetworkView, *charts])
        with solara.lab.Tab(TABS[1]):
            _grid(model.value, [EcosystemDiagram, TodayFlows, OutcomeExplorer])
        with solara.lab.Tab(TABS[2]):
            _grid(
                model.value,
                [
                    NetworkView,
                    lambda live: CustomerInspector(live, dropped.value, lambda: dropped.set("")),
                    CustomerHistory,
                ],
            )
        with solara.lab.Tab(TABS[3]):
            CampaignEditor(
                scenario.value,
                plan.value,
                on_plan=edit_plan,
                running=model.value,
                edge_list=uploaded.value,
                days=reset_keywords(params, edits.value, plan.value).get("days"),
            ).key(f"plan-{id(scenario.value)}")
        with solara.lab.Tab(TABS[4]):
            AboutTheModel(model.value)
        with solara.lab.Tab(TABS[5]), solara.Div(style=_GRID):
            with solara.Div(style=_GRID_ITEM):
                CompareSettings(comparison, plan.value)
            with solara.Div(style=_GRID_ITEM):
                CompareResults(comparison)
