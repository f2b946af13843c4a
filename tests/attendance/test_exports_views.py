"""Exports through the pages, the audit log and who may read it; messages; overview pages; CSRF."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from gatherings import create_app
from gatherings.attendance import services
from gatherings.attendance.models import ExportLog
from gatherings.extensions import db
from gatherings.registration.models import Registration
from tests.factories import login_as, make_gathering, make_organiser, make_registration


def url(gathering, rest=""):
    return f"/organise/gatherings/{gathering.slug}{rest}"


def text(response):
    return response.get_data(as_text=True)


def logged():
    return list(db.session.scalars(sa.select(ExportLog).order_by(ExportLog.id)))


def test_csv_download_is_logged(org_client, gathering, organiser):
    make_registration(gathering, name="Anaïs Brontë")
    response = org_client.post(url(gathering, "/export.csv"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="aanmeldingen-{gathering.slug}-')
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data.startswith(b"\xef\xbb\xbfNaam;")
    assert "Anaïs Brontë".encode() in response.data
    [entry] = logged()
    assert (entry.actor_id, entry.actor_email, entry.gathering_id, entry.format, entry.row_count) == (
        organiser.id, "org@voorbeeld.nl", gathering.id, "csv", 1)


def test_xlsx_download_is_logged(org_client, gathering):
    make_registration(gathering, name="Eén Persoon")
    response = org_client.post(url(gathering, "/export.xlsx"))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A2"].value == "Eén Persoon"
    assert [e.format for e in logged()] == ["xlsx"]


def test_sign_in_list_is_printable_and_logged(org_client, gathering):
    make_registration(gathering, name="Jan Smit")
    response = org_client.post(url(gathering, "/sign-in-list"))
    page = text(response)
    assert response.status_code == 200 and "Jan Smit" in page and "Handtekening" in page
    assert "attendance.css" in page and "<style" not in page
    assert [e.format for e in logged()] == ["print"]


def test_export_by_get_does_nothing(org_client, gathering):
    assert org_client.get(url(gathering, "/export.csv")).status_code == 405
    assert logged() == []


def test_export_log_is_for_admins(client, gathering, organiser, admin):
    login_as(client, organiser)
    client.post(url(gathering, "/export.csv"))
    assert client.get("/organise/exports").status_code == 403
    login_as(client, admin)
    page = text(client.get("/organise/exports"))
    assert "org@voorbeeld.nl" in page and gathering.title in page and "CSV" in page
    assert client.get("/organise/exports?page=abc").status_code == 200
    assert client.get("/organise/exports?page=99999999999").status_code == 200


def test_message_form(org_client, gathering, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "message_registrants", lambda *args, **kw: calls.append(args) or 3)
    for _ in range(3):
        make_registration(gathering)
    page = text(org_client.get(url(gathering, "/message")))
    assert "Aan wie?" in page
    data = {"audience": "confirmed", "subject": "Route", "body": "Neem de achteringang.", "sender_name": "Ria"}
    preview = org_client.post(url(gathering, "/message"), data=data)  # never sent on the first click
    assert preview.status_code == 200 and calls == []
    assert "Ja, verstuur naar 3 personen" in text(preview)
    response = org_client.post(url(gathering, "/message"), data={**data, "step": "send", "recipients": "3"})
    assert response.status_code == 303
    assert calls == [(gathering, "confirmed", "Route", "Neem de achteringang.", "Ria")]
    assert "3 personen" in text(org_client.get(response.headers["Location"]))


@pytest.mark.parametrize("data, message", [
    ({"subject": "Hoi", "body": "x", "sender_name": "Ria"}, "Kies aan wie het bericht gaat."),
    ({"audience": "everyone", "subject": "Hoi", "body": "x", "sender_name": "Ria"}, "Ongeldige keuze"),
    ({"audience": "all", "subject": "", "body": "x", "sender_name": "Ria"}, "Vul een onderwerp in."),
    ({"audience": "all", "subject": "Hoi\nBcc: x@y.nl", "body": "x", "sender_name": "Ria"}, "op één regel"),
    ({"audience": "all", "subject": "Hoi", "body": "", "sender_name": "Ria"}, "Schrijf een bericht."),
    ({"audience": "all", "subject": "Hoi", "body": "x" * 10001, "sender_name": "Ria"}, "hoogstens 10.000"),
    ({"audience": "all", "subject": "Hoi", "body": "Tekst die blijft", "sender_name": ""}, "Vul uw naam in."),
])
def test_message_bad_input(org_client, gathering, monkeypatch, data, message):
    monkeypatch.setattr(services, "message_registrants", lambda *args, **kw: pytest.fail("sent"))
    response = org_client.post(url(gathering, "/message"), data=data)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert "aria-invalid" in page or "field-error" in page
    if data["body"] == "Tekst die blijft":
        assert "Tekst die blijft" in page


def test_message_reaches_the_outbox(org_client, gathering):
    mail = pytest.importorskip("gatherings.mail.models")
    make_registration(gathering, email="een@voorbeeld.nl")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(mail.OutboxMessage))
    response = org_client.post(url(gathering, "/message"), data={
        "audience": "all", "subject": "Route", "body": "Neem de achteringang.", "sender_name": "Ria",
        "step": "send", "recipients": "1"})
    assert response.status_code == 303
    after = db.session.scalar(sa.select(sa.func.count()).select_from(mail.OutboxMessage))
    assert after == before + 1


def test_dashboard_shows_own_upcoming_gatherings(client, gathering, organiser, admin):
    other = make_gathering(title="Van een ander")
    for _ in range(4):
        make_registration(gathering)
    login_as(client, organiser)
    page = text(client.get("/organise/dashboard"))
    assert gathering.title in page and "Van een ander" not in page
    assert "100%" in page and "3 / 3" in page
    login_as(client, admin)
    page = text(client.get("/organise/dashboard"))
    assert gathering.title in page and other.title in page


def test_reports_page(org_client, gathering):
    for perspective in ("client", "client", "relative"):
        make_registration(gathering, perspective=perspective)
    year = gathering.starts_at.year
    page = text(org_client.get(f"/organise/reports?year={year}"))
    assert 'role="img"' in page and "Per perspectief" in page and "&lt;5" in page
    assert "Deelnemer" not in page  # aggregates only: no names
    assert org_client.get("/organise/reports?year=abc").status_code == 200
    assert org_client.get("/organise/reports?year=99999").status_code == 200


# -- CSRF ----------------------------------------------------------------------------

@pytest.fixture
def csrf_client(app_config, gathering, organiser):
    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = csrf_app.test_client()
    login_as(client, organiser)
    yield client
    with csrf_app.app_context():
        db.engine.dispose()  # its own pool: close the connections (PostgreSQL truncates next)


def test_every_form_needs_its_csrf_token(csrf_client, gathering):
    person = make_registration(gathering)
    posts = [
        (f"/registrations/{person.id}/promote", {}),
        (f"/registrations/{person.id}/cancel", {}),
        ("/registrations/new", {"name": "X", "consent": "y"}),
        (f"/registrations/{person.id}/needs", {"needs": "x"}),
        (f"/checkin/{person.id}", {}),
        (f"/checkin/{person.id}/undo", {}),
        (f"/checkin/{person.id}/admit", {}),
        ("/checkin/walk-in", {"walk_in-name": "X", "walk_in-consent": "y"}),
        ("/export.csv", {}),
        ("/export.xlsx", {}),
        ("/sign-in-list", {}),
        ("/message", {"audience": "all", "subject": "s", "body": "b", "sender_name": "n"}),
    ]
    for rest, data in posts:
        response = csrf_client.post(url(gathering, rest), data=data)
        assert response.status_code == 400, rest
        assert "Het formulier is verlopen" in text(response)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1
    assert db.session.get(Registration, person.id).status == "confirmed"
    assert logged() == []


def test_forms_work_with_their_token(csrf_client, gathering):
    import re
    person = make_registration(gathering, name="Jan Smit")
    page = csrf_client.get(url(gathering, "/checkin?q=jan")).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post(url(gathering, f"/checkin/{person.id}"), data={"csrf_token": token},
                                headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json()["people"][0]["checked_in"]
