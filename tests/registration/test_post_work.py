"""The registration POST does no work it throws away (issue 12: less work per POST around the lock)."""
import re

import flask_babel
import flask_wtf.csrf

from tests.factories import make_gathering

# As a browser sends the form: empty text fields, no perspective chosen (an unanswered radio group is not sent).
AS_SENT = {"name": "Anna de Vries", "organisation": "", "needs": "", "consent": "y"}


def test_a_registration_as_the_browser_sends_it_translates_no_message(app, client, monkeypatch):
    """No message is shown, so none is translated: before, the perspective's "Deze keuze kan niet" was, and
    thrown away, for every form sent without a perspective; and every subject anew (see tests/mail/test_subjects.py)."""
    gathering = make_gathering(capacity=100)
    assert client.post(f"/gatherings/{gathering.slug}/register",
                       data={**AS_SENT, "email": "eerste@voorbeeld.nl"}).status_code == 303
    translated = []
    original = flask_babel.Domain.gettext
    monkeypatch.setattr(flask_babel.Domain, "gettext",
                        lambda self, string, **kw: translated.append(string) or original(self, string, **kw))
    answer = client.post(f"/gatherings/{gathering.slug}/register", data={**AS_SENT, "email": "tweede@voorbeeld.nl"})
    assert answer.status_code == 303
    assert translated == []


def test_a_perspective_that_is_not_a_choice_still_gets_its_message(client):
    gathering = make_gathering()
    answer = client.post(f"/gatherings/{gathering.slug}/register",
                         data={**AS_SENT, "email": "anna@voorbeeld.nl", "perspective": "alien"})
    assert answer.status_code == 422
    assert "Deze keuze kan niet" in answer.text


def test_in_a_mixed_session_no_perspective_gets_the_question_not_the_wrong_choice(client):
    gathering = make_gathering(kind="mixed")
    answer = client.post(f"/gatherings/{gathering.slug}/register", data={**AS_SENT, "email": "anna@voorbeeld.nl"})
    assert answer.status_code == 422
    assert "Kies hoe u betrokken bent" in answer.text
    assert "Deze keuze kan niet" not in answer.text


TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def test_an_accepted_registration_signs_no_form_token_it_does_not_show(make_app, monkeypatch):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        slug = make_gathering().slug
    client = app.test_client()
    token = TOKEN.search(client.get(f"/gatherings/{slug}").text).group(1)
    signed = []
    original = flask_wtf.csrf.generate_csrf
    monkeypatch.setattr(flask_wtf.csrf, "generate_csrf", lambda *a, **kw: signed.append(1) or original(*a, **kw))
    answer = client.post(f"/gatherings/{slug}/register",
                         data={**AS_SENT, "email": "anna@voorbeeld.nl", "csrf_token": token})
    assert answer.status_code == 303
    assert signed == []


def test_a_form_that_comes_back_carries_a_token_that_works(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        slug = make_gathering().slug
    client = app.test_client()
    token = TOKEN.search(client.get(f"/gatherings/{slug}").text).group(1)
    back = client.post(f"/gatherings/{slug}/register", data={**AS_SENT, "email": "", "csrf_token": token})
    assert back.status_code == 422 and "Vul uw e-mailadres in." in back.text
    again = TOKEN.search(back.text).group(1)
    answer = client.post(f"/gatherings/{slug}/register",
                         data={**AS_SENT, "email": "anna@voorbeeld.nl", "csrf_token": again})
    assert answer.status_code == 303
