"""What every benchmark writes: the machine it ran on and its section of RESULTS.md."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

import mesa
import numpy as np

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> str:
    """Describe the machine: CPU, cores, memory, and the versions that matter for speed."""
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    memory = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
    gib = int(memory.group(1)) / 2**20 if memory else float("nan")
    return (
        f"{cpu.group(1).strip() if cpu else platform.processor()}, {os.cpu_count()} cores, "
        f"{gib:.1f} GiB RAM; Python {platform.python_version()}, numpy {np.__version__}, "
        f"Mesa {mesa.__version__}"
    )


def load() -> str:
    """Return the 1-minute load average: other work on the machine slows every measurement."""
    return Path("/proc/loadavg").read_text().split()[0]


def write_section(heading: str, text: str) -> None:
    """Replace the section ``## heading`` of RESULTS.md (or add it), keeping the others."""
    section = f"## {heading}\n\n{text.strip()}\n"
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: section + "\n", current)
    else:
        updated = current.rstrip() + "\n\n" + section
    RESULTS.write_text(updated.rstrip() + "\n")
