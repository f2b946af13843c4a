"""/r/<token>/certificate.pdf: for the checked-in, after the end; read back with pypdf."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from werkzeug.http import parse_options_header

from gatherings.catalogue.models import HostOrganisation
from gatherings.certificates.models import Certificate
from gatherings.extensions import db
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration
from tests.reflection.conftest import check_in, move


@pytest.fixture
def host(app):
    host = HostOrganisation(slug="de-hoven", name="GGZ De Hoven")
    db.session.add(host)
    db.session.commit()
    return host


@pytest.fixture
def attended(app, host):
    gathering = make_gathering(title="Kijkje in de keuken", host_id=host.id)
    person = make_registration(gathering, name="Fatima El Amrani")
    absent = make_registration(gathering, name="Niet Gekomen")
    # 13:30 to 16:00 in Amsterdam, a week ago (winter or summer time alike).
    from datetime import datetime
    from gatherings.timeutil import AMSTERDAM
    day = (datetime.now(AMSTERDAM) - timedelta(days=7)).date()
    start = datetime(day.year, day.month, day.day, 13, 30, tzinfo=AMSTERDAM)
    move(gathering, start, hours=2.5)
    check_in(person)
    return gathering, person, absent


def text_of(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_certificate_says_who_what_where_when_and_how_to_check_it(client, attended):
    gathering, person, _absent = attended
    response = client.get(f"/r/{person.token}/certificate.pdf")
    text = text_of(response)
    for expected in ("Bewijs van deelname", "Fatima El Amrani", "Kijkje in de keuken", "GGZ De Hoven",
                     "13:30 tot 16:00", "Duur: 2:30 uur"):
        assert expected in text, (expected, text)
    code = db.session.scalar(sa.select(Certificate.code))
    assert f"{code[:5]}-{code[5:]}" in text
    assert f"http://gatherings.test/certificates/{code}" in text
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.metadata.title == "Bewijs van deelname: Kijkje in de keuken"
    assert reader.trailer["/Root"]["/Lang"] == "nl"
    assert parse_options_header(response.headers["Content-Disposition"]) == \
        ("inline", {"filename": "bewijs-van-deelname.pdf"})
    # The same code on the second download.
    client.get(f"/r/{person.token}/certificate.pdf")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


def test_in_the_language_of_the_registration_whatever_the_browser(client, attended):
    _gathering, person, _absent = attended
    dutch = client.get(f"/r/{person.token}/certificate.pdf", headers={"Accept-Language": "en"})
    assert "Bewijs van deelname" in text_of(dutch)  # registered on the Dutch page
    person.language = "en"
    db.session.commit()
    response = client.get(f"/r/{person.token}/certificate.pdf", headers={"Accept-Language": "nl"})
    text = text_of(response)
    assert "Certificate of attendance" in text and "Time: 13:30 to 16:00" in text
    assert PdfReader(io.BytesIO(response.data)).trailer["/Root"]["/Lang"] == "en"


def test_not_for_who_did_not_come_and_not_before_the_end(client, attended):
    gathering, person, absent = attended
    assert client.get(f"/r/{absent.token}/certificate.pdf").status_code == 404
    assert client.get("/r/unknown/certificate.pdf").status_code == 404
    move(gathering, utcnow() - timedelta(hours=1), hours=3)  # still going on
    assert client.get(f"/r/{person.token}/certificate.pdf").status_code == 404


def test_the_register_number_is_printed_and_not_stored(client, attended):
    _gathering, person, _absent = attended
    text = text_of(client.get(f"/r/{person.token}/certificate.pdf?register=19012345601"))
    assert "Registratienummer: 19012345601" in text
    columns = {c.name for c in Certificate.__table__.columns}
    assert not any("register" in c for c in columns)
    assert "19012345601" not in str(db.session.execute(sa.select(Certificate.__table__)).all())


def test_a_bad_register_number_is_shown_again_with_a_message(client, attended):
    _gathering, person, _absent = attended
    response = client.get(f"/r/{person.token}/certificate.pdf", query_string={"register": "<script>\r\nX"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Gebruik alleen letters, cijfers" in html
    assert 'aria-describedby="register-hint register-error"' in html
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_the_registration_page_offers_the_certificate_only_when_there_is_one(client, attended):
    gathering, person, absent = attended
    assert 'action="/r/%s/certificate.pdf"' % person.token in client.get(f"/r/{person.token}").get_data(as_text=True)
    assert "certificate.pdf" not in client.get(f"/r/{absent.token}").get_data(as_text=True)


def test_anyone_can_verify_the_code_and_sees_only_name_gathering_and_date(client, attended):
    from gatherings.privacy.services import anonymise

    _gathering, person, _absent = attended
    client.get(f"/r/{person.token}/certificate.pdf")
    code = db.session.scalar(sa.select(Certificate.code))
    html = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "Dit bewijs is echt." in html and "Fatima El Amrani" in html and "Kijkje in de keuken" in html
    assert person.email not in html and "GGZ De Hoven" not in html
    assert client.get("/certificates/AAAAAAAAAA").status_code == 404
    assert client.get("/certificates/" + "x" * 300).status_code == 404
    anonymise(person, utcnow())
    db.session.commit()
    assert client.get(f"/certificates/{code}").status_code == 404
