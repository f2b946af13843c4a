"""Fixtures of the organiser area: two organisers with a gathering each, and an admin."""
import pytest

from gatherings.catalogue.models import HostOrganisation
from gatherings.extensions import db
from gatherings.organise.password_links import LinkPurpose, make_token
from gatherings.timeutil import utcnow
from gatherings.programme import services as programme_services
from tests.factories import locked_call, make_gathering, make_organiser, make_registration, make_theme
from tests.programme.factories import make_programme


@pytest.fixture
def world(app):
    """Gathering A (organiser A's), gathering B (organiser B's), an admin; values for the matrix's rules."""
    gathering_a = make_gathering(title="Bijeenkomst van A")
    gathering_b = make_gathering(title="Bijeenkomst van B")
    organiser_a = make_organiser("a@voorbeeld.nl", gatherings=[gathering_a])
    organiser_b = make_organiser("b@voorbeeld.nl", gatherings=[gathering_b])
    admin = make_organiser("beheer@voorbeeld.nl", admin=True)
    theme = make_theme()
    host = HostOrganisation(slug="de-hoven", name="GGZ De Hoven", city="Utrecht")
    db.session.add(host)
    db.session.commit()
    # Gathering A has a round of workshops, and its registration sits in the first (the programme's addresses).
    (part,) = make_programme(gathering_a, [5, 5])
    registration = make_registration(gathering_a)
    locked_call(programme_services.choose, gathering_a, registration, {part.id: part.workshops[0].id})
    return {
        "gathering_a": gathering_a,
        "gathering_b": gathering_b,
        "organiser_a": organiser_a,
        "organiser_b": organiser_b,
        "admin": admin,
        # values for <name> in the matrix's rules
        "slug": gathering_a.slug,
        "organiser_id": organiser_a.id,
        "theme_id": theme.id,
        "host_id": host.id,
        "registration_id": registration.id,
        "part_id": part.id,
        "workshop_id": part.workshops[0].id,
        "token": make_token(organiser_a, LinkPurpose.RESET, utcnow()),
    }
