"""Memory known up front: the peak a run needs, and whether this machine has it.

A run's memory grows with the customers: their traits, their state towards each brand
(an ``(n, n_brands)`` array per field) and the social network (CSR arrays, and the
generator's temporaries while it is built). :func:`estimate_peak` gives the peak that
building and running a model adds to the process, from the scenario alone;
:func:`check_memory` refuses a run whose estimate exceeds the memory available
(:func:`available_memory`: free memory, a cgroup limit, an address-space limit), before
anything large is allocated.

The formula (bytes), fitted to the peak resident set measured at 10^5 to 5 x 10^5
customers (``tests/test_memory.py`` checks it within 25%)::

    peak = 1 MiB + n * (144 + n_brands * (140 + 4 * h) + network)

with ``h`` the events each customer-brand history keeps (the counts of the engagement
criteria) and, per customer, ``network = max(0, c d - 100)``, where ``d`` is the mean
degree (``2 m``, ``k``, ``mean_degree``, the sum of the within and between degrees, or
twice the edge list's lines, taken as at least 8 bytes each, per customer; 0 for a
complete graph, held implicitly) and ``c`` is 60 for a Barabasi-Albert graph, 47 for
Watts-Strogatz and Erdos-Renyi, and 88 for a stochastic block model or an edge list
(the generators hold the edges several times over while they build the CSR arrays).
"""

from __future__ import annotations

import resource
from pathlib import Path

import psutil

from ecosim.errors import ResourceError
from ecosim.scenario import (
    BarabasiAlbert,
    EdgeList,
    ErdosRenyi,
    Scenario,
    StochasticBlock,
    WattsStrogatz,
)

__all__ = ["available_memory", "check_memory", "estimate_peak"]

FIXED = 1 << 20
"""Bytes a model needs whatever its size (agents, data collector)."""
PER_CUSTOMER = 144
"""Bytes per customer for traits, segment and the day's scratch arrays."""
PER_CUSTOMER_BRAND = 140
"""Bytes per customer and brand for the relationship arrays (``ecosim.population``)."""
PER_EVENT = 4
"""Bytes per remembered event (an int32 day) per customer and brand."""
BYTES_PER_DEGREE = {BarabasiAlbert: 60.0, WattsStrogatz: 47.0, ErdosRenyi: 47.0}
"""Bytes per customer per unit of mean degree while the network is built and used
(88 for a stochastic block model or an edge list)."""
EDGE_LIST_BYTES_PER_LINE = 8
"""The fewest bytes taken as one line of an edge-list file (``12,345\\n``)."""


def mean_degree(scenario: Scenario) -> float:
    """Return the network's expected mean degree (0 for a complete graph, held implicitly)."""
    spec, n = scenario.network, scenario.population.size
    if isinstance(spec, BarabasiAlbert):
        return 2.0 * spec.m
    if isinstance(spec, WattsStrogatz):
        return float(spec.k)
    if isinstance(spec, ErdosRenyi):
        return spec.mean_degree
    if isinstance(spec, StochasticBlock):
        return spec.mean_degree_within + spec.mean_degree_between
    if isinstance(spec, EdgeList):
        try:
            size = Path(spec.path).stat().st_size
        except (OSError, ValueError):  # ValueError: a NUL byte in the name
            return 0.0  # reading the file reports it
        return 2.0 * size / EDGE_LIST_BYTES_PER_LINE / n
    return 0.0


def estimate_peak(scenario: Scenario) -> int:
    """Estimate the peak memory (bytes) that building and running ``scenario`` adds.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    int
        Bytes; see the module's docstring for the formula.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> scenario = load_scenario("scenarios/baseline.toml", {"population.size": 1_000_000})
    >>> round(estimate_peak(scenario) / 2**20)  # MiB
    642
    """
    n, brands = scenario.population.size, len(scenario.brands)
    engagement = scenario.engagement
    events = sum(
        c.count for c in (engagement.purchases, engagement.referrals, engagement.reviews) if c
    )
    d = mean_degree(scenario)
    spec = scenario.network
    network = max(0.0, BYTES_PER_DEGREE.get(type(spec), 88.0) * d - 100.0)
    per_customer = PER_CUSTOMER + brands * (PER_CUSTOMER_BRAND + PER_EVENT * events) + network
    return int(FIXED + n * per_customer)


def available_memory() -> tuple[int, str]:
    """Return the memory this process can still take, and what limits it.

    The least of: the system's available memory; the room left under the cgroup's
    memory limit (a container's), if there is one; the room left under the
    address-space limit (``ulimit -v``), if there is one.

    Returns
    -------
    tuple of (int, str)
        Bytes, and a description of the limit (for messages).
    """
    limits = [(psutil.virtual_memory().available, "memory available on this machine")]
    cgroup = _cgroup_room()
    if cgroup is not None:
        limits.append((cgroup, "room under the memory limit of this container (cgroup)"))
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        room = soft - psutil.Process().memory_info().vms
        limits.append((max(0, room), "room under this process's address-space limit (ulimit -v)"))
    return min(limits)


def _cgroup_room() -> int | None:
    for limit, usage in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ):
        try:
            text = Path(limit).read_text().strip()
            used = int(Path(usage).read_text().strip())
        except (OSError, ValueError):
            continue
        if text == "max" or not text.isdigit() or int(text) >= 1 << 60:
            return None
        return max(0, int(text) - used)
    return None


def check_memory(scenario: Scenario, source: str | None = None) -> int:
    """Refuse a run whose estimated peak memory exceeds the memory available.

    Parameters
    ----------
    scenario : Scenario
    source : str, optional
        Named in the message (default: the scenario's name).

    Returns
    -------
    int
        The estimate, in bytes.

    Raises
    ------
    ResourceError
        If :func:`estimate_peak` exceeds :func:`available_memory`; the message gives
        both and what to change.
    """
    need = estimate_peak(scenario)
    room, what = available_memory()
    if need > room:
        n = scenario.population.size
        fits = max(2, int(n * room / need))
        raise ResourceError(
            f"{source or f'scenario {scenario.name!r}'}: population.size: {n:,} customers "
            f"with {len(scenario.brands)} brand(s) and a {scenario.network.kind} network "
            f"(mean degree {mean_degree(scenario):.3g}) need about {_gib(need)} of memory, "
            f"but the {what} is {_gib(room)} (expected at most about {fits:,} customers "
            "here; see 'Memory' in docs/model.md)"
        )
    return need


def _gib(size: float) -> str:
    return f"{size / 2**30:.2f} GiB"
