"""Propositions of the customer engagement ecosystem (Maslowska et al. 2016), observed in the
full model over a fixed set of seeds, each with a one-sided 95% confidence bound."""

import numpy as np

from ecosim.validation.propositions import (
    DOSE,
    INDIRECT,
    NEGATIVITY,
    dose_response,
    indirect_effect,
    negativity,
)


def describe(result):
    return "\n".join(check.describe() for check in result.checks)


def test_campaign_effect_saturates_with_intensity():
    result = dose_response("quick")
    awareness = result.data["outcome"]["aware"]
    assert awareness.shape == (DOSE["quick"].replications, 5)
    assert np.all(np.diff(awareness.mean(axis=0)) > 0), "more advertising, more awareness"
    assert result.passed, describe(result)


def test_an_action_changes_customers_it_never_reached():
    result = indirect_effect("quick")
    assert len(result.data["difference"]["aware"]) == INDIRECT["quick"].replications
    assert result.passed, describe(result)


def test_negative_dialogue_weighs_more_than_positive():
    result = negativity("quick")
    rise, drop = result.data["rise"], result.data["drop"]
    assert len(rise) == NEGATIVITY["quick"].replications
    assert rise.mean() > 0 and drop.mean() > 0, "both kinds of talk move the neighbours"
    assert result.passed, describe(result)
    assert "negativity_bias = 1.5 times as far" in result.notes[-1], "it said 2, the old default"
