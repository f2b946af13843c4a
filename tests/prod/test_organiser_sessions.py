"""Organiser sessions and password counters hold across servers: nothing lives in one server's memory."""
import uuid

import pytest
import redis

from .conftest import CSRF_FIELD, Browser

pytestmark = pytest.mark.postgres
REDIS = "redis://127.0.0.1:6379/0"
PASSWORD = "een goed wachtwoord"


@pytest.fixture
def login_counters():
    """Redis, without login counters left by an earlier run (all from 127.0.0.1, they would add up)."""
    try:
        server = redis.Redis.from_url(REDIS, socket_connect_timeout=2)
        server.ping()
    except redis.RedisError:
        pytest.skip("needs Redis on 127.0.0.1:6379")

    def clear():
        for key in server.scan_iter("*organise-login-*"):
            server.delete(key)

    clear()
    yield
    clear()


def _organiser(database_url: str) -> str:
    from gatherings import create_app
    from gatherings.extensions import db
    from tests.factories import make_organiser

    email = f"deur-{uuid.uuid4().hex[:8]}@voorbeeld.nl"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        make_organiser(email)
        db.session.remove()
        db.engine.dispose()
    return email


def _token(browser: Browser, path: str) -> str:
    return CSRF_FIELD.search(browser.get(path).text).group(1)


def _log_in(browser: Browser, email: str, password: str = PASSWORD):
    return browser.request("POST", "/organise/login",
                           {"csrf_token": _token(browser, "/organise/login"), "email": email, "password": password})


def test_logging_out_on_one_server_ends_the_session_on_the_other(pg_database, serve, login_counters):
    email = _organiser(pg_database)
    limited = {"RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": REDIS}
    one, two = serve(pg_database, workers=1, **limited), serve(pg_database, workers=1, **limited)
    door_phone = Browser(one.base)
    assert _log_in(door_phone, email).status == 303
    copied = Browser(two.base)
    copied.cookies = dict(door_phone.cookies)
    assert f"Ingelogd als {email}" in copied.get("/organise/").text
    answer = door_phone.request("POST", "/organise/logout", {"csrf_token": _token(door_phone, "/organise/")})
    assert answer.status == 303
    answer = copied.get("/organise/")
    assert answer.status == 302 and "/organise/login" in answer.headers["Location"]


def test_wrong_passwords_are_counted_across_servers(pg_database, serve, login_counters):
    email = _organiser(pg_database)
    limited = {"RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": REDIS}
    servers = [serve(pg_database, workers=1, **limited), serve(pg_database, workers=1, **limited)]
    statuses = []
    for attempt in range(10):  # ten wrong passwords per account and client, wherever they land
        statuses.append(_log_in(Browser(servers[attempt % 2].base), email, "fout wachtwoord").status)
    assert statuses == [401] * 10
    answer = _log_in(Browser(servers[0].base), email)
    assert answer.status == 429
    assert "te vaak een verkeerd wachtwoord" in answer.text
