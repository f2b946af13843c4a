"""The opening rush with a programme (``bench/rush.py --programme``): a 400-seat national day with two
rounds of four workshops of 100 seats, each client choosing a workshop per round, measured in the same
run as a 400-seat day without a programme (before and after it, on the same gunicorn and database).

Each client does what a browser does: GET the page, read the CSRF token and the ``round_<id>`` radio
groups, POST the form with one workshop per round (spread over the four), follow the 303. Then the
outcome is checked: 400 confirmed, every confirmed registration holding a seat or a place in line in
both rounds, no workshop over its 100 seats, those waiting for the day holding their choices as pending,
no 5xx. The SQL statements of one registration with choices are counted in-process, as rush.py counts
them for the day alone.
"""
from __future__ import annotations

import asyncio
import re
import statistics
from datetime import timedelta

import sqlalchemy as sa

from browsers import CSRF_FIELD, Load, rush, warm_up

PLAIN_SLUGS = ("landelijke-dag-zonder-programma-1", "landelijke-dag-zonder-programma-2")
PROGRAMME_SLUG = "landelijke-dag-met-programma"
COUNT_SLUG = "tel-de-queries-programma"
ROUNDS, WORKSHOPS, WORKSHOP_SEATS = 2, 4, 100
INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'\b(name|value|type)="([^"]*)"')


def round_choices(html: str) -> dict[str, list[str]]:
    """{"round_<id>": [workshop ids]} from the page's radio groups, in page order."""
    found: dict[str, list[str]] = {}
    for tag in INPUT.findall(html):
        attrs = dict(ATTRIBUTE.findall(tag))
        if attrs.get("type") == "radio" and attrs.get("name", "").startswith("round_") and attrs.get("value"):
            found.setdefault(attrs["name"], []).append(attrs["value"])
    return found


def prepare(url: str, seats: int) -> None:
    """Two days without a programme and one with (each ``seats`` seats), and a small one for counting."""
    from gatherings.catalogue.models import Gathering
    from gatherings.extensions import db
    from gatherings.programme.models import ProgrammePart, Workshop
    from gatherings.timeutil import utcnow
    from rush import bench_app

    app = bench_app(url)
    with app.app_context():
        start = utcnow().replace(microsecond=0) + timedelta(days=30)
        for slug, capacity, workshop_seats in ((PLAIN_SLUGS[0], seats, None), (PROGRAMME_SLUG, seats, WORKSHOP_SEATS),
                                               (PLAIN_SLUGS[1], seats, None), (COUNT_SLUG, 2, 1)):
            day = Gathering(
                slug=slug, kind="national", title="Landelijke dag", description="De opening van de aanmelding.",
                starts_at=start, ends_at=start + timedelta(hours=7), venue_name="Jaarbeurs",
                venue_address="Jaarbeursplein 6", venue_city="Utrecht", capacity=capacity, status="published",
                registration_opens_at=utcnow() - timedelta(minutes=1))
            db.session.add(day)
            if workshop_seats is None:
                continue
            day.programme = [ProgrammePart(kind="plenary", title="Opening", starts_at=start,
                                           ends_at=start + timedelta(hours=2))]
            for n in range(ROUNDS):
                begins = start + timedelta(hours=3 + 2 * n)
                day.programme.append(ProgrammePart(
                    kind="round", title=f"Ronde {n + 1}", starts_at=begins, ends_at=begins + timedelta(hours=1),
                    workshops=[Workshop(title=f"Werkplaats {n + 1}{'ABCD'[w]}", room=f"Zaal {w + 1}",
                                        capacity=workshop_seats) for w in range(WORKSHOPS)]))
        db.session.commit()
        db.engine.dispose()


def workshop_per_round(html: str, i: int) -> dict[str, str]:
    """Client i's choices, spread over the four: workshop i % 4 in the first round and (i + 1) % 4 in the
    second, when the page has rounds (browsers.one_registration adds them to the form)."""
    return {name: workshops[(i + n) % len(workshops)]
            for n, (name, workshops) in enumerate(sorted(round_choices(html).items()))}


def count_statements(url: str) -> dict[str, list[str]]:
    """SQL statements of one registration with a choice per round (in-process, warm), per step."""
    from gatherings.extensions import db
    from counting import counting_driver_statements
    from rush import bench_app

    app = bench_app(url)
    with app.app_context():
        engine = db.engine
    statements: list[str] = []
    listener = lambda _c, _cur, statement, *_a: statements.append(" ".join(statement.split())[:90])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    kw = {"base_url": "https://localhost",
          "headers": {"Accept-Language": "nl", "Referer": f"https://localhost/gatherings/{COUNT_SLUG}"}}
    counted = {}
    counting = counting_driver_statements(statements)
    counting.__enter__()
    try:
        for i in range(2):  # the second one is counted (warm); both get a seat for the day and in their workshops
            client = app.test_client()
            statements.clear()
            page = client.get(f"/gatherings/{COUNT_SLUG}", **kw)
            steps = {"GET page": list(statements)}
            html = page.get_data(as_text=True)
            form = {"csrf_token": CSRF_FIELD.search(html).group(1), "name": f"Teller {i}",
                    "email": f"teller-programma{i}@voorbeeld.nl", "organisation": "", "needs": "", "consent": "y"}
            for n, (name, workshops) in enumerate(sorted(round_choices(html).items())):
                form[name] = workshops[i % len(workshops)]
            statements.clear()
            answer = client.post(f"/gatherings/{COUNT_SLUG}/register", data=form, **kw)
            assert answer.status_code == 303, (answer.status_code, answer.get_data(as_text=True)[:300])
            steps["POST form"] = list(statements)
            statements.clear()
            client.get(answer.headers["Location"], **kw)
            steps["GET result"] = list(statements)
            counted = steps
    finally:
        counting.__exit__(None, None, None)
        sa.event.remove(engine, "before_cursor_execute", listener)
        engine.dispose()
    return counted


def check_outcome(url: str, seats: int, registrations: int, load: Load) -> list[tuple[str, bool, object]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        params = {"slug": PROGRAMME_SLUG}
        counts = dict(conn.execute(sa.text(
            "SELECT r.status, count(*) FROM registration r JOIN gathering g ON g.id = r.gathering_id"
            " WHERE g.slug = :slug GROUP BY r.status"), params).all())
        choices = dict(conn.execute(sa.text(
            "SELECT r.status || '/' || c.status, count(*) FROM workshop_choice c"
            " JOIN registration r ON r.id = c.registration_id JOIN gathering g ON g.id = r.gathering_id"
            " WHERE g.slug = :slug GROUP BY r.status, c.status"), params).all())
        fullest = conn.execute(sa.text(
            "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM workshop_choice c"
            " JOIN registration r ON r.id = c.registration_id JOIN gathering g ON g.id = r.gathering_id"
            " WHERE g.slug = :slug AND c.status = 'seated' AND r.status = 'confirmed' GROUP BY c.workshop_id) s"),
            params).scalar()
    engine.dispose()
    confirmed, waiting = counts.get("confirmed", 0), counts.get("waitlisted", 0)
    want = min(seats, registrations)
    held = choices.get("confirmed/seated", 0) + choices.get("confirmed/waiting", 0)
    told = [said for said in load.answers.values() if said in ("confirmed", "waitlisted")]
    return [
        (f"exactly {want} confirmed", confirmed == want, confirmed),
        (f"exactly {registrations - want} waiting for the day", waiting == registrations - want, waiting),
        ("every confirmed registration holds a seat or a place in line in both rounds",
         held == ROUNDS * confirmed, f"{held} choices for {confirmed}"),
        ("every one waiting for the day keeps both choices as pending",
         choices.get("waitlisted/pending", 0) == ROUNDS * waiting, choices.get("waitlisted/pending", 0)),
        (f"no workshop over its {WORKSHOP_SEATS} seats", fullest <= WORKSHOP_SEATS, fullest),
        ("every registration got an answer", len(told) == registrations, len(told)),
        ("no 5xx answer", load.five_xx == 0, load.five_xx),
    ]


def run(args, url: str, workers: int, logdir, name: str) -> bool:
    """The programme run of rush.py: returns whether every check passed."""
    from cpumeter import CpuMeter
    from counting import count_queries
    from rush import Server, describe

    prepare(url, args.seats)
    plain = count_queries(url)["confirmed"]
    print("SQL statements per registration without a programme (in-process count, warm): "
          + ", ".join(f"{label} {len(found)}" for label, found in plain) + f"; total {sum(len(f) for _, f in plain)}")
    steps = count_statements(url)
    print(f"SQL statements per registration with a choice in each of {ROUNDS} rounds (in-process count, warm): "
          + ", ".join(f"{label} {len(found)}" for label, found in steps.items())
          + f"; total {sum(len(found) for found in steps.values())}")
    if args.show_queries:
        for label, found in steps.items():
            for statement in found:
                print(f"     {label:<10} {statement}")
    if args.count_only:
        return True

    server = Server("wsgi:app", url, workers, logdir, "app-programme")
    figures, loads = {}, {}
    try:
        asyncio.run(server.ready())
        # The day without a programme before and after the one with, so a machine that gets busier or
        # quieter during the run does not tilt the ratio.
        for label, slug in (("without programme (before)", PLAIN_SLUGS[0]), ("with programme", PROGRAMME_SLUG),
                            ("without programme (after)", PLAIN_SLUGS[1])):
            asyncio.run(warm_up(server.base, f"/gatherings/{slug}", workers * 10))
            with CpuMeter(server, name) as cpu:
                loads[label] = asyncio.run(rush(server.base, args.registrations, args.clients, slug,
                                                slug, workshop_per_round))
            figures[label] = describe(f"national day {label}", loads[label], args.registrations, cpu.seconds)
    finally:
        server.stop()

    checks = check_outcome(url, args.seats, args.registrations, loads["with programme"])
    print("\nchecks (the day with a programme):")
    for label, passed, value in checks:
        print(f"   [{'ok' if passed else 'FAIL'}] {label} ({value})")
    plain = statistics.fmean(figures[k]["throughput"] for k in figures if k.startswith("without"))
    ratio = figures["with programme"]["throughput"] / plain
    print(f"\nthroughput without programme (mean of before and after): {plain:.1f} registrations/s")
    print(f"throughput with programme: {figures['with programme']['throughput']:.1f} registrations/s")
    print(f"ratio (with / without): {ratio:.2f}  [target >= 0.85: {'met' if ratio >= 0.85 else 'NOT met'}]")
    return all(passed for _, passed, _ in checks)
