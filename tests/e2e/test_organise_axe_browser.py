"""Every GET page of the organiser area passes axe-core, in Dutch and English, on a phone and a desktop.

The addresses come from tests/organise/matrix.py (every organiser address, with the
login and password pages anyone may open), so a new organiser page is checked here
as soon as it is listed there. Their ``<name>`` parts are filled from a world with
something on every page: a gathering with people confirmed, checked in, with needs
and waiting; a national day with a programme and people seated and waiting in its
workshops; a draft; a theme, a host organisation and an organiser account. The pages
are visited as an admin who organises all three, over HTTP with CSRF on.
"""
import re
from datetime import datetime, timedelta

import pytest

from gatherings.extensions import db
from gatherings.timeutil import AMSTERDAM, utcnow
from tests.organise.matrix import ADDRESSES, PUBLIC

from .browser import PASSWORD, axe_violations, live_app, log_in, serving

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

ADMIN = "beheer@voorbeeld.nl"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

# GET addresses that are not pages: nothing for axe to read.
NOT_PAGES = {
    "/organise/gatherings/<slug>/checkin.json": "JSON for the door's script, not a page",
}
# Programme addresses are filled with the national day, the others with the small gathering.
PROGRAMME = "/organise/gatherings/<slug>/programme"
# Pages that show more with a query or another gathering: visited as well.
EXTRA = [
    "/organise/gatherings/<day>",
    "/organise/gatherings/<day>/registrations",
    "/organise/gatherings/<day>/checkin",
    "/organise/gatherings/<draft>",
    "/organise/gatherings/<draft>/edit",
    "/organise/gatherings/<slug>/checkin?q=Bram",
    "/organise/gatherings/<slug>/registrations/<id:waiting_id>/cancel",
    "/organise/gatherings/<day>/programme/parts/new?kind=round",
    "/organise/gatherings/<day>/programme/parts/new?kind=plenary",
    "/organise/gatherings/<day>/message?audience=workshop-<id:workshop_id>",
    "/organise/gatherings/<day>/reflection",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    app = live_app(tmp_path_factory.mktemp("organise-axe"))
    with app.app_context():
        from gatherings.attendance import services as attendance
        from gatherings.catalogue.models import HostOrganisation
        from gatherings.organise.password_links import LinkPurpose, make_token
        from gatherings.programme import services as programme
        from tests.factories import locked_call, make_gathering, make_organiser, make_registration, make_theme
        from tests.programme.factories import make_programme

        gathering = make_gathering(slug="kijkje-in-de-keuken", title="Kijkje in de keuken", capacity=3)
        arrived = make_registration(gathering, name="Anna de Vries")
        locked_call(attendance.check_in, gathering, arrived.id)
        confirmed = make_registration(gathering, name="Bram Bakker")
        locked_call(attendance.update_needs, gathering, confirmed.id, "Een rolstoelplek dicht bij de uitgang")
        make_registration(gathering, name="Chris Jansen", language="en")
        waiting = make_registration(gathering, name="Wachtende Een")
        make_registration(gathering, name="Wachtende Twee")

        start = datetime.now(AMSTERDAM).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=30)
        day = make_gathering(slug="landelijke-dag", title="Landelijke dag", kind="national", capacity=200,
                             starts_at=start, ends_at=start + timedelta(hours=7))
        round_1, round_2 = make_programme(day, [2, 10, 10], [10, 10], optional=(1,))
        for n in range(4):  # two seated in the first workshop, two waiting for it
            person = make_registration(day, name=f"Deelnemer {n}")
            locked_call(programme.choose, day, person, {round_1.id: round_1.workshops[0].id,
                                                         round_2.id: round_2.workshops[n % 2].id})
            if n == 0:
                seated = person
        draft = make_gathering(slug="nog-in-de-maak", title="Nog in de maak", status="draft")

        theme = make_theme()
        host = HostOrganisation(slug="de-hoven", name="GGZ De Hoven", city="Utrecht")
        db.session.add(host)
        db.session.commit()
        organiser = make_organiser("ria@voorbeeld.nl", gatherings=[gathering])
        make_organiser(ADMIN, admin=True, password=PASSWORD, gatherings=[gathering, day, draft])
        world = {
            "slug": gathering.slug, "day": day.slug, "draft": draft.slug,
            "registration_id": confirmed.id, "waiting_id": waiting.id,
            "organiser_id": organiser.id, "theme_id": theme.id, "host_id": host.id,
            "part_id": round_1.id, "workshop_id": round_1.workshops[0].id,
            "token": make_token(organiser, LinkPurpose.RESET, utcnow()),
        }
        # The move page is about someone in the workshop's line.
        world["move_id"] = seated.id
    with serving(app) as base:
        yield {"base": base, **world}


def _fill(rule: str, world: dict) -> str:
    if rule.startswith(PROGRAMME):
        world = {**world, "slug": world["day"], "registration_id": world["move_id"]}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(world[m.group(1)]), rule)


def _pages(public: bool) -> list[str]:
    rules = sorted(rule for method, rule in PUBLIC if method == "GET") if public else [
        a.rule for a in ADDRESSES if a.method == "GET" and a.rule not in NOT_PAGES] + EXTRA
    return rules


def test_every_get_address_of_the_matrix_is_visited_or_skipped_with_a_reason():
    gets = {a.rule for a in ADDRESSES if a.method == "GET"} | {r for m, r in PUBLIC if m == "GET"}
    assert gets == set(_pages(True)) | {r for r in _pages(False) if r not in EXTRA} | set(NOT_PAGES)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_organiser_page_passes_axe(served, browser, language, viewport):
    base = served["base"]
    context = browser.new_context(locale="nl-NL", bypass_csp=True, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.set_default_timeout(20_000)
    found, visited = {}, []

    def visit(rule):
        address = _fill(rule, served)
        response = page.goto(base + address)
        assert response.status == 200, f"{address}: {response.status}"
        assert page.locator("html").get_attribute("lang") == language, address
        assert page.get_by_role("heading", level=1).count() == 1, address
        visited.append(address)
        if violations := axe_violations(page):
            found[address] = violations

    try:
        if language == "en":
            page.goto(base + "/taal/en?next=/organise/login")
        for rule in _pages(public=True):  # the pages anyone may open, before logging in
            visit(rule)
        log_in(page, base, ADMIN)
        for rule in _pages(public=False):
            visit(rule)
    finally:
        context.close()
    assert len(visited) == len(_pages(True)) + len(_pages(False))
    assert found == {}
