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


# --- the workshops' seats left: put into the kept page per request (programme/page_seats.py) -------------------


def _day_with_workshops():
    from tests.programme.factories import make_programme
    day = make_gathering(kind="national", capacity=10)
    rounds = make_programme(day, [2, 1], optional={0})
    return day, rounds[0].workshops


@pytest.mark.parametrize("off", [{name} for name in caches.NAMES] + [set(caches.NAMES)], ids=lambda off: "+".join(sorted(off)))
@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_programme_page_kept_or_not_gives_the_same_bytes(make_app, language, off):
    """Kept with marks and filled in, or rendered with the numbers (as for a form that comes back): the same page,
    a full workshop's words (in English with an apostrophe, escaped) included."""
    from gatherings.programme.models import Workshop
    from gatherings.programme.queries import timetable
    from gatherings.registration.views import _gathering_page
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        day, (roomy, small) = _day_with_workshops()
        make_registration(day)  # the day's seats move too
        db.session.get(Workshop, small.id).seated_people = 1
        db.session.commit()
        path = f"/gatherings/{day.slug}"
    client = app.test_client()
    headers = {"Accept-Language": language}
    kept, rendered = _pages(client, app, set(), [path], headers), _pages(client, app, off, [path], headers)
    with app.test_request_context(path, headers=headers):
        gathering = db.session.get(Gathering, day.id)
        direct = _gathering_page(gathering, programme=timetable(gathering))[0].encode()
    for page in kept + rendered:
        assert _without_token(page) == _without_token(direct)
    assert b"\x00" not in direct and (b"full: you will be on this workshop&#39;s waiting list" in direct
                                       or language == "nl")


def test_the_kept_page_shows_the_workshops_seats_left_of_this_moment(app, client):
    """A seat taken in a workshop shows on the next visit, in the timetable and in the round's question, though
    the page and its form's fields are not rendered again (only the day's seats would make them)."""
    from gatherings.programme.models import Workshop
    from tests.htmlpage import Page
    day, (roomy, small) = _day_with_workshops()
    path = f"/gatherings/{day.slug}"
    first = client.get(path).text
    assert first.count("nog 1 plek vrij") == 2 and first.count("nog 2 plekken vrij") == 2
    assert "vol, wel wachtlijst" not in first and "vol: u komt op de wachtlijst" not in first
    rendered = dict(app.extensions["caches"]["page"]), dict(app.extensions["caches"]["form"])
    # A seat taken behind the page's back, as another worker's registration does (the day's seats unchanged).
    db.session.get(Workshop, small.id).seated_people = 1
    db.session.commit()
    page = client.get(path).text
    assert (dict(app.extensions["caches"]["page"]), dict(app.extensions["caches"]["form"])) == rendered
    assert "vol, wel wachtlijst" in page and "nog 1 plek vrij" not in page
    option = Page(page).find("label", for_=f"round_{small.part_id}-1")
    assert option is not None and "vol: u komt op de wachtlijst van deze werkplaats" in option.text
    english = client.get(path, headers={"Accept-Language": "en"}).text
    assert "\x00" not in page + english and "2 places left" in english
