"""The opening rush's one flight (registration/flight.py) writes what the ordinary way writes, or declines.

PostgreSQL only: on SQLite every registration takes the ordinary way. The same people
register, in the same order, for two gatherings alike in every way, one through the
flight and one through ``services.register`` + ``programme.choose`` in a unit of work;
the registrations, their outbox rows and their workshop choices must be the same.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gatherings.database import no_transaction, unit_of_work
from gatherings.catalogue.services import lock_gathering
from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.programme import brief as programme_brief
from gatherings.programme import flight as programme_flight
from gatherings.programme import services as programme
from gatherings.programme.models import WorkshopChoice
from gatherings.registration import flight, services
from gatherings.registration.models import Registration
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration

from ..programme.factories import make_programme

pytestmark = pytest.mark.postgres

PEOPLE = [  # name, companion, language, choice per round (index of the workshop; None: no workshop)
    ("Anna", False, "nl", (0, 0)), ("Bert", True, "en", (0, None)), ("Cor", False, "nl", (1, 1)),
    ("Dina", True, "nl", (0, 0)), ("Eef", False, "en", (1, None)), ("Fer", False, "nl", (0, 1)),
]


@pytest.fixture(autouse=True)
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("the one flight is PostgreSQL's; SQLite takes the ordinary way")


def applicant(name, companion, language):
    return services.Applicant(name=f" {name} de Vries ", email=f"{name.lower()}@Voorbeeld.nl", perspective="relative",
                              organisation=" GGZ ", needs="rolstoel", consent_version="2026-11-30",
                              companion=companion, companion_name="Begeleider" if companion else "",
                              submission_key=f"key-{name}", language=language)


def choices_for(rounds, picks):
    return {part.id: (part.workshops[pick].id if pick is not None else None) for part, pick in zip(rounds, picks)}


def by_flight(gathering, rounds, person):
    name, companion, language, picks = person
    with no_transaction():
        brief = programme_brief.read(gathering.slug)
        part = programme_flight.choices_part(brief.rounds, choices_for(rounds, picks))
        return flight.register(brief.gathering, applicant(name, companion, language),
                               parts=[programme_brief.unchanged(brief)] + ([part] if part else []))


def by_ordinary_way(gathering, rounds, person):
    name, companion, language, picks = person
    with unit_of_work():
        locked = lock_gathering(gathering.id)
        result = services.register(locked, applicant(name, companion, language))
        programme.choose(locked, result.registration, choices_for(rounds, picks), new=True)


def what_was_written(gathering, rounds):
    db.session.expire_all()
    workshop_index = {w.id: (i, j) for i, part in enumerate(rounds) for j, w in enumerate(part.workshops)}
    part_index = {part.id: i for i, part in enumerate(rounds)}
    registrations = list(db.session.scalars(
        sa.select(Registration).where(Registration.gathering_id == gathering.id).order_by(Registration.id)))
    skip = {"id", "gathering_id", "token", "door_code", "created_at", "updated_at", "consent_at", "confirmed_at",
            "waitlisted_at"}
    rows = []
    for r in registrations:
        row = {c.key: getattr(r, c.key) for c in Registration.__table__.columns if c.key not in skip}
        row["times"] = (r.consent_at is not None, r.confirmed_at is not None, r.waitlisted_at is not None)
        mails = [{c.key: getattr(m, c.key) for c in OutboxMessage.__table__.columns
                  if c.key not in {"id", "message_id", "registration_id", "gathering_id", "created_at",
                                   "next_attempt_at", "subject"}}
                 | {"subject": m.subject.replace(gathering.title, "<title>"),
                    "message_id": m.message_id.split(".")[0]}
                 for m in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.registration_id == r.id))]
        choices = sorted((part_index[c.part_id], workshop_index.get(c.workshop_id), c.status,
                          c.waiting_since is not None, c.seated_at is not None)
                         for c in db.session.scalars(sa.select(WorkshopChoice).where(WorkshopChoice.registration_id == r.id)))
        rows.append((row, mails, choices))
    return rows


def twin_gatherings():
    made = []
    for title in ("Landelijke dag A", "Landelijke dag B"):
        gathering = make_gathering(kind="national", title=title, capacity=5)
        made.append((gathering, make_programme(gathering, [1, 2], [2, 1], optional=(1,))))
    return made


def test_the_flight_writes_what_the_ordinary_way_writes(app):
    (flown_gathering, flown_rounds), (ordinary_gathering, ordinary_rounds) = twin_gatherings()
    for person in PEOPLE:
        assert by_flight(flown_gathering, flown_rounds, person) is not None, person
        by_ordinary_way(ordinary_gathering, ordinary_rounds, person)
    flown = what_was_written(flown_gathering, flown_rounds)
    ordinary = what_was_written(ordinary_gathering, ordinary_rounds)
    assert flown == ordinary
    statuses = [row["status"] for row, _mails, _choices in flown]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted", "confirmed", "waitlisted"]
    # The waiting message tells the place in line; the choices of who waits for the day are pending.
    assert [m["context"] for _row, mails, _c in flown for m in mails if m["kind"] == "waitlisted"] == [
        '{"language": "nl", "position": 1, "registration_status": "waitlisted"}',
        '{"language": "nl", "position": 2, "registration_status": "waitlisted"}']
    assert flown[3][2] == [(0, (0, 0), "pending", False, False), (1, (1, 0), "pending", False, False)]
    assert flown[1][2][0][2] == "waiting"  # a pair does not fit in the one-seat workshop Anna took


def test_the_line_keeps_the_order_in_which_registrations_were_decided(app):
    gathering = make_gathering(kind="national", capacity=1)
    for n in range(4):
        assert by_flight(gathering, [], (f"P{n}", False, "nl", ())) is not None
    db.session.expire_all()
    waiting = db.session.scalars(sa.select(Registration).where(Registration.status == "waitlisted")
                                 .order_by(Registration.waitlisted_at, Registration.id)).all()
    assert [r.name for r in waiting] == ["P1 de Vries", "P2 de Vries", "P3 de Vries"]
    assert [services.waitlist_position(r) for r in waiting] == [1, 2, 3]


def nothing_written(gathering):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                             .where(Registration.gathering_id == gathering.id,
                                    Registration.email_key == "anna@voorbeeld.nl")) == 0


@pytest.mark.parametrize("case", ["not_open_yet", "closed", "past", "draft", "mixed", "workshop_gone"])
def test_the_flight_declines_what_the_ordinary_way_must_decide_and_writes_nothing(app, case):
    now = utcnow()
    fields = {"not_open_yet": dict(registration_opens_at=now + timedelta(days=1)),
              "closed": dict(registration_closes_at=now - timedelta(minutes=1)),
              "past": dict(starts_at=now - timedelta(hours=1)),
              "draft": dict(status="draft"), "mixed": dict(kind="mixed")}.get(case, {})
    gathering = make_gathering(**fields)
    rounds = make_programme(gathering, [1, 2]) if case == "workshop_gone" else []
    person = ("Anna", False, "nl", (0,) if rounds else ())
    with no_transaction():
        found = db.session.get(type(gathering), gathering.id)
        parts = []
        if rounds:  # as the view sends them: the brief read before the lock, checked under it, and the choices
            brief = programme_brief.read(gathering.slug)
            parts = [programme_brief.unchanged(brief), programme_flight.choices_part(brief.rounds, choices_for(rounds, (0,)))]
        if case == "workshop_gone":
            with db.engine.begin() as other:  # an organiser removes it after the page was read
                other.exec_driver_sql(f"DELETE FROM workshop WHERE id = {rounds[0].workshops[0].id}")
        flown = flight.register(found, applicant(*person[:3]), parts=parts)
    assert flown is None
    assert nothing_written(gathering)


def test_a_free_seat_while_people_wait_is_left_to_the_ordinary_way(app):
    gathering = make_gathering(kind="national", capacity=1)
    make_registration(gathering)
    make_registration(gathering)  # waits
    gathering.capacity = 2  # raised by hand, without filling: a seat is free while someone waits
    db.session.commit()
    with no_transaction():
        flown = flight.register(db.session.get(type(gathering), gathering.id), applicant("Anna", False, "nl"))
    assert flown is None and nothing_written(gathering)


def test_a_known_address_is_left_to_the_ordinary_way(app):
    gathering = make_gathering(kind="national")
    make_registration(gathering, email="anna@voorbeeld.nl")
    db.session.commit()
    with no_transaction():
        flown = flight.register(db.session.get(type(gathering), gathering.id), applicant("Anna", False, "nl"))
    assert flown is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_a_benchmark_can_time_the_lock_from_the_database_clock(app, monkeypatch):
    seen = []
    monkeypatch.setattr(flight, "observe", lambda *times: seen.append(times))
    gathering = make_gathering(kind="national")
    assert by_flight(gathering, [], ("Anna", False, "nl", ())) is not None
    ((asked, got, released),) = seen
    assert asked <= got <= released and released - asked < 5


def test_the_connection_goes_back_to_the_pool_as_it_came(client):
    """Out of autocommit and of any transaction, also after a flight that declined or failed."""
    gathering = make_gathering(kind="national", capacity=1)
    make_registration(gathering, email="bert@voorbeeld.nl")
    db.session.commit()
    db.engine.dispose()
    for email in ("anna@voorbeeld.nl", "bert@voorbeeld.nl", "cor@voorbeeld.nl"):  # flown, declined, flown
        assert client.post(f"/gatherings/{gathering.slug}/register",
                           data={"name": "A", "email": email, "consent": "y"}).status_code in (200, 303)
    pool = db.engine.pool
    held = [db.engine.raw_connection() for _ in range(pool.checkedin())]
    try:
        assert held and all(not c.driver_connection.autocommit for c in held)
        assert all(c.driver_connection.info.transaction_status == c.driver_connection.info.transaction_status.IDLE
                   for c in held)
    finally:
        for c in held:
            c.close()


def test_the_database_lost_during_the_flight_gives_the_dutch_503_page(client, monkeypatch):
    from gatherings import round_trip

    gathering = make_gathering(kind="national")
    db.session.commit()
    form = {"name": "A", "email": "a@voorbeeld.nl", "consent": "y"}
    assert client.post(f"/gatherings/{gathering.slug}/register", data=form).status_code == 303  # brief kept
    real_send = round_trip.send

    def cut_off(connection, statements):  # the server goes away after the POST took its connection
        with db.engine.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({connection.info.backend_pid})")
        return real_send(connection, statements)
    monkeypatch.setattr(round_trip, "send", cut_off)
    answer = client.post(f"/gatherings/{gathering.slug}/register", data={**form, "email": "b@voorbeeld.nl"})
    assert answer.status_code == 503 and "Even niet bereikbaar" in answer.text
    assert "Traceback" not in answer.text and answer.headers.get("Retry-After")
    monkeypatch.undo()
    assert client.post(f"/gatherings/{gathering.slug}/register",
                       data={**form, "email": "b@voorbeeld.nl"}).status_code == 303
