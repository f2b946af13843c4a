"""Reading the programme: seats per workshop, the timetable for the page, and a registration's own programme.

Nothing here writes or needs the lock: what counts for a seat is read again under
the lock by services.py (which re-exports these names).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from ..catalogue.models import Gathering
from ..extensions import db
from ..registration.models import Registration, RegistrationStatus
from .models import ChoiceStatus, PartKind, ProgrammePart, Workshop, WorkshopChoice


@dataclass(frozen=True)
class WorkshopSeats:
    """One workshop's seats, in people (a companion counts). ``pending``: chosen by people who wait for the day."""

    capacity: int
    seated: int = 0
    waiting: int = 0
    pending: int = 0

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seated, 0)

    @property
    def full(self) -> bool:
        return self.seats_left <= 0


@cache
def _seats_statement() -> sa.Select:
    # Built once: it runs under the lock for every registration that chooses workshops. The counts are
    # the workshop's own columns, kept by the database (seat_counters.py): no sum over its choices.
    return (
        sa.select(Workshop.id, Workshop.capacity, Workshop.seated_people, Workshop.waiting_people,
                  Workshop.pending_people)
        .join(ProgrammePart, ProgrammePart.id == Workshop.part_id)
        .where(ProgrammePart.gathering_id.in_(sa.bindparam("ids", expanding=True)))
    )


def seats_for(gathering_ids: list[int]) -> dict[int, WorkshopSeats]:
    """{workshop id: WorkshopSeats} for every workshop of these gatherings, in one query."""
    if not gathering_ids:
        return {}
    rows = db.session.execute(_seats_statement(), {"ids": list(gathering_ids)})
    return {wid: WorkshopSeats(capacity, seated, waiting, pending) for wid, capacity, seated, waiting, pending in rows}


def seats(gathering: Gathering) -> dict[int, WorkshopSeats]:
    """{workshop id: WorkshopSeats} for every workshop of the gathering, in one query."""
    return seats_for([gathering.id])


def rounds_of(gathering: Gathering) -> list[ProgrammePart]:
    """The gathering's rounds in time order, workshops loaded (for building the form's fields)."""
    return [part for part in _parts(gathering) if part.kind == PartKind.ROUND]


def _parts(gathering: Gathering) -> list[ProgrammePart]:
    return list(db.session.scalars(
        sa.select(ProgrammePart).where(ProgrammePart.gathering_id == gathering.id)
        .order_by(ProgrammePart.starts_at, ProgrammePart.id)
        .options(joinedload(ProgrammePart.workshops))  # one statement: it runs for every page view
    ).unique())


@dataclass(frozen=True)
class TimetableWorkshop:
    id: int
    title: str
    description: str
    leader: str
    room: str
    capacity: int
    # Only what the page shows: a line that grows behind a full workshop changes nothing here. None in a
    # programme the gathering page is kept from (page_seats.blank): its seats are put in per request.
    seats_left: int | None


@dataclass(frozen=True)
class TimetablePart:
    id: int
    kind: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    optional: bool
    workshops: tuple[TimetableWorkshop, ...] = ()

    @property
    def is_round(self) -> bool:
        return self.kind == PartKind.ROUND


def timetable(gathering: Gathering) -> tuple[TimetablePart, ...]:
    """The programme as plain values (the gathering page is cached on them): parts, workshops, seats left.

    Empty when the gathering has no programme (and then only one query was spent).
    """
    parts = _parts(gathering)
    if not parts:
        return ()
    counts = seats(gathering) if any(p.workshops for p in parts) else {}
    return _timetable(parts, lambda w: counts[w.id].seats_left if w.id in counts else w.capacity)


def timetable_of(parts: list[ProgrammePart]) -> tuple[TimetablePart, ...]:
    """``timetable`` from parts with their workshops as read fresh (the own page's form of workshops: rows.py)."""
    return _timetable(parts, lambda w: WorkshopSeats(w.capacity, w.seated_people).seats_left)


def _timetable(parts: list[ProgrammePart], seats_left) -> tuple[TimetablePart, ...]:
    return tuple(
        TimetablePart(
            id=p.id, kind=p.kind, title=p.title, description=p.description or "", starts_at=p.starts_at,
            ends_at=p.ends_at, optional=bool(p.optional),
            workshops=tuple(
                TimetableWorkshop(
                    id=w.id, title=w.title, description=w.description or "", leader=w.leader or "",
                    room=w.room or "", capacity=w.capacity, seats_left=seats_left(w))
                for w in p.workshops))
        for p in parts)


def waiting_position(choice: WorkshopChoice) -> int | None:
    """1 for the first in the workshop's waiting line; None when the choice does not wait."""
    if choice.status != ChoiceStatus.WAITING or choice.workshop_id is None:
        return None
    return db.session.scalar(sa.select(_ahead_in_line(
        choice.workshop_id, choice.waiting_since, choice.id))) + 1


def _ahead_in_line(workshop_id, waiting_since, choice_id) -> sa.ScalarSelect:
    """How many confirmed registrations wait for the workshop before this choice (first come, first served)."""
    ahead = aliased(WorkshopChoice)
    return (
        sa.select(sa.func.count()).select_from(ahead)
        .join(Registration, Registration.id == ahead.registration_id)
        .where(ahead.workshop_id == workshop_id, ahead.status == ChoiceStatus.WAITING,
               Registration.status == RegistrationStatus.CONFIRMED,
               sa.or_(ahead.waiting_since < waiting_since,
                      sa.and_(ahead.waiting_since == waiting_since, ahead.id < choice_id)))
        .scalar_subquery())


@cache
def _choices_statement() -> sa.Select:
    # A registration's choices with each one's place in its workshop's line, in one statement (the
    # result page's): the line is counted in the database for the choices that wait, not one query each.
    position = sa.case(
        (sa.and_(WorkshopChoice.status == ChoiceStatus.WAITING, WorkshopChoice.workshop_id.is_not(None)),
         _ahead_in_line(WorkshopChoice.workshop_id, WorkshopChoice.waiting_since, WorkshopChoice.id)
         .correlate(WorkshopChoice) + 1))
    return sa.select(WorkshopChoice, position).where(WorkshopChoice.registration_id == sa.bindparam("registration_id"))


@dataclass(frozen=True)
class OwnPart:
    """One part of a registration's own programme, as its pages, mails and calendars show it.

    ``workshop``: the workshop chosen in a round (None for a plenary part and for "geen
    werkplaats"); ``status``: the choice's ChoiceStatus (None for a plenary part, or a round
    chosen nothing in yet); ``position``: place in the workshop's waiting line when waiting;
    ``choice``: the WorkshopChoice they come from.
    """

    part: ProgrammePart
    workshop: Workshop | None = None
    status: str | None = None
    position: int | None = None
    choice: WorkshopChoice | None = None  # the row behind workshop and status (a round chosen in)

    @property
    def is_round(self) -> bool:
        return self.part.kind == PartKind.ROUND

    @property
    def starts_at(self) -> datetime:
        return self.part.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.part.ends_at

    @property
    def room(self) -> str:
        return self.workshop.room if self.workshop is not None else ""


def programme_of(registration: Registration, parts: list[ProgrammePart] | None = None) -> list[OwnPart]:
    """The registration's own programme: every part in time order, with its workshop and status per round.

    Empty when the gathering has no programme. Plenary parts are included (everyone goes). ``parts``: the
    gathering's parts with their workshops when the caller has them: then no statement for a gathering
    without a programme, and one for the choices with their places in line; otherwise one more for the
    parts. (The own page reads all of it with the registration: rows.py.)
    """
    parts = _parts(registration.gathering) if parts is None else parts
    if not parts:
        return []
    choices = {choice.part_id: (choice, position) for choice, position in db.session.execute(
        _choices_statement(), {"registration_id": registration.id})}
    workshops = {w.id: w for p in parts for w in p.workshops}
    own = []
    for part in parts:
        choice, position = choices.get(part.id, (None, None))
        if part.kind != PartKind.ROUND or choice is None:
            own.append(OwnPart(part))
            continue
        own.append(OwnPart(part, workshops.get(choice.workshop_id), choice.status, position, choice))
    return own
