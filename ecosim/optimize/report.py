"""The optimisation's report: the chosen plan, what it changes, how sure, and the search.

:func:`write_report` writes into the output folder ``plan.toml`` (the chosen plan as a
scenario), ``report.md``, ``figures/convergence.png``, ``figures/pareto.png`` (with
several objectives) and ``tables/*.csv``: every evaluation of the search, the selection
stage, the chosen plan against the current one (paired by replication), and the
parameter importances.
"""

from __future__ import annotations

import json
import math
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import tomli_w
from matplotlib.figure import Figure
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState

from ecosim.analysis import describe, paired_differences, spend_comparison
from ecosim.metrics import bounds, split_column
from ecosim.model import resolve_scenario
from ecosim.optimize.run import CURRENT, KEPT, SEARCH_RUNS, SELECTION, Outcome
from ecosim.optimize.schema import Optimisation
from ecosim.optimize.search import DATABASE, evaluated, statistic
from ecosim.optimize.space import changes
from ecosim.report.references import references_section
from ecosim.scenario.campaign import started_after
from ecosim.store import held_folder, write_figure, write_text

__all__ = ["comparison_table", "convergence_plot", "importances", "pareto_plot", "write_report"]

REFERENCES = """\
- Akiba, T., Sano, S., Yanase, T., Ohta, T., & Koyama, M. (2019). Optuna: A next-generation
  hyperparameter optimization framework. *KDD*, 2623–2631.
- Bergstra, J., Bardenet, R., Bengio, Y., & Kégl, B. (2011). Algorithms for hyper-parameter
  optimization. *NeurIPS*, 24.
- Deb, K., Pratap, A., Agarwal, S., & Meyarivan, T. (2002). A fast and elitist multiobjective
  genetic algorithm: NSGA-II. *IEEE Transactions on Evolutionary Computation*, 6(2), 182–197.
- Hutter, F., Hoos, H., & Leyton-Brown, K. (2014). An efficient approach for assessing
  hyperparameter importance. *ICML*, 754–762.
- Kim, S.-H., & Nelson, B. L. (2001). A fully sequential procedure for indifference-zone
  selection in simulation. *ACM Transactions on Modeling and Computer Simulation*, 11(3),
  251–273.
- Watanabe, S., Bansal, A., & Hutter, F. (2023). PED-ANOVA: Efficiently quantifying
  hyperparameter importance in arbitrary subspaces. *IJCAI*, 4389–4396.
"""
"""The works the report's methods cite (a report lists those it cites)."""


def write_report(outcome: Outcome, optimisation: Optimisation) -> Path:
    """Write the plan, the report, its figures and tables into the output folder.

    Parameters
    ----------
    outcome : Outcome
        From :func:`ecosim.optimize.optimise`.
    optimisation : Optimisation

    Returns
    -------
    Path
        ``report.md``.

    Raises
    ------
    StoreError
        If another process is writing the folder (a rerun that took it once
        :func:`~ecosim.optimize.optimise` let it go writes the report itself).
    """
    with held_folder(outcome.folder, "optimisation"):
        return _write_report(outcome, optimisation)


def _write_report(outcome: Outcome, optimisation: Optimisation) -> Path:
    folder = outcome.folder
    study = outcome.study
    chosen = outcome.chosen
    words = changes(optimisation, chosen.params) if chosen.name != CURRENT else []
    left_out = _write_plan(outcome, optimisation, words)
    trials = study.trials_dataframe(attrs=("number", "values", "params", "user_attrs", "state"))
    write_text(trials.to_csv(index=False), folder / "tables" / "trials.csv")
    figures = {"convergence": convergence_plot(study, optimisation)}
    if len(optimisation.objectives) > 1:
        figures["pareto"] = pareto_plot(study, optimisation)
    for name, figure in figures.items():
        write_figure(figure, folder / "figures" / f"{name}.png", dpi=90)
    importance, estimator, unestimated = importances(study, optimisation)
    write_text(importance.to_csv(index=False), folder / "tables" / "importances.csv")
    selection = _selection_table(outcome)
    write_text(selection.to_csv(index=False), folder / "tables" / "selection.csv")
    comparison = comparison_table(outcome, optimisation)
    write_text(comparison.to_csv(index=False), folder / "tables" / "comparison.csv")
    path = folder / "report.md"
    text = _markdown(
        outcome,
        optimisation,
        words,
        left_out,
        comparison,
        selection,
        importance,
        estimator,
        unestimated,
    )
    write_text(text, path)
    return path


def _write_plan(outcome: Outcome, optimisation: Optimisation, words: list[str]) -> str:
    """Write ``plan.toml``, the chosen plan as a scenario, before anything else of the report.

    A campaign action that starts after the last day (when the optimisation's ``days``
    shortens the scenario's horizon) ran in no evaluation, and ``ecosim run`` refuses a
    scenario that holds one: the plan leaves it out, and says so in its header.

    Parameters
    ----------
    outcome : Outcome
    optimisation : Optimisation
    words : list of str
        What the chosen plan changes (:func:`~ecosim.optimize.space.changes`).

    Returns
    -------
    str
        What the plan leaves out, as the end of a sentence ("" if nothing).
    """
    chosen = outcome.chosen
    plan = resolve_scenario(optimisation.scenario, overrides=chosen.overrides)
    data = plan.model_dump(mode="python", exclude_none=True)
    beyond, actions = started_after(data["campaign"], plan.days)
    left_out = (
        f"leaves out {actions}: starting after the last day ({plan.days}), "
        f"{'it' if len(beyond) == 1 else 'they'} ran in no evaluation"
        if beyond
        else ""
    )
    header = [f"# The plan chosen by ecosim optimize {optimisation.name} ({chosen.name})."]
    header += [f"# It {sentence}." for sentence in words] or ["# It is the current plan."]
    if left_out:
        header.append(f"# It {left_out}.")
    data["campaign"] = [action for a, action in enumerate(data["campaign"]) if a not in beyond]
    data["name"] = f"{optimisation.name}_plan"[:40]
    data["description"] = f"The plan chosen by ecosim optimize {optimisation.name}."
    write_text("\n".join(header) + "\n\n" + tomli_w.dumps(data), outcome.folder / "plan.toml")
    return left_out


# ---------------------------------------------------------------- tables


def comparison_table(outcome: Outcome, optimisation: Optimisation) -> pd.DataFrame:
    """Compare the chosen plan with the current plan on the selection stage's common seeds.

    Returns
    -------
    pandas.DataFrame
        One row per outcome: each plan's mean and interval, the paired difference with
        its interval and p value (:func:`ecosim.analysis.paired_differences`), and the
        replications compared; then one row per quantile objective with each plan's
        quantile over the same replications (in the ``*_mean`` columns, without intervals).
    """
    runs = outcome.runs
    chosen = outcome.chosen.name
    both = runs[runs["candidate"].isin([CURRENT, chosen])].rename(columns={"candidate": "strategy"})
    common = both.groupby("replication")["strategy"].nunique()
    both = both[both["replication"].isin(common[common == both["strategy"].nunique()].index)]
    names = list(dict.fromkeys([o.outcome for o in optimisation.objectives] + list(KEPT)))
    names = [n for n in names if n in both.columns]
    means = describe(both, names, ranges={name: bounds(name) for name in names}).pivot_table(
        index="outcome",
        columns="strategy",
        values=["n", "mean", "ci_low", "ci_high"],
        aggfunc="first",
        dropna=False,
    )
    rows = []
    differences = (
        paired_differences(both, names, CURRENT).set_index("outcome") if chosen != CURRENT else None
    )
    for name in names:
        row = {"outcome": name, "replications": int(means.loc[name, ("n", chosen)])}
        for plan, label in ((CURRENT, "current"), (chosen, "chosen")):
            for key in ("mean", "ci_low", "ci_high"):
                row[f"{label}_{key}"] = float(means.loc[name, (key, plan)])
        if differences is not None:
            d = differences.loc[name]
            row.update(
                difference=float(d["difference"]),
                difference_ci_low=float(d["ci_low"]),
                difference_ci_high=float(d["ci_high"]),
                p_value=float(d["p_value"]),
            )
        rows.append(row)
    brand = objective_brand(optimisation)
    suffix = f"__{brand}" if brand else ""
    if differences is not None and f"total_profit{suffix}" in both.columns:
        spend = spend_comparison(both, CURRENT, brand=brand).iloc[0]
        rows[0].update(
            spend_brand=brand or "",
            spend=spend["spend"],
            current_spend=spend["baseline_spend"],
            extra_spend=spend["extra_spend"],
            extra_profit=spend["extra_profit"],
            extra_spend_share=spend["extra_spend_share"],
            profit_per_extra_spend=spend["profit_per_extra_spend"],
            equal_cost=bool(spend["equal_cost"]),
        )
    for objective in optimisation.objectives:
        if objective.statistic == "quantile":
            row = {"outcome": objective.label, "replications": rows[0]["replications"]}
            for plan, label in ((CURRENT, "current"), (chosen, "chosen")):
                values = both.loc[both["strategy"] == plan, objective.outcome]
                row[f"{label}_mean"] = statistic(values, "quantile", objective.quantile)
            rows.append(row)
    return pd.DataFrame(rows)


def _selection_table(outcome: Outcome) -> pd.DataFrame:
    """Return each plan of the selection stage: its replications and mean.

    Beside them, the selected plan's mean over the same replications: what an eliminated
    plan was compared with.
    """
    selected = outcome.selected
    best = selected.observations[selected.best]
    return pd.DataFrame(
        {
            "candidate": [c.name for c in outcome.candidates],
            "replications": selected.counts,
            "mean": selected.means,
            "selected_mean_same_replications": [np.nanmean(best[:n]) for n in selected.counts],
            "eliminated_after": [np.nan if e is None else float(e) for e in selected.eliminated],
            "undefined": selected.undefined,
            "selected": [i == selected.best for i in range(len(outcome.candidates))],
        }
    )


def importances(study: optuna.Study, optimisation: Optimisation) -> tuple[pd.DataFrame, str, str]:
    """Parameter importances for the selection objective, and the estimator's name.

    fANOVA (Hutter, Hoos & Leyton-Brown 2014) when scikit-learn is installed (pyabc
    brings it), else PED-ANOVA (Watanabe et al. 2023), Optuna's dependency-free default.
    A budget group's parameters are its items' raw weights (their normalised values are
    the shares).

    fANOVA's random forests (scikit-learn) hold the parameters as 32-bit floats: a
    parameter whose range reaches beyond about 3.4e38 cannot be used, and the importances
    are then not estimated (the report says why) rather than stopping the report.

    Returns
    -------
    table : pandas.DataFrame
        ``parameter, importance`` (empty when they cannot be estimated).
    estimator : str
    unestimated : str
        Why the table is empty ("" when it is not).
    """
    fanova = find_spec("sklearn") is not None  # fANOVA's random forests
    if fanova:
        evaluator = optuna.importance.FanovaImportanceEvaluator(seed=optimisation.seed)
        name = "fANOVA (Hutter, Hoos & Leyton-Brown 2014)"
    else:
        evaluator = optuna.importance.PedAnovaImportanceEvaluator()
        name = "PED-ANOVA (Watanabe et al. 2023)"
    label = optimisation.selected_objective.label
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    empty = pd.DataFrame(columns=["parameter", "importance"])
    if len({t.user_attrs[label] for t in complete}) < 2:
        return empty, name, "Too few distinct evaluations to estimate importances."
    largest = float(np.finfo(np.float32).max)
    wide = {
        parameter
        for t in complete
        for parameter, d in t.distributions.items()
        if isinstance(d, FloatDistribution) and max(abs(d.low), abs(d.high)) > largest
    }
    if fanova and wide:
        names = ", ".join(f"`{parameter}`" for parameter in sorted(wide))
        return (
            empty,
            name,
            f"Not estimated: fANOVA's random forests hold parameters as 32-bit floats, at "
            f"most {largest:.2g}, and the range of {names} reaches beyond that.",
        )
    scores = optuna.importance.get_param_importances(
        study, evaluator=evaluator, target=lambda t: t.user_attrs[label]
    )
    table = pd.DataFrame({"parameter": list(scores), "importance": list(scores.values())})
    return table, name, ""


# ---------------------------------------------------------------- figures


def convergence_plot(study: optuna.Study, optimisation: Optimisation) -> Figure:
    """Plot each evaluation's objective values in order, with the best so far."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    objectives = optimisation.objectives
    fig = Figure(figsize=(5.0 * len(objectives), 3.6), layout="constrained")
    axes = fig.subplots(1, len(objectives), squeeze=False)[0]
    numbers = np.array([t.number for t in complete])
    for ax, objective in zip(axes, objectives, strict=True):
        values = np.array([t.user_attrs[objective.label] for t in complete])
        ax.plot(numbers, values, "o", color="C0", alpha=0.6, label="evaluation")
        if len(values):
            best = (np.maximum if objective.direction == "maximize" else np.minimum).accumulate(
                values
            )
            ax.step(numbers, best, where="post", color="C3", label="best so far")
        ax.set_xlabel("evaluation (trial number)")
        ax.set_title(f"{objective.label} ({objective.direction})", fontsize="medium")
    axes[0].legend(fontsize="small")
    fig.suptitle(f"Search convergence: {optimisation.name}")
    return fig


def pareto_plot(study: optuna.Study, optimisation: Optimisation) -> Figure:
    """Plot the first two objectives of every evaluation, with the Pareto front marked."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    front = {t.number for t in study.best_trials}
    first, second = optimisation.objectives[:2]
    fig = Figure(figsize=(5.4, 4.2), layout="constrained")
    ax = fig.subplots()
    values = np.array([[t.user_attrs[x.label] for x in (first, second)] for t in complete])
    values = values.reshape(-1, 2)
    on = np.array([t.number in front for t in complete], dtype=bool)
    ax.plot(values[~on, 0], values[~on, 1], "o", color="0.6", alpha=0.6, label="evaluation")
    order = np.argsort(values[on, 0])
    ax.plot(values[on, 0][order], values[on, 1][order], "o-", color="C3", label="Pareto front")
    ax.set_xlabel(f"{first.label} ({first.direction})")
    ax.set_ylabel(f"{second.label} ({second.direction})")
    ax.legend(fontsize="small")
    ax.set_title("Pareto front of the search", fontsize="medium")
    return fig


# ---------------------------------------------------------------- the Markdown


def _quantile_note(optimisation: Optimisation) -> str:
    """Return what the comparison's rows of quantile objectives hold, if there are any."""
    quantiles = [o.label for o in optimisation.objectives if o.statistic == "quantile"]
    if not quantiles:
        return ""
    names = ", ".join(f"`{label}`" for label in quantiles)
    return f"; {names}: each plan's quantile over the same runs, without an interval"


def _markdown(
    outcome: Outcome,
    optimisation: Optimisation,
    words: list[str],
    left_out: str,
    comparison: pd.DataFrame,
    selection: pd.DataFrame,
    importance: pd.DataFrame,
    estimator: str,
    unestimated: str,
) -> str:
    o, study, selected = optimisation, outcome.study, outcome.selected
    rule, objective = o.selection, o.selected_objective
    chosen = outcome.chosen
    failed = [t for t in study.get_trials(deepcopy=False) if "error" in t.user_attrs]
    sampler = type(study.sampler).__name__
    s = o.scenario
    lines = [f"# {o.name}: how to spend it", ""]
    if o.description:
        lines += [o.description.strip(), ""]
    lines += ["## The answer", ""]
    if chosen.name == CURRENT:
        lines += [
            "**Keep the current plan.** No plan of the search beat it in the selection stage.",
            "",
        ]
    else:
        lines += [f"**Plan `{chosen.name}`** (`plan.toml`). Against the current plan it:", ""]
        lines += [f"- {sentence};" for sentence in words] or ["- changes nothing visible;"]
        lines.append("")
    undefined = [c.name for c, u in zip(outcome.candidates, selected.undefined, strict=True) if u]
    if undefined:
        lines += [
            f"`{objective.outcome}` is undefined in a replication of "
            + ", ".join(f"`{name}`" for name in undefined)
            + (" (the current plan)" if CURRENT in undefined else "")
            + ": such a plan cannot be compared, so it was eliminated and never chosen.",
            "",
        ]
    if left_out:
        lines += [f"`plan.toml` {left_out}.", ""]
    compared = len(outcome.candidates) - sum(selected.undefined)
    guarantee = (
        f"with probability at least {rule.confidence:.0%}, this plan's mean "
        f"`{objective.label}` is within {rule.indifference:,.6g} of the best of the "
        f"{compared} plans compared (Kim & Nelson 2001)"
        if selected.guaranteed
        else f"**without the guarantee**: the selection stage reached max_replications "
        f"({rule.max_replications}) before it could tell the plans apart at "
        f"{rule.indifference:,.6g}; the plan with the best mean is reported"
    )
    lines += [f"Selected {guarantee}.", ""]
    if len(comparison) and "equal_cost" in comparison.columns:
        first = comparison.iloc[0]
        lines += [_spend_sentence(first), ""]
    lines += [
        "### Against the current plan",
        "",
        f"Paired by replication: each pair of runs shares its seed (common random numbers), "
        f"{int(comparison['replications'].iloc[0]) if len(comparison) else 0} pairs; "
        f"95% t intervals (a mean's cut to the values its outcome can take{_quantile_note(o)}).",
        "",
        "| outcome | current plan | chosen plan | difference (95% CI) | p |",
        "|---|---|---|---|---|",
    ]
    for _, row in comparison.iterrows():
        diff = (
            f"{_n(row['difference'])} [{_n(row['difference_ci_low'])}, "
            f"{_n(row['difference_ci_high'])}] | {_p(row['p_value'])}"
            if "difference" in row and not pd.isna(row.get("difference"))
            else "— | —"
        )
        current, chosen = (_with_interval(row, plan) for plan in ("current", "chosen"))
        lines.append(f"| `{row['outcome']}` | {current} | {chosen} | {diff} |")
    lines += [
        "",
        "## Design",
        "",
        "| | |",
        "|---|---|",
        f"| base scenario (the current plan) | `{s.name}`"
        + (f" (`{o.scenario_file}`)" if o.scenario_file else "")
        + f": {s.population.size:,} customers, {s.days} days |",
        "| objectives | " + "; ".join(f"{x.direction} `{x.label}`" for x in o.objectives) + " |",
        f"| search | {sampler}, {evaluated(study)} evaluations of {o.search.replications} "
        f"replications each, {o.search.batch} at a time; {len(failed)} of them failed |",
        f"| selection | {_compared(len(outcome.candidates), rule.top)}; KN, confidence "
        f"{rule.confidence:.0%}, indifference zone {rule.indifference:,.6g}, first stage "
        f"{rule.first_stage} |",
        f"| seed | {o.seed} |",
        "| market parameters | "
        + (f"drawn per replication from `{o.posterior.source}`" if o.posterior else "as written")
        + " |",
        "",
        "### Decisions",
        "",
        "| decision | what it sets | range |",
        "|---|---|---|",
    ]
    for v in o.variables:
        span = ", ".join(map(repr, v.choices)) if v.choices else f"{v.low:,.6g} – {v.high:,.6g}"
        lines.append(f"| {v.name} | `{v.path}` | {span} |")
    for f in o.flights:
        lines.append(
            f"| {f.name} | start of campaign action {f.action} | day {f.earliest} – {f.latest} |"
        )
    for g in o.budgets:
        items = ", ".join(f"{i.name} (`{i.path}`, {i.unit_cost:,.6g} a unit)" for i in g.items)
        lines.append(f"| {g.name} | shares of {g.total:,.6g} across {items} | shares 0 – 1 |")
    lines += [
        "",
        "## Methods",
        "",
        "Each evaluation runs the plan on the same seeds as every other plan (common random "
        "numbers), so plans are compared on the same customers, networks and chance events; "
        "an objective is the mean (or a quantile) over those replications. The search is "
        f"Optuna's {sampler} (Akiba et al. 2019; TPE: Bergstra et al. 2011; "
        "NSGA-II: Deb et al. 2002) with ask-and-tell, the study kept in SQLite (`study.db`): "
        "an interrupted run continues, finished evaluations are not redone. The best of many "
        "noisy estimates is biased "
        "upwards, so the best plans and the current one are run again on new common seeds "
        "and one is selected with the fully sequential procedure of Kim & Nelson (2001), "
        "valid under common random numbers; the table below shows when each plan was "
        "eliminated: when its mean trailed a surviving plan's, over the same replications, "
        "by more than the procedure's boundary. An eliminated plan's mean covers only the "
        "replications it ran, so the selected plan's mean over those same replications is "
        "set beside it. A plan whose objective is undefined in one of its replications "
        "(an ROI without marketing cost) is eliminated at once: it cannot be compared.",
        "",
        "| plan | replications | mean | selected plan's mean, same replications "
        "| eliminated after | selected |",
        "|---|---|---|---|---|---|",
    ]
    for _, row in selection.iterrows():
        out = "—" if pd.isna(row["eliminated_after"]) else f"{int(row['eliminated_after'])}"
        out += " (undefined)" if row["undefined"] else ""
        mark = "**yes**" if row["selected"] else ""
        lines.append(
            f"| `{row['candidate']}` | {row['replications']} | {_n(row['mean'])} "
            f"| {_n(row['selected_mean_same_replications'])} | {out} | {mark} |"
        )
    lines += ["", "## Search", ""]
    lines += [
        "![Convergence](figures/convergence.png)",
        "",
        "*Each evaluation and the best so far.*",
        "",
    ]
    if len(o.objectives) > 1:
        lines += [
            "![Pareto front](figures/pareto.png)",
            "",
            f"*The {_plans(_distinct(study.best_trials))} of the Pareto front of the "
            f"{len(o.objectives)} objectives, on the first two.*",
            "",
        ]
    lines += [
        f"### Parameter importances for `{objective.label}`",
        "",
        f"Estimator: {estimator}.",
        "",
    ]
    if importance.empty:
        lines += [unestimated, ""]
    else:
        lines += ["| parameter | importance |", "|---|---|"]
        lines += [
            f"| `{r['parameter']}` | {r['importance']:.3f} |" for _, r in importance.iterrows()
        ]
        lines.append("")
    lines += [
        "## Files",
        "",
        f"`plan.toml` (the chosen plan as a scenario: `ecosim run plan.toml`), `{DATABASE}` "
        f"(the Optuna study), `{SEARCH_RUNS}` (the search's runs), `{SELECTION}` (the "
        "selection stage's runs), "
        "`tables/trials.csv`, `tables/selection.csv`, `tables/comparison.csv`, "
        "`tables/importances.csv`.",
        "",
    ]
    return "\n".join(lines + references_section(REFERENCES, lines))


def objective_brand(optimisation: Optimisation) -> str | None:
    """Return the one brand whose outcomes the objectives are, if they are one brand's.

    A plan for one brand of several (``total_gross_margin__modaku``) is compared at that
    brand's own cost and profit: the market's totals would add its competitors' money.

    Examples
    --------
    >>> from ecosim.optimize import load_optimisation
    >>> study = load_optimisation("optimizations/spend_mix.toml")
    >>> objective_brand(study) is None
    True
    >>> mine = study.objectives[0].model_copy(update={"outcome": "total_profit__modaku"})
    >>> objective_brand(study.model_copy(update={"objectives": [mine]}))
    'modaku'
    """
    brands = {split_column(o.outcome)[1] for o in optimisation.objectives}
    return brands.pop() if len(brands) == 1 and "" not in brands else None


def _spend_sentence(row: pd.Series) -> str:
    """Say whether the chosen plan costs what the current one does, and what that buys."""
    share = row["extra_spend_share"]
    brand = row.get("spend_brand")
    whose = f"{brand}'s own " if isinstance(brand, str) and brand else ""
    what = (
        f"It spends {_n(row['spend'])} ({whose}marketing, service and programme costs) "
        f"against {_n(row['current_spend'])} for the current plan"
        + (f" ({share:+.1%})" if math.isfinite(share) else "")
    )
    if row["equal_cost"]:
        return f"{what}: the same cost, within 1%."
    extra, gained = row["extra_spend"], row["extra_profit"]
    if math.isnan(extra) or math.isnan(gained):
        return f"{what}: **not at equal cost**."
    if extra > 0:
        return (
            f"{what}: **not at equal cost**; each extra Rp spent changes profit (which pays "
            f"for the spend) by {row['profit_per_extra_spend']:+.3g} Rp."
        )
    if gained > 0:
        profit = f"and earns {_n(gained)} more profit: better on both counts"
    elif gained == 0:
        profit = "for the same profit: the margin it gives up equals what it saves"
    else:
        profit = (
            f"and earns {_n(-gained)} less profit: the margin it gives up is more than it saves"
        )
    return f"{what}: **not at equal cost**; it spends {_n(-extra)} less {profit}."


def _with_interval(row: pd.Series, plan: str) -> str:
    value = _n(row[f"{plan}_mean"])
    low, high = row.get(f"{plan}_ci_low"), row.get(f"{plan}_ci_high")
    return value if low is None or pd.isna(low) else f"{value} [{_n(low)}, {_n(high)}]"


def _plans(count: int) -> str:
    return f"{count} distinct plan{'' if count == 1 else 's'}"


def _compared(candidates: int, top: int) -> str:
    """Say which plans the selection stage compared: the current one and the search's best."""
    found = candidates - 1
    if found >= top:
        return f"top {top} and the current plan"
    return f"the {_plans(found)} the search found (of a top {top}) and the current plan"


def _distinct(trials: list[optuna.trial.FrozenTrial]) -> int:
    return len({json.dumps(t.params, sort_keys=True) for t in trials})


def _n(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:,.4g}" if abs(x) < 1e4 else f"{x:,.0f}"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"
