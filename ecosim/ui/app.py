"""The ecosim web app: Mesa's SolaraViz with views of the customer engagement ecosystem.

Run it with ``ecosim ui [SCENARIO]``, or ``solara run ecosim.ui.app``. Each browser session
renders :func:`Page`, which holds that session's own scenario and model, and its comparison
of strategies, so classes and strategists working at the same time never share either.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update

from ecosim.network import EdgeListError
from ecosim.scenario import Scenario, ScenarioError, load_scenario
from ecosim.ui.about import AboutHowToUse, AboutTheModel
from ecosim.ui.charts import OutcomeExplorer, chart_components
from ecosim.ui.compare import CompareSession, compare_views
from ecosim.ui.controls import changes, model_params
from ecosim.ui.ecosystem import EcosystemDiagram, TodayFlows
from ecosim.ui.inspector import CustomerHistory, CustomerInspector
from ecosim.ui.live_model import LiveModel
from ecosim.ui.network_view import NetworkView
from ecosim.ui.scenario_panel import ScenarioPanel
from ecosim.ui.scenarios import first_scenario, scenario_files, with_edge_list

__all__ = ["NAME", "PLAY_INTERVAL", "Page", "components"]

NAME = "ecosim: the customer engagement ecosystem"
PLAY_INTERVAL = 300
"""Milliseconds between days when playing (Mesa's default of 100 renders too often)."""


def components(model: LiveModel, comparison: CompareSession) -> list[tuple[Any, int]]:
    """List the views as ``(component, page)`` pairs for Mesa's ``SolaraViz``.

    Page 0 holds the network and the live charts, page 1 the ecosystem with today's
    flows and the outcome explorer, page 2 the customer inspector, page 3 the About panel,
    page 4 the comparison of strategies (its settings, then its results).
    """
    settings, results = compare_views(comparison)
    return [
        (NetworkView, 0),
        *chart_components(model),
        (EcosystemDiagram, 1),
        (TodayFlows, 1),
        (OutcomeExplorer, 1),
        (NetworkView, 2),
        (CustomerInspector, 2),
        (CustomerHistory, 2),
        (AboutTheModel, 3),
        (AboutHowToUse, 3),
        (settings, 4),
        (results, 4),
    ]


def _initial_values(params: dict[str, Any]) -> dict[str, Any]:
    """Return the keywords SolaraViz's Reset passes before any control is moved."""
    return {
        name: spec["value"] if isinstance(spec, dict) and "type" in spec else spec
        for name, spec in params.items()
    }


@solara.component
def Page() -> None:
    """One browser session: its scenario, its model, Mesa's controls, the views, a comparison."""
    start = solara.use_memo(first_scenario, [])
    files = solara.use_memo(lambda: scenario_files(start.parent), [])
    choice = solara.use_reactive(start.stem)
    scenario = solara.use_reactive(solara.use_memo(lambda: load_scenario(start), []))
    generation = solara.use_reactive(0)
    problem = solara.use_reactive("")
    uploaded = solara.use_reactive("")
    uploads = solara.use_memo(lambda: Path(tempfile.mkdtemp(prefix="ecosim-ui-")), [])
    solara.use_effect(lambda: lambda: shutil.rmtree(uploads, ignore_errors=True), [])
    comparison = solara.use_memo(CompareSession, [])
    solara.use_effect(lambda: comparison.close, [])

    params = solara.use_memo(lambda: model_params(scenario.value), [scenario.value])
    first = solara.use_memo(lambda: LiveModel(**_initial_values(params)), [params])
    model = solara.use_reactive(first)
    views = solara.use_memo(lambda: components(first, comparison), [first])
    previous = solara.use_ref(first)

    def keep_watching() -> None:
        """After a Reset, follow the customer the previous model followed."""
        old, previous.current = previous.current, model.value
        row = old.watched
        if row is not None and model.value.watched is None and row < model.value.population.n:
            model.value.watch(row)
            force_update()

    solara.use_effect(keep_watching, [model.value])

    def use(name: str, change: Callable[[], Scenario], network: str = "") -> None:
        try:
            scenario.set(change())
        except (ScenarioError, EdgeListError) as error:
            problem.set(str(error).replace(f"{uploads}{os.sep}", ""))
            return
        choice.set(name)
        uploaded.set(network)
        problem.set("")
        generation.set(generation.value + 1)

    def pick(name: str) -> None:
        use(name, lambda: load_scenario(files[name]))

    def upload(name: str, content: bytes) -> None:
        path = uploads / re.sub(r"[^\w.-]", "_", Path(name).name)
        path.write_bytes(content)
        use(choice.value, lambda: with_edge_list(scenario.value, path), network=path.name)

    with solara.Sidebar():
        ScenarioPanel(
            scenario=scenario.value,
            choice=choice.value,
            choices=list(files),
            on_choice=pick,
            uploaded=uploaded.value,
            on_edge_list=upload,
            on_generated_network=lambda: pick(choice.value),
            problem=problem.value,
            changed=changes(scenario.value, model.value.scenario),
        )
    if model.value.problem:
        solara.Error(
            f"These settings were not used; the scenario runs as written.\n{model.value.problem}",
            style={"white-space": "pre-wrap"},
        )
    SolaraViz(
        model,
        components=views,
        model_params=params,
        name=NAME,
        play_interval=PLAY_INTERVAL,
    ).key(f"model-{generation.value}")
