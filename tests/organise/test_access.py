"""The access matrix: anonymous, organiser of A, organiser of B and admin against every organiser address."""
import re

import pytest

from tests.factories import login_as

from .matrix import ADDRESSES, PUBLIC

ROLES = ("anonymous", "organiser_a", "organiser_b", "admin")
DENIED = (401, 403, 404)


def _url(rule: str, world: dict) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(world[m.group(1)]), rule)


def _expected(address, role: str) -> str:
    if role == "anonymous":
        return "login"
    if address.scope == "admin":
        return "allowed" if role == "admin" else "forbidden"
    if address.scope == "gathering" and role == "organiser_b":
        return "forbidden"
    return "allowed"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("address", ADDRESSES, ids=str)
def test_access_matrix(client, world, address, role):
    if role != "anonymous":
        login_as(client, world[role])
    url = _url(address.rule, world)
    response = client.open(url, method=address.method, data=address.data)
    expected = _expected(address, role)
    location = response.headers.get("Location", "")
    if expected == "login":
        assert response.status_code == 302 and "/organise/login" in location, (url, response.status_code)
    elif expected == "forbidden":
        assert response.status_code == 403, (url, response.status_code)
        assert "Geen toegang" in response.get_data(as_text=True)
    else:
        assert response.status_code not in DENIED, (url, response.status_code)
        assert response.status_code < 500
        if address.ends_session:
            assert response.status_code == 303 and location == "/organise/login", url
        else:
            assert "/organise/login" not in location, url


def test_matrix_lists_every_organiser_address(app):
    in_app = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/organise"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                in_app.add((method, rule.rule))
    listed = {(a.method, a.rule) for a in ADDRESSES} | PUBLIC
    assert in_app - listed == set(), "add these addresses to tests/organise/matrix.py"
    assert listed - in_app == set(), "the matrix lists addresses the app does not have"


@pytest.mark.parametrize("path", ["/organise/login", "/organise/password/reset", "/organise/password/reset/sent"])
def test_public_organiser_pages_open_without_logging_in(client, path):
    response = client.get(path)
    assert response.status_code == 200 and "Location" not in response.headers


def test_unknown_gathering_is_404_for_its_would_be_organiser(client, world):
    login_as(client, world["organiser_a"])
    assert client.get("/organise/gatherings/bestaat-niet").status_code == 404


def test_deactivated_organiser_is_sent_to_login(client, world):
    from gatherings.extensions import db
    organiser = world["organiser_a"]
    login_as(client, organiser)
    organiser.active = False
    db.session.commit()
    response = client.get(f"/organise/gatherings/{world['slug']}")
    assert response.status_code == 302 and "/organise/login" in response.headers["Location"]


def test_organiser_list_shows_only_own_gatherings_admin_sees_all(client, world):
    login_as(client, world["organiser_a"])
    page = client.get("/organise/").get_data(as_text=True)
    assert "Bijeenkomst van A" in page and "Bijeenkomst van B" not in page
    login_as(client, world["admin"])
    page = client.get("/organise/").get_data(as_text=True)
    assert "Bijeenkomst van A" in page and "Bijeenkomst van B" in page


def test_list_puts_upcoming_first_soonest_first_then_past(client, world):
    from datetime import timedelta

    from gatherings.timeutil import utcnow
    from tests.factories import make_gathering

    admin = world["admin"]
    now = utcnow().replace(microsecond=0)
    make_gathering(title="Volgend jaar", starts_at=now + timedelta(days=300))
    make_gathering(title="Vorige maand", starts_at=now - timedelta(days=30))
    login_as(client, admin)
    page = client.get("/organise/").get_data(as_text=True)
    order = [page.index(t) for t in ("Bijeenkomst van A", "Volgend jaar", "Voorbije bijeenkomsten", "Vorige maand")]
    assert order == sorted(order)
