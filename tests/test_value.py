import copy

import numpy as np
import pandas as pd
import pytest

from ecosim.model import EcosystemModel
from ecosim.scenario import validate_scenario
from ecosim.value import abc_classes, customer_values, lifetime_value, quintile_scores, value_totals

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
