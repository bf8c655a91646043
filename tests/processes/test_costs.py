"""Programme costs: loyalty platforms, enrolled customers and AI personalisation engines."""

import numpy as np
import pytest

from ecosim import run
from ecosim.processes.costs import programme_cost
from ecosim.scenario import Loyalty, Personalisation, Points, validate_scenario

N, DAYS = 300, 30
PERSONALISED = (10, 19)


def scenario(loyalty: dict, campaign: list[dict]):
    """Everyone knows the brand and needs the product every four days or so."""
    segment = {"name": "everyone", "share": 1.0, "need_cycle": 4.0}
    return validate_scenario(
        {
            "name": "costs",
            "days": DAYS,
            "seed": 5,
            "population": {"size": N, "segments": [segment]},
            "network": {"kind": "watts_strogatz", "k": 4, "p": 0.1},
            "brands": [
                {"name": "shop", "price": 100.0, "initial_awareness": 1.0, "loyalty": loyalty}
            ],
            "campaign": campaign,
        }
    )


def test_without_a_programme_nothing_is_charged():
    assert programme_cost(Loyalty(running_cost=50.0, cost_per_member=1.0), lambda: 10, []) == 0.0


def test_the_member_count_is_only_taken_for_a_programme():
    def members() -> int:
        raise AssertionError("counted without a programme")

    assert programme_cost(Loyalty(), members, []) == 0.0


def test_running_and_member_costs_add_up():
    loyalty = Loyalty(points=Points(), running_cost=7.0, cost_per_member=0.5)
    engine = Personalisation(type="personalisation", brand="b", start=1, end=2, running_cost=3.0)
    assert programme_cost(loyalty, lambda: 10, [engine, engine]) == pytest.approx(7 + 5 + 6)


def test_every_enrolled_customer_is_charged_each_day():
    """With a goal never reached, every buyer holds points: the enrolled are the adopters."""
    points = {"goal": 1e9}
    daily = run(scenario({"points": points, "running_cost": 0.0, "cost_per_member": 1.0}, [])).iloc[
        1:
    ]
    enrolled = np.rint(daily["adopted_share"] * N)
    assert enrolled.iloc[-1] > N / 2
    np.testing.assert_allclose(daily["programme_cost"], enrolled)


def test_profit_subtracts_programme_costs_and_engine_runs_only_while_on():
    engine = {
        "type": "personalisation",
        "brand": "shop",
        "start": PERSONALISED[0],
        "end": PERSONALISED[1],
        "running_cost": 40.0,
    }
    daily = run(
        scenario({"points": {}, "running_cost": 2.0, "cost_per_member": 0.0}, [engine])
    ).iloc[1:]
    on = daily["step"].between(*PERSONALISED)
    np.testing.assert_allclose(daily.loc[on, "programme_cost"], 42.0)
    np.testing.assert_allclose(daily.loc[~on, "programme_cost"], 2.0)
    np.testing.assert_allclose(
        daily["profit"],
        daily["gross_margin"]
        - daily["marketing_cost"]
        - daily["service_cost"]
        - daily["programme_cost"],
    )
