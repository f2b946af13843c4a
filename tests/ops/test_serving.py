"""Production serving: health check, database down, proxy headers, pool settings, gunicorn settings, logs."""
import os
import runpy
from pathlib import Path

import pytest

from gatherings import create_app
from gatherings.extensions import db
from gatherings.ops.logs import mask_secrets
from tests.factories import make_gathering
from tests.htmlpage import Page

ROOT = Path(__file__).resolve().parents[2]
# Nothing listens on port 1: connecting is refused at once, as when PostgreSQL is down.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/gatherings"


@pytest.fixture
def down_client(app_config):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": UNREACHABLE})
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_is_unreachable(down_client):
    response = down_client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_pages_say_in_dutch_that_the_system_is_unavailable_when_the_database_is(down_client):
    response = down_client.get("/gatherings/landelijke-dag")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    page = Page(response.get_data(as_text=True))
    assert page.find("h1").text == "Even niet bereikbaar"
    assert "Probeer het over een paar minuten opnieuw" in page.text
    assert "Traceback" not in page.text

    posted = down_client.post("/gatherings/landelijke-dag/register", data={"name": "Anna"})
    assert posted.status_code == 503
    assert "Er is niets opgeslagen" in Page(posted.get_data(as_text=True)).text


def _echo_app(app_config, proxies):
    app = create_app({**app_config, "TRUSTED_PROXIES": proxies})

    @app.get("/_echo")
    def _echo():
        from flask import request
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app


def test_behind_the_configured_number_of_proxies_the_forwarded_client_is_used(app_config):
    client = _echo_app(app_config, 1).test_client()
    seen = client.get("/_echo", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
                                         "X-Forwarded-Host": "aanmelden.example.nl"}).get_json()
    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "aanmelden.example.nl"}
    # A visitor who adds their own X-Forwarded-For in front does not choose their address.
    spoofed = client.get("/_echo", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}).get_json()
    assert spoofed["addr"] == "203.0.113.7"


def test_without_proxies_forwarded_headers_are_ignored(app_config):
    client = _echo_app(app_config, 0).test_client()
    seen = client.get("/_echo", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}).get_json()
    assert seen["addr"] == "127.0.0.1"
    assert seen["scheme"] == "http"


def test_postgresql_pool_sizes_come_from_the_environment(monkeypatch, app_config):
    monkeypatch.setenv("DB_POOL_SIZE", "4")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "6")
    monkeypatch.setenv("DB_POOL_TIMEOUT", "3")
    config = {k: v for k, v in app_config.items() if k != "SQLALCHEMY_DATABASE_URI"}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": UNREACHABLE})
    with app.app_context():
        pool = db.engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout) == (4, 6, 3)
        db.engine.dispose()


def _gunicorn_settings(monkeypatch, **env):
    for key in ("WEB_CONCURRENCY", "GUNICORN_BIND", "PORT", "GUNICORN_THREADS", "GATHERINGS_ENV"):
        monkeypatch.setenv(key, "")  # recorded, so that the end of the test restores what was there
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_workers_and_bind_come_from_the_environment(monkeypatch):
    default = _gunicorn_settings(monkeypatch)
    assert default["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert default["bind"] == "127.0.0.1:8000"
    assert default["worker_class"] == "sync"
    assert default["timeout"] > 0 and default["graceful_timeout"] > 0

    chosen = _gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_BIND="0.0.0.0:9000", GUNICORN_THREADS="4")
    assert (chosen["workers"], chosen["bind"], chosen["worker_class"]) == (3, "0.0.0.0:9000", "gthread")
    assert _gunicorn_settings(monkeypatch, PORT="8080")["bind"] == "0.0.0.0:8080"


def test_under_gunicorn_the_app_is_in_production_unless_told_otherwise(monkeypatch):
    _gunicorn_settings(monkeypatch)
    assert os.environ["GATHERINGS_ENV"] == "production"
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})  # a forgotten key stops the start
    _gunicorn_settings(monkeypatch, GATHERINGS_ENV="development")
    assert os.environ["GATHERINGS_ENV"] == "development"


def test_access_log_lines_do_not_carry_personal_links():
    line = '"GET /r/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd?new=1 HTTP/1.1"'
    assert mask_secrets(line) == '"GET /r/AbCd…?new=1 HTTP/1.1"'
    assert mask_secrets("/calendar/my/Zz9_aaaaaaaaaaaaaaaaaaaa.ics") == "/calendar/my/Zz9_….ics"
    assert mask_secrets("/my/aaaabbbbccccddddeeee") == "/my/aaaa…"
    assert (mask_secrets('"POST /organise/password/reset/WyJyZXNldCIsMSwxLCJhIl0.abc-def_ghijkl HTTP/1.1"')
            == '"POST /organise/password/reset/WyJy… HTTP/1.1"')
    assert mask_secrets("/organise/password/reset/sent") == "/organise/password/reset/sent"
    assert mask_secrets("/gatherings/landelijke-dag-2026-voorjaar") == "/gatherings/landelijke-dag-2026-voorjaar"


def test_the_kept_empty_form_is_per_kind_of_gathering(app, client):
    theme = make_gathering(kind="theme")
    mixed = make_gathering(kind="mixed")
    for _ in range(2):  # the second time from the form cache
        theme_radios = Page(client.get(f"/gatherings/{theme.slug}").get_data(as_text=True)).find_all("input", name="perspective")
        mixed_radios = Page(client.get(f"/gatherings/{mixed.slug}").get_data(as_text=True)).find_all("input", name="perspective")
        assert "not_said" in [r.get("value") for r in theme_radios]
        assert "not_said" not in [r.get("value") for r in mixed_radios]
        assert all(r.get("required") is not None for r in mixed_radios)
        assert all(r.get("required") is None for r in theme_radios)
    assert len(app.extensions["caches"]["form"]) == 2


def test_each_visitor_still_gets_their_own_csrf_token(app, app_config):
    gathering = make_gathering()
    # An app of its own: requests through the `app` fixture share its pushed app context (and so `g`).
    served = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    tokens = set()
    for _ in range(2):
        html = served.test_client().get(f"/gatherings/{gathering.slug}").get_data(as_text=True)
        tokens.add(Page(html).find("input", name="csrf_token").get("value"))
    assert len(tokens) == 2
    with served.app_context():
        db.engine.dispose()
