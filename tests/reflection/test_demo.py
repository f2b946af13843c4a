"""``flask demo`` loads a gathering that ended yesterday: reflections due, certificates, reports."""
import sqlalchemy as sa

from gatherings.catalogue.models import Gathering
from gatherings.demo import ENDED_SLUG
from gatherings.extensions import db
from gatherings.registration.models import Registration
from gatherings.timeutil import local, utcnow

from .conftest import invitation_rows


def test_demo_twice_gives_one_ended_gathering_with_due_reflections(app, runner, client):
    assert runner.invoke(args=["demo"]).exit_code == 0
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "0 gatherings added" in second.output
    [ended] = db.session.scalars(sa.select(Gathering).where(Gathering.slug == ENDED_SLUG)).all()
    assert (local(utcnow()).date() - local(ended.ends_at).date()).days == 1
    people = db.session.scalars(sa.select(Registration).where(Registration.gathering_id == ended.id)).all()
    assert len(people) == 7 and sum(p.checked_in_at is None for p in people) == 1

    assert runner.invoke(args=["mail", "remind"]).exit_code == 0
    assert len(invitation_rows()) == 6
    present = next(p for p in people if p.checked_in_at)
    assert client.get(f"/r/{present.token}/certificate.pdf").status_code == 200
