"""The gathering page is kept per process (gatherings/caches.py, ``page``): what a visitor sees must stay true."""
import pytest
from flask import flash

from gatherings.catalogue.models import Gathering
from gatherings.extensions import db
from tests.factories import make_gathering, make_registration
from tests.htmlpage import Page


@pytest.fixture
def csrf_app(make_app):
    """CSRF protection on, as in production: only then does the page carry a token to put in."""
    return make_app(WTF_CSRF_ENABLED=True)


def _token(response) -> str:
    return Page(response.text).find("input", name="csrf_token").get("value")


def _register(client, slug, email):
    token = _token(client.get(f"/gatherings/{slug}"))
    return client.post(f"/gatherings/{slug}/register", data={
        "csrf_token": token, "name": "Anna", "email": email, "consent": "y"})


def _kept(app) -> int:
    return len(app.extensions.get("caches", {}).get("page", {}))


def test_each_visitor_gets_their_own_working_token_from_the_kept_page(csrf_app):
    with csrf_app.app_context():
        slug = make_gathering(capacity=5).slug
    anna, bert = csrf_app.test_client(), csrf_app.test_client()
    first, second = anna.get(f"/gatherings/{slug}"), bert.get(f"/gatherings/{slug}")
    assert _kept(csrf_app) == 1  # the second visitor was served the kept page
    assert _token(first) != _token(second)
    assert first.text.replace(_token(first), "") == second.text.replace(_token(second), "")
    # Each token belongs to its own session: Bert's works for Bert, not for Anna.
    refused = anna.post(f"/gatherings/{slug}/register", data={
        "csrf_token": _token(second), "name": "Anna", "email": "anna@voorbeeld.nl", "consent": "y"})
    assert refused.status_code == 400
    assert _register(bert, slug, "bert@voorbeeld.nl").status_code == 303


def test_the_page_follows_the_seats_the_gathering_and_the_language(csrf_app):
    with csrf_app.app_context():
        gathering = make_gathering(capacity=2, title="Koffie en ggz")
        slug = gathering.slug
    visitor = csrf_app.test_client()
    assert "Nog 2 plekken vrij" in visitor.get(f"/gatherings/{slug}").text
    assert _register(csrf_app.test_client(), slug, "een@voorbeeld.nl").status_code == 303
    assert "Nog 1 plek vrij" in visitor.get(f"/gatherings/{slug}").text
    assert _register(csrf_app.test_client(), slug, "twee@voorbeeld.nl").status_code == 303
    full = visitor.get(f"/gatherings/{slug}").text
    assert "Deze bijeenkomst is vol. U kunt zich aanmelden voor de wachtlijst" in full and "Aanmelden voor de wachtlijst" in full

    # An organiser's change shows at once, also with an entry for the old data kept.
    with csrf_app.app_context():
        db.session.get(Gathering, gathering.id).title = "Koffie, thee en ggz"
        db.session.commit()
    assert "Koffie, thee en ggz" in visitor.get(f"/gatherings/{slug}").text

    english = csrf_app.test_client().get(f"/gatherings/{slug}", headers={"Accept-Language": "en"})
    assert english.text != full and 'lang="en"' in english.text
    assert 'lang="nl"' in visitor.get(f"/gatherings/{slug}").text


def test_a_page_with_a_notice_for_one_visitor_is_not_kept_or_shown_to_others(csrf_app):
    with csrf_app.app_context():
        slug = make_gathering().slug

    @csrf_app.get("/test-flash")
    def _flash_something():
        flash("Alleen voor Anna.", "success")
        return "ok"

    anna = csrf_app.test_client()
    anna.get("/test-flash")
    assert "Alleen voor Anna." in anna.get(f"/gatherings/{slug}").text
    assert _kept(csrf_app) == 0
    assert "Alleen voor Anna." not in csrf_app.test_client().get(f"/gatherings/{slug}").text
    assert "Alleen voor Anna." not in anna.get(f"/gatherings/{slug}").text  # shown once


def test_a_form_that_came_back_with_messages_is_never_kept(csrf_app):
    with csrf_app.app_context():
        slug = make_gathering().slug
        make_registration(db.session.scalars(db.select(Gathering).filter_by(slug=slug)).one())
    client = csrf_app.test_client()
    token = _token(client.get(f"/gatherings/{slug}"))
    kept = _kept(csrf_app)
    answer = client.post(f"/gatherings/{slug}/register", data={
        "csrf_token": token, "name": "Anna de Vries", "email": "geen-adres", "consent": "y"})
    assert answer.status_code == 422 and "Anna de Vries" in answer.text
    assert _kept(csrf_app) == kept
    assert "Anna de Vries" not in csrf_app.test_client().get(f"/gatherings/{slug}").text


def test_the_kept_page_stays_while_the_waiting_list_grows(csrf_app):
    """The page shows seats left, not how many wait: a registration on the waiting list changes nothing on it,
    so the kept page serves the next visitors of the rush instead of being rendered again for each."""
    with csrf_app.app_context():
        slug = make_gathering(capacity=1).slug
    assert _register(csrf_app.test_client(), slug, "een@voorbeeld.nl").status_code == 303  # now full
    visitor = csrf_app.test_client()
    full = visitor.get(f"/gatherings/{slug}").text
    kept = _kept(csrf_app)
    for n in range(3):
        assert _register(csrf_app.test_client(), slug, f"wacht{n}@voorbeeld.nl").status_code == 303
    again = visitor.get(f"/gatherings/{slug}").text
    assert _kept(csrf_app) == kept  # the same entry served it
    assert again.replace(_token_of(again), "") == full.replace(_token_of(full), "")
    assert "Aanmelden voor de wachtlijst" in again


def _token_of(html: str) -> str:
    return Page(html).find("input", name="csrf_token").get("value")
