"""Per-address rate limits count valid addresses only (gatherings/limits.py), with the limits on."""
import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.limits import valid_address
from gatherings.registration.models import Registration
from tests.factories import make_gathering

GOOD = {"name": "Anna de Vries", "email": "anna@voorbeeld.nl", "perspective": "relative", "consent": "y"}


@pytest.mark.parametrize("value, expected", [
    ("Anna@Voorbeeld.nl", "anna@voorbeeld.nl"), (" an@voorbeeld.nl ", "an@voorbeeld.nl"),
    ("", None), (None, None), ("-", None), ("geen adres", None), ("a@b", None), ("x" * 250 + "@voorbeeld.nl", None),
])
def test_valid_address(value, expected):
    assert valid_address(value) == expected


@pytest.fixture
def limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        slug = make_gathering().slug
    return app, slug


def test_forgetting_the_address_is_never_too_many(limited):
    """The reported bug: after ten forms without an address, the next one got "Even rustig aan"."""
    app, slug = limited
    strangers = [app.test_client() for _ in range(12)]
    for client in strangers:
        response = client.post(f"/gatherings/{slug}/register", data={**GOOD, "email": ""})
        assert response.status_code == 422
        assert "Vul uw e-mailadres in." in response.text
        assert "Even rustig aan" not in response.text


def test_a_form_with_mistakes_gets_its_messages_even_past_the_limit(limited):
    app, slug = limited
    client = app.test_client()
    # Ten let through: the first registers, the others get the neutral page (this client posts without a
    # session secret, so it is not known as the browser that registered: tests/registration/test_double_click.py).
    assert [client.post(f"/gatherings/{slug}/register", data=GOOD).status_code for _ in range(10)] == [303] + [200] * 9
    assert client.post(f"/gatherings/{slug}/register", data=GOOD).status_code == 429  # the limit still holds
    wrong = client.post(f"/gatherings/{slug}/register", data={**GOOD, "name": ""})
    assert wrong.status_code == 422 and "Vul uw naam in." in wrong.text
    invalid = client.post(f"/gatherings/{slug}/register", data={**GOOD, "email": "anna@"})
    assert invalid.status_code == 422 and "geen geldig e-mailadres" in invalid.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_my_link_without_an_address_is_never_too_many(limited):
    app, _slug = limited
    app.config["MY_LINK_LIMIT_CLIENT"] = "1000 per hour"
    client = app.test_client()
    for value in ["", "", "", "", "", "", "-", "geen adres", ""]:
        response = client.post("/my", data={"email": value})
        assert response.status_code == 422, value
        assert "Even rustig aan" not in response.text
    codes = [client.post("/my", data={"email": "an@voorbeeld.nl"}).status_code for _ in range(6)]
    assert codes == [303] * 5 + [429]


def test_past_the_limit_says_when_to_come_back(limited):
    app, slug = limited
    client = app.test_client()
    for _ in range(10):
        client.post(f"/gatherings/{slug}/register", data={**GOOD, "email": "Zelfde@Voorbeeld.nl"})
    # The same address in other letters is the same address.
    response = client.post(f"/gatherings/{slug}/register", data={**GOOD, "email": "zelfde@voorbeeld.NL"})
    assert response.status_code == 429 and "Even rustig aan" in response.text
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    # Another address still gets through.
    assert client.post(f"/gatherings/{slug}/register", data={**GOOD, "email": "ander@voorbeeld.nl"}).status_code == 303


def test_with_the_limits_off_a_limited_route_does_no_limiter_work(make_app, monkeypatch):
    """RATELIMIT_ENABLED=false (load tests): the route's limit is not looked at, let alone counted."""
    from flask_limiter import Limiter as FlaskLimiter

    checks = []
    original = FlaskLimiter._check_request_limit
    monkeypatch.setattr(FlaskLimiter, "_check_request_limit",
                        lambda self, *a, **kw: checks.append(a or kw) or original(self, *a, **kw))
    app = make_app(RATELIMIT_ENABLED=False)
    with app.app_context():
        slug = make_gathering().slug
    client = app.test_client()
    for n in range(3):
        response = client.post(f"/gatherings/{slug}/register", data={**GOOD, "email": f"anna{n}@voorbeeld.nl"})
        assert response.status_code == 303
    assert checks == []

