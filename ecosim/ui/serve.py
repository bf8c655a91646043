"""Start the web app: ``ecosim ui [SCENARIO] [--port P] [--host H]``."""

from __future__ import annotations

import errno
import os
import socket
import sys
from pathlib import Path

from ecosim.errors import InputError
from ecosim.scenario import load_scenario
from ecosim.ui.scenarios import SCENARIO_VARIABLE, first_scenario

__all__ = ["DEFAULT_PORT", "addresses", "app_url", "serve", "solara_command"]

DEFAULT_PORT = 8765
EVERY_INTERFACE = ("0.0.0.0", "::")
"""Hosts that serve every network interface of this computer, at no address of their own."""

COOKIE_WARNING = "ignore:Cookies with samesite=none require https:UserWarning"
"""Solara's warning, at a page opened at an address other than ``localhost`` over http, that
the session cookie cannot be set for a page embedded in another site's frame: the app is
not embedded, and ten lines of it at the first page looked like an error."""


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


def app_url(host: str, port: int) -> str:
    """Return the app's address, an IPv6 host in brackets.

    Examples
    --------
    >>> app_url("127.0.0.1", 8765), app_url("::1", 8765)
    ('http://127.0.0.1:8765', 'http://[::1]:8765')
    """
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def addresses(host: str, port: int) -> str:
    """Return where the app is opened: at ``host``, or, for every interface, its names.

    ``http://0.0.0.0:8765`` opens nothing on another computer: for a host of
    :data:`EVERY_INTERFACE` the line names this computer (its loopback), then its name and
    its address on the network for the others (the address of the interface that would
    reach beyond it; none is sent anything).

    Examples
    --------
    >>> addresses("127.0.0.1", 8765)
    'http://127.0.0.1:8765'
    >>> addresses("0.0.0.0", 8765).startswith("http://127.0.0.1:8765 on this computer; ")
    True
    """
    if host not in EVERY_INTERFACE:
        return app_url(host, port)
    others = [app_url(socket.gethostname(), port)]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a UDP connect sends nothing
            address = probe.getsockname()[0]
        except OSError:  # no network: the name alone
            address = "127.0.0.1"
    if not address.startswith("127."):
        others.append(app_url(address, port))
    here = app_url("127.0.0.1" if host == "0.0.0.0" else "::1", port)
    return f"{here} on this computer; {' or '.join(others)} from the others on its network"


def free_port(host: str, port: int = 0) -> int:
    """Return ``port`` if the app can listen on it at ``host`` now, or a free port for 0.

    Raises
    ------
    InputError
        Naming ``--host`` if ``host`` is not an address of this computer (or no name of
        one), or ``--port`` if someone already listens on ``port``.

    Examples
    --------
    >>> free_port("127.0.0.1") > 0
    True
    """
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
    except (OSError, UnicodeError) as error:
        raise InputError(
            "ecosim ui", [("--host", f"{host!r} is not an address to serve on ({error})")]
        ) from None
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                problem = (
                    "--port",
                    f"{port} is in use on {host} (another app, or ecosim ui already "
                    "running?): choose another --port, or --port 0 for a free one",
                )
            else:
                problem = ("--host", f"cannot serve on {host}:{port} ({error.strerror})")
            raise InputError("ecosim ui", [problem]) from None
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
    InputError
        If the app cannot listen on ``host`` and ``port`` (checked before the server
        starts).
    """
    path = (scenario or first_scenario()).resolve()
    load_scenario(path)
    port = free_port(host, port)
    print(f"ecosim ui: {addresses(host, port)}  ({path.name}; Ctrl+C stops the app)", flush=True)
    environment = {
        **os.environ,
        SCENARIO_VARIABLE: str(path),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_SHOW_BANNER": "False",  # its badge covered the panels' bottom right
        "PYTHONWARNINGS": ",".join(
            filter(None, [os.environ.get("PYTHONWARNINGS"), COOKIE_WARNING])
        ),
    }
    command = solara_command(host, port)
    os.execve(command[0], command, environment)
    return 1
