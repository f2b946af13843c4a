"""Does POST /my answer a known address more slowly than an unknown one? (issue 9, Security 4)

A timing difference tells an outsider who is registered for a mental-health
gathering. This sends the request for a link alternately for an address with
registrations and for one without, in one process through the app's test client
(no network noise), and prints the median time of each and their ratio. A ratio
near 1.00 is the goal; before the fix it was about 1.5.

    .venv/bin/python bench/my_timing.py [--rounds 300] [--registrations 3] [--database-url URL]

Without ``--database-url`` it runs on a fresh SQLite file in a temporary folder; a database
given must be one of its own (it creates and drops all tables).
Rate limits and CSRF are off (they cost the same for every address).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gatherings import create_app  # noqa: E402
from gatherings.catalogue.models import Gathering  # noqa: E402
from gatherings.extensions import db  # noqa: E402
from gatherings.timeutil import utcnow  # noqa: E402

KNOWN = "bekend@voorbeeld.nl"


def make_app(database_url: str | None, folder: str):
    return create_app({
        "TESTING": True, "GATHERINGS_ENV": "testing", "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{os.path.join(folder, 'bench.sqlite')}",
        "BASE_URL": "http://gatherings.test", "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
        "MAIL_OUTBOX_DIR": os.path.join(folder, "mail"),
    })


def set_up(client, registrations: int) -> None:
    """``registrations`` gatherings, each with a registration of KNOWN (through the public form)."""
    db.drop_all()
    db.create_all()
    start = utcnow().replace(microsecond=0) + timedelta(days=10)
    for n in range(registrations):
        db.session.add(Gathering(slug=f"bench-{n}", kind="theme", title=f"Bijeenkomst {n}", description="",
                                 starts_at=start, ends_at=start + timedelta(hours=2), venue_name="Buurthuis",
                                 venue_address="Straat 1", venue_city="Utrecht", capacity=50, status="published"))
    db.session.commit()
    for n in range(registrations):
        answer = client.post(f"/gatherings/bench-{n}/register",
                             data={"name": "Bekende", "email": KNOWN, "consent": "y"})
        assert answer.status_code in (200, 303), answer.status_code


def timed_post(client, address: str) -> float:
    started = time.perf_counter()
    answer = client.post("/my", data={"email": address})
    elapsed = time.perf_counter() - started
    assert answer.status_code == 303, answer.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--registrations", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(args.database_url, folder)
        with app.app_context():
            client = app.test_client()
            set_up(client, args.registrations)
            for i in range(20):  # warm up: templates compiled, connections open
                timed_post(client, KNOWN)
                timed_post(client, f"warm{i}@voorbeeld.nl")
            known, unknown = [], []
            for i in range(args.rounds):
                # Alternate, so drift of the machine's load hits both alike.
                pair = [(known, KNOWN), (unknown, f"onbekend{i}@voorbeeld.nl")]
                for times, address in (pair if i % 2 else reversed(pair)):
                    times.append(timed_post(client, address))
            db.drop_all()
            db.engine.dispose()
    known_ms, unknown_ms = statistics.median(known) * 1000, statistics.median(unknown) * 1000
    print(f"POST /my, {args.rounds} rounds, known address with {args.registrations} registrations")
    print(f"  known:   median {known_ms:.2f} ms")
    print(f"  unknown: median {unknown_ms:.2f} ms")
    print(f"  ratio known/unknown: {known_ms / unknown_ms:.2f}")


if __name__ == "__main__":
    main()
