"""The statistics of an experiment's results folder: :func:`compare` gives a :class:`Comparison`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ecosim.analysis import (
    daily_bands,
    daily_column,
    decompose_adoption,
    describe,
    paired_differences,
    spend_comparison,
)
from ecosim.experiment.plan import condition_table, plan_runs, run_ids
from ecosim.experiment.record import Record, read_record, refuse_replanned, refuse_resized
from ecosim.experiment.schema import Experiment, ExperimentError
from ecosim.metrics import bounds, split_column
from ecosim.store import ResultStore, is_held

__all__ = ["CONFIDENCE", "MAX_PANELS", "Comparison", "compare"]

CONFIDENCE = 0.95
MAX_PANELS = 12
"""Daily figures show one panel per condition up to this many conditions."""

_DECOMPOSITION = ("new_adopters", "gain", "expansion", "acceleration", "days_earlier")
_MATCHED = ("adopters_both", "only_programme", "only_baseline")
"""Measures of customers matched individually (:func:`ecosim.analysis.match_adopters`)."""
_STATISTICS = ("n", "mean", "sd", "ci_low", "ci_high")
"""The columns :func:`ecosim.analysis.describe` gives each measure."""


@dataclass(frozen=True)
class Comparison:
    """The statistics of one experiment's results folder.

    Attributes
    ----------
    experiment : Experiment
    results : pandas.DataFrame
        One row per finished run, ordered by condition, strategy (in the experiment's
        order) and replication.
    failures : pandas.DataFrame
        The runs that failed.
    summary : pandas.DataFrame
        :func:`ecosim.analysis.describe` of each outcome by condition and strategy.
    differences : pandas.DataFrame
        :func:`ecosim.analysis.paired_differences` from the baseline strategy, with the
        variance reduction that pairing achieved (``variance_reduction``).
    decomposition : pandas.DataFrame
        Expansion and acceleration (:func:`ecosim.analysis.decompose_adoption`)
        described by strategy and condition: ``measure, mean, ci_low, ci_high``.
    bands : dict of str to pandas.DataFrame
        :func:`ecosim.analysis.daily_bands` per daily column (``adopted_share`` and the
        outcomes' columns); the key of a cumulated column starts with ``cumulative_``.
    adoption_method : str
        How the decomposition matched adopters: ``"individual"`` (customer by customer,
        from the runs' adoption days), ``"curve"`` (in order of adoption, from the
        adoption curves: folders written before ecosim stored adoption days), ``"mixed"``,
        or ``""`` when there was no pair to decompose.
    spend : pandas.DataFrame
        :func:`ecosim.analysis.spend_comparison`: each strategy's spend against the
        baseline's, its incremental profit per extra Rp, and whether it costs the same;
        with several brands one row per brand (a ``brand`` column), each brand's own.
    confidence : float
        The confidence of every interval (and ``1 - confidence`` the level of every test).
    running : bool
        Whether an ``ecosim batch`` was still writing the folder when it was compared.
    """

    experiment: Experiment
    results: pd.DataFrame
    failures: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    decomposition: pd.DataFrame
    bands: dict[str, pd.DataFrame]
    adoption_method: str = ""
    spend: pd.DataFrame = field(default_factory=pd.DataFrame)
    confidence: float = CONFIDENCE
    running: bool = False

    @property
    def groups(self) -> list[str]:
        """Columns that identify a condition (empty without conditions)."""
        return (
            ["condition", *(p.label for p in self.experiment.parameters)]
            if self.experiment.conditions
            else []
        )

    @property
    def panels(self) -> bool:
        """Whether the daily bands are drawn per condition (else pooled over conditions)."""
        return any("condition" in bands.columns for bands in self.bands.values())

    @property
    def unfinished(self) -> list[str]:
        """The strategies without a finished run (every run failed), in the experiment's order."""
        finished = set(self.results["strategy"])
        return [name for name in self.experiment.strategies if name not in finished]

    def unfinished_sentences(self) -> list[str]:
        """Say which strategies have no finished run, and what that leaves out."""
        names = self.unfinished
        if not names:
            return []
        sentences = [f"No run of {', '.join(f'`{n}`' for n in names)} finished: not in the tables."]
        if self.experiment.baseline in names:
            sentences.append(
                f"The baseline `{self.experiment.baseline}` has no finished run, so no strategy "
                "is compared with it: the tables give each strategy's means only."
            )
        return sentences

    @property
    def planned(self) -> int:
        """How many runs the experiment has."""
        e = self.experiment
        return len(e.strategies) * len(condition_table(e)) * e.replications

    @property
    def pending(self) -> int:
        """How many planned runs neither finished nor failed (the batch was stopped early)."""
        failed = set(self.failures["run_id"]) if len(self.failures) else set()
        return len(run_ids(self.experiment) - set(self.results["run_id"]) - failed)

    def pending_sentences(self) -> list[str]:
        """Say that the batch has not finished, and what the tables then rest on."""
        if not self.pending:
            return []
        finished = len(self.results)
        runs = "the run that finished" if finished == 1 else f"the {finished} runs that finished"
        why, then = (
            ("the batch is still running", "Compare again once it has finished.")
            if self.running
            else (
                "the batch was stopped before it finished",
                "Rerun the same `ecosim batch` command into this folder to finish it.",
            )
        )
        return [
            f"**{self.pending} of the {self.planned} planned runs "
            f"{'has' if self.pending == 1 else 'have'} not run yet** ({why}): the tables "
            f"describe {runs}, so strategies' means may rest on different replications, and "
            f"each difference on the pairs that both finished. {then}"
        ]


def compare(directory: str | Path, confidence: float = CONFIDENCE) -> Comparison:
    """Compute the statistics of an experiment's results folder.

    Parameters
    ----------
    directory : str or Path
        The ``--out`` folder of ``ecosim batch``.
    confidence : float

    Returns
    -------
    Comparison

    Raises
    ------
    ExperimentError
        If the folder holds no batch experiment, or no finished run.
    StoreError
        If a run file is damaged or missing, or is no run of the folder's experiment (of
        another experiment, another design, or another horizon or population: copied in).
    """
    record: Record = read_record(directory)
    source = str(directory)
    if record.kind != "batch":
        raise ExperimentError(
            source,
            [("", f"holds a {record.method} sensitivity analysis, not a batch of strategies")],
        )
    experiment = record.experiment
    running = is_held(Path(directory))  # before its results are read
    store = ResultStore(directory)
    store.refuse_foreign(run_ids(experiment), experiment.name)
    results = store.results()
    if results.empty:
        raise ExperimentError(source, [("", "no run has finished yet; run ecosim batch first")])
    runs = plan_runs(experiment, posterior=False)  # the posterior's folder may be gone
    done = results.set_index("run_id", drop=False).to_dict("index")
    refuse_replanned(store, runs, done)
    refuse_resized(store, runs, done, experiment.scenario)
    order = {name: i for i, name in enumerate(experiment.strategies)}
    results = (
        results.assign(_order=results["strategy"].map(order))
        .sort_values(["condition", "_order", "replication"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    groups = (
        ["condition", *(p.label for p in experiment.parameters)] if experiment.conditions else []
    )
    outcomes = experiment.outcomes
    # an outcome no run reported (customer value, which runs of several brands give per
    # brand only) has no value in any run, as in the runs of a strategy that lacks it
    results = results.assign(**{o: np.nan for o in outcomes if o not in results.columns})
    ranges = {outcome: bounds(outcome) for outcome in outcomes}
    summary = describe(
        results, outcomes, by=[*groups, "strategy"], confidence=confidence, ranges=ranges
    )
    # an unfinished batch may have no run of the baseline yet: nothing to pair then
    paired = results if experiment.baseline in set(results["strategy"]) else results.iloc[:0]
    differences = paired_differences(
        paired, outcomes, experiment.baseline, by=groups, confidence=confidence
    )
    identification = results[["run_id", "strategy", *groups, "replication"]]
    alike = dict(
        zip(
            results["run_id"],
            zip(results["strategy"], results["condition"], strict=True),
            strict=True,
        )
    )
    daily = store.daily(list(results["run_id"]), alike).merge(identification, on="run_id")
    per_pair = decompose_adoption(
        daily if len(paired) else daily.iloc[:0],
        experiment.baseline,
        by=groups,
        adoption=store.adoption,
    )
    methods = set(per_pair["method"]) if len(per_pair) else set()
    method = methods.pop() if len(methods) == 1 else ("mixed" if methods else "")
    measures = [*_DECOMPOSITION, *(_MATCHED if method == "individual" else ())]
    decomposition = (
        describe(per_pair, measures, by=["strategy", *groups], confidence=confidence).rename(
            columns={"outcome": "measure"}
        )
        if len(per_pair)
        else pd.DataFrame(columns=["strategy", *groups, "measure", *_STATISTICS])
    )
    panel = ["condition"] if groups and results["condition"].nunique() <= MAX_PANELS else []
    bands = {}
    columns = [c for c in daily.columns if c not in ("run_id", "step")]
    wanted = [("adopted_share", False)]
    wanted += [found for outcome in outcomes if (found := daily_column(outcome, columns))]
    for column, cumulative in dict.fromkeys(wanted):
        key = f"cumulative_{column}" if cumulative else column
        bands[key] = daily_bands(
            daily,
            column,
            by=["strategy", *panel],
            cumulative=cumulative,
            confidence=confidence,
            within=bounds(column),
        )
    failures = pd.DataFrame(list(store.failures().values()))
    spend = _spend(paired, experiment.baseline, groups, confidence)
    return Comparison(
        experiment,
        results,
        failures,
        summary,
        differences,
        decomposition,
        bands,
        method,
        spend,
        confidence,
        running=running,
    )


def _spend(
    results: pd.DataFrame, baseline: str, groups: list[str], confidence: float
) -> pd.DataFrame:
    """Each strategy's spend and profit against the baseline's; per brand with several.

    In a market of several brands the totals add a brand's money to its competitors': a
    strategy that doubles one brand's advertising moves the market's spend by a percent
    when a competitor spends a hundred times more, and its profit by the competitor's
    losses. Each brand's own columns (``total_profit__<brand>``...) are compared instead,
    one row per strategy and brand, for the brands of the baseline's runs (a brand only a
    strategy runs has nothing to be compared with). A baseline of one brand is compared on
    the totals, which are its brand's, as before.
    """
    if "total_profit" not in results.columns:
        return pd.DataFrame()
    own = results[results["strategy"] == baseline]
    brands = [
        brand
        for column in results
        if (brand := split_column(column)[1])
        and split_column(column)[0] == "total_profit"
        and own[column].notna().any()
    ]
    if not brands:
        return spend_comparison(results, baseline, by=groups, confidence=confidence)
    each = [
        spend_comparison(results, baseline, by=groups, confidence=confidence, brand=brand)
        for brand in brands
    ]
    found = [
        rows.assign(brand=brand) for rows, brand in zip(each, brands, strict=True) if len(rows)
    ]
    if not found:  # no strategy's runs pair with the baseline's on a brand of both
        return pd.DataFrame()
    frame = pd.concat(found, ignore_index=True)
    order = {name: i for i, name in enumerate(dict.fromkeys(frame["strategy"]))}
    frame = frame.sort_values(
        [*groups, "strategy"],
        key=lambda c: c.map(order) if c.name == "strategy" else c,
        kind="stable",
    )
    columns = [*groups, "strategy", "brand"]
    return frame[[*columns, *(c for c in frame.columns if c not in columns)]].reset_index(drop=True)
