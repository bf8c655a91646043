"""An interrupted optimisation resumes: finished evaluations and selection runs are not redone."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import optuna
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from optimisation_helpers import tiny_optimisation, write_optimisation
from optuna.trial import TrialState

from ecosim.cli import main
from ecosim.errors import InputWarning
from ecosim.experiment.runner import Runner
from ecosim.optimize import load_optimisation, optimise, run
from ecosim.optimize import search as search_module
from ecosim.optimize.run import OUTPUTS, SELECTION, stream_seeds
from ecosim.optimize.search import DATABASE, open_study, run_search
from ecosim.store import held_folder

from support import small_scenario

ROOT = Path(__file__).resolve().parents[2]
EVALUATIONS = 6


def count(database: Path, query: str) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database) as db:
            return db.execute(query).fetchone()[0]
    except sqlite3.Error:  # created but not yet initialised
        return 0


COMPLETE = "SELECT COUNT(*) FROM trials WHERE state = 'COMPLETE'"
STARTED = "SELECT COUNT(*) FROM trials JOIN trial_params USING (trial_id) WHERE state = 'RUNNING'"
"""A trial being evaluated: RUNNING, with its parameters."""


def test_a_changed_description_keeps_the_folder_and_a_damaged_file_in_it_is_named(tmp_path, capsys):
    """A new description refused the folder, though only the report reads it; a damaged
    study.db or selection.parquet gave an internal error."""
    path = write_optimisation(tmp_path)
    out = tmp_path / "out"
    assert main(["optimize", str(path), "--serial", "--out", str(out)]) == 0
    capsys.readouterr()
    written = {str(file.relative_to(out)) for file in out.rglob("*") if file.is_file()}
    records = {"optimisation.json", "optimisation.sha256", ".lock"}
    assert written - records <= set(OUTPUTS), "a foreign file of that name is not written over"
    described = ["--set", 'description="the margin, tried"']
    assert main(["optimize", str(path), "--serial", "--out", str(out), *described]) == 0
    assert "holds another optimisation" not in capsys.readouterr().err
    assert '"description": "the margin, tried"' in (out / "optimisation.json").read_text()
    pq.write_table(pa.table({"x": [1, 2]}), out / "other.parquet")
    other = (out / "other.parquet").read_bytes()
    for name, why, written in [
        (SELECTION, "is damaged (no column candidate, replication)", other),
        (SELECTION, "is damaged (Could not open Parquet input source", b"not what was written"),
        (DATABASE, "cannot be read as a study (file is not a database)", b"not what was written"),
    ]:
        (out / name).write_bytes(written)
        assert main(["optimize", str(path), "--serial", "--out", str(out)]) == 2
        error = capsys.readouterr().err
        assert error.startswith(f"ecosim: error: {out}: 1 problem\n  {name} {why}"), error
        assert "it is kept as it is: restore it from a copy" in error
        assert (out / name).read_bytes() == written
    (out / DATABASE).unlink()
    (out / DATABASE).mkdir()  # not taken for a study held by another program
    assert main(["optimize", str(path), "--serial", "--out", str(out)]) == 2
    assert (
        "study.db cannot be read as a study (unable to open database file); it is kept as it "
        "is: restore it from a copy" in capsys.readouterr().err
    )


def command(path: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ecosim.cli",
        "optimize",
        str(path),
        "--serial",
        "--out",
        str(out),
    ]


def test_a_killed_optimisation_resumes_without_redoing_evaluations(tmp_path):
    search = {"evaluations": EVALUATIONS, "replications": 3, "batch": 1, "startup": 2}
    path = write_optimisation(tmp_path, tiny_optimisation(search=search))
    out = tmp_path / "out"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command(path, out), env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 240
    database = out / DATABASE
    while time.monotonic() < deadline and not (
        count(database, COMPLETE) >= 2 and count(database, STARTED) == 1
    ):
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    optimisation = load_optimisation(path)
    before = open_study(optimisation, out).get_trials(states=(TrialState.COMPLETE,))
    assert 2 <= len(before) < EVALUATIONS
    finished = subprocess.run(command(path, out), env=environment, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    study = optuna.load_study(study_name="tiny", storage=f"sqlite:///{out / DATABASE}")
    trials = study.get_trials()
    done = [t for t in trials if t.state == TrialState.COMPLETE]
    assert len(done) == EVALUATIONS
    assert not [t for t in trials if t.state == TrialState.RUNNING]
    after = {t.number: t for t in done}
    for trial in before:  # untouched: same values, same completion time
        assert after[trial.number].values == trial.values
        assert after[trial.number].datetime_complete == trial.datetime_complete
    failed = [t for t in trials if t.state == TrialState.FAIL]
    assert len(failed) == 1  # the evaluation the kill interrupted
    for stuck in failed:
        requeued = [t for t in done if t.user_attrs.get("requeued_from") == stuck.number]
        assert len(requeued) == 1 and requeued[0].params == stuck.params
    assert (out / "plan.toml").exists()


def test_ctrl_c_of_the_command_alone_stops_it_without_tracebacks(tmp_path):
    """SIGINT to the command only (``kill -INT``, a job scheduler), not to its workers."""
    search = {"evaluations": 8, "replications": 3, "batch": 4, "startup": 4}
    data = tiny_optimisation(search=search, customers=5_000, days=200)
    path = write_optimisation(tmp_path, data, scenario=small_scenario(days=200))
    out = tmp_path / "out"
    process = subprocess.Popen(
        [*command(path, out)[:-3], "--workers", "1", "--out", str(out)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and count(out / DATABASE, STARTED) < 4:
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.05)
    time.sleep(0.5)  # the batch's runs are on the worker
    assert process.poll() is None, "the optimisation ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    assert "ecosim: interrupted" in output
    assert f"finished evaluations are kept in {out}; rerun the same command" in output
    assert "Traceback" not in output, output


class InterruptedRunner(Runner):
    """Runs jobs in this process; Ctrl-C after ``left`` runs of the selection stage (or,
    with ``search``, of the search), counting the runs of that stage."""

    def __init__(self, selection_seeds: set[int], left: int, search: bool = False):
        super().__init__(None)
        self.selection_seeds = selection_seeds
        self.left = left
        self.search = search
        self.selection_runs = 0
        self.search_runs = 0

    def summaries(self, jobs, on_summary=None):
        results = []
        for i, job in enumerate(jobs):
            if (job.seed in self.selection_seeds) != self.search:
                if self.left == 0:
                    raise KeyboardInterrupt
                self.left -= 1
            self.selection_runs += job.seed in self.selection_seeds
            self.search_runs += job.seed not in self.selection_seeds
            results.append(self._serially(job))
            if on_summary is not None:
                on_summary(i, results[-1])
        return results


def test_an_interrupted_selection_stage_keeps_the_runs_it_finished(tmp_path, monkeypatch):
    optimisation = load_optimisation(write_optimisation(tmp_path))
    out = tmp_path / "out"
    seeds = set(stream_seeds(optimisation.seed, 1, optimisation.selection.max_replications))
    runners = [InterruptedRunner(seeds, left=5), InterruptedRunner(seeds, left=10_000)]

    @contextmanager
    def open_runner(workers, scheduler, serial, dashboard):
        yield runners[0]

    monkeypatch.setattr(run, "open_runner", open_runner)
    with pytest.raises(KeyboardInterrupt):
        optimise(optimisation, out, serial=True)
    kept = pq.read_table(out / SELECTION).to_pandas()
    assert len(kept) == 5
    runners.pop(0)
    outcome = optimise(optimisation, out, serial=True)
    assert runners[0].selection_runs == len(outcome.runs) - 5
    assert outcome.runs.head(5).equals(kept)


def test_an_interrupted_batch_of_plans_keeps_the_runs_it_finished(tmp_path, monkeypatch):
    """A batch of plans stopped midway was run again whole: with stops more frequent than a
    batch, the search never went on."""
    optimisation = load_optimisation(write_optimisation(tmp_path))
    seeds = set(stream_seeds(optimisation.seed, 1, optimisation.selection.max_replications))
    runners = [
        InterruptedRunner(seeds, left=10_000),
        InterruptedRunner(seeds, left=3, search=True),
        InterruptedRunner(seeds, left=10_000),
    ]

    @contextmanager
    def open_runner(workers, scheduler, serial, dashboard):
        yield runners[0]

    monkeypatch.setattr(run, "open_runner", open_runner)
    whole = optimise(optimisation, tmp_path / "whole", serial=True)
    planned = runners.pop(0).search_runs
    with pytest.raises(KeyboardInterrupt):
        optimise(optimisation, tmp_path / "out", serial=True)
    assert runners.pop(0).search_runs == 3  # the first batch's first three runs
    resumed = optimise(optimisation, tmp_path / "out", serial=True)
    assert runners[0].search_runs == planned - 3
    assert evaluations(resumed.study) == evaluations(whole.study)
    same = ["replication", "total_profit"]  # the trials' numbers differ (requeued plans)
    assert resumed.runs[same].equals(whole.runs[same])


def test_a_folder_of_another_optimisation_is_refused_naming_what_differs(tmp_path, capsys):
    path = write_optimisation(tmp_path)
    out = str(tmp_path / "out")
    assert main(["optimize", str(path), "--serial", "--out", out]) == 0
    capsys.readouterr()
    changed = ["--set", "search.replications=3", "--set", "variables.0.high=0.8"]
    assert main(["optimize", str(path), "--serial", "--out", out, *changed]) == 2
    error = capsys.readouterr().err
    heading, *differences = error.splitlines()
    assert heading.startswith(f"ecosim: error: {out}: holds another optimisation ")
    assert differences == [
        "  search.replications: folder has 2, now 3",
        "  variables.0.high: folder has 0.9, now 0.8",
    ]
    assert main(["optimize", str(path), "--serial", "--out", out]) == 0


def test_an_edge_list_changed_since_the_folder_was_written_is_refused(tmp_path, monkeypatch):
    from ecosim.optimize.run import FINGERPRINT, _claim
    from ecosim.optimize.schema import OptimisationError

    customers = tiny_optimisation().get("customers", 300)
    ring = "".join(f"{i},{(i + 1) % customers}\n" for i in range(customers))
    (tmp_path / "edges.csv").write_text(ring)
    scenario = small_scenario(network={"kind": "edge_list", "path": "edges.csv"})
    path = write_optimisation(tmp_path, scenario=scenario)
    out = tmp_path / "out"
    _claim(out, load_optimisation(path))
    (tmp_path / "edges.csv").write_text(ring + "0,20\n")
    _claim(out, load_optimisation(path))  # nothing evaluated yet: the mended file is used
    (tmp_path / "edges.csv").write_text(ring)
    _claim(out, load_optimisation(path))
    optimisation = load_optimisation(path)
    study = open_study(optimisation, out)
    study.add_trial(optuna.trial.create_trial(values=[1.0] * len(optimisation.objectives)))
    written = (out / FINGERPRINT).read_text()
    (tmp_path / "edges.csv").write_text(ring + "0,10\n")
    with pytest.raises(OptimisationError) as refused:
        _claim(out, load_optimisation(path))
    assert "edge_list_sha256: folder has " in str(refused.value)
    (tmp_path / "edges.csv").write_text(ring)
    _claim(out, load_optimisation(path))
    assert (out / FINGERPRINT).read_text() == written
    older = tmp_path / "older"  # a folder written before edge lists were digested
    monkeypatch.setattr("ecosim.optimize.run.edge_list_digest", lambda network: None)
    _claim(older, load_optimisation(path))
    monkeypatch.undo()
    _claim(older, load_optimisation(path))
    assert (older / FINGERPRINT).read_text() == written, "brought up to date"


def test_a_folder_another_process_is_optimising_into_is_refused(tmp_path, capsys):
    path = write_optimisation(tmp_path)
    out = tmp_path / "out"
    with held_folder(out, "optimisation"):
        assert main(["optimize", str(path), "--serial", "--out", str(out)]) == 2
    assert f"{out}: another ecosim process is writing this folder" in capsys.readouterr().err
    assert not (out / DATABASE).exists()


@pytest.mark.parametrize("sampler", ["tpe", "nsga2", "random"])
def test_a_continued_search_does_not_propose_its_first_plans_again(tmp_path, sampler):
    """A search stopped after its first batch (an interruption, or a smaller budget) and
    continued: its sampler, seeded as at the start, proposed the first batch's random plans
    again, and copied them as repeats instead of evaluating new plans."""
    search = {"evaluations": 2, "replications": 2, "batch": 2, "startup": 4, "population": 4}
    path = write_optimisation(tmp_path, tiny_optimisation(search=search | {"sampler": sampler}))
    first = load_optimisation(path)
    more = load_optimisation(path, {"search.evaluations": 4})

    def evaluate(plans):
        return [{"total_profit": plan["brands.0.margin"]} for plan in plans]

    out = tmp_path / "out"
    assert run_search(open_study(first, out), first, evaluate) == 2
    study = open_study(more, out)
    assert run_search(study, more, evaluate) == 2
    trials = study.get_trials(states=(TrialState.COMPLETE,))
    assert not [t.number for t in trials if t.user_attrs.get("repeats")]
    assert len({t.params["margin"] for t in trials}) == 4


def margin_profit(plans):
    return [{"total_profit": plan["brands.0.margin"]} for plan in plans]


class Stop:
    """Raise KeyboardInterrupt at the ``at``-th call of ``call`` (a kill at that moment)."""

    def __init__(self, call, at):
        self.call, self.left = call, at

    def __call__(self, *args, **kwargs):
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt
        return self.call(*args, **kwargs)


def stop_search(study, optimisation, evaluate, moment, monkeypatch, batch, plan):
    """Run the search until it is stopped: while evaluating the ``batch``-th batch, or
    recording the values of the ``plan``-th plan (``"recording"``), or where a Stop
    already patched in stops it (``"proposing"``)."""
    if moment == "evaluating":
        evaluate = Stop(evaluate, batch)
    elif moment == "recording":
        tell = Stop(optuna.Study.tell, plan)
        monkeypatch.setattr(optuna.Study, "tell", lambda self, *args, **kw: tell(self, *args, **kw))
    with pytest.raises(KeyboardInterrupt):
        run_search(study, optimisation, evaluate)
    monkeypatch.undo()


def evaluations(study):
    """The plans and values of the search, in order, whatever the trials' numbers."""
    trials = study.get_trials(states=(TrialState.COMPLETE,))
    return [(t.params, t.values) for t in sorted(trials, key=lambda t: t.number)]


@pytest.mark.parametrize("sampler", ["tpe", "nsga2", "random"])
@pytest.mark.parametrize("moment", ["evaluating", "proposing", "recording"])
def test_an_interrupted_search_continues_as_an_uninterrupted_one(
    tmp_path, monkeypatch, sampler, moment
):
    """Stopped while a batch's plans were evaluated, proposed or recorded, then continued:
    the same plans, in the same order, with the same values, as without the stop."""
    search = {"evaluations": 12, "replications": 2, "batch": 3, "startup": 4, "population": 4}
    data = tiny_optimisation(search=search | {"sampler": sampler})
    optimisation = load_optimisation(write_optimisation(tmp_path, data))
    whole = open_study(optimisation, tmp_path / "whole")
    run_search(whole, optimisation, margin_profit)
    study = open_study(optimisation, tmp_path / "stopped")
    if moment == "proposing":  # the second plan of the third batch
        monkeypatch.setattr(search_module, "suggest", Stop(search_module.suggest, 8))
    stop_search(study, optimisation, margin_profit, moment, monkeypatch, batch=3, plan=8)
    assert 0 < len(evaluations(study)) < 12
    continued = open_study(optimisation, tmp_path / "stopped")
    run_search(continued, optimisation, margin_profit)
    assert evaluations(continued) == evaluations(whole)
    assert len({str(params) for params, _ in evaluations(whole)}) > 6


@pytest.mark.parametrize("moment", ["evaluating", "recording"])
def test_an_interrupted_nsga2_search_breeds_from_the_generation_an_uninterrupted_one_does(
    tmp_path, monkeypatch, moment
):
    """A batch of a whole generation (batch = population) stopped, queued and evaluated
    again: the queued plans keep their generation, so the next batch is bred from the same
    parents as without the stop (a queued trial is never sampled, and NSGA-II gave it no
    generation: the next batch was bred again from the generation before)."""
    search = {"evaluations": 8, "replications": 2, "batch": 2, "population": 2}
    price = {"name": "price", "path": "brands.0.price", "low": 50.0, "high": 150.0}
    variables = [*tiny_optimisation()["variables"], price]  # one alone is always mutated
    data = tiny_optimisation(search=search | {"sampler": "nsga2"}, variables=variables)
    optimisation = load_optimisation(write_optimisation(tmp_path, data))

    def sales(plans):
        return [
            {"total_profit": plan["brands.0.margin"] * plan["brands.0.price"]} for plan in plans
        ]

    whole = open_study(optimisation, tmp_path / "whole")
    run_search(whole, optimisation, sales)
    study = open_study(optimisation, tmp_path / "stopped")
    stop_search(study, optimisation, sales, moment, monkeypatch, batch=3, plan=6)
    assert len(evaluations(study)) == 4 + (moment == "recording")
    continued = open_study(optimisation, tmp_path / "stopped")
    run_search(continued, optimisation, sales)
    assert evaluations(continued) == evaluations(whole)
    trials = continued.get_trials()
    requeued = [t for t in trials if "requeued_from" in t.user_attrs]
    assert [t.user_attrs["requeued_from"] for t in requeued] == (
        [4, 5] if moment == "evaluating" else [5]
    ), "a repeat of a queued plan replaced no trial"
    assert all(t.system_attrs["NSGAIISampler:generation"] == 2 for t in requeued)
    if moment == "evaluating":
        assert [t.number for t in trials if t.user_attrs.get("repeats")] == [9]


@pytest.mark.parametrize("sampler", ["tpe", "nsga2", "random"])
@pytest.mark.parametrize("stop", [False, True])
def test_a_search_continued_from_a_budget_not_a_multiple_of_the_batch_draws_new_plans(
    tmp_path, sampler, stop
):
    """3 evaluations in batches of 2, then 6: the rest of the second batch was drawn by a
    sampler seeded as for the batch's first plan, proposed that plan again and copied it as
    a repeat. Also when the third plan's evaluation was stopped, and queued again."""
    search = {"evaluations": 3, "replications": 2, "batch": 2, "startup": 8, "population": 4}
    path = write_optimisation(tmp_path, tiny_optimisation(search=search | {"sampler": sampler}))
    first = load_optimisation(path)
    more = load_optimisation(path, {"search.evaluations": 6})
    out = tmp_path / "out"
    if stop:  # while the third plan is evaluated
        with pytest.raises(KeyboardInterrupt):
            run_search(open_study(first, out), first, Stop(margin_profit, 2))
    else:
        assert run_search(open_study(first, out), first, margin_profit) == 3
    study = open_study(more, out)
    assert run_search(study, more, margin_profit) == (4 if stop else 3)
    trials = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(trials) == 6
    assert not [t.number for t in trials if t.user_attrs.get("repeats")]
    assert len({t.params["margin"] for t in trials}) == 6


def test_fewer_evaluations_than_the_folder_has_done_are_warned_about(tmp_path):
    """They were ignored without a word: the report gave the search's own count."""
    path = write_optimisation(tmp_path, tiny_optimisation())
    done = load_optimisation(path)
    out = tmp_path / "out"
    assert run_search(open_study(done, out), done, margin_profit) == 6
    fewer = load_optimisation(path, {"search.evaluations": 4})
    with pytest.warns(InputWarning) as caught:
        assert run_search(open_study(fewer, out), fewer, margin_profit) == 0
    assert [str(w.message) for w in caught] == [
        "search.evaluations: 4, but the folder's search has done 6: none is run, and the "
        "plan is chosen among all 6 (a search is not shortened; for a smaller one, use "
        "another --out)"
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        assert run_search(open_study(done, out), done, margin_profit) == 0


@pytest.mark.parametrize(
    ("stop", "status", "said"),
    [
        (KeyboardInterrupt, 130, "interrupted"),
        (
            "{out}: another ecosim process is writing this folder",
            2,
            "error: {out}: another ecosim process is writing this folder, so the report was "
            "not written",
        ),
    ],
    ids=["interrupted", "folder taken"],
)
def test_a_report_not_written_says_a_rerun_writes_it(
    tmp_path, monkeypatch, capsys, stop, status, said
):
    """An interruption printed "ecosim: interrupted" alone, and a refusal for another
    process (a rerun took the folder once the search let it go) said nothing of a rerun."""
    import ecosim.optimize
    from ecosim.store import StoreError

    path = write_optimisation(tmp_path)
    out = tmp_path / "out"

    def optimised(optimisation, folder, **kwargs):
        Path(folder).mkdir(parents=True)
        return object()

    def not_written(outcome, optimisation):
        raise stop if stop is KeyboardInterrupt else StoreError(stop.format(out=out))

    monkeypatch.setattr(ecosim.optimize, "optimise", optimised)
    monkeypatch.setattr(ecosim.optimize, "write_report", not_written)
    assert main(["optimize", str(path), "--serial", "--out", str(out)]) == status
    assert capsys.readouterr().err == (
        f"ecosim: {said.format(out=out)}\nfinished evaluations and selection runs are kept in "
        f"{out}; rerun the same command to continue\n"
    )


def test_a_study_that_cannot_be_written_stops_the_command_and_keeps_its_evaluations(
    tmp_path, capsys
):
    """Optuna's storage error on writing a read-only study.db was an "internal error"."""
    import sqlalchemy

    path = write_optimisation(tmp_path, tiny_optimisation())
    out = tmp_path / "out"
    command = ["optimize", str(path), "--serial", "--out", str(out)]
    assert main([*command, "--set", "search.evaluations=2"]) == 0
    capsys.readouterr()

    def read_only(connection, record):
        connection.execute("PRAGMA query_only = ON")

    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "connect", read_only)
    try:
        assert main(command) == 1
        assert main([*command[:-1], str(tmp_path / "new")]) == 1
    finally:
        sqlalchemy.event.remove(sqlalchemy.engine.Engine, "connect", read_only)
    assert capsys.readouterr().err == "".join(
        f"ecosim: error: {folder / DATABASE} cannot be written (attempt to write a readonly "
        f"database)\nfinished evaluations are kept in {folder}; rerun the same command to "
        "continue\n"
        for folder in (out, tmp_path / "new")
    )
    assert count(out / DATABASE, COMPLETE) == 2
    assert main(command) == 0
    assert count(out / DATABASE, COMPLETE) == 6


def test_a_kept_run_cut_short_by_a_kill_is_run_again_and_the_next_is_kept(tmp_path):
    from ecosim.optimize.run import _read_runs

    log = tmp_path / "search_runs.jsonl"
    log.write_text('{"run": "a", "summary": {"x": 1.5, "y": null}}\n{"run": "b", "summ')
    assert _read_runs(log) == {"a": {"x": 1.5, "y": None}}
    with log.open("a") as appended:
        appended.write('{"run": "c", "summary": {"x": NaN}}\n')
    runs = _read_runs(log)
    assert list(runs) == ["a", "c"] and runs["c"]["x"] != runs["c"]["x"]


def test_runs_kept_for_another_network_are_not_reused(tmp_path):
    """A folder rewritten for a changed edge list (nothing evaluated yet) re-used the runs
    its first, interrupted batch had made on the old network."""
    from ecosim.optimize.run import _Evaluator

    optimisation = load_optimisation(write_optimisation(tmp_path))
    seeds = set(stream_seeds(optimisation.seed, 1, optimisation.selection.max_replications))
    log = tmp_path / "search_runs.jsonl"
    plan = {"brands.0.margin": 0.5}
    count = optimisation.search.replications
    for fingerprint, runs in (("old", count), ("old", 0), ("new", count)):
        runner = InterruptedRunner(seeds, left=10_000)
        evaluator = _Evaluator(optimisation, runner, 0, count, log, fingerprint)
        evaluator.evaluate([plan])
        assert runner.search_runs == runs, fingerprint
