"""The Compare page: two to four strategies of an experiment, side by side, with statistics.

A strategist picks an experiment file (``experiments/*.toml``), two to four strategies (of
the experiment's, and scenario files, ``scenarios/*.toml``, each run as a strategy), a
number of replications and a market small enough to run in about a minute, and presses
Run. The runs go through :func:`ecosim.experiment.run_experiment`, the runner
of ``ecosim batch``, in a background thread of the server (in-process, one run after
another), into a temporary results folder of the browser session; a progress bar counts
the runs. :func:`ecosim.report.compare` then gives each strategy's mean with its 95%
confidence interval, the paired difference from the baseline with its interval, and the
daily series with 95% bands; both tables download as CSV.

This module holds the page's Solara components (:func:`CompareSettings`,
:func:`CompareResults`) and is the page's one public API: it re-exports what the page is
built on, from :mod:`ecosim.ui.compare_session` (what to run: :class:`Request`,
:func:`reduced_experiment`; the background run: :class:`CompareSession`) and
:mod:`ecosim.ui.compare_tables` (the summary table, verdicts, daily bands, formatting).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import solara

from ecosim.errors import InputError
from ecosim.experiment import Experiment, load_experiment
from ecosim.report import Comparison
from ecosim.scenario import Scenario, load_scenario
from ecosim.ui.compare_session import (
    CUSTOMERS,
    DAYS,
    DEFAULT_EXPERIMENT,
    EDITED_PLAN,
    MAX_STRATEGIES,
    MIN_STRATEGIES,
    NAME_LENGTH,
    REPLICATIONS,
    CompareSession,
    Request,
    Status,
    brand_notes,
    checked_experiment,
    choice_problem,
    comparison_baseline,
    default_strategies,
    experiment_folder,
    file_strategy_names,
    horizon_note,
    idle_strategies,
    reduced_experiment,
    scenario_folder,
    written_name,
)
from ecosim.ui.compare_tables import (
    FALLBACK_SERIES,
    MONEY,
    NAMES,
    ROI_MEANING,
    TABLE_STYLE,
    bands_figure,
    daily_series,
    formatted,
    money_table_html,
    no_series_note,
    outcome_label,
    outcome_table_html,
    series_label,
    strategy_label,
    summary_table,
    verdicts,
)
from ecosim.ui.style import TABLE_BOX, Picture, data_url

__all__ = [
    "CUSTOMERS",
    "DAYS",
    "DEFAULT_EXPERIMENT",
    "EDITED_PLAN",
    "FALLBACK_SERIES",
    "MAX_STRATEGIES",
    "MIN_STRATEGIES",
    "MONEY",
    "NAMES",
    "NAME_LENGTH",
    "REPLICATIONS",
    "ROI_MEANING",
    "SCENARIO_FILES_LABEL",
    "CompareResults",
    "CompareSession",
    "CompareSettings",
    "Request",
    "Status",
    "bands_figure",
    "brand_notes",
    "checked_experiment",
    "choice_problem",
    "comparison_baseline",
    "daily_series",
    "default_strategies",
    "experiment_folder",
    "file_strategy_names",
    "formatted",
    "horizon_note",
    "idle_strategies",
    "no_series_note",
    "outcome_label",
    "reduced_experiment",
    "scenario_folder",
    "series_label",
    "strategy_label",
    "summary_table",
    "verdicts",
    "written_name",
]

SCENARIO_FILES_LABEL = "strategies from scenario files"
"""The label of the list of scenario files a strategist can add as strategies."""
_NOTE = {"font-size": "0.8em", "color": "#555"}


@solara.component
def CompareSettings(session: CompareSession, plan: Scenario | None = None) -> None:
    """Choose the experiment, strategies, replications and market; Run, Cancel, progress.

    Scenario files (the session's ``scenarios``) can run as strategies besides the
    experiment's, each named after its file; a file the experiment cannot take shows why.
    With a campaign plan edited in the Campaign tab (``plan``), it can run as one more
    strategy, :data:`EDITED_PLAN`, against the experiment's (its baseline is the scenario's
    own plan). Strategies are named by :func:`strategy_label` throughout the page.

    Every choice, the experiment too, is disabled while a comparison runs; the experiment
    picker is drawn anew when the run starts and ends, so a pick the session refused
    during the run (:meth:`CompareSession.pick`) does not stay shown.
    """
    files = session.files
    name = session.experiment.value
    loaded = solara.use_memo(lambda: _load(files.get(name), session.experiments), [name])
    status = session.status.value
    with solara.Column(gap="6px"):
        solara.Text("Compare strategies", style={"font-weight": "bold", "font-size": "1.1em"})
        solara.Select(
            "experiment",
            values=list(files),
            value=name,
            on_value=session.pick,
            disabled=session.running,
        ).key(f"experiment-{session.running}")
        if isinstance(loaded, str):
            solara.Error(loaded, style_="white-space: pre-wrap")
        else:
            _Choices(session, loaded, files[name], plan)
        _Progress(status)


@solara.component
def _Choices(
    session: CompareSession, experiment: Experiment, path: Path, plan: Scenario | None
) -> None:
    with_plan = solara.use_reactive(True)
    chosen = session.strategies.value
    if chosen is None:
        chosen = default_strategies(experiment)
    chosen = tuple(name for name in experiment.strategies if name in chosen)
    files = session.scenarios
    names = solara.use_memo(lambda: file_strategy_names(experiment, files), [experiment])
    picked = tuple(stem for stem in files if stem in session.scenario_choice.value)
    without = Request(
        path,
        chosen,
        session.replications.value,
        session.customers.value,
        session.days.value,
        scenarios={names[stem]: files[stem] for stem in picked},
    )
    actions = None if plan is None else [a.model_dump(exclude_none=True) for a in plan.campaign]
    alone = solara.use_memo(lambda: _check(without), [without])
    planned = solara.use_memo(
        lambda: None if actions is None else _check(dataclasses.replace(without, plan=actions)),
        [without, plan],
    )
    refused = _plan_refused(planned, alone, experiment)
    edited = planned is not None and with_plan.value and not refused
    request = dataclasses.replace(without, plan=actions) if edited else without
    problems, idle, brands, horizon = planned if edited else alone
    problem = choice_problem(request.names)
    warnings = [problem] if problem else []
    if refused:
        warnings.append(refused)
    if edited and plan.name != experiment.scenario.name:
        warnings.append(
            f"{strategy_label(EDITED_PLAN)} is the campaign plan edited for {plan.name}; here "
            f"it runs on {experiment.scenario.name}, the experiment's base scenario (its "
            "customers, network, brands and channels), like every strategy."
        )
    solara.use_effect(lambda: session.request.set(request), [request])
    running = session.running
    with solara.Column(gap="6px"):
        solara.Text(
            f"Strategies (choose {MIN_STRATEGIES} to {MAX_STRATEGIES}; differences are from "
            f"{strategy_label(comparison_baseline(experiment, request.names))}):",
            style={"font-size": "0.9em"},
        )
        _StrategyBoxes(session, experiment, chosen)
        _ScenarioFiles(session, experiment, names, picked)
        _Market(session)
        if plan is not None:
            solara.Checkbox(
                label=f"{strategy_label(EDITED_PLAN)} (Campaign tab)",
                value=edited,
                on_value=with_plan.set,
                disabled=running or bool(refused),
            )
        _Checks(request, experiment, [*warnings, *brands], problems, idle, horizon)
        with solara.Row():
            solara.Button(
                "Run",
                on_click=lambda: session.start(request),
                disabled=bool(problem or problems) or running,
                color="primary",
            )
            solara.Button("Cancel", on_click=session.cancel, disabled=not running)


@solara.component
def _StrategyBoxes(
    session: CompareSession, experiment: Experiment, chosen: tuple[str, ...]
) -> None:
    """Offer the experiment's strategies; below them all, each chosen one's description.

    The descriptions come after the boxes, so ticking one never moves the others.
    """

    def toggle(strategy: str) -> Callable[[bool], None]:
        def on_value(on: bool) -> None:
            rest = tuple(name for name in chosen if name != strategy)
            session.strategies.set((*rest, strategy) if on else rest)

        return on_value

    with solara.Column(gap="0px"):
        for strategy in experiment.strategies:
            solara.Checkbox(
                label=strategy_label(strategy),
                value=strategy in chosen,
                on_value=toggle(strategy),
                disabled=session.running,
                style="margin-top: 0; padding-top: 0; height: 28px",
            )
        for strategy, spec in experiment.strategies.items():
            if spec.description and strategy in chosen:
                solara.Text(f"{strategy_label(strategy)}: {spec.description}", style=_NOTE)


@solara.component
def _ScenarioFiles(
    session: CompareSession, experiment: Experiment, names: dict[str, str], picked: tuple[str, ...]
) -> None:
    """Offer the scenario files as strategies; show each chosen one's name, file and description.

    The files are offered by the names of their strategies (``names``, by stem).
    """
    files = session.scenarios
    descriptions = solara.use_memo(lambda: _descriptions(files, picked), [picked])
    labels = {stem: strategy_label(names[stem]) for stem in files}
    stems = {label: stem for stem, label in labels.items()}
    with solara.Column(gap="0px"):
        solara.SelectMultiple(
            SCENARIO_FILES_LABEL,
            values=[labels[stem] for stem in picked],
            all_values=list(stems),
            on_value=lambda chosen: session.scenario_choice.set(tuple(stems[c] for c in chosen)),
            disabled=session.running,
            dense=True,
        )
        for stem in picked:
            renamed = _renamed(names[stem], written_name(stem), experiment)
            solara.Text(
                f"{labels[stem]}: {files[stem].name}{renamed}", style={"font-size": "0.9em"}
            )
            if descriptions[stem]:
                solara.Text(descriptions[stem], style=_NOTE)


def _renamed(name: str, written: str, experiment: Experiment) -> str:
    """Say why a file's strategy is not named as its file (another strategy has that name)."""
    if name == written:
        return ""
    if written in experiment.strategies:
        return f" (the experiment has a strategy {strategy_label(written)})"
    return f" ({strategy_label(written)} names another strategy)"


@solara.component
def _Market(session: CompareSession) -> None:
    sliders = (
        ("replications", session.replications, REPLICATIONS, 1, "replications per strategy"),
        ("customers per run", session.customers, CUSTOMERS, 100, "customers"),
        ("days per run", session.days, DAYS, 1, "days"),
    )
    with solara.Column(gap="6px"):
        for label, value, (low, high, _), step, unit in sliders:
            solara.SliderInt(
                label, value=value, min=low, max=high, step=step, disabled=session.running
            )
            solara.Text(
                f"{value.value:,} {unit} (from {low:,} to {high:,})",
                style={**_NOTE, "margin-top": "-6px"},
            )


@solara.component
def _Checks(
    request: Request,
    experiment: Experiment,
    warnings: list[str],
    problems: list[str],
    idle: list[str],
    horizon: list[str],
) -> None:
    """Say what the request runs, what stands in its way and which strategies idle.

    And which of the strategies' actions the days leave out or cut short.
    """
    count, days = len(request.names), request.days
    conditions = (
        " The experiment's market conditions are not varied here; ecosim batch runs them all."
        if experiment.conditions
        else ""
    )
    written = experiment.scenario.population.size
    scale = (
        f" The experiment is written for {written:,} customers: with {request.customers:,}, "
        "fixed costs (a TV flight, an influencer's fee) weigh "
        f"{written / request.customers:.3g} times as much per customer, so profit is lower "
        "than at its size; read the differences between strategies."
        if request.customers < written
        else ""
    )
    with solara.Column(gap="6px"):
        solara.Text(
            f"{count * request.replications} runs: {count} strategies × {request.replications} "
            f"replications, {request.customers:,} customers, {days} days, on the base "
            f"scenario, {experiment.scenario.name}.{conditions}{scale}",
            style={"font-size": "0.85em"},
        )
        for note in horizon:
            solara.Text(note, style={"font-size": "0.85em", "font-style": "italic"})
        for warning in warnings:
            solara.Warning(warning)
        for problem in problems:
            solara.Error(problem, style_="white-space: pre-wrap")
        for name in idle:
            solara.Warning(
                f"{strategy_label(name)} does nothing within {days} days: its campaign actions "
                f"start after day {days}, so it runs the base scenario as written. Choose more "
                "days to see it."
            )


def _plan_refused(
    planned: tuple[list[str], ...] | None, alone: tuple[list[str], ...], experiment: Experiment
) -> str:
    """Say why a plan edited in the Campaign tab cannot run in the experiment.

    ``planned`` and ``alone`` are :func:`_check`'s answers for the request with the plan
    (None without one) and without it. Empty if the plan can run, or if the request cannot
    run without it either (its own problems are then shown). The plan was edited for another
    scenario: one with other brands, channels or influencers than the experiment's base
    scenario cannot run on it.
    """
    if planned is None or not planned[0] or alone[0]:
        return ""
    problems = planned[0]
    lines = [line.strip() for problem in problems for line in problem.splitlines()[1:]]
    more = f"; and {len(lines) - 2} more" if len(lines) > 2 else ""
    base = experiment.scenario.name
    return (
        f"{strategy_label(EDITED_PLAN)} cannot run in {experiment.name}: it uses what {base}, "
        f"the experiment's base scenario, lacks ({'; '.join(lines[:2])}{more}). A plan edited "
        f"for {base} can run here."
    )


def _check(request: Request) -> tuple[list[str], list[str], list[str], list[str]]:
    """Return why the request cannot run, its idle strategies, and notes on its brands and days.

    The idle strategies do nothing in the request's days (:func:`idle_strategies`); the
    notes name the strategies with brands the base scenario lacks (:func:`brand_notes`),
    and those whose plans the days leave out or cut short (:func:`horizon_note`).
    Not checked beyond the choice of strategies while more than the page's limit are chosen
    (:func:`choice_problem` says so).
    """
    if not 0 < len(request.names) <= MAX_STRATEGIES:
        return [], [], [], []
    experiment, problems = checked_experiment(request)
    if experiment is None:
        return problems, [], [], []
    chosen = request.names
    idle = idle_strategies(experiment, chosen, request.days)
    cut = horizon_note(experiment, chosen, idle)
    return [], idle, brand_notes(experiment, chosen), [cut] if cut else []


def _descriptions(files: dict[str, Path], stems: tuple[str, ...]) -> dict[str, str]:
    """Return the scenario files' descriptions by stem ("" for a file that does not load)."""
    descriptions = {}
    for stem in stems:
        try:
            descriptions[stem] = load_scenario(files[stem]).description.strip()
        except InputError:
            descriptions[stem] = ""
    return descriptions


@solara.component
def _Progress(status: Status) -> None:
    if status.phase == "running":
        share = status.done / status.planned if status.planned else 0.0
        solara.ProgressLinear(value=100 * share)
        what = f"{status.done} of {status.planned} runs done" if status.planned else "starting"
        solara.Text(what, style={"font-size": "0.85em"})
    elif status.phase == "cancelled":
        solara.Info(f"Cancelled after {status.done} of {status.planned} runs.")
    elif status.phase == "failed":
        solara.Error(f"The comparison failed.\n{status.message}", style_="white-space: pre-wrap")
    elif status.phase == "finished":
        solara.Text(f"{status.planned} runs done.", style={"font-size": "0.85em"})
        if status.message:
            solara.Error(status.message, style_="white-space: pre-wrap")
        _Downloads(status.comparison)


@solara.component
def _Downloads(comparison: Comparison) -> None:
    name = comparison.experiment.name
    runs = solara.use_memo(lambda: comparison.results.to_csv(index=False), [comparison])
    summary = solara.use_memo(lambda: summary_table(comparison).to_csv(index=False), [comparison])
    with solara.Row():
        solara.FileDownload(
            runs, filename=f"{name}-runs.csv", label="Runs (CSV)", mime_type="text/csv"
        )
        solara.FileDownload(
            summary,
            filename=f"{name}-summary.csv",
            label="Summary (CSV)",
            mime_type="text/csv",
        )


@solara.component
def CompareResults(session: CompareSession) -> None:
    """Show the summary table and the daily bands of the finished comparison."""
    comparison = session.status.value.comparison
    if comparison is None:
        solara.Text(
            "Choose two to four strategies and press Run: each strategy's mean with its 95% "
            "confidence interval, the paired difference from the baseline, and the daily "
            "series with 95% bands appear here.",
            style={"font-size": "0.9em"},
        )
    else:
        _Results(session, comparison)


@solara.component
def _Results(session: CompareSession, comparison: Comparison) -> None:
    experiment = comparison.experiment
    outcomes = experiment.outcomes
    outcome = session.outcome.value if session.outcome.value in outcomes else outcomes[0]
    table = solara.use_memo(lambda: summary_table(comparison), [comparison])
    brands = solara.use_memo(lambda: brand_notes(experiment, experiment.strategies), [comparison])
    picture = solara.use_memo(lambda: _picture(comparison, outcome), [comparison, outcome])
    replications = experiment.replications
    money = tuple(name for name in MONEY if name in outcomes)
    picked = session.files.get(session.experiment.value)
    with solara.Column(gap="6px"):
        solara.Text(
            f"Results of {experiment.name}: "
            + ", ".join(strategy_label(name) for name in experiment.strategies),
            style={"font-weight": "bold", "font-size": "1.05em"},
        )
        source = session.status.value.source
        ran, asked = session.status.value.request, session.request.value
        if picked is not None and picked.stem != source:
            solara.Info(
                f"These are the last comparison's results, of {source}; press Run to compare "
                f"the strategies of {picked.stem}.",
                dense=True,
            )
        elif None not in (ran, asked) and ran != asked:
            solara.Info(
                "These results are of the settings as they were when Run was pressed; the "
                "settings (or the edited plan) have changed since: press Run to compare them.",
                dense=True,
            )
        solara.Text("Money (mean with its 95% interval)", style={"font-weight": "bold"})
        with solara.Div(style=TABLE_BOX):
            solara.HTML(
                tag="table", unsafe_innerHTML=money_table_html(table, money), style=TABLE_STYLE
            )
        if "roi" in money:
            solara.Text(ROI_MEANING, style=_NOTE)
        for note in brands:
            solara.Warning(note, dense=True)
        for line in verdicts(table, experiment.baseline, money):  # "Rp" kept with its value
            solara.Text(line.replace("Rp ", "Rp\u00a0"), style={"font-size": "0.9em"})
        solara.Select(
            "outcome",
            values=[outcome_label(o) for o in outcomes],
            value=outcome_label(outcome),
            on_value=lambda label: session.outcome.set(
                outcomes[[outcome_label(o) for o in outcomes].index(label)]
            ),
        )
        with solara.Div(style=TABLE_BOX):
            solara.HTML(
                tag="table",
                unsafe_innerHTML=outcome_table_html(
                    table[table["outcome"] == outcome], experiment.baseline, outcome
                ),
                style=TABLE_STYLE,
            )
        solara.Text(
            f"Mean over {replications} replications with its 95% t interval; the difference "
            f"from {strategy_label(experiment.baseline)} is paired by replication (the same "
            "seeds), with its 95% paired-t interval; (n.s.): the interval includes 0.",
            style=_NOTE,
        )
        if daily_series(comparison, outcome) is None:
            solara.Info(no_series_note(outcome), dense=True)
        Picture(*picture)


def _picture(comparison: Comparison, outcome: str) -> tuple[str, str]:
    figure, series = bands_figure(comparison, outcome)
    return data_url(figure), f"daily {series} by strategy, mean with 95% band"


def _load(path: Path | None, folder: Path) -> Experiment | str:
    """Load an experiment file, or return its problems as the page shows them."""
    if path is None:
        return f"No experiment file (*.toml) in {folder}."
    try:
        return load_experiment(path)
    except InputError as error:
        return str(error)
