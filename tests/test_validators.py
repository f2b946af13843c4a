"""What every form refuses, with a Dutch message at the field (gatherings/validators.py).

Names and titles of only spaces, control characters in anything that ends up in a mail
header, a calendar or a spreadsheet, consent that was not the ticked checkbox, an address
part of only digits, dates outside 2000-2100: each was stored (or a 500) before.
"""
import pytest
import sqlalchemy as sa

from gatherings.catalogue.models import Gathering, HostOrganisation, Theme
from gatherings.extensions import db
from gatherings.organise.models import Organiser
from gatherings.registration.models import Registration
from gatherings.validators import control_characters
from tests.factories import login_as, make_gathering, make_organiser
from tests.htmlpage import Page

CONTROL = ["\r", "\n", "\r\n", "\t", "\x08", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029"]
# NUL is refused before any view, with a 400 (security.py: PostgreSQL cannot store it).
# The reviewer's encoded-word name is plain text: it is the mail area's job to keep it out of headers.
ALLOWED = ["Anna de Vries", "Zoë Ünal-Çelik", "عائشة", "👩‍👩‍👧 Familie", "=?utf-8?q?Eve?="]


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def error_for(response, field_id) -> str:
    page = Page(response.text)
    field = page.by_id(field_id)
    assert field is not None and field.get("aria-invalid") == "true", field_id
    return page.error_for(field_id)


@pytest.mark.parametrize("char", CONTROL + ["\x00"])
def test_control_characters_found(char):
    assert control_characters(f"a{char}b")
    multiline = control_characters(f"a{char}b", multiline=True)
    assert bool(multiline) == (char not in ("\r", "\n", "\r\n", "\t"))


@pytest.mark.parametrize("text", ALLOWED)
def test_ordinary_text_has_none(text):
    assert control_characters(text) == []


# -- registration -------------------------------------------------------------------

GOOD = {"name": "Anna de Vries", "email": "anna@voorbeeld.nl", "perspective": "relative",
        "organisation": "", "needs": "", "consent": "y"}


def register(client, gathering, **changes):
    return client.post(f"/gatherings/{gathering.slug}/register", data={**GOOD, **changes})


@pytest.mark.parametrize("char", CONTROL)
@pytest.mark.parametrize("field", ["name", "organisation"])
def test_registration_refuses_control_characters_in_one_line_fields(client, char, field):
    g = make_gathering()
    response = register(client, g, **{field: f"Eve{char}X-Injected: yes"})
    assert response.status_code == 422
    assert "op één regel" in error_for(response, field)
    assert count(Registration) == 0


def test_registration_needs_may_have_line_breaks_but_no_other_control_characters(client):
    g = make_gathering()
    response = register(client, g, needs="Rolstoel\x1b[31m")
    assert response.status_code == 422 and "onzichtbaar teken" in error_for(response, "needs")
    assert register(client, g, needs="Rolstoel\r\nen een rustige plek").status_code == 303


@pytest.mark.parametrize("name", ALLOWED)
def test_registration_takes_names_in_any_script(client, name):
    g = make_gathering()
    assert register(client, g, name=name).status_code == 303
    assert db.session.scalar(sa.select(Registration.name)) == name


@pytest.mark.parametrize("blank", [" ", "   ", "\u00a0\u2003"])
def test_registration_refuses_a_name_of_only_spaces(client, blank):
    g = make_gathering()
    response = register(client, g, name=blank)
    assert response.status_code == 422 and "Vul uw naam in." in error_for(response, "name")
    assert count(Registration) == 0


@pytest.mark.parametrize("consent", ["false", "0", "no", "off", "", "Y", "yes", "true"])
def test_consent_is_only_the_ticked_checkbox(client, consent):
    g = make_gathering()
    response = register(client, g, consent=consent)
    assert response.status_code == 422
    assert "Zonder uw toestemming" in error_for(response, "consent")
    assert count(Registration) == 0


def test_consent_repeated_with_another_value_is_no_consent(client):
    g = make_gathering()
    response = client.post(f"/gatherings/{g.slug}/register", data={**GOOD, "consent": ["y", "false"]})
    assert response.status_code == 422 and count(Registration) == 0


# -- organiser forms ----------------------------------------------------------------

@pytest.fixture
def admin_client(app, client):
    login_as(client, make_organiser("beheer@voorbeeld.nl", admin=True))
    return client


def gathering_form(**changes):
    data = {
        "title": "Samen aan tafel", "slug": "", "kind": "theme", "theme_id": "None", "host_id": "None",
        "description": "", "starts_at": "2027-01-12T14:00", "ends_at": "2027-01-12T17:00",
        "venue_name": "Buurthuis", "venue_address": "", "venue_city": "Utrecht", "online_url": "",
        "accessibility": "", "capacity": "30", "reminder_days": "2", "contact_email": "",
    }
    data.update(changes)
    return data


def new_gathering(client, **changes):
    organiser_id = db.session.scalar(sa.select(Organiser.id))
    return client.post("/organise/gatherings/new", data={**gathering_form(**changes), "organiser_ids": [organiser_id]})


def test_gathering_form_as_sent_is_stored(admin_client):
    assert new_gathering(admin_client).status_code == 303
    assert count(Gathering) == 1


@pytest.mark.parametrize("field, value, message", [
    ("title", "   ", "Vul een titel in."),
    ("title", "Buurt\r\nsoep", "op één regel"),
    ("venue_name", "Huis\u2028X", "op één regel"),
    ("venue_city", "Utrecht\t", "op één regel"),  # a trailing tab is stripped; inside it is not
    ("venue_address", "Straat\x0b1", "op één regel"),
    ("description", "Tekst\x07", "onzichtbaar teken"),
    ("slug", "12345", "alleen cijfers"),
    ("starts_at", "0001-01-01T00:00", "tussen 2000 en 2100"),
    ("starts_at", "9999-12-31T23:59", "tussen 2000 en 2100"),
    ("ends_at", "9999-12-31T23:59", "tussen 2000 en 2100"),
    ("registration_opens_at", "0001-01-01T00:00", "tussen 2000 en 2100"),
    ("registration_closes_at", "9999-12-31T23:59", "tussen 2000 en 2100"),
    ("starts_at", "   ", "Vul in wanneer de bijeenkomst begint."),
])
def test_gathering_form_refuses_at_the_field(admin_client, field, value, message):
    if field == "venue_city":
        value = "Utr\techt"
    response = new_gathering(admin_client, **{field: value})
    assert response.status_code == 422, response.status_code
    assert message in error_for(response, field)
    assert value in response.text or value.strip() == "" or "\x0b" in value or "\x07" in value  # kept as typed
    assert count(Gathering) == 0


def test_digits_only_slug_refused_on_edit_too(admin_client):
    from tests.organise.test_gatherings import _edit_form

    gathering = make_gathering(status="draft")
    response = admin_client.post(f"/organise/gatherings/{gathering.slug}/edit",
                                 data=_edit_form(gathering, slug="2027", organiser_ids=[]))
    assert response.status_code == 422 and "alleen cijfers" in error_for(response, "slug")
    db.session.expire_all()
    assert db.session.get(Gathering, gathering.id).slug == gathering.slug


@pytest.mark.parametrize("confirm", ["false", "0", "nee"])
def test_cancelling_a_gathering_needs_the_ticked_checkbox(admin_client, confirm):
    gathering = make_gathering()
    response = admin_client.post(f"/organise/gatherings/{gathering.slug}/cancel", data={"confirm": confirm})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Gathering, gathering.id).status == "published"


@pytest.mark.parametrize("kind, model", [("themes", Theme), ("hosts", HostOrganisation)])
@pytest.mark.parametrize("data, field, message", [
    ({"name": "   ", "slug": "goed"}, "name", "Vul de naam"),
    ({"name": "Naam\r\nX-Injected: ja", "slug": "goed"}, "name", "op één regel"),
    ({"name": "Goed", "slug": "2027"}, "slug", "alleen cijfers"),
])
def test_theme_and_host_forms_refuse_at_the_field(admin_client, kind, model, data, field, message):
    response = admin_client.post(f"/organise/admin/{kind}/new", data=data)
    assert response.status_code == 422
    assert message in error_for(response, field)
    assert count(model) == 0


def test_organiser_name_refuses_control_characters(admin_client):
    before = count(Organiser)
    response = admin_client.post("/organise/admin/organisers", data={
        "email": "nieuw@voorbeeld.nl", "name": "Org\nBcc: x@evil.example", "password": "een goed wachtwoord"})
    assert response.status_code == 422 and "op één regel" in error_for(response, "name")
    assert count(Organiser) == before


# -- attendance forms ---------------------------------------------------------------

@pytest.mark.parametrize("data, field, message", [
    ({"name": "   ", "consent": "y"}, "name", "Vul de naam in."),
    ({"name": "Loop\rBinnen", "consent": "y"}, "name", "op één regel"),
    ({"name": "Loop Binnen", "organisation": "Or\u0085g", "consent": "y"}, "organisation", "op één regel"),
    ({"name": "Loop Binnen", "consent": "false"}, "consent", "Vraag of de persoon akkoord is"),
])
def test_adding_someone_by_hand_refuses_at_the_field(admin_client, data, field, message):
    gathering = make_gathering()
    response = admin_client.post(f"/organise/gatherings/{gathering.slug}/registrations/new", data=data)
    assert response.status_code == 422
    assert message in error_for(response, field)
    assert count(Registration) == 0


@pytest.mark.parametrize("data, field, message", [
    ({"subject": "Hoi\u2028Bcc: x@evil.example", "body": "x", "sender_name": "Ria"}, "subject", "op één regel"),
    ({"subject": "   ", "body": "x", "sender_name": "Ria"}, "subject", "Vul een onderwerp in."),
    ({"subject": "Hoi", "body": "   ", "sender_name": "Ria"}, "body", "Schrijf een bericht."),
    ({"subject": "Hoi", "body": "x", "sender_name": "Ria\r\nX-Injected: ja"}, "sender_name", "op één regel"),
])
def test_message_form_refuses_at_the_field(admin_client, data, field, message):
    from gatherings.mail.models import OutboxMessage

    gathering = make_gathering()
    response = admin_client.post(f"/organise/gatherings/{gathering.slug}/message", data={"audience": "all", **data})
    assert response.status_code == 422
    assert message in error_for(response, field)
    assert count(OutboxMessage) == 0


@pytest.mark.parametrize("title, slug", [("2027", "bijeenkomst-2027"), ("12 345", "12-345"),
                                         ("x" * 99 + " y", "x" * 99), ("!!!", "bijeenkomst")])
def test_a_slug_made_from_the_title_is_never_digits_only_nor_ends_in_a_dash(admin_client, title, slug):
    assert new_gathering(admin_client, title=title).status_code == 303
    gathering = db.session.scalar(sa.select(Gathering))
    assert gathering.slug == slug
    assert admin_client.get(f"/organise/gatherings/{gathering.slug}").status_code == 200
