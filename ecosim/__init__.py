"""ecosim: an agent-based simulation of the customer engagement ecosystem.

Customers, brands, media and influencers interact on a social network after the model of
Maslowska, Malthouse & Collinger (2016), with Evans & McKee's (2010) four engagement stages.

Examples
--------
>>> import ecosim
>>> scenario = ecosim.load_scenario("scenarios/baseline.toml", overrides={"population.size": 1000})
>>> daily = ecosim.run(scenario, days=30, seed=1)
>>> list(daily.columns[:3])
['step', 'aware_share', 'adopted_share']
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel, run
    from ecosim.scenario import Scenario, ScenarioError, load_scenario

try:
    __version__ = version("ecosim")
except PackageNotFoundError:
    __version__ = "0+unknown"

__all__ = ["EcosystemModel", "Scenario", "ScenarioError", "__version__", "load_scenario", "run"]

# The public names are imported on first use (PEP 562), so that `ecosim --help` and
# commands that do not simulate start without importing Mesa and the model.
_LAZY = {
    "EcosystemModel": "ecosim.model",
    "run": "ecosim.model",
    "Scenario": "ecosim.scenario",
    "ScenarioError": "ecosim.scenario",
    "load_scenario": "ecosim.scenario",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'ecosim' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
