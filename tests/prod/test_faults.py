"""Faults under load: a worker killed mid-rush, a double click; PostgreSQL restarts in test_postgres_restart.py."""
import http.client
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from .conftest import Browser, make_national_day, registrations, said

pytestmark = pytest.mark.postgres


def test_a_worker_killed_mid_rush_loses_no_answered_registration_and_oversells_nothing(pg_database, serve):
    capacity, people, clients = 20, 72, 9
    slug = make_national_day(pg_database, capacity)
    server = serve(pg_database, workers=3)
    answers: dict[str, str | None] = {}
    failures: list[str] = []
    done = threading.Semaphore(0)

    def person(i):
        email = f"rush{i}@voorbeeld.nl"
        try:
            answers[email] = said(Browser(server.base).register(slug, email))
        except (OSError, http.client.HTTPException) as error:  # the connection died with the worker: no answer
            # (also halfway through a page: IncompleteRead, an HTTPException, not an OSError)
            failures.append(f"{email}: {error.__class__.__name__}")
        done.release()

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(person, i) for i in range(people)]
        for _ in range(people // 3):
            done.acquire(timeout=30)
        victim = server.workers()[0]
        os.kill(victim, signal.SIGKILL)
        for future in futures:
            future.result(timeout=60)

    stored = registrations(pg_database, slug)
    told = {email: status for email, status in answers.items() if status}
    assert {email: stored.get(email) for email in told} == told  # every answer is the truth in the database
    confirmed = sum(1 for status in stored.values() if status == "confirmed")
    assert confirmed == min(capacity, len(stored))  # nothing oversold, no seat lost
    assert sum(1 for status in told.values() if status == "confirmed") <= capacity
    assert len(told) >= people - 3 * clients, (len(told), failures)  # only requests in flight on the victim failed

    # The service goes on: the master replaced the worker, and new people get in.
    deadline = time.monotonic() + 20
    while (len(server.workers()) < 3 or victim in server.workers()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(server.workers()) == 3 and victim not in server.workers()
    assert said(Browser(server.base).register(slug, "daarna@voorbeeld.nl")) == "waitlisted"


def test_a_double_click_makes_one_registration(pg_database, serve):
    slug = make_national_day(pg_database, 10)
    server = serve(pg_database, workers=2)
    for attempt in range(5):
        email = f"dubbel{attempt}@voorbeeld.nl"
        browser = Browser(server.base)
        form = browser.form(slug, email)
        start = threading.Barrier(2)

        def click():
            clone = Browser(server.base)
            clone.cookies = dict(browser.cookies)  # the same page, the same cookie, the same token
            start.wait()
            return clone.request("POST", f"/gatherings/{slug}/register", form)

        with ThreadPoolExecutor(2) as pool:
            first, second = [f.result(timeout=30) for f in [pool.submit(click), pool.submit(click)]]
        # Neither click saw the other's session update; the later one is still known as the same submission
        # (by the session's CSRF secret), so both lead to the person's own result page.
        assert (first.status, second.status) == (303, 303), (first.status, second.status, first.text[:300])
        paths = {urlsplit(answer.headers["Location"]).path for answer in (first, second)}
        assert len(paths) == 1, paths
        assert said(browser.get(paths.pop())) == "confirmed"
        assert list(registrations(pg_database, slug)).count(email) == 1
        assert mail_kinds(pg_database, email) == ["confirmed"]  # no "you are already registered" mail
    assert len(registrations(pg_database, slug)) == 5


def mail_kinds(url: str, email: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(
                "SELECT kind FROM outbox_message WHERE to_address = :email ORDER BY id"), {"email": email}).scalars())
    finally:
        engine.dispose()
