"""A gathering that ended yesterday, with people checked in (and one who did not come)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration


def move(gathering, starts_at, hours=3):
    """Registration is closed once a gathering has started: register first, then let time pass."""
    gathering.starts_at = starts_at
    gathering.ends_at = starts_at + timedelta(hours=hours)
    db.session.commit()
    return gathering


def check_in(*registrations):
    for registration in registrations:
        registration.checked_in_at = registration.gathering.starts_at + timedelta(minutes=5)
    db.session.commit()


@pytest.fixture
def ended(app):
    return make_gathering(title="Kijkje in de keuken", kind="mixed", capacity=20, allot_lived=8,
                          allot_relatives=6, allot_professionals=6,
                          starts_at=utcnow().replace(microsecond=0) + timedelta(days=3))


@pytest.fixture
def people(ended):
    """Checked in: a client, a relative and a professional; registered but absent: one more client."""
    present = [make_registration(ended, email="client@voorbeeld.nl", perspective="client", name="Cliënt Een"),
               make_registration(ended, email="naaste@voorbeeld.nl", perspective="relative", name="Naaste Twee"),
               make_registration(ended, email="prof@voorbeeld.nl", perspective="professional", name="Prof Drie")]
    absent = make_registration(ended, email="weg@voorbeeld.nl", perspective="client", name="Niet Gekomen")
    move(ended, utcnow().replace(microsecond=0) - timedelta(days=1, hours=4))
    check_in(*present)
    return present, absent


def invitation_rows():
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "reflection")
                                   .order_by(OutboxMessage.id)))
