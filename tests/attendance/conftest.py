"""Fixtures of the attendance pages: a gathering with its organiser logged in."""
import pytest

from tests.factories import login_as, make_gathering, make_organiser


@pytest.fixture
def gathering(app):
    return make_gathering(title="Kijkje in de keuken", capacity=3)


@pytest.fixture
def organiser(app, gathering):
    return make_organiser("org@voorbeeld.nl", gatherings=[gathering])


@pytest.fixture
def admin(app):
    return make_organiser("beheer@voorbeeld.nl", admin=True)


@pytest.fixture
def org_client(client, organiser):
    login_as(client, organiser)
    return client
