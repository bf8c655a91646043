"""The scenario: a validated description of one engagement ecosystem.

A scenario is data: a TOML file read with :mod:`tomllib`, validated with pydantic and
never evaluated. Its schema lives in submodules named for what they describe
(:mod:`~ecosim.scenario.population`, :mod:`~ecosim.scenario.network`,
:mod:`~ecosim.scenario.brands`, :mod:`~ecosim.scenario.campaign`,
:mod:`~ecosim.scenario.dynamics`, :mod:`~ecosim.scenario.diffusion`);
:mod:`~ecosim.scenario.loading` reads files and
applies overrides, reporting every problem with the file, the field path and what was
expected.

Examples
--------
>>> from ecosim import load_scenario
>>> scenario = load_scenario("scenarios/baseline.toml", overrides={"days": 30})
>>> scenario.days
30
"""

from ecosim.scenario.brands import (
    Brand,
    BudgetShift,
    Channel,
    CrisisResponse,
    Incident,
    Influencer,
    Loyalty,
    Membership,
    Points,
    Service,
    Tier,
    Tiers,
)
from ecosim.scenario.campaign import (
    ACTION_TYPES,
    Action,
    Advertising,
    Community,
    DoublePoints,
    Gamification,
    InfluencerActivation,
    Personalisation,
    PersonalisedReward,
    PriceChange,
    ProductLaunch,
    Promotion,
    Seeding,
    ServiceDisruption,
    SocialPost,
    Winback,
)
from ecosim.scenario.diffusion import Diffusion, InitialSeeds
from ecosim.scenario.dynamics import Criterion, Dynamics, Engagement
from ecosim.scenario.fields import Beta, Constant, Distribution, Gamma, Normal, Uniform
from ecosim.scenario.loading import (
    OUTSIDE_PATHS_VARIABLE,
    ScenarioError,
    apply_overrides,
    check_overrides,
    load_scenario,
    parse_assignment,
    validate_scenario,
)
from ecosim.scenario.network import (
    BarabasiAlbert,
    Complete,
    EdgeList,
    ErdosRenyi,
    NetworkSpec,
    StochasticBlock,
    WattsStrogatz,
)
from ecosim.scenario.population import Population, Segment
from ecosim.scenario.schema import Scenario

__all__ = [
    "ACTION_TYPES",
    "OUTSIDE_PATHS_VARIABLE",
    "Action",
    "Advertising",
    "BarabasiAlbert",
    "Beta",
    "Brand",
    "BudgetShift",
    "Channel",
    "Community",
    "Complete",
    "Constant",
    "CrisisResponse",
    "Criterion",
    "Diffusion",
    "Distribution",
    "DoublePoints",
    "Dynamics",
    "EdgeList",
    "Engagement",
    "ErdosRenyi",
    "Gamification",
    "Gamma",
    "Incident",
    "Influencer",
    "InfluencerActivation",
    "InitialSeeds",
    "Loyalty",
    "Membership",
    "NetworkSpec",
    "Normal",
    "Personalisation",
    "PersonalisedReward",
    "Points",
    "Population",
    "PriceChange",
    "ProductLaunch",
    "Promotion",
    "Scenario",
    "ScenarioError",
    "Seeding",
    "Segment",
    "Service",
    "ServiceDisruption",
    "SocialPost",
    "StochasticBlock",
    "Tier",
    "Tiers",
    "Uniform",
    "WattsStrogatz",
    "Winback",
    "apply_overrides",
    "check_overrides",
    "load_scenario",
    "parse_assignment",
    "validate_scenario",
]
