"""The public pages: the list and its filters, a gathering in each of its states, language, security."""
from datetime import datetime, timedelta, timezone

import pytest

from gatherings import create_app
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration, make_theme
from tests.htmlpage import Page

UTC = timezone.utc


def titles(response) -> list[str]:
    return [h.text for h in Page(response.text).find_all("h2") if h.find("a") is not None]


# --- the list ---------------------------------------------------------------------------------------------------


def test_list_shows_upcoming_published_gatherings_in_date_order(client):
    now = utcnow()
    make_gathering(title="Later", starts_at=now + timedelta(days=20))
    make_gathering(title="Eerst", starts_at=now + timedelta(days=2))
    make_gathering(title="Geweest", starts_at=now - timedelta(days=2))
    make_gathering(title="Concept", status="draft")
    make_gathering(title="Afgelast", status="cancelled", starts_at=now + timedelta(days=5))
    response = client.get("/")
    assert response.status_code == 200
    assert titles(response) == ["Eerst", "Afgelast", "Later"]
    cancelled_card = [li for li in Page(response.text).find_all("li", class_="gathering-card") if "Afgelast" in li.text]
    assert "Gaat niet door" in cancelled_card[0].text


def test_list_filters_by_kind_theme_and_words(client):
    inclusie = make_theme("inclusie", "Sociale inclusie")
    thuis = make_theme("thuis-voelen", "Je thuis voelen")
    make_gathering(title="Buurtsoep", kind="theme", theme=inclusie, venue_city="Zwolle")
    make_gathering(title="Landelijke dag", kind="national", theme=None, description="Over inclusie en thuis.")
    make_gathering(title="Aan tafel", kind="mixed", theme=thuis)

    assert titles(client.get("/?kind=national")) == ["Landelijke dag"]
    assert titles(client.get("/?kind=mixed")) == ["Aan tafel"]
    assert titles(client.get("/?theme=inclusie")) == ["Buurtsoep"]
    assert titles(client.get("/?q=zwolle")) == ["Buurtsoep"]  # the city, any case
    assert titles(client.get("/?q=INCLUSIE")) == ["Landelijke dag"]  # the description
    assert titles(client.get("/?kind=theme&theme=thuis-voelen")) == []
    assert sorted(titles(client.get("/?kind=nonsense&theme=&q="))) == ["Aan tafel", "Buurtsoep", "Landelijke dag"]

    # The choices stay visible in the filter form.
    page = Page(client.get("/?kind=mixed&q=tafel").text)
    assert page.by_id("q").get("value") == "tafel"
    assert page.find("option", value="mixed").get("selected") is not None
    assert page.by_id("q").get("maxlength") == "100"


def test_list_with_nothing_found_offers_the_way_back(client):
    make_gathering(title="Iets")
    page = Page(client.get("/?q=bestaatniet").text)
    assert "Er zijn geen bijeenkomsten gevonden." in page.text
    assert page.find("a", href="/") is not None


@pytest.mark.parametrize("query", ["?q=" + "x" * 5000, "?q=%25%5F%27%22", "?theme=%00", "?kind=" + "k" * 300])
def test_odd_filters_are_no_error(client, query):
    make_gathering()
    assert client.get("/" + query).status_code in (200, 400)


def test_percent_and_underscore_in_the_search_are_plain_characters(client):
    make_gathering(title="Honderd procent samen")
    assert titles(client.get("/?q=%25")) == []
    assert titles(client.get("/?q=_")) == []


# --- one gathering in each state -------------------------------------------------------------------------------


def test_open_gathering_shows_facts_and_the_form(client):
    g = make_gathering(capacity=10, venue_name="Buurthuis De Pijler", venue_address="Oudegracht 12",
                       venue_city="Utrecht", accessibility="Drempelvrij, lift aanwezig.")
    make_registration(g)
    page = Page(client.get(f"/gatherings/{g.slug}").text)
    assert page.find("h1").text == g.title
    assert "Nog 9 plekken vrij" in page.text
    assert "Buurthuis De Pijler" in page.text and "Oudegracht 12" in page.text
    assert "Drempelvrij, lift aanwezig." in page.text
    form = page.find("form", method="post")
    assert form.get("action") == f"/gatherings/{g.slug}/register#aanmelden"
    for field in ("name", "email", "organisation", "needs", "consent"):
        assert page.by_id(field) is not None
        assert page.find("label", for_=field) is not None, f"{field} has no label"
    fieldset = page.by_id("perspective-0").ancestors()
    assert any(a.tag == "fieldset" and a.find("legend") is not None for a in fieldset)
    assert page.find("button", type="submit").text == "Aanmelden"


def test_one_seat_left_is_singular(client):
    g = make_gathering(capacity=2)
    make_registration(g)
    assert "Nog 1 plek vrij" in Page(client.get(f"/gatherings/{g.slug}").text).text


def test_full_gathering_explains_the_waiting_list(client):
    g = make_gathering(capacity=1)
    make_registration(g)
    text = Page(client.get(f"/gatherings/{g.slug}").text).text
    assert "Deze bijeenkomst is vol. U kunt zich aanmelden voor de wachtlijst." in text
    assert "Komt er een plek vrij? Dan krijgt u die meteen." in text
    assert "Vol: u kunt op de wachtlijst" in Page(client.get("/").text).text


def test_mixed_session_shows_seats_per_group(client):
    g = make_gathering(kind="mixed", allot_lived=2, allot_relatives=1, allot_professionals=2, capacity=5)
    make_registration(g, perspective="relative")
    make_registration(g, perspective="client")
    items = [li.text for li in Page(client.get(f"/gatherings/{g.slug}").text).find("ul", class_="allotments").find_all("li")]
    assert items == [
        "Ervaring als cliënt of ervaringsdeskundige: nog 1 plek vrij",
        "Naasten: vol, wel wachtlijst",
        "Hulpverleners en andere professionals: nog 2 plekken vrij",
    ]


def test_not_yet_open_says_when_in_dutch(client):
    # Monday 1 March 2027, 09:00 UTC is 10:00 in Amsterdam (winter time).
    g = make_gathering(registration_opens_at=datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
                       starts_at=max(utcnow(), datetime(2027, 3, 1, tzinfo=UTC)) + timedelta(days=30))
    response = client.get(f"/gatherings/{g.slug}")
    assert response.status_code == 200
    page = Page(response.text)
    assert "De aanmelding gaat open op maandag 1 maart 2027 om 10:00." in page.text
    assert page.find("form", method="post") is None


def test_closed_past_and_cancelled_are_explained(client):
    now = utcnow()
    closed = make_gathering(registration_closes_at=now - timedelta(hours=1), contact_email="info@voorbeeld.nl")
    past = make_gathering(starts_at=now - timedelta(days=3))
    cancelled = make_gathering(status="cancelled")
    expected = {
        closed: "De aanmelding is gesloten. Wilt u toch komen? Mail dan naar info@voorbeeld.nl.",
        past: "Deze bijeenkomst is al begonnen of geweest. U kunt zich niet meer aanmelden.",
        cancelled: "Deze bijeenkomst gaat niet door. U hoeft niets te doen.",
    }
    for g, words in expected.items():
        response = client.get(f"/gatherings/{g.slug}")
        assert response.status_code == 200
        page = Page(response.text)
        assert words in page.text
        assert page.find("form", method="post") is None
    assert "Deze bijeenkomst gaat niet door." in Page(client.get(f"/gatherings/{cancelled.slug}").text).text


def test_unknown_gathering_is_a_dutch_404(client):
    response = client.get("/gatherings/bestaat-niet")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in Page(response.text).text


# --- dates in Dutch, in Amsterdam time, across daylight saving time ---------------------------------------------


@pytest.mark.parametrize("start, end, shown", [
    # winter time (UTC+1)
    (datetime(2026, 2, 3, 12, 30), datetime(2026, 2, 3, 15, 0), "dinsdag 3 februari 2026, 13:30 – 16:00"),
    # summer time (UTC+2)
    (datetime(2027, 7, 6, 11, 30), datetime(2027, 7, 6, 14, 0), "dinsdag 6 juli 2027, 13:30 – 16:00"),
    # the night the clocks go forward: 01:30 winter time to 03:30 summer time is one hour
    (datetime(2027, 3, 28, 0, 30), datetime(2027, 3, 28, 1, 30), "zondag 28 maart 2027, 01:30 – 03:30"),
    # the night the clocks go back
    (datetime(2027, 10, 31, 0, 30), datetime(2027, 10, 31, 2, 30), "zondag 31 oktober 2027, 02:30 (zomertijd) – 03:30"),
    # late evening UTC is already the next day in Amsterdam
    (datetime(2027, 1, 4, 23, 15), datetime(2027, 1, 5, 1, 0), "dinsdag 5 januari 2027, 00:15 – 02:00"),
])
def test_dates_in_dutch_amsterdam_time(client, start, end, shown):
    g = make_gathering(starts_at=start.replace(tzinfo=UTC), ends_at=end.replace(tzinfo=UTC))
    facts = Page(client.get(f"/gatherings/{g.slug}").text).find("dl", class_="facts")
    assert shown in facts.text


# --- language -----------------------------------------------------------------------------------------------------


def test_dutch_by_default(client):
    g = make_gathering(starts_at=datetime(2026, 2, 3, 12, 30, tzinfo=UTC), ends_at=datetime(2026, 2, 3, 15, tzinfo=UTC))
    response = client.get(f"/gatherings/{g.slug}")
    page = Page(response.text)
    assert page.find("html").get("lang") == "nl"
    assert "dinsdag 3 februari 2026" in page.text
    # Someone whose browser prefers Dutch, or German, stays in Dutch.
    assert Page(client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).text).find("html").get("lang") == "nl"
    assert Page(client.get("/", headers={"Accept-Language": "nl,en;q=0.8"}).text).find("html").get("lang") == "nl"


def test_english_by_accept_language(client):
    g = make_gathering(starts_at=datetime(2026, 2, 3, 12, 30, tzinfo=UTC), ends_at=datetime(2026, 2, 3, 15, tzinfo=UTC))
    page = Page(client.get(f"/gatherings/{g.slug}", headers={"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"}).text)
    assert page.find("html").get("lang") == "en"
    assert "Tuesday 3 February 2026, 13:30 – 16:00" in page.text


def test_english_by_the_visible_switch_and_back(client):
    g = make_gathering(starts_at=datetime(2026, 2, 3, 12, 30, tzinfo=UTC),
                       registration_opens_at=None)
    page = Page(client.get(f"/gatherings/{g.slug}").text)
    switch = page.find("a", class_="lang")
    assert switch.text == "English" and switch.get("lang") == "en"
    assert switch.get("href") == f"/taal/en?next=/gatherings/{g.slug}"

    response = client.get(switch.get("href"))
    assert response.status_code == 302 and response.headers["Location"] == f"/gatherings/{g.slug}"
    assert "lang=en" in response.headers["Set-Cookie"]
    english = Page(client.get(f"/gatherings/{g.slug}").text)
    assert english.find("html").get("lang") == "en"
    assert "Tuesday 3 February 2026" in english.text
    back = english.find("a", class_="lang")
    assert back.text == "Nederlands"
    client.get(back.get("href"))
    assert Page(client.get(f"/gatherings/{g.slug}").text).find("html").get("lang") == "nl"


def test_not_yet_open_moment_in_english(client):
    """The day and month come from the locale; the joining word is a msgid the English catalog translates."""
    g = make_gathering(registration_opens_at=datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
                       starts_at=max(utcnow(), datetime(2027, 3, 1, tzinfo=UTC)) + timedelta(days=30))
    client.get("/taal/en")
    text = Page(client.get(f"/gatherings/{g.slug}").text).text
    assert "Monday 1 March 2027" in text and "10:00" in text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_language_switch_does_not_redirect_elsewhere(client, target):
    response = client.get("/taal/en", query_string={"next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/" or (location.startswith("/") and not location.startswith(("//", "/\\")))


def test_unknown_language_sets_nothing(client):
    response = client.get("/taal/xx")
    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers


# --- security ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/gatherings/{slug}", "/gatherings/nope", "/api/v1/gatherings", "/r/nope"])
def test_security_headers_on_every_answer(client, path):
    g = make_gathering()
    response = client.get(path.format(slug=g.slug))
    csp = response.headers["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";"))
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client):
    """The CSP forbids them; a page that relied on them would break silently in the browser."""
    g = make_gathering(kind="mixed")
    reg = make_registration(g)
    for path in ("/", f"/gatherings/{g.slug}", f"/r/{reg.token}", f"/r/{reg.token}/cancel", "/nope"):
        page = Page(client.get(path).text)
        for script in page.find_all("script"):
            assert script.get("src"), f"inline script on {path}"
        assert page.find_all("style") == [], f"<style> on {path}"
        with_style = [el for el in page.root.iter() if "style" in el.attrs]
        assert with_style == [], f"style attribute on {path}: {with_style[:1]}"
        with_handlers = [el for el in page.root.iter() if any(a.startswith("on") for a in el.attrs)]
        assert with_handlers == [], f"event handler attribute on {path}"


def test_secret_key_is_required_in_production(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"GATHERINGS_ENV": "production", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)
    # Also when production is chosen through the environment.
    monkeypatch.setenv("GATHERINGS_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": config["SQLALCHEMY_DATABASE_URI"]})


def test_production_cookies_are_secure(make_app):
    prod = make_app(GATHERINGS_ENV="production", SECRET_KEY="a-long-production-secret-for-the-test",
                    CONTACT_EMAIL="contact@voorbeeld.nl")
    with prod.app_context():
        slug = make_gathering().slug
    client = prod.test_client()
    base = "https://gatherings.test"
    # The session cookie comes with the page: it holds the form's CSRF secret (the POST stores nothing more).
    response = client.get(f"/gatherings/{slug}", base_url=base)
    assert response.status_code == 200
    session_cookie = response.headers["Set-Cookie"]
    assert session_cookie.startswith("session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in session_cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    lang_cookie = client.get("/taal/en", base_url=base).headers["Set-Cookie"]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in lang_cookie


def test_development_cookies_work_over_plain_http(client):
    response = client.get("/taal/en")
    assert response.headers["Set-Cookie"].startswith("lang=")
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers
