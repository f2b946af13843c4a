"""A real browser chooses workshops by keyboard (one of them full), reads its own programme, then changes a choice.

The app runs as in tests/e2e/test_register_browser.py (werkzeug in a thread, SQLite, CSRF on),
with a national day of its own: a plenary part, a required round whose first workshop is full,
and an optional round. axe-core checks every page (nl and en).
"""
import re
from urllib.parse import urlsplit

import pytest

from gatherings.extensions import db
from tests.factories import make_gathering, make_registration
from tests.programme.factories import make_programme

from .browser import axe_violations, focus_is_visible, live_app, serving

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


@pytest.fixture(scope="module")
def national_day(tmp_path_factory):
    app = live_app(tmp_path_factory.mktemp("live-programme"))
    with app.app_context():
        g = make_gathering(kind="national", title="Landelijke dag", capacity=50, slug="landelijke-dag")
        r1, _r2 = make_programme(g, [1, 10], [10, 10], optional={1})
        from gatherings.programme import services
        from tests.factories import locked_call
        first = make_registration(g)
        locked_call(services.choose, g, first, {r1.id: r1.workshops[0].id})  # Werkplaats 1A is now full
        db.session.remove()
    with serving(app) as base:
        yield base


def checked_label(page, group_name) -> str:
    return page.evaluate("""(name) => {
        const el = document.querySelector(`input[name="${name}"]:checked`);
        return el ? document.querySelector(`label[for="${el.id}"]`).innerText : null;
    }""", group_name)


def test_choose_workshops_by_keyboard_with_a_full_one_then_change(national_day, page):
    page.goto(national_day + "/gatherings/landelijke-dag")
    assert page.get_by_role("heading", name="Programma", exact=True).is_visible()
    assert "vol, wel wachtlijst" in page.locator(".programme").inner_text()
    # A phone's width: the timetable does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []

    page.get_by_label("Naam").fill("Joris Visser")
    page.get_by_label("E-mailadres").fill("joris@voorbeeld.nl")
    rounds = page.locator("fieldset").filter(has=page.locator("input[name^=round_]"))
    assert rounds.count() == 2
    assert re.match(r"Ronde 1, \d\d:\d\d – \d\d:\d\d", rounds.nth(0).locator("legend").inner_text())
    first_round = rounds.nth(0).locator("input").first.get_attribute("name")
    second_round = rounds.nth(1).locator("input").first.get_attribute("name")

    # From here on only the keyboard: Tab from the last text field into the first round's group.
    # (The companion's fields come between the needs and the programme.)
    page.get_by_label(re.compile("Wie is uw begeleider")).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == first_round
    assert focus_is_visible(page), "the radio button shows no visible focus"
    page.keyboard.press("Space")  # the first workshop: the full one
    assert "vol: u komt op de wachtlijst van deze werkplaats" in checked_label(page, first_round)
    page.keyboard.press("Tab")  # the optional round: "Geen werkplaats" is checked and has the focus
    assert page.evaluate("document.activeElement.name") == second_round
    assert checked_label(page, second_round) == "Geen werkplaats"
    page.keyboard.press("ArrowUp")
    assert checked_label(page, second_round).startswith("Werkplaats 2B")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # consent
    assert page.get_by_label("Ja, bewaar en gebruik mijn gegevens voor deze bijeenkomst").is_checked()
    page.keyboard.press("Tab")
    assert page.get_by_role("button", name="Aanmelden").evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/r/[A-Za-z0-9_-]{43}\?new=1(#aanmelden)?$"))  # the form's #aanmelden stays
    own = page.locator("section[aria-labelledby=own-programme-title]").inner_text()
    assert "U staat op de wachtlijst van werkplaats Werkplaats 1A. U bent nummer 1." in own
    assert "Uw werkplaats: Werkplaats 2B, zaal: Oost 2.2" in own
    assert axe_violations(page) == []

    # Change: the second workshop of round 1 has room. The keyboard again, in the form on the personal page.
    page.goto(national_day + urlsplit(page.locator(".personal-link a").get_attribute("href")).path)
    form = page.locator("form#werkplaatsen")  # posts to /r/<token>/workshops#werkplaatsen
    form.locator(f"input[name={first_round}]:checked").focus()
    page.keyboard.press("ArrowDown")
    assert checked_label(page, first_round).startswith("Werkplaats 1B")
    form.get_by_role("button", name="Keuze opslaan").focus()
    with page.expect_navigation():  # wait for the answer, not for the page already loaded
        page.keyboard.press("Enter")
    assert "Uw keuze in het programma is opgeslagen." in page.get_by_role("status").first.inner_text()
    own = page.locator("section[aria-labelledby=own-programme-title]").inner_text()
    assert "Uw werkplaats: Werkplaats 1B, zaal: Oost 1.2" in own
    assert "wachtlijst" not in own.split("Ronde 2")[0]
    assert axe_violations(page) == []


def test_the_gathering_page_with_a_programme_in_english_and_with_messages(national_day, page):
    page.goto(national_day + "/gatherings/landelijke-dag")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Programme", exact=True).is_visible()
    assert "full: you will be on this workshop's waiting list" in page.locator("form").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("button", name=re.compile("Register")).click()
    summary = page.get_by_role("alert")
    assert "Choose a workshop for this round." in summary.inner_text()
    summary.get_by_role("link", name="Choose a workshop for this round.").click()
    assert page.evaluate("document.activeElement.name").startswith("round_")
    assert axe_violations(page) == []
