"""Calendar files over HTTP: gzip with its own ETag, 304s for both encodings, no session, no Vary: Cookie."""
import gzip

import pytest

from gatherings.calendar import cache, services
from gatherings.extensions import db

from ..factories import login_as, make_gathering, make_organiser, make_registration, make_theme

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    cache.bodies.clear()
    yield
    cache.bodies.clear()


@pytest.fixture
def addresses(app):
    theme = make_theme(slug="inclusie", name="Sociale inclusie")
    gathering = make_gathering(title="Komt eraan", theme=theme, description="Lang verhaal. " * 200)
    registration = make_registration(gathering, email="an@voorbeeld.nl")
    token = services.feed_token_for(registration.email_key)
    db.session.commit()
    return ["/calendar.ics", "/calendar/theme.ics", "/calendar/themes/inclusie.ics",
            f"/gatherings/{gathering.slug}.ics", f"/calendar/my/{token}.ics"]


def test_gzip_when_accepted_with_an_etag_of_its_own(client, addresses):
    for path in addresses:
        plain = client.get(path)
        packed = client.get(path, headers=GZIP)
        assert plain.status_code == packed.status_code == 200, path
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.data) == plain.data
        assert len(packed.data) < len(plain.data) / 3
        assert packed.headers["Content-Type"] == plain.headers["Content-Type"] == "text/calendar; charset=utf-8"
        for response in (plain, packed):
            assert response.headers["Vary"] == "Accept-Encoding", path
            assert response.headers["ETag"].startswith('"')  # strong
        assert plain.headers["ETag"] == cache.etag_of(plain.data)
        assert packed.headers["ETag"] != plain.headers["ETag"]
        assert packed.headers["Last-Modified"] == plain.headers["Last-Modified"]
        assert client.get(path, headers={"Accept-Encoding": "gzip;q=0, identity"}).data == plain.data
        assert client.get(path, headers=GZIP).data == packed.data  # the same bytes again


def test_304_for_either_encoding_and_200_after_a_change(client, addresses):
    path = addresses[0]
    plain = client.get(path)
    packed = client.get(path, headers=GZIP)
    for held, accept in ((plain, {}), (packed, GZIP), (plain, GZIP)):
        again = client.get(path, headers={**accept, "If-None-Match": held.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == held.headers["ETag"]
        assert again.headers["Vary"] == "Accept-Encoding"
    # a proxy may weaken the ETag it passes on; If-None-Match compares weakly (RFC 9110 13.1.2)
    weak = client.get(path, headers={**GZIP, "If-None-Match": "W/" + packed.headers["ETag"]})
    assert weak.status_code == 304
    since = client.get(path, headers={**GZIP, "If-Modified-Since": packed.headers["Last-Modified"]})
    assert since.status_code == 304

    make_gathering(title="Erbij")
    after = client.get(path, headers={**GZIP, "If-None-Match": packed.headers["ETag"]})
    assert after.status_code == 200 and b"Erbij" in gzip.decompress(after.data)
    assert after.headers["ETag"] != packed.headers["ETag"]


def test_no_session_and_no_vary_cookie_on_calendar_files(client, addresses):
    organiser = make_organiser("a@voorbeeld.nl")
    login_as(client, organiser)  # a browser that carries a session cookie
    for path in addresses:
        for headers in ({}, GZIP):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, path
            assert "Cookie" not in response.headers.get("Vary", ""), path
            assert "Set-Cookie" not in response.headers, path
    assert client.get("/calendar/onbekend.ics").status_code == 404
    # the session itself is untouched: the organiser is still logged in
    assert client.get("/organise/").status_code == 200
