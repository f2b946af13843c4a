"""The registration POST alone, against a bare one-INSERT baseline under the same gunicorn, with the lock timed.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python bench/post_only.py            # see --help for the knobs

On a PostgreSQL database of its own (as bench/rush.py: BENCH_DATABASE_URL, else
TEST_DATABASE_URL, else the local server; created and dropped), with a national
day of 400 seats: 100 clients each load the gathering page once (their session
cookie and form token; not timed) and then only POST the form, 2,000 POSTs in
all, to gunicorn with 5 sync workers. The same clients do the same against
bench/baseline.py (one INSERT per POST, same gunicorn settings, same database)
before and after the app. It prints registrations per second of both and the
ratio, p95 of both, the round trips to PostgreSQL per POST (read from libpq's
own trace of an in-process POST: every message sent, every answer waited
for), and how long the gathering's row lock is held and how busy it is, from
timestamps the app's workers write around each locked section
(bench/locktimer.py: the same app with two SQLAlchemy listeners). Then it
checks: exactly 400 confirmed, the rest waiting, every acknowledged POST stored,
no 5xx. Only 127.0.0.1 is contacted; rate limits are off for the load.
``--rounds 3`` does all of it three times in turn (the database emptied in
between) and prints each round's ratio and their median: on a shared machine
one run's baseline can be a third slower or faster than the next one's.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import psycopg

# bench/, the script's own folder
from browsers import BROWSER_HEADERS, CSRF_FIELD, SLUG, Load, warm_up
from cpumeter import CpuMeter
from rush import Server, bench_app, create_database, database_url, drop_database, outcome, pct, prepare

BENCH = Path(__file__).resolve().parent
COUNTED = "tel-de-queries"  # prepare()'s second gathering, 2 seats: POSTs 1-2 get a seat, 3-4 wait


# --------------------------------------------------------------------------- round trips, from libpq's trace

class Wire:
    """Round trips of psycopg connections, read from libpq's trace (PQtrace): what really went to the server."""

    FLAGS = psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE

    def __init__(self):
        self.traced: list[tuple[psycopg.pq.abc.PGconn, int]] = []

    def attach(self, connection: psycopg.Connection) -> None:
        fd, path = tempfile.mkstemp(prefix="wire-")
        os.unlink(path)
        connection.pgconn.trace(fd)
        connection.pgconn.set_trace_flags(self.FLAGS)
        self.traced.append((connection.pgconn, fd))

    def take(self) -> list[str]:
        """The round trips since the last call, each as the statements sent in it."""
        lines = []
        for pgconn, fd in self.traced:
            pgconn.untrace()  # flushes libpq's buffer
            os.lseek(fd, 0, os.SEEK_SET)
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            pgconn.trace(fd)
            pgconn.set_trace_flags(self.FLAGS)
            lines += b"".join(chunks).decode(errors="replace").splitlines()
        trips, sent = [], []
        for line in lines:
            parts = line.split("\t")
            if len(parts) < 4:
                continue
            if parts[0] == "F" and parts[2] in ("Query", "Parse"):
                text = parts[3].strip()
                if parts[2] == "Parse":  # "name" "statement" ...: the statement is the second quoted string
                    text = text.split('" "', 1)[-1]
                sent.append(" ".join(text.strip('"').split())[:80])
            elif parts[0] == "B" and parts[2] == "ReadyForQuery":  # the server's answer is complete
                trips.append(" + ".join(sent).replace(";", "; (the pool's pre-ping: an empty statement)")
                             if sent == [";"] else " + ".join(sent) or "(sync)")
                sent = []
        return trips


def app_round_trips(url: str) -> dict[str, list[str]]:
    """Round trips of a warm POST that gets a seat and of one that waits, in-process on the app's own code."""
    from sqlalchemy import event

    from gatherings.extensions import db

    app = bench_app(url)
    wire = Wire()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "connect", lambda dbapi_connection, _record: wire.attach(dbapi_connection))
    kw = {"base_url": "https://localhost",
          "headers": {"Accept-Language": "nl", "Referer": f"https://localhost/gatherings/{COUNTED}"}}
    client = app.test_client()  # one visitor: the page once, then only POSTs
    token = CSRF_FIELD.search(client.get(f"/gatherings/{COUNTED}", **kw).get_data(as_text=True)).group(1)
    found = {}
    for i, label in enumerate(("first", "confirmed", "waitlisted first", "waitlisted")):
        wire.take()
        answer = client.post(f"/gatherings/{COUNTED}/register", data={
            "csrf_token": token, "name": f"Teller {i}", "email": f"teller{i}@voorbeeld.nl",
            "organisation": "", "needs": "", "consent": "y"}, **kw)
        assert answer.status_code == 303, (answer.status_code, answer.get_data(as_text=True)[:300])
        found[label] = wire.take()
    engine.dispose()
    return {label: found[label] for label in ("confirmed", "waitlisted")}


def baseline_round_trips(url: str) -> list[str]:
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(BENCH))
    import baseline

    wire = Wire()
    wire.attach(baseline.connection())
    client = baseline.app.test_client()
    token = CSRF_FIELD.search(client.get(f"/gatherings/{SLUG}").get_data(as_text=True)).group(1)
    trips = []
    for i in range(2):  # the second, warm
        wire.take()
        answer = client.post(f"/gatherings/{SLUG}/register", data={
            "csrf_token": token, "name": f"Teller {i}", "email": f"teller{i}@voorbeeld.nl"})
        assert answer.status_code == 303, answer.status_code
        trips = wire.take()
    baseline.connection().execute("DELETE FROM baseline_registration")
    baseline.connection().commit()
    baseline.connection().close()
    return trips


# --------------------------------------------------------------------------- the load: page once, then POSTs

async def post_only(base: str, posts: int, clients: int, run: str) -> Load:
    load = Load()
    numbers = iter(range(posts))
    public = base.replace("http://", "https://", 1)  # the address the browser sees, before the load balancer
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:

        async def visit() -> tuple[dict, str] | None:
            async with http.get(f"{base}/gatherings/{SLUG}", headers=BROWSER_HEADERS) as response:
                html = await response.text()
                cookies = {name: morsel.value for name, morsel in response.cookies.items()}
            match = CSRF_FIELD.search(html)
            if response.status != 200 or not match:
                load.errors.append(f"page {response.status}")
                return None
            return cookies, match.group(1)

        async def client(session) -> None:
            if session is None:
                return
            cookies, token = session
            for i in numbers:  # a shared iterator: each number goes to exactly one client
                email = f"post-{run}-{i}@voorbeeld.nl"
                form = {"csrf_token": token, "name": f"Deelnemer {i}", "email": email,
                        "organisation": "", "needs": "", "consent": "y"}
                started = time.perf_counter()
                try:
                    async with http.post(f"{base}/gatherings/{SLUG}/register", data=form, allow_redirects=False,
                                         headers={**BROWSER_HEADERS, "Referer": f"{public}/gatherings/{SLUG}",
                                                  "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
                                         ) as response:
                        await response.read()
                        # As a browser: the answer's session cookie (its own registrations) goes with the next POST.
                        cookies.update({name: morsel.value for name, morsel in response.cookies.items()})
                except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                    load.errors.append(f"{error.__class__.__name__}: {error}")
                    continue
                load.latencies["post"].append(time.perf_counter() - started)
                load.status(response.status)
                load.answers[email] = "stored" if response.status == 303 else f"http {response.status}"

        sessions = await asyncio.gather(*(visit() for _ in range(clients)))  # not timed
        load.started_at = time.time()
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for session in sessions))
        load.seconds = time.perf_counter() - started
        load.ended_at = time.time()
    return load


# --------------------------------------------------------------------------- report

def empty(url: str) -> None:
    """No registrations, mail or baseline rows left, the seat counters at zero: the next round starts as the first."""
    import sqlalchemy as sa

    from gatherings import seat_counters

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE registration, outbox_message, workshop_choice, baseline_registration CASCADE")
        seat_counters.recount(conn)
    engine.dispose()


def lock_figures(path: Path, start: float, end: float) -> dict:
    """Hold and wait per locked section, and the share of the run during which the lock was held."""
    rows = []
    for line in path.read_text().splitlines():
        asked, got, released = map(float, line.split())
        if got >= start and released <= end + 1:
            rows.append((asked, got, released))
    if not rows:
        return {}
    holds = [released - got for _, got, released in rows]
    waits = [got - asked for asked, got, _ in rows]
    busy, last = 0.0, start  # the union of the held intervals (they should not overlap: one row, one holder)
    for _, got, released in sorted(rows, key=lambda r: r[1]):
        got, released = max(got, last), min(released, end)
        if released > got:
            busy += released - got
            last = released
    return {"n": len(rows), "hold_mean": statistics.fmean(holds) * 1000, "hold_p50": pct(holds, 50),
            "hold_p95": pct(holds, 95), "wait_mean": statistics.fmean(waits) * 1000, "wait_p95": pct(waits, 95),
            "busy": busy / (end - start)}


def describe(name: str, load: Load, cpu: dict[str, float]) -> dict:
    posts = load.latencies["post"]
    done = max(len(posts), 1)
    figures = {"rate": len(posts) / load.seconds, "p50": pct(posts, 50), "p95": pct(posts, 95), "p99": pct(posts, 99)}
    print(f"\n== {name}: {len(posts)} POSTs in {load.seconds:.1f} s: {figures['rate']:.1f} per second")
    print(f"   latency p50 {figures['p50']:.0f} ms  p95 {figures['p95']:.0f} ms  p99 {figures['p99']:.0f} ms")
    print(f"   HTTP statuses {dict(sorted(load.statuses.items()))}; client errors {len(load.errors)}"
          + (f" (first: {load.errors[0]})" if load.errors else ""))
    print("   CPU per POST: " + ", ".join(f"{part} {seconds / done * 1000:.1f} ms" for part, seconds in cpu.items())
          + f" ({sum(cpu.values()) / load.seconds:.2f} of the machine's {os.cpu_count()} cores busy with these)")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seats", type=int, default=400)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers for both servers")
    parser.add_argument("--show-round-trips", action="store_true", help="list what each round trip sent")
    parser.add_argument("--rounds", type=int, default=1,
                        help="baseline, app, baseline this many times in turn, the database emptied in between;"
                             " each round's ratio and their median (a noisy machine moves single runs)")
    args = parser.parse_args()

    name = f"gatherings_post_{uuid.uuid4().hex[:8]}"
    url = database_url(name)
    logdir = Path(tempfile.mkdtemp(prefix="post-only-"))
    locks = logdir / "locks.txt"
    print(f"post-only: database {name}, {args.workers} gunicorn workers, {args.clients} clients (each loads the page"
          f" once), {args.posts} POSTs for {args.seats} seats; logs in {logdir}")
    create_database(name)
    ok = True
    try:
        prepare(url, args.seats)
        trips = app_round_trips(url)
        bare = baseline_round_trips(url)
        for label, found in trips.items():
            print(f"round trips per POST, {label} (libpq trace, in-process, warm): {len(found)}")
        print(f"round trips per POST, baseline: {len(bare)}")
        if args.show_round_trips:
            for label, found in [*trips.items(), ("baseline", bare)]:
                for n, sent in enumerate(found, start=1):
                    print(f"     {label:<10} {n}. {sent}")

        def serve(label: str, target: str, **env) -> tuple[Load, dict[str, float]]:
            os.environ.update(env)
            server = Server(target, url, args.workers, logdir, label, extra_args=("--chdir", str(BENCH)))
            try:
                asyncio.run(server.ready())
                asyncio.run(warm_up(server.base, f"/gatherings/{SLUG}", args.workers * 10))
                with CpuMeter(server, name) as cpu:
                    load = asyncio.run(post_only(server.base, args.posts, args.clients, label))
            finally:
                server.stop()
            return load, cpu.seconds

        def run_round(n: int) -> tuple[bool, dict, dict, list[dict]]:
            tag = f" (round {n + 1} of {args.rounds})" if args.rounds > 1 else ""
            load, cpu = serve(f"baseline-before-{n}", "baseline:app")
            before = describe("baseline before (one INSERT per POST)" + tag, load, cpu)
            locks.write_text("")
            app_load, cpu = serve(f"app-{n}", "locktimer:app", LOCKTIMER_FILE=str(locks))
            app_figures = describe("Gatherings" + tag, app_load, cpu)
            lock = lock_figures(locks, app_load.started_at, app_load.ended_at)
            if lock:
                print(f"   the gathering's lock: {lock['n']} times held, {lock['hold_mean']:.1f} ms on average"
                      f" (p50 {lock['hold_p50']:.1f}, p95 {lock['hold_p95']:.1f} ms), busy {lock['busy']:.0%} of the run;"
                      f" FOR UPDATE answered after {lock['wait_mean']:.1f} ms on average (p95 {lock['wait_p95']:.1f} ms)")
                print(f"   one lock at a time: at most {1000 / lock['hold_mean']:.0f} registrations/s at this hold time")
            load, cpu = serve(f"baseline-after-{n}", "baseline:app")
            after = describe("baseline after" + tag, load, cpu)
            return check(app_load), app_figures, lock, [before, after]

        def check(app_load: Load) -> bool:
            result = outcome(url)
            confirmed, waiting = result["counts"].get("confirmed", 0), result["counts"].get("waitlisted", 0)
            stored = {email for email, _status in result["rows"]}
            acknowledged = [email for email, said in app_load.answers.items() if said == "stored"]
            want = min(args.seats, args.posts)
            checks = [
                (f"exactly {want} confirmed in the database", confirmed == want, confirmed),
                (f"exactly {args.posts - want} waiting in the database", waiting == args.posts - want, waiting),
                ("every acknowledged POST (303) is in the database", all(e in stored for e in acknowledged),
                 len(acknowledged)),
                ("every POST acknowledged", len(acknowledged) == args.posts, len(acknowledged)),
                ("no 5xx answer", app_load.five_xx == 0, app_load.five_xx),
            ]
            print("\nchecks:")
            passed_all = True
            for label, passed, value in checks:
                print(f"   [{'ok' if passed else 'FAIL'}] {label} ({value})")
                passed_all = passed_all and passed
            return passed_all

        ratios = []
        for n in range(args.rounds):
            if n:
                empty(url)  # the next round registers for the same 400 seats again
            passed, app_figures, lock, baselines = run_round(n)
            ok = ok and passed
            base_rate = statistics.fmean(b["rate"] for b in baselines)
            ratios.append(app_figures["rate"] / base_rate)
            print(f"\nPOST-only: Gatherings {app_figures['rate']:.1f}/s, baseline {base_rate:.1f}/s (mean of before and"
                  f" after), ratio {ratios[-1]:.2f}; p95 {app_figures['p95']:.0f} ms against"
                  f" {statistics.fmean(b['p95'] for b in baselines):.0f} ms; round trips per POST"
                  f" {len(trips['confirmed'])}/{len(trips['waitlisted'])} (seat/waiting) against {len(bare)}"
                  + (f"; lock held {lock['hold_mean']:.1f} ms, busy {lock['busy']:.0%}" if lock else ""))
        if args.rounds > 1:
            print(f"\nPOST-only over {args.rounds} rounds: ratios " + ", ".join(f"{r:.2f}" for r in ratios)
                  + f"; median {statistics.median(ratios):.2f}")
    finally:
        drop_database(name)
    print("\npost-only: correctness " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
