"""Weak passwords are refused everywhere a password is set: the command line, the own-password
page, an admin creating an account and an admin giving a new password."""
import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.organise.accounts import find_by_email
from gatherings.organise.models import Organiser
from gatherings.organise.passwords import password_problem
from tests.factories import login_as, make_organiser
from tests.htmlpage import Page

PASSWORD = "een goed wachtwoord"
TOO_EASY = "Dit wachtwoord is te makkelijk te raden."
OWN_ADDRESS = "Maak uw wachtwoord niet van uw e-mailadres of naam"

WEAK = [
    ("aaaaaaaaaa", TOO_EASY),
    ("1234567890", TOO_EASY),
    ("qwertyuiop", TOO_EASY),
    ("password123", TOO_EASY),
    ("wachtwoord2024", TOO_EASY),
    ("piet@voorbeeld.nl", OWN_ADDRESS),
    ("Piet@Voorbeeld.nl!", OWN_ADDRESS),
    ("pietjansen2024", OWN_ADDRESS),
]


@pytest.mark.parametrize("password,message", WEAK)
def test_weak_passwords_are_refused_with_a_dutch_reason(app, password, message):
    with app.test_request_context():
        assert message in password_problem(password, email="piet@voorbeeld.nl", name="Piet Jansen")


@pytest.mark.parametrize("password", [PASSWORD, "piet fietst graag langs de vecht", "Tr0ub4dor&3x!", "x7#Lq9!mZ2pV"])
def test_strong_passwords_pass_even_with_the_name_in_them(app, password):
    with app.test_request_context():
        assert password_problem(password, email="piet@voorbeeld.nl", name="Piet Jansen") is None


def test_the_reason_is_in_english_for_english_pages(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import force_locale
        with force_locale("en"):
            assert password_problem("aaaaaaaaaa") == (
                "This password is too easy to guess. Try, for example, four unrelated words in a row.")
            assert password_problem("piet@voorbeeld.nl", email="piet@voorbeeld.nl").startswith(
                "Do not make your password from your e-mail address or name")


def test_a_very_long_password_is_judged_without_error(app):
    with app.test_request_context():
        assert password_problem("a" * 200, email="piet@voorbeeld.nl") is not None
        assert password_problem("fiets paraplu kikker " + "x" * 150) is None


# -- every place a password is set ---------------------------------------------------------------

@pytest.mark.parametrize("password,message", [("aaaaaaaaaa", TOO_EASY), ("piet@voorbeeld.nl", OWN_ADDRESS)])
def test_command_line_refuses_a_weak_password(runner, app, password, message):
    result = runner.invoke(args=["organiser", "add", "piet@voorbeeld.nl"], input=password + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert find_by_email("piet@voorbeeld.nl") is None


@pytest.mark.parametrize("password,message", [("1234567890", TOO_EASY), ("Piet@Voorbeeld.nl!", OWN_ADDRESS)])
def test_own_password_page_refuses_a_weak_password(client, app, password, message):
    organiser = make_organiser("piet@voorbeeld.nl")
    login_as(client, organiser)
    response = client.post("/organise/password", data={
        "current_password": PASSWORD, "new_password": password, "confirm": password})
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert message in page.error_for("new_password")
    db.session.expire_all()
    assert db.session.get(Organiser, organiser.id).check_password(PASSWORD)


@pytest.mark.parametrize("data,message", [
    ({"email": "nieuw@voorbeeld.nl", "password": "aaaaaaaaaa"}, TOO_EASY),
    ({"email": "nieuw@voorbeeld.nl", "password": "nieuw@voorbeeld.nl"}, OWN_ADDRESS),
    ({"email": "j@voorbeeld.nl", "name": "Jolanda Bakker", "password": "jolandabakker1"}, OWN_ADDRESS),
])
def test_admin_cannot_create_an_account_with_a_weak_password(client, app, data, message):
    admin = make_organiser("beheer@voorbeeld.nl", admin=True)
    login_as(client, admin)
    response = client.post("/organise/admin/organisers", data=data)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert message in page.error_for("password")
    assert page.by_id("email").get("value") == data["email"]  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organiser)) == 1


@pytest.mark.parametrize("password,message", [("aaaaaaaaaa", TOO_EASY), ("piet@voorbeeld.nl", OWN_ADDRESS)])
def test_admin_cannot_give_a_weak_new_password(client, app, password, message):
    admin = make_organiser("beheer@voorbeeld.nl", admin=True)
    organiser = make_organiser("piet@voorbeeld.nl")
    login_as(client, admin)
    response = client.post(f"/organise/admin/organisers/{organiser.id}/password", data={"password": password})
    assert response.status_code == 422
    assert message in Page(response.get_data(as_text=True)).error_for("password")
    db.session.expire_all()
    assert db.session.get(Organiser, organiser.id).check_password(PASSWORD)
