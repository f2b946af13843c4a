"""Seat counts as pages, the API and the services use them: in people, for the gathering and per perspective group.

Read from the counters the database keeps (``seat_counters.py``, table ``seat_count``):
a few rows per gathering, however many people registered.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa

from ..catalogue.models import Gathering
from ..extensions import db
from .models import Registration, RegistrationStatus, SeatCount
from .perspectives import PerspectiveGroup


@dataclass
class Seats:
    """Counts in people (a participant with a companion counts two), as every page, list and the API show them."""

    capacity: int
    confirmed: int = 0
    waitlisted: int = 0
    # Registrations waiting (a pair is one): a place in line counts these, not people.
    in_line: int = 0

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)

    def add(self, status: str, people: int, registrations: int = 0) -> None:
        """Count ``people`` more of ``status``, in ``registrations`` registrations (a cancelled one takes no seat)."""
        if status == RegistrationStatus.CONFIRMED:
            self.confirmed += people
        elif status == RegistrationStatus.WAITLISTED:
            self.waitlisted += people
            self.in_line += registrations


@dataclass
class Availability:
    total: Seats
    groups: dict[PerspectiveGroup, Seats] = field(default_factory=dict)

    @property
    def seats_left(self) -> int:
        if self.groups:
            return min(self.total.seats_left, sum(g.seats_left for g in self.groups.values()))
        return self.total.seats_left

    @classmethod
    def empty(cls, gathering: Gathering) -> "Availability":
        groups = {grp: Seats(gathering.allotment(grp)) for grp in PerspectiveGroup} if gathering.is_mixed else {}
        return cls(Seats(gathering.capacity), groups)

    def count(self, group: str | None, status: str, people: int, registrations: int = 0) -> None:
        """Add ``people`` of ``status`` (in ``registrations`` registrations) in perspective group ``group``."""
        self.total.add(status, people, registrations)
        if group in self.groups:
            self.groups[group].add(status, people, registrations)

    def fits(self, group: str | None, people: int) -> bool:
        """``people`` seats are free together: in the whole gathering, and in ``group``'s allotment when mixed."""
        if self.total.seats_left < people:
            return False
        if self.groups:
            return group in self.groups and self.groups[group].seats_left >= people
        return True


# The opening rush runs these statements for every registration. Built once with parameters, so that
# SQLAlchemy neither rebuilds them nor recomputes their cache keys on each request.
@cache
def _counts_statement() -> sa.Select:
    # The counters the database keeps (seat_counters.py): a few rows per gathering, however many registered.
    return (sa.select(SeatCount.gathering_id, SeatCount.grp, SeatCount.confirmed, SeatCount.waitlisted,
                      SeatCount.in_line)
            .where(SeatCount.gathering_id.in_(sa.bindparam("ids", expanding=True))))


def _fill(avail: Availability, group: str, confirmed: int, waitlisted: int, in_line: int) -> None:
    seats = avail.total if not group else avail.groups.get(group)
    if seats is not None:  # a group's row counts only where the gathering allots seats per group
        seats.confirmed, seats.waitlisted, seats.in_line = confirmed, waitlisted, in_line


def availability_for(gatherings: list[Gathering]) -> dict[int, Availability]:
    """Seat counts for many gatherings in one query."""
    result = {g.id: Availability.empty(g) for g in gatherings}
    if not gatherings:
        return result
    for gathering_id, group, confirmed, waitlisted, in_line in db.session.execute(
            _counts_statement(), {"ids": [g.id for g in gatherings]}):
        _fill(result[gathering_id], group, confirmed, waitlisted, in_line)
    return result


def availability(gathering: Gathering) -> Availability:
    return availability_for([gathering])[gathering.id]


@cache
def _counts_and_known_statement() -> sa.Select:
    known = (sa.select(Registration.id).where(
        Registration.gathering_id == sa.bindparam("gathering_id"), Registration.email_key == sa.bindparam("key"),
        Registration.status != RegistrationStatus.CANCELLED).limit(1).scalar_subquery())
    return (sa.select(SeatCount.grp, SeatCount.confirmed, SeatCount.waitlisted, SeatCount.in_line, known)
            .where(SeatCount.gathering_id == sa.bindparam("gathering_id")))


def availability_and_known(gathering: Gathering, key: str | None) -> tuple[Availability, bool]:
    """The seat counts, and whether ``key`` already has an active registration: one query, not two.

    Runs under the gathering's lock for every registration of the opening rush: the counters and one
    look-up in the unique index of active addresses, whatever the number of registrations.
    """
    avail = Availability.empty(gathering)
    known = False
    rows = db.session.execute(_counts_and_known_statement(), {"gathering_id": gathering.id, "key": key or ""})
    for group, confirmed, waitlisted, in_line, existing in rows:
        known = known or existing is not None
        _fill(avail, group, confirmed, waitlisted, in_line)
    return avail, known
