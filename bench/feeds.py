"""Benchmark the calendar feeds: build time, then requests per second for 200 and 304.

    .venv/bin/python bench/feeds.py [--gatherings 2000] [--requests 300] [--database-url URL]

Fills a fresh database (a temporary SQLite file, or DATABASE_URL / --database-url
for PostgreSQL: its tables are dropped and made again, so never point it at real
data) with gatherings, then measures in one run:

- build: one full feed built from the database (query + iCalendar bytes);
- the app's /calendar.ics: first request (build + store), 200s served from the
  stored feed (plain and gzip), 200s reading the bytes from the database every
  time (no copy in process memory), 200s with the feed cache off (built on every
  request), and 304s;
- a baseline: a bare Flask app that returns the same bytes (200) or compares
  a fixed ETag (304), with nothing else; and the app's own floor, a 404 from
  the same app (what every request costs there, calendar or not).

Requests go through Flask's test client (WSGI in process, no network), the same
way for the app and the baseline, so the difference is our per-request work:
the change-key query, the cache row lookup and the conditional check.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from flask import Flask, Response, request  # noqa: E402

from gatherings import create_app  # noqa: E402
from gatherings.calendar import cache, services  # noqa: E402
from gatherings.catalogue.models import Gathering, Theme  # noqa: E402
from gatherings.extensions import db  # noqa: E402
from gatherings.timeutil import utcnow  # noqa: E402


def fill(count: int) -> None:
    themes = [Theme(slug=f"thema-{i}", name=f"Thema {i}: sociale inclusie, thuis voelen") for i in range(7)]
    db.session.add_all(themes)
    db.session.flush()
    start = utcnow().replace(microsecond=0, second=0, minute=0) - timedelta(days=80)
    kinds = ("theme", "national", "mixed")
    rows = []
    for n in range(count):
        begins = start + timedelta(hours=7 * n)
        rows.append(dict(
            slug=f"bijeenkomst-{n}", kind=kinds[n % 3], title=f"Bijeenkomst {n}: een kijkje in elkaars keuken, café",
            description="Cliënten, naasten en hulpverleners praten samen; over herstel en meedoen.\n" * 3,
            theme_id=themes[n % 7].id, starts_at=begins, ends_at=begins + timedelta(hours=3),
            venue_name="Buurthuis De Pijler", venue_address="Oudegracht 12", venue_city="Utrecht",
            online_url="", accessibility="Drempelvrij.", capacity=40, status="cancelled" if n % 50 == 0 else "published",
            reminder_days=2, contact_email="", sequence=n % 4, changed_at=utcnow(), created_at=utcnow(),
        ))
    db.session.execute(db.insert(Gathering), rows)
    db.session.commit()


def rate(client, path: str, n: int, headers: dict | None = None, expect: int = 200) -> float:
    durations = []
    for _ in range(3):  # best of three rounds, to damp noise
        began = time.perf_counter()
        for _ in range(n):
            response = client.get(path, headers=headers or {})
            assert response.status_code == expect, response.status_code
            response.close()
        durations.append(time.perf_counter() - began)
    return n / min(durations)


def baseline_app(body: bytes, etag: str) -> Flask:
    bare = Flask("baseline")

    @bare.get("/calendar.ics")
    def feed():
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type="text/calendar; charset=utf-8", headers={"ETag": etag})

    return bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gatherings", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="gatherings-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "BASE_URL": "https://bijeenkomsten.example.nl", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        fill(args.gatherings)
        feed = services.all_feed()

        builds = []
        for _ in range(4):  # the first in a new process, then warm
            began = time.perf_counter()
            body = services.build_public_feed(feed)
            builds.append(time.perf_counter() - began)
            db.session.remove()

        client = app.test_client()
        began = time.perf_counter()
        first = client.get("/calendar.ics")
        first_request = time.perf_counter() - began
        etag = first.headers["ETag"]
        assert first.data == body, "the served feed differs from a direct build"
        events = body.count(b"BEGIN:VEVENT")

        served = rate(client, "/calendar.ics", args.requests)
        # Worst case: the process has no copy of the bytes and reads them from the database every time.
        remembered = cache.bodies.get
        cache.bodies.get = lambda etag: None
        from_database = rate(client, "/calendar.ics", max(args.requests // 3, 10))
        cache.bodies.get = remembered
        not_modified = rate(client, "/calendar.ics", args.requests, {"If-None-Match": etag}, expect=304)
        gzipped = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip"})
        served_gzip = rate(client, "/calendar.ics", args.requests, {"Accept-Encoding": "gzip"})
        began = time.perf_counter()
        uncached_app = create_app({**app.config, "CALENDAR_FEED_CACHE": False})
        with uncached_app.app_context():
            uncached = rate(uncached_app.test_client(), "/calendar.ics", 3)
            db.session.remove()
        # What any request costs in this app (security headers, language, sessions): a 404.
        app_floor = rate(client, "/calendar/geen-soort.ics", args.requests, expect=404)

        bare = baseline_app(body, etag).test_client()
        bare_200 = rate(bare, "/calendar.ics", args.requests)
        bare_304 = rate(bare, "/calendar.ics", args.requests, {"If-None-Match": etag}, expect=304)
        db.session.remove()
        db.engine.dispose()

    print(f"database: {url.split('@')[-1] if '@' in url else url.split(':', 1)[0]}")
    print(f"feed: {events} events, {len(body) / 1024:.0f} KiB")
    print(f"build (query + iCalendar), new process: {builds[0] * 1000:.0f} ms")
    print(f"build again (warm process): {statistics.median(builds[1:]) * 1000:.0f} ms")
    print(f"gzip: {len(gzipped.data) / 1024:.0f} KiB")
    print(f"first request (build + store): {first_request * 1000:.0f} ms")
    print(f"{'':28}{'app':>10}{'bare Flask':>12}{'app/bare':>10}")
    print(f"{'200 req/s':28}{served:>10.0f}{bare_200:>12.0f}{served / bare_200:>10.0%}")
    print(f"{'200 req/s, bytes from db':28}{from_database:>10.0f}{'':>12}{'':>10}")
    print(f"{'200 req/s, gzip':28}{served_gzip:>10.0f}{'':>12}{'':>10}")
    print(f"{'200 req/s, cache off':28}{uncached:>10.1f}{'':>12}{'':>10}")
    print(f"{'304 req/s':28}{not_modified:>10.0f}{bare_304:>12.0f}{not_modified / bare_304:>10.0%}")
    print(f"{'404 req/s (app floor)':28}{app_floor:>10.0f}")


if __name__ == "__main__":
    main()
