"""A registration's own pages and /my: never in a shared cache or a search engine (issue 9)."""
import secrets
from datetime import timedelta

import pytest

from gatherings.extensions import db
from gatherings.my.models import AccessToken, hash_token
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration


def assert_private(response):
    assert response.headers["Cache-Control"] == "private, no-store", response.request.path
    assert response.headers["X-Robots-Tag"] == "noindex", response.request.path


def test_every_answer_under_r_is_private(client):
    registration = make_registration(make_gathering())
    token = registration.token
    assert_private(client.get(f"/r/{token}"))
    assert_private(client.get(f"/r/{token}/cancel"))
    assert_private(client.post(f"/r/{token}/cancel", data={"confirm": "no"}))
    assert_private(client.post(f"/r/{token}/cancel", data={"confirm": "yes"}))
    assert_private(client.get("/r/onbekend"))


def test_the_registration_answer_is_private(client):
    g = make_gathering()
    data = {"name": "Anna", "email": "anna@voorbeeld.nl", "consent": "y"}
    assert_private(client.post(f"/gatherings/{g.slug}/register", data=data))
    assert_private(client.post(f"/gatherings/{g.slug}/register", data={**data, "name": ""}))


@pytest.mark.parametrize("path", ["/my", "/my/sent"])
def test_my_pages_are_private(client, path):
    assert_private(client.get(path))
    assert_private(client.post("/my", data={"email": "an@voorbeeld.nl"}))
    assert_private(client.post("/my", data={"email": ""}))


def test_my_personal_pages_are_private(client):
    make_registration(make_gathering(), email="an@voorbeeld.nl")
    token = secrets.token_urlsafe(32)
    db.session.add(AccessToken(token_hash=hash_token(token), email_key="an@voorbeeld.nl",
                               expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    for path in (f"/my/{token}", f"/my/{token}/erase", f"/my/{token}/export.json"):
        assert_private(client.get(path))
    assert_private(client.post(f"/my/{token}/feed/renew"))
