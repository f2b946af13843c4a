"""/reflect/<token>: one page, three optional questions, once."""
import json

import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.reflection import invitations, services
from gatherings.reflection.models import ReflectionAnswer, ReflectionInvitation

from .conftest import invitation_rows


def tokens(people):
    invitations.queue_due_invitations()
    present, _absent = people
    by_address = {r.to_address: json.loads(r.context)["token"] for r in invitation_rows()}
    return [by_address[p.email] for p in present]


def answers():
    return db.session.scalars(sa.select(ReflectionAnswer).order_by(ReflectionAnswer.id)).all()


def test_the_page_asks_three_optional_questions_without_script(client, people):
    token = tokens(people)[0]
    response = client.get(f"/reflect/{token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<fieldset" in html and "<legend>Hoe waardevol was deze bijeenkomst voor u?" in html
    assert html.count('type="radio"') == 5
    assert "Wat neemt u mee van deze bijeenkomst?" in html and "Wat kan beter?" in html
    assert "<script" not in html
    assert "required" not in html.split("<form", 1)[1]
    assert response.headers["Cache-Control"] == "private, no-store"


def test_answering_stores_the_answer_by_group_and_day_and_the_token_is_spent(client, people, ended):
    token = tokens(people)[1]  # the relative
    response = client.post(f"/reflect/{token}", data={"value": "4", "takeaway": "Veel geleerd.",
                                                      "suggestion": "Meer pauze."})
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Uw antwoord is binnen." in thanks
    [answer] = answers()
    assert (answer.gathering_id, answer.perspective_group, answer.value, answer.takeaway, answer.suggestion) == \
        (ended.id, "relatives", 4, "Veel geleerd.", "Meer pauze.")
    # A second visit and a second post: the same thanks, nothing changed.
    again = client.post(f"/reflect/{token}", data={"value": "1", "takeaway": "Anders."})
    assert again.status_code == 200 and "Uw antwoord is binnen." in again.get_data(as_text=True)
    assert [(a.value, a.takeaway) for a in answers()] == [(4, "Veel geleerd.")]


def test_everything_is_optional_and_an_empty_form_stores_nothing(client, people):
    first, second, _third = tokens(people)
    assert client.post(f"/reflect/{first}", data={"takeaway": "Alleen dit."}).status_code == 303
    assert client.post(f"/reflect/{second}", data={}).status_code == 303
    assert [(a.value, a.takeaway, a.suggestion) for a in answers()] == [(None, "Alleen dit.", "")]
    assert "Uw antwoord is binnen." in client.get(f"/reflect/{second}").get_data(as_text=True)


def test_bad_input_gets_a_message_at_the_field_and_keeps_what_was_typed(client, people):
    token = tokens(people)[0]
    response = client.post(f"/reflect/{token}", data={"value": "7", "takeaway": "Mijn tekst.",
                                                      "suggestion": "x" * 2001})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Kies een getal van 1 tot en met 5." in html
    assert "Dit mag hoogstens 2000 tekens lang zijn." in html
    assert 'aria-describedby="suggestion-hint suggestion-error"' in html
    assert "Mijn tekst." in html
    assert answers() == []
    assert db.session.scalar(sa.select(ReflectionInvitation.used).limit(1)) is False


def test_unknown_token_and_turned_off_gathering_are_404(client, people, ended):
    token = tokens(people)[0]
    assert client.get("/reflect/nope").status_code == 404
    assert client.get("/reflect/" + "x" * 500).status_code == 404
    services.save_settings(ended, enabled=False, takeaway_question="", suggestion_question="")
    db.session.commit()
    assert client.get(f"/reflect/{token}").status_code == 404
    assert client.post(f"/reflect/{token}", data={"value": "3"}).status_code == 404


def test_the_organisers_own_questions_are_asked(client, people, ended):
    token = tokens(people)[0]
    services.save_settings(ended, enabled=True, takeaway_question="Wat was het mooiste moment?",
                           suggestion_question="")
    db.session.commit()
    html = client.get(f"/reflect/{token}").get_data(as_text=True)
    assert "Wat was het mooiste moment?" in html and "Wat kan beter?" in html


def test_the_page_in_english(client, people):
    token = tokens(people)[0]
    html = client.get(f"/reflect/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "How valuable was this gathering for you?" in html
