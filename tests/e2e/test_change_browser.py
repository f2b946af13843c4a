"""In chromium: change one's own registration by keyboard, and add a companion to a nearly full gathering.

axe-core checks /r/<token>/edit in Dutch and English, also with a message at a field.
"""
import re
from datetime import timedelta

import pytest

from gatherings.extensions import db

from .browser import axe_violations, focus_is_visible, live_app, serving

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    app = live_app(tmp_path_factory.mktemp("change"))
    with serving(app) as base:
        yield app, base


def setup(app, capacity, people):
    """A gathering with ``capacity`` seats and ``people`` registered; their personal tokens."""
    from tests.factories import make_gathering, make_registration

    with app.app_context():
        g = make_gathering(capacity=capacity, title="Samen aan tafel")
        tokens = [make_registration(g, name=f"Deelnemer {n}").token for n in range(people)]
        db.session.remove()
    return tokens


def tab_to(page, name: str, limit: int = 30) -> None:
    """Press Tab until the button or link called ``name`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText || ''").strip().startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_change_needs_with_the_keyboard(served, page):
    app, base = served
    (token,) = setup(app, capacity=10, people=1)
    page.goto(f"{base}/r/{token}")
    link = page.get_by_role("link", name="Wijzig uw aanmelding")
    link.focus()
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/r/[A-Za-z0-9_-]+/edit$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Aanmelding wijzigen"
    assert page.get_by_label("Naam", exact=True).input_value() == "Deelnemer 0"
    assert axe_violations(page) == []

    page.get_by_label(re.compile("Wat heeft u nodig")).focus()
    page.keyboard.type("Een rolstoelplek en een rustige hoek")
    tab_to(page, "Wijzigingen opslaan")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/r/{token}(#.*)?$"))  # the form posts to its #wijzigen; the redirect keeps it
    notice = page.locator(".notice-success").inner_text()
    assert "Uw aanmelding is gewijzigd: wat u nodig heeft." in notice
    assert "Een rolstoelplek en een rustige hoek" in page.locator("dl.facts").inner_text()


def test_add_a_companion_to_a_nearly_full_gathering(served, page):
    app, base = served
    first, second = setup(app, capacity=3, people=2)  # one seat left
    page.goto(f"{base}/r/{first}/edit")
    assert "Nog 1 plek vrij" in page.locator("main").inner_text()
    page.get_by_label("Ik neem een begeleider mee").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Bea Bakker")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/r/{first}(#.*)?$"))
    assert "uw begeleider" in page.locator(".notice-success").inner_text()
    assert "Bea Bakker" in page.locator("dl.facts").inner_text()

    # Now full: the second participant's companion does not fit. Said at the field; they keep their seat.
    page.goto(f"{base}/r/{second}/edit")
    page.get_by_label("Ik neem een begeleider mee").check()
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    summary = page.get_by_role("alert")
    assert "Er is geen plek meer vrij voor een begeleider" in summary.inner_text()
    summary.get_by_role("link", name=re.compile("geen plek meer vrij")).click()
    assert page.evaluate("document.activeElement.id") == "companion"
    assert page.get_by_label("Ik neem een begeleider mee").is_checked()  # what they chose is still there
    assert axe_violations(page) == []
    page.goto(f"{base}/r/{second}")
    assert "U bent aangemeld." in page.get_by_role("status").first.inner_text()
    assert "Begeleider" not in page.locator("dl.facts").inner_text()


def test_the_edit_page_in_english_has_no_axe_violations(served, browser):
    app, base = served
    (token,) = setup(app, capacity=5, people=1)
    context = browser.new_context(locale="en-GB", bypass_csp=True, viewport={"width": 320, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{base}/r/{token}/edit")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", level=1).inner_text() == "Change your registration"
        assert axe_violations(page) == []
        page.get_by_label("Name", exact=True).fill("")
        page.get_by_role("button", name="Save changes").click()
        assert page.get_by_role("alert").is_visible()
        assert axe_violations(page) == []
        # Nothing spills over a 320 px screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()
