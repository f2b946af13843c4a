"""Fixtures of the organisers' programme pages: a national day (10:00-17:00 Amsterdam) and its organiser logged in."""
from datetime import datetime

import pytest

from gatherings.timeutil import AMSTERDAM
from tests.factories import login_as, make_gathering, make_organiser

DAY = datetime(2030, 3, 12, tzinfo=AMSTERDAM).date()


def at(hour: int, minute: int = 0, day=DAY):
    """An aware time on the day, Amsterdam wall clock."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


def typed(hour: int, minute: int = 0, day=DAY) -> str:
    """What an organiser types: 12-03-2030 13:30."""
    return f"{day:%d-%m-%Y} {hour:02d}:{minute:02d}"


@pytest.fixture
def day(app):
    return make_gathering(title="Landelijke dag", kind="national", capacity=100, starts_at=at(10),
                          ends_at=at(17))


@pytest.fixture
def organiser(app, day):
    return make_organiser("org@voorbeeld.nl", gatherings=[day])


@pytest.fixture
def org_client(client, organiser):
    login_as(client, organiser)
    return client
