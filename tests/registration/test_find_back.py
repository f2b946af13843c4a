"""Finding one's way back: every page's footer leads to /my, the result page and /r/<token> too, and
the result page offers the gathering's .ics while one has a seat or waits."""
from datetime import timedelta

import pytest

from gatherings.extensions import db
from gatherings.registration import services as registration
from gatherings.timeutil import utcnow
from tests.factories import locked_call, make_gathering, make_registration
from tests.htmlpage import Page


def footer_link(page: Page):
    footer = page.find("footer")
    return [(a.get("href"), a.text) for a in footer.find_all("a")]


@pytest.mark.parametrize("language, words", [("nl", "Mijn aanmeldingen"), ("en", "My registrations")])
def test_every_page_footer_links_to_my(app, client, language, words):
    gathering = make_gathering()
    person = make_registration(gathering)
    client.get(f"/taal/{language}")
    for path in ("/", f"/gatherings/{gathering.slug}", f"/r/{person.token}", f"/r/{person.token}/cancel", "/my",
                 "/alerts", "/calendar", "/organise/login", "/no-such-page"):
        page = Page(client.get(path).get_data(as_text=True))
        assert ("/my", words) in footer_link(page), path


def _register(client, gathering, email="an@voorbeeld.nl"):
    response = client.post(f"/gatherings/{gathering.slug}/register", data={
        "name": "An", "email": email, "perspective": "relative", "consent": "y"}, follow_redirects=True)
    assert response.status_code == 200
    return Page(response.get_data(as_text=True))


def _calendar_link(page: Page, gathering):
    return page.find("a", href=f"/gatherings/{gathering.slug}.ics")


def _my_link_in_main(page: Page):
    return [a for a in page.find("main").find_all("a") if a.get("href") == "/my"]


def test_the_result_page_offers_the_calendar_and_my_to_who_has_a_seat_or_waits(app, client):
    gathering = make_gathering(capacity=1)
    seated = _register(client, gathering)
    link = _calendar_link(seated, gathering)
    assert link is not None and link.text == "Zet in mijn agenda" and link.get("download") == ""
    assert client.get(link.get("href")).headers["Content-Type"].startswith("text/calendar")
    assert _my_link_in_main(seated)[0].text == "Mijn aanmeldingen"

    waiting = _register(app.test_client(), gathering, "bo@voorbeeld.nl")
    assert "U staat op de wachtlijst." in waiting.text
    assert _calendar_link(waiting, gathering) is not None
    assert _my_link_in_main(waiting)


def test_no_calendar_once_cancelled_or_when_the_gathering_is_off_or_over(app, client):
    gathering = make_gathering()
    person = make_registration(gathering)
    locked_call(registration.cancel, gathering, person.id)
    page = Page(client.get(f"/r/{person.token}").get_data(as_text=True))
    assert "Deze aanmelding is geannuleerd." in page.text
    assert _calendar_link(page, gathering) is None
    assert _my_link_in_main(page)  # the way back stays

    off = make_gathering()
    other = make_registration(off)
    off.status = "cancelled"
    db.session.commit()
    assert _calendar_link(Page(client.get(f"/r/{other.token}").get_data(as_text=True)), off) is None

    over = make_gathering()
    past = make_registration(over)
    over.starts_at = utcnow() - timedelta(days=2)
    over.ends_at = over.starts_at + timedelta(hours=2)
    db.session.commit()
    assert _calendar_link(Page(client.get(f"/r/{past.token}").get_data(as_text=True)), over) is None


def test_the_neutral_page_after_a_registration_with_a_known_address_links_to_my(app, client):
    gathering = make_gathering()
    make_registration(gathering, email="an@voorbeeld.nl")
    page = _register(app.test_client(), gathering, "an@voorbeeld.nl")  # another browser, the same address
    assert "Kijk in uw e-mail." in page.text
    assert _my_link_in_main(page)
    assert _calendar_link(page, gathering) is None  # nothing here says whether the address is registered

