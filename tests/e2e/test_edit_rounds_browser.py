"""A real browser changes a workshop on /r/<token>/edit: the round groups, a full workshop refused, axe-core (nl, en)."""
import re
from urllib.parse import urlsplit

import pytest

from .test_programme_browser import national_day  # noqa: F401  (the fixture: a day whose Werkplaats 1A is full)
from .browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


def test_change_a_workshop_on_the_edit_page(national_day, page):  # noqa: F811
    page.goto(national_day + "/gatherings/landelijke-dag")
    page.get_by_label("Naam").fill("Mira Bos")
    page.get_by_label("E-mailadres").fill("mira@voorbeeld.nl")
    page.get_by_label(re.compile("^Werkplaats 1B")).check()
    page.get_by_label("Ja, bewaar en gebruik mijn gegevens voor deze bijeenkomst").check()
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(re.compile(r"/r/[A-Za-z0-9_-]{43}\?new=1(#.*)?$"))
    token_path = urlsplit(page.url).path

    page.goto(national_day + token_path)
    page.locator("section[aria-labelledby=own-programme-title]").get_by_role(
        "link", name=re.compile("Werkplaatsen wijzigen")).click()
    page.wait_for_url(re.compile(r"/edit$"))
    group = page.get_by_role("group", name=re.compile("^Ronde 1, "))
    assert group.get_by_label(re.compile("^Werkplaats 1B")).is_checked()
    assert axe_violations(page) == []

    # The full one: refused at the field, the typed name kept, nothing changed.
    page.get_by_label("Naam").fill("Mira Bos-de Wit")
    group.get_by_label(re.compile("^Werkplaats 1A")).check()
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    page.wait_for_load_state()
    assert "Deze werkplaats is vol. U houdt uw plek" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_label("Naam").input_value() == "Mira Bos-de Wit"
    assert page.get_by_label(re.compile("Ik geef mijn plek op")).is_visible()
    assert axe_violations(page) == []
    page.goto(national_day + token_path)
    assert "Uw werkplaats: Werkplaats 1B" in page.locator("section[aria-labelledby=own-programme-title]").inner_text()

    page.goto(national_day + token_path + "/edit")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("group", name=re.compile("^Ronde 2, ")).get_by_label("No workshop").is_checked()
    assert axe_violations(page) == []
