"""Check-in at the door: without JavaScript (forms, PRG) and as the script uses it (JSON)."""
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.registration.models import Registration
from tests.factories import locked_call, make_registration

JSON = {"Accept": "application/json"}


def url(gathering, rest=""):
    return f"/organise/gatherings/{gathering.slug}/checkin{rest}"


def text(response):
    return response.get_data(as_text=True)


def fresh(registration_id):
    db.session.expire_all()
    return db.session.get(Registration, registration_id)


def test_nobody_listed_until_a_name_is_typed(org_client, gathering):
    make_registration(gathering, name="Jan Smit")
    make_registration(gathering, name="Els de Boer")
    page = text(org_client.get(url(gathering)))
    assert "Jan Smit" not in page and "Els de Boer" not in page
    assert 'src="/static/checkin.js"' in page and "<script>" not in page
    assert "Jan Smit" not in text(org_client.get(url(gathering, "?q=j")))  # one letter is not enough
    page = text(org_client.get(url(gathering, "?q=smi")))
    assert "Jan Smit" in page and "Els de Boer" not in page
    assert "Niemand gevonden" in text(org_client.get(url(gathering, "?q=xyz")))


def test_check_in_and_undo_without_javascript(org_client, gathering):
    person = make_registration(gathering, name="Jan Smit")
    response = org_client.post(url(gathering, f"/{person.id}"))
    assert response.status_code == 303
    assert fresh(person.id).checked_in_at is not None
    page = text(org_client.get(response.headers["Location"]))
    assert "Jan Smit is ingecheckt." in page and "Ongedaan maken" in page
    assert '<strong data-count="checked_in">1</strong>' in page
    response = org_client.post(url(gathering, f"/{person.id}/undo"))
    assert response.status_code == 303 and fresh(person.id).checked_in_at is None
    assert "ongedaan gemaakt" in text(org_client.get(response.headers["Location"]))


def test_check_in_with_javascript_answers_json(org_client, gathering):
    person = make_registration(gathering, name="Jan Smit")
    make_registration(gathering)
    found = org_client.get(url(gathering, ".json?q=jan"), headers=JSON).get_json()
    assert [p["name"] for p in found["people"]] == ["Jan Smit"]
    assert found["counts"] == {"confirmed": 2, "checked_in": 0, "expected": 2, "waitlisted": 0, "walk_ins": 0}
    answer = org_client.post(found["people"][0]["check_in_url"], headers=JSON)
    assert answer.status_code == 200 and answer.is_json
    data = answer.get_json()
    assert data["people"][0]["checked_in"] is True and data["people"][0]["checked_in_time"]
    assert data["counts"]["checked_in"] == 1 and data["counts"]["expected"] == 1
    assert data["message"] == "Jan Smit is ingecheckt."
    undone = org_client.post(data["people"][0]["undo_url"], headers=JSON).get_json()
    assert undone["people"][0]["checked_in"] is False and undone["counts"]["checked_in"] == 0
    assert fresh(person.id).checked_in_at is None
    assert org_client.get(url(gathering, ".json?q=")).get_json()["people"] == []


def test_waiting_person_at_the_door(org_client, gathering):
    for _ in range(3):
        make_registration(gathering)
    waiting = make_registration(gathering, name="Wacht Nog")
    refused = org_client.post(url(gathering, f"/{waiting.id}"), headers=JSON)
    assert refused.status_code == 409 and "wachtlijst" in refused.get_json()["message"]
    page = text(org_client.get(url(gathering, "?q=wacht")))
    assert "Op de wachtlijst" in page and "Toch toelaten" in page
    response = org_client.post(url(gathering, f"/{waiting.id}/admit"))
    assert response.status_code == 303
    assert fresh(waiting.id).status == "confirmed" and fresh(waiting.id).checked_in_at is not None


def test_walk_in(org_client, gathering):
    response = org_client.post(url(gathering, "/walk-in"), data={
        "walk_in-name": "Loop Binnen", "walk_in-email": "", "walk_in-perspective": "", "walk_in-consent": "y"})
    assert response.status_code == 303
    person = db.session.scalars(sa.select(Registration).where(Registration.name == "Loop Binnen")).one()
    assert person.source == "walk_in" and person.checked_in_at is not None and person.email is None
    page = text(org_client.get(response.headers["Location"]))
    assert "Loop Binnen is aangemeld en ingecheckt." in page
    assert '<strong data-count="checked_in">1</strong>' in page


def test_walk_in_when_full(org_client, gathering):
    for _ in range(3):
        make_registration(gathering)
    response = org_client.post(url(gathering, "/walk-in"), data={"walk_in-name": "Te Vol", "walk_in-consent": "y"},
                               follow_redirects=True)
    assert "De bijeenkomst is vol" in text(response) and "Toch toelaten" in text(response)


def test_walk_in_bad_input_keeps_what_was_typed(org_client, gathering):
    response = org_client.post(url(gathering, "/walk-in"), data={
        "walk_in-name": "", "walk_in-email": "niet goed", "walk_in-organisation": "Buurthuis"})
    assert response.status_code == 422
    page = text(response)
    assert "Vul de naam in." in page and "geen geldig e-mailadres" in page and "Vraag of de persoon akkoord is" in page
    assert 'value="Buurthuis"' in page and 'value="niet goed"' in page
    assert "<details class=\"walk-in\" open>" in page
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_check_in_cancelled_registration(org_client, gathering):
    from gatherings.registration import services as registration
    person = make_registration(gathering)
    locked_call(registration.cancel, person.gathering_id, person.id)
    db.session.commit()
    response = org_client.post(url(gathering, f"/{person.id}"), follow_redirects=True)
    assert "geannuleerd" in text(response) and fresh(person.id).checked_in_at is None


def test_door_done_parameter_ignores_rubbish(org_client, gathering):
    assert org_client.get(url(gathering, "?done=abc")).status_code == 200
    assert org_client.get(url(gathering, "?done=999999")).status_code == 200


def test_rubbish_numbers_are_not_errors(org_client, gathering):
    assert org_client.get(url(gathering, "?done=" + "9" * 30)).status_code == 200
    assert org_client.post(url(gathering, "/" + "9" * 20)).status_code == 404
    assert org_client.post(url(gathering, "/2147483648/undo")).status_code == 404
    assert org_client.get("/organise/reports?year=" + "9" * 5000).status_code == 200
    assert org_client.get(url(gathering, "?q=" + "ä" * 5000)).status_code == 200
    assert org_client.get(url(gathering, ".json?q=%25_%27")).get_json()["people"] == []
