"""Faults under load: a worker killed mid-rush, a double click; PostgreSQL restarts in test_postgres_restart.py."""
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

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
        except OSError as error:  # the connection died with the worker: no answer
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
        assert sorted([first.status, second.status]) in ([200, 303], [303, 303]), (first.status, second.status)
        for answer in (first, second):
            if answer.status == 200:  # the later click: told to look in the mail, as for any known address
                assert "e-mail" in answer.text
        assert list(registrations(pg_database, slug)).count(email) == 1
    assert len(registrations(pg_database, slug)) == 5
