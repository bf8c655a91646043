import copy

import numpy as np
import pandas as pd
import pytest

from ecosim.errors import InputError
from ecosim.experiment.schema import summary_row
from ecosim.metrics import engaged
from ecosim.model import EcosystemModel
from ecosim.population import STAGES, TRAITS
from ecosim.scenario import validate_scenario
from ecosim.value import (
    abc_classes,
    customer_values,
    engagement_profile,
    lifetime_value,
    quintile_scores,
    value_totals,
)

from support import small_scenario


def test_lifetime_value_closed_form_matches_the_discounted_sum():
    m, r, d = 120.0, 0.85, 0.1
    direct = sum(m * r**t / (1 + d) ** t for t in range(1, 2000))
    assert np.isclose(lifetime_value(np.array([m]), np.array([r]), d)[0], direct)
    assert lifetime_value(np.array([m]), np.array([0.0]), d)[0] == 0


def test_quintiles_and_abc():
    assert quintile_scores(
        np.array([5.0, 1.0, 3.0, 2.0, 4.0]), higher_is_better=False
    ).tolist() == [
        1,
        5,
        3,
        4,
        2,
    ]
    classes = abc_classes(np.array([0.0, 70.0, 5.0, 20.0, 5.0]))
    assert classes.tolist() == ["C", "A", "B", "A", "C"]


def test_a_missing_value_has_no_rank_and_abc_shares_must_be_ordered():
    """A NaN scored 0 (outside 1..5), or made every customer class C."""
    with pytest.raises(ValueError, match=r"values: a missing value \(NaN\) has no rank"):
        quintile_scores(np.array([1.0, np.nan, 3.0]))
    with pytest.raises(ValueError, match=r"spend: a missing value \(NaN\) has no rank"):
        abc_classes(np.array([1.0, np.nan, 3.0]))
    with pytest.raises(ValueError, match=r"expected 0 < a <= b <= 1 \(got a = 0.99, b = 0.5\)"):
        abc_classes(np.array([1.0, 2.0]), a=0.99, b=0.5)


@pytest.fixture(scope="module")
def model():
    data = small_scenario()
    data["brands"][0]["initial_awareness"] = 0.8
    data["days"] = 60
    model = EcosystemModel(validate_scenario(data), rng=2)
    model.run()
    return model


def test_customer_values_table(model):
    table = customer_values(model)
    population = model.population
    assert len(table) == population.n
    buyers = table["frequency"] > 0
    assert buyers.sum() > 20
    assert (table.loc[~buyers, ["r_score", "f_score", "m_score"]] == 0).all().all()
    assert table.loc[buyers, "r_score"].between(1, 5).all()
    assert np.allclose(table["monetary"], population.spend[:, 0])
    assert np.allclose(
        table["recency"][buyers], 60 - population.last_purchase[buyers.to_numpy(), 0]
    )
    scores = table[["r_score", "f_score", "m_score"]].astype(int)
    assert (
        table["rfm"] == 100 * scores["r_score"] + 10 * scores["f_score"] + scores["m_score"]
    ).all()
    assert np.allclose(table["clv"], table["realised_value"] + table["future_value"])
    assert (table.loc[table["retention"] > 0, "frequency"] > 0).all()
    churned = population.churned[:, 0]
    assert (table.loc[churned, "future_value"] == 0).all()
    spend_a = table.loc[table["abc"] == "A", "monetary"].sum()
    assert (
        0.8
        <= spend_a / table["monetary"].sum()
        < 0.8 + table["monetary"].max() / table["monetary"].sum()
    )


def test_realised_value_is_the_discounted_margin(model):
    params, brand = model.scenario.dynamics, model.scenario.brands[0]
    margin = model.population.spend[:, 0] - model.population.units[:, 0] * brand.price * (
        1 - brand.margin
    )
    # within 60 days the discount factor is between (1.1)^(-60/365) and 1
    realised = model.population.value[:, 0]
    assert (realised <= margin + 1e-9).all()
    assert (realised >= margin * (1 + params.clv_discount_rate) ** (-60 / 365) - 1e-9).all()
    totals = value_totals(model)["shop"]
    assert np.isclose(totals["total_realised_value"], realised.sum())
    assert isinstance(pd.Series(totals).sum(), float)


def test_expected_retention_does_not_depend_on_the_day_within_a_purchase_cycle(model):
    model = copy.deepcopy(model)
    population = model.population
    repeat = np.flatnonzero(population.purchases[:, 0] >= 2)[:2]
    a, b = repeat
    for name in ("experience", "purchases", "churned", "member_until"):
        getattr(population, name)[b, 0] = getattr(population, name)[a, 0]
    population.first_purchase[[a, b], 0] = [0, 2]
    population.last_purchase[[a, b], 0] = [40, 58]  # same mean interval: 40 / k and 56 / k
    population.purchases[[a, b], 0] = [5, 8]  # intervals 10 and 8
    table = customer_values(model)
    population.first_purchase[b, 0], population.purchases[b, 0] = 18, 5  # interval 10, like a
    same = customer_values(model)
    assert table.loc[a, "retention"] != table.loc[b, "retention"], "a shorter cycle churns less"
    assert same.loc[a, "retention"] == same.loc[b, "retention"], "2 or 20 days since the last"


def test_customer_values_say_who_is_engaged_and_what_may_explain_it(model):
    table = customer_values(model)
    population = model.population
    assert table["engaged"].dtype == bool
    assert (table["engaged"].to_numpy() == engaged(model)[:, 0]).all()
    assert table["engaged"].any() and not table["engaged"].all()
    assert set(table["stage"]) <= set(STAGES)
    assert (table["stage"].map(STAGES.index).to_numpy() == population.stage[:, 0]).all()
    assert table["experience"].dtype == np.float64
    assert (table["experience"].to_numpy() == population.experience[:, 0]).all()
    assert table["experience"].between(-1, 1).all()
    indptr = model.network.indptr
    assert np.issubdtype(table["friends"].dtype, np.integer)
    assert (table["friends"].to_numpy() == indptr[1:] - indptr[:-1]).all()
    assert table["friends"].mean() == pytest.approx(model.network.mean_degree)
    for trait in TRAITS:
        assert table[trait].dtype == np.float64
        assert (table[trait].to_numpy() == getattr(population, trait)).all()


def test_engagement_profile_of_a_run(model):
    table = customer_values(model)
    profile = engagement_profile(table)
    segments = [f"segment={name}" for name in ("a", "b")]
    assert set(profile.index) >= {*TRAITS, "friends", "experience", *segments, "abc=C"}
    assert list(profile.columns) == ["engaged", "others", "difference", "cohens_d"]
    mine = table["engaged"]
    assert profile.loc["friends", "engaged"] == pytest.approx(table.loc[mine, "friends"].mean())
    assert profile.loc["segment=a", "others"] == pytest.approx(
        (table["segment"][~mine] == "a").mean()
    )
    assert profile.loc[segments, "engaged"].sum() == pytest.approx(1)
    d = profile["cohens_d"].abs().to_numpy()
    assert (np.diff(d) <= 0).all(), "sorted by the absolute standardised difference"


def test_engagement_profile_gives_the_differences_and_cohens_d():
    values = pd.DataFrame(
        {
            "engaged": [True, True, False, False, False],
            "ad_receptiveness": [0.5] * 5,
            "talkativeness": [0.9, 0.7, 0.4, 0.2, 0.3],
            "price_sensitivity": [0.1, 0.3, 0.2, 0.2, 0.2],
            "need_cycle": [30.0] * 5,
            "friends": [10, 6, 4, 2, 3],
            "experience": [0.5, 0.5, 0.5, 0.5, 0.5],
            "segment": ["x", "y", "y", "y", "y"],
            "abc": ["A", "A", "B", "C", "C"],
        }
    )
    profile = engagement_profile(values)
    # talkativeness: means 0.8 and 0.3; squares 0.02 + 0.02, so a pooled sd of
    # sqrt(0.04 / 3) and d = 0.5 / 0.11547 = 4.330
    row = profile.loc["talkativeness"]
    assert row["engaged"] == pytest.approx(0.8) and row["others"] == pytest.approx(0.3)
    assert row["difference"] == pytest.approx(0.5)
    assert row["cohens_d"] == pytest.approx(0.5 / np.sqrt(0.04 / 3))
    # friends: means 8 and 3; squares 8 + 2, pooled sd sqrt(10 / 3)
    assert profile.loc["friends", "difference"] == 5
    assert profile.loc["friends", "cohens_d"] == pytest.approx(5 / np.sqrt(10 / 3))
    # price sensitivity: the same mean (0.2), so no difference
    assert profile.loc["price_sensitivity", "difference"] == pytest.approx(0)
    # shares: segment x is half the engaged and none of the others
    assert profile.loc["segment=x", ["engaged", "others"]].tolist() == [0.5, 0.0]
    assert profile.loc["segment=x", "cohens_d"] == pytest.approx(0.5 / np.sqrt(0.5 / 3))
    assert profile.loc["abc=A", "cohens_d"] == np.inf, "the groups differ without variation"
    for constant in ("ad_receptiveness", "need_cycle", "experience"):
        assert profile.loc[constant, ["difference", "cohens_d"]].tolist() == [0, 0]
    assert profile.index[0] == "abc=A" and profile.index[1] == "talkativeness"
    assert profile.index[-3:].tolist() == ["ad_receptiveness", "need_cycle", "experience"]


def test_engagement_profile_without_engaged_customers_has_no_engaged_means():
    values = customer_values_like(engaged=[False] * 4)
    profile = engagement_profile(values)
    assert profile["engaged"].isna().all() and profile["cohens_d"].isna().all()
    assert profile["others"].notna().all()


def customer_values_like(**columns):
    data = {
        "engaged": [True, False, True, False],
        **{trait: [0.1, 0.2, 0.3, 0.4] for trait in TRAITS},
        "friends": [1, 2, 3, 4],
        "experience": [0.0, 0.1, 0.2, 0.3],
        "segment": ["a", "a", "b", "b"],
        "abc": ["A", "B", "C", "C"],
    }
    data.update(columns)
    return pd.DataFrame(data)


def test_engagement_profile_names_a_missing_column():
    values = customer_values_like().drop(columns=["friends", "talkativeness"])
    with pytest.raises(ValueError, match="missing: talkativeness, friends"):
        engagement_profile(values)
    with pytest.raises(ValueError, match="several brands"):
        engagement_profile(customer_values_like(brand=["p", "q", "p", "q"]))


@pytest.mark.parametrize(
    ("brand", "message"),
    [
        (1, r"brand: 1 does not exist \(0\.\.0\)"),
        (-1, r"brand: -1 does not exist \(0\.\.0\)"),
        ("tokoku", r"brand: expected a brand's position \(0\.\.0\), got 'tokoku'"),
        (0.0, r"brand: expected a brand's position \(0\.\.0\), got 0.0"),
        (True, r"brand: expected a brand's position \(0\.\.0\), got True"),
    ],
)
def test_customer_values_refuse_a_brand_that_does_not_exist(model, brand, message):
    """As model.outcome() does: 1 was an IndexError, 'tokoku' a TypeError, True brand 1."""
    assert len(model.scenario.brand_names) == 1
    with pytest.raises(InputError, match=message):
        customer_values(model, brand)
    assert len(customer_values(model, np.int64(0))) == model.population.n


@pytest.mark.parametrize(
    ("engaged", "got"),
    [
        (["yes", "no", "no", "no"], "got 'yes' \\(4 of 4 customers\\)"),
        ([True, np.nan, True, False], "got nan \\(1 of 4"),
        (pd.array([True, None, False, False], dtype="boolean"), "got <NA>"),
        ([1, 0, 1, 0], "got 1"),
    ],
)
def test_engagement_profile_refuses_engaged_values_other_than_true_and_false(engaged, got):
    """Every such value was read as True: every customer counted as engaged."""
    with pytest.raises(
        InputError, match=f"values: column 'engaged': expected True or False.*{got}"
    ):
        engagement_profile(customer_values_like(engaged=engaged))
    flags = pd.Series([True, False, True, False], dtype=object)
    profile = engagement_profile(customer_values_like(engaged=flags))
    pd.testing.assert_frame_equal(profile, engagement_profile(customer_values_like()))


def test_a_run_without_buyers_or_talk_leaves_their_means_undefined_not_zero():
    """A run where no one bought gave a CLV per buyer of 0, and one where no one spoke a
    net sentiment of 0: in a batch they pulled the means towards 0 as if measured."""
    model = EcosystemModel(validate_scenario(small_scenario(campaign=[], days=2)))
    for _ in range(2):
        model.step()
    summary = model.summary()
    assert summary["total_purchases"] == 0
    assert summary["total_wom_positive"] + summary["total_wom_negative"] == 0
    assert summary["mean_clv_per_buyer"] is None and summary["net_sentiment"] is None
    row = summary_row(summary)
    assert np.isnan(row["mean_clv_per_buyer"]) and np.isnan(row["net_sentiment"])
