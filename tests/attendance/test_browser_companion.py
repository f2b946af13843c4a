"""The door's script with a participant and their companion: both at once, or each on their own."""
import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.registration import services as registration
from gatherings.registration.models import Registration
from tests.factories import locked_call

from .test_browser import PHONE, _login, browser, door  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def _times(name):
    db.session.rollback()
    return db.session.execute(sa.select(Registration.checked_in_at, Registration.companion_checked_in_at)
                              .where(Registration.name == name)).one()


def test_the_companion_arrives_first_then_the_participant(door, browser):  # noqa: F811
    from playwright.sync_api import expect

    locked_call(registration.register, door["gathering"], registration.Applicant(
        name="Piet Paap", email="piet@voorbeeld.nl", companion=True, companion_name="Bea Bakker",
        consent_version="test"))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    _login(page, door["base"])
    page.goto(f"{door['base']}/organise/gatherings/{door['slug']}/checkin")
    expect(page.locator('[data-count="confirmed"]')).to_have_text("6")  # four singles and a pair
    page.evaluate("window.sameDocument = true")

    page.get_by_label("Zoek op naam").press_sequentially("paap", delay=30)
    person = page.locator("#door-results .person")
    expect(person).to_have_count(1)
    expect(person).to_contain_text("Begeleider: Bea Bakker · nog niet binnen")
    expect(person.get_by_role("button", name="Inchecken met begeleider")).to_be_visible()

    person.get_by_role("button", name="Alleen begeleider").tap()
    # Done with this search: the pair moves to "Net gedaan", with the buttons for who is still to come.
    person = page.locator("#door-done-list .person")
    expect(person).to_contain_text("Begeleider: Bea Bakker · binnen")
    expect(page.locator('[data-count="checked_in"]')).to_have_text("1")
    expect(page.locator("#door-status")).to_contain_text("De begeleider van Piet Paap is ingecheckt.")
    checked, companion = _times("Piet Paap")
    assert checked is None and companion is not None

    person.get_by_role("button", name="Inchecken", exact=False).first.tap()
    expect(page.locator('[data-count="checked_in"]')).to_have_text("2")
    expect(page.locator('[data-count="expected"]')).to_have_text("4")
    checked, companion = _times("Piet Paap")
    assert checked is not None and companion is not None
    assert page.evaluate("window.sameDocument") is True
    assert problems == []
    context.close()
