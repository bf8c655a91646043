"""Phase 5: service incidents, complaints and their handling (service recovery)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ecosim.population import Population
from ecosim.processes.experience import pull
from ecosim.processes.sampling import Draws
from ecosim.scenario import Service

__all__ = ["Complaints", "fail", "respond"]

_NEVER_ANSWERED = np.iinfo(np.int64).max


@dataclass
class Complaints:
    """A brand's open complaints, one entry each (structure of arrays).

    Attributes
    ----------
    customer : ndarray of int64
    filed : ndarray of int64
        Day the complaint was made.
    answer_on : ndarray of int64
        Day the brand will answer (a very large number: never).
    public : ndarray of bool
        Made in public (social media, a review), visible to the customer's contacts.
    loss : ndarray of float64
        Experience the incident took away, which an answer can restore.
    """

    customer: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    filed: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    answer_on: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    public: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    loss: np.ndarray = field(default_factory=lambda: np.empty(0))

    def __len__(self) -> int:
        return len(self.customer)

    def add(self, other: Complaints) -> None:
        """Append new complaints."""
        for name in ("customer", "filed", "answer_on", "public", "loss"):
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the complaints where ``mask`` is true."""
        for name in ("customer", "filed", "answer_on", "public", "loss"):
            setattr(self, name, getattr(self, name)[mask])

    def visible_today(self, day: int, service: Service, draws: Draws, brand: int) -> np.ndarray:
        """Return the customers whose public complaint speaks today.

        New public complaints speak on the day they are made; unanswered ones are posted
        again each day with probability ``repost_rate``. Every open complaint, private or
        public, is dropped unanswered once more than ``patience`` days have passed: the
        customer gives up (after the day's answers, :func:`respond`, which come first).
        """
        self.keep(day - self.filed <= service.patience)
        fresh = self.public & (self.filed == day)
        repost = draws.uniform(f"repost:{brand}", self.customer) < service.repost_rate
        again = self.public & (self.filed < day) & repost
        return np.unique(self.customer[fresh | again])


def fail(
    population: Population,
    buyers: np.ndarray,
    brand: int,
    service: Service,
    response_days: float,
    day: int,
    draws: Draws,
    disruption: float = 1.0,
    prevented: np.ndarray | None = None,
) -> tuple[Complaints, dict[str, int]]:
    """Service incidents among a brand's buyers, and the complaints they raise.

    Each purchase suffers each kind of incident with its ``rate`` times ``disruption``
    (at most one per purchase, the first drawn); a buyer served with priority is spared
    the share ``prevented`` of the notifiable kinds. The incident moves the experience
    towards -1 by its ``severity``, or by ``(1 - notice_softening) * severity`` when the
    customer was warned proactively (probability ``proactive_notice``, notifiable
    incidents only).
    A share ``complaint_rate`` complain, ``public_share`` of them in public; a share
    ``self_service`` of complaints is resolved at once with ``self_service_quality``;
    the others are answered after a geometric wait with mean ``response_days`` (the same
    day if 0) -- public complaints only with probability ``answer_public``. A service
    without incident kinds never fails.

    Parameters
    ----------
    population : Population
        ``experience`` and ``last_incident`` updated in place.
    buyers : ndarray of int
        Today's buyers of ``brand``.
    brand : int
    service : Service
    response_days : float
        Today's mean response time (a crisis response may shorten it).
    day : int
    draws : Draws
        The run's random numbers.
    disruption : float
        Today's multiplier of incident rates (a service disruption raises it).
    prevented : ndarray of float, optional
        Per buyer, the share of notifiable incidents that priority fulfilment prevents
        (:func:`ecosim.processes.loyalty.priority`); none when omitted.

    Returns
    -------
    complaints : Complaints
        The new complaints still open (self-service ones are closed already).
    counts : dict
        ``notices``, ``incidents``, ``complaints``, ``public_complaints``, ``self_served``.
    """
    if not service.incidents:
        names = ("notices", "incidents", "complaints", "public_complaints", "self_served")
        counts = dict.fromkeys(names, 0)
        return Complaints(), counts
    rates = np.minimum(np.array([incident.rate for incident in service.incidents]) * disruption, 1)
    severity = np.array([incident.severity for incident in service.incidents])
    notifiable = np.array([incident.notifiable for incident in service.incidents])
    kinds = len(rates)
    if prevented is not None:
        rates = rates * (1.0 - prevented[:, None] * notifiable)
    keys = buyers[:, None] * kinds + np.arange(kinds)
    struck = draws.uniform(f"incident:{brand}", keys) < rates
    hit = struck.any(axis=1)
    kind = struck.argmax(axis=1)[hit]
    victims = buyers[hit]
    population.last_incident[victims, brand] = day
    notice = draws.uniform(f"notice:{brand}", victims) < service.proactive_notice
    warned = notifiable[kind] & notice
    felt = severity[kind] * np.where(warned, 1.0 - service.notice_softening, 1.0)
    before = population.experience[victims, brand]
    population.experience[victims, brand] = pull(before, -1.0, felt)
    loss = before - population.experience[victims, brand]
    complaining = draws.uniform(f"complain:{brand}", victims) < service.complaint_rate
    victims, loss = victims[complaining], loss[complaining]
    public = draws.uniform(f"public:{brand}", victims) < service.public_share
    self_served = draws.uniform(f"self-serve:{brand}", victims) < service.self_service
    restored = service.self_service_quality * loss[self_served]
    population.experience[victims[self_served], brand] += restored
    open_ = ~self_served
    waiting = victims[open_]
    wait = draws.geometric(f"wait:{brand}", waiting, 1.0 / (1.0 + response_days)) - 1
    answer = draws.uniform(f"answer:{brand}", waiting) < service.answer_public
    answered = ~public[open_] | answer
    complaints = Complaints(
        customer=victims[open_].astype(np.int64),
        filed=np.full(open_.sum(), day, dtype=np.int64),
        answer_on=np.where(answered, day + wait, _NEVER_ANSWERED),
        public=public[open_],
        loss=loss[open_],
    )
    counts = {
        "notices": int(warned.sum()),
        "incidents": len(kind),
        "complaints": len(victims),
        "public_complaints": int(public.sum()),
        "self_served": int(self_served.sum()),
    }
    return complaints, counts


def answer_cost(service: Service, response_days: float) -> float:
    """Money one answered complaint costs at today's response time.

    ``answer_cost * (1 + response_quality) / 1.6 * 3 / (1 + response_days)``: the
    standard level (answers within 2 days of quality 0.6) costs ``answer_cost``; faster
    answers need spare capacity, so the cost per answer grows as the mean wait shrinks
    (twice the standard within half a day, three times the same day), and better answers
    take more skilled time.

    Examples
    --------
    >>> from ecosim.scenario import Service
    >>> answer_cost(Service(answer_cost=10.0), 2.0)
    10.0
    >>> round(answer_cost(Service(answer_cost=10.0, response_quality=0.9), 0.5), 2)
    23.75
    """
    quality = (1.0 + service.response_quality) / 1.6
    return service.answer_cost * quality * 3.0 / (1.0 + response_days)


def running_cost(service: Service, response_days: float, answered: int, notices: int) -> float:
    """Today's cost of the service: answers, proactive notices and the self-service platform."""
    return (
        answered * answer_cost(service, response_days)
        + notices * service.notice_cost
        + service.self_service * service.self_service_cost
    )


def respond(
    population: Population,
    complaints: Complaints,
    brand: int,
    service: Service,
    day: int,
) -> int:
    """Answer the complaints due today; answers restore experience.

    An answer after a wait of ``w`` days restores ``response_quality *
    2**(-w / recovery_halflife)`` of the experience the incident took: a quick, good
    answer can undo most of the damage (service recovery, Smith & Bolton 1998;
    McCollough, Berry & Yadav 2000), a late one little.

    Parameters
    ----------
    population : Population
        ``experience`` updated in place.
    complaints : Complaints
        The brand's open complaints; the answered ones are removed.
    brand : int
    service : Service
    day : int

    Returns
    -------
    int
        Complaints answered today.
    """
    due = complaints.answer_on <= day
    wait = day - complaints.filed[due]
    restored = (
        service.response_quality * np.exp2(-wait / service.recovery_halflife) * complaints.loss[due]
    )
    customers = complaints.customer[due]
    column = population.experience[:, brand]
    np.add.at(column, customers, restored)
    column[customers] = np.minimum(column[customers], 1.0)
    complaints.keep(~due)
    return int(due.sum())
