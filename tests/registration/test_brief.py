"""A worker keeps what the registration POST needs of its gathering (programme/brief.py); it is never trusted.

PostgreSQL only (on SQLite there is no flight and nothing is kept). After the first
POST the worker has its brief; then an organiser changes something the brief holds,
in another connection, and the next visitor must get what is there now: the new title
in their mail, the new workshop choosable, a round made required refused at the field,
the old address not found. Each of these fails if the flight's statement does not
compare that piece under the lock (checked by leaving each comparison out).
"""
import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.programme.models import ProgrammePart, Workshop, WorkshopChoice
from gatherings.registration.models import Registration
from tests.factories import make_gathering
from tests.programme.factories import make_programme
from tests.wire import round_trips

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("the brief is kept for the one flight, which is PostgreSQL's")


def person(n: int, **fields) -> dict:
    return {"name": f"Deelnemer {n}", "email": f"deelnemer{n}@voorbeeld.nl", "consent": "y", **fields}


def organiser_runs(sql: str) -> None:
    """A change made by another process (an organiser's request): not through this worker's memory."""
    with db.engine.begin() as other:
        other.exec_driver_sql(sql)


def kept_brief(client, slug: str, **fields) -> None:
    assert client.post(f"/gatherings/{slug}/register", data=person(0, **fields)).status_code == 303
    assert slug in client.application.extensions["caches"]["brief"]  # the worker now keeps the brief


def registration_of(n: int) -> Registration:
    db.session.expire_all()
    return db.session.scalars(sa.select(Registration).where(Registration.email_key == f"deelnemer{n}@voorbeeld.nl")).one()


def test_a_kept_brief_saves_the_read_and_a_stale_one_is_read_again(client):
    gathering = make_gathering(kind="national", title="Landelijke dag")
    slug = gathering.slug
    kept_brief(client, slug)
    with round_trips() as trips:
        assert client.post(f"/gatherings/{slug}/register", data=person(1)).status_code == 303
    assert len(trips) == 1  # BEGIN, lock, statement, COMMIT: nothing read before

    organiser_runs(f"UPDATE gathering SET title = 'Landelijke dag 2027' WHERE id = {gathering.id}")
    assert client.post(f"/gatherings/{slug}/register", data=person(2)).status_code == 303
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.registration_id == registration_of(2).id)).one()
    assert mail.subject == "Aanmelding bevestigd: Landelijke dag 2027"  # not the title this worker kept
    db.session.commit()  # the test's own connection back to the pool (round_trips begins with a fresh pool)
    with round_trips() as trips:  # the stale brief was forgotten: read again, then the flight
        assert client.post(f"/gatherings/{slug}/register", data=person(3)).status_code == 303
    assert len(trips) == 2
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.registration_id == registration_of(3).id)).one()
    assert mail.subject == "Aanmelding bevestigd: Landelijke dag 2027"


@pytest.mark.parametrize("change, column, expected", [
    ("UPDATE gathering SET contact_email = 'nieuw@voorbeeld.nl' WHERE id = {id}", "reply_to", "nieuw@voorbeeld.nl"),
    ("UPDATE host_organisation SET contact_email = 'gastheer-nieuw@voorbeeld.nl' WHERE id = {host}", "reply_to",
     "gastheer-nieuw@voorbeeld.nl"),
])
def test_whom_replies_go_to_is_what_it_is_now(client, change, column, expected):
    from gatherings.catalogue.models import HostOrganisation
    host = HostOrganisation(slug="stichting-herstel", name="Stichting Herstel", contact_email="gastheer@voorbeeld.nl")
    db.session.add(host)
    db.session.commit()
    gathering = make_gathering(kind="national", host_id=host.id, contact_email=None)
    kept_brief(client, gathering.slug)
    organiser_runs(change.format(id=gathering.id, host=host.id))
    assert client.post(f"/gatherings/{gathering.slug}/register", data=person(1)).status_code == 303
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.registration_id == registration_of(1).id)).one()
    assert getattr(mail, column) == expected


def test_a_workshop_added_since_can_be_chosen(client):
    gathering = make_gathering(kind="national")
    (round_1,) = make_programme(gathering, [5])
    kept_brief(client, gathering.slug, **{f"round_{round_1.id}": str(round_1.workshops[0].id)})
    organiser_runs(f"INSERT INTO workshop (part_id, title, description, leader, room, capacity, seated_people,"
                   f" waiting_people, pending_people) VALUES ({round_1.id}, 'Nieuw', '', '', '', 5, 0, 0, 0)")
    new = db.session.scalar(sa.select(Workshop.id).where(Workshop.title == "Nieuw"))
    answer = client.post(f"/gatherings/{gathering.slug}/register", data=person(1, **{f"round_{round_1.id}": str(new)}))
    assert answer.status_code == 303, answer.text[:500]
    choice = db.session.scalars(sa.select(WorkshopChoice).where(WorkshopChoice.registration_id == registration_of(1).id)).one()
    assert (choice.workshop_id, choice.status) == (new, "seated")


def test_a_round_made_required_since_is_refused_at_the_field(client):
    gathering = make_gathering(kind="national")
    (round_1,) = make_programme(gathering, [5], optional=(0,))
    kept_brief(client, gathering.slug)  # no workshop: the round may be skipped
    organiser_runs(f"UPDATE programme_part SET optional = false WHERE id = {round_1.id}")
    answer = client.post(f"/gatherings/{gathering.slug}/register", data=person(1))
    assert answer.status_code == 422
    assert "Deelnemer 1" in answer.text  # what was typed is still there
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                             .where(Registration.email_key == "deelnemer1@voorbeeld.nl")) == 0


def test_a_round_added_since_is_asked_for(client):
    gathering = make_gathering(kind="national")
    (round_1,) = make_programme(gathering, [5], optional=(0,))
    kept_brief(client, gathering.slug)
    organiser_runs(f"INSERT INTO programme_part (gathering_id, kind, title, description, starts_at, ends_at, optional,"
                   f" created_at) SELECT gathering_id, 'round', 'Ronde 2', '', ends_at, ends_at + interval '30 minutes',"
                   f" false, now()"
                   f" FROM programme_part WHERE id = {round_1.id}")
    part = db.session.scalar(sa.select(ProgrammePart.id).where(ProgrammePart.title == "Ronde 2"))
    organiser_runs(f"INSERT INTO workshop (part_id, title, description, leader, room, capacity, seated_people,"
                   f" waiting_people, pending_people) VALUES ({part}, 'Middag', '', '', '', 5, 0, 0, 0)")
    assert client.post(f"/gatherings/{gathering.slug}/register", data=person(1)).status_code == 422


def test_the_old_address_of_a_renamed_gathering_is_not_found(client):
    gathering = make_gathering(kind="national")
    old = gathering.slug
    kept_brief(client, old)
    organiser_runs(f"UPDATE gathering SET slug = 'nieuwe-naam' WHERE id = {gathering.id}")
    assert client.post(f"/gatherings/{old}/register", data=person(1)).status_code == 404
    assert client.post("/gatherings/nieuwe-naam/register", data=person(1)).status_code == 303


def test_the_same_people_register_alike_with_the_brief_kept_and_without(app, client, make_app):
    """The house rule for a cache: on and off give the same result (caches.py, CACHES_OFF)."""
    from .test_flight import PEOPLE, twin_gatherings, what_was_written

    (kept_gathering, kept_rounds), (read_gathering, read_rounds) = twin_gatherings()
    uncached = make_app(CACHES_OFF={"brief"}).test_client()
    for name, companion, language, picks in PEOPLE:
        for browser, gathering, rounds in ((client, kept_gathering, kept_rounds),
                                           (uncached, read_gathering, read_rounds)):
            form = {"name": f" {name} de Vries ", "email": f"{name.lower()}@Voorbeeld.nl", "perspective": "relative",
                    "organisation": " GGZ ", "needs": "rolstoel", "consent": "y"}
            if companion:
                form |= {"companion": "y", "companion_name": "Begeleider"}
            for part, pick in zip(rounds, picks):
                if pick is not None:
                    form[f"round_{part.id}"] = str(part.workshops[pick].id)
            answer = browser.post(f"/gatherings/{gathering.slug}/register", data=form,
                                  headers={"Accept-Language": language})
            assert answer.status_code == 303, answer.text[:300]
    assert kept_gathering.slug in app.extensions["caches"]["brief"]
    assert not uncached.application.extensions.get("caches", {}).get("brief")
    kept, read = what_was_written(kept_gathering, kept_rounds), what_was_written(read_gathering, read_rounds)
    assert kept == read
    assert [row["status"] for row, _mails, _choices in kept] == [
        "confirmed", "confirmed", "confirmed", "waitlisted", "confirmed", "waitlisted"]
