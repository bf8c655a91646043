import numpy as np
import pytest

from ecosim.errors import InputError
from ecosim.metrics import bounds, columns, engaged, measure, presence, summarize
from ecosim.model import EcosystemModel, run
from ecosim.population import NEVER
from ecosim.scenario import apply_overrides, validate_scenario

from support import small_scenario


def model_with(overrides):
    return EcosystemModel(validate_scenario(apply_overrides(small_scenario(), overrides)), rng=1)


def test_engagement_as_the_business_defines_it():
    model = model_with(
        {
            "engagement": {
                "combine": "all",
                "purchases": {"count": 2, "days": 30},
                "referrals": {"count": 1, "days": 10},
            },
        }
    )
    population = model.population
    model.steps = 100
    population.purchase_days[:4, 0] = [[80, 95], [60, 95], [NEVER, 99], [75, 80]]
    population.referral_days[:4, 0, 0] = [95, 95, 95, 80]
    assert engaged(model)[:4, 0].tolist() == [True, False, False, False]
    model = model_with(
        {
            "engagement": {
                "combine": "any",
                "purchases": None,
                "reviews": {"count": 1, "days": 5},
                "min_stage": "creation",
            },
        }
    )
    model.steps = 10
    model.population.review_days[:3, 0, 0] = [8, 2, NEVER]
    model.population.stage[:3, 0] = [0, 0, 3]
    assert engaged(model)[:3, 0].tolist() == [True, False, True]


def test_engagement_by_referrals_alone_needs_no_purchases():
    """The default criterion (two purchases in 90 days) is for a business that names none."""
    model = model_with({"engagement": {"referrals": {"count": 1, "days": 10}}})
    assert model.scenario.engagement.purchases is None
    model.steps = 100
    assert model.population.purchases[:2, 0].tolist() == [0, 0], "neither has bought"
    model.population.referral_days[:2, 0, 0] = [95, 80]
    assert engaged(model)[:2, 0].tolist() == [True, False]
    default = model_with({})
    assert default.scenario.engagement.purchases.count == 2


def test_presence_components_by_hand():
    model = model_with({"dynamics.active_window": 10, "dynamics.cognitive_window": 5})
    population = model.population
    model.steps = 20
    population.last_purchase[:2, 0] = [20, 10]
    population.last_consumed[:2, 0] = [15, NEVER]
    population.aware[:2, 0] = [True, False]
    population.experience[:2, 0] = [0.5, 0.9]
    parts = presence(model)
    assert np.allclose(parts["physical"][:2, 0], [1.0, np.exp(-1)])
    assert np.allclose(parts["cognitive"][:2, 0], [np.exp(-1), 0.0])
    assert parts["emotional"][:2, 0].tolist() == [0.5, 0.0]
    (alone,) = presence(model, ["cognitive"]).items()
    assert alone[0] == "cognitive" and np.array_equal(alone[1], parts["cognitive"])


def test_measure_matches_the_columns_and_shares_add_up():
    model = model_with({})
    model.run()
    outcomes = measure(model)
    assert list(outcomes) == columns(model.scenario)
    stages = sum(
        outcomes[f"stage_{s}"] for s in ("consumption", "curation", "creation", "collaboration")
    )
    assert 0 <= stages <= 1
    assert outcomes["affected_share"] + outcomes["reached_share"] <= 1 + 1e-12


def test_tier_columns_count_customers_per_tier():
    tiers = {"levels": [{"name": "silver", "threshold": 100}, {"name": "gold", "threshold": 300}]}
    model = model_with({"brands.0.loyalty": {"tiers": tiers}})
    model.population.tier[:7, 0] = [1, 1, 2, 0, 0, 0, 2]
    outcomes = measure(model)
    assert outcomes["tier_silver"] == 2 and outcomes["tier_gold"] == 2


def test_summary_totals_finals_roi_and_cascade_size():
    model = model_with({})
    daily = model.run()
    summary = summarize(daily, model.scenario)
    assert summary["total_purchases"] == daily["purchases"].sum()
    assert summary["final_aware_share"] == daily["aware_share"].iloc[-1]
    assert summary["cascade_size"] == int((model.population.purchases > 0).sum())
    cost = daily["marketing_cost"].sum()
    assert summary["roi"] == pytest.approx((daily["gross_margin"].sum() - cost) / cost)


@pytest.mark.parametrize(
    "overrides",
    [{}, {"diffusion.rule": "bass", "diffusion.p": 0.01}],
    ids=["ecosystem", "reduced"],
)
def test_a_model_asked_for_some_outcomes_reports_the_same_values_of_those(overrides):
    wanted = ["adopted_share", "presence_physical", "mean_experience", "purchases"]
    full = EcosystemModel(
        validate_scenario(apply_overrides(small_scenario(), overrides)), rng=1, outcomes="all"
    ).run()
    model = EcosystemModel(
        validate_scenario(apply_overrides(small_scenario(), overrides)), rng=1, outcomes=wanted
    )
    some = model.run()
    assert list(some.columns) == ["step", *wanted]
    assert some.equals(full[some.columns])
    assert model.measured == frozenset(wanted)
    summary = model.summary()
    assert summary["total_purchases"] == full["purchases"].sum()
    assert "final_aware_share" not in summary and "roi" not in summary


def test_a_model_asked_for_some_outcomes_still_measures_what_brands_react_to():
    crisis = {"type": "crisis_response", "threshold": 0.0, "ratio": 1.0}
    scenario = validate_scenario(apply_overrides(small_scenario(), {"brands.0.rules": [crisis]}))
    full = EcosystemModel(scenario, rng=1).run()
    some = EcosystemModel(scenario, rng=1, outcomes=["purchases"]).run()
    assert some["purchases"].equals(full["purchases"])


def test_several_brands_report_each_chosen_outcome_per_brand():
    brands = [{"name": "a", "price": 10.0}, {"name": "b", "price": 12.0}]
    scenario = validate_scenario(small_scenario(brands=brands, campaign=[]))
    assert columns(scenario, ["revenue"]) == ["step", "revenue", "revenue__a", "revenue__b"]


def test_all_names_every_outcome_and_any_sequence_of_names_is_accepted():
    scenario = validate_scenario(small_scenario())
    assert columns(scenario, "all") == columns(scenario)
    assert columns(scenario, np.array(["purchases", "aware_share"])) == columns(
        scenario, ["aware_share", "purchases"]
    )


def test_an_unknown_outcome_is_named_in_the_error():
    with pytest.raises(InputError, match="purchase: not an outcome of this scenario"):
        EcosystemModel(validate_scenario(small_scenario()), rng=1, outcomes=["purchase"])
    with pytest.raises(InputError, match='revenue: expected a list of outcome names or "all"'):
        EcosystemModel(validate_scenario(small_scenario()), rng=1, outcomes="revenue")


def test_run_reports_only_the_chosen_outcomes():
    daily = run(validate_scenario(small_scenario()), seed=1, outcomes=["revenue"])
    full = run(validate_scenario(small_scenario()), seed=1)
    assert list(daily.columns) == ["step", "revenue"]
    assert daily["revenue"].equals(full["revenue"])


def test_revenue_is_never_negative_as_its_bounds_say():
    """Revenue was unbounded (for refunds the model does not have): its intervals could
    reach below 0. A whole discount, a member's discount and rewards worth more than the
    price take it to 0 at most."""
    scenario = small_scenario(days=40)
    scenario["brands"][0]["loyalty"] = {
        "points": {"earn_rate": 1.0, "goal": 50, "reward_value": 500.0},
        "membership": {"fee": 10.0, "term_days": 30, "discount": 0.9},
    }
    scenario["campaign"][1].update(discount=1.0, start=20, end=25)
    daily = run(validate_scenario(scenario), seed=3, outcomes="all")
    assert daily["rewards_value"].sum() > 0 and (daily.loc[20:25, "purchases"] > 0).any()
    assert (daily.loc[20:25, "revenue"] == 0).all()
    assert daily["revenue"].min() >= bounds("revenue")[0] == bounds("total_revenue")[0] == 0.0
    assert bounds("total_gross_margin")[0] == bounds("total_profit")[0] == -np.inf
