"""In-process benchmark of the rush's requests, with each cache on and off (Flask's test client, no server).

On a PostgreSQL database of its own (created and dropped here), it times N
visitors who each load the gathering page, submit the form and open their
result page, in one process, one request at a time (all look first, as
before the opening, then all register); then the same with each
cache of ``gatherings/caches.py`` switched off, and with all of them off.
The variants take turns (``--rounds``) so that a busy machine weighs on all
of them alike; the figure per variant is the median round. It prints
milliseconds per request and the ratio against all caches on.

    .venv/bin/python bench/inprocess.py [--visitors 300] [--rounds 3] [--seats 400] [--in-turn]

BENCH_DATABASE_URL (or TEST_DATABASE_URL) names the server, as for rush.py.
Old against new code: copy this file into the bench/ of a worktree of the old
commit and run it there too (it then measures "all-on" only); compare the CPU
columns, which a busy machine blurs least.
Profile one variant with py-spy: ``py-spy record -o out.svg -- .venv/bin/python
bench/inprocess.py --only all-on``.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "landelijke-dag"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def admin_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") \
        or "postgresql://postgres@127.0.0.1:5432/postgres"
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _admin(statement: str) -> None:
    engine = sa.create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def make_app(url: str):
    from gatherings import create_app

    # CSRF on (the page carries each visitor's token, as in production); no rate limits; plain http cookies.
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "GATHERINGS_ENV": "development", "SECRET_KEY": "bench",
                       "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": True})


def prepare(app, seats: int) -> None:
    from gatherings.catalogue.models import Gathering, HostOrganisation, Theme
    from gatherings.extensions import db
    from gatherings.timeutil import utcnow

    with app.app_context():
        db.create_all()
        start = utcnow().replace(microsecond=0) + timedelta(days=30)
        db.session.add(Gathering(
            slug=SLUG, kind="national", title="Landelijke dag", description="De opening van de aanmelding.",
            starts_at=start, ends_at=start + timedelta(hours=7), venue_name="Jaarbeurs",
            venue_address="Jaarbeursplein 6", venue_city="Utrecht", capacity=seats, status="published",
            theme=Theme(slug="inclusie", name="Sociale inclusie"),
            host=HostOrganisation(slug="samen", name="Stichting Samen Sterk", city="Utrecht"),
            registration_opens_at=utcnow() - timedelta(minutes=1),
        ))
        db.session.commit()
        db.session.remove()


def _timed(times: dict, step: str, request):
    """Run ``request``; record its wall-clock and CPU milliseconds (CPU: this process only, so a busy
    machine or the database server's work does not blur the comparison of the variants)."""
    wall, cpu = time.perf_counter(), time.thread_time()
    response = request()
    times[step].append(((time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000))
    return response


def visitors(app, count: int, first: int, in_turn: bool = False) -> dict[str, list[tuple[float, float]]]:
    """``count`` people who look first (the page, before the opening), then register: page, form, result page.

    ``in_turn``: each person loads the page, registers and opens the result page before the next
    one comes, as during the rush, so the page follows every registration (the seats left change).
    """
    times: dict[str, list[tuple[float, float]]] = {"page": [], "register": [], "result": []}
    clients = [app.test_client() for _ in range(count)]

    def look(client) -> str:
        page = _timed(times, "page", lambda: client.get(f"/gatherings/{SLUG}"))
        assert page.status_code == 200, page.status_code
        return TOKEN.search(page.text).group(1)

    tokens = [None if in_turn else look(client) for client in clients]
    for n, (client, token) in enumerate(zip(clients, tokens), start=first):
        token = token or look(client)
        answer = _timed(times, "register", lambda: client.post(f"/gatherings/{SLUG}/register", data={
            "csrf_token": token, "name": f"Persoon {n}", "email": f"persoon{n}@voorbeeld.nl", "consent": "y"}))
        assert answer.status_code == 303, (answer.status_code, answer.text[:300])
        result = _timed(times, "result", lambda: client.get(answer.headers["Location"]))
        assert result.status_code == 200
    return times


def main() -> int:
    try:
        from gatherings import caches
    except ImportError:  # an older checkout (see --help): only "all-on", its caches as they were
        caches = None
    import gatherings
    if caches is not None and Path(caches.__file__).parent != Path(gatherings.__file__).parent:
        caches = None  # an editable install's finder lent the module from another checkout

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=300, help="per variant and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seats", type=int, default=400)
    parser.add_argument("--only", help="one variant: all-on, all-off or <cache>-off")
    parser.add_argument("--in-turn", action="store_true",
                        help="each person page, POST, result page before the next (as in the rush), not all pages first")
    args = parser.parse_args()

    variants = {"all-on": set()}
    if caches is not None:
        variants.update({f"{name}-off": {name} for name in caches.NAMES})
        variants["all-off"] = set(caches.NAMES)
    if args.only:
        variants = {args.only: variants[args.only]}

    name = f"gatherings_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        url = sa.engine.make_url(admin_url()).set(database=name).render_as_string(hide_password=False)
        app = make_app(url)
        prepare(app, args.seats)
        visitors(app, 20, 10**6)  # warm up: imports, compiled templates, statement caches
        results: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
        seen = 0
        for _ in range(args.rounds):
            for variant, off in variants.items():
                app.config["CACHES_OFF"] = off
                if caches is not None:
                    caches.clear(app)
                times = visitors(app, args.visitors, seen, in_turn=args.in_turn)
                seen += args.visitors
                results[variant].append({
                    **{step: statistics.mean(w for w, _ in ms) for step, ms in times.items()},
                    **{f"{step} cpu": statistics.mean(c for _, c in ms) for step, ms in times.items()}})
        with app.app_context():
            from gatherings.extensions import db
            db.engine.dispose()
    finally:
        _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        _admin(f'DROP DATABASE IF EXISTS "{name}"')

    print(f"code: {Path(gatherings.__file__).parent}")
    print(f"{args.visitors} visitors x {args.rounds} rounds per variant; ms per request (median round), wall clock "
          f"and this process's CPU; ratio = variant / all-on")
    steps = ("page", "page cpu", "register", "register cpu", "result", "result cpu")
    print(f"{'variant':<16}" + "".join(f"{s:>13}{'ratio':>6}" for s in steps))
    median = {v: {s: statistics.median(r[s] for r in rounds) for s in steps} for v, rounds in results.items()}
    base = median.get("all-on") or next(iter(median.values()))
    for variant, figures in median.items():
        print(f"{variant:<16}" + "".join(f"{figures[s]:>13.2f}{figures[s] / base[s]:>6.2f}" for s in steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
