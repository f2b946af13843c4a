"""PostgreSQL restarted under load: a plain Dutch 503 meanwhile, and the app carries on by itself.

This restarts the machine's PostgreSQL server, which breaks whatever else uses
it at that moment (another test run, for instance). It runs in CI (CI set) or
when GATHERINGS_RESTART_POSTGRES=1; PostgreSQL is started again afterwards
whatever happens.
"""
import http.client
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import PG_ADMIN_URL, Browser, make_national_day, registrations, said

pytestmark = pytest.mark.postgres


def _cluster() -> list[str] | None:
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return None
    if urlsplit(PG_ADMIN_URL).hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    versions = sorted(os.listdir("/etc/postgresql"))
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main"] if versions else None


def _pg_ctl(action: str) -> None:
    subprocess.run([*_cluster(), action], check=True, timeout=60, capture_output=True)


def _postgres_is_up() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], timeout=10).returncode == 0


@pytest.fixture
def restartable_postgres():
    if not (os.environ.get("CI") or os.environ.get("GATHERINGS_RESTART_POSTGRES")):
        pytest.skip("restarts the shared PostgreSQL server: runs in CI or with GATHERINGS_RESTART_POSTGRES=1")
    if _cluster() is None:
        pytest.skip("needs a local PostgreSQL cluster managed with pg_ctlcluster")
    try:
        yield
    finally:
        if not _postgres_is_up():
            subprocess.run([*_cluster(), "start"], timeout=60)
        for _ in range(60):
            if _postgres_is_up():
                break
            time.sleep(0.5)


def _is_dutch_unavailable_page(response) -> bool:
    return (response.status == 503 and "Even niet bereikbaar" in response.text
            and "Probeer het over een paar minuten opnieuw" in response.text and "Traceback" not in response.text
            and bool(response.headers.get("Retry-After")))


def test_postgres_restart_gives_a_dutch_503_and_the_app_recovers_without_restart(
        restartable_postgres, pg_database, serve):
    slug = make_national_day(pg_database, 20)
    server = serve(pg_database, workers=2)
    master, workers = server.process.pid, sorted(server.workers())
    seen: list = []
    answers: dict[str, str] = {}
    stop = threading.Event()

    def load(n):
        i = 0
        while not stop.is_set():
            i += 1
            email = f"p{n}-{i}@voorbeeld.nl"
            browser = Browser(server.base)
            try:
                page = browser.get(f"/gatherings/{slug}")
                seen.append(page)
                if page.status != 200:
                    time.sleep(0.1)
                    continue
                answer = browser.submit(slug, browser.form(slug, email))
            except (OSError, AssertionError, http.client.HTTPException) as error:  # a 503 page, or a cut connection
                seen.append(error)
                continue
            seen.append(answer)
            if said(answer):
                answers[email] = said(answer)

    threads = [threading.Thread(target=load, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        _pg_ctl("restart")  # in the middle of the run
        time.sleep(1)
        # And a longer outage, so that requests surely meet it.
        anna = Browser(server.base)
        form = anna.form(slug, "anna@voorbeeld.nl")  # she has the page open...
        _pg_ctl("stop")
        down_page = Browser(server.base).get(f"/gatherings/{slug}")
        down_post = anna.request("POST", f"/gatherings/{slug}/register", form)  # ...and sends it now
        down_health = Browser(server.base).get("/healthz")
        _pg_ctl("start")
        deadline = time.monotonic() + 30
        while Browser(server.base).get("/healthz").status != 200:
            assert time.monotonic() < deadline, "the app did not find PostgreSQL again"
            time.sleep(0.5)
        time.sleep(2)  # the load goes on against the recovered database
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert _is_dutch_unavailable_page(down_page)
    assert _is_dutch_unavailable_page(down_post)
    assert "Er is niets opgeslagen" in down_post.text
    assert down_health.status == 503
    responses = [r for r in seen if not isinstance(r, Exception)]
    assert all(r.status in (200, 303, 503) for r in responses), sorted({r.status for r in responses})
    assert all(_is_dutch_unavailable_page(r) for r in responses if r.status == 503)
    # The same processes carry on: recovered without a restart.
    assert server.process.poll() is None and server.process.pid == master
    assert sorted(server.workers()) == workers
    assert said(Browser(server.base).register(slug, "daarna@voorbeeld.nl")) in ("confirmed", "waitlisted")
    assert said(anna.submit(slug, form)) in ("confirmed", "waitlisted")  # sending the same form again works
    stored = registrations(pg_database, slug)
    assert {email: stored.get(email) for email in answers} == answers
    assert sum(1 for status in stored.values() if status == "confirmed") == min(20, len(stored))
