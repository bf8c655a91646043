"""Every documented command works as written, on the shipped files, at a reduced size.

Each ``ecosim ...`` line of a ``console`` block and each ``python`` block of README.md and
docs/*.md runs in order, in a temporary copy of the shipped scenarios and experiments (so a
command may use what an earlier one wrote, as a reader would). Sizes are reduced by
appending flags the command has (the last of a repeated flag wins) and by giving
``load_experiment`` the same changes; the commands that run on Dask run ``--serial``, with
the same results (``--scheduler ADDRESS`` and ``--workers N`` are dropped: the tests of
batch, cluster, calibrate and optimize start the clusters); ``validate --full`` becomes
``--quick`` with one case; ``ecosim ui`` is only parsed, not served. ``make`` and ``dask``
lines and usage synopses (``[--flag ...]``) are not commands of the files. A Python block
that imports a package ecosim does not install (``dask_jobqueue`` for a Slurm cluster) is
compiled only.
"""

import ast
import importlib.util
import re
import shlex
import shutil

import matplotlib.pyplot as plt
import pytest

import ecosim.experiment
import ecosim.optimize
from ecosim.cli import _parser, main

from support import ROOT

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SMALL_EXPERIMENT = {"replications": 2, "customers": 200, "days": 10}
"""The reduced size of every experiment, given the same way on the command line."""
REDUCED = {
    "run": ["--customers", "300", "--days", "20"],
    "batch": ["--replications", "2", "--customers", "200", "--days", "10"],
    "sensitivity": ["--replications", "1", "--customers", "200", "--days", "10"],
    "validate": ["--case", "clv"],
    "optimize": [
        *("--set", "customers=200", "--set", "search.evaluations=2"),
        *("--set", "search.replications=2", "--set", "search.batch=2"),
        *("--set", "selection.top=1", "--set", "selection.first_stage=3"),
        *("--set", "selection.max_replications=3"),
    ],
    "calibrate": [
        f"--set=abc.{field}={value}"
        for field, value in [
            ("population_size", 10),
            ("max_population_size", 10),
            ("generations", 1),
            ("draws", 10),
            ("ppc_draws", 10),
        ]
    ],
}
ON_DASK = {"batch", "sensitivity", "calibrate", "optimize"}
"""The commands that run on a Dask cluster unless told ``--serial``."""
SMALL_OPTIMISATION = {
    "customers": 200,
    "search.evaluations": 2,
    "search.replications": 2,
    "search.batch": 2,
    "selection.top": 1,
    "selection.first_stage": 3,
    "selection.max_replications": 3,
}
"""The reduced size of every optimisation, given the same way on the command line."""
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def documented(path):
    """Yield ("command", argv) and ("python", code) in the order of the document."""
    for language, body in BLOCK.findall(path.read_text(encoding="utf-8")):
        if language == "python":
            yield "python", body
        elif language == "console":
            for line in body.replace("\\\n", " ").splitlines():
                words = shlex.split(line, comments=True)
                if words and words[0].endswith("ecosim") and "[--" not in line:
                    yield "command", words[1:]


def reduced(argv):
    """The command at a reduced size (see the module's docstring).

    A field the document sets with ``--set`` and the reduction sets too is left to the
    reduction (a field given twice is refused).
    """
    command, *rest = argv
    if command == "validate":
        rest = ["--quick" if word == "--full" else word for word in rest]
    if command in ON_DASK:
        for flag in ("--scheduler", "--workers"):
            if flag in rest:
                at = rest.index(flag)
                rest[at : at + 2] = []
        rest = [*rest, "--serial"] if "--serial" not in rest else rest
    extra = REDUCED.get(command, [])
    if command == "sensitivity":  # each method refuses the other's design settings
        method = rest[rest.index("--method") + 1] if "--method" in rest else "morris"
        design = "sensitivity.trajectories=2" if method == "morris" else "sensitivity.samples=4"
        extra = [*extra, "--set", design]
    taken = {_set_field(word) for word in extra} - {None}
    kept = []
    for word in rest:
        if kept and kept[-1] == "--set" and _set_field(f"--set={word}") in taken:
            kept.pop()
        elif _set_field(word) not in taken:
            kept.append(word)
    return [command, *kept, *extra]


def _set_field(word):
    """The field an ``--set=FIELD=VALUE`` or ``FIELD=VALUE`` word sets (None for others)."""
    if word.startswith("--set="):
        return word.removeprefix("--set=").split("=", 1)[0]
    return word.split("=", 1)[0] if "=" in word and not word.startswith("-") else None


def missing_imports(code):
    """Top-level packages a Python block imports that are not installed."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return sorted(name for name in names if importlib.util.find_spec(name) is None)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_documented_commands_run_as_written(document, tmp_path, monkeypatch, capsys):
    for folder in ("scenarios", "experiments", "optimizations", "calibrations", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    load_experiment = ecosim.experiment.load_experiment

    def small(path, overrides=None, **options):
        return load_experiment(path, {**(overrides or {}), **SMALL_EXPERIMENT}, **options)

    monkeypatch.setattr(ecosim.experiment, "load_experiment", small)
    load_optimisation = ecosim.optimize.load_optimisation

    def small_optimisation(path, overrides=None, **keywords):
        return load_optimisation(path, {**(overrides or {}), **SMALL_OPTIMISATION}, **keywords)

    monkeypatch.setattr(ecosim.optimize, "load_optimisation", small_optimisation)
    ran = {"command": 0, "python": 0, "compiled": 0}
    for kind, item in documented(document):
        if kind == "python" and missing_imports(item):
            compile(item, f"{document.name} (needs {', '.join(missing_imports(item))})", "exec")
            ran["compiled"] += 1
        elif kind == "python":
            exec(compile(item, document.name, "exec"), {"__name__": "__main__"})
            plt.close("all")
            ran["python"] += 1
        elif item[0] == "ui":
            _parser().parse_args(item)
        else:
            argv = reduced(item)
            status = main(argv)
            assert status == 0, f"ecosim {shlex.join(argv)}: {capsys.readouterr().err}"
            ran["command"] += 1
    expected = {
        "README.md": {"command": 12, "python": 4, "compiled": 1},
        "experiments.md": {"command": 3, "python": 1, "compiled": 0},
        "optimization.md": {"command": 3, "python": 1, "compiled": 0},
        "calibration.md": {"command": 1, "python": 1, "compiled": 0},
    }
    assert ran == expected.get(document.name, {"command": 0, "python": 0, "compiled": 0})
