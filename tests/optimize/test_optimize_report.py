"""The optimisation's report: what it says of the chosen plan's cost and of the selection."""

import math

import numpy as np
import pandas as pd
import pytest

from ecosim.optimize.report import _compared, _selection_table, _spend_sentence
from ecosim.optimize.run import Candidate, Outcome
from ecosim.optimize.selection import Selected


def spend(extra_spend: float, extra_profit: float, equal_cost: bool = False) -> pd.Series:
    return pd.Series(
        {
            "spend": 100_000 + extra_spend,
            "current_spend": 100_000.0,
            "extra_spend_share": extra_spend / 100_000,
            "extra_spend": extra_spend,
            "extra_profit": extra_profit,
            "profit_per_extra_spend": extra_profit / extra_spend,
            "equal_cost": equal_cost,
        }
    )


@pytest.mark.parametrize(
    ("extra_spend", "extra_profit", "said"),
    [
        (5_000.0, 10_000.0, "each extra Rp spent changes profit (which pays for the spend) by +2"),
        (-2_318.0, 11_014.0, "it spends 2,318 less and earns 11,014 more profit: better on both"),
        (-5_000.0, -1_000.0, "spends 5,000 less and earns 1,000 less profit: the margin it gives"),
        (-5_000.0, 0.0, "it spends 5,000 less for the same profit: the margin it gives up equals"),
        (-5_000.0, float("nan"), "(-5.0%): **not at equal cost**."),
    ],
)
def test_the_spend_sentence_follows_the_signs(extra_spend, extra_profit, said):
    """A plan that spent less and earned more read "each extra Rp spent changes profit by
    -4.75 Rp", as if spending more had lost money."""
    assert said in _spend_sentence(spend(extra_spend, extra_profit))


def test_a_current_plan_that_spends_nothing_gets_no_infinite_share():
    """Was: "against 0 for the current plan (+inf%)"."""
    row = spend(500.0, 10.0)
    row["spend"], row["current_spend"] = 500.0, 0.0
    row["extra_spend_share"], row["profit_per_extra_spend"] = math.inf, 0.02
    said = _spend_sentence(row)
    assert "inf" not in said and "against 0 for the current plan: **not at equal cost**" in said


def test_an_eliminated_plan_is_set_beside_the_selected_plans_mean_over_its_replications():
    """Its mean over 6 replications was above the selected plan's over 8, the order the
    table printed contradicting the choice."""
    observations = np.array(
        [
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
            [1.0, 2.0, 3.0, 4.0, 6.0, 5.0, np.nan, np.nan],
        ]
    )
    undefined = [False, False, False]
    selected = Selected(1, observations, np.array([8, 8, 6]), [8, None, 6], True, 1.0, undefined)
    candidates = [Candidate(name, {}, {}) for name in ("current_plan", "trial_1", "trial_2")]
    outcome = Outcome(None, None, candidates, selected, None, 0)
    table = _selection_table(outcome)
    assert list(table["mean"]) == [4.5, 5.5, 3.5]
    assert list(table["selected_mean_same_replications"]) == [5.5, 5.5, 4.5]


def test_a_plan_undefined_in_a_replication_is_said_to_be_so_in_the_selection_table():
    observations = np.array([[1.0, np.nan, 3.0], [2.0, 3.0, 4.0]])
    selected = Selected(1, observations, np.array([3, 3]), [3, None], True, 1.0, [True, False])
    candidates = [Candidate(name, {}, {}) for name in ("current_plan", "trial_1")]
    table = _selection_table(Outcome(None, None, candidates, selected, None, 0))
    assert list(table["undefined"]) == [True, False]
    assert np.isnan(table["mean"].iloc[0]) and table["mean"].iloc[1] == 3.0


def test_the_plans_compared_are_counted_as_they_were():
    assert _compared(6, 5) == "top 5 and the current plan"
    assert (
        _compared(2, 5) == "the 1 distinct plan the search found (of a top 5) and the current plan"
    )


def test_the_report_is_not_written_into_a_folder_another_process_is_writing(tmp_path):
    """The report was written after the search let the folder go: a rerun started then ran
    its search while the first command still wrote its report from the same study."""
    from types import SimpleNamespace

    from ecosim.optimize import write_report
    from ecosim.store import StoreError, held_folder

    with (
        held_folder(tmp_path, "optimisation"),
        pytest.raises(StoreError, match="another ecosim process is writing this folder"),
    ):
        write_report(SimpleNamespace(folder=tmp_path), None)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock"]
