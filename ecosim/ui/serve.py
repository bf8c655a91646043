"""Start the web app: ``ecosim ui [SCENARIO] [--port P] [--host H]``."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from ecosim.scenario import load_scenario
from ecosim.ui.scenarios import SCENARIO_VARIABLE, first_scenario

__all__ = ["DEFAULT_PORT", "serve", "solara_command"]

DEFAULT_PORT = 8765


def solara_command(host: str, port: int) -> list[str]:
    """Return the command that runs the app's Solara server.

    Production mode (no reloading), no browser opened, no version check over the network.

    Examples
    --------
    >>> solara_command("127.0.0.1", 8765)[2:6]
    ['solara', 'run', 'ecosim.ui.app', '--host']
    """
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "ecosim.ui.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]


def free_port(host: str) -> int:
    """Return a port on ``host`` that no one listens on now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def serve(scenario: Path | None, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> int:
    """Check the scenario, print the app's address and become its server.

    Parameters
    ----------
    scenario : Path, optional
        The scenario the app opens with (the picker lists the other files of its folder);
        ``scenarios/baseline.toml`` by default.
    host : str
        The address to listen on; the default, 127.0.0.1, serves this computer only.
    port : int
        0 picks a free port.

    Returns
    -------
    int
        Only if the server cannot be started: the process becomes the Solara server.

    Raises
    ------
    ScenarioError
        If the scenario is not valid (checked before the server starts).
    """
    path = (scenario or first_scenario()).resolve()
    load_scenario(path)
    port = port or free_port(host)
    print(f"ecosim ui: http://{host}:{port}  ({path.name}; Ctrl+C stops the app)", flush=True)
    environment = {
        **os.environ,
        SCENARIO_VARIABLE: str(path),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_SHOW_BANNER": "False",  # its badge covered the panels' bottom right
    }
    command = solara_command(host, port)
    os.execve(command[0], command, environment)
    return 1
