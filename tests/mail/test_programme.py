"""Mail about a person's programme, delivered through the outbox and `mail send` to a real SMTP server:
their own workshops (times, rooms, places in a line) in the messages about their seat, and the messages the
programme's changes cause, each with an updated invitation (same UID, higher SEQUENCE)."""
from datetime import timedelta

import pytest

from gatherings.extensions import db
from gatherings.mail.reminders import queue_reminder
from gatherings.programme import organise_services as organise
from gatherings.programme import services as programme
from gatherings.registration import services as registration
from gatherings.timeutil import local
from tests.factories import locked_call, make_gathering, make_registration
from tests.programme_factories import make_programme

from ..calendar.conftest import icaljs  # noqa: F401  (ical.js, Thunderbird's parser)
from .conftest import outbox
from .test_messages import assert_invitation_shape, deliver, html_of, text_of


def _hm(moment) -> str:
    return f"{local(moment):%H:%M}"


@pytest.fixture
def day(app):
    day = make_gathering(kind="national", title="Landelijke dag", capacity=3)
    make_programme(day, rounds=((("Herstel", "Zaal 1", 1), ("Wonen", "Zaal 2", 20)),
                                (("Werk", "Zaal 3", 20), ("Naasten", "", 20))), plenary="Opening")
    return day


def rounds(day):
    return [p for p in day.programme if p.kind == "round"]


def register(day, email, herstel_or_wonen=0, second=0, name=None):
    """Registered as the form does: the day's seat, then a choice per round (in one unit of work)."""
    first_round, second_round = rounds(day)
    person = make_registration(day, email=email, name=name)
    locked_call(programme.choose, day, person, {first_round.id: first_round.workshops[herstel_or_wonen].id,
                                                second_round.id: second_round.workshops[second].id})
    db.session.commit()
    return person


def by_address(messages) -> dict:
    return {m["To"].addresses[0].addr_spec: m for m in messages}


def test_confirmation_lists_own_workshops_and_the_place_in_a_workshops_line(day, smtp, icaljs, tmp_path):
    opening, first, second = day.programme
    register(day, "eerder@voorbeeld.nl")  # takes Herstel's only seat
    register(day, "an@voorbeeld.nl", herstel_or_wonen=0, second=1)
    message = by_address(deliver(smtp))["an@voorbeeld.nl"]
    assert message["Subject"] == "Aanmelding bevestigd: Landelijke dag"
    text = text_of(message)
    assert (f"Uw eigen programma:\n- {_hm(opening.starts_at)}–{_hm(opening.ends_at)} Opening\n"
            f"- {_hm(first.starts_at)}–{_hm(first.ends_at)} Ronde 1: "
            f"u staat op de wachtlijst voor Herstel (plaats 1) (Zaal 1)\n"
            f"- {_hm(second.starts_at)}–{_hm(second.ends_at)} Ronde 2: Naasten\n") in text
    html = html_of(message)
    assert "<h2" in html and "Uw eigen programma</h2>" in html
    assert "Ronde 1: u staat op de wachtlijst voor Herstel (plaats 1) (Zaal 1)</li>" in html
    # The invitation's description shows the same programme, without a place in line (it moves with others).
    event = assert_invitation_shape(message, "REQUEST")
    assert f"{_hm(first.starts_at)}–{_hm(first.ends_at)} Ronde 1: wachtlijst voor Herstel (Zaal 1)" \
        in event.description
    assert f"{_hm(second.starts_at)}–{_hm(second.ends_at)} Ronde 2: Naasten" in event.description
    path = tmp_path / "invite"
    path.mkdir()
    (js_event,) = icaljs(message.get_body(preferencelist=("calendar",)).get_content().encode(), path)["events"]
    assert js_event["description"] == event.description


def test_a_gathering_without_programme_has_no_programme_in_its_mail(app, smtp):
    make_registration(make_gathering(title="Buurtsoep"), email="an@voorbeeld.nl")
    (message,) = deliver(smtp)
    assert "programma" not in text_of(message).lower() and "programma" not in html_of(message).lower()
    assert "Programma" not in assert_invitation_shape(message, "REQUEST").description


def test_a_seat_in_the_workshop_waited_for_sends_promoted_to_a_workshop(day, smtp):
    _opening, first, _second = day.programme
    earlier = register(day, "eerder@voorbeeld.nl")
    register(day, "an@voorbeeld.nl")  # waits for Herstel
    confirmation = by_address(deliver(smtp))["an@voorbeeld.nl"]
    before = assert_invitation_shape(confirmation, "REQUEST")

    locked_call(registration.cancel, day, earlier.id)
    got = by_address(deliver(smtp))
    assert set(got) == {"eerder@voorbeeld.nl", "an@voorbeeld.nl"}  # the cancellation, and the seat
    message = got["an@voorbeeld.nl"]
    assert message["Subject"] == "Er is een plek in de werkplaats voor u: Herstel"
    text = text_of(message)
    assert "er is een plek vrijgekomen in de werkplaats Herstel" in text
    assert f"{_hm(first.starts_at)}–{_hm(first.ends_at)} Ronde 1: Herstel (Zaal 1)" in text
    assert "wachtlijst" not in text.split("Uw eigen programma:")[1]
    event = assert_invitation_shape(message, "REQUEST")
    assert event.uid == before.uid and event.sequence > before.sequence
    assert "Ronde 1: Herstel (Zaal 1)" in event.description
    assert [m.kind for m in outbox(to_address="an@voorbeeld.nl")] == ["confirmed", "workshop_promoted"]


def test_the_day_s_promotion_lists_the_programme_decided_with_it(app, smtp):
    day = make_gathering(kind="national", title="Landelijke dag", capacity=1)
    (first,) = make_programme(day, rounds=((("Herstel", "Zaal 1", 5),),), plenary=None)
    earlier = make_registration(day, email="eerder@voorbeeld.nl")
    waiting = make_registration(day, email="an@voorbeeld.nl")
    locked_call(programme.choose, day, waiting, {first.id: first.workshops[0].id})
    waitlisted = by_address(deliver(smtp))["an@voorbeeld.nl"]
    assert "Ronde 1: uw keuze: Herstel (zeker zodra u een plek voor de dag heeft)" in text_of(waitlisted)

    locked_call(registration.cancel, day, earlier.id)
    message = by_address(deliver(smtp))["an@voorbeeld.nl"]
    assert message["Subject"].startswith("Er is een plek voor u")
    assert f"- {_hm(first.starts_at)}–{_hm(first.ends_at)} Ronde 1: Herstel (Zaal 1)" in text_of(message)
    assert "Ronde 1: Herstel (Zaal 1)" in assert_invitation_shape(message, "REQUEST").description


def test_the_reminder_lists_the_programme(day, smtp):
    _opening, first, second = day.programme
    person = register(day, "an@voorbeeld.nl")
    deliver(smtp)
    queue_reminder(person, "Herinnering: Landelijke dag")
    db.session.commit()
    (message,) = deliver(smtp)
    text = text_of(message)
    assert f"- {_hm(first.starts_at)}–{_hm(first.ends_at)} Ronde 1: Herstel (Zaal 1)" in text
    assert f"- {_hm(second.starts_at)}–{_hm(second.ends_at)} Ronde 2: Werk (Zaal 3)" in text


def test_an_organisers_move_tells_the_person_with_an_updated_invitation(day, smtp):
    _opening, first, _second = day.programme
    person = register(day, "an@voorbeeld.nl", herstel_or_wonen=1)
    before = assert_invitation_shape(deliver(smtp)[0], "REQUEST")
    locked_call(programme.move, day, person, first, first.workshops[0])
    (message,) = deliver(smtp)
    assert message["Subject"] == "Uw werkplaats is veranderd: Landelijke dag"
    text = text_of(message)
    assert "De organisatie heeft u in Ronde 1 verplaatst van de werkplaats Wonen naar de werkplaats Herstel." in text
    assert "Ronde 1: Herstel (Zaal 1)" in text
    event = assert_invitation_shape(message, "REQUEST")
    assert event.uid == before.uid and event.sequence > before.sequence
    assert "Ronde 1: Herstel (Zaal 1)" in event.description and "Wonen" not in event.description


def test_a_removed_workshop_tells_everyone_in_it_and_nobody_else(day, smtp):
    _opening, first, _second = day.programme
    an = register(day, "an@voorbeeld.nl", herstel_or_wonen=1)
    bo = register(day, "bo@voorbeeld.nl", herstel_or_wonen=1)
    register(day, "cor@voorbeeld.nl", herstel_or_wonen=0)
    deliver(smtp)
    locked_call(programme.remove_workshop, day, first.workshops[1])
    got = by_address(deliver(smtp))
    assert set(got) == {an.email, bo.email}
    text = text_of(got[an.email])
    assert "De werkplaats Wonen gaat niet door. U heeft in Ronde 1 nu geen werkplaats." in text
    assert "Ronde 1: geen werkplaats" in text
    event = assert_invitation_shape(got[an.email], "REQUEST")
    assert "Ronde 1: geen werkplaats" in event.description
    # One SEQUENCE step for the whole change, however many people it tells.
    sequences = {assert_invitation_shape(m, "REQUEST").sequence for m in got.values()}
    assert len(sequences) == 1


def test_a_new_time_for_a_round_sends_its_people_an_updated_invitation(day, smtp, icaljs, tmp_path):
    """An organiser moves round 1 (the organisers' programme services): whoever sits in or waits for one of its
    workshops gets the new times with an updated invitation; nobody else hears anything."""
    _opening, first, second = day.programme
    an = register(day, "an@voorbeeld.nl", herstel_or_wonen=0)      # seated in Herstel
    bo = register(day, "bo@voorbeeld.nl", herstel_or_wonen=0)      # waits for Herstel
    cor = register(day, "cor@voorbeeld.nl", herstel_or_wonen=1)    # Wonen: also round 1
    before = {a: assert_invitation_shape(m, "REQUEST") for a, m in by_address(deliver(smtp)).items()}
    earlier = timedelta(minutes=15)
    locked_call(organise.update_part, day, first, {"kind": "round", "title": first.title,
                                                   "starts_at": first.starts_at - earlier,
                                                   "ends_at": first.ends_at - earlier})
    got = by_address(deliver(smtp))
    assert set(got) == {an.email, bo.email, cor.email}
    for address, message in got.items():
        assert message["Subject"] == "Uw programma is veranderd: Landelijke dag"
        assert "De organisatie heeft de tijd van Ronde 1 veranderd." in text_of(message)
        event = assert_invitation_shape(message, "REQUEST")
        assert event.uid == before[address].uid and event.sequence > before[address].sequence
        assert f"{_hm(first.starts_at)}–{_hm(first.ends_at)} Ronde 1" in event.description
    assert f"- {_hm(first.starts_at)}–{_hm(first.ends_at)} Ronde 1: Herstel (Zaal 1)" in text_of(got[an.email])
    # One SEQUENCE step for the whole change, however many people it tells.
    assert len({assert_invitation_shape(m, "REQUEST").sequence for m in got.values()}) == 1
    (js_event,) = icaljs(got[an.email].get_body(preferencelist=("calendar",)).get_content().encode(),
                         tmp_path)["events"]
    assert js_event["sequence"] == assert_invitation_shape(got[an.email], "REQUEST").sequence


def test_a_new_room_tells_only_the_people_of_that_workshop(day, smtp):
    _opening, first, _second = day.programme
    an = register(day, "an@voorbeeld.nl", herstel_or_wonen=1)  # Wonen
    register(day, "bo@voorbeeld.nl", herstel_or_wonen=0)       # Herstel
    deliver(smtp)
    locked_call(organise.update_workshop, day, first.workshops[1], {"room": "Grote zaal"})
    (message,) = deliver(smtp)
    assert message["To"].addresses[0].addr_spec == an.email
    assert "De organisatie heeft uw werkplaats veranderd, bijvoorbeeld de zaal." in text_of(message)
    assert "Ronde 1: Wonen (Grote zaal)" in text_of(message)
    assert "Ronde 1: Wonen (Grote zaal)" in assert_invitation_shape(message, "REQUEST").description


def test_a_change_that_touches_no_workshop_sends_nothing(day, smtp):
    register(day, "an@voorbeeld.nl")
    deliver(smtp)
    opening = day.programme[0]
    locked_call(organise.add_part, day, {"kind": "plenary", "title": "Koffie", "starts_at": opening.starts_at,
                                         "ends_at": opening.ends_at})
    locked_call(organise.update_workshop, day, day.programme[-1].workshops[0], {"description": "Anders."})
    assert deliver(smtp) == []


def test_a_workshop_title_cannot_shape_a_header_or_the_html(day, smtp):
    _opening, first, _second = day.programme
    first.workshops[0].title = "Herstel\r\nBcc: kwaad@voorbeeld.nl <script>"
    db.session.commit()
    earlier = register(day, "eerder@voorbeeld.nl")
    register(day, "an@voorbeeld.nl")
    deliver(smtp)
    locked_call(registration.cancel, day, earlier.id)
    message = by_address(deliver(smtp))["an@voorbeeld.nl"]
    assert message["Bcc"] is None and "\n" not in message["Subject"]
    assert "<script>" not in html_of(message) and "&lt;script&gt;" in html_of(message)


def test_the_gathering_s_own_new_time_tells_the_programme_once(day, smtp):
    """The programme moves with the gathering's start (the organisers' services then send programme_changed
    with what="programme_moved"): the gathering's change mail says it all, with the new programme."""
    from gatherings.catalogue import signals as catalogue_signals

    _opening, first, _second = day.programme
    register(day, "an@voorbeeld.nl")
    deliver(smtp)

    def later(gathering):
        before = {"starts_at": gathering.starts_at, "ends_at": gathering.ends_at}
        gathering.starts_at += timedelta(hours=1)
        gathering.ends_at += timedelta(hours=1)
        gathering.touch(attendee_relevant=True)
        db.session.flush()
        catalogue_signals.gathering_changed.send(gathering, changes=["starts_at", "ends_at"], before=before)
        assert organise.follow_gathering(gathering, before["starts_at"], before["ends_at"])

    locked_call(later, day)
    (message,) = deliver(smtp)
    assert message["Subject"] == "Gewijzigd: Landelijke dag"
    assert f"- {_hm(first.starts_at)}–{_hm(first.ends_at)} Ronde 1: Herstel (Zaal 1)" in text_of(message)
    assert "Ronde 1: Herstel (Zaal 1)" in assert_invitation_shape(message, "REQUEST").description


def test_an_english_registration_hears_about_its_workshop_in_english(day, smtp):
    _opening, first, _second = day.programme
    earlier = register(day, "eerder@voorbeeld.nl")
    person = register(day, "an@voorbeeld.nl")
    person.language = "en"
    db.session.commit()
    deliver(smtp)
    locked_call(registration.cancel, day, earlier.id)
    message = by_address(deliver(smtp))["an@voorbeeld.nl"]
    assert message["Subject"] == "There is a seat for you in the workshop: Herstel"
    text = text_of(message)
    assert "Good news: a seat has become free in the workshop Herstel." in text
    assert "Your own programme:" in text and "Ronde 1: Herstel (Zaal 1)" in text
