"""Admins manage organiser accounts, themes and host organisations."""
import pytest
import sqlalchemy as sa
from flask import g

from gatherings.catalogue.models import HostOrganisation, Theme
from gatherings.extensions import db
from gatherings.organise.models import Organiser
from tests.factories import login_as, make_organiser, make_theme
from tests.htmlpage import Page


@pytest.fixture
def admin(app, client):
    admin = make_organiser("beheer@voorbeeld.nl", admin=True)
    login_as(client, admin)
    return admin


def _get(organiser_id):
    db.session.expire_all()
    return db.session.get(Organiser, organiser_id)


def test_admin_creates_an_organiser_who_can_log_in(client, admin):
    response = client.post("/organise/admin/organisers", data={
        "email": "Nieuw@Voorbeeld.nl", "name": "Nieuwe Organisator", "password": "welkom bij ons"})
    assert response.status_code == 303
    organiser = db.session.scalars(sa.select(Organiser).where(Organiser.email == "nieuw@voorbeeld.nl")).one()
    assert not organiser.is_admin and organiser.active
    client.post("/organise/logout")
    g.pop("_login_user", None)
    assert client.post("/organise/login", data={"email": "nieuw@voorbeeld.nl", "password": "welkom bij ons"}).status_code == 303


@pytest.mark.parametrize("data,field,message", [
    ({"email": "beheer@voorbeeld.nl", "password": "welkom bij ons"}, "email", "Er is al een organisator met dit e-mailadres."),
    ({"email": "geen adres", "password": "welkom bij ons"}, "email", "Dit is geen geldig e-mailadres."),
    ({"email": "nieuw@voorbeeld.nl", "password": "kort"}, "password", "minstens 10"),
    ({"email": "nieuw@voorbeeld.nl", "password": "welkom bij ons", "name": "x" * 201}, "name", "hoogstens 200 tekens"),
])
def test_create_organiser_bad_input(client, admin, data, field, message):
    response = client.post("/organise/admin/organisers", data=data)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert message in page.error_for(field)
    assert page.by_id("email").get("value") == data["email"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organiser)) == 1


def test_deactivate_and_reactivate(client, admin):
    organiser = make_organiser("piet@voorbeeld.nl")
    token = organiser.session_token
    assert client.post(f"/organise/admin/organisers/{organiser.id}/active", data={"value": "0"}).status_code == 303
    organiser = _get(organiser.id)
    assert not organiser.active and organiser.session_token != token  # their sessions end
    assert client.post(f"/organise/admin/organisers/{organiser.id}/active", data={"value": "1"}).status_code == 303
    assert _get(organiser.id).active


def test_make_admin_and_back(client, admin):
    organiser = make_organiser("piet@voorbeeld.nl")
    assert client.post(f"/organise/admin/organisers/{organiser.id}/admin", data={"value": "1"}).status_code == 303
    assert _get(organiser.id).is_admin
    assert client.post(f"/organise/admin/organisers/{organiser.id}/admin", data={"value": "0"}).status_code == 303
    assert not _get(organiser.id).is_admin


def test_admin_cannot_lock_themselves_out(client, admin):
    response = client.post(f"/organise/admin/organisers/{admin.id}/active", data={"value": "0"})
    assert response.status_code == 409
    assert "U kunt uw eigen account niet uitzetten." in response.get_data(as_text=True)
    response = client.post(f"/organise/admin/organisers/{admin.id}/admin", data={"value": "0"})
    assert response.status_code == 409
    assert _get(admin.id).is_admin and _get(admin.id).active


def test_switch_with_a_strange_value(client, admin):
    organiser = make_organiser("piet@voorbeeld.nl")
    response = client.post(f"/organise/admin/organisers/{organiser.id}/active", data={"value": "misschien"})
    assert response.status_code == 422
    assert "Kies aan of uit." in response.get_data(as_text=True)
    assert client.post("/organise/admin/organisers/9999/active", data={"value": "0"}).status_code == 404


def test_reset_password(client, admin):
    organiser = make_organiser("piet@voorbeeld.nl")
    response = client.post(f"/organise/admin/organisers/{organiser.id}/password", data={"password": "kort"})
    assert response.status_code == 422
    assert "minstens 10" in Page(response.get_data(as_text=True)).error_for("password")
    response = client.post(f"/organise/admin/organisers/{organiser.id}/password", data={"password": "een nieuw wachtwoord"})
    assert response.status_code == 303
    assert _get(organiser.id).check_password("een nieuw wachtwoord")


def test_themes_create_and_edit(client, admin):
    response = client.post("/organise/admin/themes/new", data={
        "name": "Zorgonderwijs", "slug": "zorgonderwijs", "description": "Leren van elkaar."})
    assert response.status_code == 303
    theme = db.session.scalars(sa.select(Theme)).one()
    assert "Zorgonderwijs" in client.get("/organise/admin/themes").get_data(as_text=True)
    response = client.post(f"/organise/admin/themes/{theme.id}/edit", data={
        "name": "Zorg en onderwijs", "slug": "zorgonderwijs", "description": ""})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Theme, theme.id).name == "Zorg en onderwijs"


@pytest.mark.parametrize("data,field,message", [
    ({"name": "", "slug": "iets"}, "name", "Vul de naam van het thema in."),
    ({"name": "Inclusie", "slug": "Sociale Inclusie"}, "slug", "Gebruik alleen kleine letters"),
    ({"name": "Inclusie", "slug": "inclusie"}, "slug", "Dit webadres is al in gebruik."),
])
def test_theme_bad_input(client, admin, data, field, message):
    make_theme()  # slug "inclusie"
    response = client.post("/organise/admin/themes/new", data=data)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert message in page.error_for(field)
    assert page.by_id("name").get("value") == data["name"]


def test_theme_slug_cannot_change(client, admin):
    theme = make_theme()
    response = client.post(f"/organise/admin/themes/{theme.id}/edit", data={"name": "Inclusie", "slug": "nieuw"})
    assert response.status_code == 422
    assert "agenda-abonnementen" in Page(response.get_data(as_text=True)).error_for("slug")


def test_hosts_create_edit_and_bad_input(client, admin):
    response = client.post("/organise/admin/hosts/new", data={
        "name": "Herstelhuis", "slug": "herstelhuis", "city": "Zwolle", "website": "geen link", "contact_email": ""})
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert "Dit is geen geldige link." in page.error_for("website")
    assert page.by_id("city").get("value") == "Zwolle"
    response = client.post("/organise/admin/hosts/new", data={
        "name": "Herstelhuis", "slug": "herstelhuis", "city": "Zwolle", "website": "https://herstelhuis.example",
        "contact_email": "info@herstelhuis.example"})
    assert response.status_code == 303
    host = db.session.scalars(sa.select(HostOrganisation)).one()
    response = client.post(f"/organise/admin/hosts/{host.id}/edit", data={
        "name": "Herstelhuis Zwolle", "slug": "herstelhuis", "city": "Zwolle", "website": "", "contact_email": "x"})
    assert response.status_code == 422
    assert "Dit is geen geldig e-mailadres." in Page(response.get_data(as_text=True)).error_for("contact_email")
    assert client.get("/organise/admin/hosts/999/edit").status_code == 404
