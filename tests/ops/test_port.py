"""`make run` serves on PORT (5000 when not set), and without BASE_URL links follow that port.

A newcomer whose port 5000 is taken runs ``PORT=5077 make run``: the pages, the
links on /calendar and in mail must then lead to 5077, not to a port nobody serves.
"""
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from gatherings import create_app
from gatherings.urls import public_url, webcal_url

ROOT = Path(__file__).resolve().parents[2]


def _app(monkeypatch, tmp_path, port=None, **config):
    monkeypatch.delenv("BASE_URL", raising=False)
    if port is None:
        monkeypatch.delenv("PORT", raising=False)
    else:
        monkeypatch.setenv("PORT", port)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}", **config})
    app.instance_path = str(tmp_path)
    return app


def test_base_url_is_port_5000_without_port(monkeypatch, tmp_path):
    assert _app(monkeypatch, tmp_path).config["BASE_URL"] == "http://127.0.0.1:5000"


def test_base_url_follows_port(monkeypatch, tmp_path):
    app = _app(monkeypatch, tmp_path, "5077")
    assert app.config["BASE_URL"] == "http://127.0.0.1:5077"
    with app.test_request_context("/"):
        assert public_url("calendar.subscribe") == "http://127.0.0.1:5077/calendar"
        assert webcal_url("calendar.all_ics").startswith("webcal://127.0.0.1:5077/")


@pytest.mark.parametrize("port", ["0", "70000", "abc", "５０７７", " "])
def test_a_port_that_is_no_port_gives_5000(monkeypatch, tmp_path, port):
    assert _app(monkeypatch, tmp_path, port).config["BASE_URL"] == "http://127.0.0.1:5000"


def test_a_base_url_that_is_set_wins_over_port(monkeypatch, tmp_path):
    monkeypatch.setenv("PORT", "5077")
    monkeypatch.setenv("BASE_URL", "https://bijeenkomsten.example/")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"})
    assert app.config["BASE_URL"] == "https://bijeenkomsten.example/"
    app = _app(monkeypatch, tmp_path, "5077", BASE_URL="https://other.example")
    assert app.config["BASE_URL"] == "https://other.example"


def test_the_makefile_serves_on_port():
    def commands(*args, **env):
        return subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True,
                              env={**os.environ, **env}).stdout

    assert "--port 5000" in commands(PORT="")  # empty: as if not set
    assert "--port 5077" in commands(PORT="5077")
    assert "--port 5078" in commands("PORT=5078")
    # The mail sender builds its links on the same port.
    assert "PORT=5077" in commands(PORT="5077").split("mail send", 1)[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.sqlite_only
@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "flask").exists(), reason="make install first")
def test_make_run_serves_on_port_and_the_calendar_links_follow(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("BASE_URL", "DATABASE_URL", "MAIL_SERVER", "GATHERINGS_ENV", "FLASK_RUN_PORT")}
    env.update(PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite'}")
    log = tmp_path / "make-run.log"
    with open(log, "w") as out:
        server = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)  # its own process group: make, flask run, the sender
    try:
        deadline = time.monotonic() + 180  # make install, migrate and demo come first
        while True:
            assert server.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/calendar", timeout=5) as response:
                    page = response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
        assert f"https://127.0.0.1:{port}/calendar.ics" in page or f"http://127.0.0.1:{port}/calendar.ics" in page
        assert f"webcal://127.0.0.1:{port}/calendar.ics" in page
        assert "127.0.0.1:5000" not in page
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """End the process group the test started (make, flask run and the mail sender), if still there."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except ProcessLookupError:
        pass  # make stopped by itself (the log says why)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
