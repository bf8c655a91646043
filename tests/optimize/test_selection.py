"""Ranking and selection: KN picks the true best at least at its stated rate."""

import numpy as np
import pandas as pd
import pytest

from ecosim.optimize.run import Candidate, current_runs
from ecosim.optimize.selection import UndefinedEverywhere, kn_constants, select_best

MACRO = range(400)
"""The fixed seeds of the repeated selections."""


def plans(means: np.ndarray, seed: int, common_sd: float = 3.0):
    """Plans with normal outcomes, a large noise common to all (common random numbers)."""
    rng = np.random.default_rng([seed, 11])
    common = rng.normal(scale=common_sd, size=2000)
    own = rng.normal(size=(len(means), 2000)) * np.linspace(1.0, 2.0, len(means))[:, None]

    def sample(systems, first, count):
        window = slice(first, first + count)
        return np.vstack([means[s] + common[window] + own[s, window] for s in systems])

    return sample


@pytest.mark.parametrize(("maximize", "step"), [(True, 1), (False, 3)])
def test_the_best_plan_is_picked_at_least_at_the_stated_rate(maximize, step):
    """Slippage: the best is exactly delta ahead of four equal plans (the least favourable)."""
    delta, confidence = 0.5, 0.95
    means = np.zeros(5)
    means[2] = delta if maximize else -delta
    picks, runs = [], []
    for seed in MACRO:
        chosen = select_best(
            plans(means, seed),
            5,
            delta,
            confidence,
            first_stage=10,
            step=step,
            max_replications=2000,
            maximize=maximize,
        )
        assert chosen.guaranteed
        picks.append(chosen.best == 2)
        runs.append(chosen.counts.sum())
    assert np.mean(picks) >= confidence
    assert np.mean(runs) < 5 * 200  # it stops early, far below the cap


def test_pairing_makes_a_small_difference_cheap_to_find():
    """With common noise the difference's variance is small: few replications are needed."""
    means = np.array([0.0, 1.0])
    chosen = select_best(plans(means, 1, common_sd=50.0), 2, 1.0, 0.95, 10, 1, 2000)
    assert chosen.best == 1 and chosen.counts.max() < 100


def test_a_cap_on_replications_is_reported_as_no_guarantee():
    means = np.array([0.0, 0.01])
    chosen = select_best(plans(means, 3), 2, 0.01, 0.95, 5, 1, 20)
    assert not chosen.guaranteed and chosen.observations.shape == (2, 20)


def test_the_constants_are_kim_and_nelsons():
    eta, h2 = kn_constants(5, 0.95, 10)
    assert eta == pytest.approx(0.5 * ((2 * 0.05 / 4) ** (-2 / 9) - 1))
    assert h2 == pytest.approx(2 * eta * 9)


def test_a_bound_on_replications_beyond_any_number_ends_at_the_cap():
    """Outcomes so spread that the variance of their differences S² overflows: the bound
    h² S² / δ² is infinite. The procedure cannot tell the plans apart and ends at the cap
    without the guarantee, instead of failing to count an infinite bound."""
    rng = np.random.default_rng(4)

    def sample(systems, first, count):
        return rng.normal(scale=1e160, size=(len(systems), count))

    with np.errstate(over="ignore"):
        chosen = select_best(sample, 2, 1e-9, 0.95, 5, 1, 20)
    assert not chosen.guaranteed and chosen.observations.shape == (2, 20)


def with_undefined(sample, where: dict[int, int]):
    """``sample`` with plan ``s``'s outcome undefined (NaN) from replication ``where[s]`` on."""

    def undefined(systems, first, count):
        values = sample(systems, first, count)
        for row, s in enumerate(systems):
            if s in where:
                values[row, max(where[s] - first, 0) :] = np.nan
        return values

    return undefined


@pytest.mark.parametrize(("late", "means"), [(0, [10.0, 0.0, 0.5]), (12, [0.5, 0.0, 0.5])])
def test_a_plan_undefined_in_a_replication_is_eliminated_and_never_chosen(late, means):
    """Was: its NaN mean never lost a comparison, so an undefined current plan was chosen
    (at once, even were it far the best; or in a replication after the first stage)."""
    sample = with_undefined(plans(np.array(means), 5), {0: late})
    chosen = select_best(sample, 3, 0.5, 0.95, 10, 1, 2000)
    assert chosen.best == 2 and chosen.undefined == [True, False, False]
    assert chosen.eliminated[0] == max(10, late + 1)
    assert np.isnan(chosen.means[0]) and not np.isnan(chosen.means[1:]).any()


def test_a_selection_where_every_plan_is_undefined_is_refused():
    sample = with_undefined(plans(np.zeros(2), 5), {0: 3, 1: 5})
    with pytest.raises(UndefinedEverywhere) as caught:
        select_best(sample, 2, 0.5, 0.95, 10, 1, 2000)
    assert caught.value.counts == [10, 10]
    with pytest.raises(UndefinedEverywhere):
        select_best(with_undefined(plans(np.zeros(1), 5), {0: 2}), 1, 0.5, 0.95, 10, 1, 20)


def test_kept_runs_of_a_plan_a_name_no_longer_names_are_dropped():
    """Was: a fresh search's trial_6 was given the old trial_6's runs, of another plan."""
    old = Candidate("trial_6", {}, {"campaign.0.intensity": 0.2})
    new = Candidate("trial_6", {}, {"campaign.0.intensity": 0.9})
    current = Candidate("current_plan", {}, {})
    runs = pd.DataFrame(
        {
            "candidate": ["current_plan", "trial_6", "trial_2", "trial_6"],
            "replication": [0, 0, 0, 1],
            "plan": [current.plan, old.plan, "{}", None],  # None: written before plans were
            "total_profit": [1.0, 2.0, 3.0, 4.0],
        }
    )
    kept = current_runs(runs, [current, new])
    assert kept["total_profit"].tolist() == [1.0, 3.0, 4.0]
    assert current_runs(runs, [current, old])["total_profit"].tolist() == [1.0, 2.0, 3.0, 4.0]
