import socket

from ecosim.cli import _parser, main
from ecosim.ui.serve import DEFAULT_PORT, free_port, solara_command


def test_ui_serves_this_computer_only_by_default():
    args = _parser().parse_args(["ui"])
    assert (args.scenario, args.host, args.port) == (None, "127.0.0.1", DEFAULT_PORT)
    args = _parser().parse_args(
        ["ui", "scenarios/two_brands.toml", "--port", "9000", "--host", "0.0.0.0"]
    )
    assert (str(args.scenario), args.host, args.port) == (
        "scenarios/two_brands.toml",
        "0.0.0.0",
        9000,
    )


def test_an_invalid_scenario_stops_before_the_server_starts(tmp_path, capsys):
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "broken"\n[population]\nsize = 1\n')
    assert main(["ui", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.toml" in err and "population.size" in err


def test_the_server_runs_the_app_in_production_without_opening_a_browser():
    command = solara_command("127.0.0.1", 8123)
    assert command[1:5] == ["-m", "solara", "run", "ecosim.ui.app"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8123"
    assert {"--production", "--no-open", "--no-check-version"} <= set(command)


def test_port_zero_means_a_free_port():
    port = free_port("127.0.0.1")
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))  # nobody holds it


def test_an_address_the_app_cannot_serve_on_is_named_before_the_server_starts(capsys):
    assert main(["ui", "--host", "999.1.1.1", "--port", "8912"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ecosim: error: ecosim ui: 1 problem\n  --host: '999.1.1.1' is not")
    assert "Traceback" not in err


def test_a_port_in_use_is_named_before_the_server_starts(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["ui", "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert f"--port: {port} is in use on 127.0.0.1" in err and "--port 0 for a free one" in err
    assert "http://" not in out, "the address is not announced when it cannot be served"


def test_serving_every_interface_prints_addresses_other_computers_can_open(monkeypatch, capsys):
    """With --host 0.0.0.0 the app printed http://0.0.0.0:PORT, which opens nothing on the
    classroom's other computers."""
    started = []
    monkeypatch.setattr("ecosim.ui.serve.os.execve", lambda *command: started.append(command))
    main(["ui", "--host", "0.0.0.0", "--port", "0"])
    out = capsys.readouterr().out
    assert started and "http://0.0.0.0" not in out
    assert f"on this computer; http://{socket.gethostname()}:" in out
    assert out.startswith("ecosim ui: http://127.0.0.1:")
