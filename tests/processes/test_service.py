import numpy as np

from ecosim.population import NEVER
from ecosim.processes.sampling import Draws
from ecosim.processes.service import Complaints, fail, respond
from ecosim.scenario import Incident, Service

from support import assert_rate, make_population


def service(**changes):
    base = {
        "incidents": [Incident(name="late", rate=0.5, severity=0.5, notifiable=True)],
        "complaint_rate": 1.0,
        "public_share": 0.0,
        "response_days": 0.0,
        "response_quality": 1.0,
    }
    return Service(**{**base, **changes})


def test_incidents_happen_at_their_rate_and_hurt_experience(draws):
    population = make_population(20_000, experience=0.5)
    _, counts = fail(population, np.arange(20_000), 0, service(), 0.0, 1, draws)
    assert_rate(counts["incidents"], 20_000, 0.5)
    hurt = population.experience[:, 0] < 0.5
    assert hurt.sum() == counts["incidents"]
    assert np.allclose(population.experience[hurt, 0], 0.5 + 0.5 * (-1 - 0.5))
    assert (population.last_incident[hurt, 0] == 1).all()
    assert (population.last_incident[~hurt, 0] == NEVER).all(), "only those who suffered one"


def test_proactive_notice_softens_notifiable_incidents(draws):
    warned = make_population(20_000, experience=0.5)
    fail(
        warned,
        np.arange(20_000),
        0,
        service(proactive_notice=1.0, notice_softening=0.6),
        0.0,
        1,
        draws,
    )
    felt = warned.experience[warned.experience[:, 0] < 0.5, 0]
    assert np.allclose(felt, 0.5 + 0.2 * (-1 - 0.5))
    defect = Incident(name="defect", rate=1.0, severity=0.5, notifiable=False)
    unwarned = make_population(10, experience=0.5)
    fail(
        unwarned, np.arange(10), 0, service(incidents=[defect], proactive_notice=1.0), 0.0, 1, draws
    )
    assert np.allclose(unwarned.experience, -0.25), "defects cannot be announced"


def test_priority_prevents_its_share_of_the_notifiable_incidents_only(draws):
    late = Incident(name="late", rate=0.5, severity=0.5, notifiable=True)
    defect = Incident(name="defect", rate=0.2, severity=0.5, notifiable=False)
    spec = service(incidents=[late, defect])
    buyers = np.arange(40_000)
    prevented = np.where(buyers < 20_000, 0.6, 0.0)
    population = make_population(40_000, experience=0.5)
    fail(population, buyers, 0, spec, 0.0, 1, draws, prevented=prevented)
    hurt = population.experience[:, 0] < 0.5
    # the first drawn kind counts: late with rate r, else a defect with 0.2
    for served, late_rate in ((slice(0, 20_000), 0.5 * 0.4), (slice(20_000, None), 0.5)):
        assert_rate(int(hurt[served].sum()), 20_000, late_rate + (1 - late_rate) * 0.2)


def test_no_priority_draws_the_same_incidents_as_none():
    buyers = np.arange(5_000)
    without, zero = make_population(5_000, experience=0.5), make_population(5_000, experience=0.5)
    fail(without, buyers, 0, service(), 0.0, 1, Draws(7))
    fail(zero, buyers, 0, service(), 0.0, 1, Draws(7), prevented=np.zeros(5_000))
    assert np.array_equal(without.experience, zero.experience)
    assert (without.experience[:, 0] < 0.5).any()


def test_a_quick_answer_restores_more_than_a_late_one(draws):
    population = make_population(2, experience=0.0)
    complaints = Complaints(
        customer=np.array([0, 1]),
        filed=np.array([1, 1]),
        answer_on=np.array([1, 7]),
        public=np.array([False, False]),
        loss=np.array([0.4, 0.4]),
    )
    spec = service(response_quality=0.8, recovery_halflife=2.0)
    assert respond(population, complaints, 0, spec, 1) == 1
    assert len(complaints) == 1 and complaints.customer.tolist() == [1]
    assert respond(population, complaints, 0, spec, 7) == 1 and len(complaints) == 0
    assert np.allclose(population.experience[:, 0], [0.8 * 0.4, 0.8 * 0.4 * 2 ** (-3)])


def test_response_time_is_geometric_with_the_given_mean(draws):
    population = make_population(40_000)
    spec = service(incidents=[Incident(name="x", rate=1.0, severity=0.1)])
    complaints, _ = fail(population, np.arange(40_000), 0, spec, 3.0, 10, draws)
    wait = complaints.answer_on - 10
    assert abs(wait.mean() - 3.0) < 4 * np.sqrt(3.0 * 4.0 / 40_000)


def test_self_service_resolves_at_once(draws):
    population = make_population(20_000, experience=0.0)
    spec = service(self_service=1.0, self_service_quality=0.5)
    complaints, counts = fail(population, np.arange(20_000), 0, spec, 5.0, 1, draws)
    assert len(complaints) == 0 and counts["self_served"] == counts["complaints"]
    hurt = population.experience[:, 0] < 0
    assert np.allclose(population.experience[hurt, 0], -0.5 * 0.5)


def test_unanswered_public_complaints_keep_speaking_until_patience_runs_out(draws):
    spec = service(public_share=1.0, answer_public=0.0, repost_rate=1.0, patience=3)
    population = make_population(1000)
    complaints, counts = fail(population, np.arange(1000), 0, spec, 0.0, 5, draws)
    assert counts["public_complaints"] == counts["complaints"] > 0
    loud_today = complaints.visible_today(5, spec, draws, 0)
    assert set(loud_today) == set(complaints.customer)
    assert len(complaints.visible_today(8, spec, draws, 0)) == len(loud_today), (
        "reposted while patient"
    )
    assert respond(population, complaints, 0, spec, 8) == 0, "never answered"
    assert len(complaints.visible_today(9, spec, draws, 0)) == 0 and len(complaints) == 0
    assert_rate(counts["public_complaints"], 1000, 0.5)


def test_a_service_without_incident_kinds_never_fails(draws):
    population = make_population(100, experience=0.5)
    complaints, counts = fail(population, np.arange(100), 0, service(incidents=[]), 0.0, 1, draws)
    assert len(complaints) == 0
    assert counts == dict.fromkeys(
        ("notices", "incidents", "complaints", "public_complaints", "self_served"), 0
    )
    assert np.all(population.experience == 0.5)


def test_a_scenario_without_incident_kinds_runs():
    import ecosim

    daily = ecosim.run(
        "scenarios/baseline.toml",
        customers=300,
        days=5,
        overrides={"brands.0.service.incidents": [], "brands.0.initial_awareness": 1.0},
    )
    assert daily["purchases"].sum() > 0 and daily["incidents"].sum() == 0
