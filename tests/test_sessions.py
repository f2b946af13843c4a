"""The signed session cookie (gatherings/sessions.py): the same cookie, its serializer made once per set of keys."""
import flask.sessions

from tests.factories import make_gathering

GOOD = {"name": "Anna de Vries", "email": "anna@voorbeeld.nl", "consent": "y"}


def _registered_page(client, slug):
    answer = client.post(f"/gatherings/{slug}/register", data=GOOD)
    assert answer.status_code == 303
    return answer.headers["Location"]


def test_the_session_serializer_is_made_once_not_for_every_request(app, client, monkeypatch):
    made = []
    original = flask.sessions.URLSafeTimedSerializer

    class Counting(original):
        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(flask.sessions, "URLSafeTimedSerializer", Counting)
    slug = make_gathering().slug
    for _ in range(3):
        assert client.get(f"/gatherings/{slug}").status_code == 200
    _registered_page(client, slug)
    assert len(made) <= 1  # before: two per request (read the cookie, write it)


def test_a_new_secret_key_with_the_old_one_as_fallback_keeps_sessions_and_signs_with_the_new(app, client):
    """Key rotation: the browser that registered is still recognised after its doubled click (its own tokens
    are in the session), and the cookie it gets then is signed with the new key alone."""
    slug = make_gathering().slug
    _registered_page(client, slug)
    app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = "a-new-key", ["test-secret"]
    again = client.post(f"/gatherings/{slug}/register", data=GOOD)  # the same browser, the same address
    assert again.status_code == 303 and "/r/" in again.headers["Location"]  # its own registration again
    app.config["SECRET_KEY_FALLBACKS"] = []  # the old key retired
    third = client.post(f"/gatherings/{slug}/register", data=GOOD)
    assert third.status_code == 303 and "/r/" in third.headers["Location"]


def test_a_new_secret_key_alone_starts_a_new_session(app, client):
    slug = make_gathering().slug
    _registered_page(client, slug)
    app.secret_key = "a-new-key"
    again = client.post(f"/gatherings/{slug}/register", data=GOOD)
    assert again.status_code == 200 and "/r/" not in (again.headers.get("Location") or "")  # "received", nothing more
