"""A double click on the registration form: the second request leaves before the first answer arrives.

Both carry the same session cookie (the one set when the page was loaded), not
the session update of the first answer. The browser shows the answer to the
second; it must be the person's own result page, and the person gets one mail.
"""
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gatherings.database import unit_of_work
from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.registration import services
from gatherings.registration.models import Registration
from gatherings.timeutil import utcnow
from tests.factories import locked_call, make_gathering, make_registration
from tests.htmlpage import Page

from .test_views import GOOD, token_from

SESSION = "session"


@pytest.fixture
def csrf_app(make_app):
    """The same database, with CSRF protection on as in production."""
    return make_app(WTF_CSRF_ENABLED=True)


def registrations() -> list[Registration]:
    db.session.rollback()  # a fresh snapshot: see what the requests of the other app committed
    return list(db.session.scalars(sa.select(Registration).order_by(Registration.id)))


def outbox() -> list[tuple[str, str]]:
    db.session.rollback()  # a fresh snapshot: see what the requests of the other app committed
    return [(m.kind, m.to_address) for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def load_form(client, slug: str, **changes) -> dict:
    """Load the gathering page as a browser does; the form data with the page's CSRF token."""
    page = Page(client.get(f"/gatherings/{slug}").text)
    return {**GOOD, **changes, "csrf_token": page.find("input", name="csrf_token").get("value")}


def same_browser(app, client):
    """A second client with ``client``'s cookies as they are now: a request sent before any answer came back."""
    twin = app.test_client()
    cookie = client.get_cookie(SESSION)
    assert cookie is not None, "the page set no session cookie"
    twin.set_cookie(SESSION, cookie.value, domain=cookie.domain or "localhost", path=cookie.path or "/")
    return twin


@pytest.fixture
def slug(app):
    return make_gathering().slug


def test_double_click_gives_both_answers_the_own_result_page_and_one_mail(csrf_app, slug):
    browser = csrf_app.test_client()
    form = load_form(browser, slug)
    second_click = same_browser(csrf_app, browser)  # left before the first answer (with its cookie) arrived

    first = browser.post(f"/gatherings/{slug}/register", data=form)
    second = second_click.post(f"/gatherings/{slug}/register", data=form)

    assert first.status_code == second.status_code == 303
    token = token_from(first)
    assert token_from(second) == token
    assert len(registrations()) == 1
    assert outbox() == [("confirmed", GOOD["email"])]  # the confirmation, and no "already registered" mail
    # The answer the browser shows leads to the registration. Nothing is stored in the session for it:
    # the same session's secret is what recognises the browser (also for a click much later).
    assert "U bent aangemeld." in Page(second_click.get(second.headers["Location"]).text).text
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers
    later = browser.post(f"/gatherings/{slug}/register", data={**form, "name": "Anna (nog een keer)"})
    assert token_from(later) == token and "new" not in later.headers["Location"]
    assert len(registrations()) == 1 and registrations()[0].name == GOOD["name"]  # the second form changed nothing


def test_double_click_arriving_in_either_order_and_a_third_click(csrf_app, slug):
    """Whichever request the server decides first, the other is known as the same submission."""
    browser = csrf_app.test_client()
    form = load_form(browser, slug)
    clicks = [same_browser(csrf_app, browser) for _ in range(3)]
    answers = [c.post(f"/gatherings/{slug}/register", data=form) for c in reversed(clicks)]
    assert {token_from(a) for a in answers} == {registrations()[0].token}
    assert [kind for kind, _ in outbox()] == ["confirmed"]


def test_a_stranger_with_the_same_address_still_sees_nothing_and_the_owner_is_mailed(csrf_app, slug):
    owner = csrf_app.test_client()
    token = token_from(owner.post(f"/gatherings/{slug}/register", data=load_form(owner, slug)))
    stored_key = registrations()[0].submission_key
    assert stored_key and len(stored_key) == 64

    stranger = csrf_app.test_client()  # another browser: its own session, its own CSRF secret
    answer = stranger.post(f"/gatherings/{slug}/register", data=load_form(stranger, slug, name="Iemand anders"))
    assert answer.status_code == 200
    text = Page(answer.text).text
    assert "Kijk in uw e-mail." in text and token not in answer.text and "/r/" not in answer.text
    assert outbox() == [("confirmed", GOOD["email"]), ("duplicate", GOOD["email"])]
    assert len(registrations()) == 1 and registrations()[0].submission_key == stored_key


def test_the_owners_form_data_and_token_are_no_use_in_another_session(csrf_app, slug):
    """The key is the session's secret: the form (with its CSRF token) sent from another session is refused."""
    owner = csrf_app.test_client()
    form = load_form(owner, slug)
    token_from(owner.post(f"/gatherings/{slug}/register", data=form))
    stranger = csrf_app.test_client()
    stranger.get(f"/gatherings/{slug}")  # a session of its own
    assert stranger.post(f"/gatherings/{slug}/register", data=form).status_code == 400
    assert len(registrations()) == 1 and [kind for kind, _ in outbox()] == ["confirmed"]


def test_the_key_belongs_to_one_gathering(csrf_app, app):
    """The same browser registering the same address for two gatherings stores two different keys."""
    slugs = [make_gathering().slug, make_gathering().slug]
    browser = csrf_app.test_client()
    for slug in slugs:
        assert browser.post(f"/gatherings/{slug}/register", data=load_form(browser, slug)).status_code == 303
    keys = [r.submission_key for r in registrations()]
    assert len(set(keys)) == 2 and all(keys)


def test_a_client_without_a_session_secret_has_no_key(client, slug):
    """CSRF off and no page loaded (as API-like clients and most tests post): no key, the old behaviour."""
    token_from(client.post(f"/gatherings/{slug}/register", data=GOOD))
    assert registrations()[0].submission_key is None
    other = client.application.test_client()
    assert other.post(f"/gatherings/{slug}/register", data=GOOD).status_code == 200
    assert [kind for kind, _ in outbox()] == ["confirmed", "duplicate"]


# --- the service ---------------------------------------------------------------------------------------------


def applicant(key=None, **changes):
    return services.Applicant(**{"name": "Anna", "email": "anna@voorbeeld.nl", "consent_version": "test",
                                 "submission_key": key, **changes})


def test_service_knows_a_repeated_submission_only_by_its_own_key(app):
    g = make_gathering()
    first = locked_call(services.register, g, applicant("a" * 64))
    assert first.created and not first.repeated and first.registration.submission_key == "a" * 64
    again = locked_call(services.register, g, applicant("a" * 64, email=" ANNA@voorbeeld.nl"))
    assert (again.created, again.repeated, again.registration.id) == (False, True, first.registration.id)
    for other in ("b" * 64, None, ""):
        result = locked_call(services.register, g, applicant(other))
        assert (result.created, result.repeated) == (False, False)


def test_service_without_keys_never_calls_it_repeated(app):
    """Organiser adds and walk-ins have no key; two of them for one address are not the same submission."""
    g = make_gathering()
    locked_call(services.register, g, applicant(), source="organiser")
    result = locked_call(services.register, g, applicant(), source="walk_in")
    assert (result.created, result.repeated) == (False, False)
    assert result.registration.submission_key is None


# --- forgetting it ---------------------------------------------------------------------------------------------


def test_purge_and_erase_forget_the_submission_key(app):
    from gatherings.my import services as my_services
    from gatherings.privacy import services as privacy

    old, current = make_gathering(), make_gathering()
    purged = locked_call(services.register, old, applicant("c" * 64, email="oud@voorbeeld.nl")).registration
    erased = locked_call(services.register, current, applicant("d" * 64, email="weg@voorbeeld.nl")).registration
    db.session.commit()
    old.starts_at = utcnow() - timedelta(days=app.config["RETENTION_DAYS"] + 2)
    old.ends_at = old.starts_at + timedelta(hours=2)
    db.session.commit()

    # The export shows what the person gave and what happened to it; this key is neither (nor is email_key).
    exported = json.dumps(my_services.export_data("weg@voorbeeld.nl"))
    assert "Anna" in exported and "d" * 64 not in exported

    with unit_of_work():
        assert privacy.purge() == 1
        assert my_services.erase("weg@voorbeeld.nl") == 1
    for registration in (purged, erased):
        db.session.refresh(registration)
        assert registration.anonymised_at is not None and registration.submission_key is None
