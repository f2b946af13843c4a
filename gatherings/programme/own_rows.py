"""A registration's own programme read in the one statement of its own page (``registration/own_page.py``).

Everyone of the opening rush opens their result page (``/r/<token>?new=1``) right after registering.
Its programme was read as ORM objects (the gathering's parts and workshops, joined to the registration)
and the registration's choices with their places in line in a second statement: together more CPU
than the rest of the page. Here the parts, their workshops and the registration's choice in each round,
with its place in the workshop's waiting line, come as plain values in the rows of the page's statement
(``add_to``): one row per workshop, one for a part without workshops, a single row of nulls for a
gathering without a programme. ``own`` makes ``queries.programme_of``'s list of ``OwnPart`` of them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .models import ChoiceStatus, PartKind, ProgrammePart, Workshop, WorkshopChoice
from .queries import OwnPart, _ahead_in_line


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


def add_to(statement: sa.Select, registration) -> sa.Select:
    """``statement``, which selects the ``registration`` entity (maybe aliased) first, with the programme's columns.

    Outer joins: the programme's parts in time order (as ``Gathering.programme``), their workshops (as
    ``ProgrammePart.workshops``), and the registration's choice in each part, whose place in its
    workshop's line is counted on the row of that workshop only (first come, first served:
    ``queries._ahead_in_line``).
    """
    choice = WorkshopChoice
    position = sa.case(
        (sa.and_(choice.status == ChoiceStatus.WAITING, choice.workshop_id == Workshop.id),
         _ahead_in_line(choice.workshop_id, choice.waiting_since, choice.id).correlate(choice) + 1))
    return (
        statement.add_columns(*_PART, *_WORKSHOP, choice.workshop_id, choice.status, position)
        .outerjoin(ProgrammePart, ProgrammePart.gathering_id == registration.gathering_id)
        .outerjoin(Workshop, Workshop.part_id == ProgrammePart.id)
        .outerjoin(choice, sa.and_(choice.registration_id == registration.id, choice.part_id == ProgrammePart.id))
        .order_by(ProgrammePart.starts_at, ProgrammePart.id, Workshop.id))


def own(rows: Sequence[Sequence]) -> list[OwnPart]:
    """The own programme (``queries.programme_of``) from the programme's columns of the statement's rows (what
    ``add_to`` added, in its order, each row without the columns before them); empty without a programme."""
    parts: dict[int, tuple[tuple, list[WorkshopRow], ChoiceRow | None]] = {}
    positions: dict[int, int] = {}
    n_part, n_workshop = len(_PART), len(_WORKSHOP)
    for row in rows:
        part, workshop = row[:n_part], row[n_part:n_part + n_workshop]
        chosen, status, position = row[n_part + n_workshop:]
        if part[0] is None:
            continue  # no programme: the one row of nulls
        if part[0] not in parts:
            parts[part[0]] = (part, [], ChoiceRow(part[0], chosen, status) if status is not None else None)
        if workshop[0] is not None:
            parts[part[0]][1].append(WorkshopRow(*workshop))
        if position is not None:
            positions[part[0]] = position
    read = [(PartRow(*part, workshops=tuple(workshops)), choice) for part, workshops, choice in parts.values()]
    workshops = {w.id: w for part, _ in read for w in part.workshops}
    return [
        OwnPart(part) if part.kind != PartKind.ROUND or choice is None
        else OwnPart(part, workshops.get(choice.workshop_id), choice.status, positions.get(part.id), choice)
        for part, choice in read]
