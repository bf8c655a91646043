"""The Compare page: two to four strategies of an experiment, side by side, with statistics.

A strategist picks an experiment file (``experiments/*.toml``), two to four of its
strategies, a number of replications and a market small enough to run in about a minute,
and presses Run. The runs go through :func:`ecosim.experiment.run_experiment`, the runner
of ``ecosim batch``, in a background thread of the server (in-process, one run after
another), into a temporary results folder of the browser session; a progress bar counts
the runs. :func:`ecosim.report.compare` then gives each strategy's mean with its 95%
confidence interval, the paired difference from the baseline with its interval, and the
daily series with 95% bands; both tables download as CSV.

The comparison is a *reduced* experiment (:func:`reduced_experiment`): the chosen
strategies, on the base scenario alone (the experiment's market conditions are not varied),
with the chosen replications, customers and days, built by
:func:`ecosim.experiment.load_experiment` with overrides so that it is validated like the
file. Its seed is the experiment's, so replication *r* of every strategy uses the same
seed (common random numbers) as in ``ecosim batch``.

A :class:`CompareSession` per browser session holds the choices, the background run and
its results, so they outlive a switch to another page of the app.
"""

from __future__ import annotations

import html
import math
import shutil
import tempfile
import textwrap
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import solara
from matplotlib.figure import Figure

from ecosim.analysis import daily_column
from ecosim.errors import InputError
from ecosim.experiment import (
    Experiment,
    ExperimentError,
    describe_failures,
    load_experiment,
    plan_runs,
    run_experiment,
    strategy_overrides,
)
from ecosim.plots import daily_bands_plot
from ecosim.report import Comparison, compare
from ecosim.scenario import Scenario, apply_overrides
from ecosim.ui.scenarios import scenario_files
from ecosim.ui.style import Picture, data_url

__all__ = [
    "CUSTOMERS",
    "DAYS",
    "DEFAULT_EXPERIMENT",
    "EDITED_PLAN",
    "MAX_STRATEGIES",
    "MIN_STRATEGIES",
    "MONEY",
    "NAMES",
    "REPLICATIONS",
    "ROI_MEANING",
    "CompareResults",
    "CompareSession",
    "CompareSettings",
    "Request",
    "Status",
    "bands_figure",
    "choice_problem",
    "comparison_baseline",
    "default_strategies",
    "experiment_folder",
    "formatted",
    "idle_strategies",
    "outcome_label",
    "reduced_experiment",
    "summary_table",
    "verdicts",
]

MIN_STRATEGIES, MAX_STRATEGIES = 2, 4
REPLICATIONS = (2, 20, 5)
"""Smallest, largest and default number of replications per strategy."""
CUSTOMERS = (100, 10_000, 2_000)
"""Smallest, largest and default number of customers."""
DAYS = (10, 365, 120)
"""Smallest, largest and default number of days."""
DEFAULT_EXPERIMENT = "strategy_comparison"
EDITED_PLAN = "edited_plan"
"""The strategy name of the campaign plan edited in the Campaign tab."""
MONEY = ("total_profit", "total_revenue", "total_marketing_cost", "roi")
"""The outcomes of the strategist's table, in its order."""
NAMES = {
    "total_profit": "profit",
    "total_revenue": "revenue",
    "total_marketing_cost": "marketing cost",
    "total_gross_margin": "gross margin",
    "total_clv": "customer lifetime value",
    "roi": "marketing ROI",
    "final_adopted_share": "customers who have bought (share, last day)",
    "final_engaged_share": "engaged customers (share, last day)",
    "final_churned_customers": "churned customers (last day)",
    "net_sentiment": "net sentiment of word of mouth",
}
"""Plain names of outcomes (others are named by :func:`outcome_label`)."""
ROI_MEANING = (
    "marketing ROI: (gross margin − marketing cost) / marketing cost; unlike profit, it "
    "leaves out service and programme costs."
)
"""What the ROI of a run (:func:`ecosim.metrics.summarize`) counts, as the page says it."""
_TITLE_WIDTH = 45
"""Characters per line of a chart's title (the charts are 4.8 inches wide)."""

_TABLE_STYLE = "font-size: 0.85em; border-collapse: collapse; width: 100%"
_CELL = "padding: 2px 6px; border-bottom: 1px solid #ddd"


def experiment_folder() -> Path:
    """Return the folder of experiment files: ``./experiments``, else the project's."""
    local = Path("experiments")
    return (local if local.is_dir() else Path(__file__).parents[2] / local).resolve()


# ---------------------------------------------------------------- what to run


@dataclass(frozen=True)
class Request:
    """What the strategist asked to compare.

    Attributes
    ----------
    experiment : Path
        The experiment file.
    strategies : tuple of str
        Two to four of its strategies.
    replications, customers, days : int
    plan : list of dict, optional
        A campaign plan (edited in the Campaign tab) to run as the strategy
        :data:`EDITED_PLAN` besides the chosen ones.
    """

    experiment: Path
    strategies: tuple[str, ...]
    replications: int
    customers: int
    days: int
    plan: list[dict] | None = None


def choice_problem(strategies: tuple[str, ...] | list[str]) -> str:
    """Say what is wrong with a choice of strategies, or return ``""`` if it can run.

    Examples
    --------
    >>> choice_problem(["a"])
    'Choose at least 2 strategies to compare (1 chosen).'
    >>> choice_problem(["a", "b"])
    ''
    """
    if len(strategies) < MIN_STRATEGIES:
        return f"Choose at least {MIN_STRATEGIES} strategies to compare ({len(strategies)} chosen)."
    if len(strategies) > MAX_STRATEGIES:
        return f"Choose at most {MAX_STRATEGIES} strategies to compare ({len(strategies)} chosen)."
    return ""


def default_strategies(experiment: Experiment) -> tuple[str, ...]:
    """Return the strategies chosen at first: the baseline and the next in the file."""
    others = [name for name in experiment.strategies if name != experiment.baseline]
    return (experiment.baseline, *others[: MIN_STRATEGIES - 1])


def comparison_baseline(experiment: Experiment, chosen: tuple[str, ...] | list[str]) -> str:
    """Return the strategy the chosen ones are compared with.

    The experiment's baseline if it is chosen, else the first chosen strategy in the
    file's order (the experiment's baseline when none is chosen).
    """
    if experiment.baseline in chosen:
        return experiment.baseline
    return next((name for name in experiment.strategies if name in chosen), experiment.baseline)


def idle_strategies(experiment: Experiment, chosen: tuple[str, ...], days: int) -> list[str]:
    """Return the chosen strategies that change nothing within a horizon of ``days`` days.

    Such a strategy changes only the campaign, and every action it adds or changes starts
    after the last day (``influencer_seeding`` starts on day 20: in 10-day runs it is the
    base scenario's plan). A strategy that changes nothing at all is not listed.

    Parameters
    ----------
    experiment : Experiment
    chosen : tuple of str
        Names of the chosen strategies.
    days : int
        The horizon of the runs.

    Returns
    -------
    list of str
        In the order of ``chosen``.
    """
    base = experiment.scenario
    data = base.model_dump(exclude_none=True)
    within = [action for action in base.campaign if action.start <= days]
    idle = []
    for name in chosen:
        overrides = strategy_overrides(base, experiment.strategies[name])
        changed = Scenario.model_validate(apply_overrides(data, overrides, source=name))
        if changed == base or changed.model_copy(update={"campaign": base.campaign}) != base:
            continue
        if [action for action in changed.campaign if action.start <= days] == within:
            idle.append(name)
    return idle


def reduced_experiment(request: Request) -> Experiment:
    """Build the experiment a comparison runs, validated like an experiment file.

    The chosen strategies only, on the base scenario alone (no market conditions), with
    the requested replications, customers and days. The baseline stays the experiment's
    if it is chosen; otherwise it is the first chosen strategy (:func:`comparison_baseline`).

    Parameters
    ----------
    request : Request

    Returns
    -------
    Experiment

    Raises
    ------
    ExperimentError
        If the file is not a valid experiment, a strategy is unknown, or the strategies
        do not fit the requested market.
    """
    full = load_experiment(request.experiment)
    if request.plan is not None and len(request.strategies) + 1 > MAX_STRATEGIES:
        raise ExperimentError(
            str(request.experiment),
            [("strategies", f"with {EDITED_PLAN}, choose at most {MAX_STRATEGIES - 1} others")],
        )
    unknown = [name for name in request.strategies if name not in full.strategies]
    if unknown:
        known = ", ".join(full.strategies)
        problems = [
            ("strategies", f"unknown strategy {name!r} (expected one of: {known})")
            for name in unknown
        ]
        raise ExperimentError(str(request.experiment), problems)
    chosen = [name for name in full.strategies if name in request.strategies]
    strategies = {name: full.strategies[name].model_dump() for name in chosen}
    if request.plan is not None:
        strategies[EDITED_PLAN] = {
            "description": "The campaign plan edited in the Campaign tab.",
            "set": {"campaign": request.plan},
        }
    outcomes = [*MONEY, *(name for name in full.outcomes if name not in MONEY)]
    return load_experiment(
        request.experiment,
        overrides={
            "strategies": strategies,
            "baseline": comparison_baseline(full, chosen or [EDITED_PLAN]),
            "outcomes": outcomes,
            "replications": request.replications,
            "customers": request.customers,
            "days": request.days,
            "conditions": None,
            "sensitivity": {},
        },
    )


# ---------------------------------------------------------------- the run


@dataclass(frozen=True, eq=False)
class Status:
    """Where a session's comparison stands.

    Attributes
    ----------
    phase : {"idle", "running", "finished", "cancelled", "failed"}
        ``failed``: nothing to show (an invalid experiment, an error, no finished run).
    done, planned : int
        Runs finished or failed, and runs planned.
    comparison : Comparison, optional
        The statistics, once finished.
    message : str
        What went wrong: the error when failed, the failed runs when finished.
    """

    phase: Literal["idle", "running", "finished", "cancelled", "failed"] = "idle"
    done: int = 0
    planned: int = 0
    comparison: Comparison | None = None
    message: str = ""


class _Cancelled(Exception):
    """Raised from the progress hook to stop a batch the strategist cancelled."""


class CompareSession:
    """One browser session's Compare page: the choices, the run in the background, results.

    The choices and the status are reactive values, so the page redraws when the run
    advances; they live as long as the session, not only while the page is shown. Each
    run writes into its own folder under a temporary folder of the session, removed by
    :meth:`close`.

    Parameters
    ----------
    experiments : Path, optional
        The folder of experiment files (default: :func:`experiment_folder`).
    """

    def __init__(self, experiments: Path | None = None):
        self.experiments = experiments or experiment_folder()
        self.files = scenario_files(self.experiments)
        first = (
            DEFAULT_EXPERIMENT if DEFAULT_EXPERIMENT in self.files else next(iter(self.files), "")
        )
        self.experiment = solara.reactive(first)
        self.strategies: solara.Reactive[tuple[str, ...] | None] = solara.reactive(None)
        self.replications = solara.reactive(REPLICATIONS[2])
        self.customers = solara.reactive(CUSTOMERS[2])
        self.days = solara.reactive(DAYS[2])
        self.outcome: solara.Reactive[str | None] = solara.reactive(None)
        self.status = solara.reactive(Status())
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._folder: Path | None = None
        self._closed = False

    @property
    def running(self) -> bool:
        """Whether a comparison is running."""
        return self.status.value.phase == "running"

    def pick(self, name: str) -> None:
        """Use another experiment file; its default strategies are chosen."""
        self.experiment.set(name)
        self.strategies.set(None)
        self.outcome.set(None)

    def start(self, request: Request) -> None:
        """Run a comparison in a background thread (nothing happens while one runs).

        The results of the previous comparison are removed from disk (the page keeps
        showing them until the new one has finished).
        """
        if self.running:
            return
        self.wait()  # the thread of the previous comparison may still be ending
        with self._lock:
            if self._closed:
                return
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="ecosim-compare-"))
            for previous in self._folder.iterdir():
                shutil.rmtree(previous, ignore_errors=True)
            out = Path(tempfile.mkdtemp(prefix="run-", dir=self._folder))
            self._stop = threading.Event()
            thread = threading.Thread(
                target=self._work, args=(request, out, self._stop), daemon=True
            )
            self._thread = thread
        self.status.set(Status("running"))
        thread.start()

    def cancel(self) -> None:
        """Stop the running comparison after the run under way."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running comparison to end; return whether none is running."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self._thread is None

    def close(self) -> None:
        """Stop any run and remove the session's results (at the end of the session)."""
        with self._lock:
            self._closed = True
            self._stop.set()
            if self._thread is None:
                self._remove()

    def _work(self, request: Request, out: Path, stop: threading.Event) -> None:
        """Run the comparison, show how it ended, then let the next one start."""
        try:
            self._show(self._compare(request, out, stop))  # not under the lock: it redraws
        finally:
            with self._lock:
                self._thread = None
                if self._closed:
                    self._remove()

    def _compare(self, request: Request, out: Path, stop: threading.Event) -> Status:
        def advance(done: int, planned: int) -> None:
            if stop.is_set():
                raise _Cancelled
            self._show(Status("running", done, planned))

        try:
            experiment = reduced_experiment(request)
            planned = len(plan_runs(experiment))
            self._show(Status("running", 0, planned))
            batch = run_experiment(experiment, out, serial=True, progress=False, on_run=advance)
            failures = describe_failures(out) if batch.failed else ""
            message = f"{batch.failed} of {planned} runs failed:\n{failures}" if failures else ""
            return Status("finished", planned, planned, compare(out), message)
        except _Cancelled:
            return Status("cancelled", self.status.value.done, self.status.value.planned)
        except InputError as error:
            return Status("failed", message=str(error))
        except Exception as error:  # the page reports any error instead of dying with it
            return Status("failed", message=f"{type(error).__name__}: {error}")

    def _show(self, status: Status) -> None:
        if not self._closed:
            self.status.set(status)

    def _remove(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


# ---------------------------------------------------------------- results


def summary_table(comparison: Comparison) -> pd.DataFrame:
    """Each strategy's mean and the paired difference from the baseline, per outcome.

    Parameters
    ----------
    comparison : Comparison
        Of an experiment without market conditions.

    Returns
    -------
    pandas.DataFrame
        ``outcome, strategy, n, mean, ci_low, ci_high`` (the mean with its 95% t interval),
        then ``difference, difference_ci_low, difference_ci_high, p_value`` from the
        baseline, paired by replication (empty for the baseline); by outcome, then
        strategy in the experiment's order.
    """
    summary = comparison.summary[["outcome", "strategy", "n", "mean", "ci_low", "ci_high"]]
    columns = ["outcome", "strategy", "difference", "ci_low", "ci_high", "p_value"]
    differences = comparison.differences.reindex(columns=columns).rename(
        columns={"ci_low": "difference_ci_low", "ci_high": "difference_ci_high"}
    )
    table = summary.merge(differences, on=["outcome", "strategy"], how="left")
    order = {name: i for i, name in enumerate(comparison.experiment.outcomes)}
    return table.sort_values("outcome", key=lambda c: c.map(order), kind="stable").reset_index(
        drop=True
    )


def bands_figure(comparison: Comparison, outcome: str) -> tuple[Figure, str]:
    """Draw the daily series behind an outcome per strategy, with 95% bands.

    ``final_<x>`` shows the daily ``<x>``, ``total_<x>`` its cumulative sum; outcomes
    without a daily series (``roi``) show the share of customers who have bought.

    Returns
    -------
    figure : matplotlib.figure.Figure
    series : str
        What the figure shows, e.g. ``cumulative revenue``.
    """
    columns = [key.removeprefix("cumulative_") for key in comparison.bands]
    column, cumulative = daily_column(outcome, columns) or ("adopted_share", False)
    key = f"cumulative_{column}" if cumulative else column
    if key not in comparison.bands:
        column, cumulative, key = "adopted_share", False, "adopted_share"
    strategies = list(comparison.experiment.strategies)
    figure = daily_bands_plot(comparison.bands[key], column, strategies, cumulative=cumulative)
    label = outcome_label(f"total_{column}" if cumulative else column)
    for ax in figure.axes:
        ax.set_ylabel(label.replace(" (total)", ", cumulative"))
    figure.suptitle(textwrap.fill(figure.get_suptitle(), _TITLE_WIDTH))
    return figure, f"cumulative {column}" if cumulative else column


def outcome_label(outcome: str) -> str:
    """Return an outcome's plain name, with its unit.

    Examples
    --------
    >>> outcome_label("total_profit"), outcome_label("total_shares")
    ('profit (Rp thousand)', 'shares (total)')
    """
    name = NAMES.get(outcome) or (
        outcome.removeprefix("total_").replace("_", " ") + " (total)"
        if outcome.startswith("total_")
        else outcome.removeprefix("final_").replace("_", " ")
    )
    return f"{name} (Rp thousand)" if _is_money(outcome) else name


def _is_money(outcome: str) -> bool:
    return any(word in outcome for word in ("profit", "revenue", "cost", "margin", "clv", "value"))


def formatted(x: float | None, outcome: str) -> str:
    """Write a value of an outcome for the page: money in Rp thousands, shares in percent.

    Examples
    --------
    >>> formatted(1234567.8, "total_profit"), formatted(0.4123, "final_adopted_share")
    ('Rp 1,234,568k', '41.2%')
    >>> formatted(0.3149, "roi"), formatted(12345.0, "total_shares"), formatted(None, "roi")
    ('0.31', '12,345', '–')
    """
    if x is None or math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if _is_money(outcome):
        return f"Rp {x:,.0f}k"
    if outcome.endswith("share"):
        return f"{100 * x:.1f}%"
    if outcome == "roi" or abs(x) < 100:
        return f"{x:,.2f}"
    return f"{x:,.0f}"


def _interval(low: float, high: float, outcome: str) -> str:
    return f"[{formatted(low, outcome)}, {formatted(high, outcome)}]"


def _significant(row: object) -> bool:
    return row.difference_ci_low > 0 or row.difference_ci_high < 0


def verdicts(table: pd.DataFrame, baseline: str, outcomes: tuple[str, ...] = MONEY) -> list[str]:
    """Say, per strategy, how it changes each outcome from the baseline, and whether surely.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`summary_table`.
    baseline : str
    outcomes : tuple of str
        The outcomes to speak of (those in the table).

    Returns
    -------
    list of str
        One line per strategy other than the baseline, e.g. ``mass_advertising raises
        marketing ROI by 0.31 [0.30, 0.33] — significant``.
    """
    lines = []
    for strategy in table["strategy"].drop_duplicates():
        if strategy == baseline:
            continue
        parts = []
        for outcome in outcomes:
            rows = table[(table["strategy"] == strategy) & (table["outcome"] == outcome)]
            if rows.empty or math.isnan(rows["difference"].iloc[0]):
                continue
            row = next(rows.itertuples())
            rises = row.difference >= 0
            verb = "raises" if rises else "lowers"
            size = formatted(abs(row.difference), outcome)
            low, high = (
                (row.difference_ci_low, row.difference_ci_high)
                if rises
                else (-row.difference_ci_high, -row.difference_ci_low)
            )
            verdict = "significant" if _significant(row) else "not significant"
            name = NAMES.get(outcome, outcome)
            parts.append(f"{verb} {name} by {size} {_interval(low, high, outcome)} — {verdict}")
        if parts:
            lines.append(f"{strategy} " + "; ".join(parts))
    return lines


def _money_table_html(table: pd.DataFrame, outcomes: tuple[str, ...]) -> str:
    header = ["strategy", *(outcome_label(o) for o in outcomes)]
    cells = ["".join(f"<th style='{_CELL}; text-align:left'>{html.escape(h)}</th>" for h in header)]
    for strategy in table["strategy"].drop_duplicates():
        values = [str(strategy)]
        for outcome in outcomes:
            rows = table[(table["strategy"] == strategy) & (table["outcome"] == outcome)]
            if rows.empty:
                values.append("–")
                continue
            row = next(rows.itertuples())
            values.append(
                f"{formatted(row.mean, outcome)} {_interval(row.ci_low, row.ci_high, outcome)}"
            )
        cells.append("".join(f"<td style='{_CELL}'>{html.escape(v)}</td>" for v in values))
    return "".join(f"<tr>{line}</tr>" for line in cells)


def _table_html(rows: pd.DataFrame, baseline: str, outcome: str) -> str:
    header = ("strategy", "mean", "95% CI", f"difference from {baseline}", "95% CI")
    cells = ["".join(f"<th style='{_CELL}; text-align:left'>{html.escape(h)}</th>" for h in header)]
    for row in rows.itertuples():
        if row.strategy == baseline or math.isnan(row.difference):
            difference = ("—", "")
        else:
            mark = "" if _significant(row) else " (n.s.)"
            difference = (
                formatted(row.difference, outcome) + mark,
                _interval(row.difference_ci_low, row.difference_ci_high, outcome),
            )
        values = (
            str(row.strategy),
            formatted(row.mean, outcome),
            _interval(row.ci_low, row.ci_high, outcome),
            *difference,
        )
        cells.append("".join(f"<td style='{_CELL}'>{html.escape(v)}</td>" for v in values))
    return "".join(f"<tr>{line}</tr>" for line in cells)


# ---------------------------------------------------------------- the page


@solara.component
def CompareSettings(session: CompareSession, plan: Scenario | None = None) -> None:
    """Choose the experiment, strategies, replications and market; Run, Cancel, progress.

    With a campaign plan edited in the Campaign tab (``plan``), it can run as one more
    strategy, :data:`EDITED_PLAN`, against the experiment's (its baseline is the scenario's
    own plan).
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
        )
        if isinstance(loaded, str):
            solara.Error(loaded, style={"white-space": "pre-wrap"})
        else:
            _Choices(session, loaded, files[name], plan)
        _Progress(status)


@solara.component
def _Choices(
    session: CompareSession, experiment: Experiment, path: Path, plan: Scenario | None
) -> None:
    with_plan = solara.use_reactive(True)
    edited = plan is not None and with_plan.value
    chosen = session.strategies.value
    if chosen is None:
        chosen = default_strategies(experiment)
    chosen = tuple(name for name in experiment.strategies if name in chosen)

    def toggle(strategy: str) -> Callable[[bool], None]:
        def on_value(on: bool) -> None:
            rest = tuple(name for name in chosen if name != strategy)
            session.strategies.set((*rest, strategy) if on else rest)

        return on_value

    running = session.running
    solara.Text(
        f"Strategies (choose {MIN_STRATEGIES} to {MAX_STRATEGIES}; differences are from "
        f"{comparison_baseline(experiment, chosen)}):",
        style={"font-size": "0.9em"},
    )
    with solara.Column(gap="0px"):
        for strategy, spec in experiment.strategies.items():
            solara.Checkbox(
                label=strategy,
                value=strategy in chosen,
                on_value=toggle(strategy),
                disabled=running,
                style="margin-top: 0; padding-top: 0; height: 28px",
            )
            if spec.description and strategy in chosen:
                solara.Text(spec.description, style={"font-size": "0.8em", "color": "#555"})
    solara.SliderInt(
        "replications",
        value=session.replications,
        min=REPLICATIONS[0],
        max=REPLICATIONS[1],
        disabled=running,
    )
    solara.SliderInt(
        "customers per run",
        value=session.customers,
        min=CUSTOMERS[0],
        max=CUSTOMERS[1],
        step=100,
        disabled=running,
    )
    solara.SliderInt("days per run", value=session.days, min=DAYS[0], max=DAYS[1], disabled=running)
    if plan is not None:
        solara.Checkbox(
            label=f"{EDITED_PLAN}: the plan edited in the Campaign tab",
            value=with_plan,
            disabled=running,
        )
    count = len(chosen) + edited
    runs = count * session.replications.value
    conditions = (
        " The experiment's market conditions are not varied here; ecosim batch runs them all."
        if experiment.conditions
        else ""
    )
    solara.Text(
        f"{runs} runs: {count} strategies × {session.replications.value} replications, "
        f"{session.customers.value:,} customers, {session.days.value} days, on the base "
        f"scenario.{conditions}",
        style={"font-size": "0.85em"},
    )
    problem = choice_problem((*chosen, *[EDITED_PLAN] * edited))
    if problem:
        solara.Warning(problem)
    days = session.days.value
    idle = solara.use_memo(
        lambda: idle_strategies(experiment, chosen, days), [experiment, chosen, days]
    )
    for name in idle:
        solara.Warning(
            f"{name} does nothing within {days} days: its campaign actions start after day "
            f"{days}, so it runs the base scenario as written. Choose more days to see it."
        )
    actions = [a.model_dump(exclude_none=True) for a in plan.campaign] if edited else None
    request = Request(
        path,
        chosen,
        session.replications.value,
        session.customers.value,
        session.days.value,
        actions,
    )
    with solara.Row():
        solara.Button(
            "Run",
            on_click=lambda: session.start(request),
            disabled=bool(problem) or running,
            color="primary",
        )
        solara.Button("Cancel", on_click=session.cancel, disabled=not running)


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
        solara.Error(f"The comparison failed.\n{status.message}", style={"white-space": "pre-wrap"})
    elif status.phase == "finished":
        solara.Text(f"{status.planned} runs done.", style={"font-size": "0.85em"})
        if status.message:
            solara.Error(status.message, style={"white-space": "pre-wrap"})
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
    picture = solara.use_memo(lambda: _picture(comparison, outcome), [comparison, outcome])
    replications = experiment.replications
    money = tuple(name for name in MONEY if name in outcomes)
    with solara.Column(gap="6px"):
        solara.Text("Money (mean with its 95% interval)", style={"font-weight": "bold"})
        solara.HTML(
            tag="table", unsafe_innerHTML=_money_table_html(table, money), style=_TABLE_STYLE
        )
        if "roi" in money:
            solara.Text(ROI_MEANING, style={"font-size": "0.8em", "color": "#555"})
        for line in verdicts(table, experiment.baseline, money):
            solara.Text(line, style={"font-size": "0.9em"})
        solara.Select(
            "outcome",
            values=[outcome_label(o) for o in outcomes],
            value=outcome_label(outcome),
            on_value=lambda label: session.outcome.set(
                outcomes[[outcome_label(o) for o in outcomes].index(label)]
            ),
        )
        solara.HTML(
            tag="table",
            unsafe_innerHTML=_table_html(
                table[table["outcome"] == outcome], experiment.baseline, outcome
            ),
            style=_TABLE_STYLE,
        )
        solara.Text(
            f"Mean over {replications} replications with its 95% t interval; the difference "
            f"from {experiment.baseline} is paired by replication (the same seeds), with its "
            "95% paired-t interval; (n.s.): the interval includes 0.",
            style={"font-size": "0.8em", "color": "#555"},
        )
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
