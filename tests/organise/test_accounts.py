"""Logging in and out, changing one's password, the login rate limit, CSRF on the account forms."""
import pytest
from flask import g

from gatherings import create_app
from gatherings.extensions import db
from gatherings.organise.models import Organiser
from tests.factories import login_as, make_organiser
from tests.htmlpage import Page

PASSWORD = "een goed wachtwoord"


def _login(client, email, password=PASSWORD, **kwargs):
    g.pop("_login_user", None)
    return client.post("/organise/login", data={"email": email, "password": password}, **kwargs)


def test_login_with_right_password_opens_the_organiser_area(client, app):
    make_organiser("Piet@Voorbeeld.nl")
    response = _login(client, "  piet@voorbeeld.NL ")
    assert response.status_code == 303 and response.headers["Location"] == "/organise/"
    g.pop("_login_user", None)
    page = client.get("/organise/").get_data(as_text=True)
    assert "Ingelogd als piet@voorbeeld.nl" in page


def test_login_returns_to_the_page_asked_for_but_never_elsewhere(client, app):
    make_organiser("piet@voorbeeld.nl")
    response = _login(client, "piet@voorbeeld.nl", query_string={"next": "/organise/password"})
    assert response.headers["Location"] == "/organise/password"
    response = _login(client, "piet@voorbeeld.nl", query_string={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/organise/"


@pytest.mark.parametrize("email,password", [
    ("piet@voorbeeld.nl", "verkeerd wachtwoord"),
    ("niemand@voorbeeld.nl", PASSWORD),
])
def test_wrong_address_or_password_says_the_same_and_keeps_the_address(client, app, email, password):
    make_organiser("piet@voorbeeld.nl")
    response = _login(client, email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Het e-mailadres of het wachtwoord klopt niet." in page
    assert f'value="{email}"' in page
    assert password not in page


def test_login_form_without_values_says_what_is_missing(client, app):
    response = client.post("/organise/login", data={"email": "geen-adres", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dit is geen geldig e-mailadres" in page and "Vul uw wachtwoord in." in page
    assert 'value="geen-adres"' in page


def test_deactivated_organiser_cannot_log_in(client, app):
    make_organiser("piet@voorbeeld.nl", active=False)
    assert _login(client, "piet@voorbeeld.nl").status_code == 401


def test_logout_ends_the_session(client, app):
    make_organiser("piet@voorbeeld.nl")
    _login(client, "piet@voorbeeld.nl")
    response = client.post("/organise/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/organise/login"
    g.pop("_login_user", None)
    assert client.get("/organise/").status_code == 302


def test_logout_is_post_only(client, app):
    assert client.get("/organise/logout").status_code == 405


def test_change_password(client, app):
    organiser = make_organiser("piet@voorbeeld.nl")
    old_token = organiser.session_token
    login_as(client, organiser)
    response = client.post("/organise/password", data={
        "current_password": PASSWORD, "new_password": "nog een beter wachtwoord", "confirm": "nog een beter wachtwoord"})
    assert response.status_code == 303
    db.session.expire_all()
    organiser = db.session.get(Organiser, organiser.id)
    assert organiser.check_password("nog een beter wachtwoord")
    assert organiser.password_hash.startswith("scrypt:")
    assert organiser.session_token != old_token  # sessions elsewhere end
    g.pop("_login_user", None)
    assert client.get("/organise/").status_code == 200  # but this one goes on


def test_old_session_ends_when_password_changes_elsewhere(client, app):
    organiser = make_organiser("piet@voorbeeld.nl")
    login_as(client, organiser)
    organiser.set_password("heel iets anders nu")
    db.session.commit()
    g.pop("_login_user", None)
    assert client.get("/organise/").status_code == 302


@pytest.mark.parametrize("data,message", [
    ({"current_password": "fout wachtwoord", "new_password": "nieuw wachtwoord!", "confirm": "nieuw wachtwoord!"},
     "Dit is niet uw huidige wachtwoord."),
    ({"current_password": PASSWORD, "new_password": "kort", "confirm": "kort"},
     "Een wachtwoord heeft minstens 10 en hoogstens 200 tekens."),
    ({"current_password": PASSWORD, "new_password": "nieuw wachtwoord!", "confirm": "ander wachtwoord!"},
     "De twee wachtwoorden zijn niet gelijk."),
    ({"current_password": "", "new_password": "", "confirm": ""}, "Vul uw huidige wachtwoord in."),
])
def test_change_password_bad_input(client, app, data, message):
    organiser = make_organiser("piet@voorbeeld.nl")
    login_as(client, organiser)
    response = client.post("/organise/password", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organiser, organiser.id).check_password(PASSWORD)


# -- CSRF and rate limits need an app of their own -------------------------------------------------

@pytest.fixture
def strict_app(app_config, tmp_path):
    """The app as in production: CSRF on, login rate limits on (small, to test them)."""
    config = dict(app_config, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                  ORGANISE_LOGIN_LIMIT_ACCOUNT="3 per hour", ORGANISE_LOGIN_LIMIT_CLIENT="5 per hour",
                  ORGANISE_PASSWORD_CHECK_LIMIT="3 per hour")
    app = create_app(config)
    with app.app_context():
        if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            db.create_all()
        yield app
        db.session.remove()
        if not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            from tests.conftest import _empty_all_tables
            _empty_all_tables()
        db.engine.dispose()


def test_an_attacker_is_slowed_but_the_owner_still_logs_in_from_elsewhere(strict_app):
    client = strict_app.test_client()
    make_organiser("piet@voorbeeld.nl")
    strict_app.config["WTF_CSRF_ENABLED"] = False
    attacker = {"REMOTE_ADDR": "203.0.113.66"}
    for _ in range(3):
        assert _login(client, "piet@voorbeeld.nl", "fout wachtwoord", environ_base=attacker).status_code == 401
    # The attacker's address is slowed for this account, also with the right password ...
    response = _login(client, "piet@voorbeeld.nl", environ_base=attacker)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "Er is te vaak een verkeerd wachtwoord geprobeerd. Probeer het over 60 minuten opnieuw." in page
    assert 'value="piet@voorbeeld.nl"' in page  # the form stays, with what was typed
    # ... while the owner, from their own address, logs in as always.
    response = _login(client, "piet@voorbeeld.nl", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 303
    # Other accounts from the attacker's address are not slowed by this account's counter.
    make_organiser("jan@voorbeeld.nl")
    assert _login(client, "jan@voorbeeld.nl", environ_base=attacker).status_code == 303


def test_a_slowed_client_still_gets_the_messages_of_a_form_with_mistakes(strict_app):
    client = strict_app.test_client()
    make_organiser("piet@voorbeeld.nl")
    strict_app.config["WTF_CSRF_ENABLED"] = False
    for _ in range(3):
        _login(client, "piet@voorbeeld.nl", "fout wachtwoord")
    assert _login(client, "piet@voorbeeld.nl").status_code == 429
    response = _login(client, "piet@voorbeeld.nl", "")
    assert response.status_code == 422
    assert "Vul uw wachtwoord in." in response.get_data(as_text=True)


def test_forms_with_mistakes_do_not_count(strict_app):
    client = strict_app.test_client()
    make_organiser("piet@voorbeeld.nl")
    strict_app.config["WTF_CSRF_ENABLED"] = False
    for _ in range(10):
        assert _login(client, "", "").status_code == 422
        assert _login(client, "piet@voorbeeld.nl", "").status_code == 422
        assert _login(client, "geen adres", "iets").status_code == 422
    assert _login(client, "piet@voorbeeld.nl").status_code == 303


def test_login_rate_limited_per_client(strict_app):
    client = strict_app.test_client()
    strict_app.config["WTF_CSRF_ENABLED"] = False
    for n in range(5):
        assert _login(client, f"persoon{n}@voorbeeld.nl", "fout wachtwoord").status_code == 401
    assert _login(client, "persoon9@voorbeeld.nl", "fout wachtwoord").status_code == 429
    # Another client is not hindered.
    assert _login(client, "persoon9@voorbeeld.nl", "fout wachtwoord",
                  environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 401


def test_successful_logins_do_not_use_up_the_limit(strict_app):
    client = strict_app.test_client()
    strict_app.config["WTF_CSRF_ENABLED"] = False
    make_organiser("piet@voorbeeld.nl")
    for _ in range(6):
        assert _login(client, "piet@voorbeeld.nl").status_code == 303


def test_without_rate_limits_nothing_is_counted(client, app):
    make_organiser("piet@voorbeeld.nl")
    for _ in range(15):
        assert _login(client, "piet@voorbeeld.nl", "fout wachtwoord").status_code == 401
    assert _login(client, "piet@voorbeeld.nl").status_code == 303


def test_the_current_password_check_is_limited(strict_app):
    strict_app.config["WTF_CSRF_ENABLED"] = False
    organiser = make_organiser("piet@voorbeeld.nl")
    client = strict_app.test_client()
    login_as(client, organiser)
    new = {"new_password": "nog een beter wachtwoord", "confirm": "nog een beter wachtwoord"}
    for n in range(3):
        response = client.post("/organise/password", data={"current_password": f"gok nummer {n}", **new})
        assert response.status_code == 422
        assert "Dit is niet uw huidige wachtwoord." in Page(response.get_data(as_text=True)).error_for("current_password")
    # Used up: even the right password is not checked now ...
    response = client.post("/organise/password", data={"current_password": PASSWORD, **new})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "te vaak een verkeerd wachtwoord" in Page(response.get_data(as_text=True)).error_for("current_password")
    db.session.expire_all()
    assert db.session.get(Organiser, organiser.id).check_password(PASSWORD)
    # ... a form with other mistakes still gets its own messages ...
    response = client.post("/organise/password", data={
        "current_password": PASSWORD, "new_password": "nog een beter wachtwoord", "confirm": "iets anders"})
    assert response.status_code == 422
    assert "De twee wachtwoorden zijn niet gelijk." in response.get_data(as_text=True)
    # ... and another account is not slowed.
    other = make_organiser("jan@voorbeeld.nl")
    other_client = strict_app.test_client()
    login_as(other_client, other)
    assert other_client.post("/organise/password", data={"current_password": PASSWORD, **new}).status_code == 303


def test_right_current_passwords_do_not_count(strict_app):
    strict_app.config["WTF_CSRF_ENABLED"] = False
    organiser = make_organiser("piet@voorbeeld.nl")
    client = strict_app.test_client()
    login_as(client, organiser)
    passwords = [PASSWORD, "nog een beter wachtwoord", "fiets paraplu kikker", "lamp tafel wolk rivier",
                 "groene appel blauwe fiets"]
    for current, new in zip(passwords, passwords[1:]):
        response = client.post("/organise/password", data={"current_password": current, "new_password": new,
                                                             "confirm": new})
        assert response.status_code == 303


@pytest.mark.parametrize("url,data", [
    ("/organise/login", {"email": "piet@voorbeeld.nl", "password": PASSWORD}),
    ("/organise/logout", {}),
    ("/organise/password", {"current_password": PASSWORD, "new_password": "nieuw wachtwoord!", "confirm": "nieuw wachtwoord!"}),
])
def test_account_forms_need_the_csrf_token(strict_app, url, data):
    client = strict_app.test_client()
    organiser = make_organiser("piet@voorbeeld.nl")
    login_as(client, organiser)
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)


def test_login_with_csrf_token_works(strict_app):
    client = strict_app.test_client()
    make_organiser("piet@voorbeeld.nl")
    page = client.get("/organise/login").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/organise/login", data={"email": "piet@voorbeeld.nl", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def test_anonymous_visitor_comes_back_after_logging_in(client, app):
    make_organiser("piet@voorbeeld.nl")
    response = client.get("/organise/password")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/organise/login?next=")
    g.pop("_login_user", None)
    response = client.post(login_url, data={"email": "piet@voorbeeld.nl", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/organise/password"
