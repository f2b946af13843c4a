"""Attendance reports: confirmed, checked in, rate and no-shows per gathering, theme and kind; the audited CSV."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from werkzeug.http import parse_options_header

from gatherings.attendance import turnout
from gatherings.attendance.models import ExportLog
from gatherings.extensions import db
from gatherings.registration import services as registration
from tests.factories import locked_call, login_as, make_gathering, make_organiser, make_registration, make_theme
from tests.reflection.conftest import check_in, move

MARCH = datetime(2026, 3, 4, 12, tzinfo=timezone.utc)


def past_gathering(title, theme=None, kind="theme", confirmed=4, checked_in=3, cancelled=1, starts_at=MARCH):
    gathering = make_gathering(title=title, theme_id=theme.id if theme else None, kind=kind, capacity=20)
    people = [make_registration(gathering) for _ in range(confirmed + cancelled)]
    for person in people[confirmed:]:
        locked_call(registration.cancel, gathering, person.id)
    db.session.commit()
    move(gathering, starts_at)
    check_in(*people[:checked_in])
    return gathering


def test_per_gathering_confirmed_checked_in_rate_and_no_shows(app):
    theme = make_theme()
    a = past_gathering("Keuken A", theme, confirmed=4, checked_in=3)
    b = past_gathering("Dag B", None, kind="national", confirmed=2, checked_in=0)
    past_gathering("Vorig jaar", theme, starts_at=MARCH - timedelta(days=365))
    make_gathering(title="Nog niet geweest")
    report = turnout.turnout_report(datetime(2026, 1, 1).date(), datetime(2026, 12, 31).date())
    rows = {r.gathering.title: (r.confirmed, r.checked_in, r.no_shows, r.rate) for r in report.gatherings}
    assert rows == {"Keuken A": (4, 3, 1, 75), "Dag B": (2, 0, 2, 0)}
    by_theme = {str(r.label): (r.gatherings, r.confirmed, r.checked_in, r.rate) for r in report.by_theme}
    assert by_theme == {"Sociale inclusie": (1, 4, 3, 75), "Geen thema": (1, 2, 0, 0)}
    by_kind = {r.code: (r.gatherings, r.rate) for r in report.by_kind}
    assert by_kind == {"theme": (1, 75), "national": (1, 0), "mixed": (0, None)}
    assert (report.total.confirmed, report.total.checked_in, report.total.rate) == (6, 3, 50)
    assert a.id and b.id


def test_the_page_and_the_audited_csv(app, client):
    theme = make_theme()
    mine = past_gathering("Keuken A", theme)
    past_gathering("Van een ander", theme)
    organiser = make_organiser(gatherings=[mine])
    login_as(client, organiser)
    html = client.get("/organise/reports/attendance?start=2026-01-01&end=2026-12-31").get_data(as_text=True)
    assert "Keuken A" in html and "75%" in html and "Van een ander" not in html
    assert html.count('role="region"') == 3 and html.count('tabindex="0"') == 3

    bad = client.get("/organise/reports/attendance?start=morgen")
    assert bad.status_code == 422
    assert "Vul een datum in, bijvoorbeeld 2026-03-31." in bad.get_data(as_text=True)
    assert 'value="morgen"' in bad.get_data(as_text=True)

    response = client.post("/organise/reports/attendance.csv?start=2026-01-01&end=2026-12-31")
    assert response.status_code == 200
    assert parse_options_header(response.headers["Content-Disposition"]) == \
        ("attachment", {"filename": "opkomst-2026-01-01-2026-12-31.csv"})
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == "Indeling;Datum;Naam;Aangemeld;Ingecheckt;Niet gekomen;Opkomst (%)"
    assert "Bijeenkomst;2026-03-04;Keuken A;4;3;1;75" in lines
    [entry] = db.session.scalars(sa.select(ExportLog)).all()
    assert (entry.actor_email, entry.gathering_slug, entry.row_count) == (organiser.email, "rapport-opkomst",
                                                                          len(lines) - 1)
    assert client.post("/organise/reports/attendance.csv?start=x").status_code == 400


def test_the_year_reports_tables_can_be_reached_by_keyboard(app, client):
    login_as(client, make_organiser(admin=True))
    html = client.get("/organise/reports").get_data(as_text=True)
    assert '<div class="table-scroll">' not in html
    assert html.count('class="table-scroll" role="region"') == 3


def test_the_export_log_names_a_report_download_without_calling_it_deleted(app, client):
    admin = make_organiser(admin=True)
    login_as(client, admin)
    client.post("/organise/reports/attendance.csv?start=2026-01-01&end=2026-12-31")
    html = client.get("/organise/exports").get_data(as_text=True)
    assert "Opkomst 2026-01-01 tot en met 2026-12-31" in html
    assert "verwijderd" not in html
    assert 'role="region"' in html and 'tabindex="0"' in html
