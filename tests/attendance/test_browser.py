"""Check-in at the door on a phone-sized screen, in Debian's chromium (Playwright).

The app runs in a werkzeug server in a thread on 127.0.0.1 (a free port), with
CSRF protection on, so the script must send the form's token like a browser would.
"""
import os
import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from gatherings import create_app
from gatherings.extensions import db
from gatherings.registration.models import Registration
from tests.factories import make_gathering, make_organiser, make_registration

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Dutch, like the people at the door (headless chromium otherwise asks for en-US).
PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "nl-NL"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def door(app_config, app):
    gathering = make_gathering(title="Kijkje in de keuken", capacity=10)
    for name in ("Jan Smit", "Els de Boer", "Désirée Ëlsen", "Janneke Ruis"):
        make_registration(gathering, name=name)
    make_organiser("deur@voorbeeld.nl", gatherings=[gathering], password="een goed wachtwoord")
    served = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield {"base": base, "gathering": gathering, "slug": gathering.slug}
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        with served.app_context():
            db.engine.dispose()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _login(page, base):
    page.goto(f"{base}/organise/login")
    page.fill("#email", "deur@voorbeeld.nl")
    page.fill("#password", "een goed wachtwoord")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/organise/**")


def _checked_in(name):
    db.session.rollback()  # end the test's read transaction: see what the server committed
    return db.session.scalars(sa.select(Registration.checked_in_at).where(Registration.name == name)).one()


def test_check_in_on_a_phone(door, browser):
    from playwright.sync_api import expect

    context = browser.new_context(**PHONE)
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    _login(page, door["base"])
    page.goto(f"{door['base']}/organise/gatherings/{door['slug']}/checkin")

    # Nobody is listed before a name is typed.
    expect(page.locator("#door-results .person")).to_have_count(0)
    expect(page.locator('[data-count="checked_in"]')).to_have_text("0")
    page.evaluate("window.sameDocument = true")  # gone if the page reloads

    search = page.get_by_label("Zoek op naam")
    search.press_sequentially("desi", delay=40)
    people = page.locator("#door-results .person")
    expect(people).to_have_count(1)
    expect(people.first).to_contain_text("Désirée Ëlsen")
    expect(people.first).to_contain_text("Nog niet binnen")

    # Tap to check in: the counts change, the page does not reload, and the door is ready for the next
    # name: the search is empty and has the focus, the person just done is under "Net gedaan".
    button = people.first.get_by_role("button", name="Inchecken")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a target a thumb can hit
    button.tap()
    done = page.locator("#door-done-list .person")
    expect(done).to_contain_text("Binnen sinds")
    expect(done).to_contain_text("Désirée Ëlsen")
    expect(page.locator('[data-count="checked_in"]')).to_have_text("1")
    expect(page.locator('[data-count="expected"]')).to_have_text("3")
    expect(page.locator("#door-status")).to_contain_text("Désirée Ëlsen is ingecheckt.")
    expect(search).to_have_value("")
    expect(search).to_be_focused()
    expect(people).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True
    assert _checked_in("Désirée Ëlsen") is not None

    # Undo from "Net gedaan", also without reloading.
    done.get_by_role("button", name="Ongedaan maken").tap()
    expect(done).to_contain_text("Nog niet binnen")
    expect(page.locator('[data-count="checked_in"]')).to_have_text("0")
    assert page.evaluate("window.sameDocument") is True
    assert _checked_in("Désirée Ëlsen") is None

    # Searching again replaces the list; clearing it empties the screen.
    search.fill("jan")
    expect(people).to_have_count(2)
    search.fill("")
    expect(people).to_have_count(0)

    # Fits the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert problems == [], problems  # no script errors, no CSP violations
    context.close()


def test_check_in_on_a_phone_without_javascript(door, browser):
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    _login(page, door["base"])
    page.goto(f"{door['base']}/organise/gatherings/{door['slug']}/checkin")
    expect(page.locator("#door-results .person")).to_have_count(0)
    page.get_by_label("Zoek op naam").fill("de boer")
    page.get_by_role("button", name="Zoeken").tap()
    person = page.locator("#door-results .person")
    expect(person).to_have_count(1)
    person.first.get_by_role("button", name="Inchecken").tap()
    page.wait_for_url("**/checkin?done=*")
    expect(page.locator(".notice")).to_contain_text("Els de Boer is ingecheckt.")
    expect(page.locator('[data-count="checked_in"]')).to_have_text("1")
    assert _checked_in("Els de Boer") is not None
    # Walk-in without JavaScript.
    page.locator("details.walk-in summary").tap()
    page.get_by_label("Naam", exact=True).fill("Binnen Loper")
    page.get_by_label("Deze persoon is akkoord").check()
    page.get_by_role("button", name="Aanmelden en inchecken").tap()
    expect(page.locator(".notice")).to_contain_text("Binnen Loper is aangemeld en ingecheckt.")
    assert _checked_in("Binnen Loper") is not None
    context.close()


def test_the_door_on_a_phone_puts_the_search_on_top_and_keeps_the_count_in_sight(door, browser):
    from playwright.sync_api import expect

    from tests.e2e.browser import axe_violations

    # bypass_csp only so that the test can inject axe-core.
    context = browser.new_context(**{**PHONE, "viewport": {"width": 390, "height": 844}}, bypass_csp=True)
    page = context.new_page()
    _login(page, door["base"])
    page.goto(f"{door['base']}/organise/gatherings/{door['slug']}/checkin")
    assert axe_violations(page) == []
    search = page.get_by_label("Zoek op naam")
    box = search.bounding_box()
    assert box["y"] + box["height"] <= 844 / 2, box  # in the top half, above the keyboard (it was at 791 px)
    # Scrolled down to the bottom of the page: "nog verwacht" is still on the screen.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    counts = page.locator(".door-expected")
    expect(counts).to_be_in_viewport()
    # Nobody is listed as expected until the organiser asks; then everyone with a seat not yet in.
    expect(page.locator(".door-expected-list .person")).to_have_count(0)
    page.get_by_role("link", name="Toon wie nog verwacht wordt").tap()
    expected = page.locator(".door-expected-list .person")
    expect(expected).to_have_count(4)
    expect(expected.first).to_contain_text("Désirée Ëlsen")
    expected.first.get_by_role("button", name="Inchecken").tap()
    expect(page.locator('[data-count="expected"]')).to_have_text("3")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    # Logging out is at the bottom of the door page (a shared phone).
    page.get_by_role("button", name="Uitloggen").tap()
    page.wait_for_url("**/organise/login**")
    context.close()
