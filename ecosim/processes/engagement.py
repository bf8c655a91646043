"""Phase 6: transitions between Evans's (2010) four engagement stages."""

from __future__ import annotations

import numpy as np

from ecosim.population import Population
from ecosim.processes.sampling import Draws
from ecosim.scenario import Dynamics

__all__ = ["cocreate", "move_stages"]


def move_stages(population: Population, params: Dynamics, draws: Draws) -> dict[str, np.ndarray]:
    """Move customers up or down the ladder consumption, curation, creation, collaboration.

    A customer at stage ``s >= 1`` who engaged with the brand today (consumed its content
    or bought it) climbs one stage with probability ``stage_up[s - 1] * max(x, 0)``, times
    ``talkativeness`` for the steps into creation and collaboration, which take voicing.
    A customer who did not engage today slips one stage with probability
    ``stage_down * (1 + 2 max(-x, 0))``: engagement fades without contact, faster after a
    bad experience. Stage *none* -> *consumption* happens when content is consumed or the
    brand bought (phases 3 and 5).

    Parameters
    ----------
    population : Population
        Updated in place.
    params : Dynamics
    draws : Draws
        The run's random numbers.

    Returns
    -------
    dict
        Per brand: ``stage_ups`` and ``stage_downs``.
    """
    n_brands = population.n_brands
    stage = population.stage.reshape(-1)
    flat = np.flatnonzero(stage)
    s = stage[flat]
    x = population.experience.reshape(-1)[flat]
    today = population.engaged_today.reshape(-1)[flat]
    rates = np.append(np.asarray(params.stage_up), 0.0)[s - 1]
    voice = np.where(s >= 2, population.talkativeness[flat // n_brands], 1.0)
    p_up = np.where(today, rates * voice * np.maximum(x, 0.0), 0.0)
    p_down = np.where(today, 0.0, params.stage_down * (1.0 + 2.0 * np.maximum(-x, 0.0)))
    draw = draws.uniform("stage", flat)
    up, down = flat[draw < p_up], flat[draw > 1.0 - p_down]
    stage[up] += 1
    stage[down] -= 1
    return {
        "stage_ups": np.bincount(up % n_brands, minlength=n_brands),
        "stage_downs": np.bincount(down % n_brands, minlength=n_brands),
    }


def cocreate(population: Population, brand: int, quality: float, params: Dynamics) -> float:
    """Raise the brand's quality by what its collaborators co-create (Evans's fourth stage).

    Ideas, feedback and tests from customers at the collaboration stage improve the
    product a little every day:
    ``quality += cocreation_rate * c * (1 - quality)``, with ``c`` the share of customers
    collaborating with the brand. The gain is modest and saturates at a perfect product
    (user-involved development, Nishikawa, Schreier & Ogawa 2013).

    Returns
    -------
    float
        The brand's quality after today's co-creation.

    Examples
    --------
    >>> from ecosim.population import Population
    >>> from ecosim.scenario import Dynamics
    >>> population = Population.blank(10, 1)
    >>> population.stage[:5, 0] = 4
    >>> round(cocreate(population, 0, 0.6, Dynamics(cocreation_rate=0.1)), 3)
    0.62
    """
    share = float(np.mean(population.stage[:, brand] == len(params.stage_basket) - 1))
    return quality + params.cocreation_rate * share * (1.0 - quality)
