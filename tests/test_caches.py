"""Each cache of gatherings/caches.py gives the same bytes as no cache, and follows what its output is made of."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect

from gatherings import caches
from gatherings.catalogue.models import Gathering
from gatherings.extensions import db
from gatherings.registration.forms import RegistrationForm
from gatherings.registration.views import _page_context
from tests.factories import make_gathering, make_registration, make_theme


def _pages(client, app, off: set, paths, headers=None) -> list[bytes]:
    app.config["CACHES_OFF"] = off
    caches.clear(app)
    # Twice: the second answer is the one a cache gives, when it keeps anything.
    return [client.get(path, headers=headers).data for path in paths for _ in range(2)]


def _without_token(html: bytes) -> bytes:
    # Each answer carries a token of its own (signed with the time): the one difference allowed.
    return re.sub(rb'(name="csrf_token" type="hidden" value=")[^"]+"', rb'\1TOKEN"', html)


@pytest.fixture
def gatherings(app):
    theme = make_theme()
    ordinary = make_gathering(theme_id=theme.id, description="Koffie & <gesprek>")
    mixed = make_gathering(kind="mixed")
    make_registration(mixed, perspective="relative")
    return [f"/gatherings/{ordinary.slug}", f"/gatherings/{mixed.slug}"]


@pytest.mark.parametrize("name", caches.NAMES)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_each_cache_on_gives_the_bytes_of_no_cache(make_app, name, language):
    app = make_app(WTF_CSRF_ENABLED=True)  # as in production: the page carries each visitor's token
    with app.app_context():
        theme = make_theme()
        paths = [f"/gatherings/{make_gathering(theme_id=theme.id).slug}",
                 f"/gatherings/{make_gathering(kind='mixed').slug}"]
    client = app.test_client()
    headers = {"Accept-Language": language}
    with_cache = _pages(client, app, set(), paths, headers)
    without = _pages(client, app, {name}, paths, headers)
    for a, b in zip(with_cache, without):
        a, b = _without_token(a).decode(), _without_token(b).decode()
        assert a == b, "\n".join(__import__("difflib").unified_diff(a.splitlines(), b.splitlines(), lineterm=""))
    kept = {key: len(store) for key, store in app.extensions.get("caches", {}).items()}
    assert kept.get(name, 0) == 0 or name == "date_line"  # switched off: nothing kept


def test_the_date_line_on_and_off_is_the_same_text(app):
    from gatherings.i18n import when
    start = make_gathering().starts_at
    lines = []
    for off in (set(), {"date_line"}):
        app.config["CACHES_OFF"] = off
        with app.test_request_context(headers={"Accept-Language": "en"}):
            lines.append((when(start, start + timedelta(hours=2)), when(start, start + timedelta(hours=2))))
    assert lines[0] == lines[1] and "–" in lines[0][0]


def test_the_page_key_follows_every_column_and_the_seats(app, client):
    """Any column of the gathering changes the page's key: no field can be forgotten."""
    gathering = make_gathering(capacity=3)
    path = f"/gatherings/{gathering.slug}"
    client.get(path)
    for column in inspect(Gathering).column_attrs:
        if column.key in ("id", "slug", "status"):
            continue
        with app.test_request_context(path):
            before = caches._key("p", caches.fingerprint(db.session.get(Gathering, gathering.id)))
            row = db.session.get(Gathering, gathering.id)
            value = getattr(row, column.key)
            changed = {int: lambda v: (v or 0) + 1, str: lambda v: (v or "") + "x"}.get(
                type(value), lambda v: v + timedelta(minutes=1) if v is not None else row.starts_at)(value)
            setattr(row, column.key, changed)
            assert caches._key("p", caches.fingerprint(row)) != before, column.key
            db.session.rollback()
    make_registration(db.session.get(Gathering, gathering.id))
    assert "Nog 2 plekken vrij" in client.get(path).text


def test_a_form_with_what_someone_typed_is_never_kept(app, client):
    gathering = make_gathering()
    answer = client.post(f"/gatherings/{gathering.slug}/register", data={"name": "Anna de Vries", "email": "x"})
    assert answer.status_code == 422 and "Anna de Vries" in answer.text
    assert not app.extensions.get("caches", {}).get("form")
    assert "Anna de Vries" not in client.get(f"/gatherings/{gathering.slug}").text


def test_the_fingerprint_refuses_what_it_cannot_see_into(app):
    with pytest.raises(TypeError):
        caches.fingerprint(object())
    with app.test_request_context():
        empty, typed = RegistrationForm(), RegistrationForm(data={"name": "Anna"})
        assert caches.fingerprint(empty) != caches.fingerprint(typed)


def test_the_page_builds_what_is_derived_only_when_it_renders(make_app):
    """``derived`` (the gathering page's empty form) is neither built nor fingerprinted for a kept page."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        gathering_id, slug = (g := make_gathering()).id, g.slug
    built = []

    def derived():
        built.append(1)
        return {"form": RegistrationForm()}

    for off in (set(), {"page"}):
        app.config["CACHES_OFF"] = off
        caches.clear(app)
        built.clear()
        pages = []
        for _ in range(3):
            with app.test_request_context(f"/gatherings/{slug}"):
                pages.append(_without_token(caches.page(
                    "registration/gathering.html", derived=derived,
                    **_page_context(db.session.get(Gathering, gathering_id))).encode()))
        assert len(set(pages)) == 1
        assert len(built) == (1 if not off else 3)
