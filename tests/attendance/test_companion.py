"""Companions as organisers meet them: in the lists and counts (in people), the composition, the door,
the exports; and a participant's change of needs in the week before the gathering, marked for them."""
from datetime import timedelta

import sqlalchemy as sa

from gatherings.attendance import exports, listing, reports, services
from gatherings.extensions import db
from gatherings.registration import changes
from gatherings.registration import services as registration
from gatherings.registration.models import Registration
from gatherings.timeutil import utcnow
from tests.factories import locked_call, make_gathering, make_registration
from tests.htmlpage import Page

JSON = {"Accept": "application/json"}


def with_companion(gathering, name, companion_name="Bea", **kw):
    result = locked_call(registration.register, gathering, registration.Applicant(
        name=name, email=f"{name.split()[0].lower()}@voorbeeld.nl", companion=True,
        companion_name=companion_name, consent_version="test", **kw))
    return result.registration


def fresh(registration_id):
    db.session.expire_all()
    return db.session.get(Registration, registration_id)


def test_registrations_page_counts_people_and_shows_the_companion_on_the_row(org_client, gathering):
    pair = with_companion(gathering, "Jan Smit", "Bea Bakker")
    make_registration(gathering, name="Els de Boer")
    waiting = with_companion(gathering, "Piet Paap", "")
    assert fresh(waiting.id).status == "waitlisted"
    page = Page(org_client.get(f"/organise/gatherings/{gathering.slug}/registrations").text)
    numbers = page.find("ul", class_="numbers").text
    assert "3 van 3 plekken bezet" in numbers and "2 op de wachtlijst" in numbers
    row = [tr for tr in page.find_all("tr") if "Jan Smit" in tr.text][0]
    assert "+ begeleider: Bea Bakker" in row.text
    composition = {tr.find("th").text: [td.text for td in tr.find_all("td")]
                   for tr in page.find("section", class_="composition").find_all("tr") if tr.find("td")}
    assert composition["Begeleider"] == ["<5", "<5"]  # small counts hidden outside a mixed session, as any row
    assert pair.id


def test_composition_of_a_mixed_session_has_a_companion_row_without_perspective(app):
    g = make_gathering(kind="mixed")
    with_companion(g, "Jan Smit", perspective="relative")
    make_registration(g, perspective="client")
    rows = {row.code: (row.confirmed, row.waitlisted) for row in listing.composition(g)}
    assert rows[listing.COMPANION] == (1, 0)
    assert rows["relative"] == (1, 0) and rows["client"] == (1, 0)


def test_the_door_checks_in_the_pair_or_one_of_them(org_client, gathering):
    pair = with_companion(gathering, "Jan Smit", "Bea Bakker")
    url = f"/organise/gatherings/{gathering.slug}/checkin"
    page = Page(org_client.get(f"{url}?q=smit").text)
    assert "Inchecken met begeleider" in page.text and "Alleen begeleider" in page.text
    # The companion arrives first.
    answer = org_client.post(f"{url}/{pair.id}", data={"who": "companion"}, headers=JSON).get_json()
    assert answer["counts"]["checked_in"] == 1 and answer["counts"]["confirmed"] == 2
    assert answer["people"][0]["companion_checked_in"] and not answer["people"][0]["checked_in"]
    assert fresh(pair.id).checked_in_at is None and fresh(pair.id).companion_checked_in_at is not None
    # Then the participant: "both" keeps the companion's first time.
    first_time = fresh(pair.id).companion_checked_in_at
    response = org_client.post(f"{url}/{pair.id}")
    assert response.status_code == 303
    assert fresh(pair.id).checked_in_at is not None and fresh(pair.id).companion_checked_in_at == first_time
    page = Page(org_client.get(response.headers["Location"]).text)
    assert page.find("strong", data_count="checked_in").text == "2"
    # Undo only the companion.
    org_client.post(f"{url}/{pair.id}/undo", data={"who": "companion"})
    assert fresh(pair.id).checked_in_at is not None and fresh(pair.id).companion_checked_in_at is None
    assert services.door_counts(gathering).as_dict()["expected"] == 1
    # A made-up "who" is refused, nothing changes.
    assert org_client.post(f"{url}/{pair.id}", data={"who": "iemand"}).status_code == 400


def test_a_single_participant_cannot_check_in_a_companion(org_client, gathering):
    person = make_registration(gathering, name="Els de Boer")
    url = f"/organise/gatherings/{gathering.slug}/checkin"
    assert org_client.post(f"{url}/{person.id}", data={"who": "companion"}).status_code == 400
    assert fresh(person.id).companion_checked_in_at is None


def test_exports_have_the_companion_on_the_participants_row(app, gathering):
    with_companion(gathering, "Jan Smit", "Bea Bakker")
    with_companion(gathering, "Piet Paap", "")
    make_registration(gathering, name="Els de Boer")
    table = exports.export_table(gathering)
    cells = {row.name: row.companion for row in table.rows}
    assert cells == {"Jan Smit": "Bea Bakker", "Piet Paap": "ja", "Els de Boer": ""}
    assert "Begeleider" in [str(h) for h in table.headers()]


def test_dashboard_counts_people_and_marks_needs_changed_in_the_last_week(org_client, gathering):
    soon = make_gathering(title="Over drie dagen", starts_at=utcnow() + timedelta(days=3))
    later = make_gathering(title="Over een maand", starts_at=utcnow() + timedelta(days=30))
    from tests.factories import make_organiser, login_as
    for g in (soon, later):
        r = make_registration(g)
        locked_call(changes.change_registration, g, r.id, changes.Changes(name=r.name, needs="Een rolstoelplek"))
    with_companion(gathering, "Jan Smit")
    organiser = make_organiser("org2@voorbeeld.nl", gatherings=[soon, later, gathering])
    login_as(org_client, organiser)
    rows = {row.gathering.title: row for row in reports.dashboard()}
    assert rows["Kijkje in de keuken"].confirmed == 2
    assert rows["Over drie dagen"].needs_changed == 1
    assert rows["Over een maand"].needs_changed == 0
    page = Page(org_client.get("/organise/dashboard").text)
    soon_row = [tr for tr in page.find_all("tr") if "Over drie dagen" in tr.text][0]
    later_row = [tr for tr in page.find_all("tr") if "Over een maand" in tr.text][0]
    assert "1 nieuwe wens, nieuw sinds" in soon_row.text
    assert "nieuw sinds" not in later_row.text
    registrations = Page(org_client.get(f"/organise/gatherings/{soon.slug}/registrations").text)
    assert "nieuw sinds" in registrations.find("td", class_="needs").text
    registrations = Page(org_client.get(f"/organise/gatherings/{later.slug}/registrations").text)
    assert "nieuw sinds" not in registrations.find("td", class_="needs").text


def test_an_organiser_adds_someone_who_phoned_in_with_their_companion(org_client, gathering):
    url = f"/organise/gatherings/{gathering.slug}/registrations/new"
    form = Page(org_client.get(url).text)
    box = form.find("input", name="companion")
    fieldset = next(a for a in box.ancestors() if a.tag == "fieldset")  # a group with its own legend
    assert fieldset.find("legend").text.startswith("Begeleider")
    assert form.find("label", **{"for": box.get("id")}).text == "Neemt een begeleider mee"
    answer = org_client.post(url, data={"name": "Jan Smit", "email": "", "perspective": "", "companion": "y",
                                        "companion_name": " Bea Bakker ", "consent": "y"})
    assert answer.status_code == 303
    added = db.session.scalars(sa.select(Registration).where(Registration.name == "Jan Smit")).one()
    assert (added.companion, added.companion_name, added.status) == (True, "Bea Bakker", "confirmed")
    # Two of the three seats: a second pair no longer fits and waits, together.
    org_client.post(url, data={"name": "Piet Paap", "companion": "y", "consent": "y"})
    second = db.session.scalars(sa.select(Registration).where(Registration.name == "Piet Paap")).one()
    assert (second.companion, second.companion_name, second.status) == (True, "", "waitlisted")
    # A name without the box ticked is no companion.
    org_client.post(url, data={"name": "Els de Boer", "companion_name": "Niemand", "consent": "y"})
    single = db.session.scalars(sa.select(Registration).where(Registration.name == "Els de Boer")).one()
    assert (single.companion, single.companion_name, single.status) == (False, "", "confirmed")


def test_a_walk_in_with_a_companion_is_checked_in_together_or_waits_together(org_client, gathering):
    url = f"/organise/gatherings/{gathering.slug}/checkin/walk-in"
    answer = org_client.post(url, data={"walk_in-name": "Jan Smit", "walk_in-companion": "y",
                                        "walk_in-companion_name": "Bea Bakker", "walk_in-consent": "y"})
    assert answer.status_code == 303
    pair = db.session.scalars(sa.select(Registration).where(Registration.name == "Jan Smit")).one()
    assert pair.checked_in_at is not None and pair.companion_checked_in_at is not None
    org_client.post(url, data={"walk_in-name": "Piet Paap", "walk_in-companion": "y", "walk_in-consent": "y"})
    waiting = db.session.scalars(sa.select(Registration).where(Registration.name == "Piet Paap")).one()
    assert waiting.status == "waitlisted" and waiting.checked_in_at is None  # one seat left: the pair waits
