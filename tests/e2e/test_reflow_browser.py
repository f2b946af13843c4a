"""Every participant page fits a 320 px wide screen (WCAG 1.4.10 Reflow), in Dutch and English.

In chromium at 320 x 640 CSS pixels: nothing makes the page wider than the screen
(``document.documentElement.scrollWidth <= 320``), the cancel button on /r/<token>
can be pressed, and axe-core finds no violation. The data is made to be hard on a
narrow screen: a long e-mail address, Dutch compound words in a title, the personal
link (a 43-character token), long names.

The list of pages is ``PAGES`` plus the pages reached by doing something (registering,
a form with mistakes, the neutral answer to a known address, cancelling): a new
participant page belongs here.
"""
import re
import uuid
from datetime import timedelta

import pytest

from gatherings.extensions import db

from .browser import axe_violations, live_app, run_command, serving

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

WIDTH = 320
LONG_EMAIL = "anna-maria.verschuuren-vandenboogaard@zorgorganisatievoorbeeld.nl"
LONG_TITLE = "Ervaringsdeskundigheidsbijeenkomst over herstelondersteuningsmogelijkheden"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo data, and what a participant can meet: a registration with a seat, one waiting, one
    cancelled, one checked in at a gathering that ended (certificate, reflection), /my and /alerts links."""
    app = live_app(tmp_path_factory.mktemp("reflow"))
    run_command(app, "demo")
    with app.app_context():
        paths = _participants_pages()
    with serving(app) as base:
        yield {"base": base, **paths}


def _participants_pages() -> dict:
    import sqlalchemy as sa

    from gatherings.alerts import services as alerts
    from gatherings.catalogue.models import Gathering
    from gatherings.database import unit_of_work
    from gatherings.certificates.services import certificate_for
    from gatherings.demo import ENDED_SLUG
    from gatherings.my.models import AccessToken, hash_token
    from gatherings.reflection.services import Answer, create_invitation, submit_answer
    from gatherings.registration import services as registration
    from gatherings.registration.models import Registration
    from gatherings.timeutil import utcnow
    from gatherings.programme import services as programme
    from tests.factories import locked_call, make_gathering, make_registration
    from tests.programme.factories import make_programme

    def by_slug(slug):
        return db.session.scalars(sa.select(Gathering).where(Gathering.slug == slug)).one()

    open_ = by_slug("in-elkaars-keuken-utrecht")
    seated = make_registration(open_, email=LONG_EMAIL, name="Anna-Maria Verschuuren-van den Boogaard",
                               perspective="professional")
    seated.organisation = "Stichting Herstelgerichte Ondersteuningsvoorzieningen Midden-Nederland"
    seated.needs = "Rolstoeltoegankelijke plek dichtbij de uitgang, en een ringleiding alstublieft."
    to_cancel = make_registration(open_, email="cor@voorbeeld.nl", name="Cor")
    cancelled = make_registration(open_, email="dirk@voorbeeld.nl", name="Dirk")
    locked_call(registration.cancel, open_, cancelled.id)

    full = by_slug("thuis-in-de-wijk-groningen")
    while registration.availability(full).seats_left > 0:
        make_registration(full)
    waiting = make_registration(full, email="wacht@voorbeeld.nl", name="Wil")
    assert waiting.status == "waitlisted"

    off = make_gathering(slug="afgelast", title=LONG_TITLE, description="Gaat niet door.", capacity=20)

    # A national day with a programme: the timetable on its page, one's own workshops on /r/<token>
    # (seated in one round, waiting in a full workshop of the other) with the form to change them.
    day = make_gathering(slug="landelijke-dag-programma", kind="national", title="Landelijke dag", capacity=50)
    first, second = make_programme(day, [1, 10], [1, 10])
    first_ids = [w.id for w in first.workshops]
    second_ids = [w.id for w in second.workshops]
    taken = make_registration(day)
    locked_call(programme.choose, day, taken, {first.id: first_ids[1], second.id: second_ids[0]})
    in_programme = make_registration(day, email="werkplaats@voorbeeld.nl", name="Wim")
    locked_call(programme.choose, day, in_programme, {first.id: first_ids[0], second.id: second_ids[0]})
    off.status = "cancelled"

    ended = by_slug(ENDED_SLUG)
    present = db.session.scalars(sa.select(Registration).where(
        Registration.gathering_id == ended.id, Registration.checked_in_at.is_not(None)).order_by(Registration.id)).first()
    code = certificate_for(present).code
    reflect, answered = create_invitation(present), create_invitation(present)
    submit_answer(answered, Answer(value=4, takeaway="Dat naasten ook gehoord willen worden.", suggestion=""))

    my_token, old_token = "m" * 43, "o" * 43
    db.session.add(AccessToken(token_hash=hash_token(my_token), email_key=LONG_EMAIL, expires_at=utcnow() + timedelta(days=7)))
    db.session.add(AccessToken(token_hash=hash_token(old_token), email_key=LONG_EMAIL, expires_at=utcnow() - timedelta(days=1)))
    pending = alerts.request_follow(LONG_EMAIL, theme_slugs=[t.slug for t in [open_.theme] if t], kinds=["mixed"],
                                    locale="nl", consent_version="test")
    following = alerts.request_follow("volger@voorbeeld.nl", theme_slugs=[], kinds=["theme", "national"],
                                      locale="nl", consent_version="test")
    db.session.commit()
    with unit_of_work():
        alerts.confirm(following)
    return {
        "open": open_.slug, "full": full.slug, "off": off.slug, "day": day.slug, "in_programme": in_programme.token,
        "seated": seated.token, "waiting": waiting.token, "cancelled": cancelled.token, "to_cancel": to_cancel.token,
        "present": present.token, "code": code, "reflect": reflect, "answered": answered, "ended": ended.slug, "my": my_token, "old_my": old_token,
        "confirm": alerts.link_token(pending.nonce), "manage": alerts.link_token(following.nonce),
    }


# (what, path, status): every participant page reached by its address.
PAGES = [
    ("home", "/", 200),
    ("gathering, open", "/gatherings/{open}", 200),
    ("gathering, full", "/gatherings/{full}", 200),
    ("gathering, cancelled", "/gatherings/{off}", 200),
    ("gathering, past", "/gatherings/{ended}", 200),
    ("gathering, mixed session", "/gatherings/gemengde-sessie-jongvolwassenen", 200),
    ("gathering, online", "/gatherings/medezeggenschap-online", 200),
    ("gathering with a programme", "/gatherings/{day}", 200),
    ("result page, just registered", "/r/{seated}?new=1", 200),
    ("registration, seat", "/r/{seated}", 200),
    ("registration, waiting", "/r/{waiting}", 200),
    ("registration, cancelled", "/r/{cancelled}", 200),
    ("registration, after the gathering (certificate)", "/r/{present}", 200),
    ("registration with workshops", "/r/{in_programme}", 200),
    ("cancel confirmation", "/r/{seated}/cancel", 200),
    ("my: ask for a link", "/my", 200),
    ("my: link sent", "/my/sent", 200),
    ("my: registrations", "/my/{my}", 200),
    ("my: erase", "/my/{my}/erase", 200),
    ("my: expired link (410)", "/my/{old_my}", 410),
    ("alerts: follow", "/alerts", 200),
    ("alerts: asked", "/alerts/sent", 200),
    ("alerts: confirm", "/alerts/{confirm}/confirm", 200),
    ("alerts: change", "/alerts/{manage}", 200),
    ("alerts: stop", "/alerts/{manage}/unsubscribe", 200),
    ("reflection", "/reflect/{reflect}", 200),
    ("reflection, answered", "/reflect/{answered}", 200),
    ("calendar", "/calendar", 200),
    ("certificate, verified", "/certificates/{code}", 200),
    ("certificate, unknown (404)", "/certificates/ABCDEFGH", 404),
    ("not found (404)", "/bestaat-niet", 404),
    ("unknown registration (404)", "/r/onbekend", 404),
    ("method not allowed (405)", "/gatherings/{open}/register", 405),
]


@pytest.fixture(params=["nl", "en"])
def narrow(request, browser, site):
    """A page in a 320 px wide window, in the language of the parameter (the switch's cookie)."""
    context = browser.new_context(locale="nl-NL", bypass_csp=True, viewport={"width": WIDTH, "height": 640})
    context.add_cookies([{"name": "lang", "value": request.param, "url": site["base"]}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def too_wide(page) -> list[str]:
    """What sticks out beyond the window: the page's width and the outermost elements that cause it."""
    return page.evaluate("""(width) => {
        if (document.documentElement.scrollWidth <= width) return [];
        const out = [...document.querySelectorAll('body *')].filter(el => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.right > width + 0.5 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 0.5);
        });
        return ['scrollWidth ' + document.documentElement.scrollWidth].concat(out.slice(0, 5).map(el =>
            el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' (' + Math.round(el.getBoundingClientRect().right) + ' px): '
            + (el.textContent || '').trim().slice(0, 60)));
    }""", WIDTH)


def check(page, what: str, problems: list[str]) -> None:
    wide = too_wide(page)
    if wide:
        problems.append(f"{what} ({page.url}): {'; '.join(wide)}")
    for violation in axe_violations(page):
        problems.append(f"{what} ({page.url}): axe {violation}")


def submit_registration(page, email: str, **fields) -> None:
    """Fill the registration form by its field names (its labels are other people's words) and send it."""
    values = {"name": "Bram", "email": email, "perspective": "relative", "consent": "y", **fields}
    for name, value in values.items():
        field = page.locator(f'form[action*="/register"] [name="{name}"]')
        if field.count() == 0:
            continue
        kind = field.first.get_attribute("type")
        if kind in ("radio", "checkbox"):
            page.locator(f'form[action*="/register"] [name="{name}"][value="{value}"]').check()
        elif value:
            field.first.fill(value)
    page.locator('form[action*="/register"] [type=submit]').click()
    page.wait_for_load_state("load")  # the answer with its stylesheet, before anything is measured


def test_every_participant_page_fits_320_px(site, narrow):
    page, problems = narrow, []
    for what, path, status in PAGES:
        response = page.goto(site["base"] + path.format(**site))
        assert response.status == status, f"{what}: {response.status}"
        check(page, what, problems)

    # Pages reached by doing something.
    page.goto(site["base"] + f"/gatherings/{site['open']}")
    page.locator('form[action*="/register"] [type=submit]').click()  # nothing filled in: the errors
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").count() == 1
    check(page, "gathering, form with mistakes", problems)

    page.goto(site["base"] + f"/gatherings/{site['open']}")
    submit_registration(page, f"nieuw-{uuid.uuid4().hex[:8]}@voorbeeld.nl")
    assert re.search(r"/r/[A-Za-z0-9_-]+\?new=1(#aanmelden)?$", page.url), page.url  # the form's #aanmelden stays
    check(page, "result page after registering", problems)

    page.goto(site["base"] + f"/gatherings/{site['open']}")
    submit_registration(page, LONG_EMAIL)  # someone else's address: the neutral answer
    assert page.locator(".result").count() == 1 and "/r/" not in page.url
    check(page, "registration received (an address already registered)", problems)

    page.goto(site["base"] + f"/r/{site['seated']}/cancel")
    page.evaluate("document.querySelector('form [name=csrf_token]').remove()")
    page.locator("form [type=submit]").click()  # a form whose token expired
    page.wait_for_load_state("load")
    check(page, "expired form (400)", problems)

    assert problems == [], "\n".join(problems)


def test_the_cancel_button_can_be_pressed_on_a_phone(site, browser):
    context = browser.new_context(locale="nl-NL", bypass_csp=True, viewport={"width": WIDTH, "height": 640},
                                  has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(site["base"] + f"/r/{site['to_cancel']}")
        button = page.get_by_role("button", name="Aanmelding annuleren")
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
        button.tap()  # playwright refuses when something covers it or it is outside the window
        page.wait_for_url(re.compile(r"/cancel\??$"))
        page.get_by_role("button", name="Ja, annuleer mijn aanmelding").tap()
        page.wait_for_url(re.compile(rf"/r/{site['to_cancel']}$"))
        assert "Deze aanmelding is geannuleerd." in page.locator(".result").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    finally:
        context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_result_pages_and_footer_pass_axe_on_a_desktop(site, browser, language):
    """The pages that now lead back to /my and into one's calendar, at 1280 px too."""
    context = browser.new_context(locale="nl-NL", bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "lang", "value": language, "url": site["base"]}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        problems = []
        for what, path in [("home", "/"), ("result page", "/r/{seated}?new=1"), ("waiting", "/r/{waiting}"),
                           ("cancelled", "/r/{cancelled}")]:
            page.goto(site["base"] + path.format(**site))
            assert page.locator("footer a[href='/my']").count() == 1
            problems += [f"{what}: {v}" for v in axe_violations(page)]
        page.goto(site["base"] + f"/gatherings/{site['open']}")
        submit_registration(page, LONG_EMAIL)
        problems += [f"received: {v}" for v in axe_violations(page)]
        assert problems == []
    finally:
        context.close()
