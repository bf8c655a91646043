"""Phase 5: public reviews -- written after use, averaged into a rating everyone sees.

Writing a review is dialogue in public and Evans's *creation* stage; the average rating
is carried by the platforms (a medium) to every aware customer and enters their choice.
"""

from __future__ import annotations

import numpy as np

from ecosim.population import Population, push_event
from ecosim.processes.sampling import Draws
from ecosim.scenario import Dynamics

__all__ = ["average_rating", "stars", "write_reviews"]


def stars(experience: np.ndarray) -> np.ndarray:
    """Map experience valence to a star rating: ``clip(3 + 4 x, 1, 5)``.

    Reviewers rate in extremes -- ratings are J-shaped, mostly five stars with a bump at
    one star (Hu, Pavlou & Zhang 2009) -- so a clearly positive experience
    (``x >= 0.5``) gives five stars and a clearly negative one one star.

    Examples
    --------
    >>> stars(np.array([-1.0, 0.0, 0.25, 0.75])).tolist()
    [1.0, 3.0, 4.0, 5.0]
    """
    return np.clip(3.0 + 4.0 * experience, 1.0, 5.0)


def write_reviews(
    population: Population,
    buyers: np.ndarray,
    brand: np.ndarray,
    day: int,
    params: Dynamics,
    draws: Draws,
) -> tuple[np.ndarray, np.ndarray]:
    """Let some buyers review what they bought, with the stars their experience gives.

    A buyer at stage ``s`` writes a review with probability ``stage_review[s]`` (the
    more engaged write more: creation is Evans's third stage).

    Parameters
    ----------
    population : Population
        ``review_days`` updated in place.
    buyers, brand : ndarray of int
        Today's purchases (after use).
    day : int
    params : Dynamics
    draws : Draws
        The run's random numbers.

    Returns
    -------
    reviewed_brand, rating : ndarray
        The brand and the stars of each review written.
    """
    chance = np.asarray(params.stage_review)[population.stage[buyers, brand]]
    writing = draws.uniform("review", buyers) < chance
    writers, which = buyers[writing], brand[writing]
    push_event(population.review_days, writers, which, day)
    return which, stars(population.experience[writers, which])


def average_rating(total: np.ndarray, count: np.ndarray, params: Dynamics) -> np.ndarray:
    """Average rating per brand, shrunk towards a prior (a Bayesian average).

    ``(prior_count * prior_mean + total) / (prior_count + count)``: a brand with few
    reviews shows about ``rating_prior_mean`` stars.

    Examples
    --------
    >>> from ecosim.scenario import Dynamics
    >>> average_rating(np.array([10.0]), np.array([5]), Dynamics()).tolist()
    [3.0]
    """
    prior = params.rating_prior_count
    return (prior * params.rating_prior_mean + total) / (prior + count)
