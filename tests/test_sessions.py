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


def test_a_new_secret_key_with_the_old_one_as_fallback_still_knows_the_browser(make_app):
    """Key rotation: the session signed with the old key is still read, and the browser that registered is
    still known as the same one (its key for the form was made with the old key) while the old key is kept."""
    import re

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        slug = make_gathering().slug
    client = app.test_client()

    def register():
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get(f"/gatherings/{slug}").text).group(1)
        return client.post(f"/gatherings/{slug}/register", data={**GOOD, "csrf_token": token})

    first = register()
    assert first.status_code == 303
    app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = "a-new-key", ["test-secret"]
    again = register()  # the same browser, the same address, a page loaded after the change
    assert again.status_code == 303 and again.headers["Location"].split("?")[0] == first.headers["Location"].split("?")[0]
    app.config["SECRET_KEY_FALLBACKS"] = []  # the old key retired: its sessions are not read any more
    third = register()
    assert third.status_code == 200 and "/r/" not in (third.headers.get("Location") or "")  # "received" only


def test_a_new_secret_key_alone_starts_a_new_session(app, client):
    slug = make_gathering().slug
    _registered_page(client, slug)
    app.secret_key = "a-new-key"
    again = client.post(f"/gatherings/{slug}/register", data=GOOD)
    assert again.status_code == 200 and "/r/" not in (again.headers.get("Location") or "")  # "received", nothing more


def test_earlier_keys_come_from_the_environment_as_a_list(monkeypatch, app_config):
    """SECRET_KEY_FALLBACKS=old,older: read at start, as SECRET_KEY is (docs/production.md, Settings)."""
    from gatherings import create_app

    monkeypatch.setenv("SECRET_KEY_FALLBACKS", " an-old-key , an-older-key,")
    app = create_app(app_config)
    assert app.config["SECRET_KEY_FALLBACKS"] == ["an-old-key", "an-older-key"]
    monkeypatch.setenv("SECRET_KEY_FALLBACKS", "")
    assert not create_app(app_config).config.get("SECRET_KEY_FALLBACKS")
