"""The organiser area in chromium: the wide layout and the registrations list on a desktop and a phone,
the choice of columns, "Plek geven" beyond capacity, the message with its preview and test copy (received
by aiosmtpd), a draft's preview, and the login page in the browser's language. axe-core on every page
changed, in Dutch and English, on a phone and a desktop.

The app runs in a werkzeug server in a thread (CSRF on, as in production) on the test's own database.
"""
import re

import pytest
import sqlalchemy as sa

from gatherings import create_app
from gatherings.attendance.models import GatheringMessage
from gatherings.extensions import db
from gatherings.mail.sender import send_due
from gatherings.registration.models import Registration
from tests.factories import make_gathering, make_organiser, make_registration
from tests.mail.conftest import SMTPServer, free_port

from .browser import PASSWORD, axe_violations, log_in, serving, sync_api

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

expect = sync_api.expect
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ORGANISER = "ria@organisatie.example"
LONG_EMAIL = "anna-maria.van-der-heijden-de-jong@zorgorganisatie-midden-nederland.example"


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def app_config(app_config, smtp_port):
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port, "MAIL_TIMEOUT": 5,
            "MAIL_DEFAULT_SENDER": "Gatherings <noreply@gatherings.test>"}


@pytest.fixture
def smtp(smtp_port):
    server = SMTPServer(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(app_config, app):
    """A full gathering with a waiting list and long values, a draft, their organiser; served over HTTP."""
    gathering = make_gathering(title="Kijkje in de keuken", capacity=2)
    long = make_registration(gathering, name="Anna-Maria van der Heijden-de Jong", email=LONG_EMAIL)
    long.organisation = "Stichting Zorg en Welzijn Midden-Nederland, afdeling Herstel"
    long.needs = "Een rolstoelplek dicht bij de uitgang, en vegetarische lunch zonder noten"
    make_registration(gathering, name="Bram Bakker", email="bram@voorbeeld.nl")
    for name in ("Wachtende Een", "Wachtende Twee"):
        waiting = make_registration(gathering, name=name, email=f"{name.split()[1].lower()}@voorbeeld.nl")
        waiting.organisation = "Cliëntenraad GGZ Noord-Holland-Noord"
    db.session.commit()
    draft = make_gathering(title="Nog in de maak", status="draft")
    make_organiser(ORGANISER, gatherings=[gathering, draft], password=PASSWORD)
    with serving(create_app({**app_config, "WTF_CSRF_ENABLED": True})) as base:
        yield {"base": base, "slug": gathering.slug, "draft": draft.slug, "gathering": gathering}


def _page(browser, viewport, locale="nl-NL", **options):
    context = browser.new_context(viewport=viewport, locale=locale, bypass_csp=True, **options)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def _fits(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    # No part of it scrolls sideways either (a table in a scrolling box).
    wider = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(el => el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1
                      && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
        .map(el => el.tagName + '.' + el.className)""")
    assert wider == []


def _actions_in_view(page) -> None:
    width = page.evaluate("window.innerWidth")
    buttons = page.locator("table.registrations .row-actions .button")
    assert buttons.count() >= 6  # Annuleren x2; Plek geven and Annuleren x2
    for i in range(buttons.count()):
        button = buttons.nth(i)
        button.scroll_into_view_if_needed()
        assert button.is_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, button.inner_text()
        assert box["height"] >= 24 and box["width"] >= 24  # WCAG 2.5.8


def _axe_clean(page) -> None:
    assert axe_violations(page) == [], page.url


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_registrations_list_fits_and_its_actions_can_be_pressed(site, browser, viewport):
    page = _page(browser, viewport)
    log_in(page, site["base"], ORGANISER)
    page.goto(f"{site['base']}/organise/gatherings/{site['slug']}/registrations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmeldingen")
    _fits(page)
    _actions_in_view(page)
    row = page.locator("table.registrations tbody tr").first
    if viewport is PHONE:  # a card per person, each value with its column's name
        assert row.evaluate("el => getComputedStyle(el).display") == "block"
        assert "E-mailadres" in row.evaluate("el => getComputedStyle(el.querySelector('td.email'), '::before').content")
    else:  # a table, and the organiser area uses the width of the screen
        assert row.evaluate("el => getComputedStyle(el).display") == "table-row"
        assert page.evaluate("document.querySelector('main').getBoundingClientRect().width") > 1000
    _axe_clean(page)

    # "Plek geven" can be pressed, and on a full gathering it asks first (item 8).
    page.get_by_role("button", name="Plek geven (Wachtende Een)").click()
    expect(page.locator("main")).to_contain_text("Dit geeft 1 plek meer dan er zijn.")
    _fits(page)
    _axe_clean(page)
    page.get_by_role("button", name="Ja, geef toch een plek").click()
    expect(page.locator(".notice").first).to_contain_text("Wachtende Een heeft een plek gekregen")
    expect(page.locator(".numbers")).to_contain_text("3 van 2 plekken bezet")
    page.context.close()


def test_the_registrations_page_in_english_passes_axe_on_both_sizes(site, browser):
    for viewport in (DESKTOP, PHONE):
        page = _page(browser, viewport, locale="en-GB")
        log_in(page, site["base"], ORGANISER)
        for path in ("/registrations", "/message"):
            page.goto(f"{site['base']}/organise/gatherings/{site['slug']}{path}")
            assert page.locator("html").get_attribute("lang") == "en"
            _fits(page)
            _axe_clean(page)
        page.context.close()


def test_the_columns_are_a_choice_kept_without_javascript(site, browser):
    page = _page(browser, DESKTOP, java_script_enabled=False)
    log_in(page, site["base"], ORGANISER)
    page.goto(f"{site['base']}/organise/gatherings/{site['slug']}/registrations")
    table = page.locator("table.registrations").first
    expect(table.locator("thead")).to_contain_text("E-mailadres")
    page.get_by_role("checkbox", name="E-mailadres").uncheck()
    page.get_by_role("checkbox", name="Organisatie").uncheck()
    page.get_by_role("button", name="Kolommen tonen").click()
    expect(table.locator("thead")).not_to_contain_text("E-mailadres")
    expect(table.locator("thead")).not_to_contain_text("Organisatie")
    expect(table).not_to_contain_text(LONG_EMAIL)
    expect(table.locator("thead")).to_contain_text("Wat nodig is")
    # Kept: the list without the query string, and after an action, shows the same columns.
    page.goto(f"{site['base']}/organise/gatherings/{site['slug']}/registrations")
    expect(table.locator("thead")).not_to_contain_text("E-mailadres")
    expect(page.get_by_role("checkbox", name="E-mailadres")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Wat nodig is")).to_be_checked()
    page.get_by_role("button", name="Plek geven (Wachtende Een)").click()
    page.get_by_role("link", name="Nee, terug").click()
    expect(table.locator("thead")).not_to_contain_text("E-mailadres")
    page.context.close()  # (axe-core needs JavaScript: the list with fewer columns is checked below)


def test_the_list_with_fewer_columns_passes_axe_on_a_phone(site, browser):
    page = _page(browser, PHONE)
    log_in(page, site["base"], ORGANISER)
    page.goto(f"{site['base']}/organise/gatherings/{site['slug']}/registrations?kolommen=1&kolom=needs")
    expect(page.locator("table.registrations thead").first).not_to_contain_text("E-mailadres")
    _fits(page)
    _axe_clean(page)
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_message_is_previewed_tested_confirmed_and_kept(site, browser, smtp, viewport):
    db.session.rollback()
    send_due()  # the registrations' confirmations
    seen = len(smtp.messages)
    page = _page(browser, viewport)
    log_in(page, site["base"], ORGANISER)
    page.goto(f"{site['base']}/organise/gatherings/{site['slug']}/message")
    _axe_clean(page)
    page.get_by_label("Iedereen met een plek", exact=True).check()
    page.get_by_label("Onderwerp").fill("Andere ingang")
    page.get_by_label("Bericht", exact=True).fill("Beste deelnemers,\n\nDe ingang is aan de achterkant.\n\nGroet, Ria")
    page.get_by_label("Uw naam onder het bericht").fill("Ria Smit")
    page.get_by_role("button", name="Bekijk het bericht").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bericht nakijken")
    expect(page.locator("main")).to_contain_text("Dit bericht gaat naar 2 personen: iedereen met een plek.")
    preview = page.locator("pre.mail-text")
    assert preview.inner_text().startswith("Beste deelnemers,")  # no greeting of ours above theirs
    _fits(page)
    _axe_clean(page)

    page.get_by_role("button", name="Stuur mij een testbericht").click()
    expect(page.get_by_role("status").first).to_contain_text("testbericht naar ria@organisatie.example")
    db.session.rollback()  # end the test's read transaction: see what the server committed
    assert send_due().sent == 1  # the outbox, then aiosmtpd: only the organiser's copy
    [test_copy] = smtp.messages[seen:]
    assert test_copy["To"].addresses[0].addr_spec == "ria@organisatie.example"
    assert test_copy["Subject"] == "[Test] Kijkje in de keuken: Andere ingang"
    assert db.session.scalar(sa.select(sa.func.count(GatheringMessage.id))) == 0

    page.get_by_role("button", name="Ja, verstuur naar 2 personen").click()
    page.wait_for_url("**/message#history-title")
    expect(page.get_by_role("status").first).to_contain_text("Het bericht gaat naar 2 personen.")
    history = page.locator("section[aria-labelledby=history-title]")
    expect(history).to_contain_text("Andere ingang")
    expect(history).to_contain_text("Ria Smit")
    _fits(page)
    _axe_clean(page)
    db.session.rollback()
    assert send_due().sent == 2
    to = sorted(m["To"].addresses[0].addr_spec for m in smtp.messages[seen + 1:])
    assert to == sorted([LONG_EMAIL, "bram@voorbeeld.nl"])
    page.context.close()


def test_a_draft_is_previewed_by_its_organiser_only(site, browser):
    for viewport, locale in ((DESKTOP, "nl-NL"), (PHONE, "en-GB")):
        page = _page(browser, viewport, locale=locale)
        log_in(page, site["base"], ORGANISER)
        page.goto(f"{site['base']}/organise/gatherings/{site['draft']}")
        page.locator(f"a[href='/gatherings/{site['draft']}']").click()
        notice = "Voorbeeld: deze bijeenkomst is nog niet gepubliceerd." if locale == "nl-NL" \
            else "Preview: this gathering has not been published yet."
        expect(page.locator(".notice-preview")).to_contain_text(notice)
        name = page.locator("#name")
        expect(name).to_be_disabled()
        expect(page.locator(".preview-form button[type=submit]")).to_be_disabled()
        _fits(page)
        _axe_clean(page)
        page.context.close()
    visitor = _page(browser, PHONE)
    response = visitor.goto(f"{site['base']}/gatherings/{site['draft']}")
    assert response.status == 404
    visitor.context.close()


@pytest.mark.parametrize("locale, heading, lang", [
    ("en-GB", "Log in for organisers", "en"),
    ("en-US", "Log in for organisers", "en"),
    ("nl-NL", "Inloggen voor organisatoren", "nl"),
    ("de-DE", "Inloggen voor organisatoren", "nl"),  # in doubt: Dutch
])
def test_the_login_page_follows_the_browsers_language(site, browser, locale, heading, lang):
    for viewport in (DESKTOP, PHONE):
        page = _page(browser, viewport, locale=locale)
        page.goto(f"{site['base']}/organise/login")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert page.locator("html").get_attribute("lang") == lang
        # Also when sent there from an organiser page (the notice is in the same language).
        page.goto(f"{site['base']}/organise/gatherings/{site['slug']}/registrations")
        page.wait_for_url(re.compile(r"/organise/login"))
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        _axe_clean(page)
        page.context.close()


def test_the_people_counted_are_the_ones_stored(site):
    # The fixture's full gathering: what the browser tests above start from.
    rows = db.session.scalars(sa.select(Registration.status).where(
        Registration.gathering_id == site["gathering"].id).order_by(Registration.id)).all()
    assert rows == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
