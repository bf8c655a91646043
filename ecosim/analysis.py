"""Statistics of experiments, as pure functions on DataFrames.

Means with t-based confidence intervals; differences from a baseline strategy paired by
replication (common random numbers), with their t interval, Cohen's d_z and the variance
reduction that pairing achieved; the
decomposition of a programme's gain in adopters into expansion and acceleration (Libai,
Muller & Peres 2013), customer by customer; Morris and Sobol sensitivity indices (SALib).

References
----------
Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.).
Lawrence Erlbaum.

Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
science: a practical primer for t-tests and ANOVAs. *Frontiers in Psychology*, 4, 863.

Libai, B., Muller, E., & Peres, R. (2013). Decomposing the value of word-of-mouth seeding
programs: acceleration versus expansion. *Journal of Marketing Research*, 50(2), 161-176.

Law, A. M. (2015). *Simulation Modeling and Analysis* (5th ed.), ch. 9-11 (replications,
common random numbers, paired-t confidence intervals). McGraw-Hill.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from scipy import stats

from ecosim.errors import InputError

__all__ = [
    "ROUNDING",
    "adoption_decomposition",
    "daily_bands",
    "daily_column",
    "decompose_adoption",
    "describe",
    "match_adopters",
    "mean_ci",
    "morris_indices",
    "paired_differences",
    "paired_statistics",
    "pairing_gain",
    "sobol_indices",
    "spend_comparison",
]

SPEND = ("total_marketing_cost", "total_service_cost", "total_programme_cost")
"""What a strategy spends: marketing (from the budget), service and programme running costs."""
EQUAL_COST_TOLERANCE = 0.01
"""Strategies whose spend differs from the baseline's by at most this share cost the same."""
ROUNDING = 1e-9
"""Values whose standard deviation is at most this share of their largest size differ only
by floating-point rounding (``17/300 - 16/300`` is not ``15/300 - 14/300``): they count as
equal, so no interval or effect size is made of the rounding."""


def mean_ci(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> tuple[float, ...]:
    """Return the mean of ``values`` and its t-based confidence interval.

    The interval is ``mean ± t_{(1+confidence)/2, n-1} · s / √n`` with ``s`` the sample
    standard deviation; missing values (NaN) are left out.

    Parameters
    ----------
    values : array_like
    confidence : float

    Returns
    -------
    tuple of float
        ``(mean, low, high)``; the bounds are NaN with fewer than two values.

    Examples
    --------
    >>> [round(x, 4) for x in mean_ci([1.0, 2.0, 3.0, 4.0])]
    [2.5, 0.4457, 4.5543]
    """
    confidence = _confidence(confidence)
    x = _clean(values)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, math.nan, math.nan
    sem = float(stats.sem(x))
    if float(x.std(ddof=1)) <= ROUNDING * np.abs(x).max():
        return mean, mean, mean
    low, high = stats.t.interval(confidence, len(x) - 1, loc=mean, scale=sem)
    return mean, float(low), float(high)


def describe(
    results: pd.DataFrame,
    outcomes: Sequence[str],
    by: Sequence[str] = ("strategy",),
    confidence: float = 0.95,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Mean, standard deviation and t confidence interval of outcomes, by group.

    Parameters
    ----------
    results : pandas.DataFrame
        One row per run.
    outcomes : sequence of str
        Columns to describe.
    by : sequence of str
        Grouping columns (in order of first appearance); none: one group of all runs.
    confidence : float
    ranges : mapping of str to (float, float), optional
        The values an outcome can take (:func:`ecosim.metrics.bounds`): its interval is
        cut to them. The mean cannot lie outside, so the cut interval covers it whenever
        the t interval does; a count's interval no longer reaches below 0, nor a share's
        above 1, with few or skewed replications.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, outcome, n, mean, sd, ci_low, ci_high``.

    Raises
    ------
    InputError
        If a column is missing or repeated, an outcome holds values that are no finite
        numbers (NaN is left out), or ``confidence`` is not between 0 and 1.
    """
    confidence, by, outcomes = _confidence(confidence), _names(by), _names(outcomes)
    _columns(results, [*by, *outcomes], "results")
    ranges = ranges or {}
    rows = []
    groups = results.groupby(by, sort=False) if by else [((), results)]
    for keys, group in groups:
        for outcome in outcomes:
            x = _clean(group[outcome].to_numpy(), f"results: column {outcome!r}")
            mean, low, high = mean_ci(x, confidence)
            low, high = np.clip((low, high), *ranges.get(outcome, (-np.inf, np.inf)))
            rows.append(
                {
                    **dict(zip(by, keys, strict=True)),
                    "outcome": outcome,
                    "n": len(x),
                    "mean": mean,
                    "sd": float(x.std(ddof=1)) if len(x) > 1 else math.nan,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return pd.DataFrame(rows, columns=[*by, "outcome", "n", "mean", "sd", "ci_low", "ci_high"])


def paired_statistics(
    differences: Sequence[float] | np.ndarray, confidence: float = 0.95, scale: float = 0.0
) -> dict:
    """Paired-t statistics of differences between two strategies (one per pair).

    Parameters
    ----------
    differences : array_like
        Strategy minus baseline, one value per replication (NaN left out).
    confidence : float
    scale : float
        The size of the values compared (the largest absolute value of either strategy's),
        by which rounding is measured besides the differences' own size: differences of
        sums that differ only in the order of their terms are rounding around 0.

    Returns
    -------
    dict
        ``n``; ``difference`` (the mean difference) with ``ci_low`` and ``ci_high`` (the
        paired t interval); ``sd`` of the differences; ``d_z``, Cohen's standardised
        mean difference for paired data, ``difference / sd`` (Cohen 1988; Lakens 2013);
        ``t`` and the two-sided ``p_value`` of the paired t test; ``share_positive`` and
        ``share_equal``, the shares of pairs in which the difference is positive, and 0
        (the rest are negative). When every difference is the
        same, the interval has no width and ``d_z`` is 0 (no difference) or infinite.
        Differences within :data:`ROUNDING` of their size, or of ``scale``, are
        floating-point rounding: differences that vary by no more count as the same, and a
        difference no larger counts as 0.

    Examples
    --------
    >>> s = paired_statistics([1.0, 2.0, 0.0, 1.0])
    >>> s["difference"], round(s["sd"], 4), round(s["d_z"], 4)
    (1.0, 0.8165, 1.2247)
    >>> s = paired_statistics([17 / 300 - 16 / 300, 15 / 300 - 14 / 300])  # one customer each
    >>> s["sd"], s["d_z"], s["ci_low"] == s["ci_high"]
    (0.0, inf, True)
    >>> e = 0.1 + 0.2 - 0.3  # the same sum, its terms in another order
    >>> s = paired_statistics([e, -e, 0.0, 2 * e], scale=0.6)
    >>> s["difference"], s["p_value"], s["share_equal"]
    (0.0, 1.0, 1.0)
    """
    confidence = _confidence(confidence)
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not 0 <= scale < math.inf:
        raise InputError(f"scale: expected a finite number, 0 or more (got {scale!r:.40})")
    d = _clean(differences)
    n = len(d)
    rounding = ROUNDING * max(float(np.abs(d).max()) if n else 0.0, float(scale))
    result = {
        "n": n,
        "difference": float(d.mean()) if n else math.nan,
        "sd": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "d_z": math.nan,
        "t": math.nan,
        "p_value": math.nan,
        "share_positive": float((d > rounding).mean()) if n else math.nan,
        "share_equal": float((np.abs(d) <= rounding).mean()) if n else math.nan,
    }
    if n < 2:
        return result
    mean, sd = result["difference"], float(d.std(ddof=1))
    if sd <= rounding:  # 17/300 - 16/300 against 15/300 - 14/300
        sd = 0.0
        mean = result["difference"] = 0.0 if abs(mean) <= rounding else mean
    result["sd"] = sd
    if sd > 0:
        sem = sd / math.sqrt(n)
        t = mean / sem
        half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * sem
        result.update(
            ci_low=mean - half,
            ci_high=mean + half,
            d_z=mean / sd,
            t=t,
            p_value=float(2 * stats.t.sf(abs(t), n - 1)),
        )
    else:
        step = math.copysign(math.inf, mean) if mean else 0.0
        result.update(ci_low=mean, ci_high=mean, d_z=step, t=step, p_value=0.0 if mean else 1.0)
    return result


def pairing_gain(
    strategy: Sequence[float] | np.ndarray, baseline: Sequence[float] | np.ndarray
) -> dict[str, float]:
    r"""How much pairing the runs reduced the variance of a difference.

    With common random numbers, the difference of paired runs varies less than the
    difference of independent runs (Law 2015, ch. 11):
    :math:`\mathrm{Var}(a - b) = \mathrm{Var}(a) + \mathrm{Var}(b) - 2\,\mathrm{Cov}(a, b)`,
    against :math:`\mathrm{Var}(a) + \mathrm{Var}(b)` unpaired. The ratio of the two is the
    share of the runs needed for the same precision with pairing.

    Parameters
    ----------
    strategy, baseline : array_like
        The outcome in paired runs (pairs with a missing value are left out).

    Returns
    -------
    dict
        ``var_paired`` (sample variance of the differences), ``var_unpaired``
        (the sum of the two sample variances), ``variance_ratio`` (their ratio) and
        ``variance_reduction`` (1 - the ratio); NaN with fewer than two pairs, and the
        ratio NaN when neither outcome varies.

    Raises
    ------
    InputError
        If the two are no numbers, or not one value per pair each.

    Examples
    --------
    >>> g = pairing_gain([1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 3.5, 4.0])
    >>> [round(g[k], 4) for k in ("var_paired", "var_unpaired", "variance_reduction")]
    [0.0833, 3.0833, 0.973]
    """
    a, b = _numbers(strategy, "strategy"), _numbers(baseline, "baseline")
    if a.ndim != 1 or a.shape != b.shape:
        raise InputError(
            f"strategy, baseline: expected one value per pair of runs in each, as two lists "
            f"of the same length (got shapes {a.shape} and {b.shape})"
        )
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    if len(a) < 2:
        return dict.fromkeys(
            ("var_paired", "var_unpaired", "variance_ratio", "variance_reduction"), math.nan
        )
    paired = float(np.var(a - b, ddof=1))
    unpaired = float(np.var(a, ddof=1) + np.var(b, ddof=1))
    ratio = paired / unpaired if unpaired > 0 else math.nan
    return {
        "var_paired": paired,
        "var_unpaired": unpaired,
        "variance_ratio": ratio,
        "variance_reduction": 1 - ratio,
    }


def paired_differences(
    results: pd.DataFrame,
    outcomes: Sequence[str],
    baseline: str,
    by: Sequence[str] = (),
    pair: Sequence[str] = ("replication",),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Differences of every strategy from the baseline strategy, paired by replication.

    Replication ``r`` of every strategy used the same seed (common random numbers), so
    each strategy's run is compared with the baseline's run of the same replication
    (and condition); runs without a partner are left out, and a group in which the
    baseline has no run gives no rows.

    Parameters
    ----------
    results : pandas.DataFrame
        One row per run, with a ``strategy`` column.
    outcomes : sequence of str
    baseline : str
        The strategy the others are compared with.
    by : sequence of str
        Columns of separate comparisons (the condition and its parameters).
    pair : sequence of str
        Columns that pair runs within a group.
    confidence : float

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, outcome, strategy, baseline``, the keys of
        :func:`paired_statistics`, ``significant`` (the interval excludes 0), and the
        keys of :func:`pairing_gain` (how much pairing reduced the variance).

    Raises
    ------
    InputError
        If a strategy has two runs of one pair (and group), a column is missing or
        repeated, an outcome is also ``strategy``, a ``by`` or a ``pair`` column, an
        outcome holds values that are no numbers, ``confidence`` is not between 0
        and 1, or ``baseline`` is none of the strategies of the results.
    """
    confidence, by, pair, outcomes = (
        _confidence(confidence),
        _names(by),
        _names(pair),
        _names(outcomes),
    )
    keys = [*by, *pair]
    _columns(results, [*keys, "strategy", *outcomes], "results")
    _known_baseline(results, baseline, "results")
    if keys_too := [o for o in outcomes if o in {*keys, "strategy"}]:
        raise InputError(
            f"outcomes: {', '.join(map(repr, keys_too))} also groups or pairs the runs "
            "(strategy, by or pair); an outcome cannot: it is compared between the runs "
            "that these columns match"
        )
    twice = results.duplicated([*keys, "strategy"])
    if twice.any():
        first = results[twice].iloc[0]
        run = ", ".join(f"{key} {first[key]}" for key in keys)
        raise InputError(
            f"the results hold {first['strategy']}'s run of {run} more than once (expected "
            "one run per strategy and pair, else a pair would count twice: results of two "
            "folders put together?)"
        )
    rows = []
    groups = results.groupby(list(by), sort=False) if by else [((), results)]
    for group_keys, group in groups:
        labels = dict(zip(by, group_keys if by else (), strict=True))
        reference = group[group["strategy"] == baseline].set_index(keys)
        if reference.empty:  # the baseline has no run here: nothing to pair with
            continue
        for strategy in group["strategy"].drop_duplicates():
            if strategy == baseline:
                continue
            other = group[group["strategy"] == strategy].set_index(keys)
            common = other.index.intersection(reference.index)
            for outcome in outcomes:
                name = f"results: column {outcome!r}"
                a = _numbers(other.loc[common, outcome].to_numpy(), name)
                b = _numbers(reference.loc[common, outcome].to_numpy(), name)
                scale = float(np.abs(np.r_[a, b][np.isfinite(np.r_[a, b])]).max(initial=0.0))
                statistics = paired_statistics(a - b, confidence, scale)
                rows.append(
                    {
                        **labels,
                        "outcome": outcome,
                        "strategy": strategy,
                        "baseline": baseline,
                        **statistics,
                        "significant": bool(statistics["p_value"] < 1 - confidence),
                        **pairing_gain(a, b),
                    }
                )
    if not rows:  # nothing to pair (no other strategy, or no run of the baseline)
        none = np.empty(0)
        statistics = [
            *paired_statistics(none, confidence),
            "significant",
            *pairing_gain(none, none),
        ]
        return pd.DataFrame(columns=[*by, "outcome", "strategy", "baseline", *statistics])
    return pd.DataFrame(rows)


def spend_comparison(
    results: pd.DataFrame,
    baseline: str,
    by: Sequence[str] = (),
    pair: Sequence[str] = ("replication",),
    tolerance: float = EQUAL_COST_TOLERANCE,
    confidence: float = 0.95,
    brand: str | None = None,
) -> pd.DataFrame:
    """Compare each strategy's spend with the baseline's, and the profit each extra Rp brings.

    A strategist compares plans at equal cost: a plan that earns more by spending more
    has not been shown to be better. Spend is the sum of the :data:`SPEND` columns the
    results hold; differences are paired by replication as in
    :func:`paired_differences`, over the runs whose spend is known, and the means of
    spend over the same pairs. In a market of several brands the totals mix a brand's
    money with its competitors': ``brand`` compares that brand's own spend and profit
    (``total_marketing_cost__<brand>``..., ``total_profit__<brand>``).

    Parameters
    ----------
    results : pandas.DataFrame
        One row per run, with ``strategy``, ``total_profit`` and spend columns.
    baseline : str
    by, pair, confidence
        As in :func:`paired_differences`.
    tolerance : float
        Largest relative difference of mean spend from the baseline's that counts as
        equal cost (0 or more).
    brand : str, optional
        One brand's spend and profit instead of the totals over all brands.

    Returns
    -------
    pandas.DataFrame
        One row per strategy other than the baseline (and group): ``spend`` and
        ``baseline_spend`` (means), ``extra_spend`` (mean paired difference) and
        ``extra_spend_share`` (relative to the baseline's), ``extra_profit`` with its
        interval (``profit_ci_low``, ``profit_ci_high``), ``profit_per_extra_spend``
        (``extra_profit / extra_spend``; NaN at equal cost, where the ratio means
        nothing) and ``equal_cost``.

    Raises
    ------
    InputError
        As :func:`paired_differences`, if the results hold no spend column, or if
        ``tolerance`` is not a number of 0 or more.

    Examples
    --------
    >>> runs = pd.DataFrame({"strategy": ["a", "a", "b", "b"], "replication": [0, 1, 0, 1],
    ...     "total_marketing_cost": [100.0, 100.0, 150.0, 150.0],
    ...     "total_profit": [500.0, 520.0, 530.0, 560.0]})
    >>> row = spend_comparison(runs, "a").iloc[0].to_dict()
    >>> [row[k] for k in ("extra_spend", "extra_profit", "profit_per_extra_spend", "equal_cost")]
    [50.0, 35.0, 0.7, False]
    """
    by = _names(by)
    if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real) or not tolerance >= 0:
        raise InputError(
            f"tolerance: expected a share of the baseline's spend, 0 or more, such as "
            f"{EQUAL_COST_TOLERANCE} (got {tolerance!r:.40})"
        )
    if brand is not None and not (isinstance(brand, str) and brand):
        raise InputError(f"brand: expected a brand's name, or None for all brands (got {brand!r})")
    suffix = f"__{brand}" if brand is not None else ""
    wanted = [f"{column}{suffix}" for column in SPEND]
    held = [c for c in wanted if c in results.columns]
    if not held:
        raise InputError(f"results: no spend column (expected one of {', '.join(wanted)})")
    if f"total_profit{suffix}" not in results.columns:
        raise InputError(f"results: no column 'total_profit{suffix}'")
    _known_baseline(results, baseline, "results")
    spend = results[held].sum(axis=1, skipna=False)
    frame = results.assign(_spend=spend, _profit=results[f"total_profit{suffix}"])
    frame = frame[spend.notna()]  # a spend not known is not 0
    if baseline not in set(frame["strategy"]):  # no baseline run with a known spend
        frame = frame.iloc[:0]
    differences = paired_differences(
        frame, ["_spend", "_profit"], baseline, by=by, pair=pair, confidence=confidence
    )
    rows = []
    for keys, group in differences.groupby([*by, "strategy"], sort=False):
        cost = group[group["outcome"] == "_spend"].iloc[0]
        profit = group[group["outcome"] == "_profit"].iloc[0]
        labels = dict(zip([*by, "strategy"], keys, strict=True))
        base, mine = _paired_means(frame, labels, baseline, [*by, *_names(pair)])
        extra = float(cost["difference"])
        share = extra / base if base > 0 else (math.inf if extra else 0.0)
        equal = abs(share) <= tolerance
        rows.append(
            {
                **labels,
                "baseline": baseline,
                "spend": mine,
                "baseline_spend": base,
                "extra_spend": extra,
                "extra_spend_share": share,
                "extra_profit": float(profit["difference"]),
                "profit_ci_low": float(profit["ci_low"]),
                "profit_ci_high": float(profit["ci_high"]),
                "profit_per_extra_spend": math.nan
                if equal
                else float(profit["difference"]) / extra,
                "equal_cost": bool(equal),
            }
        )
    return pd.DataFrame(rows, columns=[*by, "strategy", *_SPEND_COLUMNS])


_SPEND_COLUMNS = (
    "baseline",
    "spend",
    "baseline_spend",
    "extra_spend",
    "extra_spend_share",
    "extra_profit",
    "profit_ci_low",
    "profit_ci_high",
    "profit_per_extra_spend",
    "equal_cost",
)
"""The columns of :func:`spend_comparison` after the grouping columns and ``strategy``."""


def _paired_means(
    frame: pd.DataFrame, labels: dict[str, Any], baseline: str, keys: list[str]
) -> tuple[float, float]:
    """Mean spend of the baseline and of a strategy over their paired runs.

    Over the same pairs as the paired difference, so that a strategy's spend, the
    baseline's and the extra spend agree (a run without a partner is in none of them).
    """
    mask = np.ones(len(frame), dtype=bool)
    for column, value in labels.items():
        if column != "strategy":
            mask &= (frame[column] == value).to_numpy()
    base = frame[mask & (frame["strategy"] == baseline).to_numpy()].set_index(keys)["_spend"]
    mine = frame[mask & (frame["strategy"] == labels["strategy"]).to_numpy()]
    mine = mine.set_index(keys)["_spend"]
    common = base.index.intersection(mine.index)
    return float(base.loc[common].mean()), float(mine.loc[common].mean())


def daily_column(outcome: str, available: Sequence[str]) -> tuple[str, bool] | None:
    """Return the daily column behind a summary outcome, and whether it is cumulated.

    ``final_<x>`` is the daily ``<x>`` on the last day; ``total_<x>`` is the sum of the
    daily ``<x>``, so its series is the cumulative sum. Other outcomes (``roi``) have no
    daily series.

    Examples
    --------
    >>> daily_column("total_revenue", ["step", "revenue"])
    ('revenue', True)
    >>> daily_column("roi", ["step", "revenue"]) is None
    True
    """
    for prefix, cumulative in (("final_", False), ("total_", True)):
        if outcome.startswith(prefix) and outcome.removeprefix(prefix) in available:
            return outcome.removeprefix(prefix), cumulative
    return None


def daily_bands(
    daily: pd.DataFrame,
    column: str,
    by: Sequence[str] = ("strategy",),
    cumulative: bool = False,
    confidence: float = 0.95,
    within: tuple[float, float] = (-np.inf, np.inf),
) -> pd.DataFrame:
    """Mean daily series across replications with a pointwise t confidence band.

    Parameters
    ----------
    daily : pandas.DataFrame
        Stacked daily series: ``run_id``, ``step``, the ``by`` columns and ``column``.
    column : str
    by : sequence of str
        One band per group (a strategy, or a strategy under a condition).
    cumulative : bool
        Cumulate each run's series first (for flows such as revenue).
    confidence : float
    within : (float, float)
        The values the column (or its running total) can take: the band is cut to them
        (see :func:`describe`).

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, step, n, mean, ci_low, ci_high``.

    Raises
    ------
    InputError
        If a column is missing or repeated, a ``step`` is no whole day from 0 (or
        missing), a run has a day twice, or ``confidence`` is not between 0 and 1.
    """
    confidence, by = _confidence(confidence), _names(by)
    _columns(daily, ["run_id", *by, "step", column], "daily")
    run = pd.factorize(daily["run_id"])[0]  # runs as numbers: one pass over the ids
    step = _numbers(daily["step"].to_numpy(), "daily: column 'step'")
    if (odd := ~(step >= 0) | (step % 1 != 0)).any():  # NaN is not >= 0
        raise InputError(
            f"daily: column 'step': expected whole days from 0 (0, 1, 2, ...), got "
            f"{step[odd][0]:g} ({int(odd.sum())} such row(s))"
        )
    step = step.astype(np.int64)
    key = run * (int(step.max(initial=0)) + 1) + step  # a run's day: one number
    order = None if np.all(key[1:] > key[:-1]) else np.argsort(key, kind="stable")
    if order is not None and (repeated := np.flatnonzero(np.diff(key[order]) == 0)).size:
        first = daily.iloc[order[repeated[0] + 1]]
        raise InputError(
            f"daily: run {first['run_id']!r} has day {first['step']} more than once (each "
            "run's series once: series of two folders put together?)"
        )
    frame = daily[[*by, "step"]].copy()
    values = daily[column].to_numpy(dtype=float)
    if cumulative:  # in order of days; a day not known leaves the total unknown from then on
        ordered = slice(None) if order is None else order
        flow, runs = pd.Series(values[ordered]), pd.Series(run[ordered])
        unknown = flow.isna().groupby(runs).cumsum().to_numpy() > 0
        totals = np.where(unknown, np.nan, flow.groupby(runs).cumsum().to_numpy())
        values = np.empty_like(totals)
        values[ordered] = totals
    frame["value"] = values
    grouped = frame.groupby([*by, "step"], sort=False)["value"].agg(["count", "mean", "std"])
    grouped = grouped.reset_index().rename(columns={"count": "n"})
    n = grouped["n"].to_numpy(dtype=float)
    quantile = stats.t.ppf((1 + confidence) / 2, np.maximum(n - 1, 1))
    half = np.where(n > 1, quantile * grouped["std"].fillna(0.0) / np.sqrt(n), np.nan)
    grouped["ci_low"] = np.clip(grouped["mean"] - half, *within)
    grouped["ci_high"] = np.clip(grouped["mean"] + half, *within)
    return grouped.drop(columns="std")


def adoption_decomposition(
    programme: Sequence[float] | np.ndarray, baseline: Sequence[float] | np.ndarray
) -> dict[str, float]:
    r"""Split a programme's gain in adopters into expansion and acceleration, from curves.

    The method for runs whose customers' adoption days are not known (results folders
    written before ecosim stored them); :func:`match_adopters` follows the customers
    instead. ``programme`` and ``baseline`` are the cumulative shares of customers who
    have bought at least once (``adopted_share``) on days ``t = 0..T``, from two runs
    paired by replication. The programme's gain, in adopter-days per customer, is the
    area between the curves,

    .. math:: G = \sum_{t=0}^{T} [A_p(t) - A_b(t)].

    Following Libai, Muller & Peres (2013), adopters are of two kinds. With
    :math:`m = \min(A_p(T), A_b(T))`, the first :math:`m` adopters of each run are taken
    for the customers who adopt by the horizon in both worlds (matched in order of
    adoption); the programme only *accelerates* them. The others are *expansion*:
    customers who adopt by the horizon only with the programme (or, when negative, only
    without it). Since :math:`\min(x, m) + \max(x - m, 0) = x`, the gain splits exactly:

    .. math::

        G_{acc} = \sum_{t=0}^{T} [\min(A_p(t), m) - \min(A_b(t), m)],\quad
        G_{exp} = \sum_{t=0}^{T} [\max(A_p(t) - m, 0) - \max(A_b(t) - m, 0)].

    Parameters
    ----------
    programme, baseline : array_like
        Adoption curves over days ``0..T`` (same length).

    Returns
    -------
    dict
        ``new_adopters`` :math:`A_p(T) - A_b(T)` (share of customers: the expansion
        in customers); ``gain``, ``expansion`` and ``acceleration`` in adopter-days per
        customer (multiply by the number of customers for customer-days);
        ``days_earlier`` :math:`G_{acc} / m`, how many days earlier the matched adopters
        adopt on average (NaN when :math:`m = 0`).

    References
    ----------
    Libai, B., Muller, E., & Peres, R. (2013). Decomposing the value of word-of-mouth
    seeding programs: acceleration versus expansion. *Journal of Marketing Research*,
    50(2), 161-176.

    Examples
    --------
    >>> d = adoption_decomposition([0, 0.2, 0.4, 0.5], [0, 0.1, 0.2, 0.4])
    >>> {k: round(v, 6) for k, v in d.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'new_adopters': 0.1, 'gain': 0.4, 'expansion': 0.1, 'acceleration': 0.3,
     'days_earlier': 0.75}
    """
    p = np.asarray(programme, dtype=float)
    b = np.asarray(baseline, dtype=float)
    if p.shape != b.shape or p.ndim != 1 or len(p) < 2:
        raise ValueError("expected two adoption curves over the same days 0..T (T >= 1)")
    m = min(p[-1], b[-1])
    acceleration = float(np.sum(np.minimum(p, m) - np.minimum(b, m)))
    expansion = float(np.sum(np.maximum(p - m, 0.0) - np.maximum(b - m, 0.0)))
    return {
        "new_adopters": float(p[-1] - b[-1]),
        "gain": float(np.sum(p - b)),
        "expansion": expansion,
        "acceleration": acceleration,
        "days_earlier": float(acceleration / m) if m > 0 else math.nan,
    }


def match_adopters(
    programme: Sequence[float] | np.ndarray,
    baseline: Sequence[float] | np.ndarray,
    horizon: int,
) -> dict[str, float]:
    r"""Split a programme's gain in adopters into expansion and acceleration, customer by customer.

    ``programme`` and ``baseline`` hold every customer's day of adoption (first purchase
    of any brand; NaN: not by the horizon) in two runs paired by replication. The runs
    draw each customer's random numbers from the same stream (common random numbers at
    the level of the customer, :class:`ecosim.processes.sampling.Draws`), so customer
    *i* of one run is customer *i* of the other, and the two worlds can be matched
    individually, as Libai, Muller & Peres (2013) do. A customer who adopts on day
    :math:`f \le T` is an adopter on :math:`T + 1 - f` of the days ``0..T``; the gain in
    adopter-days is the area between the two runs' adoption curves (the ``G`` of
    :func:`adoption_decomposition`), and it splits exactly into

    .. math::

        G_{acc} = \sum_{i \in B} (f_{b,i} - f_{p,i}),\quad
        G_{exp} = \sum_{i \in P \setminus B} (T + 1 - f_{p,i})
                - \sum_{i \in N \setminus B} (T + 1 - f_{b,i}),

    where :math:`P` and :math:`N` are the customers adopting by :math:`T` with and
    without the programme and :math:`B = P \cap N` those adopting in both runs:
    *acceleration* (possibly negative for some customers, who adopt later with the
    programme) and *expansion* (customers won only with the programme, less those who
    adopt only without it).

    Parameters
    ----------
    programme, baseline : array_like
        Adoption days of the same customers (same length), in ``0..horizon`` or NaN.
    horizon : int
        The last day ``T``.

    Returns
    -------
    dict
        The keys of :func:`adoption_decomposition` (shares of customers, and adopter-days
        per customer), and the shares of customers ``adopters_both`` (:math:`B`),
        ``only_programme`` and ``only_baseline``; ``days_earlier`` is the mean of
        :math:`f_b - f_p` over :math:`B`.

    Raises
    ------
    ValueError
        If the arrays differ in length or hold days outside ``0..horizon``.

    References
    ----------
    Libai, B., Muller, E., & Peres, R. (2013). Decomposing the value of word-of-mouth
    seeding programs: acceleration versus expansion. *Journal of Marketing Research*,
    50(2), 161-176.

    Examples
    --------
    Customer 0 adopts 2 days earlier, customer 1 only with the programme (on day 3 of
    5), customer 2 never:

    >>> d = match_adopters([1, 3, None], [3, None, None], horizon=5)
    >>> d["acceleration"] * 3, d["expansion"] * 3, d["gain"] * 3, d["days_earlier"]
    (2.0, 3.0, 5.0, 2.0)
    """
    p = np.asarray(programme, dtype=float)
    b = np.asarray(baseline, dtype=float)
    if p.shape != b.shape or p.ndim != 1 or len(p) == 0:
        raise ValueError(
            f"expected the adoption days of the same customers in both runs, "
            f"got {p.shape} and {b.shape}"
        )
    for days in (p, b):
        known = days[~np.isnan(days)]
        if len(known) and (known.min() < 0 or known.max() > horizon):
            raise ValueError(f"adoption days must lie in 0..{horizon} (the horizon) or be NaN")
    n = len(p)
    in_p, in_b = ~np.isnan(p), ~np.isnan(b)
    both = in_p & in_b
    only_p, only_b = in_p & ~in_b, in_b & ~in_p
    acceleration = float(np.sum(b[both] - p[both])) / n
    expansion = float(np.sum(horizon + 1 - p[only_p]) - np.sum(horizon + 1 - b[only_b])) / n
    gain = float(np.sum(horizon + 1 - p[in_p]) - np.sum(horizon + 1 - b[in_b])) / n
    return {
        "new_adopters": float(in_p.sum() - in_b.sum()) / n,
        "gain": gain,
        "expansion": expansion,
        "acceleration": acceleration,
        "days_earlier": acceleration * n / int(both.sum()) if both.any() else math.nan,
        "adopters_both": float(both.mean()),
        "only_programme": float(only_p.mean()),
        "only_baseline": float(only_b.mean()),
    }


def decompose_adoption(
    daily: pd.DataFrame,
    baseline: str,
    by: Sequence[str] = (),
    pair: Sequence[str] = ("replication",),
    column: str = "adopted_share",
    adoption: Callable[[str], np.ndarray | None] | None = None,
) -> pd.DataFrame:
    """Expansion and acceleration of every strategy against the baseline, per pair of runs.

    Customers are matched individually (:func:`match_adopters`) when ``adoption`` gives
    both runs' adoption days; otherwise the pair is decomposed from its adoption curves
    (:func:`adoption_decomposition`).

    Parameters
    ----------
    daily : pandas.DataFrame
        Stacked daily series with ``run_id``, ``strategy``, ``step``, the ``by`` and
        ``pair`` columns, and ``column``.
    baseline : str
    by : sequence of str
        Columns of separate comparisons (the condition).
    pair : sequence of str
        Columns that pair a strategy's run with the baseline's.
    column : str
        The cumulative adoption share.
    adoption : callable, optional
        ``adoption(run_id)``: the run's adoption days per customer (NaN: never), or None
        if unknown (e.g. :meth:`ecosim.store.ResultStore.adoption`).

    Returns
    -------
    pandas.DataFrame
        One row per strategy (other than the baseline), group and pair, with the keys
        of :func:`adoption_decomposition` (and of :func:`match_adopters` for pairs
        matched individually), and ``method``: ``"individual"`` or ``"curve"``.

    Raises
    ------
    InputError
        If a column is missing or repeated, two runs of a strategy have the same ``by``
        and ``pair`` values, or ``baseline`` is none of the strategies of ``daily``.
    """
    keys = [*_names(by), *_names(pair)]
    _columns(daily, ["run_id", "strategy", "step", *keys, column], "daily")
    _known_baseline(daily, baseline, "daily series")
    groups = daily.groupby(["strategy", *keys], sort=False)
    shared = groups["run_id"].nunique()
    for index, count in shared[shared > 1].head(1).items():
        strategy, *key = index if isinstance(index, tuple) else (index,)
        values = ", ".join(f"{k} = {v}" for k, v in zip(keys, key, strict=True))
        raise InputError(
            f"daily: {count} runs of {strategy} "
            + (f"have {values}" if values else "and no by or pair column")
            + ": each run is paired with one baseline run (give by the columns that tell "
            "them apart, such as condition)"
        )
    runs = {(strategy, *key): run.sort_values("step") for (strategy, *key), run in groups}
    rows: list[dict[str, Any]] = []
    for (strategy, *key), run in runs.items():
        reference = runs.get((baseline, *key))
        if strategy == baseline or reference is None:
            continue
        days = (
            [adoption(frame["run_id"].iloc[0]) for frame in (run, reference)]
            if adoption is not None
            else [None]
        )
        if all(d is not None for d in days):
            horizon = int(run["step"].iloc[-1])
            if int(reference["step"].iloc[-1]) != horizon:
                raise ValueError(f"runs of {strategy} and {baseline} end on different days")
            parts, method = match_adopters(days[0], days[1], horizon), "individual"
        else:
            curves = [frame[column].to_numpy(dtype=float) for frame in (run, reference)]
            parts, method = adoption_decomposition(*curves), "curve"
        rows.append(
            {"strategy": strategy, **dict(zip(keys, key, strict=True)), **parts, "method": method}
        )
    return pd.DataFrame(rows)


def morris_indices(
    problem: dict[str, Any],
    sample: np.ndarray,
    y: np.ndarray,
    levels: int,
    seed: int | None = None,
    confidence: float = 0.95,
    dummy: str | None = "dummy",
) -> pd.DataFrame:
    """Morris elementary-effects indices of one outcome (:func:`SALib.analyze.morris`).

    Parameters
    ----------
    problem : dict
        SALib problem (``num_vars``, ``names``, ``bounds``).
    sample : numpy.ndarray
        The Morris design (:func:`SALib.sample.morris.sample`).
    y : numpy.ndarray
        The outcome at each design point.
    levels : int
        The design's number of grid levels (as given to the sampler: SALib divides each
        change of the outcome by the step these levels make).
    seed : int, optional
        Seed of the bootstrap of ``mu_star_conf``.
    confidence : float
    dummy : str, optional
        Name of the dummy parameter: its index is the noise floor.

    Returns
    -------
    pandas.DataFrame
        ``parameter, mu, mu_star, mu_star_conf, sigma`` and ``above_noise``: the
        parameter's ``mu_star`` interval lies above the dummy's.

    Raises
    ------
    InputError
        If ``y`` is not a finite number at every point, ``confidence`` is not between 0
        and 1, or ``levels`` is not the design's (for a design of uniform parameters,
        whose steps tell its levels).

    References
    ----------
    Morris, M. D. (1991). Factorial sampling plans for preliminary computational
    experiments. *Technometrics*, 33(2), 161-174.

    Campolongo, F., Cariboni, J., & Saltelli, A. (2007). An effective screening design for
    sensitivity analysis of large models. *Environmental Modelling & Software*, 22(10),
    1509-1518.
    """
    result = morris_analyze.analyze(
        problem,
        sample,
        _outcome_values(y),
        num_levels=_morris_levels(problem, sample, levels),
        conf_level=_confidence(confidence),
        seed=seed,
    )
    table = pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu": np.asarray(result["mu"], dtype=float),
            "mu_star": np.asarray(result["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(result["mu_star_conf"], dtype=float),
            "sigma": np.asarray(result["sigma"], dtype=float),
        }
    )
    return _above_noise(table, "mu_star", "mu_star_conf", dummy)


def sobol_indices(
    problem: dict[str, Any],
    y: np.ndarray,
    seed: int | None = None,
    confidence: float = 0.95,
    dummy: str | None = "dummy",
) -> pd.DataFrame:
    """First-order and total Sobol indices of one outcome (:func:`SALib.analyze.sobol`).

    Parameters
    ----------
    problem : dict
        SALib problem.
    y : numpy.ndarray
        The outcome at each point of :func:`SALib.sample.sobol.sample` (without second
        order indices).
    seed : int, optional
        Seed of the bootstrap of the confidence intervals.
    confidence : float
    dummy : str, optional
        Name of the dummy parameter: its index is the noise floor.

    Returns
    -------
    pandas.DataFrame
        ``parameter, S1, S1_conf, ST, ST_conf`` and ``above_noise``: the parameter's
        ``ST`` interval lies above the dummy's.

    References
    ----------
    Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and
    their Monte Carlo estimates. *Mathematics and Computers in Simulation*, 55, 271-280.

    Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., & Tarantola, S.
    (2010). Variance based sensitivity analysis of model output. *Computer Physics
    Communications*, 181(2), 259-270.
    """
    result = sobol_analyze.analyze(
        problem,
        _outcome_values(y),
        calc_second_order=False,
        conf_level=_confidence(confidence),
        seed=seed,
    )
    table = pd.DataFrame(
        {
            "parameter": problem["names"],
            **{
                key: np.asarray(result[key], dtype=float)
                for key in ("S1", "S1_conf", "ST", "ST_conf")
            },
        }
    )
    return _above_noise(table, "ST", "ST_conf", dummy)


def _morris_levels(problem: dict[str, Any], sample: np.ndarray, levels: object) -> int:
    """Return ``levels`` if it is a whole number of 2 or more that the design's steps agree with.

    A Morris trajectory moves one parameter (or group) at a time by ``levels / (2 (levels -
    1))`` of its range, and SALib divides each change of the outcome by that step: with
    other levels than the design's, every index is off by the same factor, without error.
    The steps can only be read in a design of uniform parameters (no ``dists``).
    """
    if isinstance(levels, bool) or not isinstance(levels, numbers.Integral) or levels < 2:
        raise InputError(
            f"levels: expected the design's number of grid levels, a whole number of 2 or "
            f"more (got {levels!r:.40})"
        )
    x = np.asarray(sample, dtype=float)
    size = len(set(problem.get("groups") or problem["names"])) + 1  # points per trajectory
    if (
        problem.get("dists") is not None
        or x.ndim != 2
        or len(x) % size
        or x.shape[1] != len(problem["bounds"])
    ):
        return int(levels)  # not a uniform design SALib would read: its own checks apply
    lower, upper = np.asarray(problem["bounds"], dtype=float).T
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = (x - lower) / (upper - lower)
    steps = np.abs(np.diff(unit.reshape(-1, size, x.shape[1]), axis=1))
    steps = steps[np.isfinite(steps) & (steps > 1e-9)]
    delta = levels / (2 * (levels - 1))
    if len(steps) and not np.allclose(steps, delta, rtol=1e-6, atol=1e-9):
        step = float(np.median(steps))
        design = f"those of {2 * step / (2 * step - 1):.3g} levels" if step > 0.5 else "irregular"
        raise InputError(
            f"levels: {levels} does not match the design: its steps are {step:.4g} of a "
            f"parameter's range, {design}, where {levels} levels make steps of {delta:.4g} "
            "(the indices would all be off by their ratio)"
        )
    return int(levels)


def _above_noise(table: pd.DataFrame, index: str, conf: str, dummy: str | None) -> pd.DataFrame:
    if dummy is None or dummy not in set(table["parameter"]):
        return table.assign(above_noise=pd.NA)
    floor = table.loc[table["parameter"] == dummy, [index, conf]].iloc[0]
    threshold = floor[index] + floor[conf]
    above = (table[index] - table[conf]) > threshold
    return table.assign(above_noise=above.where(table["parameter"] != dummy, False))


def _clean(values: Sequence[float] | np.ndarray | pd.Series, name: str = "values") -> np.ndarray:
    """Return the values as a 1-D float array without NaN (a run where it is undefined).

    Raises
    ------
    InputError
        Naming ``name``, for values that are no numbers, not one-dimensional, or infinite
        (a mean, an interval and a test of them would be meaningless).
    """
    x = _numbers(values, name)
    if x.ndim != 1:
        raise InputError(f"{name}: expected one value per run, in one dimension (got {x.ndim})")
    if np.isinf(x).any():
        raise InputError(
            f"{name}: {int(np.isinf(x).sum())} infinite value(s); expected finite numbers "
            "(NaN for a run where the outcome is undefined)"
        )
    return x[~np.isnan(x)]


def _known_baseline(frame: pd.DataFrame, baseline: str, what: str) -> None:
    """Refuse a baseline that is none of the strategies of ``frame`` (which has rows).

    A misspelt baseline paired nothing and gave an empty table, as if no strategy had a
    partner; a table without rows has no strategy to name and is left as it is.
    """
    strategies = list(dict.fromkeys(frame["strategy"]))
    if strategies and baseline not in strategies:
        close = difflib.get_close_matches(str(baseline), map(str, strategies), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise InputError(
            f"baseline: {baseline!r} is none of the strategies of the {what} ({hint}expected "
            f"one of: {', '.join(map(str, strategies))})"
        )


def _confidence(confidence: object) -> float:
    """Return ``confidence`` if it is a number strictly between 0 and 1; else an InputError."""
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, numbers.Real)
        or not 0 < float(confidence) < 1
    ):
        raise InputError(
            f"confidence: expected a number between 0 and 1 (exclusive), such as 0.95 "
            f"(got {confidence!r:.40})"
        )
    return float(confidence)


def _columns(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Refuse a table that lacks one of ``columns``, or holds one of them twice."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(
            f"{what}: no column {', '.join(map(repr, missing))} (it has "
            f"{', '.join(map(str, table.columns[:12]))}{', ...' if table.shape[1] > 12 else ''})"
        )
    twice = sorted({c for c in columns if list(table.columns).count(c) > 1})
    if twice:
        raise InputError(
            f"{what}: column {', '.join(map(repr, twice))} appears more than once (each run's "
            "value would count twice)"
        )


def _names(columns: str | Sequence[str]) -> list[str]:
    """Return column names given as one name or a sequence of names, as a list."""
    return [columns] if isinstance(columns, str) else list(columns)


def _numbers(values: object, name: str) -> np.ndarray:
    """Return the values as a float array; an InputError naming ``name`` for text or others."""
    text = False
    try:
        raw = np.asarray(values)
        text = raw.dtype.kind in "USO" and any(isinstance(v, str | bytes) for v in raw.ravel())
        numbers = None if text else raw.astype(float)
    except (TypeError, ValueError):  # ragged lists, objects that are no numbers
        numbers = None
    if numbers is None:
        kind = "numbers, not text" if text else "numbers"
        raise InputError(f"{name}: expected {kind} (got {values!r:.60})")
    return numbers


def _outcome_values(y: Sequence[float] | np.ndarray) -> np.ndarray:
    """Return the outcome at each design point if every one is finite; else an InputError.

    An index needs the outcome at every point of the design: with one missing, SALib's
    estimators give NaN, or (Sobol) zeros with no uncertainty, which read as "no effect".
    """
    values = _numbers(y, "y")
    bad = int(np.count_nonzero(~np.isfinite(values)))
    if bad:
        raise InputError(
            f"y: {bad} of {values.size} design points have no finite outcome (NaN or "
            "infinite); an index needs the outcome at every point"
        )
    return values
