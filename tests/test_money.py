"""Money identities, with the expected amounts worked out from the scenario's terms.

Each expected amount is computed from counts (purchases, redemptions, members) and the
prices, discounts, rewards and fees written in the scenario, never from the arrays the
model sums, so a discount or a reward or a fee that the model forgets to apply shows.
"""

import numpy as np
import pytest

from ecosim import run
from ecosim.scenario import validate_scenario

PRICE = 100.0
DISCOUNT = 0.2
PROMOTION_DAYS = range(5, 9)
GOAL, REWARD = 250.0, 15.0
FEE, TERM, MEMBER_DISCOUNT = 25.0, 7, 0.1
DAYS = 40


def scenario(loyalty: dict, campaign: list[dict], basket: list[float] | None = None):
    """Everyone knows the brand and needs the product every three days or so.

    One unit per purchase unless ``basket`` says otherwise (up-selling has its own test).
    """
    segment = {"name": "everyone", "share": 1.0, "need_cycle": 3.0, "price_sensitivity": 0.0}
    return validate_scenario(
        {
            "name": "money",
            "days": DAYS,
            "seed": 3,
            "population": {"size": 400, "segments": [segment]},
            "network": {"kind": "watts_strogatz", "k": 4, "p": 0.1},
            "brands": [
                {
                    "name": "shop",
                    "price": PRICE,
                    "initial_awareness": 1.0,
                    "quality": 0.95,
                    "loyalty": loyalty,
                }
            ],
            "campaign": campaign,
            "dynamics": {"stage_basket": basket or [1.0] * 5},
        }
    )


@pytest.fixture(scope="module")
def points_run():
    points = {"earn_rate": 1.0, "goal": GOAL, "reward_value": REWARD}
    promotion = {
        "type": "promotion",
        "brand": "shop",
        "start": PROMOTION_DAYS[0],
        "end": PROMOTION_DAYS[-1],
        "discount": DISCOUNT,
    }
    return run(scenario({"points": points}, [promotion])).iloc[1:]


@pytest.fixture(scope="module")
def membership_run():
    membership = {
        "fee": FEE,
        "term_days": TERM,
        "discount": MEMBER_DISCOUNT,
        "join_probability": 1.0,
        "renewal_intercept": 50.0,  # every member renews (probability 1 in float64)
    }
    return run(scenario({"membership": membership}, [])).iloc[1:]


def test_revenue_is_price_less_promotion_less_rewards(points_run):
    daily = points_run
    promoted = daily["step"].isin(PROMOTION_DAYS)
    redemptions = daily["points_redeemed"] / GOAL
    expected = daily["purchases"] * PRICE * np.where(promoted, 1 - DISCOUNT, 1.0)
    expected -= redemptions * REWARD
    assert np.allclose(daily["revenue"], expected, rtol=0, atol=1e-6)
    assert redemptions.sum() >= 10 and (redemptions == redemptions.round()).all()
    assert daily.loc[promoted, "purchases"].sum() > 0 and daily["purchases"].sum() > 1000


def test_rewards_and_points_follow_from_what_was_paid(points_run):
    daily = points_run
    assert np.allclose(daily["rewards_value"], daily["points_redeemed"] / GOAL * REWARD)
    assert np.allclose(daily["points_earned"], daily["revenue"], rtol=0, atol=1e-6), (
        "one point per money unit actually paid"
    )


def test_membership_fees_are_the_fee_times_joins_and_renewals(membership_run):
    daily = membership_run.set_index("step")
    members = daily["members"].to_numpy()
    joins = np.diff(members, prepend=0.0)  # every member renews, so nobody leaves
    assert (joins >= 0).all()
    # who joins on day j renews on days j + T, j + 2T, ... within the horizon
    renewals = np.array([joins[i - TERM :: -TERM].sum() if i >= TERM else 0.0 for i in range(DAYS)])
    expected = FEE * (joins + renewals)
    assert renewals.sum() > 50 and joins.sum() > 100
    assert np.allclose(daily["fee_revenue"].to_numpy(), expected, rtol=0, atol=1e-9)


def test_members_pay_the_member_price(membership_run):
    daily = membership_run
    # revenue = price * (purchases - discount * purchases by members): that count is whole
    member_purchases = (daily["purchases"] * PRICE - daily["revenue"]) / (PRICE * MEMBER_DISCOUNT)
    assert np.allclose(member_purchases, member_purchases.round(), rtol=0, atol=1e-6)
    assert (member_purchases.round() >= 0).all()
    assert (member_purchases.round() <= daily["purchases"]).all()
    assert member_purchases.sum() > 100, "members bought, and got their discount"


def test_engaged_customers_basket_multiplies_what_they_pay_and_nothing_else():
    one = run(scenario({}, [])).iloc[1:]
    two = run(scenario({}, [], basket=[2.0] * 5)).iloc[1:]
    assert (one["purchases"] == two["purchases"]).all(), "the same customers buy the same days"
    assert np.allclose(two["revenue"], 2.0 * one["revenue"], rtol=0, atol=1e-6)
    assert np.allclose(two["units"], 2.0 * two["purchases"], rtol=0, atol=1e-9)
    margin = two["revenue"] - two["units"] * PRICE * (1 - 0.3)  # the schema's default margin
    assert np.allclose(two["gross_margin"], margin, rtol=0, atol=1e-6)
