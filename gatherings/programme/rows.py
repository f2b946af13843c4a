"""The programme read as plain values in the one statement of the page that shows it.

Everyone of the opening rush opens the gathering page and, right after registering, their result page
(``/r/<token>?new=1``). Both read the programme's parts and workshops (with their seat counters) in the
statement that reads the gathering or the registration; as ORM objects (joined eager loads) that cost
more CPU than the rest of the page's reading, and the result page read the registration's choices in a
second statement. Here they come as plain values in the rows of that statement: one row per workshop,
one for a part without workshops, a single row of nulls for a gathering without a programme.

- ``add_timetable`` (``catalogue.services.find_visible_with``), then ``timetable``: the gathering page's
  ``queries.timetable``.
- ``add_own`` (``registration/own_page.py``), with the registration's choice in each round and its place in
  the workshop's line, then ``own``: ``queries.programme_of``'s list of ``OwnPart``; ``add_own_chosen``
  the same with only the chosen workshops, for the result page right after registering.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .models import ChoiceStatus, PartKind, ProgrammePart, Workshop, WorkshopChoice
from .queries import OwnPart, TimetablePart, TimetableWorkshop, WorkshopSeats, _ahead_in_line


@dataclass(frozen=True)
class WorkshopRow:
    """What the own programme and its form of workshops read of a ``Workshop``."""

    id: int
    title: str
    description: str | None
    leader: str | None
    room: str | None
    capacity: int
    seated_people: int


@dataclass(frozen=True)
class PartRow:
    """What the own programme and its form of workshops (``queries.timetable_of``) read of a ``ProgrammePart``."""

    id: int
    kind: str
    title: str
    description: str | None
    starts_at: datetime
    ends_at: datetime
    optional: bool
    workshops: tuple[WorkshopRow, ...]


@dataclass(frozen=True)
class ChoiceRow:
    """What the page reads of a ``WorkshopChoice`` (``forms.current_values``)."""

    part_id: int
    workshop_id: int | None
    status: str


_PART = (ProgrammePart.id, ProgrammePart.kind, ProgrammePart.title, ProgrammePart.description,
         ProgrammePart.starts_at, ProgrammePart.ends_at, ProgrammePart.optional)
_WORKSHOP = (Workshop.id, Workshop.title, Workshop.description, Workshop.leader, Workshop.room, Workshop.capacity,
             Workshop.seated_people)


def _programme_of(statement: sa.Select, gathering_id, *columns) -> sa.Select:
    # The parts in time order (as ``Gathering.programme``), their workshops (as ``ProgrammePart.workshops``).
    return (statement.add_columns(*_PART, *_WORKSHOP, *columns)
            .outerjoin(ProgrammePart, ProgrammePart.gathering_id == gathering_id)
            .order_by(ProgrammePart.starts_at, ProgrammePart.id, Workshop.id))


def add_timetable(statement: sa.Select, gathering) -> sa.Select:
    """``statement``, which selects the ``gathering`` entity, with its programme's columns (outer joins)."""
    return _programme_of(statement, gathering.id).outerjoin(Workshop, Workshop.part_id == ProgrammePart.id)


def timetable(rows: Sequence[Sequence]) -> tuple[TimetablePart, ...]:
    """``queries.timetable`` from the columns ``add_timetable`` added (each row without the columns before them)."""
    return tuple(
        TimetablePart(
            id=part.id, kind=part.kind, title=part.title, description=part.description or "",
            starts_at=part.starts_at, ends_at=part.ends_at, optional=bool(part.optional),
            workshops=tuple(
                TimetableWorkshop(id=w.id, title=w.title, description=w.description or "", leader=w.leader or "",
                                  room=w.room or "", capacity=w.capacity,
                                  seats_left=WorkshopSeats(w.capacity, w.seated_people).seats_left)
                for w in part.workshops))
        for part, _choice in _parts(rows))


def add_own(statement: sa.Select, registration) -> sa.Select:
    """``statement``, which selects the ``registration`` entity, with the programme's columns and its choices'.

    The registration's choice in each part, whose place in its workshop's line is counted on the row of
    that workshop only (first come, first served: ``queries._ahead_in_line``).
    """
    return _own(statement, registration, every_workshop=True)


def add_own_chosen(statement: sa.Select, registration) -> sa.Select:
    """As ``add_own``, with only the workshop chosen in each round: each part's ``workshops`` holds that one alone.

    For the result page right after registering, which shows the choices and no form of workshops: a row
    per part instead of one per workshop (each row repeats the registration's and the gathering's columns).
    """
    return _own(statement, registration, every_workshop=False)


def _own(statement: sa.Select, registration, every_workshop: bool) -> sa.Select:
    choice = WorkshopChoice
    position = sa.case(
        (sa.and_(choice.status == ChoiceStatus.WAITING, choice.workshop_id == Workshop.id),
         _ahead_in_line(choice.workshop_id, choice.waiting_since, choice.id).correlate(choice) + 1))
    statement = (_programme_of(statement, registration.gathering_id, choice.workshop_id, choice.status, position)
                 .outerjoin(choice, sa.and_(choice.registration_id == registration.id,
                                            choice.part_id == ProgrammePart.id)))
    if every_workshop:
        return statement.outerjoin(Workshop, Workshop.part_id == ProgrammePart.id)
    return statement.outerjoin(Workshop, Workshop.id == choice.workshop_id)


def _parts(rows: Sequence[Sequence]) -> list[tuple[PartRow, ChoiceRow | None]]:
    """The parts with their workshops, and the registration's choice in each (``add_own``'s rows; else None)."""
    parts: dict[int, tuple[tuple, list[WorkshopRow], ChoiceRow | None]] = {}
    n_part, n_workshop = len(_PART), len(_WORKSHOP)
    for row in rows:
        part, workshop = row[:n_part], row[n_part:n_part + n_workshop]
        if part[0] is None:
            continue  # no programme: the one row of nulls
        if part[0] not in parts:
            status = row[n_part + n_workshop + 1] if len(row) > n_part + n_workshop else None
            chosen = ChoiceRow(part[0], row[n_part + n_workshop], status) if status is not None else None
            parts[part[0]] = (part, [], chosen)
        if workshop[0] is not None:
            parts[part[0]][1].append(WorkshopRow(*workshop))
    return [(PartRow(*part, workshops=tuple(workshops)), choice) for part, workshops, choice in parts.values()]


def own(rows: Sequence[Sequence]) -> list[OwnPart]:
    """``queries.programme_of`` from the columns ``add_own`` added (each row without the columns before them);
    empty without a programme."""
    positions = {row[0]: row[-1] for row in rows if row[-1] is not None}  # by part, on its workshop's row
    read = _parts(rows)
    workshops = {w.id: w for part, _ in read for w in part.workshops}
    return [
        OwnPart(part) if part.kind != PartKind.ROUND or choice is None
        else OwnPart(part, workshops.get(choice.workshop_id), choice.status, positions.get(part.id), choice)
        for part, choice in read]
