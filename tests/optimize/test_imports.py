"""What reading a record or an optimisation file imports, and the one error translator."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported(code: str) -> set[str]:
    """Top-level packages imported by ``code`` in a fresh interpreter (``-X importtime``)."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


@pytest.mark.parametrize(
    "code",
    [
        "import ecosim.report",
        "from ecosim.optimize import load_optimisation; "
        "load_optimisation('optimizations/spend_mix.toml')",
    ],
)
def test_reading_imports_neither_dask_nor_optuna(code):
    modules = imported(code)
    assert "ecosim" in modules
    assert not modules & {"dask", "distributed", "optuna"}


def test_pydantic_errors_are_translated_in_one_place():
    users = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "ecosim").rglob("*.py"))
        if ".errors(include_url" in path.read_text(encoding="utf-8")
    ]
    assert users == ["ecosim/scenario/loading.py"]
