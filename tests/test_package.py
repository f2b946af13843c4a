"""The wheel stands alone: installed in a fresh venv outside the repository, it migrates and serves.

Runs once per `make test` (in the SQLite pass: building and installing takes some 25 s).
"""
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from .installed_wheel import build_and_install, clean_environment, wheel_names

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    return build_and_install(tmp_path_factory.mktemp("wheel"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, language: str = "nl") -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_wheel_carries_templates_static_files_compiled_catalogues_and_migrations(installed):
    names = wheel_names(installed.wheel)
    for needed in ("gatherings/templates/base.html", "gatherings/static/style.css",
                   "gatherings/translations/en/LC_MESSAGES/messages.mo",
                   "gatherings/translations/nl/LC_MESSAGES/messages.mo",
                   "gatherings/migrations/env.py", "gatherings/migrations/alembic.ini",
                   "gatherings/wsgi.py", "gatherings/ops/gunicorn_config.py"):
        assert needed in names, needed
    assert any(n.startswith("gatherings/migrations/versions/") and n.endswith(".py") for n in names)
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


def test_the_installed_package_is_the_one_imported(installed):
    where = installed.run(installed.bin("python"), "-c",
                          "import gatherings, sys; print(gatherings.__file__); print(sys.path)").stdout
    assert where.splitlines()[0].startswith(str(installed.venv))
    assert str(installed.workdir) != str(installed.venv)


def test_the_installed_wheel_migrates_and_serves_pages_in_both_languages_and_a_feed(installed, tmp_path):
    port = _free_port()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'wheel.sqlite'}", "SECRET_KEY": "wheel-test",
           "GATHERINGS_ENV": "production", "CONTACT_EMAIL": "contact@wheel.example",
           "BASE_URL": f"http://127.0.0.1:{port}", "RATELIMIT_ENABLED": "false"}
    # `flask --app gatherings` finds create_app in the installed package.
    upgraded = installed.run(installed.bin("flask"), "--app", "gatherings", "db", "upgrade", env=env)
    assert "Running upgrade" in upgraded.stderr + upgraded.stdout
    installed.run(installed.bin("flask"), "--app", "gatherings", "demo", env=env)

    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [installed.bin("gunicorn"), "-c", "python:gatherings.ops.gunicorn_config", "gatherings.wsgi:app"],
            cwd=installed.workdir, stdout=out, stderr=subprocess.STDOUT,
            env=clean_environment(**env, WEB_CONCURRENCY="1", GUNICORN_BIND=f"127.0.0.1:{port}"))
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn from the wheel did not start"
            time.sleep(0.2)

        status, _, dutch = _get(base + "/", "nl")
        assert status == 200
        assert "Naar de inhoud" in dutch and 'lang="nl"' in dutch
        status, _, english = _get(base + "/", "en")
        assert status == 200
        assert "Skip to content" in english and "Naar de inhoud" not in english  # the compiled catalogue works

        status, headers, feed = _get(base + "/calendar.ics")
        assert status == 200 and headers["Content-Type"].startswith("text/calendar")
        assert feed.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in feed

        status, headers, css = _get(base + "/static/style.css")
        assert status == 200 and "text/css" in headers["Content-Type"]
    finally:
        server.terminate()
        server.wait(timeout=15)
