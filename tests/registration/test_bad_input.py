"""Bad input on the registration form: a Dutch message at the field, a 4xx and never a 500, what was typed
kept and nothing stored; refused states, the honeypot, the CSRF token, odd bytes in addresses."""
from datetime import timedelta

import pytest

from gatherings.timeutil import utcnow
from tests.factories import make_gathering
from tests.htmlpage import Page

from .test_views import GOOD, register, registrations, token_from


def assert_form_again(response, field_id, message):
    """422 with the form, the message in the element the field points to, and in the summary linking to it."""
    assert response.status_code == 422, response.status_code
    page = Page(response.text)
    assert message in page.error_for(field_id), page.error_for(field_id)
    field = page.by_id(field_id)
    if field.get("type") != "radio":
        assert field.get("aria-invalid") == "true"
    summary = page.by_id("error-summary")
    assert summary is not None and summary.get("role") == "alert"
    assert summary.find("a", href=f"#{field_id}") is not None
    assert page.find("title").text.startswith("Fout:")
    assert registrations() == []
    return page


def assert_kept(page: Page, **values):
    for field_id, value in values.items():
        el = page.by_id(field_id)
        if el.tag == "textarea":
            assert el.text == value
        elif el.get("type") in ("radio", "checkbox"):
            assert el.get("checked") is not None, field_id
        else:
            assert el.get("value") == value, (field_id, (el.get("value") or "")[:50])


def test_invalid_email(client):
    g = make_gathering()
    page = assert_form_again(register(client, g, email="anna@@voorbeeld"), "email", "Dit is geen geldig e-mailadres.")
    assert_kept(page, name="Anna de Vries", email="anna@@voorbeeld", organisation="Stichting Naast",
                needs="Een rustige plek", consent="y")
    relative = page.find("input", name="perspective", value="relative")
    assert relative.get("checked") is not None


def test_missing_consent(client):
    g = make_gathering()
    page = assert_form_again(register(client, g, consent=None), "consent", "Zonder uw toestemming kunnen we u niet aanmelden")
    assert_kept(page, name="Anna de Vries", email="anna@voorbeeld.nl")
    assert page.by_id("consent").get("checked") is None  # never ticked for them


def test_consent_is_never_pre_ticked_and_names_the_data(client):
    g = make_gathering()
    page = Page(client.get(f"/gatherings/{g.slug}").text)
    box = page.by_id("consent")
    assert box.get("type") == "checkbox" and box.get("checked") is None
    explained = page.described_by(box)
    for data in ("naam", "e-mailadres", "hoe u betrokken bent", "organisatie"):
        assert data in explained


def test_name_of_ten_thousand_characters(client):
    g = make_gathering()
    long_name = "Anna" * 2500
    page = assert_form_again(register(client, g, name=long_name), "name", "hoogstens 200 tekens")
    assert_kept(page, name=long_name, email="anna@voorbeeld.nl")


def test_empty_form_names_every_required_field(client):
    g = make_gathering()
    response = client.post(f"/gatherings/{g.slug}/register", data={})
    assert response.status_code == 422
    page = Page(response.text)
    assert "Vul uw naam in." in page.error_for("name")
    assert "Vul uw e-mailadres in." in page.error_for("email")
    assert "toestemming" in page.error_for("consent")
    links = [a.get("href") for a in page.by_id("error-summary").find_all("a")]
    assert links == ["#name", "#email", "#consent"]
    assert registrations() == []


def test_unknown_perspective(client):
    g = make_gathering()
    page = assert_form_again(register(client, g, perspective="alien"), "perspective-0", "Deze keuze kan niet")
    assert_kept(page, name="Anna de Vries", email="anna@voorbeeld.nl")


def test_missing_perspective_in_mixed_session(client):
    g = make_gathering(kind="mixed")
    page = assert_form_again(register(client, g, perspective=None), "perspective-0", "Kies hoe u betrokken bent.")
    assert_kept(page, name="Anna de Vries", email="anna@voorbeeld.nl", organisation="Stichting Naast")
    # "Zeg ik liever niet" is not accepted where the seat depends on the answer.
    assert_form_again(register(client, g, perspective="not_said"), "perspective-0", "Deze keuze kan niet")


@pytest.mark.parametrize("state, fields, message", [
    ("closed", lambda now: {"registration_closes_at": now - timedelta(minutes=1)}, "De aanmelding is gesloten."),
    ("not_yet_open", lambda now: {"registration_opens_at": now + timedelta(days=1)}, "De aanmelding is nog niet open."),
    ("past", lambda now: {"starts_at": now - timedelta(hours=1)}, "Deze bijeenkomst is al geweest."),
    ("cancelled", lambda now: {"status": "cancelled"}, "Deze bijeenkomst gaat niet door."),
])
def test_registration_outside_its_window_is_refused(client, state, fields, message):
    g = make_gathering(**fields(utcnow()))
    response = register(client, g)
    assert response.status_code == 409
    page = Page(response.text)
    assert message in page.find(role="alert").text
    assert page.find("form", method="post") is None  # no form to fill in for nothing
    assert registrations() == []


def test_draft_gathering_does_not_exist_for_the_public(client):
    g = make_gathering(status="draft")
    assert client.get(f"/gatherings/{g.slug}").status_code == 404
    assert register(client, g).status_code == 404
    assert registrations() == []


def test_get_on_the_register_address_is_not_an_error_page_of_ours(client):
    g = make_gathering()
    assert client.get(f"/gatherings/{g.slug}/register").status_code == 405


def test_honeypot_filled_stores_nothing_and_looks_like_success(client):
    """A bot that fills the hidden field gets the neutral "check your e-mail" page (200), so it learns
    nothing to adapt to; nothing is stored and no mail is caused."""
    g = make_gathering()
    response = register(client, g, website="http://spam.example")
    assert response.status_code == 200
    assert "Kijk in uw e-mail." in Page(response.text).text
    assert registrations() == []


def test_honeypot_is_hidden_from_people_and_keyboards(client):
    page = Page(client.get(f"/gatherings/{make_gathering().slug}").text)
    trap = page.by_id("website")
    assert trap.get("tabindex") == "-1" and trap.get("autocomplete") == "off"
    assert any(a.get("aria-hidden") == "true" for a in trap.ancestors())


@pytest.fixture
def csrf_app(make_app):
    """The same database, with CSRF protection on as in production."""
    return make_app(WTF_CSRF_ENABLED=True)


def test_missing_or_wrong_csrf_token_is_refused(csrf_app):
    with csrf_app.app_context():
        g = make_gathering()
        slug = g.slug
    client = csrf_app.test_client()
    response = client.post(f"/gatherings/{slug}/register", data=GOOD)
    assert response.status_code == 400
    assert "Het formulier is verlopen" in Page(response.text).text
    response = client.post(f"/gatherings/{slug}/register", data={**GOOD, "csrf_token": "forged"})
    assert response.status_code == 400
    with csrf_app.app_context():
        assert registrations() == []

    # With the token from the page it works, so the refusal above was about the token.
    form = Page(client.get(f"/gatherings/{slug}").text)
    token = form.find("input", name="csrf_token").get("value")
    ok = client.post(f"/gatherings/{slug}/register", data={**GOOD, "csrf_token": token})
    assert ok.status_code == 303
    reg_token = token_from(ok)
    # Cancelling is protected the same way.
    assert client.post(f"/r/{reg_token}/cancel", data={"confirm": "yes"}).status_code == 400
    cancel_form = Page(client.get(f"/r/{reg_token}/cancel").text).find("form", method="post")
    csrf = cancel_form.find("input", name="csrf_token").get("value")
    assert client.post(f"/r/{reg_token}/cancel", data={"confirm": "yes", "csrf_token": csrf}).status_code == 303
    with csrf_app.app_context():
        assert [r.status for r in registrations()] == ["cancelled"]


@pytest.mark.parametrize("data", [
    {"name": ["a", "b"], "email": "x@voorbeeld.nl", "consent": "y"},
    {"name": "\x00\x01", "email": "\x00@voorbeeld.nl", "consent": "y"},
    {"name": "A", "email": "a" * 300 + "@voorbeeld.nl", "consent": "y"},
    {"name": "A", "email": "a@voorbeeld.nl", "consent": "y", "perspective": "x" * 5000},
    {"name": "A", "email": "a@voorbeeld.nl", "consent": "y", "needs": "x" * 100_000},
    {"name": "🙂" * 50, "email": "ünïcode@voorbeeld.nl", "consent": "y", "perspective": "client"},
    {"name": "Anna\x00", "email": "anna@voorbeeld.nl", "consent": "y"},  # PostgreSQL refuses NUL in text
    {"name": "Anna", "email": "anna@voorbeeld.nl", "consent": "y", "organisation": "\x00"},
])
def test_odd_input_is_never_a_server_error(client, data):
    g = make_gathering()
    response = client.post(f"/gatherings/{g.slug}/register", data=data)
    assert response.status_code < 500
    if response.status_code == 400:
        assert registrations() == []


@pytest.mark.parametrize("path", ["/gatherings/a%00b", "/r/a%00b", "/r/a%00b/cancel", "/?q=%00", "/?theme=%00",
                                  "/api/v1/gatherings?q=%00", "/api/v1/gatherings/a%00"])
def test_nul_bytes_in_addresses_are_a_400_not_a_500(client, path):
    make_gathering()
    assert client.get(path).status_code == 400


# --- the same address twice --------------------------------------------------------------------------------------


def test_empty_form_in_mixed_session_names_the_perspective_at_once(client):
    """All messages in one round: the perspective too, not only after name, address and consent are right."""
    g = make_gathering(kind="mixed")
    response = client.post(f"/gatherings/{g.slug}/register", data={})
    page = Page(response.text)
    links = [a.get("href") for a in page.by_id("error-summary").find_all("a")]
    assert links == ["#name", "#email", "#perspective-0", "#consent"]
    assert "Kies hoe u betrokken bent." in page.error_for("perspective-0")
