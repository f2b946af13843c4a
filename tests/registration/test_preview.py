"""A draft's public address: its organisers see the page as a preview, everybody else a 404."""
import pytest

from gatherings.extensions import db
from tests.factories import login_as, make_gathering, make_organiser

NOTICE = "Voorbeeld: deze bijeenkomst is nog niet gepubliceerd."


@pytest.fixture
def draft(app):
    return make_gathering(title="Nog in de maak", status="draft", capacity=12)


def test_the_public_gets_a_404_for_a_draft(client, draft):
    response = client.get(f"/gatherings/{draft.slug}")
    assert response.status_code == 404
    assert NOTICE not in response.get_data(as_text=True)


def test_an_organiser_of_another_gathering_gets_a_404(client, draft):
    login_as(client, make_organiser("ander@voorbeeld.nl", gatherings=[make_gathering()]))
    assert client.get(f"/gatherings/{draft.slug}").status_code == 404


def test_its_organiser_sees_a_preview_never_cached_with_the_form_switched_off(client, draft):
    login_as(client, make_organiser("org@voorbeeld.nl", gatherings=[draft]))
    response = client.get(f"/gatherings/{draft.slug}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert NOTICE in page and "Nog in de maak" in page
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    # The form as visitors will see it, but switched off: nothing can be sent from a preview.
    assert "<fieldset disabled>" in page and 'id="name"' in page
    assert "/register" not in page
    # The link to it on the organiser's page of the draft.
    assert f'href="/gatherings/{draft.slug}"' in client.get(f"/organise/gatherings/{draft.slug}").get_data(as_text=True)
    # And a visitor who comes next, without the organiser's session, still gets a 404.
    assert db.session.get(type(draft), draft.id).status == "draft"
    with client.session_transaction() as session:
        session.clear()
    assert client.get(f"/gatherings/{draft.slug}").status_code == 404


def test_an_admin_sees_the_preview_and_english_too(client, draft):
    login_as(client, make_organiser("beheer@voorbeeld.nl", admin=True))
    page = client.get(f"/gatherings/{draft.slug}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Preview: this gathering has not been published yet." in page


def test_a_published_gathering_has_no_preview_notice(client, draft):
    login_as(client, make_organiser("org@voorbeeld.nl", gatherings=[draft]))
    published = make_gathering(title="Al open")
    page = client.get(f"/gatherings/{published.slug}").get_data(as_text=True)
    assert NOTICE not in page and "<fieldset disabled>" not in page
