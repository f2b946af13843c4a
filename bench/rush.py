"""The opening rush: 2,000 people at once for a national day with 400 seats.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python bench/rush.py            # see --help for the knobs

Starts the app under gunicorn (gunicorn.conf.py, production settings) on a
PostgreSQL database of its own, creates a national day with 400 seats and lets
100 concurrent clients register 2,000 people the way a browser does: GET the
page, take the session cookie and the CSRF token, POST the form, follow the 303
to the result page. Then it checks the outcome (exactly 400 confirmed, 1,600
waiting, every answer in the database, no 5xx), puts the same load on a
baseline (bench/baseline.py: one INSERT per registration, same gunicorn
settings, same database) and prints throughput, latency and the ratio.

The database server is taken from BENCH_DATABASE_URL, else TEST_DATABASE_URL,
else postgresql://postgres@127.0.0.1:5432/postgres; the database is created
and dropped. Rate limits are off (RATELIMIT_ENABLED=false) for the load.
Only 127.0.0.1 is contacted.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import aiohttp
import sqlalchemy as sa

# bench/, the script's own folder
from counting import count_queries
from browsers import SLUG, Load, rush, warm_up
from cpumeter import CpuMeter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# --------------------------------------------------------------------------- database

def admin_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") \
        or "postgresql://postgres@127.0.0.1:5432/postgres"
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def database_url(name: str) -> str:
    return sa.engine.make_url(admin_url()).set(database=name).render_as_string(hide_password=False)


def create_database(name: str) -> None:
    engine = sa.create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()


def drop_database(name: str) -> None:
    engine = sa.create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    engine.dispose()


def bench_app(url: str):
    from gatherings import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "GATHERINGS_ENV": "production", "SECRET_KEY": "rush-bench",
        "CONTACT_EMAIL": "contact@voorbeeld.nl",
        "RATELIMIT_ENABLED": False, "TRUSTED_PROXIES": 1,
    })


def prepare(url: str, seats: int) -> None:
    """Schema, the national day, a second gathering for counting queries, the baseline's table."""
    from gatherings.catalogue.models import Gathering
    from gatherings.extensions import db
    from gatherings.timeutil import utcnow

    app = bench_app(url)
    with app.app_context():
        db.create_all()
        start = utcnow().replace(microsecond=0) + timedelta(days=30)
        for slug, capacity in ((SLUG, seats), ("tel-de-queries", 2)):
            db.session.add(Gathering(
                slug=slug, kind="national", title="Landelijke dag", description="De opening van de aanmelding.",
                starts_at=start, ends_at=start + timedelta(hours=7), venue_name="Jaarbeurs",
                venue_address="Jaarbeursplein 6", venue_city="Utrecht", capacity=capacity, status="published",
                registration_opens_at=utcnow() - timedelta(minutes=1),
            ))
        db.session.commit()
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE baseline_registration (id serial PRIMARY KEY, name text NOT NULL, email text NOT NULL,"
                " created_at timestamptz NOT NULL DEFAULT now())")
        db.engine.dispose()


def outcome(url: str) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT r.status, count(*) FROM registration r JOIN gathering g ON g.id = r.gathering_id"
            " WHERE g.slug = :slug GROUP BY r.status"), {"slug": SLUG}).all()
        emails = set(conn.execute(sa.text(
            "SELECT r.email, r.status FROM registration r JOIN gathering g ON g.id = r.gathering_id"
            " WHERE g.slug = :slug AND r.status != 'cancelled'"), {"slug": SLUG}).all())
        baseline = conn.execute(sa.text("SELECT count(*) FROM baseline_registration")).scalar()
    engine.dispose()
    return {"counts": dict(rows), "rows": emails, "baseline": baseline}


# --------------------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the repository's gunicorn.conf.py, on 127.0.0.1 and a free port."""

    def __init__(self, target: str, url: str, workers: int, logdir: Path, name: str,
                 extra_args: tuple[str, ...] = (), py_spy: str | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="rush-bench", GATHERINGS_ENV="production",
                   CONTACT_EMAIL="contact@voorbeeld.nl",
                   RATELIMIT_ENABLED="false", TRUSTED_PROXIES="1", WEB_CONCURRENCY=str(workers),
                   GUNICORN_BIND=f"127.0.0.1:{self.port}", GUNICORN_MAX_REQUESTS="0")
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), *extra_args, target]
        if py_spy:
            command = [str(Path(sys.executable).with_name("py-spy")), "record", "--subprocesses",
                       "--rate", "250", "--gil", "--format", "raw", "--output", py_spy, "--", *command]
        self.out = open(logdir / f"{name}.log", "w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.out, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    async def ready(self, path: str = "/healthz", timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"gunicorn stopped; see {self.out.name}")
                try:
                    async with http.get(self.base + path) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout} s; see {self.out.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT if "py-spy" in self.process.args[0] else signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.out.close()


# --------------------------------------------------------------------------- report

def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))] * 1000


def describe(name: str, load: Load, registrations: int, cpu: dict[str, float] | None = None) -> dict:
    every = load.all_latencies
    figures = {
        "throughput": len(load.flows) / load.seconds,
        "requests": len(every) / load.seconds,
        "p50": pct(every, 50), "p95": pct(every, 95), "p99": pct(every, 99),
    }
    print(f"\n== {name}: {registrations} registrations, {len(every)} requests in {load.seconds:.1f} s")
    print(f"   throughput {figures['throughput']:.1f} registrations/s ({figures['requests']:.0f} requests/s)")
    print(f"   latency per request  p50 {figures['p50']:.0f} ms  p95 {figures['p95']:.0f} ms  p99 {figures['p99']:.0f} ms")
    for kind, values in load.latencies.items():
        print(f"     {kind:<7} n={len(values):<5} p50 {pct(values, 50):5.0f} ms  p95 {pct(values, 95):5.0f} ms"
              f"  p99 {pct(values, 99):5.0f} ms  mean {statistics.fmean(values) * 1000 if values else 0:5.0f} ms")
    print(f"   whole registration (3 requests) p50 {pct(load.flows, 50):.0f} ms  p95 {pct(load.flows, 95):.0f} ms"
          f"  p99 {pct(load.flows, 99):.0f} ms")
    print(f"   HTTP statuses {dict(sorted(load.statuses.items()))}; client errors {len(load.errors)}"
          + (f" (first: {load.errors[0]})" if load.errors else ""))
    if cpu:
        done = max(len(load.flows), 1)
        print("   CPU per registration: " + ", ".join(f"{part} {seconds / done * 1000:.1f} ms"
                                                      for part, seconds in cpu.items())
              + f" (machine: {os.cpu_count()} cores, {sum(cpu.values()) / load.seconds:.2f} of them busy with these)")
    return figures


def run_programme(args, workers: int) -> int:
    """``--programme``: the day with a programme against the day without, in one run (bench/programme_rush.py)."""
    import programme_rush

    name = f"gatherings_rush_{uuid.uuid4().hex[:8]}"
    url = database_url(name)
    logdir = Path(tempfile.mkdtemp(prefix="rush-"))
    print(f"rush --programme: database {name}, {workers} gunicorn workers, {args.clients} clients, "
          f"{args.registrations} registrations per day of {args.seats} seats; logs in {logdir}")
    create_database(name)
    try:
        prepare(url, args.seats)
        ok = programme_rush.run(args, url, workers, logdir, name)
    finally:
        if args.keep_db:
            print(f"database kept: {url}")
        else:
            drop_database(name)
    print("\nrush --programme: correctness " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seats", type=int, default=400)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 0) or None,
                        help="gunicorn workers for both servers (default: gunicorn.conf.py's, 2 x cores + 1)")
    parser.add_argument("--no-baseline", action="store_true", help="only the app")
    parser.add_argument("--py-spy", metavar="FILE", help="profile the app's workers with py-spy: collapsed stacks (flamegraph.pl, speedscope.app), CPU only")
    parser.add_argument("--show-queries", action="store_true", help="list the SQL statements per step")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database afterwards")
    parser.add_argument("--count-only", action="store_true",
                        help="only count the SQL statements per request (in-process), no servers and no load")
    parser.add_argument("--programme", action="store_true",
                        help="instead: a day with two rounds of four 100-seat workshops against a day without")
    args = parser.parse_args()
    workers = args.workers or 2 * len(os.sched_getaffinity(0)) + 1
    if args.programme:
        return run_programme(args, workers)

    name = f"gatherings_rush_{uuid.uuid4().hex[:8]}"
    url = database_url(name)
    logdir = Path(tempfile.mkdtemp(prefix="rush-"))
    print(f"rush: database {name}, {workers} gunicorn workers, {args.clients} clients, "
          f"{args.registrations} registrations for {args.seats} seats; logs in {logdir}")
    create_database(name)
    ok = True
    try:
        prepare(url, args.seats)
        for outcome_, steps in count_queries(url).items():
            print(f"SQL statements per registration, {outcome_} (in-process count, warm): "
                  + ", ".join(f"{label} {len(found)}" for label, found in steps)
                  + f"; total {sum(len(found) for _, found in steps)}")
            if args.show_queries:
                for label, found in steps:
                    for statement in found:
                        print(f"     {label:<10} {statement}")
        print("   (statements, not round trips: the POST's BEGIN, lock, statement and COMMIT go in one;"
              " the pages read without a transaction; no pre-ping)")
        if args.count_only:
            return 0

        baselines = []

        def run_baseline(label: str) -> None:
            server = Server("baseline:app", url, workers, logdir, f"baseline-{label}",
                            extra_args=("--chdir", str(ROOT / "bench")))
            try:
                asyncio.run(server.ready())
                asyncio.run(warm_up(server.base, f"/gatherings/{SLUG}", workers * 10))
                with CpuMeter(server, name) as cpu:
                    load = asyncio.run(rush(server.base, args.registrations, args.clients, f"baseline-{label}"))
            finally:
                server.stop()
            baselines.append(describe(f"baseline {label} (one INSERT per registration)", load, args.registrations,
                                      cpu.seconds))

        # The baseline runs before and after the app, so that a machine that gets busier or quieter
        # during the run does not tilt the ratio.
        if not args.no_baseline:
            run_baseline("before")

        app_server = Server("wsgi:app", url, workers, logdir, "app", py_spy=args.py_spy)
        try:
            asyncio.run(app_server.ready())
            asyncio.run(warm_up(app_server.base, f"/gatherings/{SLUG}", workers * 10))
            with CpuMeter(app_server, name) as cpu:
                app_load = asyncio.run(rush(app_server.base, args.registrations, args.clients, "app"))
        finally:
            app_server.stop()
        app_figures = describe("Gatherings", app_load, args.registrations, cpu.seconds)

        result = outcome(url)
        confirmed = result["counts"].get("confirmed", 0)
        waiting = result["counts"].get("waitlisted", 0)
        stored = {email: status for email, status in result["rows"]}
        told = [(email, said) for email, said in app_load.answers.items() if said in ("confirmed", "waitlisted")]
        missing = [email for email, said in told if stored.get(email) != said]
        answered_confirmed = sum(1 for _, said in told if said == "confirmed")
        want_confirmed = min(args.seats, args.registrations)
        checks = [
            (f"exactly {want_confirmed} confirmed in the database", confirmed == want_confirmed, confirmed),
            (f"exactly {args.registrations - want_confirmed} waiting in the database",
             waiting == args.registrations - want_confirmed, waiting),
            (f"{want_confirmed} answers said confirmed", answered_confirmed == want_confirmed, answered_confirmed),
            ("every answer (confirmed/waiting) is in the database with that status", not missing, len(missing)),
            ("every registration got an answer", len(told) == args.registrations, len(told)),
            ("no 5xx answer", app_load.five_xx == 0, app_load.five_xx),
        ]
        print("\nchecks:")
        for label, passed, value in checks:
            print(f"   [{'ok' if passed else 'FAIL'}] {label} ({value})")
            ok = ok and passed

        if not args.no_baseline:
            run_baseline("after")
            print(f"   baseline rows stored: {outcome(url)['baseline']}")
            base_throughput = statistics.fmean(b["throughput"] for b in baselines)
            ratio = app_figures["throughput"] / base_throughput
            print(f"\nbaseline throughput (mean of before and after): {base_throughput:.1f} registrations/s")
            print(f"ratio (Gatherings / baseline registrations per second): {ratio:.2f}  [target >= 0.5: "
                  f"{'met' if ratio >= 0.5 else 'NOT met'}]")
        print(f"p95 latency per request: {app_figures['p95']:.0f} ms  [target <= 250 ms: "
              f"{'met' if app_figures['p95'] <= 250 else 'NOT met'}]")
    finally:
        if args.keep_db:
            print(f"database kept: {url}")
        else:
            drop_database(name)
    print("\nrush: correctness " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
