"""The registration form and the personal page, through HTTP as a browser uses them."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.registration.models import Registration
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration
from tests.htmlpage import Page

GOOD = {
    "name": "Anna de Vries",
    "email": "anna@voorbeeld.nl",
    "perspective": "relative",
    "organisation": "Stichting Naast",
    "needs": "Een rustige plek",
    "consent": "y",
}


def register(client, gathering, **changes):
    data = {**GOOD, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/gatherings/{gathering.slug}/register", data=data)


def registrations() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Registration).order_by(Registration.id)))


def token_from(response) -> str:
    assert response.status_code == 303, response.status_code
    match = re.match(r"^(?:https?://[^/]+)?/r/([A-Za-z0-9_-]+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


# --- the good paths ---------------------------------------------------------------------------------------------


def test_register_confirmed_shows_result_with_personal_link(client):
    g = make_gathering(capacity=5, title="Kijkje in de keuken")
    response = register(client, g)
    token = token_from(response)
    assert "new=1" in response.headers["Location"]

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    text = Page(page.text).text
    assert "Gelukt. U bent aangemeld." in text
    assert "Kijkje in de keuken" in text
    assert f"/r/{token}" in text  # the personal link, readable and clickable
    assert Page(page.text).find("a", href=f"http://gatherings.test/r/{token}") is not None  # BASE_URL
    assert page.headers["Cache-Control"] == "private, no-store"

    [reg] = registrations()
    assert (reg.status, reg.name, reg.email, reg.perspective, reg.organisation, reg.needs) == (
        "confirmed", "Anna de Vries", "anna@voorbeeld.nl", "relative", "Stichting Naast", "Een rustige plek")
    assert reg.consent_at is not None and reg.consent_version


def test_register_waitlisted_tells_the_position_in_words(client):
    g = make_gathering(capacity=1)
    make_registration(g)
    make_registration(g)  # already one waiting
    page = client.get(register(client, g).headers["Location"])
    text = Page(page.text).text
    assert "U staat op de wachtlijst." in text
    assert "U bent nummer 2 op de wachtlijst." in text
    assert "Komt er een plek vrij, dan krijgt u die meteen." in text


def test_full_gathering_offers_the_waiting_list_on_the_button(client):
    g = make_gathering(capacity=1)
    make_registration(g)
    page = Page(client.get(f"/gatherings/{g.slug}").text)
    assert page.find("button", type="submit").text == "Aanmelden voor de wachtlijst"


def test_mixed_session_needs_a_perspective_and_places_per_group(client):
    g = make_gathering(kind="mixed", allot_lived=1, allot_relatives=1, allot_professionals=1, capacity=3)
    form = Page(client.get(f"/gatherings/{g.slug}").text)
    values = [i.get("value") for i in form.find_all("input", name="perspective")]
    assert "not_said" not in values  # "zeg ik liever niet" is no answer where seats depend on it
    assert all(i.get("required") is not None for i in form.find_all("input", name="perspective"))

    relative = client.get(register(client, g, perspective="relative").headers["Location"])
    assert "U bent aangemeld." in Page(relative.text).text
    # The relatives' seat is taken: the next relative waits, a professional still gets in.
    second = client.get(register(client, g, email="b@voorbeeld.nl", perspective="relative").headers["Location"])
    assert "U bent nummer 1 op de wachtlijst." in Page(second.text).text
    pro = client.get(register(client, g, email="c@voorbeeld.nl", perspective="professional").headers["Location"])
    assert "U bent aangemeld." in Page(pro.text).text
    assert [r.status for r in registrations()] == ["confirmed", "waitlisted", "confirmed"]


def test_perspective_is_optional_elsewhere_and_not_said_is_stored_as_nothing(client):
    g = make_gathering()
    token_from(register(client, g, perspective="not_said"))
    token_from(register(client, g, email="b@voorbeeld.nl", perspective=None))
    assert [r.perspective for r in registrations()] == [None, None]


def test_personal_page_shows_status_and_details(client):
    g = make_gathering(title="Thuis in de wijk")
    reg = make_registration(g, name="Bram", email="bram@voorbeeld.nl")
    page = client.get(f"/r/{reg.token}")
    assert page.status_code == 200
    text = Page(page.text).text
    assert "U bent aangemeld." in text and "Gelukt" not in text  # only right after registering
    assert "Bram" in text and "bram@voorbeeld.nl" in text and "Thuis in de wijk" in text
    assert page.headers["X-Robots-Tag"] == "noindex"


def test_unknown_or_malformed_token_is_404(client):
    make_registration(make_gathering())
    assert client.get("/r/" + "A" * 43).status_code == 404
    assert client.get("/r/" + "A" * 500).status_code == 404
    assert client.get("/r/x/cancel").status_code == 404
    assert client.post("/r/" + "A" * 43 + "/cancel", data={"confirm": "yes"}).status_code == 404
    assert "Deze pagina bestaat niet" in client.get("/r/nope").text


def test_cancel_asks_first_then_cancels_and_the_first_waiting_gets_the_seat(client):
    g = make_gathering(capacity=1, title="Samen koken")
    seated = make_registration(g)
    waiting = make_registration(g)

    # The personal page offers cancelling; following it shows a confirmation step, nothing changes yet.
    page = Page(client.get(f"/r/{seated.token}").text)
    form = [f for f in page.find_all("form") if f.get("action") == f"/r/{seated.token}/cancel"]
    assert form and form[0].get("method") == "get"
    confirm = client.get(f"/r/{seated.token}/cancel")
    assert confirm.status_code == 200
    confirm_page = Page(confirm.text)
    assert "Weet u zeker dat u uw aanmelding voor Samen koken wilt annuleren?" in confirm_page.text
    post_form = confirm_page.find("form", method="post")
    assert post_form.get("action") == f"/r/{seated.token}/cancel"
    assert post_form.find("input", name="confirm").get("value") == "yes"
    assert [r.status for r in registrations()] == ["confirmed", "waitlisted"]

    # A POST without the confirmation (a link preview, a stray request) only shows the question again.
    again = client.post(f"/r/{seated.token}/cancel")
    assert again.status_code == 200 and "Weet u zeker" in again.text
    assert [r.status for r in registrations()] == ["confirmed", "waitlisted"]

    done = client.post(f"/r/{seated.token}/cancel", data={"confirm": "yes"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/r/{seated.token}")
    shown = Page(client.get(done.headers["Location"]).text).text
    assert "Uw aanmelding is geannuleerd." in shown
    assert "Deze aanmelding is geannuleerd." in shown
    assert "Aanmelding annuleren" not in shown.replace("Uw aanmelding is geannuleerd.", "")
    assert [r.status for r in registrations()] == ["cancelled", "confirmed"]
    assert "U bent aangemeld." in Page(client.get(f"/r/{waiting.token}").text).text

    # Cancelling twice is harmless.
    assert client.post(f"/r/{seated.token}/cancel", data={"confirm": "yes"}).status_code == 303
    assert "al geannuleerd" in client.get(f"/r/{seated.token}/cancel").text
    assert [r.status for r in registrations()] == ["cancelled", "confirmed"]


# --- bad input: the form again, a Dutch message at the field, nothing lost, nothing written ----------------------


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


def test_same_browser_submitting_twice_sees_its_own_registration(client):
    """A double click: the second submission creates nothing and brings the same browser to the same page."""
    g = make_gathering()
    first = token_from(register(client, g))
    second = register(client, g, name="Anna (nog een keer)")
    assert token_from(second) == first
    assert "new" not in second.headers["Location"]
    assert len(registrations()) == 1 and registrations()[0].name == "Anna de Vries"


def test_address_already_registered_reveals_nothing_to_another_browser(app, client):
    """What "reveals nothing" means here.

    Someone else types an address that already has a registration. They get the
    neutral page "Aanmelding ontvangen, kijk in uw e-mail" (200), byte for byte the
    page a bot gets when it fills the honeypot: no name, status, waiting-list place,
    perspective or personal link of the existing registration, and no different
    wording for confirmed, waiting or another gathering. Nothing is stored; the
    address's owner is mailed their own link (the registration_duplicate signal).

    What it cannot hide: a fresh address gets a new registration and its result
    page (303 to /r/<token>), as the issue asks. So a stranger who submits an
    address learns whether it was new, but only by registering that person, who
    then gets a confirmation mail; the rate limit per address (10 an hour) keeps
    this from being used to test many guesses about one address.
    """
    g = make_gathering(capacity=1)
    owner = make_registration(g, email="anna@voorbeeld.nl", perspective="client")
    make_registration(g, email="wacht@voorbeeld.nl")  # on the waiting list

    duplicates = []
    signal_log = []
    from gatherings.registration import signals
    with signals.registration_duplicate.connected_to(lambda r: signal_log.append(r.id)):
        stranger = app.test_client()
        for email in ("anna@voorbeeld.nl", " ANNA@voorbeeld.nl ", "wacht@voorbeeld.nl"):
            response = register(stranger, g, email=email, name="Iemand anders")
            assert response.status_code == 200
            duplicates.append(response.text)
    bot = register(app.test_client(), g, email="nieuw@voorbeeld.nl", website="x").text
    assert duplicates[0] == duplicates[1] == duplicates[2] == bot
    text = Page(duplicates[0]).text
    assert "Kijk in uw e-mail." in text
    for secret in (owner.token, "Anna", "wachtlijst", "aangemeld", "Cliënt", "/r/"):
        assert secret not in text
    assert signal_log == [owner.id, owner.id, registrations()[1].id]
    assert len(registrations()) == 2
    # The new address gets the result page: that is the difference that remains (see docstring).
    assert register(stranger, g, email="nieuw@voorbeeld.nl").status_code == 303


def test_after_cancelling_the_address_may_register_again(client):
    g = make_gathering()
    token = token_from(register(client, g))
    client.post(f"/r/{token}/cancel", data={"confirm": "yes"})
    new_token = token_from(register(client, g))
    assert new_token != token
    assert [r.status for r in registrations()] == ["cancelled", "confirmed"]


def test_rate_limit_per_address_answers_429_in_dutch(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    with limited.app_context():
        slug = make_gathering().slug
    client = limited.test_client()
    statuses = [client.post(f"/gatherings/{slug}/register", data={**GOOD, "email": "zelfde@voorbeeld.nl"}).status_code
                for _ in range(10)]
    assert statuses == [303] * 10  # the same browser: its own registration each time
    last = client.post(f"/gatherings/{slug}/register", data={**GOOD, "email": "zelfde@voorbeeld.nl"})
    assert last.status_code == 429
    assert "Even rustig aan" in last.text


def test_empty_form_in_mixed_session_names_the_perspective_at_once(client):
    """All messages in one round: the perspective too, not only after name, address and consent are right."""
    g = make_gathering(kind="mixed")
    response = client.post(f"/gatherings/{g.slug}/register", data={})
    page = Page(response.text)
    links = [a.get("href") for a in page.by_id("error-summary").find_all("a")]
    assert links == ["#name", "#email", "#perspective-0", "#consent"]
    assert "Kies hoe u betrokken bent." in page.error_for("perspective-0")
