"""Calendar addresses: downloads and public feeds, with their HTTP validators."""
import datetime as dt

import pytest
from werkzeug.http import http_date, parse_date

from gatherings.calendar import cache, ics
from gatherings.catalogue.models import Gathering
from gatherings.extensions import db
from gatherings.timeutil import utcnow

from ..factories import make_gathering, make_theme
from .conftest import parse_strict


def uids(body: bytes) -> set[str]:
    return {e.uid for e in parse_strict(body).events}


def lm(response) -> dt.datetime:
    return parse_date(response.headers["Last-Modified"])


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    cache.bodies.clear()
    yield
    cache.bodies.clear()


@pytest.fixture
def mix(app):
    """One gathering for each rule of what a feed holds."""
    now = utcnow().replace(microsecond=0)
    theme = make_theme(slug="inclusie", name="Sociale inclusie")
    return dict(
        upcoming=make_gathering(title="Komt eraan", theme=theme),
        national=make_gathering(title="Landelijke dag", kind="national"),
        draft=make_gathering(title="Concept", status="draft"),
        cancelled=make_gathering(title="Afgelast", status="cancelled"),
        cancelled_past=make_gathering(title="Afgelast en voorbij", status="cancelled", starts_at=now - dt.timedelta(days=2)),
        recent=make_gathering(title="Net geweest", starts_at=now - dt.timedelta(days=30)),
        old=make_gathering(title="Lang geleden", starts_at=now - dt.timedelta(days=120)),
    )


def test_single_download(client, mix):
    g = mix["upcoming"]
    response = client.get(f"/gatherings/{g.slug}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename={g.slug}.ics'  # a token: no quotes needed
    assert response.headers["ETag"] == cache.etag_of(response.data)
    assert lm(response) == g.changed_at.replace(microsecond=0)
    assert uids(response.data) == {ics.gathering_uid(g)}
    text = response.data.decode()
    assert "METHOD" not in text and "TZID=Europe/Amsterdam" in text  # a download is no iTIP message
    assert "X-WR-CALNAME" not in text and "REFRESH-INTERVAL" not in text  # not a calendar of its own
    # the page itself is still the page, and offers the download
    page = client.get(f"/gatherings/{g.slug}")
    assert page.status_code == 200 and b"text/html" in page.headers["Content-Type"].encode()
    assert f'href="/gatherings/{g.slug}.ics"'.encode() in page.data
    assert "Zet in mijn agenda".encode() in page.data


def test_single_download_of_a_draft_or_unknown_gathering_is_404(client, mix):
    assert client.get(f"/gatherings/{mix['draft'].slug}.ics").status_code == 404
    assert client.get("/gatherings/bestaat-niet.ics").status_code == 404


def test_single_download_304(client, mix):
    url = f"/gatherings/{mix['upcoming'].slug}.ics"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


def test_all_feed_holds_the_right_gatherings(client, mix, icaljs, tmp_path):
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    expected = {ics.gathering_uid(mix[k]) for k in ("upcoming", "national", "cancelled", "recent")}
    assert uids(response.data) == expected
    calendar = parse_strict(response.data)
    status = {e.uid: e.status for e in calendar.events}
    assert status[ics.gathering_uid(mix["cancelled"])] == "CANCELLED"
    parsed = icaljs(response.data, tmp_path)
    assert {e["uid"] for e in parsed["events"]} == expected
    assert parsed["name"] == parsed["x_wr_calname"] == "Alle bijeenkomsten"
    text = response.data.decode()
    assert "ATTENDEE" not in text and "deelnemer" not in text.lower()


def test_kind_and_theme_feeds(client, mix, icaljs, tmp_path):
    national = client.get("/calendar/national.ics")
    assert uids(national.data) == {ics.gathering_uid(mix["national"])}
    assert "NAME:Landelijke dagen\r\n" in national.data.decode()
    themed = client.get("/calendar/themes/inclusie.ics")
    assert uids(themed.data) == {ics.gathering_uid(mix["upcoming"])}
    assert icaljs(themed.data, tmp_path)["name"] == "Bijeenkomsten over Sociale inclusie"
    assert uids(client.get("/calendar/mixed.ics").data) == set()
    parse_strict(client.get("/calendar/theme.ics").data)
    assert client.get("/calendar/onbekend.ics").status_code == 404
    assert client.get("/calendar/themes/onbekend.ics").status_code == 404


def test_every_address_answers_folded_crlf_utf8(client, mix):
    from gatherings.calendar import services

    token = services.feed_token_for("iemand@voorbeeld.nl")
    db.session.commit()
    for path in ("/calendar.ics", "/calendar/theme.ics", "/calendar/national.ics", "/calendar/mixed.ics",
                 "/calendar/themes/inclusie.ics", f"/gatherings/{mix['upcoming'].slug}.ics",
                 f"/calendar/my/{token}.ics"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8", path
        body = response.data
        body.decode("utf-8")
        assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n"), path
        lines = body[:-2].split(b"\r\n")
        assert all(len(line) <= 75 and b"\n" not in line and b"\r" not in line for line in lines), path
        parse_strict(body)


def test_conditional_requests(client, mix):
    first = client.get("/calendar.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith("W/")

    same = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.data == b""
    assert same.headers["ETag"] == etag  # (werkzeug leaves Last-Modified out of a 304, as RFC 9110 allows)
    assert same.headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/calendar.ics", headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get("/calendar.ics", headers={"If-Modified-Since": modified}).status_code == 304

    earlier = http_date(lm(first) - dt.timedelta(seconds=1))
    assert client.get("/calendar.ics", headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match wins over If-Modified-Since
    assert client.get("/calendar.ics", headers={"If-None-Match": '"other"', "If-Modified-Since": modified}
                      ).status_code == 200
    # the stored bytes are served again, unchanged
    assert client.get("/calendar.ics").data == first.data


def test_a_change_raises_sequence_changes_etag_and_moves_last_modified(client, mix):
    first = client.get("/calendar.ics")
    g = db.session.get(Gathering, mix["upcoming"].id)
    g.starts_at += dt.timedelta(hours=2)
    g.ends_at += dt.timedelta(hours=2)
    g.touch(attendee_relevant=True)
    db.session.commit()

    second = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    assert lm(second) > lm(first)
    seq = {e.uid: e.sequence for e in parse_strict(second.data).events}
    assert seq[ics.gathering_uid(g)] == 1
    assert client.get("/calendar.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}
                      ).status_code == 200


def test_last_modified_never_moves_backwards_when_a_gathering_leaves(client, mix):
    newest = make_gathering(title="Nieuwste")  # the newest change time in the feed
    before = client.get("/calendar.ics")
    assert lm(before) == newest.changed_at.replace(microsecond=0)

    db.session.delete(db.session.get(Gathering, newest.id))
    db.session.commit()
    after = client.get("/calendar.ics")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert lm(after) > lm(before)  # the newest remaining change is older, yet Last-Modified moves on
    assert client.get("/calendar.ics", headers={"If-Modified-Since": before.headers["Last-Modified"]}
                      ).status_code == 200


def test_last_modified_never_moves_backwards_when_a_gathering_ages_out(client, mix, monkeypatch):
    from gatherings.calendar import services

    before = client.get("/calendar.ics")
    assert ics.gathering_uid(mix["recent"]) in uids(before.data)
    later = utcnow() + dt.timedelta(days=61)  # "recent" is now past the 90 days
    monkeypatch.setattr(services, "utcnow", lambda: later)
    after = client.get("/calendar.ics")
    assert ics.gathering_uid(mix["recent"]) not in uids(after.data)
    assert lm(after) > lm(before)
    assert client.get("/calendar.ics", headers={"If-Modified-Since": before.headers["Last-Modified"]}
                      ).status_code == 200


def test_feed_is_built_once_per_change_for_all_processes(app, app_config, client, mix, monkeypatch):
    """A second app on the same database (another server process) serves the stored feed without building."""
    from gatherings import create_app
    from gatherings.calendar import services

    builds = []
    real_build = services.build_public_feed
    monkeypatch.setattr(services, "build_public_feed", lambda *a, **k: builds.append(1) or real_build(*a, **k))

    first = client.get("/calendar.ics")
    assert len(builds) == 1
    cache.bodies.clear()  # the other process has nothing in memory
    other = create_app(app_config)
    with other.app_context():
        second = other.test_client().get("/calendar.ics")
        third = other.test_client().get("/calendar.ics", headers={"If-None-Match": second.headers["ETag"]})
        db.session.remove()
        db.engine.dispose()
    assert len(builds) == 1
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert third.status_code == 304

    make_gathering(title="Erbij")
    assert client.get("/calendar.ics").headers["ETag"] != first.headers["ETag"]
    assert len(builds) == 2


def test_theme_rename_rebuilds_the_feed(client, mix):
    first = client.get("/calendar/themes/inclusie.ics")
    theme = mix["upcoming"].theme
    theme.name = "Meedoen in de samenleving"
    db.session.commit()
    second = client.get("/calendar/themes/inclusie.ics")
    assert second.headers["ETag"] != first.headers["ETag"]
    assert "Meedoen in de samenleving" in second.data.decode()


def test_a_theme_name_with_a_line_break_gives_a_clean_feed_not_a_500(client, mix):
    theme = make_theme(slug="thuis", name="Je thuis voelen,\r\nin de wijk\nX-Injected: ja")
    make_gathering(title="Thuis", theme=theme)
    response = client.get("/calendar/themes/thuis.ics")
    assert response.status_code == 200
    text = response.data.replace(b"\r\n ", b"").decode()
    assert "\r\nNAME:Bijeenkomsten over Je thuis voelen – in de wijk X-Injected: ja\r\n" in text
    assert "\r\nX-Injected" not in text
    assert parse_strict(response.data).events[0].categories == ["Themabijeenkomst",
                                                                "Je thuis voelen – in de wijk X-Injected: ja"]
    assert client.get("/calendar").status_code == 200
    assert client.get("/calendar.ics").status_code == 200


def test_subscribe_page(client, mix):
    page = client.get("/calendar")
    assert page.status_code == 200
    html = page.data.decode()
    for path in ("/calendar.ics", "/calendar/theme.ics", "/calendar/national.ics", "/calendar/mixed.ics",
                 "/calendar/themes/inclusie.ics"):
        assert f'href="webcal://gatherings.test{path}"' in html
        assert f'href="http://gatherings.test{path}"' in html
    for client_name in ("Google Agenda", "Outlook", "Apple Agenda", "Thunderbird"):
        assert f"<h3>{client_name}</h3>" in html


def test_an_edit_that_forgot_touch_still_reaches_the_feed(client, mix):
    first = client.get("/calendar.ics")
    g = db.session.get(Gathering, mix["upcoming"].id)
    g.title = "Andere titel"  # no g.touch(): the calendar area stamps the change itself
    db.session.commit()
    second = client.get("/calendar.ics")
    assert second.headers["ETag"] != first.headers["ETag"]
    assert "Andere titel" in {e.summary for e in parse_strict(second.data).events}
    stamped = g.changed_at
    g.capacity += 5  # any column: the change mark follows the row, not a list of what calendars show today
    db.session.commit()
    assert db.session.get(Gathering, g.id).changed_at > stamped
    g.organisers = []  # no column of the row: no new change time
    stamped = g.changed_at
    db.session.commit()
    assert db.session.get(Gathering, g.id).changed_at == stamped


def test_while_another_request_builds_the_stored_feed_is_served(client, mix, monkeypatch):
    from gatherings.calendar import services
    from gatherings.calendar.models import FeedCache

    first = client.get("/calendar.ics")
    make_gathering(title="Erbij")
    row = db.session.get(FeedCache, "all")
    row.building_until = utcnow() + dt.timedelta(seconds=30)  # as if another process is building
    db.session.commit()
    builds = []
    real_build = services.build_public_feed
    monkeypatch.setattr(services, "build_public_feed", lambda *a, **k: builds.append(1) or real_build(*a, **k))

    meanwhile = client.get("/calendar.ics")
    assert builds == [] and meanwhile.headers["ETag"] == first.headers["ETag"] and meanwhile.data == first.data

    row = db.session.get(FeedCache, "all")
    row.building_until = utcnow() - dt.timedelta(seconds=1)  # that builder died: its claim ran out
    db.session.commit()
    after = client.get("/calendar.ics")
    assert builds == [1] and after.headers["ETag"] != first.headers["ETag"]
    assert db.session.get(FeedCache, "all", populate_existing=True).building_until is None


def test_simultaneous_requests_after_a_change_agree(app, client, mix):
    """Eight requests (own connections, as separate workers) arrive right after a change: no errors, and
    whoever answers with the new version gives the same ETag and Last-Modified."""
    from tests.registration.test_concurrency import simultaneously

    before = client.get("/calendar.ics")
    make_gathering(title="Net toegevoegd")

    def fetch():
        response = app.test_client().get("/calendar.ics")
        assert response.status_code == 200
        return response.headers["ETag"], response.headers["Last-Modified"]

    answers = set(simultaneously([fetch] * 8))
    settled = client.get("/calendar.ics")
    new = (settled.headers["ETag"], settled.headers["Last-Modified"])
    assert new[0] != before.headers["ETag"]
    assert answers <= {new, (before.headers["ETag"], before.headers["Last-Modified"])}
    assert new in answers
