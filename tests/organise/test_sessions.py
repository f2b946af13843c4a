"""Logging out ends the session on the server: a copy of the cookie (a shared door phone) opens nothing
afterwards. "Log out on all devices", a new password and a switched-off account end every session."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.organise.models import Organiser, OrganiserSession
from gatherings.timeutil import utcnow
from tests.factories import login_as, make_organiser

PASSWORD = "een goed wachtwoord"
DASHBOARD = "Ingelogd als piet@voorbeeld.nl"
LOGIN_PAGE = "Inloggen voor organisatoren"


def _log_in(app, email="piet@voorbeeld.nl", password=PASSWORD):
    """A browser of its own that logged in through the form."""
    browser = app.test_client()
    response = browser.post("/organise/login", data={"email": email, "password": password})
    assert response.status_code == 303
    return browser


def _copy(app, browser):
    """Another browser with a copy of ``browser``'s session cookie."""
    copy = app.test_client()
    copy.set_cookie("session", browser.get_cookie("session").value)
    return copy


def _opens_dashboard(browser) -> bool:
    response = browser.get("/organise/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert (DASHBOARD in page) != (LOGIN_PAGE in page), page  # the one or the other, never both
    return DASHBOARD in page


def _sessions_of(organiser) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OrganiserSession)
                             .where(OrganiserSession.organiser_id == organiser.id))


def test_a_copied_cookie_opens_nothing_after_logging_out(app):
    organiser = make_organiser("piet@voorbeeld.nl")
    door_phone = _log_in(app)
    copied = _copy(app, door_phone)
    assert _opens_dashboard(copied)  # the copy works while the session lasts
    assert door_phone.post("/organise/logout").status_code == 303
    assert not _opens_dashboard(door_phone)
    assert not _opens_dashboard(copied)
    assert _sessions_of(organiser) == 0


def test_logging_out_ends_only_that_session(app):
    make_organiser("piet@voorbeeld.nl")
    laptop = _log_in(app)
    door_phone = _log_in(app)
    door_phone.post("/organise/logout")
    assert _opens_dashboard(laptop)
    assert not _opens_dashboard(door_phone)


def test_log_out_on_all_devices_ends_every_session_of_the_account(app):
    organiser = make_organiser("piet@voorbeeld.nl")
    other = make_organiser("jan@voorbeeld.nl")
    door_phone = _log_in(app)
    copied = _copy(app, door_phone)
    laptop = _log_in(app)
    jan = _log_in(app, "jan@voorbeeld.nl")
    page = laptop.get("/organise/password").get_data(as_text=True)
    assert "Log uit op alle apparaten" in page
    response = laptop.post("/organise/logout/everywhere", follow_redirects=True)
    assert "U bent op alle apparaten uitgelogd." in response.get_data(as_text=True)
    for browser in (door_phone, copied, laptop):
        assert not _opens_dashboard(browser)
    assert _sessions_of(organiser) == 0
    # Another account is not touched.
    assert "Ingelogd als jan@voorbeeld.nl" in jan.get("/organise/").get_data(as_text=True)
    assert _sessions_of(other) == 1
    # Logging in again works.
    assert _opens_dashboard(_log_in(app))


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app):
    make_organiser("piet@voorbeeld.nl")
    door_phone = _log_in(app)
    laptop = _log_in(app)
    old_cookie = _copy(app, laptop)
    response = laptop.post("/organise/password", data={
        "current_password": PASSWORD, "new_password": "nog een beter wachtwoord",
        "confirm": "nog een beter wachtwoord"})
    assert response.status_code == 303
    assert _opens_dashboard(laptop)
    assert not _opens_dashboard(door_phone)
    assert not _opens_dashboard(old_cookie)  # this browser went on in a new session, the old one ended


def test_an_admin_giving_a_new_password_ends_the_organisers_sessions(app):
    make_organiser("piet@voorbeeld.nl")
    organiser = db.session.scalars(sa.select(Organiser).where(Organiser.email == "piet@voorbeeld.nl")).one()
    door_phone = _log_in(app)
    admin = make_organiser("beheer@voorbeeld.nl", admin=True)
    admin_browser = app.test_client()
    login_as(admin_browser, admin)
    response = admin_browser.post(f"/organise/admin/organisers/{organiser.id}/password",
                                  data={"password": "fiets paraplu kikker"})
    assert response.status_code == 303
    assert not _opens_dashboard(door_phone)


def test_switching_an_account_off_ends_its_sessions_and_on_again_does_not_revive_them(app):
    organiser = make_organiser("piet@voorbeeld.nl")
    door_phone = _log_in(app)
    admin = make_organiser("beheer@voorbeeld.nl", admin=True)
    admin_browser = app.test_client()
    login_as(admin_browser, admin)
    admin_browser.post(f"/organise/admin/organisers/{organiser.id}/active", data={"value": "0"})
    assert not _opens_dashboard(door_phone)
    admin_browser.post(f"/organise/admin/organisers/{organiser.id}/active", data={"value": "1"})
    assert not _opens_dashboard(door_phone)


def test_a_session_ends_after_its_lifetime(app):
    organiser = make_organiser("piet@voorbeeld.nl")
    browser = _log_in(app)
    db.session.execute(sa.update(OrganiserSession).values(created_at=utcnow() - timedelta(days=7, minutes=1)))
    db.session.commit()
    assert not _opens_dashboard(browser)
    _log_in(app)  # a new login clears sessions past their lifetime
    assert _sessions_of(organiser) == 1


def test_the_cookie_carries_a_secret_the_database_only_has_a_hash_of(app):
    organiser = make_organiser("piet@voorbeeld.nl")
    browser = _log_in(app)
    with browser.session_transaction() as session:
        secret = session["_user_id"]
    assert secret != organiser.session_token and str(organiser.id) != secret
    stored = db.session.scalars(sa.select(OrganiserSession.secret_hash)).one()
    assert secret not in stored and len(stored) == 64


@pytest.mark.parametrize("value", ["", "x" * 43, "x" * 500, "1"])
def test_a_made_up_session_opens_nothing(app, value):
    make_organiser("piet@voorbeeld.nl")
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = value
    assert not _opens_dashboard(browser)


def test_log_out_on_all_devices_needs_the_csrf_token(make_app, app):
    strict = make_app(WTF_CSRF_ENABLED=True)
    make_organiser("piet@voorbeeld.nl")
    browser = strict.test_client()
    page = browser.get("/organise/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert browser.post("/organise/login", data={
        "email": "piet@voorbeeld.nl", "password": PASSWORD, "csrf_token": token}).status_code == 303
    assert browser.post("/organise/logout/everywhere").status_code == 400
    assert _opens_dashboard(browser)
    page = browser.get("/organise/password").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.split("logout/everywhere")[1]).group(1)
    assert browser.post("/organise/logout/everywhere", data={"csrf_token": token}).status_code == 303
    assert not _opens_dashboard(browser)
