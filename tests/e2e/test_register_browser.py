"""A real browser (Debian's chromium through Playwright) finds a gathering and registers.

The app runs in a werkzeug server in a thread on 127.0.0.1 with a temporary SQLite
database filled by `flask demo`, with CSRF protection on as in production.
axe-core (tests/js, `npm install` there; .ci/run does it) checks each page
against WCAG 2.2 A/AA when it is installed.
"""
import os
import re
from urllib.parse import urlsplit

import pytest

from .browser import AXE, axe_violations, focus_is_visible, live_app, run_command, serving

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    app = live_app(tmp_path_factory.mktemp("live"))
    run_command(app, "demo")
    with serving(app) as base:
        yield base


def test_find_a_gathering_register_with_the_keyboard_and_read_the_result(live_server, page):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", level=1).inner_text() == "Bijeenkomsten"
    assert axe_violations(page) == []

    page.get_by_role("link", name="Een kijkje in elkaars keuken: De Hoven").click()
    page.wait_for_url(re.compile(r"/gatherings/in-elkaars-keuken-utrecht$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Een kijkje in elkaars keuken: De Hoven"
    assert axe_violations(page) == []

    page.get_by_label("Naam").fill("Fatima El Amrani")
    page.get_by_label("E-mailadres").fill("fatima@voorbeeld.nl")
    page.get_by_label("Naaste").check()
    # From here on only the keyboard: the consent box, then Tab to the button, then Enter.
    page.get_by_label("Ja, bewaar en gebruik mijn gegevens voor deze bijeenkomst").focus()
    page.keyboard.press("Space")
    assert page.get_by_label("Ja, bewaar en gebruik mijn gegevens voor deze bijeenkomst").is_checked()
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Aanmelden")
    assert button.evaluate("el => el === document.activeElement")
    assert focus_is_visible(page), "the submit button shows no visible focus"
    page.keyboard.press("Enter")

    # The browser keeps the form's #aanmelden through the redirect (no such id on this page).
    page.wait_for_url(re.compile(r"/r/[A-Za-z0-9_-]{43}\?new=1(#aanmelden)?$"))
    status = page.get_by_role("status")
    assert "Gelukt. U bent aangemeld." in status.inner_text()
    link = page.locator(".personal-link a")
    assert re.search(r"/r/[A-Za-z0-9_-]{43}$", link.inner_text())
    assert "Fatima El Amrani" in page.locator("dl.facts").inner_text()
    assert axe_violations(page) == []

    # The personal link leads to the same registration, with the cancel step.
    # The link is on BASE_URL (the public address), not this test server: follow its path here.
    page.goto(live_server + urlsplit(link.get_attribute("href")).path)
    page.get_by_role("button", name="Aanmelding annuleren").click()
    assert "Weet u zeker" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Ja, annuleer mijn aanmelding").click()
    assert "Deze aanmelding is geannuleerd." in page.get_by_role("status").first.inner_text() or \
        "Deze aanmelding is geannuleerd." in page.locator("main").inner_text()


def test_empty_form_shows_the_summary_whose_links_move_focus_to_the_fields(live_server, page):
    page.goto(live_server + "/gatherings/gemengde-sessie-jongvolwassenen")
    page.get_by_role("button", name=re.compile("Aanmelden")).click()

    summary = page.get_by_role("alert")
    assert "Er is iets niet goed ingevuld" in summary.inner_text()
    assert page.title().startswith("Fout:")
    targets = {
        "Vul uw naam in.": "name",
        "Vul uw e-mailadres in.": "email",
        "Kies hoe u betrokken bent.": "perspective-0",
        "Zonder uw toestemming": "consent",
    }
    for text, field_id in targets.items():
        link = summary.get_by_role("link", name=re.compile(re.escape(text)))
        link.click()
        active = page.evaluate("document.activeElement.id")
        assert active == field_id, f"{text!r} moved focus to {active!r}"
    assert axe_violations(page) == []

    # What was typed stays after a second failed try.
    page.get_by_label("Naam").fill("Sam")
    page.get_by_role("button", name=re.compile("Aanmelden")).click()
    assert page.get_by_label("Naam").input_value() == "Sam"


def test_pages_pass_the_accessibility_check(live_server, page):
    if not os.path.exists(AXE):
        pytest.skip("axe-core not installed: cd tests/js && npm install")
    found = {}
    for path in ("/", "/?kind=mixed", "/gatherings/gemengde-sessie-jongvolwassenen",
                 "/gatherings/thuis-in-de-wijk-groningen", "/gatherings/medezeggenschap-online", "/bestaat-niet",
                 "/taal/en?next=/"):
        page.goto(live_server + path)
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}
