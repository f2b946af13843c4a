"""deploy/: the systemd units start commands that exist, with the settings the docs name.

The nginx configuration is run for real by tests/prod/test_production_path.py.
"""
import configparser
import importlib.util
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYSTEMD = ROOT / "deploy" / "systemd"
VENV_BIN = "/opt/gatherings/venv/bin/"
pytestmark = pytest.mark.sqlite_only  # about files, not the database: once per `make test`


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(SYSTEMD / name)
    return unit


def _settings_in_environment_example() -> dict[str, str]:
    lines = (ROOT / "deploy" / "environment.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


@pytest.mark.parametrize("name", ["gatherings-app.service", "gatherings-mail.service", "gatherings-purge.service"])
def test_every_service_runs_from_the_installed_venv_with_the_shared_settings(name):
    service = _unit(name)["Service"]
    assert service["EnvironmentFile"] == "/etc/gatherings/environment"
    assert service["User"] == "gatherings"
    assert shlex.split(service["ExecStart"])[0].startswith(VENV_BIN)


def test_the_app_unit_serves_the_packaged_app_with_the_packaged_settings():
    command = shlex.split(_unit("gatherings-app.service")["Service"]["ExecStart"])
    assert command[0] == VENV_BIN + "gunicorn"
    config = command[command.index("-c") + 1]
    assert config.startswith("python:") and importlib.util.find_spec(config.removeprefix("python:"))
    module, _, attribute = command[-1].partition(":")
    assert importlib.util.find_spec(module) and attribute == "app"


@pytest.mark.parametrize("name, arguments", [
    ("gatherings-mail.service", ["mail", "send", "--loop"]),
    ("gatherings-purge.service", ["privacy", "purge"]),
])
def test_the_flask_units_run_commands_the_app_has(name, arguments, app):
    command = shlex.split(_unit(name)["Service"]["ExecStart"])
    assert command[:3] == [VENV_BIN + "flask", "--app", "gatherings"]
    assert command[3:] == arguments
    result = app.test_cli_runner().invoke(args=[*arguments, "--help"])
    assert result.exit_code == 0, result.output


def test_the_purge_runs_daily_and_catches_up_after_downtime():
    timer = _unit("gatherings-purge.timer")["Timer"]
    assert timer["OnCalendar"].startswith("*-*-* ")
    assert timer["Persistent"] == "true"
    assert _unit("gatherings-purge.service")["Service"]["Type"] == "oneshot"


def test_the_example_environment_has_every_required_production_setting():
    settings = _settings_in_environment_example()
    for required in ("GATHERINGS_ENV", "SECRET_KEY", "DATABASE_URL", "BASE_URL", "RATELIMIT_STORAGE_URI",
                     "TRUSTED_PROXIES"):
        assert settings.get(required), required
    assert settings["GATHERINGS_ENV"] == "production" and settings["RATELIMIT_STORAGE_URI"].startswith("redis://")
