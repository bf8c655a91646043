import numpy as np

from ecosim.processes import direct_actions
from ecosim.processes.sampling import Draws
from ecosim.scenario import Community, Gamification, Personalisation, PersonalisedReward

from support import assert_rate, make_population

BIG = 10**9


def action(cls, **fields):
    return cls(
        type=cls.model_fields["type"].annotation.__args__[0], brand="b", start=1, end=9, **fields
    )


def test_gamification_engages_aware_players_and_respects_the_budget(draws):
    game = action(Gamification, participation=0.5, intensity=0.8, fun=0.1)
    population = make_population(20_000)
    population.aware[:10_000] = True
    players = direct_actions.play(population, np.arange(20_000), 0, game, 3, BIG, draws)
    assert (players < 10_000).all()
    assert_rate(len(players), 10_000, 0.4)
    assert (population.stage[players, 0] == 1).all() and population.engaged_today[players].all()
    assert np.allclose(population.experience[players, 0], 0.1)
    assert len(direct_actions.play(population, np.arange(20_000), 0, game, 3, 7, draws)) == 7


def test_personalised_offers_go_to_past_buyers_predicted_to_buy_soon():
    offer = action(Personalisation, lift=0.4, lookahead=5)
    population = make_population(5, purchases=3)
    population.first_purchase[:, 0] = [0, 0, 4, 0, 0]
    population.last_purchase[:, 0] = [4, 20, 8, 5, 0]
    population.purchases[3, 0] = 1
    population.purchases[4, 0] = 0
    draws = Draws(0)
    # intervals 2, 10, 2 (a one-time buyer: their mean, 14/3); next purchases 6, 30, 10, 9.67
    targets = direct_actions.offer(population, np.arange(5), 0, offer, 5, BIG, draws)
    assert targets.tolist() == [0, 2, 3]
    assert population.offer_until[[0, 2, 3], 0].tolist() == [11, 15, 14]
    assert population.offer_lift[0, 0] == 0.4
    again = direct_actions.offer(population, np.arange(5), 0, offer, 6, BIG, draws)
    assert len(again) == 0, "one open offer at a time"


def test_personalised_offers_do_not_know_the_customers_true_next_need():
    offer = action(Personalisation, lookahead=5)
    one, other = make_population(3, purchases=2), make_population(3, purchases=2)
    for population in (one, other):
        population.first_purchase[:, 0] = [0, 0, 0]
        population.last_purchase[:, 0] = [5, 10, 20]
    one.next_need[:] = 7
    other.next_need[:] = 400
    targets = [
        direct_actions.offer(p, np.arange(3), 0, offer, 8, BIG, Draws(0)) for p in (one, other)
    ]
    assert targets[0].tolist() == targets[1].tolist() == [0]


def test_community_invitations_move_engaged_fans_towards_collaboration(draws):
    invite = action(Community, acceptance=0.5, intensity=1.0)
    population = make_population(20_000, stage=2, experience=0.8)
    population.stage[10_000:] = 1
    invited = direct_actions.invite(population, np.arange(20_000), 0, invite, 4, BIG, draws)
    assert len(invited) == 10_000
    assert_rate((population.stage[:10_000] == 3).sum(), 10_000, 0.4)
    assert (population.stage[10_000:] == 1).all()


def test_personalised_rewards_go_to_recent_buyers(draws):
    gift = action(PersonalisedReward, bonus_points=50.0, appreciation=0.1)
    population = make_population(3, last_purchase=[95, 10, 99])
    population.churned[2] = True
    rewarded = direct_actions.reward(population, np.arange(3), 0, gift, 100, 30, BIG, draws)
    assert rewarded.tolist() == [0]
    assert population.points[:, 0].tolist() == [50.0, 0.0, 0.0]


def test_samples_make_seeds_aware_consumers():
    population = make_population(5)
    direct_actions.sample(population, np.array([1, 3]), 0, 7)
    assert population.aware[:, 0].tolist() == [False, True, False, True, False]
    assert population.stage[3, 0] == 1 and population.last_consumed[3, 0] == 7
