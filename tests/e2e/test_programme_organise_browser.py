"""In chromium: the organisers' programme pages and a workshop's list pass axe-core, in Dutch and in English.

A national day with a plenary part and two rounds of workshops, people seated and
waiting, and its organiser; the pages are visited as the organiser, with the
forms' mistakes shown too (a part outside the day, a workshop without a title).
"""
from datetime import datetime, timedelta

import pytest

from gatherings.timeutil import AMSTERDAM

from .browser import PASSWORD, axe_violations, live_app, log_in, serving

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    app = live_app(tmp_path_factory.mktemp("programme"))
    with app.app_context():
        from gatherings.programme import services
        from tests.factories import locked_call, make_gathering, make_organiser, make_registration
        from tests.programme.factories import make_programme

        start = datetime.now(AMSTERDAM).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=30)
        day = make_gathering(slug="landelijke-dag", title="Landelijke dag", kind="national", capacity=200,
                             starts_at=start, ends_at=start + timedelta(hours=7))
        round_1, round_2 = make_programme(day, [2, 10, 10], [10, 10], optional=(1,))
        for n, perspective in enumerate(["client", "relative", "professional", "relative", "relative", "relative"]):
            registration = make_registration(day, name=f"Deelnemer {n}", perspective=perspective)
            locked_call(services.choose, day, registration, {round_1.id: round_1.workshops[0].id,
                                                              round_2.id: round_2.workshops[n % 2].id})
        ids = {"round": round_1.id, "workshop": round_1.workshops[0].id, "person": registration.id}
        make_organiser("org@voorbeeld.nl", gatherings=[day], password=PASSWORD)
    with serving(app) as base:
        yield {"base": base, **ids}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_programme_pages_and_the_workshop_list_pass_axe(served, page, language):
    base = served["base"]
    log_in(page, base, "org@voorbeeld.nl")
    if language == "en":
        page.goto(base + "/taal/en?next=/organise/")
    programme = "/organise/gatherings/landelijke-dag/programme"
    workshop = f"{programme}/workshops/{served['workshop']}"
    found = {}
    for address in (programme, f"{programme}/parts/new?kind=round", f"{programme}/parts/{served['round']}/edit",
                    f"{programme}/parts/{served['round']}/remove", f"{programme}/parts/{served['round']}/workshops/new",
                    f"{workshop}/edit", f"{workshop}/remove", workshop, f"{workshop}/people/{served['person']}/move",
                    "/organise/dashboard", f"/organise/gatherings/landelijke-dag/message?audience=workshop-{served['workshop']}"):
        page.goto(base + address)
        assert page.get_by_role("heading", level=1).count() == 1, address
        if violations := axe_violations(page):
            found[address] = violations
    # Forms with their mistakes shown: a part outside the day, a workshop without title or seats, a move without a choice.
    page.goto(base + f"{programme}/parts/new?kind=round")
    page.fill("#title", "Te laat")
    page.fill("#starts_at", "01-01-2099 10:00")
    page.locator("form[novalidate] button.button-primary").click()
    assert page.locator(".error-summary").count() == 1
    if violations := axe_violations(page):
        found["part form with mistakes"] = violations
    page.goto(base + f"{programme}/parts/{served['round']}/workshops/new")
    page.locator("form[novalidate] button.button-primary").click()
    assert page.locator("#capacity[aria-invalid=true]").count() == 1
    if violations := axe_violations(page):
        found["workshop form with mistakes"] = violations
    page.goto(base + f"{workshop}/people/{served['person']}/move")
    page.locator("form[novalidate] button.button-primary").click()
    assert page.locator(".error-summary").count() == 1
    if violations := axe_violations(page):
        found["move form with mistakes"] = violations
    assert found == {}
