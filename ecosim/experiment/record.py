"""A results folder's record: the resolved experiment it holds, read without Dask.

``DIR/experiment.toml`` is written before the first run of a batch or sensitivity
analysis; a rerun into the same folder must make the same runs (what no run reads, such as
the outcomes reported, may change, and the record then follows the rerun).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal

import tomli_w

from ecosim import __version__
from ecosim.errors import StoreError, as_path, without_input_warnings
from ecosim.experiment.plan import Run
from ecosim.experiment.schema import (
    Experiment,
    ExperimentError,
    strategy_overrides,
    validate_experiment,
)
from ecosim.network import edge_list_digest
from ecosim.scenario import Scenario
from ecosim.scenario.files import read_toml_file
from ecosim.store import ResultStore, write_text

__all__ = [
    "Record",
    "claim",
    "describe_failures",
    "read_record",
    "refuse_replanned",
    "refuse_resized",
]


@dataclass(frozen=True)
class Record:
    """What a results folder holds, as read from its ``experiment.toml``.

    Attributes
    ----------
    kind : {"batch", "sensitivity"}
    method : str or None
        ``"morris"`` or ``"sobol"`` for a sensitivity analysis.
    experiment : Experiment
    """

    kind: Literal["batch", "sensitivity"]
    method: Literal["morris", "sobol"] | None
    experiment: Experiment


EDGE_LISTS = "edge_list_sha256"
"""The record's table of the SHA-256 of the edge list each strategy's runs read."""
CONDITION_EDGE_LISTS = "condition_edge_list_sha256"
"""The record's table of the SHA-256 of each edge list a condition names, by file."""
POSTERIOR = "posterior_sha256"
"""The record's SHA-256 of the posterior draws the replications run with (``[posterior]``)."""


def _posterior_digest(experiment: Experiment) -> str | None:
    """Return a digest of the posterior draws the replications use, or None without any.

    The experiment names only the calibration's folder: a folder recalibrated since would
    give the runs still to do other draws than their finished pairs ran with.
    """
    if experiment.posterior is None:
        return None
    from ecosim.calibrate.posterior import replication_overrides

    draws = replication_overrides(experiment.posterior.source, experiment.replications)
    return hashlib.sha256(json.dumps(draws, sort_keys=True).encode()).hexdigest()


def _record_data(
    record: Record, edge_lists: dict[str, tuple[str, str]], condition_files: dict[str, str]
) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": record.kind}
    if record.method:
        data["method"] = record.method
    experiment = _without_none(record.experiment.model_dump(mode="python", exclude_none=True))
    if not experiment["overrides"]:
        del experiment["overrides"]  # recorded as before there were overrides
    data["experiment"] = experiment
    if digests := {name: digest for name, (_, digest) in edge_lists.items()}:
        data[EDGE_LISTS] = digests
    if condition_files:
        data[CONDITION_EDGE_LISTS] = condition_files
    return tomllib.loads(tomli_w.dumps(data))


def _edge_lists(experiment: Experiment) -> dict[str, tuple[str, str]]:
    """Return the edge list each strategy's runs read, and its digest, by strategy.

    The base scenario's network, or the one a strategy sets; strategies on a generated
    network (or a file that cannot be read, which its runs will say) are left out.
    """
    from ecosim.market import resolve_scenario

    found, digests = {}, {}
    for name, strategy in experiment.strategies.items():
        overrides = strategy_overrides(experiment.scenario, strategy)
        network = experiment.scenario.network
        if any(path == "network" or path.startswith("network.") for path in overrides):
            with without_input_warnings():
                network = resolve_scenario(experiment.scenario, overrides=overrides).network
        path = getattr(network, "path", None)
        if path is not None and path not in digests:
            digests[path] = edge_list_digest(network)  # each file read once
        if path is not None and digests[path] is not None:
            found[name] = (path, digests[path])
    return found


def _condition_edge_lists(experiment: Experiment) -> dict[str, str]:
    """Return the digest of each edge list a condition's ``network.path`` values name, by file.

    A condition's runs read its file instead of the one the scenario names; a file that
    cannot be read (which its runs will say) is left out.
    """
    found = {}
    for parameter in experiment.parameters:
        if parameter.path != "network.path":
            continue
        for path in parameter.values or ():
            network = SimpleNamespace(kind="edge_list", path=path)
            if (
                isinstance(path, str)
                and path not in found
                and (digest := edge_list_digest(network))
            ):
                found[path] = digest
    return found


def _without_none(value: Any) -> Any:
    """Drop None from tables and lists (TOML has no null; an override of None clears a field)."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value if v is not None]
    return value


def read_record(directory: str | Path) -> Record:
    """Read the resolved experiment of a results folder (its ``experiment.toml``).

    Parameters
    ----------
    directory : str or Path

    Returns
    -------
    Record

    Raises
    ------
    ExperimentError
        If ``directory`` is a file, or the folder has no readable ``experiment.toml``.
    """
    if as_path(directory, "directory").is_file():
        raise ExperimentError(
            str(directory), [("", "is a file (expected the --out folder of ecosim batch)")]
        )
    path = Path(directory) / ResultStore.RECORD
    source = str(path)
    data = read_toml_file(
        path, ExperimentError, missing="not found: is this the --out folder of ecosim batch?"
    )
    kind = data.get("kind")
    if kind not in ("batch", "sensitivity"):
        raise ExperimentError(source, [("kind", f"expected batch or sensitivity (got {kind!r})")])
    return Record(kind, data.get("method"), validate_experiment(data.get("experiment", {}), source))


def claim(store: ResultStore, record: Record) -> None:
    """Write the record into a new folder, or check that the folder holds the same runs.

    Fields that no run of the record's kind reads (:func:`_runs_of`) may differ: the
    record is then rewritten with them and with this command's overrides, and the report
    follows the file and the command.
    """
    edge_lists = _edge_lists(record.experiment)
    condition_files = _condition_edge_lists(record.experiment)
    posterior = _posterior_digest(record.experiment)
    data = _record_data(record, edge_lists, condition_files)
    if posterior is not None:
        data[POSTERIOR] = posterior
    held = store.record()
    if held is None:
        if store.rows():
            raise ExperimentError(
                str(store.directory), [("", "holds runs but no experiment.toml; use another --out")]
            )
        header = f"# The resolved experiment, written by ecosim {__version__}.\n"
        write_text(header + tomli_w.dumps(data), store.directory / ResultStore.RECORD)
        return
    if held.get("kind") not in ("batch", "sensitivity"):
        raise ExperimentError(
            str(store.directory),
            [
                (
                    "",
                    f"its {ResultStore.RECORD} is not the record ecosim writes of a batch's "
                    'results (it has no kind = "batch" or "sensitivity": the experiment file '
                    "itself?); write the results into a folder of their own",
                )
            ],
        )
    digests, held_digests = data.pop(EDGE_LISTS, {}), held.pop(EDGE_LISTS, None)
    if not isinstance(held_digests, dict):  # none recorded (or one digest, as a first form did)
        held_digests = None
    data.pop(CONDITION_EDGE_LISTS, None)
    held_files = held.pop(CONDITION_EDGE_LISTS, None)
    if not isinstance(held_files, dict):  # a folder written before they were digested
        held_files = None
    data.pop(POSTERIOR, None)
    held_posterior = held.pop(POSTERIOR, None)
    differences = _differences(_runs_of(held), _runs_of(data))
    if differences:
        listed = "; ".join(
            f"{path} ({_change(was, now)})" for path, was, now in differences[:5]
        ) + ("; ..." if len(differences) > 5 else "")
        raise ExperimentError(
            str(store.directory),
            [
                (
                    "",
                    f"holds a different experiment ({held.get('kind')} "
                    f"{held.get('experiment', {}).get('name')!r}; differs in: {listed}); "
                    "its runs are not mixed with others: rerun with the folder's settings, "
                    "use another --out, or remove the folder to start again",
                )
            ],
        )
    unread = _differences(held, data)  # what no run reads, or the command's overrides
    if (
        not unread
        and digests == (held_digests or {})
        and condition_files == (held_files or {})
        and posterior == held_posterior
    ):
        return
    _check_edge_lists(store, edge_lists, held_digests)
    _check_condition_edge_lists(store, record.experiment, condition_files, held_files)
    if held_posterior is not None and posterior != held_posterior and store.rows():
        raise ExperimentError(
            str(store.directory),
            [
                (
                    "",
                    "the posterior draws of "
                    f"{Path(record.experiment.posterior.source) / 'posterior_draws.parquet'} "
                    "changed since runs with them finished; they are not paired with runs "
                    "on other draws: restore the calibration's folder, use another --out, "
                    "or remove the folder to start again",
                )
            ],
        )
    digests = {**(held_digests or {}), **digests}  # a file not readable now keeps its digest
    header = f"# The resolved experiment, written by ecosim {__version__}.\n"
    kept = {EDGE_LISTS: digests} if digests else {}
    if condition_files := {**(held_files or {}), **condition_files}:
        kept[CONDITION_EDGE_LISTS] = condition_files
    if posterior is not None:
        kept[POSTERIOR] = posterior
    write_text(header + tomli_w.dumps({**data, **kept}), store.directory / ResultStore.RECORD)


def _check_edge_lists(
    store: ResultStore, edge_lists: dict[str, tuple[str, str]], held: dict[str, str] | None
) -> None:
    """Refuse an edge list changed since runs that read it finished.

    A strategy none of whose runs finished (they failed on a broken file, say) may read a
    mended file. A folder written before edge lists were digested (``held`` None) has
    nothing to compare.
    """
    if held is None:
        return
    finished = {row.get("strategy") for row in store.rows().values()}
    changed: dict[str, list[str]] = {}
    for name, (path, digest) in edge_lists.items():
        if name in finished and held.get(name, digest) != digest:
            changed.setdefault(path, []).append(name)
    if changed:
        raise ExperimentError(
            str(store.directory),
            [
                (
                    "",
                    f"the edge list {path} changed since runs of {', '.join(names)} that "
                    "read it finished; they are not mixed with runs on another network: "
                    "restore the file, use another --out, or remove the folder to start again",
                )
                for path, names in changed.items()
            ],
        )


def _check_condition_edge_lists(
    store: ResultStore,
    experiment: Experiment,
    condition_files: dict[str, str],
    held: dict[str, str] | None,
) -> None:
    """Refuse an edge list a condition names changed since runs under that condition finished.

    A file no finished run read may change; a folder written before these files were
    digested (``held`` None) has nothing to compare.
    """
    if held is None:
        return
    labels = [p.label for p in experiment.parameters if p.path == "network.path"]
    read = {row.get(label) for row in store.rows().values() for label in labels}
    changed = sorted(
        path
        for path, digest in condition_files.items()
        if path in read and held.get(path, digest) != digest
    )
    if changed:
        raise ExperimentError(
            str(store.directory),
            [
                (
                    "",
                    f"the edge list {path} changed since runs of the conditions that name it "
                    "finished; they are not mixed with runs on another network: restore the "
                    "file, use another --out, or remove the folder to start again",
                )
                for path in changed
            ],
        )


_NAMING = ("run_id", "strategy", "condition", "replication")
"""What names a run (its id says as much); the rest of its identification is what it ran."""


def refuse_replanned(store: ResultStore, runs: list[Run], done: dict[str, dict]) -> None:
    """Refuse finished runs whose recorded values or seed are not those planned for them.

    The record holds the experiment, not its design: a design drawn otherwise (by another
    version of ecosim) for the same experiment would mix two designs' runs under one id,
    and a record edited by hand would describe other runs than the folder's.

    Parameters
    ----------
    store : ResultStore
    runs : list of Run
        The experiment's runs.
    done : dict
        The finished runs' rows, by run id (:meth:`ResultStore.rows`).

    Raises
    ------
    StoreError
        Naming the first three such files and what they ran.
    """
    redrawn = []
    for run in runs:
        row = done.get(run.run_id)
        if row is None:
            continue
        identification = run.identification()
        planned = {key: identification[key] for key in identification if key not in _NAMING}
        ran = {key: row.get(key) for key in planned}
        if ran != planned:
            redrawn.append(f"{store.run_path(run.run_id).name} ran {ran}, planned {planned}")
    if redrawn:
        raise StoreError(
            f"{store.directory}: {len(redrawn)} finished run(s) ran other values than this "
            f"experiment plans for them ({_first(redrawn)}): the folder's design was drawn "
            "otherwise (by another version of ecosim, or its experiment.toml was edited); "
            "run the batch again into another --out"
        )


def refuse_resized(
    store: ResultStore, runs: list[Run], done: dict[str, dict], scenario: Scenario
) -> None:
    """Refuse finished runs of another horizon or population than planned for them.

    Such a run is a run file of another folder, copied in: its outcomes would be summed over
    other days, or counted over other customers, than its strategy's other runs.

    Parameters
    ----------
    store : ResultStore
    runs : list of Run
        The experiment's runs (a posterior's fields may be left out: they never set the
        horizon or the population).
    done : dict
        The finished runs' rows, by run id (:meth:`ResultStore.rows`).
    scenario : Scenario
        The experiment's base scenario, whose days and size a run keeps unless its
        condition sets them.

    Raises
    ------
    StoreError
        Naming the first three such files and what they ran.
    """
    copied = []
    for run in runs:
        if run.run_id not in done:
            continue
        days, customers = store.run_size(run.run_id)
        planned_days = run.overrides.get("days", scenario.days)
        size = run.overrides.get("population.size", scenario.population.size)
        if days != planned_days or customers not in (None, size):
            copied.append(
                f"{store.run_path(run.run_id).name} ran {days} days"
                + (f" of {customers:,} customers" if customers is not None else "")
                + f", planned {planned_days} days of {size:,} customers"
            )
    if copied:
        raise StoreError(
            f"{store.directory}: {len(copied)} finished run(s) ran another horizon or "
            f"population than this experiment plans for them ({_first(copied)}): run files "
            "of another folder, copied in? delete them (and their runs/adoption files) and "
            "rerun the batch, which redoes them"
        )


def _first(found: list[str]) -> str:
    return "; ".join(found[:3]) + ("; ..." if len(found) > 3 else "")


_LONG_LIST = 80
"""The longest a list is written in full in a message (characters)."""


def _short(value: Any) -> str:
    """Write a value for a message: itself if short, else what it is.

    >>> _short(["total_profit"]), _short(list(range(40))), _short({"a": 1}), _short(None)
    ("['total_profit']", 'a list of 40 items', 'a dict', 'absent')
    """
    if value is None:
        return "absent"
    text = repr(value)
    if isinstance(value, list):
        return text if len(text) <= _LONG_LIST else f"a list of {len(value)} items"
    if isinstance(value, dict):
        return "a dict"
    return text if len(text) <= 40 else text[:37] + "..."


def _change(was: Any, now: Any) -> str:
    """Write how a value differs between a folder's record and a rerun, for a message.

    A long list is described by the items it gained or lost, not by its length alone.

    >>> _change(90.0, 95.0)
    'folder: 90.0, now: 95.0'
    >>> _change([f"outcome_{i}" for i in range(9)], [f"outcome_{i}" for i in range(10)])
    "folder: 9 items, now: 10: adds 'outcome_9'"
    >>> plan = [{"type": "tv_ad", "start": day, "intensity": 0.6} for day in (1, 90, 180)]
    >>> _change(plan, plan[:2])
    'folder: 3 items, now: 2: drops 1 item'
    """
    if (
        not (isinstance(was, list) and isinstance(now, list))
        or max(len(repr(was)), len(repr(now))) <= _LONG_LIST
    ):
        return f"folder: {_short(was)}, now: {_short(now)}"
    added = [item for item in now if item not in was]
    dropped = [item for item in was if item not in now]
    parts = [
        f"{verb} {_items(items)}" for verb, items in (("adds", added), ("drops", dropped)) if items
    ]
    return f"folder: {len(was)} items, now: {len(now)}: " + (
        ", ".join(parts) or "the same items, repeated or in another order"
    )


def _items(items: list[Any]) -> str:
    """Name a few items of a list if they are short, else count them."""
    named = [repr(item) for item in items]
    if len(named) <= 3 and all(len(name) <= 40 for name in named):
        return ", ".join(named)
    return f"{len(items)} item" + "s" * (len(items) != 1)


def _differences(a: Any, b: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            found
            for key in dict.fromkeys([*a, *b])
            for found in _differences(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            found
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for found in _differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [(path, a, b)]


def _without_overrides(data: dict[str, Any]) -> dict[str, Any]:
    """Return a record without its command line's changes, whose effects its fields hold.

    A folder's runs are those of its resolved experiment, however its values were given:
    a rerun with a ``--set`` written into the file instead runs the same runs.
    """
    experiment = data.get("experiment")
    if not isinstance(experiment, dict):
        return data
    return {**data, "experiment": {k: v for k, v in experiment.items() if k != "overrides"}}


_REPORT_ONLY = ("description", "outcomes", "scenario_file")
"""An experiment's fields that say what to report of the runs, not which runs to make (the
scenario file's path as written: the scenario it holds is recorded whole)."""
_SCENARIO_UNREAD = ("description", "name", "seed")
"""The base scenario's fields no run reads: the experiment seeds every run itself."""


def _runs_of(data: dict[str, Any]) -> dict[str, Any]:
    """Return a record with only what its kind's runs read.

    Without the command line's changes (:func:`_without_overrides`), the descriptions (of
    the experiment, its scenario and its strategies), the outcomes reported (every run
    keeps every outcome), the scenario file's path as written, and the scenario's name and
    seed (the experiment seeds its runs); a batch without the sensitivity analysis's
    settings and its baseline (which the report compares with); a sensitivity analysis without the
    outcomes it reports, without the strategies it does not run, without the conditions
    when it samples its own parameters, and without ``replications`` when it has its own.
    """
    data = _without_overrides(data)
    experiment = data.get("experiment")
    if not isinstance(experiment, dict):
        return data
    kept = {k: v for k, v in experiment.items() if k not in _REPORT_ONLY}
    if isinstance(kept.get("scenario"), dict):
        kept["scenario"] = {k: v for k, v in kept["scenario"].items() if k not in _SCENARIO_UNREAD}
    if isinstance(kept.get("strategies"), dict):
        kept["strategies"] = {
            name: {k: v for k, v in spec.items() if k != "description"}
            if isinstance(spec, dict)
            else spec
            for name, spec in kept["strategies"].items()
        }
    settings = kept.pop("sensitivity", None)
    if data.get("kind") == "batch":
        kept.pop("baseline", None)  # the strategy the report compares with
    if data.get("kind") == "sensitivity" and isinstance(settings, dict):
        kept["sensitivity"] = {k: v for k, v in settings.items() if k != "outcomes"}
        analysed = settings.get("strategy") or kept.get("baseline")
        if isinstance(kept.get("strategies"), dict):
            kept["strategies"] = {analysed: kept["strategies"].get(analysed)}
        if settings.get("strategy"):
            kept.pop("baseline", None)
        if settings.get("parameters"):
            kept.pop("conditions", None)
        if settings.get("replications") is not None:
            kept.pop("replications", None)
    return {**data, "experiment": kept}


def describe_failures(directory: str | Path) -> str:
    """Return one line per failed run of a results folder: run_id, attempts and error."""
    failures = ResultStore(directory).failures()
    return "\n".join(
        f"  {run_id} ({row['attempts']} attempts): {row['error']}"
        for run_id, row in failures.items()
    )
