"""Small factories: a gathering or registration with sensible defaults."""
import itertools
from datetime import timedelta

from gatherings.catalogue.models import Gathering, Theme
from gatherings.catalogue.services import lock_gathering
from gatherings.database import unit_of_work
from gatherings.extensions import db
from gatherings.registration import services
from gatherings.timeutil import utcnow

_seq = itertools.count(1)


def make_theme(slug="inclusie", name="Sociale inclusie"):
    theme = Theme(slug=slug, name=name)
    db.session.add(theme)
    db.session.commit()
    return theme


def make_gathering(**fields) -> Gathering:
    n = next(_seq)
    start = fields.pop("starts_at", utcnow().replace(microsecond=0) + timedelta(days=10))
    data = dict(
        slug=f"bijeenkomst-{n}", kind="theme", title=f"Bijeenkomst {n}", description="Samen praten.",
        starts_at=start, ends_at=start + timedelta(hours=3), venue_name="Buurthuis", venue_address="Straat 1",
        venue_city="Utrecht", capacity=10, status="published",
    )
    if fields.get("kind") == "mixed":
        data.update(allot_lived=2, allot_relatives=2, allot_professionals=2, capacity=6)
    data.update(fields)
    gathering = Gathering(**data)
    db.session.add(gathering)
    db.session.commit()
    return gathering


def make_registration(gathering, email=None, perspective=None, name=None, language="nl", **kwargs):
    """``language``: of the page the form was on (every mail to them is in it)."""
    n = next(_seq)
    if perspective is None and gathering.kind == "mixed":
        perspective = "client"
    db.session.commit()  # what the test set up so far (a unit of work refuses to begin over unsaved changes)
    with unit_of_work():
        result = services.register(lock_gathering(gathering.id), services.Applicant(
            name=name or f"Deelnemer {n}", email=email or f"deelnemer{n}@voorbeeld.nl", perspective=perspective,
            consent_version="test", language=language), **kwargs)
    return result.registration


def locked_call(service, gathering, *args, **kwargs):
    """Call a service as a view does: in a unit of work of its own, on the gathering write-locked once."""
    gathering_id = gathering if isinstance(gathering, int) else gathering.id
    db.session.commit()  # what the test set up so far (a unit of work refuses to begin over unsaved changes)
    with unit_of_work():
        return service(lock_gathering(gathering_id), *args, **kwargs)


_password_hashes: dict[str, str] = {}


def make_organiser(email=None, *, admin=False, password="een goed wachtwoord", gatherings=(), active=True):
    """An organiser (or admin) who organises ``gatherings``."""
    from werkzeug.security import generate_password_hash

    from gatherings.organise.models import Organiser, new_session_token

    n = next(_seq)
    organiser = Organiser(email=(email or f"organisator{n}@voorbeeld.nl").lower(), name=f"Organisator {n}",
                          role="admin" if admin else "organiser", active=active)
    # scrypt is slow on purpose; hash each test password once per run.
    if password not in _password_hashes:
        _password_hashes[password] = generate_password_hash(password, method="scrypt")
    organiser.password_hash = _password_hashes[password]
    organiser.session_token = new_session_token()
    organiser.gatherings.extend(gatherings)
    db.session.add(organiser)
    db.session.commit()
    return organiser


def login_as(client, organiser):
    """Log ``client`` in as ``organiser`` without the (slow, rate-limited) login form."""
    from gatherings.extensions import db
    from gatherings.organise import login_sessions

    secret = login_sessions.start(organiser)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = secret
        session["_fresh"] = True
    # The tests run inside one app context, so Flask-Login's per-request cache on `g` outlives requests.
    from flask import g
    g.pop("_login_user", None)
