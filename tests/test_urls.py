"""Links people keep or copy are on BASE_URL, whatever host the request came in on.

Behind a load balancer the request's host can be an internal name; a personal
link or a feed address on that name would not work for anyone outside.
"""
import re
import secrets
from datetime import timedelta

import pytest
from icalendar import Calendar

from gatherings.extensions import db
from gatherings.my.models import AccessToken, hash_token
from gatherings.timeutil import utcnow
from gatherings.urls import public_url, webcal_url
from tests.factories import make_gathering, make_registration, make_theme
from tests.htmlpage import Page

PUBLIC = "https://bijeenkomsten.example.nl"
INTERNAL = "http://app-3.intern:8000"  # what the load balancer forwards to


@pytest.fixture
def public_app(app):
    app.config["BASE_URL"] = PUBLIC
    return app


def hrefs(html: str) -> list[str]:
    return [a.get("href") for a in Page(html).find_all("a") if a.get("href")]


def test_result_page_personal_link_is_on_base_url(public_app, client):
    reg = make_registration(make_gathering(title="Kijkje in de keuken"))
    html = client.get(f"/r/{reg.token}?new=1", base_url=INTERNAL).get_data(as_text=True)
    link = Page(html).find("section", class_="personal-link").find("a")
    assert link.get("href") == link.text == f"{PUBLIC}/r/{reg.token}"
    assert "app-3.intern" not in html


def test_api_url_and_ics_url_are_on_base_url(public_app, client):
    g = make_gathering()
    [item] = client.get("/api/v1/gatherings", base_url=INTERNAL).get_json()["gatherings"]
    assert item["url"] == f"{PUBLIC}/gatherings/{g.slug}"
    assert item["ics_url"] == f"{PUBLIC}/gatherings/{g.slug}.ics"
    one = client.get(f"/api/v1/gatherings/{g.slug}", base_url=INTERNAL).get_json()
    assert (one["url"], one["ics_url"]) == (item["url"], item["ics_url"])


def test_subscribe_page_links_are_on_base_url(public_app, client):
    make_theme("inclusie", "Sociale inclusie")
    html = client.get("/calendar", base_url=INTERNAL).get_data(as_text=True)
    links = [h for h in hrefs(html) if h.endswith(".ics")]
    assert "https://bijeenkomsten.example.nl/calendar.ics" in links
    assert "webcal://bijeenkomsten.example.nl/calendar.ics" in links
    assert "webcal://bijeenkomsten.example.nl/calendar/mixed.ics" in links
    assert "https://bijeenkomsten.example.nl/calendar/themes/inclusie.ics" in links
    assert all(h.startswith((PUBLIC + "/", "webcal://bijeenkomsten.example.nl/")) for h in links), links
    assert "app-3.intern" not in html


def test_personal_feed_links_on_my_page_are_on_base_url(public_app, client):
    make_registration(make_gathering(), email="an@voorbeeld.nl")
    token = secrets.token_urlsafe(32)
    db.session.add(AccessToken(token_hash=hash_token(token), email_key="an@voorbeeld.nl",
                               created_at=utcnow(), expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    html = client.get(f"/my/{token}", base_url=INTERNAL).get_data(as_text=True)
    feeds = [h for h in hrefs(html) if "/calendar/my/" in h]
    assert len(feeds) == 2
    assert re.fullmatch(r"webcal://bijeenkomsten\.example\.nl/calendar/my/[^/]+\.ics", feeds[0])
    assert feeds[1] == feeds[0].replace("webcal://", "https://")
    assert "app-3.intern" not in html


def test_feed_event_url_and_uid_use_base_url_not_the_request(public_app, client):
    g = make_gathering()
    body = client.get(f"/gatherings/{g.slug}.ics", base_url=INTERNAL).data
    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["URL"]) == f"{PUBLIC}/gatherings/{g.slug}"
    # The UID's host has always been BASE_URL's host: it must not move, or subscribers see doubles.
    assert str(event["UID"]) == f"gathering-{g.id}@bijeenkomsten.example.nl"


@pytest.mark.parametrize("base", ["https://example.nl/aanmelden", "https://example.nl/aanmelden/"])
def test_base_url_with_a_path_prefix_and_trailing_slash(app, client, base):
    """Mounted under /aanmelden (SCRIPT_NAME), the prefix is in the links once."""
    app.config["BASE_URL"] = base
    g = make_gathering()
    reg = make_registration(g)
    mounted = "http://app-3.intern:8000/aanmelden"
    page = Page(client.get(f"/r/{reg.token}", base_url=mounted).get_data(as_text=True))
    assert page.find("section", class_="personal-link").find("a").get("href") == f"https://example.nl/aanmelden/r/{reg.token}"
    item = client.get(f"/api/v1/gatherings/{g.slug}", base_url=mounted).get_json()
    assert item["url"] == f"https://example.nl/aanmelden/gatherings/{g.slug}"
    assert item["ics_url"] == f"https://example.nl/aanmelden/gatherings/{g.slug}.ics"
    links = hrefs(client.get("/calendar", base_url=mounted).get_data(as_text=True))
    assert "https://example.nl/aanmelden/calendar.ics" in links
    assert "webcal://example.nl/aanmelden/calendar.ics" in links


def test_outside_a_request_too(app):
    """The mail sender and the CLI have no request: the same links."""
    app.config["BASE_URL"] = "https://example.nl:8443/aanmelden/"
    assert public_url("registration.show", token="abc") == "https://example.nl:8443/aanmelden/r/abc"
    assert webcal_url("calendar.kind_ics", kind="mixed") == "webcal://example.nl:8443/aanmelden/calendar/mixed.ics"
    assert public_url("public.index", kind="theme") == "https://example.nl:8443/aanmelden/?kind=theme"
