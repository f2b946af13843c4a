from datetime import timedelta

import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.privacy import services
from gatherings.registration.models import Registration
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration


def test_purge_anonymises_only_after_retention(app, runner, client):
    old = make_gathering()
    recent = make_gathering()
    old_reg = make_registration(old, email="oud@voorbeeld.nl", perspective="client", name="Oud Persoon")
    recent_reg = make_registration(recent, email="nieuw@voorbeeld.nl", name="Nieuw Persoon")
    old_token = old_reg.token
    # Move the first gathering into the past, beyond the retention period.
    old.starts_at = utcnow() - timedelta(days=app.config["RETENTION_DAYS"] + 2)
    old.ends_at = old.starts_at + timedelta(hours=2)
    db.session.commit()

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 registrations anonymised" in result.output

    db.session.expire_all()
    gone = db.session.get(Registration, old_reg.id)
    assert (gone.name, gone.email, gone.organisation, gone.needs) == ("", None, "", "")
    assert gone.anonymised_at is not None
    assert gone.perspective == "client"  # kept for the aggregate composition, no longer linked to anyone
    assert client.get(f"/r/{old_token}").status_code == 404
    kept = db.session.get(Registration, recent_reg.id)
    assert kept.name == "Nieuw Persoon" and kept.email == "nieuw@voorbeeld.nl"

    # Running again changes nothing.
    assert runner.invoke(args=["privacy", "purge"]).output.startswith("privacy purge: 0 ")


def test_purge_asks_other_areas_to_forget(app):
    seen = []
    with services.purge_requested.connected_to(lambda sender, cutoff, now: seen.append(cutoff)):
        services.purge()
    assert len(seen) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
