"""Docking against an independent implementation (Axtell et al. 1996; Rand & Rust 2011).

The reference is a plain per-agent Mesa model, ``tests/reference/diffusion.py`` in the
source repository: one Mesa agent per customer holding its own state, stepping one at a
time. It implements the same rules as the engine with synchronous updating (every
decision of a day reads the start-of-day state), shares no code with the engine and uses
Python's ``random`` instead of numpy. Both run on the same small graph, from the same
seed customers, with independent random streams; the question is whether their
adoption curves are draws from the same distribution.

Two tests, each at ``ALPHA / 2`` (Bonferroni, family-wise error ``ALPHA`` per rule):

* a two-sample Kolmogorov-Smirnov test on the final adopted share (the cascade size);
* a permutation test on the whole daily curves with the max-T statistic, the largest
  Welch t over the days (Westfall & Young 1993): relabelling whole curves keeps their
  correlation over time, and the maximum over days controls the family-wise error
  across all days exactly, where a Bonferroni or Holm correction over some 40 strongly
  correlated daily tests would be needlessly conservative.

Not rejecting is evidence of sameness only if the tests could have seen a difference, so
each rule also runs the engine with one parameter 30 % larger and requires the tests to
reject that (a power check).
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from ecosim.errors import ValidationCaseError
from ecosim.network import barabasi_albert
from ecosim.validation.core import (
    CaseResult,
    Check,
    Mode,
    daily_curves,
    minimal_scenario,
    replicate,
    seeds,
)

__all__ = [
    "ALPHA",
    "REFERENCE",
    "dock_bass",
    "dock_independent_cascade",
    "load_reference",
    "max_t_permutation_test",
]

REFERENCE = Path(__file__).resolve().parents[2] / "tests" / "reference" / "diffusion.py"
"""Where the reference implementation lives in a source checkout."""

DESCRIPTION = """\
The reference is a plain per-agent Mesa model (`tests/reference/diffusion.py`): one Mesa
`Agent` per customer holding its own state and neighbour list, the agents stepping one at a
time in random order (`AgentSet.shuffle_do`), Python's `random` for its draws, no code shared
with the engine. Updating is synchronous in both: each day every agent first decides from
the state at the start of the day, then all decisions take effect (an agent stepping late
does not see adoptions made earlier the same day). Both run on the same Barabási–Albert
graph with independent random streams. Two tests, each at level 0.025 (Bonferroni:
family-wise 0.05): a two-sample Kolmogorov-Smirnov test on the final adopted share (the
cascade size; with ties its p-value is conservative), and a permutation test on the whole
daily curves with the max-T statistic, the largest Welch |t| over the days (Westfall &
Young 1993) — relabelling whole curves keeps their correlation over time, and the maximum
controls the family-wise error over all days exactly, where Bonferroni or Holm over 20 to 30
strongly correlated daily tests would be needlessly conservative. Not rejecting means
something only if the tests could reject, so the engine is also run with one parameter
30 % larger, and the tests must detect that."""

ALPHA = 0.05
PERTURBATION = 1.3
BA_EDGES = 3


@dataclass(frozen=True)
class Settings:
    """Graph size, replications per implementation and permutations of a docking case."""

    customers: int
    replications: int
    permutations: int


SETTINGS = {"full": Settings(500, 200, 5000), "quick": Settings(200, 40, 2000)}


@dataclass(frozen=True)
class Rule:
    """A diffusion rule, its parameters and the parameter the power check perturbs."""

    name: str
    days: int
    params: dict[str, float]
    perturbed: str
    seeds: int = 0
    title: str = ""
    description: str = ""


BASS = Rule(
    "bass",
    30,
    {"p": 0.005, "q": 0.25},
    "q",
    title="network Bass",
    description="The rule: a customer who has not adopted adopts with probability p + q a/k, "
    "a of their k neighbours having adopted at the start of the day.",
)
CASCADE = Rule(
    "independent_cascade",
    20,
    {"edge_probability": 0.12},
    "edge_probability",
    3,
    title="independent cascade",
    description="The rule (Goldenberg, Libai & Muller 2001): each customer who adopted the "
    "day before gets one chance to convince each neighbour who has not adopted, with the "
    "edge probability; three seed customers adopt on day 0.",
)


@cache
def load_reference() -> ModuleType:
    """Import the reference implementation from the source repository's ``tests/reference``.

    Returns
    -------
    module

    Raises
    ------
    ValidationCaseError
        If the file is not there (an installed package has no ``tests`` folder).
    """
    if not REFERENCE.is_file():
        raise ValidationCaseError(
            f"the independent reference implementation is not installed with ecosim: "
            f"{REFERENCE} does not exist. Docking needs a source checkout of the repository "
            f"(install it with `pip install -e .` and run `ecosim validate` there)."
        )
    name = "ecosim_reference_diffusion"
    spec = importlib.util.spec_from_file_location(name, REFERENCE)
    if spec is None or spec.loader is None:
        raise ValidationCaseError(f"{REFERENCE} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def reference_curve(
    seed: np.random.SeedSequence,
    graph: nx.Graph,
    rule: str,
    params: dict[str, float],
    initial: list[int],
    days: int,
) -> np.ndarray:
    """Run the reference implementation once; return the adopted share per day."""
    model = load_reference().ReferenceDiffusion(
        graph, rule, seeds=initial, rng=int(seed.generate_state(1)[0]), **params
    )
    return model.run(days)


def max_t_permutation_test(
    a: np.ndarray, b: np.ndarray, permutations: int, rng: np.random.Generator
) -> tuple[float, np.ndarray, float]:
    """Permutation test of equal mean curves with the max-T statistic (Westfall & Young).

    Parameters
    ----------
    a, b : ndarray, shape (replications, days)
        Curves of two samples.
    permutations : int
        Random relabellings of whole curves.
    rng : numpy.random.Generator

    Returns
    -------
    p_value : float
        ``(1 + #{T* >= T}) / (1 + permutations)``, ``T`` the largest Welch ``|t|`` over the
        days (days without variation are skipped).
    t : ndarray, shape (days,)
        The observed Welch t per day.
    critical : float
        The 95 % quantile of the permutation distribution of ``T``: a day whose ``|t|``
        exceeds it differs at family-wise level 5 %.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(30, 5)), rng.normal(size=(30, 5))
    >>> p, _, _ = max_t_permutation_test(a, b, 200, rng)
    >>> p > 0.05
    True
    """
    pooled = np.vstack([a, b])
    t = _welch(a, b)
    observed = np.abs(t).max()
    exceed, maxima = 0, np.empty(permutations)
    for i in range(permutations):
        order = rng.permutation(len(pooled))
        maxima[i] = np.abs(_welch(pooled[order[: len(a)]], pooled[order[len(a) :]])).max()
        exceed += maxima[i] >= observed
    return float((exceed + 1) / (permutations + 1)), t, float(np.quantile(maxima, 0.95))


def _welch(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    spread = np.sqrt(a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b))
    difference = a.mean(axis=0) - b.mean(axis=0)
    return np.divide(difference, spread, out=np.zeros_like(difference), where=spread > 0)


def dock_bass(mode: Mode = "full", jobs: int = 1) -> CaseResult:
    """Dock the engine's network Bass rule against the per-agent Mesa reference.

    Parameters
    ----------
    mode : {"full", "quick"}
    jobs : int

    Returns
    -------
    CaseResult

    References
    ----------
    R. Axtell, R. Axelrod, J. M. Epstein and M. D. Cohen, "Aligning simulation models: a
    case study and results", Computational and Mathematical Organization Theory 1 (1996)
    123-141.
    W. Rand and R. T. Rust, "Agent-based modeling in marketing: guidelines for rigor",
    International Journal of Research in Marketing 28 (2011) 181-193.
    """
    return _dock("dock_bass", BASS, mode, jobs)


def dock_independent_cascade(mode: Mode = "full", jobs: int = 1) -> CaseResult:
    """Dock the engine's independent cascade rule against the per-agent Mesa reference.

    Parameters
    ----------
    mode : {"full", "quick"}
    jobs : int

    Returns
    -------
    CaseResult

    References
    ----------
    J. Goldenberg, B. Libai and E. Muller, "Talk of the network: a complex systems look at
    the underlying process of word-of-mouth", Marketing Letters 12 (2001) 211-223.
    R. Axtell, R. Axelrod, J. M. Epstein and M. D. Cohen, "Aligning simulation models: a
    case study and results", Computational and Mathematical Organization Theory 1 (1996)
    123-141.
    """
    return _dock("dock_cascade", CASCADE, mode, jobs)


def _dock(case: str, rule: Rule, mode: Mode, jobs: int) -> CaseResult:
    load_reference()
    s = SETTINGS[mode]
    graph_rng = np.random.default_rng(seeds(f"{case}_graph", 1)[0])
    network = barabasi_albert(s.customers, BA_EDGES, graph_rng)
    initial = sorted(graph_rng.choice(s.customers, rule.seeds, replace=False).tolist())
    graph = network.to_networkx()
    with tempfile.TemporaryDirectory() as folder:
        edges = Path(folder) / "edges.csv"
        source, target = network.edges_from(np.arange(s.customers))
        keep = source < target
        np.savetxt(edges, np.column_stack((source[keep], target[keep])), fmt="%d", delimiter=",")

        def scenario(params: dict[str, float]) -> Any:
            changes = {
                "network": {"kind": "edge_list", "path": str(edges)},
                "diffusion.rule": rule.name,
                **{f"diffusion.{name}": value for name, value in params.items()},
            }
            if initial:
                changes["diffusion.seeds"] = {"customers": initial}
            return minimal_scenario(case, s.customers, rule.days, **changes)

        perturbed = {**rule.params, rule.perturbed: rule.params[rule.perturbed] * PERTURBATION}
        engine = daily_curves(
            f"{case}_engine", scenario(rule.params), s.replications, "adopted_share", jobs
        )
        changed = daily_curves(
            f"{case}_perturbed", scenario(perturbed), s.replications, "adopted_share", jobs
        )
    reference = np.vstack(
        replicate(
            reference_curve,
            seeds(f"{case}_reference", s.replications),
            jobs,
            graph=graph,
            rule=rule.name,
            params=rule.params,
            initial=initial,
            days=rule.days,
        )
    )
    test_rng = np.random.default_rng(seeds(f"{case}_permutations", 1)[0])
    ks = stats.ks_2samp(engine[:, -1], reference[:, -1]).pvalue
    p_curve, t, critical = max_t_permutation_test(engine, reference, s.permutations, test_rng)
    ks_power = stats.ks_2samp(changed[:, -1], reference[:, -1]).pvalue
    p_power, t_power, _ = max_t_permutation_test(changed, reference, s.permutations, test_rng)
    level = ALPHA / 2
    checks = [
        Check("Kolmogorov-Smirnov on the final adopted share: p-value", float(ks), ">=", level),
        Check("max-T permutation test on the daily curves: p-value", float(p_curve), ">=", level),
        Check(
            f"power: engine with {rule.perturbed} × {PERTURBATION} against the reference: "
            "smaller p-value",
            float(min(ks_power, p_power)),
            "<=",
            level,
        ),
    ]
    label = ", ".join(f"{k} = {v:g}" for k, v in rule.params.items())
    notes = [
        f"Graph: Barabási–Albert, {s.customers} customers, {BA_EDGES} edges per new customer "
        f"({network.n_edges} edges), the same for both implementations"
        + (f"; seed customers {initial}." if initial else "."),
        f"Final adopted share: engine {engine[:, -1].mean():.4f} ± "
        f"{engine[:, -1].std(ddof=1):.4f}, reference {reference[:, -1].mean():.4f} ± "
        f"{reference[:, -1].std(ddof=1):.4f} (mean ± sd over {s.replications} runs each).",
        f"Largest daily |t| {np.abs(t).max():.2f} against the permutation critical value "
        f"{critical:.2f}. With {rule.perturbed} × {PERTURBATION}: Kolmogorov-Smirnov p = "
        f"{ks_power:.2g}, max-T p = {p_power:.2g} (largest |t| {np.abs(t_power).max():.1f}).",
    ]
    return CaseResult(
        name=case,
        title=f"Docking: {rule.title} against a per-agent Mesa implementation",
        description=f"{DESCRIPTION}\n\n{rule.description}",
        checks=checks,
        source="Axtell et al. (1996); Rand & Rust (2011)",
        settings={
            "rule": f"{rule.name} ({label} per day)",
            "customers": s.customers,
            "days": rule.days,
            "replications per implementation": s.replications,
            "permutations": s.permutations,
            "updating": "synchronous (decisions read the start-of-day state)",
        },
        notes=notes,
        figure=_figure(engine, reference, changed, t, critical, rule),
        data={"engine": engine, "reference": reference, "perturbed": changed},
    )


def _figure(
    engine: np.ndarray,
    reference: np.ndarray,
    changed: np.ndarray,
    t: np.ndarray,
    critical: float,
    rule: Rule,
) -> Figure:
    fig = Figure(figsize=(15, 4.2), layout="constrained")
    ax = fig.subplots(1, 3)
    days = np.arange(engine.shape[1])
    samples = (
        ("ecosim engine", engine, "C0", "-"),
        ("Mesa reference", reference, "k", "--"),
        (f"engine, {rule.perturbed} × {PERTURBATION}", changed, "C3", ":"),
    )
    for label, curves, colour, style in samples:
        mean = curves.mean(axis=0)
        half = 1.96 * curves.std(axis=0, ddof=1) / np.sqrt(len(curves))
        ax[0].plot(days, mean, color=colour, ls=style, label=label)
        ax[0].fill_between(days, mean - half, mean + half, color=colour, alpha=0.15)
        final = np.sort(curves[:, -1])
        ax[1].step(final, np.arange(1, len(final) + 1) / len(final), color=colour, ls=style)
    ax[0].set(title="Mean adopted share (95% intervals)", xlabel="day", ylabel="adopted share")
    ax[0].legend(loc="upper left")
    ax[1].set(title="Final adopted share: empirical CDFs", xlabel="adopted share", ylabel="CDF")
    ax[2].plot(days, t, "o-", color="C0", ms=3, label="Welch t, engine vs reference")
    for level in (-critical, critical):
        ax[2].axhline(level, color="C3", ls="--", lw=0.8)
    ax[2].set(
        title="Per-day test, max-T critical values (5%)",
        xlabel="day",
        ylabel="t",
        ylim=(-1.5 * critical, 1.5 * critical),
    )
    ax[2].legend(loc="upper right")
    return fig
