"""Organisers create, change, duplicate, publish and cancel gatherings."""
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from gatherings.catalogue import signals
from gatherings.catalogue.models import Gathering
from gatherings.extensions import db
from gatherings.registration.models import Registration
from tests.factories import locked_call, login_as, make_gathering, make_organiser, make_registration
from tests.htmlpage import Page

UTC = timezone.utc


@contextmanager
def caught(signal):
    """Collect (sender, kwargs) of every time ``signal`` is sent."""
    sent = []

    def receiver(sender, **kwargs):
        sent.append((sender, kwargs))

    with signal.connected_to(receiver):
        yield sent


def _form(**changes):
    data = {
        "title": "Samen aan tafel", "slug": "", "kind": "theme", "theme_id": "None", "host_id": "None",
        "description": "Een middag praten.", "starts_at": "2027-01-12T14:00", "ends_at": "2027-01-12T17:00",
        "venue_name": "Buurthuis De Pijler", "venue_address": "Oudegracht 12", "venue_city": "Utrecht",
        "online_url": "", "accessibility": "", "capacity": "30", "allot_lived": "", "allot_relatives": "",
        "allot_professionals": "", "registration_opens_at": "", "registration_closes_at": "",
        "reminder_days": "2", "contact_email": "",
    }
    data.update(changes)
    return data


def _edit_form(gathering, **changes):
    """The edit form as the browser would send it back unchanged, with ``changes``."""
    from gatherings.timeutil import local
    fmt = "%Y-%m-%dT%H:%M"
    data = _form(
        title=gathering.title, slug=gathering.slug, kind=gathering.kind, description=gathering.description,
        starts_at=local(gathering.starts_at).strftime(fmt), ends_at=local(gathering.ends_at).strftime(fmt),
        venue_name=gathering.venue_name, venue_address=gathering.venue_address, venue_city=gathering.venue_city,
        online_url=gathering.online_url, capacity=str(gathering.capacity),
        allot_lived=str(gathering.allot_lived or ""), allot_relatives=str(gathering.allot_relatives or ""),
        allot_professionals=str(gathering.allot_professionals or ""),
        organiser_ids=[str(o.id) for o in gathering.organisers],
    )
    data.update(changes)
    return data


@pytest.fixture
def organiser(app, client):
    organiser = make_organiser("a@voorbeeld.nl")
    login_as(client, organiser)
    return organiser


@pytest.fixture
def published(organiser):
    gathering = make_gathering(title="Thuis in de wijk", capacity=2)
    organiser.gatherings.append(gathering)
    db.session.commit()
    return gathering


def _reload(gathering):
    db.session.expire_all()
    return db.session.get(Gathering, gathering.id)


# -- create --------------------------------------------------------------------

def test_create_stores_amsterdam_wall_clock_time_as_utc_draft(app, client, organiser):
    response = client.post("/organise/gatherings/new", data=_form(
        title="Zomeravond in de wijk", starts_at="2027-07-01T19:30", ends_at="01-07-2027 21:00",
        organiser_ids=[str(organiser.id)]))
    assert response.status_code == 303
    gathering = db.session.scalars(sa.select(Gathering)).one()
    assert response.headers["Location"] == f"/organise/gatherings/{gathering.slug}"
    assert gathering.slug == "zomeravond-in-de-wijk"
    assert gathering.status == "draft"
    assert gathering.starts_at == datetime(2027, 7, 1, 17, 30, tzinfo=UTC)  # summer time: UTC+2
    assert gathering.ends_at == datetime(2027, 7, 1, 19, 0, tzinfo=UTC)
    assert [o.email for o in gathering.organisers] == ["a@voorbeeld.nl"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dit is een concept" in page
    # a draft is not public
    # Its organiser sees the public page as a preview; for anyone else it does not exist yet.
    assert "Voorbeeld: deze bijeenkomst is nog niet gepubliceerd." in client.get(f"/gatherings/{gathering.slug}").text
    assert app.test_client().get(f"/gatherings/{gathering.slug}").status_code == 404


def test_create_in_winter_and_mixed_with_allotments(client, organiser):
    response = client.post("/organise/gatherings/new", data=_form(
        kind="mixed", slug="gemengd-januari", capacity="12", allot_lived="4", allot_relatives="4",
        allot_professionals="4", organiser_ids=[str(organiser.id)]))
    assert response.status_code == 303
    gathering = db.session.scalars(sa.select(Gathering)).one()
    assert gathering.starts_at == datetime(2027, 1, 12, 13, 0, tzinfo=UTC)  # winter time: UTC+1
    assert (gathering.allot_lived, gathering.allot_relatives, gathering.allot_professionals) == (4, 4, 4)


def test_edit_form_shows_times_in_amsterdam(client, published):
    published.starts_at = datetime(2027, 7, 1, 17, 30, tzinfo=UTC)
    published.ends_at = datetime(2027, 7, 1, 19, 0, tzinfo=UTC)
    db.session.commit()
    page = Page(client.get(f"/organise/gatherings/{published.slug}/edit").get_data(as_text=True))
    assert page.by_id("starts_at").get("value") == "2027-07-01T19:30"
    assert page.by_id("ends_at").get("value") == "2027-07-01T21:00"


def test_slugs_made_from_titles_do_not_collide(client, organiser):
    for _ in range(2):
        assert client.post("/organise/gatherings/new", data=_form(
            title="Café Ontmoeting", organiser_ids=[str(organiser.id)])).status_code == 303
    slugs = sorted(db.session.scalars(sa.select(Gathering.slug)))
    assert slugs == ["cafe-ontmoeting", "cafe-ontmoeting-2"]


BAD_INPUT = [
    ("ends_at", dict(ends_at="2027-01-12T13:00"), "Het einde moet na het begin liggen.", "2027-01-12T13:00"),
    ("starts_at", dict(starts_at="morgen"), "Vul een datum en tijd in", "morgen"),
    ("capacity", dict(capacity="dertig"), "Vul een heel getal in", "dertig"),
    ("capacity", dict(capacity="-3"), "Vul een aantal van 0 tot 100000 in.", "-3"),
    ("title", dict(title=""), "Vul een titel in.", None),
    ("slug", dict(slug="Mijn Bijeenkomst!"), "Gebruik alleen kleine letters, cijfers en streepjes", "mijn bijeenkomst!"),
    ("allot_lived", dict(kind="mixed", capacity="12", allot_lived="4", allot_relatives="4", allot_professionals="5"),
     "De plekken per groep tellen op tot 13, maar het aantal plekken is 12.", "4"),
    ("allot_relatives", dict(kind="mixed", capacity="12", allot_lived="4", allot_professionals="4"),
     "Vul bij een gemengde sessie het aantal plekken voor deze groep in.", ""),
    ("registration_closes_at", dict(registration_opens_at="2027-01-05T10:00", registration_closes_at="2027-01-04T10:00"),
     "De aanmelding moet sluiten na het moment dat ze opengaat.", "2027-01-04T10:00"),
    ("registration_opens_at", dict(registration_opens_at="2027-01-13T10:00"),
     "De aanmelding moet opengaan voordat de bijeenkomst begint.", "2027-01-13T10:00"),
    ("venue_name", dict(venue_name="", online_url=""), "Vul de plek in, of een link", ""),
    ("online_url", dict(online_url="meet dot example"), "Dit is geen geldige link.", "meet dot example"),
    ("contact_email", dict(contact_email="info-at-voorbeeld"), "Dit is geen geldig e-mailadres.", "info-at-voorbeeld"),
    ("reminder_days", dict(reminder_days="90"), "Vul een aantal dagen van 0 tot 60 in.", "90"),
    ("kind", dict(kind="feest"), None, None),
    ("theme_id", dict(theme_id="999"), None, None),
]


@pytest.mark.parametrize("field,changes,message,kept", BAD_INPUT, ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_INPUT)])
def test_create_bad_input(client, organiser, field, changes, message, kept):
    data = _form(title="Mijn titel blijft staan", organiser_ids=[str(organiser.id)])
    data.update(changes)
    response = client.post("/organise/gatherings/new", data=data)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    field_id = f"{field}-0" if field == "kind" else field
    error = page.error_for(field_id)
    assert error, f"no message linked to {field}"
    if message:
        assert message in error
    if kept is not None and field != "kind":
        assert page.by_id(field).get("value") == kept
    if field != "title":
        assert page.by_id("title").get("value") == "Mijn titel blijft staan"
    assert page.find("div", class_="error-summary") is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Gathering)) == 0


def test_slug_already_taken(client, organiser, published):
    response = client.post("/organise/gatherings/new", data=_form(slug=published.slug, organiser_ids=[str(organiser.id)]))
    assert response.status_code == 422
    assert "Dit webadres is al in gebruik." in Page(response.get_data(as_text=True)).error_for("slug")


def test_an_organiser_must_keep_themselves_and_someone(client, organiser):
    other = make_organiser("b@voorbeeld.nl")
    login_as(client, organiser)
    response = client.post("/organise/gatherings/new", data=_form(organiser_ids=[str(other.id)]))
    assert response.status_code == 422
    assert "Laat uzelf aangevinkt." in response.get_data(as_text=True)
    response = client.post("/organise/gatherings/new", data=_form())
    assert "Kies minstens één organisator." in response.get_data(as_text=True)


# -- edit ----------------------------------------------------------------------

def test_changing_date_of_published_gathering_raises_sequence_and_tells_attendees(client, published):
    make_registration(published)
    sequence = published.sequence
    was = {"starts_at": published.starts_at, "ends_at": published.ends_at}
    data = _edit_form(published, starts_at="2027-03-01T10:00", ends_at="2027-03-01T12:00")
    with caught(signals.gathering_changed) as sent:
        response = client.post(f"/organise/gatherings/{published.slug}/edit", data=data)
    assert response.status_code == 303
    gathering = _reload(published)
    assert gathering.starts_at == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert gathering.sequence == sequence + 1
    assert len(sent) == 1
    assert sent[0][0].id == gathering.id and sent[0][1]["changes"] == ["starts_at", "ends_at"]
    assert sent[0][1]["before"] == was
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De aangemelde mensen krijgen een e-mail met de nieuwe gegevens." in page


def test_changing_place_sends_the_place_fields(client, published):
    data = _edit_form(published, venue_name="Wijkcentrum", venue_city="Amersfoort")
    with caught(signals.gathering_changed) as sent:
        assert client.post(f"/organise/gatherings/{published.slug}/edit", data=data).status_code == 303
    assert sent[0][1]["changes"] == ["venue_name", "venue_city"]
    assert sent[0][1]["before"] == {"venue_name": "Buurthuis", "venue_city": "Utrecht"}


def test_changing_the_text_raises_sequence_so_calendars_update(client, published):
    """Title and description show in every calendar: the invitation is updated (issue 9, calendars 7)."""
    sequence = published.sequence
    data = _edit_form(published, title="Nieuwe titel", description="Andere tekst")
    with caught(signals.gathering_changed) as sent:
        assert client.post(f"/organise/gatherings/{published.slug}/edit", data=data).status_code == 303
    gathering = _reload(published)
    assert gathering.title == "Nieuwe titel" and gathering.sequence == sequence + 1
    assert sent[0][1]["changes"] == ["title", "description"]


def test_changing_what_no_calendar_shows_tells_nobody(client, published):
    sequence = published.sequence
    with caught(signals.gathering_changed) as sent:
        assert client.post(f"/organise/gatherings/{published.slug}/edit",
                           data=_edit_form(published, capacity="20")).status_code == 303
    assert _reload(published).sequence == sequence
    assert sent == []


def test_changing_a_draft_tells_nobody(client, organiser):
    draft = make_gathering(status="draft")
    organiser.gatherings.append(draft)
    db.session.commit()
    with caught(signals.gathering_changed) as sent:
        response = client.post(f"/organise/gatherings/{draft.slug}/edit",
                               data=_edit_form(draft, starts_at="2027-03-01T10:00", ends_at="2027-03-01T12:00"))
    assert response.status_code == 303
    assert sent == [] and _reload(draft).sequence == 0


def test_raising_capacity_gives_waiting_people_a_seat(client, published):
    make_registration(published)
    make_registration(published)
    waiting = make_registration(published)
    assert waiting.status == "waitlisted"
    response = client.post(f"/organise/gatherings/{published.slug}/edit", data=_edit_form(published, capacity="3"))
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status == "confirmed"
    assert "1 persoon van de wachtlijst heeft nu een plek." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_capacity_cannot_go_below_confirmed(client, published):
    make_registration(published)
    make_registration(published)
    response = client.post(f"/organise/gatherings/{published.slug}/edit", data=_edit_form(published, capacity="1"))
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert "Er zijn al 2 plekken bezet." in page.error_for("capacity")
    assert page.by_id("capacity").get("value") == "1"
    assert _reload(published).capacity == 2


def test_allotment_cannot_go_below_confirmed_in_its_group(client, organiser):
    mixed = make_gathering(kind="mixed")
    organiser.gatherings.append(mixed)
    db.session.commit()
    make_registration(mixed, perspective="relative")
    make_registration(mixed, perspective="relative")
    response = client.post(f"/organise/gatherings/{mixed.slug}/edit", data=_edit_form(
        mixed, allot_relatives="1", allot_lived="3"))
    assert response.status_code == 422
    assert "Er zijn in deze groep al 2 plekken bezet." in Page(response.get_data(as_text=True)).error_for("allot_relatives")


def test_kind_cannot_change_once_people_registered(client, published):
    make_registration(published)
    response = client.post(f"/organise/gatherings/{published.slug}/edit", data=_edit_form(
        published, kind="mixed", allot_lived="1", allot_relatives="1", allot_professionals="0"))
    assert response.status_code == 422
    assert "De soort kan niet meer veranderen" in Page(response.get_data(as_text=True)).error_for("kind-0")


def test_slug_of_published_gathering_stays(client, published):
    response = client.post(f"/organise/gatherings/{published.slug}/edit", data=_edit_form(published, slug="iets-anders"))
    assert response.status_code == 422
    assert "kan niet meer veranderen" in response.get_data(as_text=True)
    assert _reload(published).slug != "iets-anders"


def test_service_refuses_capacity_below_confirmed_under_the_lock(app, published):
    """The form checks first, but a registration can land between form and save: the service checks again."""
    from gatherings.organise import services
    make_registration(published)
    make_registration(published)
    values = {k: getattr(published, k) for k in services.EDITABLE_FIELDS}
    values["capacity"] = 1
    with pytest.raises(services.GatheringRefused) as refused:
        locked_call(services.update_gathering, published, values)
    assert refused.value.field == "capacity"


# -- duplicate, publish, cancel ------------------------------------------------

def test_duplicate_makes_a_draft_copy_with_the_same_organisers(client, organiser, published):
    co = make_organiser("c@voorbeeld.nl", gatherings=[published])
    login_as(client, organiser)
    response = client.post(f"/organise/gatherings/{published.slug}/duplicate")
    assert response.status_code == 303
    copy = db.session.scalars(sa.select(Gathering).where(Gathering.id != published.id)).one()
    assert response.headers["Location"] == f"/organise/gatherings/{copy.slug}/edit"
    assert copy.slug == f"{published.slug}-kopie" and copy.status == "draft" and copy.sequence == 0
    assert copy.title == "Thuis in de wijk (kopie)"
    assert copy.capacity == published.capacity and copy.venue_name == published.venue_name
    assert {o.email for o in copy.organisers} == {organiser.email, co.email}


def test_publish_draft(client, organiser):
    draft = make_gathering(status="draft")
    organiser.gatherings.append(draft)
    db.session.commit()
    response = client.post(f"/organise/gatherings/{draft.slug}/publish")
    assert response.status_code == 303
    assert _reload(draft).status == "published"
    assert client.get(f"/gatherings/{draft.slug}").status_code == 200


def test_cancelled_gathering_cannot_be_published_or_edited(client, organiser):
    gone = make_gathering(status="cancelled")
    organiser.gatherings.append(gone)
    db.session.commit()
    response = client.post(f"/organise/gatherings/{gone.slug}/publish")
    assert response.status_code == 409
    assert "kan niet meer gepubliceerd worden" in response.get_data(as_text=True)
    response = client.post(f"/organise/gatherings/{gone.slug}/edit", data=_edit_form(gone))
    assert response.status_code == 303 and _reload(gone).status == "cancelled"


def test_cancel_tells_registrants_with_the_message(client, published):
    make_registration(published)
    sequence = published.sequence
    with caught(signals.gathering_cancelled) as sent:
        response = client.post(f"/organise/gatherings/{published.slug}/cancel", data={
            "message": "De zaal is onder water gelopen. We zoeken een nieuwe datum.", "confirm": "y"})
    assert response.status_code == 303
    gathering = _reload(published)
    assert gathering.status == "cancelled" and gathering.sequence == sequence + 1
    assert len(sent) == 1
    assert sent[0][1] == {"message": "De zaal is onder water gelopen. We zoeken een nieuwe datum."}
    assert "Deze bijeenkomst gaat niet door." in client.get(f"/gatherings/{published.slug}").get_data(as_text=True)


def test_cancel_needs_the_confirmation_and_keeps_the_message(client, published):
    with caught(signals.gathering_cancelled) as sent:
        response = client.post(f"/organise/gatherings/{published.slug}/cancel", data={"message": "Helaas, ziek."})
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert "Vink aan dat de bijeenkomst niet doorgaat." in page.error_for("confirm")
    assert page.by_id("message").text == "Helaas, ziek."
    assert sent == [] and _reload(published).status == "published"


def test_cancel_message_too_long(client, published):
    response = client.post(f"/organise/gatherings/{published.slug}/cancel", data={"message": "x" * 3001, "confirm": "y"})
    assert response.status_code == 422
    assert "hoogstens 3000 tekens" in Page(response.get_data(as_text=True)).error_for("message")


def test_cancel_twice_or_a_draft(client, organiser, published):
    draft = make_gathering(status="draft")
    organiser.gatherings.append(draft)
    db.session.commit()
    with caught(signals.gathering_cancelled) as sent:
        assert client.post(f"/organise/gatherings/{draft.slug}/cancel", data={"confirm": "y"}).status_code == 303
        assert client.post(f"/organise/gatherings/{published.slug}/cancel", data={"confirm": "y"}).status_code == 303
        again = client.post(f"/organise/gatherings/{published.slug}/cancel", data={"confirm": "y"})
    assert again.status_code == 409 and "al afgelast" in again.get_data(as_text=True)
    assert [s.id for s, _ in sent] == [published.id]  # nobody registered for a draft
