"""Statistics checked against hand computations on tiny tables."""

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from ecosim.analysis import (
    adoption_decomposition,
    daily_bands,
    daily_column,
    decompose_adoption,
    describe,
    match_adopters,
    mean_ci,
    morris_indices,
    paired_differences,
    paired_statistics,
    pairing_gain,
    sobol_indices,
    spend_comparison,
)
from ecosim.errors import InputError

# t quantiles t(0.975, df) from a table: df 2, 3, 7.
T2, T3, T7 = 4.302653, 3.182446, 2.364624


def test_mean_and_t_interval_by_hand():
    # mean 5; squared deviations sum to 32, so s = sqrt(32 / 7) and the s.e. is s / sqrt(8)
    mean, low, high = mean_ci([2, 4, 4, 4, 5, 5, 7, 9])
    half = T7 * math.sqrt(32 / 7) / math.sqrt(8)
    assert mean == 5
    assert (low, high) == pytest.approx((5 - half, 5 + half), abs=1e-5)
    assert (low, high) == pytest.approx((3.212512, 6.787488), abs=1e-5)


def test_mean_ci_edge_cases():
    assert mean_ci([3.0, 3.0, 3.0]) == (3.0, 3.0, 3.0)
    mean, low, high = mean_ci([1.0, np.nan])
    assert mean == 1.0 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(x) for x in mean_ci([]))


def test_describe_by_strategy():
    results = pd.DataFrame(
        {"strategy": ["a"] * 4 + ["b"] * 4, "y": [1, 2, 3, 4, 10, 10, 10, np.nan]}
    )
    table = describe(results, ["y"]).set_index("strategy")
    half = T3 * math.sqrt(5 / 3) / 2
    assert table.loc["a", "n"] == 4 and table.loc["a", "mean"] == 2.5
    assert table.loc["a", "sd"] == pytest.approx(math.sqrt(5 / 3))
    assert table.loc["a", ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [2.5 - half, 2.5 + half], abs=1e-5
    )
    assert table.loc["b", "n"] == 3, "missing values are left out"
    assert table.loc["b", ["mean", "ci_low", "ci_high"]].tolist() == [10, 10, 10]


def test_an_interval_is_cut_to_the_values_its_outcome_can_take():
    """A count that is 0 in most runs, a share near 1: the t interval reaches past 0 and 1."""
    results = pd.DataFrame(
        {"strategy": ["a"] * 3, "count": [0.0, 0.0, 6.0], "share": [0.9, 1.0, 1.0], "y": [0, 0, 6]}
    )
    ranges = {"count": (0.0, math.inf), "share": (0.0, 1.0)}
    table = describe(results, ["count", "share", "y"], ranges=ranges).set_index("outcome")
    half = T2 * math.sqrt(12) / math.sqrt(3)
    assert table.loc["count", ["mean", "ci_low", "ci_high"]].tolist() == pytest.approx(
        [2.0, 0.0, 2.0 + half], abs=1e-5
    )
    assert table.loc["y", "ci_low"] == pytest.approx(2.0 - half, abs=1e-5), "no range: t interval"
    assert table.loc["share", "ci_high"] == 1.0 and table.loc["share", "ci_low"] < 0.95
    daily = pd.DataFrame(
        {"run_id": ["p", "q", "r"], "strategy": ["a"] * 3, "step": [0] * 3, "n": [0.0, 0.0, 6.0]}
    )
    band = daily_bands(daily, "n", within=(0.0, math.inf)).iloc[0]
    assert (band["ci_low"], band["ci_high"]) == pytest.approx((0.0, 2.0 + half), abs=1e-5)
    assert daily_bands(daily, "n").iloc[0]["ci_low"] == pytest.approx(2.0 - half, abs=1e-5)


def results_table():
    """Baseline and two strategies, four replications each, rows shuffled."""
    base = [10, 12, 11, 13]
    rows = [("base", r, y) for r, y in enumerate(base)]
    rows += [("up", r, y) for r, y in enumerate([12, 15, 12, 16])]
    rows += [("same", r, y + d) for r, (y, d) in enumerate(zip(base, [-1, 1, 0, 0], strict=True))]
    rows.append(("up", 4, 99))  # no baseline partner: left out
    frame = pd.DataFrame(rows, columns=["strategy", "replication", "y"])
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)


def test_paired_differences_by_hand():
    table = paired_differences(results_table(), ["y"], "base").set_index("strategy")
    up = table.loc["up"]
    # differences 2, 3, 1, 3: mean 2.25, squared deviations sum to 2.75
    sd = math.sqrt(2.75 / 3)
    half = T3 * sd / 2
    assert up["n"] == 4 and up["difference"] == 2.25
    assert up["sd"] == pytest.approx(sd)
    assert (up["ci_low"], up["ci_high"]) == pytest.approx((2.25 - half, 2.25 + half), abs=1e-5)
    assert up["d_z"] == pytest.approx(2.25 / sd)
    assert up["d_z"] == pytest.approx(2.350048, abs=1e-6)
    assert up["t"] == pytest.approx(2.25 / (sd / 2))
    assert up["p_value"] == pytest.approx(0.018220, abs=1e-6)
    assert up["significant"] and up["share_positive"] == 1.0
    same = table.loc["same"]
    # differences -1, 1, 0, 0: mean 0, s = sqrt(2 / 3)
    assert same["difference"] == 0 and same["d_z"] == 0
    assert same["ci_high"] == pytest.approx(T3 * math.sqrt(2 / 3) / 2, abs=1e-5)
    assert same["p_value"] == pytest.approx(1.0)
    assert not same["significant"] and same["share_positive"] == 0.25
    assert same["share_equal"] == 0.5 and up["share_equal"] == 0.0  # ties were "not higher"
    assert set(table["baseline"]) == {"base"}


def test_paired_differences_refuse_a_run_given_twice():
    """Two folders' results put together would count each pair twice: a narrower interval."""
    twice = pd.concat([results_table(), results_table()], ignore_index=True)
    with pytest.raises(InputError, match=r"the results hold \w+'s run of replication \d more than"):
        paired_differences(twice, ["y"], "base")


def test_paired_differences_per_condition():
    frame = results_table()
    both = pd.concat([frame.assign(condition=0), frame.assign(condition=1, y=frame["y"] * 2)])
    table = paired_differences(both, ["y"], "base", by=["condition"])
    up = table[table["strategy"] == "up"].set_index("condition")["difference"]
    assert up.to_dict() == {0: 2.25, 1: 4.5}


def test_identical_runs_have_no_difference():
    s = paired_statistics([0.0, 0.0, 0.0])
    assert (s["difference"], s["ci_low"], s["ci_high"], s["d_z"], s["p_value"]) == (0, 0, 0, 0, 1)
    constant = paired_statistics([2.0, 2.0])
    assert constant["d_z"] == math.inf and constant["p_value"] == 0.0
    single = paired_statistics([1.0])
    assert single["n"] == 1 and math.isnan(single["ci_low"])


def test_differences_equal_but_for_rounding_are_the_same_difference():
    """One customer in 300 more in each pair gave d_z 679,365,511,736,082: the two
    differences differed in their last bit, 17/300 - 16/300 against 15/300 - 14/300."""
    s = paired_statistics([17 / 300 - 16 / 300, 15 / 300 - 14 / 300])
    assert (s["sd"], s["d_z"]) == (0.0, math.inf)
    assert s["ci_low"] == s["ci_high"] == s["difference"]
    assert mean_ci([0.1, 0.1, 0.1])[1:] == (mean_ci([0.1, 0.1, 0.1])[0],) * 2
    assert paired_statistics([1 / 300, 1 / 300 + 1e-6])["sd"] > 0  # a real spread is kept
    e = 0.1 + 0.2 - 0.3  # a sum in another order: rounding around 0, p 0.305 and d_z 0.53
    noise = paired_statistics([e, -e, 0.0, 2 * e, e], scale=0.6)
    assert (noise["difference"], noise["d_z"], noise["p_value"]) == (0.0, 0.0, 1.0)
    assert (noise["share_equal"], noise["share_positive"]) == (1.0, 0.0)
    runs = pd.DataFrame({"strategy": ["a"] * 3 + ["b"] * 3, "replication": [0, 1, 2] * 2}).assign(
        y=[0.3, 0.6, 0.9, 0.1 + 0.2, 0.6, 0.9]
    )  # b: the same sums, one in another order
    (row,) = paired_differences(runs, ["y"], "a").to_dict("records")
    assert (row["difference"], row["share_equal"], row["p_value"]) == (0.0, 1.0, 1.0)
    many = np.ones(10_000)
    many[0] += 2e-7  # a real spread whose standard error is below the tolerance
    assert mean_ci(many)[1] < mean_ci(many)[2], "judged by the standard deviation"
    with pytest.raises(InputError, match="scale: expected a finite number, 0 or more"):
        paired_statistics([1.0, 2.0], scale=-1.0)


def test_daily_bands_by_hand():
    daily = pd.DataFrame(
        {
            "run_id": ["a", "a", "b", "b", "c", "c"],
            "strategy": ["s"] * 6,
            "step": [0, 1] * 3,
            "share": [0.0, 1.0, 0.0, 2.0, 0.0, 3.0],
            "flow": [1.0, 1.0, 2.0, 2.0, 3.0, 3.0],
        }
    )
    bands = daily_bands(daily, "share").set_index("step")
    assert bands.loc[1, "mean"] == 2 and bands.loc[1, "n"] == 3
    half = T2 * 1.0 / math.sqrt(3)
    assert bands.loc[1, ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [2 - half, 2 + half], abs=1e-5
    )
    assert bands.loc[0, ["mean", "ci_low", "ci_high"]].tolist() == [0, 0, 0]
    cumulative = daily_bands(daily, "flow", cumulative=True).set_index("step")
    # cumulated series: 1, 2 / 2, 4 / 3, 6
    assert cumulative.loc[1, "mean"] == 4
    assert cumulative.loc[1, "ci_high"] == pytest.approx(4 + T2 * 2 / math.sqrt(3), abs=1e-5)


def test_daily_column_of_outcomes():
    available = ["step", "revenue", "adopted_share", "revenue__b"]
    assert daily_column("final_adopted_share", available) == ("adopted_share", False)
    assert daily_column("total_revenue__b", available) == ("revenue__b", True)
    assert daily_column("total_purchases", available) is None


DECOMPOSITIONS = {
    # the programme only brings the same 40% of customers forward by one day on average
    "acceleration": (
        [0, 0.2, 0.4, 0.4, 0.4],
        [0, 0.1, 0.2, 0.3, 0.4],
        {"new_adopters": 0, "gain": 0.4, "expansion": 0, "acceleration": 0.4, "days_earlier": 1},
    ),
    # the programme adds 10% of customers on the last day, nobody earlier
    "expansion": (
        [0, 0.1, 0.2, 0.4],
        [0, 0.1, 0.2, 0.3],
        {"new_adopters": 0.1, "gain": 0.1, "expansion": 0.1, "acceleration": 0, "days_earlier": 0},
    ),
    # both: min(0.3, 0.5) - 0.1 + 0.5 - 0.3 = 0.4 accelerated; 0.6 - 0.5 = 0.1 expanded
    "both": (
        [0, 0.3, 0.5, 0.6],
        [0, 0.1, 0.3, 0.5],
        {
            "new_adopters": 0.1,
            "gain": 0.5,
            "expansion": 0.1,
            "acceleration": 0.4,
            "days_earlier": 0.8,
        },
    ),
    # adopters on day 0 (seeds) count from day 0: one day earlier than on day 1
    "seeded": (
        [0.1, 0.1],
        [0.0, 0.1],
        {
            "new_adopters": 0.0,
            "gain": 0.1,
            "expansion": 0.0,
            "acceleration": 0.1,
            "days_earlier": 1.0,
        },
    ),
    # the programme loses the customers who would have adopted on days 2 and 3
    "lost customers": (
        [0, 0.1, 0.1, 0.1],
        [0, 0.1, 0.2, 0.3],
        {
            "new_adopters": -0.2,
            "gain": -0.3,
            "expansion": -0.3,
            "acceleration": 0,
            "days_earlier": 0,
        },
    ),
}


@pytest.mark.parametrize("case", list(DECOMPOSITIONS), ids=list(DECOMPOSITIONS))
def test_expansion_and_acceleration_by_hand(case):
    programme, baseline, expected = DECOMPOSITIONS[case]
    result = adoption_decomposition(programme, baseline)
    assert result == pytest.approx(expected, abs=1e-12)


def test_decomposition_needs_matching_curves():
    with pytest.raises(ValueError, match="same days"):
        adoption_decomposition([0, 0.1], [0, 0.1, 0.2])


@st.composite
def curves(draw):
    days = draw(st.integers(min_value=1, max_value=30))
    steps = st.lists(st.floats(0, 0.05), min_size=days, max_size=days)
    return [np.concatenate([[0.0], np.cumsum(draw(steps))]) for _ in range(2)]


@given(curves())
def test_the_two_parts_add_up_to_the_gain(pair):
    programme, baseline = pair
    d = adoption_decomposition(programme, baseline)
    assert d["expansion"] + d["acceleration"] == pytest.approx(d["gain"], abs=1e-9)
    if programme[-1] == baseline[-1]:
        assert d["expansion"] == pytest.approx(0.0, abs=1e-12)
    if np.all(programme >= baseline):
        assert d["acceleration"] >= -1e-12 and d["expansion"] >= -1e-12


def test_decompose_adoption_pairs_runs_by_replication():
    rows = []
    for r, (base, prog) in enumerate(
        [([0, 0.1, 0.2, 0.3], [0, 0.1, 0.2, 0.4]), DECOMPOSITIONS["both"][1::-1]]
    ):
        for strategy, curve in (("base", base), ("seed", prog)):
            rows += [
                {
                    "run_id": f"{strategy}{r}",
                    "strategy": strategy,
                    "replication": r,
                    "step": t,
                    "adopted_share": v,
                }
                for t, v in enumerate(curve)
            ]
    daily = pd.DataFrame(rows).sample(frac=1.0, random_state=1)
    table = decompose_adoption(daily, "base").set_index("replication")
    assert list(table["strategy"]) == ["seed", "seed"]
    assert table.loc[0, "expansion"] == pytest.approx(0.1)
    assert table.loc[1, "acceleration"] == pytest.approx(0.4)


def curve_of(days: np.ndarray, horizon: int) -> np.ndarray:
    """The adoption curve A(t), t = 0..horizon, of customers' adoption days (NaN: never)."""
    return np.array([np.mean(days <= t) for t in range(horizon + 1)])


def test_matching_customers_with_known_adoption_days():
    nan = math.nan
    programme = np.array([2, 5, nan, 0, 7, nan])
    baseline = np.array([4, 5, 3, nan, nan, nan])
    d = match_adopters(programme, baseline, horizon=10)
    n = 6
    # customers 0 and 1 adopt in both runs: 0 two days earlier, 1 on the same day
    assert d["acceleration"] * n == pytest.approx(2.0)
    assert d["days_earlier"] == pytest.approx(1.0)
    # customers 3 (day 0) and 4 (day 7) adopt only with the programme: 11 + 4 adopter-days;
    # customer 2 only without it (day 3): 8 adopter-days lost
    assert d["expansion"] * n == pytest.approx(11 + 4 - 8)
    assert d["gain"] * n == pytest.approx(9.0)
    assert d["new_adopters"] * n == pytest.approx(1.0)
    assert (d["adopters_both"], d["only_programme"], d["only_baseline"]) == pytest.approx(
        (2 / n, 2 / n, 1 / n)
    )
    area = np.sum(curve_of(programme, 10) - curve_of(baseline, 10))
    assert d["gain"] == pytest.approx(area, abs=1e-12)
    curve = adoption_decomposition(curve_of(programme, 10), curve_of(baseline, 10))
    assert curve["gain"] == pytest.approx(d["gain"], abs=1e-12)
    assert curve["acceleration"] != pytest.approx(d["acceleration"]), "matching in order differs"


@st.composite
def adoption_days(draw):
    horizon = draw(st.integers(min_value=1, max_value=40))
    n = draw(st.integers(min_value=1, max_value=60))
    day = st.one_of(st.none(), st.integers(min_value=0, max_value=horizon))
    days = [np.array(draw(st.lists(day, min_size=n, max_size=n)), dtype=float) for _ in range(2)]
    return (*days, horizon)


@given(adoption_days())
def test_matched_parts_add_up_exactly_to_the_area_between_the_curves(case):
    programme, baseline, horizon = case
    d = match_adopters(programme, baseline, horizon)
    area = float(np.sum(curve_of(programme, horizon) - curve_of(baseline, horizon)))
    assert d["gain"] == pytest.approx(area, abs=1e-9)
    assert d["expansion"] + d["acceleration"] == pytest.approx(d["gain"], abs=1e-9)
    assert d["new_adopters"] == pytest.approx(d["only_programme"] - d["only_baseline"])
    if np.array_equal(np.isnan(programme), np.isnan(baseline)):
        assert d["expansion"] == 0.0


def test_matching_needs_the_same_customers_within_the_horizon():
    with pytest.raises(ValueError, match="same customers"):
        match_adopters([1, 2], [1, 2, 3], horizon=5)
    with pytest.raises(ValueError, match=r"0\.\.5 \(the horizon\)"):
        match_adopters([1, 6], [1, 2], horizon=5)


def test_decompose_adoption_matches_customers_where_their_days_are_known():
    days = {"base0": [1, None, 3], "seed0": [0, 2, 3], "base1": [1, 1, None]}
    rows = [
        {"run_id": f"{s}{r}", "strategy": s, "replication": r, "step": t, "adopted_share": 0.0}
        for s in ("base", "seed")
        for r in (0, 1)
        for t in range(4)
    ]
    table = decompose_adoption(
        pd.DataFrame(rows),
        "base",
        adoption=lambda run_id: np.array(days[run_id], float) if run_id in days else None,
    ).set_index("replication")
    assert table.loc[0, "method"] == "individual"
    assert table.loc[0, "acceleration"] * 3 == pytest.approx(1.0)
    assert table.loc[0, "expansion"] * 3 == pytest.approx(2.0)  # day 2 of 3: days 2 and 3
    assert table.loc[1, "method"] == "curve", "run seed1 has no adoption days"
    assert table.loc[1, "gain"] == 0.0


def test_pairing_gain_with_an_exact_correlation():
    # a and b have the same sample variance and sample correlation rho, so
    # var(a - b) = 2 var (1 - rho) against 2 var unpaired: the reduction is rho
    x, y = np.random.default_rng(3).normal(size=(2, 50))
    x, y = x - x.mean(), y - y.mean()
    y = y - x * (x @ y) / (x @ x)
    x, y = x / np.linalg.norm(x), y / np.linalg.norm(y)
    for rho in (-0.5, 0.0, 0.3, 0.9, 0.99):
        a, b = 10 + 3 * x, 7 + 3 * (rho * x + math.sqrt(1 - rho**2) * y)
        g = pairing_gain(a, b)
        assert g["variance_reduction"] == pytest.approx(rho, abs=1e-12)
        assert g["var_paired"] == pytest.approx(np.var(a - b, ddof=1))
        assert g["variance_ratio"] == pytest.approx(1 - rho, abs=1e-12)


def test_pairing_gain_estimates_the_correlation_of_normal_pairs():
    # 200 samples of 40 pairs with correlation 0.8: the mean estimate lies within
    # 4 standard errors of 0.8
    rho = 0.8
    cov = [[1.0, rho], [rho, 1.0]]
    estimates = [
        pairing_gain(*np.random.default_rng(seed).multivariate_normal([0, 0], cov, 40).T)[
            "variance_reduction"
        ]
        for seed in range(200)
    ]
    se = np.std(estimates, ddof=1) / math.sqrt(len(estimates))
    assert abs(np.mean(estimates) - rho) < 4 * se + 0.01


def test_pairing_gain_edge_cases():
    assert math.isnan(pairing_gain([1.0], [2.0])["variance_reduction"])
    assert math.isnan(pairing_gain([1.0, 1.0], [2.0, 2.0])["variance_ratio"])
    g = pairing_gain([1.0, 2.0, math.nan], [1.0, 2.0, 5.0])
    assert g["var_paired"] == 0.0 and g["variance_reduction"] == 1.0


def test_paired_differences_report_the_variance_pairing_removed():
    results = pd.DataFrame(
        {
            "strategy": ["base"] * 4 + ["new"] * 4,
            "replication": [0, 1, 2, 3] * 2,
            "y": [1.0, 2.0, 3.0, 4.0, 1.5, 2.0, 3.5, 4.0],
        }
    )
    row = paired_differences(results, ["y"], "base").iloc[0]
    assert row["var_paired"] == pytest.approx(np.var([0.5, 0, 0.5, 0], ddof=1))
    assert row["var_unpaired"] == pytest.approx(
        np.var([1, 2, 3, 4], ddof=1) + np.var([1.5, 2, 3.5, 4], ddof=1)
    )
    assert row["variance_reduction"] == pytest.approx(1 - row["var_paired"] / row["var_unpaired"])


def test_morris_indices_of_a_known_function():
    problem = {"num_vars": 2, "names": ["x", "dummy"], "bounds": [[0, 1], [0, 1]]}
    sample = morris_sample.sample(problem, 10, num_levels=4, seed=1)
    y = 2 * sample[:, 0]
    table = morris_indices(problem, sample, y, levels=4, seed=1).set_index("parameter")
    assert table.loc["x", "mu_star"] == pytest.approx(2.0)
    assert table.loc["x", "sigma"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc["dummy", "mu_star"] == 0.0
    assert table["above_noise"].to_dict() == {"x": True, "dummy": False}


def test_sobol_indices_of_a_known_function():
    problem = {"num_vars": 3, "names": ["x", "z", "dummy"], "bounds": [[0, 1]] * 3}
    sample = sobol_sample.sample(problem, 512, calc_second_order=False, seed=2)
    y = 3 * sample[:, 0] + sample[:, 1]  # variances 9/12 and 1/12: S = 0.9 and 0.1
    table = sobol_indices(problem, y, seed=2).set_index("parameter")
    assert table.loc["x", "S1"] == pytest.approx(0.9, abs=0.05)
    assert table.loc["z", "ST"] == pytest.approx(0.1, abs=0.02)
    assert abs(table.loc["dummy", "ST"]) < 1e-9
    assert table["above_noise"].to_dict() == {"x": True, "z": True, "dummy": False}


def test_spend_comparison_calls_equal_cost_within_the_tolerance():
    runs = pd.DataFrame(
        {
            "strategy": ["base"] * 3 + ["same"] * 3 + ["more"] * 3,
            "replication": [0, 1, 2] * 3,
            "total_marketing_cost": [1000.0, 1000, 1000, 1005, 1005, 1005, 1200, 1200, 1200],
            "total_service_cost": [50.0] * 9,
            "total_profit": [10.0, 20, 30, 15, 25, 35, 40, 50, 60],
        }
    )
    table = spend_comparison(runs, "base").set_index("strategy")
    assert table.loc["same", "equal_cost"] and np.isnan(table.loc["same", "profit_per_extra_spend"])
    assert not table.loc["more", "equal_cost"]
    assert table.loc["more", "extra_spend_share"] == pytest.approx(200 / 1050)
    assert table.loc["more", "profit_per_extra_spend"] == pytest.approx(30 / 200)


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1, "0.95", True, math.nan])
@pytest.mark.parametrize(
    "call",
    [
        lambda c: mean_ci([1.0, 2.0, 3.0], c),
        lambda c: describe(results_table(), ["y"], confidence=c),
        lambda c: paired_statistics([1.0, 2.0, 0.5], c),
        lambda c: paired_differences(results_table(), ["y"], "base", confidence=c),
        lambda c: daily_bands(daily_table(), "y", confidence=c),
    ],
    ids=["mean_ci", "describe", "paired_statistics", "paired_differences", "daily_bands"],
)
def test_a_confidence_outside_0_1_is_refused_naming_it(call, confidence):
    """At 0 every difference would be significant, at -0.1 the interval inverted."""
    with pytest.raises(InputError, match="confidence: expected a number between 0 and 1"):
        call(confidence)


def test_a_column_given_twice_or_missing_is_refused_not_counted_twice():
    table = results_table()
    doubled = pd.concat([table, table[["y"]]], axis=1)
    for call in (
        lambda: describe(doubled, ["y"]),
        lambda: paired_differences(doubled, ["y"], "base"),
    ):
        with pytest.raises(InputError, match="results: column 'y' appears more than once"):
            call()
    with pytest.raises(InputError, match="results: no column 'sales' "):
        describe(table, ["sales"])
    by_name = describe(table, ["y"], by="strategy")  # one column, named alone
    pd.testing.assert_frame_equal(by_name, describe(table, ["y"], by=["strategy"]))


def daily_table():
    """Three runs of one strategy over days 0..3, rows shuffled."""
    rows = [("s", f"r{r}", step, float(r + step)) for r in range(3) for step in range(4)]
    frame = pd.DataFrame(rows, columns=["strategy", "run_id", "step", "y"])
    return frame.sample(frac=1.0, random_state=1).reset_index(drop=True)


def test_cumulative_bands_cumulate_in_order_of_days_and_stop_at_an_unknown_day():
    daily = daily_table()
    bands = daily_bands(daily, "y", cumulative=True).set_index("step")
    # run r: r + 0, r + 1, ... cumulated: step k holds (k + 1) r + k (k + 1) / 2; mean r = 1
    for step in range(4):
        assert bands.loc[step, "mean"] == pytest.approx((step + 1) * 1 + step * (step + 1) / 2)
    unknown = daily.copy()
    unknown.loc[(unknown["run_id"] == "r0") & (unknown["step"] == 1), "y"] = math.nan
    counted = daily_bands(unknown, "y", cumulative=True).set_index("step")["n"].sort_index()
    assert counted.tolist() == [3, 2, 2, 2], "r0's total is unknown from its unknown day on"
    with pytest.raises(InputError, match="daily: run 'r1' has day 2 more than once"):
        daily_bands(pd.concat([daily, daily[(daily.run_id == "r1") & (daily.step == 2)]]), "y")


def test_spend_is_compared_over_the_paired_runs_with_known_spend():
    runs = pd.DataFrame(
        {
            "strategy": ["a", "a", "a", "b", "b"],
            "replication": [0, 1, 2, 0, 1],
            "total_marketing_cost": [100.0, math.nan, 300.0, 150.0, 150.0],
            "total_profit": [500.0, 520.0, 540.0, 535.0, 560.0],
        }
    )
    row = spend_comparison(runs, "a").iloc[0]
    # only replication 0 pairs runs whose spend is known: a 100, b 150
    assert (row["spend"], row["baseline_spend"], row["extra_spend"]) == (150.0, 100.0, 50.0)
    assert row["profit_per_extra_spend"] == pytest.approx(35.0 / 50.0)
    with pytest.raises(InputError, match="results: no spend column"):
        spend_comparison(runs.drop(columns="total_marketing_cost"), "a")


def test_sensitivity_indices_refuse_an_outcome_given_as_text():
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    y = [str(v) for v in range(30)]
    with pytest.raises(InputError, match="y: expected numbers, not text"):
        morris_indices(problem, morris_sample.sample(problem, 10, seed=1), y, levels=4)


def test_sensitivity_indices_refuse_an_outcome_missing_at_a_design_point():
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 1.0], [0.0, 1.0]]}
    sample = sobol_sample.sample(problem, 8, calc_second_order=False, seed=1)
    y = sample[:, 0] + 0.1 * sample[:, 1]
    y[3] = math.nan
    with pytest.raises(InputError, match="y: 1 of 32 design points have no finite outcome"):
        sobol_indices(problem, y)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1.0, math.inf, 2.0], "values: 1 infinite value"),
        ([[1.0, 2.0], [3.0, 4.0]], "values: expected one value per run, in one dimension"),
        (None, "values: expected one value per run"),
        (["a", "b"], "values: expected numbers"),
        (["1", "2", "3"], "values: expected numbers, not text"),
        (pd.Series([1.0, "2.5"], dtype=object), "values: expected numbers, not text"),
        ([[1.0, 2.0], [3.0]], "values: expected numbers"),
    ],
)
def test_values_that_are_no_finite_numbers_are_refused(values, message):
    """An infinite difference gave p = 0 and 'significant' with an undefined sd."""
    with pytest.raises(InputError, match=message):
        mean_ci(values)
    with pytest.raises(InputError, match=message):
        paired_statistics(values)


def test_numbers_with_missing_values_in_an_object_column_are_numbers():
    assert mean_ci(pd.Series([1.0, None, 3.0], dtype=object), 0.9)[0] == 2.0
    assert mean_ci(np.array([True, False, True, True]))[0] == 0.75


def test_describe_without_groups_describes_all_runs_as_one_group():
    """``by=[]`` raised pandas' 'No group keys passed!'; paired_differences accepted it."""
    table = results_table()
    for by in ([], ()):
        row = describe(table, ["y"], by=by)
        assert list(row.columns) == ["outcome", "n", "mean", "sd", "ci_low", "ci_high"]
        assert len(row) == 1 and row.loc[0, "n"] == len(table)
        assert row.loc[0, "mean"] == pytest.approx(table["y"].mean())


def test_decompose_adoption_reads_a_column_named_alone_and_names_a_missing_one():
    """A str ``by`` was read letter by letter (KeyError 'c'); a missing column was a KeyError."""
    rows = [
        {
            "run_id": f"{condition}{strategy}{r}",
            "strategy": strategy,
            "condition": condition,
            "replication": r,
            "step": t,
            "adopted_share": v,
        }
        for condition in ("x", "y")
        for r in range(2)
        for strategy, curve in (("base", [0, 0.1, 0.2, 0.3]), ("seed", [0, 0.1, 0.3, 0.4]))
        for t, v in enumerate(curve)
    ]
    daily = pd.DataFrame(rows)
    by_name = decompose_adoption(daily, "base", by="condition", pair="replication")
    pd.testing.assert_frame_equal(by_name, decompose_adoption(daily, "base", by=["condition"]))
    assert len(by_name) == 4
    with pytest.raises(InputError, match=r"daily: no column 'rep' \(it has run_id, strategy"):
        decompose_adoption(daily, "base", pair="rep")
    with pytest.raises(InputError, match="daily: no column 'replication', 'nope'"):
        decompose_adoption(daily.drop(columns="replication"), "base", column="nope")
    # without the condition, two runs of each strategy share a replication: their rows were
    # mixed into one curve (or the last run kept) without a word
    with pytest.raises(InputError, match=r"daily: 2 runs of base have replication = 0: each"):
        decompose_adoption(daily, "base")
    with pytest.raises(InputError, match=r"daily: 4 runs of base and no by or pair column: "):
        decompose_adoption(daily, "base", pair=())
    extra = [daily[daily["run_id"] == "xseed0"].assign(run_id="z")]  # 2 runs of x, 0
    extra += [daily[daily["run_id"] == "yseed1"].assign(run_id=name) for name in "uv"]  # 3
    with pytest.raises(InputError, match=r"daily: 2 runs of seed have condition = x, repl"):
        decompose_adoption(pd.concat([daily, *extra]), "base", by="condition")


def test_paired_differences_refuse_text_and_outcomes_that_group_or_pair_the_runs():
    """Text was cast to numbers ('12' counted as 12) or raised a raw ValueError; an outcome
    that is also a key column raised a KeyError."""
    table = results_table()
    text = table.assign(y=table["y"].astype(str))
    for call in (
        lambda: paired_differences(text, ["y"], "base"),
        lambda: describe(text, ["y"]),
    ):
        with pytest.raises(InputError, match="results: column 'y': expected numbers, not text"):
            call()
    with pytest.raises(InputError, match="outcomes: 'c' also groups or pairs the runs"):
        paired_differences(table.assign(c=0), ["c"], "base", by="c")
    for outcome in ("replication", "strategy"):
        with pytest.raises(InputError, match=f"outcomes: '{outcome}' also groups or pairs"):
            paired_differences(table, ["y", outcome], "base")


@pytest.mark.parametrize(
    ("steps", "got"),
    [
        (lambda s: s * 0.5, r"got \d\.5 \(6 such row"),
        (lambda s: s.where(s != 2), r"got nan \(3 such row"),
        (lambda s: -s, r"got -\d \(9 such row"),
    ],
    ids=["halves", "missing", "negative"],
)
def test_daily_bands_refuse_steps_that_are_no_whole_days(steps, got):
    """Half days were read as whole ones (a false 'day 0 more than once'), a NaN day as a
    huge integer that corrupted the running totals."""
    daily = daily_table()
    daily["step"] = steps(daily["step"].astype(float))
    with pytest.raises(
        InputError, match=f"daily: column 'step': expected whole days from 0.*{got}"
    ):
        daily_bands(daily, "y", cumulative=True)
    with pytest.raises(InputError, match="daily: column 'step': expected numbers, not text"):
        daily_bands(daily_table().astype({"step": str}), "y")
    whole = daily_bands(daily_table().astype({"step": float}), "y")
    assert whole["n"].tolist() == [3] * 4


@pytest.mark.parametrize("tolerance", ["x", -1, math.nan, True, None])
def test_spend_comparison_refuses_a_tolerance_that_is_no_share(tolerance):
    runs = pd.DataFrame(
        {
            "strategy": ["a", "b"],
            "replication": [0, 0],
            "total_marketing_cost": [100.0, 150.0],
            "total_profit": [10.0, 20.0],
        }
    )
    with pytest.raises(InputError, match="tolerance: expected a share of the baseline's spend"):
        spend_comparison(runs, "a", tolerance=tolerance)


def test_pairing_gain_refuses_outcomes_that_are_not_paired():
    """Lists of different lengths raised numpy's broadcast error."""
    with pytest.raises(InputError, match=r"strategy, baseline: .* same length .*\(3,\) and \(2,\)"):
        pairing_gain([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(InputError, match="baseline: expected numbers, not text"):
        pairing_gain([1.0, 2.0], ["1", "2"])


def test_morris_indices_refuse_levels_other_than_the_designs():
    """SALib divides by the step of the levels it is given: 6 for a design of 4 gave
    mu_star 2.22 for a slope of 2, without error."""
    problem = {"num_vars": 2, "names": ["x", "dummy"], "bounds": [[0, 10], [0, 1]]}
    sample = morris_sample.sample(problem, 10, num_levels=4, seed=1)
    y = 2 * sample[:, 0] / 10
    assert morris_indices(problem, sample, y, levels=4).loc[0, "mu_star"] == pytest.approx(2.0)
    with pytest.raises(InputError, match=r"levels: 6 does not match the design: .* of 4 levels"):
        morris_indices(problem, sample, y, levels=6)
    with pytest.raises(InputError, match="levels: expected the design's number of grid levels"):
        morris_indices(problem, sample, y, levels=1)


def test_a_baseline_that_is_no_strategy_is_refused_not_an_empty_table():
    """A misspelt baseline paired nothing: empty differences and spend, without a word."""
    runs = pd.DataFrame(
        {
            "strategy": ["current_plan", "cheaper"],
            "replication": [0, 0],
            "total_profit": [1.0, 2.0],
            "total_marketing_cost": [1.0, 1.5],
        }
    )
    message = "baseline: 'curent_plan' is none of the strategies of the results (did you mean"
    with pytest.raises(InputError, match=re.escape(message)):
        paired_differences(runs, ["total_profit"], "curent_plan")
    with pytest.raises(InputError, match=re.escape(message)):
        spend_comparison(runs, "curent_plan")
    assert paired_differences(runs.iloc[:0], ["total_profit"], "curent_plan").empty


def test_spend_comparison_names_a_missing_profit_or_an_empty_brand():
    runs = pd.DataFrame(
        {
            "strategy": ["a", "b"],
            "replication": [0, 0],
            "total_marketing_cost": [100.0, 150.0],
            "total_marketing_cost__shop": [10.0, 15.0],
            "total_profit": [10.0, 20.0],
        }
    )
    with pytest.raises(InputError, match="results: no column 'total_profit__shop'"):
        spend_comparison(runs, "a", brand="shop")
    with pytest.raises(InputError, match="results: no column 'total_profit'"):
        spend_comparison(runs.drop(columns="total_profit"), "a")
    with pytest.raises(InputError, match="brand: expected a brand's name, or None"):
        spend_comparison(runs, "a", brand="")
