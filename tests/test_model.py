import re

import mesa
import numpy as np
import pandas as pd
import pytest

import ecosim
from ecosim.agents import Brand, Customer, Influencer, Media
from ecosim.errors import InputError, InputWarning
from ecosim.metrics import OUTCOMES, columns
from ecosim.model import EcosystemModel
from ecosim.scenario import ScenarioError, load_scenario, validate_scenario

from support import SCENARIOS, small_scenario


@pytest.fixture(scope="module")
def scenario():
    return validate_scenario(small_scenario())


def test_run_returns_one_row_per_day_with_the_outcome_columns(scenario):
    daily = ecosim.run(scenario)
    assert len(daily) == scenario.days + 1
    assert daily["step"].tolist() == list(range(scenario.days + 1))
    assert list(daily.columns) == columns(scenario)
    for name in (
        "aware_share",
        "stage_consumption",
        "stage_curation",
        "stage_creation",
        "stage_collaboration",
        "wom_positive",
        "wom_negative",
        "net_sentiment",
        "purchases",
        "revenue",
        "marketing_cost",
        "active_customers",
    ):
        assert name in daily
    shares = daily[[f"stage_{s}" for s in ("consumption", "curation", "creation", "collaboration")]]
    assert (shares.sum(axis=1) <= 1 + 1e-12).all()
    assert daily["aware_share"].between(0, 1).all()
    assert daily["purchases"].sum() > 0 and daily["revenue"].sum() > 0


def test_same_seed_identical_other_seed_different(scenario):
    first = ecosim.run(scenario, seed=11)
    again = ecosim.run(scenario, seed=11)
    other = ecosim.run(scenario, seed=12)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)


def test_a_seed_given_twice_or_below_0_is_refused_naming_the_argument(scenario):
    """The override was silently dropped (and model.scenario.seed named a seed no run used);
    ecosim.run(seed=-1) named an argument the caller had not given."""
    with pytest.raises(InputError, match=r"^seed: the seed is also set by overrides\['seed'\]"):
        ecosim.run(scenario, days=2, seed=3, overrides={"seed": 5})
    with pytest.raises(InputError, match=r"^rng: the seed is also set by overrides\['seed'\]"):
        EcosystemModel(scenario, rng=3, days=2, overrides={"seed": 5})
    with pytest.raises(InputError, match=r"^seed: expected a seed \(a whole number from 0\)"):
        ecosim.run(scenario, days=2, seed=-1)
    alone = ecosim.run(scenario, days=2, overrides={"seed": 5})
    pd.testing.assert_frame_equal(alone, ecosim.run(scenario, days=2, seed=5))


def test_scenario_seed_is_the_default(scenario):
    pd.testing.assert_frame_equal(ecosim.run(scenario), ecosim.run(scenario, seed=scenario.seed))


def test_model_stops_at_the_horizon(scenario):
    model = EcosystemModel(scenario, days=5)
    while model.running:
        model.step()
    assert model.steps == 5 and len(model.timeseries()) == 6
    with pytest.raises(
        InputError, match=r"the scenario's 5 days are over \(the model is on day 5\)"
    ):
        model.step()  # it simulated a sixth day, beyond the campaign, budgets and horizon
    assert model.steps == 5 and len(model.timeseries()) == 6
    assert len(model.run()) == 6


def test_mesa_agents_and_agentsets(scenario):
    model = EcosystemModel(scenario)
    assert len(model.agents_by_type[Brand]) == 1
    assert len(model.agents_by_type[Media]) == 1
    assert len(model.agents_by_type[Influencer]) == 1
    customers = model.agents_by_type[Customer]
    assert len(customers) == scenario.population.size
    assert len(model.agents) == scenario.population.size + 3
    talkative = customers.select(lambda c: c.talkativeness > 0.3)
    assert len(talkative) == int((model.population.talkativeness > 0.3).sum())
    assert np.isclose(
        customers.agg("talkativeness", np.mean), model.population.talkativeness.mean()
    )


def test_customer_views_are_created_only_when_asked_for(scenario):
    model = EcosystemModel(scenario)
    assert Customer not in model._agents_by_type
    model.step()
    assert Customer not in model._agents_by_type
    assert model.customer(3).row == 3
    assert Customer in model._agents_by_type


def test_customer_view_reads_and_writes_its_row(scenario):
    model = EcosystemModel(scenario)
    customer = model.customer(42)
    customer.experience = 0.75
    assert model.population.experience[42, 0] == 0.75
    customer.experience[0] = -0.25
    assert model.population.experience[42, 0] == -0.25
    model.population.stage[42, 0] = 3
    assert customer.stage[0] == 3
    customer.talkativeness = 0.9
    assert model.population.talkativeness[42] == 0.9
    assert customer.segment in ("a", "b")
    assert set(customer.neighbors) == set(model.network.neighbors(42))
    state = customer.state()
    assert state["shop"]["stage"] == "creation" and state["talkativeness"] == 0.9
    with pytest.raises(IndexError, match="customer 500 does not exist"):
        model.customer(500)
    for row in (1.5, "3", True):  # a TypeError, one deep in numpy, and row 1
        with pytest.raises(InputError, match="row: expected a whole number"):
            model.customer(row)


@pytest.mark.parametrize(
    ("attribute", "value"), [("stage", 99), ("stage", 2.5), ("experience", 5.0), ("aware", 0.5)]
)
def test_a_write_into_a_customers_brand_values_is_checked(scenario, attribute, value):
    """It was numpy's: stage 99 was taken, and the next day failed with an IndexError."""
    model = EcosystemModel(scenario, rng=1)
    before = getattr(model.population, attribute).copy()
    with pytest.raises(InputError, match=rf"customer 5: {attribute} must be a"):
        getattr(model.customer(5), attribute)[0] = value
    assert np.array_equal(getattr(model.population, attribute), before), "nothing written"
    model.step()
    assert isinstance(model.customer(5).spend.sum(), np.floating), "sums are plain numbers"


def test_numpy_writes_into_a_customers_brand_values_are_checked_or_refused(scenario):
    """An augmented assignment wrote in place before its value was checked; fill and out=
    wrote unchecked."""
    model = EcosystemModel(scenario, rng=1)
    customer = model.customer(5)
    before = model.population.experience.copy()

    def add_to_a_slice() -> None:
        customer.experience[:] += 5

    def add() -> None:
        customer.experience += 5

    for write in (add_to_a_slice, add):
        with pytest.raises(InputError, match="experience must be a number in"):
            write()
    for write in (
        lambda: customer.experience.fill(5),
        lambda: np.add(customer.experience, 5, out=customer.experience),
    ):
        with pytest.raises(ValueError, match="read-only"):
            write()
    assert np.array_equal(model.population.experience, before), "nothing written"
    customer.purchases += 2
    customer.experience[:] -= 0.25
    assert model.population.purchases[5, 0] == 2
    assert model.population.experience[5, 0] == before[5, 0] - 0.25


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        ("experience", 5, r"experience must be a number in \[-1, 1\], got 5"),
        ("experience", float("nan"), "experience must be a number"),
        ("experience", "good", "experience must be a number"),
        ("talkativeness", -0.1, r"talkativeness must be a number in \[0, 1\]"),
        ("need_cycle", 0.5, r"need_cycle must be a number in \[1, inf\]"),
        ("stage", 2.5, r"stage must be a whole number in \[0, 4\]"),
        ("aware", 0.5, "aware must be a whole number"),
        ("purchases", -1, "purchases must be a whole number"),
        ("purchases", 2**40, r"purchases must be a whole number in \[0, 2,147,483,647\]"),
        ("spend", float("inf"), r"spend must be a number in \[0, inf\], got inf"),
        ("tier", 1, r"tier must be a whole number in \[0, 0\] for shop, got 1"),
        ("experience", [0.1, 0.2], "experience takes one number or 1, one per brand"),
        ("talkativeness", [0.1], "talkativeness takes one number"),
    ],
)
def test_customer_view_refuses_values_out_of_range(scenario, attribute, value, message):
    model = EcosystemModel(scenario)
    customer = model.customer(7)
    before = customer.state()
    with pytest.raises(InputError, match=f"customer 7: {message}"):
        setattr(customer, attribute, value)
    assert customer.state() == before


def test_model_accessors_name_what_exists(scenario):
    model = EcosystemModel(scenario)
    model.step()
    assert model.outcome("purchases", 0) == model.outcomes["purchases"]
    with pytest.raises(InputError, match="'sales' is not measured by this model; it measures "):
        model.outcome("sales", 0)
    with pytest.raises(InputError, match=r"brand: 3 does not exist \(0..0\)"):
        model.outcome("purchases", 3)
    with pytest.raises(InputError, match="expected a brand's position"):
        model.outcome("purchases", "shop")
    with pytest.raises(InputError, match="'c' is not a segment of this scenario; expected 'all'"):
        model.segment_customers("c")
    assert len(model.segment_customers("all")) == model.population.n


def test_budget_caps_marketing_cost():
    data = small_scenario()
    data["brands"][0]["budget"] = 300.0
    daily = ecosim.run(validate_scenario(data))
    assert daily["marketing_cost"].sum() <= 300.0 + 1e-9
    assert daily["marketing_cost"].sum() > 250.0, "the budget should be nearly used up"


def test_unfunded_action_is_dropped():
    data = small_scenario()
    data["brands"][0]["budget"] = 10.0
    data["campaign"][0]["cost"] = 20.0
    daily = ecosim.run(validate_scenario(data))
    assert daily["exposures"].sum() == 0 and daily["marketing_cost"].sum() == 0


def test_marketing_cost_adds_up():
    data = small_scenario()
    data["campaign"].append(
        {
            "type": "influencer",
            "brand": "shop",
            "influencer": "ayu",
            "start": 2,
            "end": 4,
            "cost": 7.0,
        }
    )
    model = EcosystemModel(validate_scenario(data))
    daily = model.run()
    brand = next(iter(model.brands))
    assert np.isclose(daily["marketing_cost"].sum(), 10_000.0 - brand.budget_left)
    exposures_social = daily["exposures"].sum()
    assert exposures_social > 0


def test_two_brands_get_columns_per_brand():
    scenario = ecosim.load_scenario(
        SCENARIOS / "two_brands.toml", overrides={"population.size": 3000}
    )
    daily = ecosim.run(scenario, days=20)
    names = scenario.brand_names
    assert len(names) == 2
    for outcome in OUTCOMES:
        assert f"{outcome}__{names[0]}" in daily and f"{outcome}__{names[1]}" in daily
    for flow in ("purchases", "revenue", "marketing_cost", "wom_positive"):
        assert np.allclose(daily[flow], daily[f"{flow}__{names[0]}"] + daily[f"{flow}__{names[1]}"])
    assert (daily["aware_share"] >= daily[[f"aware_share__{b}" for b in names]].max(axis=1)).all()


@pytest.mark.parametrize(
    "network",
    [
        {"kind": "barabasi_albert", "m": 2},
        {"kind": "watts_strogatz", "k": 4, "p": 0.2},
        {"kind": "erdos_renyi", "mean_degree": 6},
        {"kind": "stochastic_block", "mean_degree_within": 6, "mean_degree_between": 1},
        {"kind": "complete"},
    ],
)
def test_every_network_kind_runs(network):
    model = EcosystemModel(validate_scenario(small_scenario(network=network)), days=3)
    model.run()
    assert model.network.n == 500


def test_stochastic_block_communities_are_the_segments():
    data = small_scenario(
        network={"kind": "stochastic_block", "mean_degree_within": 8, "mean_degree_between": 0}
    )
    model = EcosystemModel(validate_scenario(data))
    source, target = model.network.edges_from(np.arange(500))
    segment = model.population.segment
    assert len(source) > 0 and (segment[source] == segment[target]).all()


def test_a_segment_too_small_for_any_customer_is_warned_about_and_is_no_community():
    data = small_scenario(
        network={"kind": "stochastic_block", "mean_degree_within": 8, "mean_degree_between": 0}
    )
    data["population"]["segments"] = [
        {"name": "a", "share": 0.999},
        {"name": "tiny", "share": 0.001},  # 0.5 of 500 customers: none
    ]
    with pytest.warns(InputWarning) as warned:
        scenario = validate_scenario(data, source="tiny.toml")
    assert [str(w.message) for w in warned] == [
        "tiny.toml: population.segments[1].share: a share of 0.001 of 500 customers gives "
        "segment 'tiny' no customer (actions aimed at it reach no one)"
    ]
    data["population"]["segments"] = [
        {"name": "a", "share": 0.999},
        {"name": "tiny", "share": 0.0005},
        {"name": "dust", "share": 0.0005},
    ]
    with pytest.warns(InputWarning) as warned:
        validate_scenario(data, source="tiny.toml")
    assert [str(w.message) for w in warned] == [  # one warning, however many segments
        "tiny.toml: population.segments: the shares of 2 segments ('tiny', 'dust') give them "
        "no customer of 500 (actions aimed at them reach no one)"
    ]
    model = EcosystemModel(scenario, days=3)
    model.run()
    assert (model.population.segment == 0).all()
    assert model.network.degree.mean() > 6, "one community of 500 at a within-degree of 8"


def test_a_scenario_copied_past_its_checks_is_checked_before_it_runs(scenario):
    """model_copy(update=...) makes a scenario pydantic does not validate."""
    brand = scenario.brands[0].model_copy(update={"price": -10.0})
    with pytest.raises(ScenarioError, match=r"brands\[0\]\.price: Input should be greater than 0"):
        ecosim.run(scenario.model_copy(update={"brands": [brand]}), days=3)
    with pytest.raises(ScenarioError, match=r"days: Input should be greater than or equal to 1"):
        EcosystemModel(scenario.model_copy(update={"days": -5}))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: EcosystemModel(None), "scenario: expected a Scenario or the path of a scenario"),
        (lambda s: ecosim.load_scenario(None), "path: expected a path (a str or pathlib.Path)"),
        (lambda s: ecosim.run(s, overrides="days=5"), "overrides: expected a dict of values"),
        (lambda s: ecosim.run(s, overrides={1: 2}), "overrides: expected a dict of values"),
        (lambda s: ecosim.run(s, seed=1.5), "seed: expected a seed (a whole number from 0)"),
        (lambda s: EcosystemModel(s, rng=-3), "rng: expected a seed (a whole number from 0)"),
        (lambda s: EcosystemModel(s, rng=True), "rng: expected a seed (a whole number from 0)"),
        (lambda s: ecosim.run(s, outcomes=5), 'expected a list of outcome names or "all"'),
    ],
)
def test_arguments_of_the_wrong_kind_are_input_errors(scenario, call, message):
    with pytest.raises(InputError) as caught:
        call(scenario)
    assert message in str(caught.value)


def test_numpy_numbers_and_paths_are_taken_as_the_values_they_are(scenario, tmp_path):
    """A sweep in numpy (mesa.batch_run over np.arange) gives numpy scalars."""
    model = EcosystemModel(scenario, np.int64(3), customers=np.int64(300), days=np.int64(4))
    assert (model.scenario.population.size, model.scenario.days) == (300, 4)
    assert model.run().equals(EcosystemModel(scenario, 3, customers=300, days=4).run())
    edges = tmp_path / "ring.csv"
    edges.write_text("".join(f"{i},{(i + 1) % 300}\n" for i in range(300)))
    ring = {"kind": "edge_list", "path": edges}
    assert EcosystemModel(scenario, overrides={"network": ring}, customers=300).network.n == 300
    basket = np.array([1.0, 1.0, 1.1, 1.2, 1.3])  # was refused: "Input should be a valid list"
    model = EcosystemModel(scenario, overrides={"dynamics.stage_basket": basket})
    assert model.scenario.dynamics.stage_basket == basket.tolist()


@pytest.mark.parametrize(
    ("shortcut", "overrides", "message"),
    [
        ({"days": 10}, {"days": 20}, "days: days is also set by overrides['days']"),
        (
            {"customers": 300},
            {"population": {"size": 500}},
            "customers: population.size is also set by overrides['population']",
        ),
    ],
)
def test_a_field_given_by_its_shortcut_and_in_overrides_is_refused(
    scenario, shortcut, overrides, message
):
    """The shortcut silently won, as --days 10 --set days=20 would not on the command line."""
    with pytest.raises(InputError, match=re.escape(message)):
        EcosystemModel(scenario, overrides=overrides, **shortcut)


def test_mesa_model_basics(scenario):
    model = EcosystemModel(scenario, rng=3)
    assert isinstance(model, mesa.Model)
    assert isinstance(model.rng, np.random.Generator)
    assert model.datacollector.get_model_vars_dataframe().shape[0] == 1


def test_influencer_audiences_overlap_as_asked():
    data = small_scenario()
    data["influencers"] = [
        {"name": "a", "audience_share": 0.2},
        {"name": "b", "audience_share": 0.1, "overlap": 1.0},
        {"name": "c", "audience_share": 0.1, "overlap": 0.0},
    ]
    model = EcosystemModel(validate_scenario(data))
    a, b, c = (agent.audience for agent in model.influencers)
    assert (len(a), len(b), len(c)) == (100, 50, 50)
    assert set(b) <= set(a) and not set(c) & set(a)


def test_price_changes_and_launches_apply_on_their_days():
    data = small_scenario()
    data["campaign"] = [
        {"type": "price_change", "brand": "shop", "start": 3, "end": 4, "price": 80.0},
        {"type": "product_launch", "brand": "shop", "start": 5, "end": 6, "quality": 0.9},
    ]
    model = EcosystemModel(validate_scenario(data))
    prices, qualities = [], []
    for _ in range(6):
        model.step()
        prices.append(model.prices[0])
        qualities.append(model.qualities[0])
    assert prices == [100.0, 100.0, 80.0, 80.0, 100.0, 100.0]
    assert qualities == [0.7, 0.7, 0.7, 0.7, 0.9, 0.9], "a new product's quality stays"


def test_culturally_timed_actions_weigh_more():
    from ecosim.scenario import Advertising

    model = EcosystemModel(validate_scenario(small_scenario()))
    plain = Advertising(type="advertising", brand="shop", channel="social", start=1, end=2)
    timed = plain.model_copy(update={"cultural_relevance": 1.0})
    assert model.attention_weight(plain) == 1.0
    assert model.attention_weight(timed) == 1.0 + model.scenario.dynamics.cultural_boost


def test_the_reference_price_is_the_scenarios_or_the_mean_list_price():
    """Customers judge prices against ``population.reference_price`` when it is given."""
    two_brands = EcosystemModel(SCENARIOS / "two_brands.toml", customers=200, days=2)
    prices = [brand.price for brand in two_brands.scenario.brands]
    assert two_brands._reference_price == pytest.approx(np.mean(prices))
    anchored = EcosystemModel(
        SCENARIOS / "two_brands.toml",
        customers=200,
        days=2,
        overrides={"population.reference_price": 99.0},
    )
    assert anchored._reference_price == 99.0
    with pytest.raises(ScenarioError, match=r"population\.reference_price: Input should be"):
        load_scenario(SCENARIOS / "baseline.toml", {"population.reference_price": 0})


@pytest.mark.parametrize("name", ["two_brands", "winback"])
def test_a_runs_first_days_do_not_depend_on_its_horizon(name):
    """A calibration whose data cover fewer days than the scenario is told to simulate only
    those days: the days it leaves out must change nothing before them."""
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    year = EcosystemModel(scenario, 3, customers=600, days=200).run().set_index("step")
    weeks = EcosystemModel(scenario, 3, customers=600, days=84).run().set_index("step")
    pd.testing.assert_frame_equal(year.loc[:84], weeks)
