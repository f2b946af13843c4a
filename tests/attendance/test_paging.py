"""The registrations page of a big gathering: each list a page at a time."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gatherings.attendance import listing
from gatherings.attendance.paging import PAGE_SIZE, Page, requested_page
from gatherings.extensions import db
from gatherings.registration.models import Registration
from gatherings.timeutil import utcnow
from tests.attendance.test_views import _count_selects, text, url
from tests.factories import login_as, make_gathering, make_organiser


def fill_gathering(gathering, confirmed, waiting, cancelled, *, north=0):
    """Registrations written directly (registering a thousand one by one takes too long).

    Names are numbered with leading zeros so that name order is number order; the
    first ``north`` confirmed and every waiting person work at 'Zorg Noord'.
    """
    start = utcnow() - timedelta(days=1)
    rows = []
    for status, prefix, count in (("confirmed", "Bevestigd", confirmed), ("waitlisted", "Wachtend", waiting),
                                  ("cancelled", "Afgemeld", cancelled)):
        for i in range(count):
            email = f"{prefix.lower()}{i}.{gathering.id}@voorbeeld.nl"
            rows.append(Registration(
                gathering_id=gathering.id, name=f"{prefix} {i:04d}", email=email,
                email_key=email if status != "cancelled" else None, status=status, consent_version="test",
                organisation="Zorg Noord" if status == "waitlisted" or (status == "confirmed" and i < north)
                else "Zorg Zuid",
                created_at=start + timedelta(seconds=len(rows)),
                waitlisted_at=start + timedelta(seconds=len(rows)) if status == "waitlisted" else None,
                cancelled_at=start + timedelta(seconds=len(rows)) if status == "cancelled" else None,
            ))
    db.session.add_all(rows)
    db.session.commit()


@pytest.fixture
def big(app, client):
    gathering = make_gathering(kind="national", capacity=250)
    fill_gathering(gathering, 250, 130, 5, north=150)
    login_as(client, make_organiser(gatherings=[gathering]))
    return gathering


def names(page, prefix):
    """The names in a list, in order (a row names its person more than once: hidden link texts)."""
    return list(dict.fromkeys(re.findall(rf"{prefix} \d{{4}}", page)))


def rows_of(page, section):
    """The table rows of one list (the section from its heading to the next)."""
    return page.split(f'id="{section}-title"')[1].split("</section>")[0]


def test_first_page_shows_a_page_of_each_list_and_the_totals(client, big):
    page = text(client.get(url(big, "/registrations")))
    assert "Met een plek (250)" in page and "Wachtlijst (130)" in page and "Geannuleerd (5)" in page
    assert len((names(rows_of(page, "confirmed"), "Bevestigd"))) == PAGE_SIZE
    assert len((names(rows_of(page, "waiting"), "Wachtend"))) == PAGE_SIZE
    assert len((names(rows_of(page, "cancelled"), "Afgemeld"))) == 5
    assert "1 tot en met 100 van 250" in page


def test_pages_of_confirmed_hold_everyone_once(client, big):
    seen = []
    for number in (1, 2, 3):
        page = text(client.get(url(big, f"/registrations?bevestigd={number}")))
        seen += names(rows_of(page, "confirmed"), "Bevestigd")  # a name on two pages would be counted twice
    assert seen == [f"Bevestigd {i:04d}" for i in range(250)]


def test_waiting_positions_continue_on_the_next_page(client, big):
    page = rows_of(text(client.get(url(big, "/registrations?wachtlijst=2"))), "waiting")
    places = [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)', page)]
    assert places == list(range(101, 131))
    assert names(page, "Wachtend") == [f"Wachtend {i:04d}" for i in range(100, 130)]


def test_lists_page_independently(client, big):
    page = text(client.get(url(big, "/registrations?bevestigd=3&wachtlijst=2")))
    assert names(rows_of(page, "confirmed"), "Bevestigd")[0] == "Bevestigd 0200"
    assert names(rows_of(page, "waiting"), "Wachtend")[0] == "Wachtend 0100"
    # Paging one list keeps the page shown of the other.
    assert 'href="/organise/gatherings/%s/registrations?bevestigd=2&amp;wachtlijst=2#confirmed-title"' % big.slug in page


def test_search_covers_everyone_and_is_kept_in_the_links(client, big):
    page = text(client.get(url(big, "/registrations?q=noord")))
    assert "Met een plek (150)" in page and "Wachtlijst (130)" in page and "Geannuleerd (0)" in page
    assert "Bevestigd 0200" not in page
    links = re.findall(r'href="([^"]*bevestigd=2[^"]*)"', page)
    assert links and all("q=noord" in link for link in links)
    second = text(client.get(url(big, "/registrations?q=noord&bevestigd=2")))
    assert names(rows_of(second, "confirmed"), "Bevestigd") == [f"Bevestigd {i:04d}" for i in range(100, 150)]


@pytest.mark.parametrize("number", ["abc", "-1", "0", "99999", "99999999999999999999", "²", "1.5", ""])
def test_any_page_number_answers(client, big, number):
    response = client.get(url(big, f"/registrations?bevestigd={number}&wachtlijst={number}&geannuleerd={number}"))
    assert response.status_code == 200
    page = text(response)
    shown = names(rows_of(page, "confirmed"), "Bevestigd")
    if number in ("99999", "99999999999999999999"):
        assert shown[0] == "Bevestigd 0200" and shown[-1] == "Bevestigd 0249"  # the last page
    else:
        assert shown[0] == "Bevestigd 0000"  # the first page


def test_pagination_is_a_labelled_nav_with_the_current_page(client, big):
    page = text(client.get(url(big, "/registrations?bevestigd=2")))
    navs = re.findall(r'<nav class="pagination[^"]*" aria-label="([^"]+)">(.*?)</nav>', page, re.S)
    assert len(navs) == 2  # confirmed and waiting; five cancelled fit on one page
    labels = [label for label, _ in navs]
    assert len(set(labels)) == 2
    confirmed_nav = navs[0][1]
    assert re.search(r'aria-current="page"><span class="visually-hidden">Pagina </span>2</a>', confirmed_nav)
    assert "Vorige" in confirmed_nav and "Volgende" in confirmed_nav
    assert confirmed_nav.count('aria-current="page"') == 1


def test_small_gathering_has_no_pagination(org_client, gathering):
    page = text(org_client.get(url(gathering, "/registrations")))
    assert 'class="pagination' not in page


def test_thousand_registrations_page_stays_small_and_queries_constant(app, client):
    small, large = make_gathering(capacity=3), make_gathering(kind="national", capacity=700)
    fill_gathering(small, 3, 2, 1)
    fill_gathering(large, 700, 250, 50)
    login_as(client, make_organiser(gatherings=[small, large]))
    small_url, large_url = url(small, "/registrations"), url(large, "/registrations")
    response = client.get(large_url)
    assert "Met een plek (700)" in text(response)
    assert len(response.get_data()) < 200_000
    for query in ("", "?q=zorg", "?bevestigd=7&wachtlijst=3&geannuleerd=2"):
        db.session.expunge_all()
        few = _count_selects(client, small_url + query)
        db.session.expunge_all()
        many = _count_selects(client, large_url + query)
        assert few == many, (query, few, many)


def test_page_numbers_leave_out_the_middle():
    assert Page(1, 250).numbers() == [1, 2, 3]
    assert Page(6, 2000).numbers() == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert Page(1, 0).numbers() == [1]


@pytest.mark.parametrize("value, number", [("3", 3), ("0", 1), ("-2", 1), ("x", 1), (None, 1), ("٣", 1)])
def test_requested_page(value, number):
    assert requested_page(value) == number


def test_mixed_session_numbers_each_group_waiting_list(app):
    g = make_gathering(kind="mixed")
    start = utcnow()
    for i, group in enumerate(["lived", "relatives", "lived", "professionals", "relatives", "lived"]):
        db.session.add(Registration(gathering_id=g.id, name=f"W{i}", email=None, status="waitlisted",
                                    perspective_group=group, waitlisted_at=start + timedelta(seconds=i)))
    db.session.commit()
    view = listing.registrations_page(g)
    assert [(r.name, view.positions[r.id]) for r in view.waiting.rows] == [
        ("W0", 1), ("W1", 1), ("W2", 2), ("W3", 1), ("W4", 2), ("W5", 3)]
    searched = listing.registrations_page(g, "W5")
    assert [view.positions[r.id] for r in searched.waiting.rows] == [3]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 6


# --- after an action on a row, back where the organiser was -----------------------------------------------------


def test_an_action_on_a_row_leads_back_to_the_same_page_and_search(client, big):
    place = "/registrations?q=noord&wachtlijst=2&bevestigd=2"
    page = text(client.get(url(big, place)))
    waiting = rows_of(page, "waiting")
    promote = re.search(r'action="([^"]*/promote[^"]*)"', waiting).group(1).replace("&amp;", "&")
    answer = client.post(promote, data={"beyond_capacity": "yes"})
    assert answer.status_code == 303
    assert set(answer.headers["Location"].split("?")[1].split("&")) == {"q=noord", "wachtlijst=2", "bevestigd=2"}

    cancel_link = re.search(r'href="([^"]*/cancel[^"]*)"', rows_of(page, "confirmed")).group(1).replace("&amp;", "&")
    confirm = text(client.get(cancel_link))
    form_action = re.search(r'<form method="post" action="([^"]*/cancel[^"]*)"', confirm).group(1).replace("&amp;", "&")
    assert "wachtlijst=2" in form_action and "q=noord" in form_action
    done = client.post(form_action)
    assert done.status_code == 303 and "wachtlijst=2" in done.headers["Location"] and "q=noord" in done.headers["Location"]

    needs_link = re.search(r'href="([^"]*/needs[^"]*)"', rows_of(page, "confirmed")).group(1).replace("&amp;", "&")
    # The form posts to its own #behoeften (issue 15, item 1): the fragment stays in the browser.
    needs_form = re.search(r'<form id="behoeften" method="post" action="([^"#]*/needs[^"#]*)#behoeften"',
                           text(client.get(needs_link))).group(1)
    saved = client.post(needs_form.replace("&amp;", "&"), data={"needs": "Een rolstoelplek"})
    assert saved.status_code == 303 and "bevestigd=2" in saved.headers["Location"]


def test_only_the_list_state_is_carried_back_and_only_sane_values(client, big):
    first = db.session.scalars(sa.select(Registration.id).where(
        Registration.gathering_id == big.id, Registration.status == "waitlisted").order_by(Registration.id)).first()
    answer = client.post(url(big, f"/registrations/{first}/promote?wachtlijst=abc&bevestigd=-3&next=//elders.example"
                                  f"&q={'x' * 300}"), data={"beyond_capacity": "yes"})
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert "elders" not in location and "wachtlijst" not in location and "bevestigd" not in location
    assert f"q={'x' * 100}" in location and "x" * 101 not in location
