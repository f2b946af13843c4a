"""The nights the clocks change: a time that does not exist is refused, a time that happens twice is chosen."""
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from gatherings.catalogue.models import Gathering
from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.mail.sender import send_due
from tests.factories import login_as, make_gathering, make_organiser, make_registration
from tests.htmlpage import Page

from .test_gatherings import _edit_form, _form
from .test_mail import _text

UTC = timezone.utc


@pytest.fixture
def organiser(app, client):
    organiser = make_organiser("a@voorbeeld.nl")
    login_as(client, organiser)
    return organiser


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Gathering))


@pytest.mark.parametrize("typed", ["2027-03-28T02:30", "29-03-2026 02.00"])
def test_a_time_the_clocks_skip_is_refused_at_the_field(client, organiser, typed):
    response = client.post("/organise/gatherings/new", data=_form(
        starts_at=typed, ends_at="2027-03-28T05:00", organiser_ids=[str(organiser.id)]))
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    error = page.error_for("starts_at")
    assert "Deze tijd bestaat niet" in error and "naar 03:00" in error
    assert page.by_id("starts_at").get("value") == typed  # kept as typed
    assert _count() == 0


def test_a_time_that_happens_twice_asks_which_and_stores_the_choice(client, organiser):
    data = _form(starts_at="2027-10-31T02:15", ends_at="2027-10-31T04:00", organiser_ids=[str(organiser.id)])
    response = client.post("/organise/gatherings/new", data=data)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert "komt twee keer voor" in page.error_for("starts_at")
    summer, winter = page.by_id("starts_at-klok-zomertijd"), page.by_id("starts_at-klok-wintertijd")
    assert summer.get("name") == winter.get("name") == "starts_at-klok"
    assert summer.get("checked") is None and winter.get("checked") is None  # nothing chosen for them
    assert page.by_id("ends_at-klok-zomertijd") is None  # 04:00 happens once
    assert page.by_id("starts_at").get("value") == "2027-10-31T02:15"
    assert _count() == 0

    assert client.post("/organise/gatherings/new", data={**data, "starts_at-klok": "wintertijd"}).status_code == 303
    stored = db.session.scalars(sa.select(Gathering)).one()
    assert stored.starts_at == datetime(2027, 10, 31, 1, 15, tzinfo=UTC)  # the second 02:15 (CET, +01:00)

    assert client.post("/organise/gatherings/new", data={**data, "title": "Eerder", "starts_at-klok": "zomertijd"}
                       ).status_code == 303
    earlier = db.session.scalars(sa.select(Gathering).where(Gathering.title == "Eerder")).one()
    assert earlier.starts_at == datetime(2027, 10, 31, 0, 15, tzinfo=UTC)  # the first 02:15 (CEST, +02:00)


def test_the_edit_form_shows_which_of_the_two_is_stored_and_keeps_it(client, organiser):
    gathering = make_gathering(starts_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # the second 02:30 of 2026
    organiser.gatherings.append(gathering)
    db.session.commit()
    page = Page(client.get(f"/organise/gatherings/{gathering.slug}/edit").get_data(as_text=True))
    assert page.by_id("starts_at").get("value") == "2026-10-25T02:30"
    assert page.by_id("starts_at-klok-wintertijd").get("checked") is not None
    assert page.by_id("starts_at-klok-zomertijd").get("checked") is None

    data = _edit_form(gathering, title="Nieuwe titel", **{"starts_at-klok": "wintertijd"})
    assert client.post(f"/organise/gatherings/{gathering.slug}/edit", data=data).status_code == 303
    db.session.expire_all()
    assert db.session.get(Gathering, gathering.id).starts_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_pages_and_mail_say_summer_or_winter_time_in_the_doubled_hour(client, app):
    first = make_gathering(slug="eerste", starts_at=datetime(2027, 10, 31, 0, 15, tzinfo=UTC))
    second = make_gathering(slug="tweede", starts_at=datetime(2027, 10, 31, 1, 15, tzinfo=UTC))
    ordinary = make_gathering(slug="gewoon", starts_at=datetime(2027, 10, 31, 9, 0, tzinfo=UTC))
    assert "02:15 (zomertijd) – 04:15" in client.get("/gatherings/eerste").get_data(as_text=True)
    assert "02:15 (wintertijd) – 05:15" in client.get("/gatherings/tweede").get_data(as_text=True)
    page = client.get("/gatherings/gewoon").get_data(as_text=True)
    assert "10:00 – 13:00" in page and "zomertijd" not in page and "wintertijd" not in page
    english = client.get("/gatherings/tweede", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "02:15 (winter time)" in english

    make_registration(second, email="piet@voorbeeld.nl")
    send_due()  # without a mail server: rendered and written to a file
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == "piet@voorbeeld.nl")).one()
    assert "02:15 (wintertijd)" in _text(mail)  # the row forgets its bodies once sent: read the .eml
    assert first and ordinary
