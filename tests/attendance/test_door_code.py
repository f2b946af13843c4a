"""Check-in by the QR code on someone's confirmation: its own door code, typed or scanned."""
import re

import pytest

from gatherings.registration import door_codes
from gatherings.registration.models import DOOR_ALPHABET
from tests.factories import make_gathering, make_registration

from .test_door import JSON, fresh, text, url


def test_every_registration_has_its_own_door_code_that_is_not_its_token(app, gathering):
    people = [make_registration(gathering) for _ in range(5)]
    codes = {p.door_code for p in people}
    assert len(codes) == 5
    for person in people:
        assert re.fullmatch(f"[{DOOR_ALPHABET}]{{10}}", person.door_code)
        assert person.door_code not in person.token


def test_door_codes_use_every_symbol_equally_often():
    """50 bits of chance per code: no symbol favoured (a bias would make codes easier to guess)."""
    from collections import Counter

    from gatherings.registration.models import new_door_code

    seen = Counter("".join(new_door_code() for _ in range(2000)))  # 20,000 symbols: about 625 each
    assert set(seen) == set(DOOR_ALPHABET)
    assert all(470 < n < 780 for n in seen.values()), seen  # more than 6 standard deviations either way


@pytest.mark.parametrize("typed", ["{c}", "{c5}-{r5}", " {lc} ", "{c5} {r5}", "{oi}"])
def test_a_typed_code_is_read_as_people_type_it(app, gathering, typed):
    person = make_registration(gathering)
    code = person.door_code
    confusable = code.replace("0", "O").replace("1", "I")  # what a person reads off a screen
    value = typed.format(c=code, c5=code[:5], r5=code[5:], lc=code.lower(), oi=confusable)
    assert door_codes.find(gathering, value) == person


def test_a_code_of_another_gathering_or_no_code_finds_nobody(app, gathering):
    other = make_gathering()
    elsewhere = make_registration(other)
    assert door_codes.find(gathering, elsewhere.door_code) is None
    for junk in ("", "x" * 5000, "ABCDE", "\u202eABCDEFGHJK", "12345678901", None):
        assert door_codes.find(gathering, junk) is None


def test_check_in_by_code_without_javascript(org_client, gathering):
    person = make_registration(gathering, name="Jan Smit")
    response = org_client.post(url(gathering, "/code"), data={"door-code": door_codes.shown(person.door_code)})
    assert response.status_code == 303
    assert fresh(person.id).checked_in_at is not None
    page = text(org_client.get(response.headers["Location"]))
    assert "Jan Smit is ingecheckt." in page and '<strong data-count="checked_in">1</strong>' in page
    # Scanned twice (the code stays in front of the camera): still once, and the organiser hears so.
    again = org_client.post(url(gathering, "/code"), data={"door-code": person.door_code}, headers=JSON)
    assert again.status_code == 200 and "Jan Smit was al binnen" in again.get_json()["message"]
    assert again.get_json()["counts"]["checked_in"] == 1


def test_check_in_by_code_as_the_scanner_does_answers_json(org_client, gathering):
    person = make_registration(gathering, name="Jan Smit")
    answer = org_client.post(url(gathering, "/code"), data={"door-code": person.door_code}, headers=JSON)
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["message"] == "Jan Smit is ingecheckt." and data["counts"]["checked_in"] == 1
    assert data["people"][0]["checked_in"] is True


def test_a_wrong_code_is_said_at_the_field_and_nothing_changes(org_client, gathering):
    person = make_registration(gathering)
    other = make_registration(make_gathering())
    for value in ("", "ABCDE-FGHJK", other.door_code, "x" * 100):
        response = org_client.post(url(gathering, "/code"), data={"door-code": value})
        assert response.status_code == 422
        page = text(response)
        assert 'id="door-code-error"' in page and 'aria-invalid="true"' in page
        assert f'value="{value}"' in page if value and len(value) < 50 else True  # what was typed stays
    answer = org_client.post(url(gathering, "/code"), data={"door-code": other.door_code}, headers=JSON)
    assert answer.status_code == 422 and "hoort bij geen aanmelding" in answer.get_json()["message"]
    assert fresh(person.id).checked_in_at is None and fresh(other.id).checked_in_at is None


def test_a_waiting_persons_code_asks_the_organiser(org_client, app):
    full = make_gathering(capacity=1)
    from tests.factories import make_organiser
    from gatherings.extensions import db
    organiser = make_organiser("deur@voorbeeld.nl", gatherings=[full])
    db.session.commit()
    from tests.factories import login_as
    login_as(org_client, organiser)
    make_registration(full)
    waiting = make_registration(full, name="Els Wacht")
    answer = org_client.post(url(full, "/code"), data={"door-code": waiting.door_code}, headers=JSON)
    assert answer.status_code == 409 and "Els Wacht staat op de wachtlijst" in answer.get_json()["message"]
    assert fresh(waiting.id).checked_in_at is None


def test_only_the_door_page_may_use_the_camera(org_client, gathering):
    door = org_client.get(url(gathering))
    assert door.headers["Permissions-Policy"].startswith("camera=(self)")
    assert 'src="/static/door_scan.js"' in text(door) and 'src="/static/vendor/jsQR.js"' in text(door)
    assert "camera=()" in org_client.get("/").headers["Permissions-Policy"]
    assert "camera=()" in org_client.get(f"/organise/gatherings/{gathering.slug}").headers["Permissions-Policy"]


def test_someone_elses_organiser_cannot_check_in_by_code(client, gathering, app):
    from tests.factories import login_as, make_organiser
    person = make_registration(gathering)
    stranger = make_organiser("ander@voorbeeld.nl", gatherings=[make_gathering()])
    login_as(client, stranger)
    response = client.post(url(gathering, "/code"), data={"door-code": person.door_code})
    assert response.status_code in (403, 404)
    assert fresh(person.id).checked_in_at is None


def test_the_personal_page_shows_the_qr_code_only_with_a_seat_at_a_place(client, app):
    gathering = make_gathering(capacity=1)
    seated = make_registration(gathering)
    waiting = make_registration(gathering)
    page = text(client.get(f"/r/{seated.token}"))
    assert '<svg' in page and 'class="door-qr"' in page
    assert door_codes.shown(seated.door_code) in page and "Uw code voor de deur" in page
    assert "<title>QR-code voor de deur: " + door_codes.shown(seated.door_code) in page  # its accessible name
    assert "Uw code voor de deur" not in text(client.get(f"/r/{waiting.token}"))
    online = make_registration(make_gathering(venue_name="", venue_address="", online_url="https://meet.example/x"))
    assert "Uw code voor de deur" not in text(client.get(f"/r/{online.token}"))
