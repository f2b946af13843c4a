"""The programme as others read it: the timetable with seats per workshop (JSON API), its outline
(public calendars) and one registration's own programme (mail, invitations, the personal feed).

Reads only, never under a lock: what it counts may be a moment old, as any page is. The rules
(who gets a seat, who waits) are in the programme's services.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..registration.models import Registration, RegistrationStatus
from .models import ChoiceStatus, PartKind, ProgrammePart, WorkshopChoice


@dataclass
class WorkshopSeats:
    """A workshop's seats in people (a companion sits beside the participant)."""

    capacity: int
    confirmed: int = 0
    waitlisted: int = 0

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)


def programmes_for(gathering_ids: list[int]) -> dict[int, list[ProgrammePart]]:
    """Each gathering's parts in time order, with their workshops: two queries for any number of gatherings."""
    found: dict[int, list[ProgrammePart]] = {gid: [] for gid in gathering_ids}
    if not gathering_ids:
        return found
    parts = db.session.scalars(
        sa.select(ProgrammePart).where(ProgrammePart.gathering_id.in_(gathering_ids))
        .options(selectinload(ProgrammePart.workshops))
        .order_by(ProgrammePart.gathering_id, ProgrammePart.starts_at, ProgrammePart.id))
    for part in parts:
        found[part.gathering_id].append(part)
    return found


def seats_by_workshop(workshop_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(confirmed, waitlisted) people per workshop, in one query. Seated choices count as confirmed,
    waiting ones as waitlisted; a choice still pending (its registration waits for the day) holds nothing."""
    counts = {wid: (0, 0) for wid in workshop_ids}
    if not workshop_ids:
        return counts
    rows = db.session.execute(
        sa.select(WorkshopChoice.workshop_id, WorkshopChoice.status, sa.func.sum(Registration.people))
        .join(Registration, Registration.id == WorkshopChoice.registration_id)
        .where(WorkshopChoice.workshop_id.in_(workshop_ids),
               WorkshopChoice.status.in_((ChoiceStatus.SEATED, ChoiceStatus.WAITING)),
               Registration.status != RegistrationStatus.CANCELLED)
        .group_by(WorkshopChoice.workshop_id, WorkshopChoice.status))
    for workshop_id, status, people in rows:
        confirmed, waitlisted = counts[workshop_id]
        if status == ChoiceStatus.SEATED:
            confirmed += int(people or 0)
        else:
            waitlisted += int(people or 0)
        counts[workshop_id] = (confirmed, waitlisted)
    return counts


def workshop_seats(parts: list[ProgrammePart], counts: dict[int, tuple[int, int]]) -> dict[int, WorkshopSeats]:
    return {w.id: WorkshopSeats(w.capacity, *counts.get(w.id, (0, 0))) for p in parts for w in p.workshops}


# -- one registration's own programme -------------------------------------------------------------

@dataclass(frozen=True)
class OwnPart:
    """One line of a person's programme: a plenary part, or a round with what they hold in it.

    ``status``: for a round, the choice's ChoiceStatus (None: no choice recorded);
    ``position``: their place in the workshop's line while they wait for it (1 = next).
    """

    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    workshop: str | None = None
    room: str | None = None
    status: str | None = None
    position: int | None = None

    @property
    def is_round(self) -> bool:
        return self.kind == PartKind.ROUND


def own_programme(registration: Registration) -> list[OwnPart]:
    """The registration's programme in time order: every plenary part, and per round the workshop
    chosen with whether they sit in it, wait for it (and where in its line), or wait for the day."""
    parts = programmes_for([registration.gathering_id])[registration.gathering_id]
    if not parts:
        return []
    choices = {c.part_id: c for c in db.session.scalars(
        sa.select(WorkshopChoice).where(WorkshopChoice.registration_id == registration.id))}
    lines = []
    for part in parts:
        if not part.is_round:
            lines.append(OwnPart(part.kind, part.title, part.starts_at, part.ends_at))
            continue
        choice = choices.get(part.id)
        workshop = next((w for w in part.workshops if choice and w.id == choice.workshop_id), None)
        lines.append(OwnPart(
            part.kind, part.title, part.starts_at, part.ends_at,
            workshop=workshop.title if workshop else None, room=workshop.room if workshop else None,
            status=choice.status if choice else None,
            position=_place_in_line(choice) if choice and choice.status == ChoiceStatus.WAITING else None))
    return lines


def _place_in_line(choice: WorkshopChoice) -> int:
    """1 for the first who waits for the workshop: first come, first served (waiting_since, then id)."""
    ahead = db.session.scalar(
        sa.select(sa.func.count()).select_from(WorkshopChoice)
        .join(Registration, Registration.id == WorkshopChoice.registration_id)
        .where(WorkshopChoice.workshop_id == choice.workshop_id, WorkshopChoice.status == ChoiceStatus.WAITING,
               Registration.status != RegistrationStatus.CANCELLED,
               sa.or_(WorkshopChoice.waiting_since < choice.waiting_since,
                      sa.and_(WorkshopChoice.waiting_since == choice.waiting_since,
                              WorkshopChoice.id < choice.id))))
    return (ahead or 0) + 1

