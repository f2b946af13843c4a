"""The stored feeds (calendar/cache.py) against the same feeds built on every request (cache off)."""
import datetime as dt

import pytest
import sqlalchemy as sa

from gatherings import create_app
from gatherings.calendar import cache, ics, services
from gatherings.catalogue.models import Gathering, GatheringKind, HostOrganisation, Theme
from gatherings.extensions import db
from gatherings.timeutil import UTCDateTime

from ..factories import make_gathering, make_registration, make_theme


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    cache.bodies.clear()
    yield
    cache.bodies.clear()


@pytest.fixture
def uncached(app_config):
    """Another server process on the same database, with the feed cache off."""
    other = create_app({**app_config, "CALENDAR_FEED_CACHE": False})

    def get(path):
        with other.app_context():
            response = other.test_client().get(path)
            db.session.remove()
        return response

    yield get
    with other.app_context():
        db.engine.dispose()


def _changed(column, value, others):
    """Another valid value for ``column``: whatever the column, so no column is left out."""
    if column.key == "kind":
        return next(k for k in GatheringKind if k != value)
    if column.key == "status":
        return "cancelled"
    if column.key == "theme_id":
        return others["theme"]
    if column.key == "host_id":
        return others["host"]
    column_type = column.columns[0].type
    python_type = object if isinstance(column_type, UTCDateTime) else column_type.python_type
    if isinstance(column_type, UTCDateTime):
        return (value or dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)) + dt.timedelta(hours=1)
    if python_type is bool:
        return not value
    if python_type is int:
        return (value or 0) + 1
    if python_type is str:
        return (value or "") + "-anders"
    raise AssertionError(f"no changed value for {column.key} ({python_type})")


def test_every_change_gives_the_bytes_of_a_build_without_cache(app, client, uncached):
    theme = make_theme(slug="thuis", name="Thuis")
    other_theme = make_theme(slug="inclusie", name="Inclusie")
    host = HostOrganisation(slug="hoven", name="De Hoven")
    other_host = HostOrganisation(slug="pijler", name="De Pijler")
    db.session.add_all([host, other_host])
    db.session.commit()
    gathering = make_gathering(theme=theme, host=host, registration_closes_at=None)
    make_gathering(title="Een ander")
    registration = make_registration(gathering, email="an@voorbeeld.nl")
    token = services.feed_token_for(registration.email_key)
    db.session.commit()
    paths = ["/calendar.ics", f"/calendar/{gathering.kind}.ics", "/calendar/themes/thuis.ics",
             f"/calendar/my/{token}.ics"]
    others = {"theme": other_theme.id, "host": other_host.id}

    def compare(what):
        for path in paths:
            cached = client.get(path)
            built = uncached(path)
            assert cached.status_code == built.status_code, (what, path)
            assert cached.data == built.data, (what, path)

    compare("at first")
    columns = [c for c in sa.inspect(Gathering).column_attrs if c.key not in ("id", "status", "changed_at")]
    for column in columns + [sa.inspect(Gathering).column_attrs["status"]]:
        row = db.session.get(Gathering, gathering.id)
        setattr(row, column.key, _changed(column, getattr(row, column.key), others))
        db.session.commit()
        compare(column.key)
    for model, key in ((Theme, other_theme.id), (HostOrganisation, other_host.id)):
        db.session.get(model, key).name += " (nieuw)"
        db.session.commit()
        compare(f"{model.__name__} renamed")
    make_gathering(title="Erbij", theme=other_theme)
    compare("added")
    db.session.delete(db.session.get(Gathering, gathering.id))
    db.session.commit()
    compare("removed")


def test_a_release_that_writes_other_bytes_rebuilds_the_stored_feeds(client, monkeypatch):
    make_gathering()
    before = client.get("/calendar.ics")
    monkeypatch.setattr(ics, "PRODID", "-//Gatherings//Bijeenkomsten, nieuwe versie//NL")
    monkeypatch.setattr(ics, "_fingerprints", {})  # a new process, with the new code
    cache.bodies.clear()
    after = client.get("/calendar.ics")
    assert b"nieuwe versie" in after.data
    assert after.headers["ETag"] != before.headers["ETag"]
