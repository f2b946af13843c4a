"""Sets of states (gatherings/states.py): each a StrEnum that writes its own CHECK constraint."""
import sqlalchemy as sa

from gatherings.catalogue.models import Gathering, GatheringKind, GatheringStatus
from gatherings.mail.models import OutboxStatus
from gatherings.registration.models import Registration, RegistrationStatus
from gatherings.registration.perspectives import ALLOTMENT_FIELDS, GROUP_OF, Perspective, PerspectiveGroup
from gatherings.registration.seats import Availability, Seats


def _check_sql(table, name: str) -> str:
    found = [c for c in table.constraints if isinstance(c, sa.CheckConstraint) and c.name.endswith(f"_{name}")]
    return str(found[0].sqltext)


def test_the_constraints_are_written_from_the_enums_with_the_sql_the_migrations_made():
    assert _check_sql(Registration.__table__, "status") == "status IN ('confirmed', 'waitlisted', 'cancelled')"
    assert _check_sql(Gathering.__table__, "kind") == "kind IN ('theme', 'national', 'mixed')"
    assert _check_sql(Gathering.__table__, "status") == "status IN ('draft', 'published', 'cancelled')"
    assert "'dropped'" in OutboxStatus.check("status").sqltext.text


def test_a_state_is_the_string_the_database_and_templates_use():
    assert RegistrationStatus.CONFIRMED == "confirmed" and f"{GatheringKind.MIXED}" == "mixed"
    assert {"confirmed": 1}[RegistrationStatus.CONFIRMED] == 1
    assert GatheringStatus.of("published") is GatheringStatus.PUBLISHED
    assert GatheringKind.of("<script>") is None and GatheringKind.of(None) is None


def test_every_perspective_has_a_group_and_every_group_an_allotment_column():
    assert set(GROUP_OF) == set(Perspective)
    assert set(GROUP_OF.values()) == set(PerspectiveGroup) == set(ALLOTMENT_FIELDS)
    assert all(name in Gathering.__table__.columns for name in ALLOTMENT_FIELDS.values())
    gathering = Gathering(kind="mixed", capacity=6, allot_lived=1, allot_relatives=2, allot_professionals=3)
    assert [gathering.allotment(group) for group in PerspectiveGroup] == [1, 2, 3]


def test_counting_seats_by_status_leaves_the_cancelled_out():
    seats = Availability(Seats(5), {PerspectiveGroup.LIVED: Seats(2)})
    seats.count("lived", "confirmed", 2)
    seats.count("lived", "waitlisted", 1)
    seats.count("relatives", "cancelled", 4)
    assert (seats.total.confirmed, seats.total.waitlisted) == (2, 1)
    assert seats.groups[PerspectiveGroup.LIVED].seats_left == 0 and seats.seats_left == 0
