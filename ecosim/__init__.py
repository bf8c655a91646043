"""ecosim: an agent-based simulation of the customer engagement ecosystem.

Customers, brands, media and influencers interact on a social network after the model of
Maslowska, Malthouse & Collinger (2016), with Evans's (2010) four engagement stages.

Examples
--------
>>> import ecosim
>>> scenario = ecosim.load_scenario("scenarios/baseline.toml", overrides={"population.size": 1000})
>>> daily = ecosim.run(scenario, days=30, seed=1)
>>> list(daily.columns[:3])
['step', 'aware_share', 'adopted_share']
"""

from importlib.metadata import PackageNotFoundError, version

from ecosim.model import EcosystemModel, run
from ecosim.scenario import Scenario, ScenarioError, load_scenario

try:
    __version__ = version("ecosim")
except PackageNotFoundError:
    __version__ = "0+unknown"

__all__ = ["EcosystemModel", "Scenario", "ScenarioError", "__version__", "load_scenario", "run"]
