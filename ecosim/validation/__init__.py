"""Scientific validation: the engine docked against theory and an independent implementation.

Following Rand & Rust (2011), ``ecosim validate`` runs every case below and writes
``docs/validation.md``: the reduced models against closed forms and known results
(Bass 1969 and its limits, the SIS epidemic threshold, customer lifetime value), the
vectorised rules against a plain per-agent Mesa implementation, the propositions of
the engagement ecosystem (Maslowska et al. 2016) in the full model, published empirical
generalisations of marketing science (``empirical``), the effect of every shipped
scenario's key mechanism (``mechanisms``) and the recovery of known parameters by
``ecosim calibrate`` (``calibration``). Each case is a function ``case(mode, jobs)``
returning a :class:`CaseResult`.

References
----------
W. Rand and R. T. Rust, "Agent-based modeling in marketing: guidelines for rigor",
International Journal of Research in Marketing 28 (2011) 181-193.

Examples
--------
>>> from ecosim.validation import CASES
>>> list(CASES)[:4]
['bass', 'limits', 'sis', 'clv']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from ecosim.errors import ValidationCaseError
from ecosim.validation.bass import bass_closed_form, bass_limits
from ecosim.validation.calibration import calibration_recovery
from ecosim.validation.clv import customer_lifetime_value
from ecosim.validation.core import CaseResult, Check, Mode
from ecosim.validation.docking import dock_bass, dock_independent_cascade, load_reference
from ecosim.validation.empirical import generalisations
from ecosim.validation.mechanisms import no_inert_mechanism
from ecosim.validation.propositions import dose_response, indirect_effect, negativity
from ecosim.validation.report import write_report
from ecosim.validation.sis import sis_threshold

__all__ = [
    "CASES",
    "CaseResult",
    "Check",
    "Mode",
    "ValidationCaseError",
    "run_cases",
    "write_report",
]

CASES: dict[str, Callable[[Mode, int], CaseResult]] = {
    "bass": bass_closed_form,
    "limits": bass_limits,
    "sis": sis_threshold,
    "clv": customer_lifetime_value,
    "dock_bass": dock_bass,
    "dock_cascade": dock_independent_cascade,
    "dose_response": dose_response,
    "indirect_effect": indirect_effect,
    "negativity": negativity,
    "calibration": calibration_recovery,
    "empirical": generalisations,
    "mechanisms": no_inert_mechanism,
}
"""Every validation case by name, in report order."""

NEEDS_REFERENCE = ("dock_bass", "dock_cascade")


def run_cases(
    names: Iterable[str],
    mode: Mode = "full",
    jobs: int = 1,
    progress: Callable[[CaseResult], None] | None = None,
) -> list[CaseResult]:
    """Run validation cases in order.

    Parameters
    ----------
    names : iterable of str
        Keys of :data:`CASES`.
    mode : {"full", "quick"}
    jobs : int
        Worker processes for the replications.
    progress : callable, optional
        Called with each result as it is ready.

    Returns
    -------
    list of CaseResult

    Raises
    ------
    ValidationCaseError
        If a docking case is asked for and the reference implementation is missing
        (checked before anything runs).
    """
    names = list(names)
    if any(name in NEEDS_REFERENCE for name in names):
        load_reference()
    results = []
    for name in names:
        started = time.perf_counter()
        result = CASES[name](mode, jobs)
        result.seconds = time.perf_counter() - started
        results.append(result)
        if progress is not None:
            progress(result)
    return results
