"""``report.md`` of an experiment: design, methods, results by outcome, figures and tables."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from ecosim.errors import InputError
from ecosim.experiment.plan import condition_table
from ecosim.experiment.schema import Experiment
from ecosim.metrics import MONEY_UNIT, OUTCOMES, is_money, split_column
from ecosim.plots import daily_bands_plot, outcome_means, paired_differences_plot, percent
from ecosim.report.comparison import Comparison
from ecosim.report.references import references_section
from ecosim.report.text import (
    cell,
    code_value,
    format_number,
    interval,
    p_value,
    profit_per_rp,
    share,
)
from ecosim.store import first_lines, write_figure, write_parquet, write_text

__all__ = ["write_report"]

REFERENCES = """\
- Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.).
  Lawrence Erlbaum.
- Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science:
  a practical primer for t-tests and ANOVAs. *Frontiers in Psychology*, 4, 863.
- Law, A. M. (2015). *Simulation Modeling and Analysis* (5th ed.). McGraw-Hill.
- Libai, B., Muller, E., & Peres, R. (2013). Decomposing the value of word-of-mouth seeding
  programs: acceleration versus expansion. *Journal of Marketing Research*, 50(2), 161–176.
"""
"""The works the report's methods cite (a report lists those it cites)."""

_NOTES = {
    "roi": "(total gross margin - total marketing cost) / total marketing cost",
    "net_sentiment": "(positive - negative) / (positive + negative) word of mouth over the run",
    "cascade_size": "customers who have bought, on the last day",
    "share_of_wallet": "the brand's share of the brands' purchases over the run",
    "total_clv": "customer lifetime value summed over customers: the margin earned and the "
    "margin expected from them, both discounted to day 0",
    "total_realised_value": "margin earned from the customers, discounted to day 0",
    "total_future_value": "margin expected from the customers after the run, discounted to day 0",
    "mean_clv_per_buyer": "customer lifetime value per customer who bought",
    "a_class_customers": "customers in ABC class A: the best buyers, who make 80% of revenue",
}


HEADING = ": which strategy wins, by how much, how surely"
"""How a report's first line ends, after the experiment's name."""


def written_by_compare(path: Path) -> bool:
    """Whether ``path`` is a ``report.md`` :func:`write_report` wrote (by its first line).

    Examples
    --------
    >>> from pathlib import Path
    >>> report = Path("docs/experiments/loyalty_designs/report.md")
    >>> written_by_compare(report), written_by_compare(Path("README.md"))
    (True, False)
    """
    return any(line.startswith("# ") and line.endswith(HEADING) for line in first_lines(path))


def write_report(comparison: Comparison, directory: str | Path) -> Path:
    """Write ``report.md``, its figures and its tables into ``directory``.

    Parameters
    ----------
    comparison : Comparison
    directory : str or Path

    Returns
    -------
    Path
        The report.

    Raises
    ------
    InputError
        If ``comparison`` is not a :class:`Comparison` (a results folder's path, say).
    """
    if not isinstance(comparison, Comparison):
        raise InputError(
            "comparison: expected the statistics of a results folder, "
            f"ecosim.report.compare(folder) (got {type(comparison).__name__} "
            f"{comparison!r:.60})"
        )
    directory = Path(directory)
    e = comparison.experiment
    strategies = list(e.strategies)
    group = "condition" if comparison.groups else None
    labels = _condition_labels(e)
    shared = {"group": group, "labels": labels, "confidence": comparison.confidence}
    figures = {
        "outcomes": outcome_means(comparison.summary, e.outcomes, strategies, **shared),
        "differences": paired_differences_plot(
            comparison.differences, e.outcomes, strategies, **shared
        )
        if len(comparison.differences)
        else None,
    }
    for key, bands in comparison.bands.items():
        column = key.removeprefix("cumulative_")
        panel = "condition" if comparison.panels else None
        figures[f"daily_{key}"] = daily_bands_plot(
            bands,
            column,
            strategies,
            panel=panel,
            labels=labels,
            cumulative=key != column,
            confidence=comparison.confidence,
        )
    path = directory / "report.md"  # first: a folder it was written into is compare's
    write_text(
        _comparison_markdown(comparison, [k for k, f in figures.items() if f is not None]), path
    )
    for name, figure in figures.items():
        if figure is not None:
            write_figure(figure, directory / "figures" / f"{name}.png", dpi=90)
    tables = {
        "summary": comparison.summary,
        "differences": comparison.differences,
        "decomposition": comparison.decomposition,
        "spend": comparison.spend,
    }
    for name, table in tables.items():  # each says its intervals' level
        table = table.assign(confidence=comparison.confidence)
        write_text(table.to_csv(index=False), directory / "tables" / f"{name}.csv")
    failed = directory / "tables" / "failed.parquet"
    if len(comparison.failures):
        write_parquet(comparison.failures, failed)
    else:  # the failures of an earlier report of this folder, since redone
        failed.unlink(missing_ok=True)
    return path


def _comparison_markdown(c: Comparison, figures: list[str]) -> str:
    e = c.experiment
    s = e.scenario
    conditions = condition_table(e)
    finished, failed = len(c.results), len(c.failures)
    lines = [f"# {e.name}{HEADING}", ""]
    if e.description:
        lines += [e.description.strip(), ""]
    lines += [
        "## Design",
        "",
        "| | |",
        "|---|---|",
        "| base scenario | "
        + cell(
            f"`{s.name}`"
            + (f" (`{e.scenario_file}`)" if e.scenario_file else "")
            + f": {s.population.size:,} customers, {s.days} days"
        )
        + " |",
        f"| strategies | {len(e.strategies)}; baseline `{e.baseline}` |",
        f"| market conditions | {_conditions_text(e, len(conditions))} |",
        f"| replications | {e.replications} per strategy and condition |",
        f"| runs | {c.planned} planned, {finished} finished, {failed} failed |",
        f"| experiment seed | {e.seed} |",
    ]
    if e.posterior is not None:
        lines.append(
            "| calibrated uncertainty | replication *r* of every strategy runs with draw *r* "
            f"of the posterior in {cell(f'`{e.posterior.source}`')} (`ecosim calibrate`'s folder) |"
        )
    if e.overrides:
        changes = "; ".join(f"`{k}` = {code_value(v)}" for k, v in e.overrides.items())
        lines.append(f"| changes on the command line | {cell(changes)} |")
    lines += [
        "",
        "### Strategies",
        "",
        "| strategy | description | changes to the base scenario |",
        "|---|---|---|",
    ]
    for name, strategy in e.strategies.items():
        changes = [f"`{k}` = {code_value(v)}" for k, v in strategy.set.items()]
        changes += [f"`{k}` += {len(v)} item(s)" for k, v in strategy.append.items()]
        listed = "; ".join(changes) or "none"
        if strategy.scenario is not None:
            listed = f"the file `{strategy.scenario}`: {listed}"
        label = f"**{name}** (baseline)" if name == e.baseline else f"**{name}**"
        lines.append(f"| {label} | {cell(strategy.description)} | {cell(listed)} |")
    if e.conditions:
        labels = [p.label for p in e.parameters]
        lines += [
            "",
            "### Market conditions",
            "",
            "| condition | " + " | ".join(f"`{x}`" for x in labels) + " |",
        ]
        lines.append("|---|" + "---|" * len(labels))
        for i, values in enumerate(conditions):
            written = (cell(format_number(values[x])) for x in labels)
            lines.append(f"| {i} | " + " | ".join(written) + " |")
    lines += ["", "## Methods", "", _methods(e, len(conditions), c.confidence), ""]
    if failed:
        lines += [
            f"**{failed} runs failed** after their retries and are left out; "
            "see `failed.parquet` in the results folder for their errors.",
            "",
        ]
    for sentences in (c.pending_sentences(), c.unfinished_sentences()):
        if sentences:
            lines += [" ".join(sentences), ""]
    lines += ["## Results", ""]
    lines += _pairing_sentence(c)
    for outcome in e.outcomes:
        lines += _outcome_section(c, outcome)
    lines += ["### Figures", ""]
    level = percent(c.confidence)
    captions = {
        "outcomes": f"Mean of each outcome by strategy, with {level} confidence intervals.",
        "differences": f"Paired differences from `{e.baseline}` with {level} confidence "
        f"intervals (open markers: not significant at the {percent(1 - c.confidence)} level).",
    }
    pooled = f" Pooled over the {len(conditions)} conditions." if c.groups and not c.panels else ""
    for name in figures:
        caption = captions.get(name) or (
            f"Daily {name.removeprefix('daily_').replace('cumulative_', 'cumulative ')}: mean "
            f"across replications per strategy, with a pointwise {level} confidence band.{pooled}"
        )
        lines += [f"![{caption}](figures/{name}.png)", "", f"*{caption}*", ""]
    lines += _decomposition_section(c)
    lines += _spend_section(c)
    lines += [
        "## Files",
        "",
        "`tables/summary.csv` (means and intervals), `tables/differences.csv` (paired "
        "differences, d_z, p values), `tables/decomposition.csv` (expansion and "
        "acceleration). The results folder holds `results.parquet` (one row per run), "
        "`runs/<run_id>.parquet` (each run's daily series), `runs/adoption/<run_id>.parquet` "
        "(each customer's day of first purchase in the run) and `experiment.toml` (the "
        "resolved experiment, with the full base scenario), from which "
        "`ecosim batch` reproduces every run.",
        "",
    ]
    return "\n".join(lines + references_section(REFERENCES, lines))


def _spend_section(c: Comparison) -> list[str]:
    """Spend against the baseline, incremental profit per extra Rp, unequal costs flagged."""
    if c.spend.empty:
        return []
    brands = "brand" in c.spend.columns
    lines = [
        "## Cost and incremental profit",
        "",
        f"Spend is marketing + service + programme running costs over the run. A strategy "
        f"costs the same as `{c.experiment.baseline}` when its mean spend is within 1% of it; "
        "one that spends more (or less) is compared at unequal cost, and its extra profit "
        "per extra Rp spent (or per Rp saved) is the fair measure: above 0 the strategy "
        "earns more for its money, its extra spend paying for more than its cost or its "
        "saving raising profit (profit already subtracts the spend).",
        *(
            [
                "",
                "With several brands each brand's own spend and profit are compared (the "
                "market's totals would add a brand's money to its competitors'): a strategy "
                "is at equal cost for a brand when that brand's spend is within 1% of its "
                "spend under the baseline.",
            ]
            if brands
            else []
        ),
        "",
        "| strategy | "
        + "brand | " * brands
        + "".join(f"{g} | " for g in c.groups)
        + "spend | extra spend | "
        f"extra profit ({percent(c.confidence)} CI) | profit per Rp spent or saved | "
        "equal cost |",
        "|---|" + "---|" * (len(c.groups) + 5 + brands),
    ]
    for _, row in c.spend.iterrows():
        equal = (
            "yes"
            if row["equal_cost"]
            else f"**no**: {format_number(row['extra_spend'])} ({row['extra_spend_share']:+.1%})"
        )
        per = (
            "—"
            if row["equal_cost"]
            else profit_per_rp(row["extra_spend"], row["profit_per_extra_spend"])
        )
        bounds = interval(row["profit_ci_low"], row["profit_ci_high"])
        lines.append(
            f"| `{row['strategy']}` | "
            + (f"{row['brand']} | " if brands else "")
            + "".join(f"{format_number(row[g])} | " for g in c.groups)
            + f"{format_number(row['spend'])} | {format_number(row['extra_spend'])} | "
            f"{format_number(row['extra_profit'])} {bounds} | {per} | {equal} |"
        )
    unequal_rows = c.spend.loc[~c.spend["equal_cost"]]
    unequal = unequal_rows["strategy"].drop_duplicates().tolist()
    if unequal:
        names = ", ".join(
            f"`{n}`"
            + (
                f" ({', '.join(unequal_rows.loc[unequal_rows['strategy'] == n, 'brand'].unique())})"
                if brands
                else ""
            )
            for n in unequal
        )
        them = "it" if len(unequal) == 1 else "them"
        lines += [
            "",
            f"**Not at equal cost:** {names}; compare {them} by profit per Rp spent or saved.",
        ]
    lines += ["", "Table: `tables/spend.csv`.", ""]
    return lines


def _condition_labels(e: Experiment) -> dict[int, str]:
    """Name each condition by its parameter values, e.g. ``wom_strength=0.25``."""
    return {
        i: ", ".join(f"{label}={format_number(value)}" for label, value in values.items())
        for i, values in enumerate(condition_table(e))
    }


def _conditions_text(e: Experiment, count: int) -> str:
    if not e.conditions:
        return "none (the base scenario)"
    design = e.conditions.design.replace("_", " ")
    names = ", ".join(f"`{p.path}`" for p in e.parameters)
    return f"{count} ({design} design over {names})"


def _methods(e: Experiment, conditions: int, confidence: float) -> str:
    level = percent(confidence)
    runs = len(e.strategies) * conditions * e.replications
    where = f" under each of {conditions} market conditions" if e.conditions else ""
    return (
        f"Each of the {len(e.strategies)} strategies was simulated {e.replications} times"
        f"{where} ({runs} runs) with {_span(_by_condition(e, 'population.size'))} customers "
        f"over {_span(_by_condition(e, 'days'))} days. Replication *r* of every strategy and "
        "condition used the "
        "same random seed (common random numbers), spawned from the experiment seed "
        f"{e.seed} with NumPy's `SeedSequence`, so that strategies are compared in pairs "
        "and the results do not depend on how the runs were distributed over processes. "
        f"For each outcome we report the mean over replications with a {level} confidence "
        f"interval from the t distribution (mean ± t({(1 + confidence) / 2:g}, n−1)·s/√n), "
        "cut to the values the outcome can take (a count's at 0, a share's at 0 and 1): "
        "the mean lies inside, so the cut interval covers it whenever the t interval does. "
        "Each strategy is "
        f"compared with the baseline strategy `{e.baseline}` by the difference of paired "
        f"runs (same replication and condition): the mean paired difference, its {level} "
        "paired-t confidence interval and two-sided p value, and the standardised effect "
        "size Cohen's d_z (mean difference divided by the standard deviation of the "
        "differences; Cohen 1988, Lakens 2013). Because common random numbers remove much "
        "of the run-to-run noise from the differences, d_z describes how consistently a "
        "strategy beats the baseline across replications, and is larger than an effect "
        "size standardised by the spread of the outcome itself. How much noise pairing "
        "removed is reported for every difference as the *variance cut by pairing*, "
        "1 − var(a − b) / (var(a) + var(b)) over the pairs (a: the strategy's outcome, b: "
        "the baseline's): the share of the variance of a difference between independent "
        "runs that common random numbers removed (Law 2015, ch. 11); "
        "a cut of 75% means that independent runs would need four times as many "
        "replications for the same precision. Intervals are not adjusted "
        "for multiple comparisons. Daily figures show the mean daily value across "
        f"replications with a pointwise {level} t interval, cut in the same way."
    )


def _outcome_section(c: Comparison, outcome: str) -> list[str]:
    e = c.experiment
    lines = [f"### `{outcome}`", ""]
    description = _describe_outcome(outcome)
    if description:
        lines += [f"{description}.", ""]
    groups = c.groups
    header = [
        *(f"`{g}`" for g in groups),
        "strategy",
        "mean",
        f"{percent(c.confidence)} CI",
        f"difference from {e.baseline}",
        f"{percent(c.confidence)} CI",
        "d_z",
        "p",
        "higher in",
        "variance cut by pairing",
    ]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    summary = c.summary[c.summary["outcome"] == outcome]
    differences = (
        c.differences[c.differences["outcome"] == outcome] if len(c.differences) else c.differences
    )
    not_significant = False
    for _, row in summary.iterrows():
        keys = [row[g] for g in groups]
        cells = [
            *(format_number(k) for k in keys),
            f"**{row['strategy']}**",
            format_number(row["mean"]),
            interval(row["ci_low"], row["ci_high"]),
        ]
        match = differences
        for g, k in zip(groups, keys, strict=True):
            match = match[match[g] == k]
        match = match[match["strategy"] == row["strategy"]] if len(match) else match
        if row["strategy"] == e.baseline or match.empty:
            cells += ["—", "", "", "", "", ""]
        else:
            d = match.iloc[0]
            tested = not math.isnan(d["p_value"])  # no test without two pairs of values
            cells += [
                format_number(d["difference"])
                + ("" if d["significant"] or not tested else " (n.s.)"),
                interval(d["ci_low"], d["ci_high"]),
                format_number(d["d_z"]),
                p_value(d["p_value"]),
                f"{share(d['share_positive'])} of pairs"
                + (f" ({share(d['share_equal'])} equal)" if d["share_equal"] > 0 else ""),
                share(d["variance_reduction"]),
            ]
            not_significant = not_significant or (tested and not d["significant"])
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    valid = summary.dropna(subset=["mean"])
    labels = _condition_labels(e)
    highest = [
        (f"{labels[condition]}: " if groups else "") + _highest(rows, len(e.strategies))
        for condition, rows in (valid.groupby("condition", sort=False) if groups else [("", valid)])
        if len(rows)
    ]
    notes = [f"Highest mean: {'; '.join(highest)}."] if highest else []
    notes += _per_brand_sentences(c, outcome, summary)
    notes += _undefined_sentences(c, outcome, summary, labels)
    notes.append(
        "*Higher in*: the share of paired replications in which the strategy's value is "
        "above the baseline's (and, in brackets, equal to it). *Variance cut by pairing*: "
        "1 − var(paired differences) / (var(strategy) + var(baseline))."
    )
    if not_significant:
        notes.append(
            f"**(n.s.)**: not significantly different from `{e.baseline}` at the "
            f"{percent(1 - c.confidence)} level (the {percent(c.confidence)} interval of "
            "the difference includes 0)."
        )
    return [*lines, " ".join(notes), ""]


def _highest(rows: pd.DataFrame, strategies: int) -> str:
    """Name the strategy of the highest mean among ``rows``, or the strategies that tie.

    ``strategies`` counts them all, those without a mean (no row) too.

    Examples
    --------
    >>> _highest(pd.DataFrame({"strategy": ["a", "b"], "mean": [1.0, 2.5]}), 2)
    '`b` (2.5)'
    >>> _highest(pd.DataFrame({"strategy": ["a", "b", "c"], "mean": [3.0, 3.0, 1.0]}), 3)
    '`a` and `b` tie (3)'
    >>> _highest(pd.DataFrame({"strategy": ["a", "b"], "mean": [0.0, 0.0]}), 2)
    'all strategies tie (0)'
    >>> _highest(pd.DataFrame({"strategy": ["a", "b"], "mean": [2.0, 2.0]}), 3)
    '`a` and `b` tie (2)'
    """
    top = rows["mean"].max()
    best = [f"`{name}`" for name in rows.loc[rows["mean"] == top, "strategy"]]
    if len(best) == 1:
        return f"{best[0]} ({format_number(top)})"
    named = (
        "all strategies" if len(best) == strategies else f"{', '.join(best[:-1])} and {best[-1]}"
    )
    return f"{named} tie ({format_number(top)})"


def _per_brand_sentences(c: Comparison, outcome: str, summary: pd.DataFrame) -> list[str]:
    """Name the strategies without a value of ``outcome`` that give it per brand."""
    found: dict[tuple[str, ...], list[str]] = {}
    for strategy in summary.loc[summary["n"] == 0, "strategy"].drop_duplicates():
        columns = _per_brand_columns(c, outcome, strategy)
        if columns:
            found.setdefault(columns, []).append(f"`{strategy}`")
    return [
        f"{_listed(strategies)} {'run' if len(strategies) > 1 else 'runs'} several "
        f"brands and {'give' if len(strategies) > 1 else 'gives'} `{outcome}` per brand only: "
        f"{', '.join(columns)} in `results.parquet`."
        for columns, strategies in found.items()
    ]


def _per_brand_columns(c: Comparison, outcome: str, strategy: str) -> tuple[str, ...]:
    """Return the columns in which ``strategy``'s runs give ``outcome`` per brand, as code."""
    runs = c.results[c.results["strategy"] == strategy]
    return tuple(
        f"`{column}`"
        for column in runs.columns
        if column != outcome and split_column(column)[0] == outcome and runs[column].notna().any()
    )


def _undefined_sentences(
    c: Comparison, outcome: str, summary: pd.DataFrame, labels: dict
) -> list[str]:
    """Say whose mean rests on fewer runs than it had: the outcome is undefined in the others.

    An outcome without a denominator (``roi`` without marketing cost, ``net_sentiment``
    where no one spoke) is left out of a run's mean and pairs, so that a strategy's mean
    and its difference may rest on fewer runs than the baseline's. A strategy that gives
    the outcome per brand only is named by :func:`_per_brand_sentences` instead.
    """
    keys = [*c.groups, "strategy"]
    had = c.results.groupby(keys, sort=False).size().rename("runs").reset_index()
    fewer = summary.merge(had, on=keys).query("n < runs")
    parts = [
        f"`{row.strategy}`"
        + (f" ({labels[row.condition]})" if c.groups else "")
        + (
            f" in all {row.runs:,} runs"
            if row.n == 0
            else f" in {row.runs - row.n:,} of {row.runs:,} runs"
        )
        for row in fewer.itertuples()
        if not (row.n == 0 and _per_brand_columns(c, outcome, row.strategy))
    ]
    if not parts:
        return []
    return [f"Undefined, so left out of the means and the pairs: {'; '.join(parts)}."]


def _listed(names: list[str]) -> str:
    """Join names as a sentence does: ``a``, ``a and b``, ``a, b and c``."""
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


def _pairing_sentence(c: Comparison) -> list[str]:
    """One sentence: how much variance pairing removed from the differences."""
    if c.differences.empty:
        return []
    cut = c.differences["variance_reduction"].dropna()
    if cut.empty:
        return []
    least, most, median = float(cut.min()), float(cut.max()), float(cut.median())
    if least >= 0:
        spread = f"from {share(least)} to {share(most)}"
    elif most <= 0:
        spread = f"from a rise of {share(-most)} to one of {share(-least)}"
    else:
        spread = f"from a rise of {share(-least)} to a cut of {share(most)}"
    change = f"cut the variance of the differences from `{c.experiment.baseline}` by " + (
        share(median) if median >= 0 else f"-{share(-median)} (a rise)"
    )
    return [
        f"Pairing the runs (common random numbers) {change} in the median over "
        f"{len(cut)} strategy × outcome{' × condition' if c.groups else ''} comparisons "
        f"({spread}) against comparing "
        "independent runs.",
        "",
    ]


def _by_condition(e: Experiment, path: str) -> dict[int, int]:
    """Return the population size or days (``path``) of each condition's runs, by condition."""
    base = {"population.size": e.scenario.population.size, "days": e.scenario.days}[path]
    labels = [p.label for p in e.parameters if p.path == path]
    return {
        i: int(values[labels[0]]) if labels else base for i, values in enumerate(condition_table(e))
    }


def _span(values: dict[int, int]) -> str:
    """One number, or the range of a number set by the conditions."""
    low, high = min(values.values()), max(values.values())
    return f"{low:,}" if low == high else f"{low:,} to {high:,} (by condition)"


def _decomposition_section(c: Comparison) -> list[str]:
    e = c.experiment
    sizes = _by_condition(e, "population.size")
    horizons = set(_by_condition(e, "days").values())
    last = f"day {e.scenario.days}" if len(horizons) == 1 else "the last day of their runs"
    customers = (
        f"the {_span(sizes)} customers"
        if len(set(sizes.values())) == 1
        else "the customers of the condition's runs"
    )
    individual = c.adoption_method == "individual"
    matching = {
        "individual": "Customers are matched individually across the two runs: the runs "
        "draw every customer's random numbers from the same stream, so customer *i* of one "
        "run is customer *i* of the other, and each customer's day of first purchase is "
        "stored with the run. **Acceleration** sums, over the customers who buy by "
        f"{last} in both runs, how many days earlier they first buy with the "
        "strategy; **expansion** counts the adopter-days of the customers who buy only "
        "with the strategy, less those of the customers who buy only without it.",
        "curve": "This results folder holds no customer's day of first purchase (it was "
        "written before ecosim stored them), so adopters are matched in order of "
        "adoption, from the two runs' `adopted_share` curves: the first m adopters of "
        "each run, m the smaller number of adopters, are taken for the customers who buy "
        "in both runs (**acceleration**); the others are **expansion**.",
        "mixed": "Some runs of this folder hold their customers' days of first purchase "
        "and others do not: pairs with both are matched customer by customer, the others "
        "in order of adoption from the `adopted_share` curves.",
    }
    lines = [
        "## Expansion and acceleration of adoption",
        "",
        "After Libai, Muller & Peres (2013), the gain of each strategy over "
        f"`{e.baseline}` in *adopter-days* (the area between the two runs' curves of "
        "`adopted_share`, the share of customers who have bought at least once, times "
        f"{customers}) is split into **expansion** (customers who buy by {last} only with "
        "the strategy) and **acceleration** (customers who "
        "buy in both runs, but earlier with the strategy). "
        + matching.get(c.adoption_method, "")
        + f" Runs are paired by replication; means with {percent(c.confidence)} t intervals "
        "over the pairs; in "
        "brackets after them, each part's share of the gain (when both parts are "
        "positive). *Days earlier*: how much earlier, on average, the customers who buy "
        "in both runs first buy with the strategy. `docs/experiments.md` gives the "
        "formulas.",
        "",
    ]
    if c.decomposition.empty:
        return [*lines, "No pair of runs to decompose.", ""]
    groups = c.groups
    header = [
        *(f"`{g}`" for g in groups),
        "strategy",
        "new customers",
        *(("only with the strategy", "only without") if individual else ()),
        "gain (customer-days)",
        "expansion",
        "acceleration",
        "days earlier",
    ]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table = c.decomposition.set_index(["strategy", *groups, "measure"])
    for key in dict.fromkeys(idx[:-1] for idx in table.index):

        def cell(measure: str, scale: float = 1.0, key: tuple = key) -> str:
            row = table.loc[(*key, measure)]
            bounds = interval(row["ci_low"] * scale, row["ci_high"] * scale)
            return f"{format_number(row['mean'] * scale)} {bounds}"

        parts = [table.loc[(*key, m), "mean"] for m in ("expansion", "acceleration")]
        gain = sum(parts)
        shares = [x / gain if gain > 0 and min(parts) >= 0 else math.nan for x in parts]
        strategy, *values = key
        n = sizes[values[0] if groups else 0]
        matched = [cell(m, n) for m in ("only_programme", "only_baseline")] if individual else []
        lines.append(
            "| "
            + " | ".join(
                [
                    *(format_number(v) for v in values),
                    f"**{strategy}**",
                    cell("new_adopters", n),
                    *matched,
                    cell("gain", n),
                    f"{cell('expansion', n)} ({share(shares[0])})",
                    f"{cell('acceleration', n)} ({share(shares[1])})",
                    cell("days_earlier"),
                ]
            )
            + " |"
        )
    return [*lines, ""]


def _describe_outcome(outcome: str) -> str:
    base, brand = split_column(outcome)
    text = _NOTES.get(base, "")
    for prefix, when in (("final_", "on the last day"), ("total_", "summed over the run")):
        name = base.removeprefix(prefix)
        if name != base and name in OUTCOMES:
            text = f"{re.sub(r',? today', '', OUTCOMES[name])}, {when}"
        elif name != base and name.startswith("tier_"):
            text = f"customers in loyalty tier {name.removeprefix('tier_')}, {when}"
    text = text[:1].upper() + text[1:]  # not str.capitalize, which lowers the rest (ABC, AI)
    if text and is_money(base):
        text += f", in {MONEY_UNIT}"
    return f"{text} (brand `{brand}`)" if text and brand else text
