"""The programmes of many gatherings at once, for the JSON API's list: parts with their workshops, and
seats per workshop counted as ``queries.seats`` counts them for one gathering.

Reads only, never under a lock: what it counts may be a moment old, as any page is.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..registration.models import Registration
from .models import ChoiceStatus, ProgrammePart, Workshop, WorkshopChoice
from .queries import WorkshopSeats, _people_with


def programmes_for(gathering_ids: list[int]) -> dict[int, list[ProgrammePart]]:
    """Each gathering's parts in time order, with their workshops: two queries for any number of gatherings
    (one when none has a programme)."""
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


def seats_for(gathering_ids: list[int]) -> dict[int, WorkshopSeats]:
    """{workshop id: WorkshopSeats} for every workshop of these gatherings, in one query."""
    if not gathering_ids:
        return {}
    rows = db.session.execute(
        sa.select(Workshop.id, Workshop.capacity, _people_with(ChoiceStatus.SEATED),
                  _people_with(ChoiceStatus.WAITING), _people_with(ChoiceStatus.PENDING))
        .join(ProgrammePart, ProgrammePart.id == Workshop.part_id)
        .outerjoin(WorkshopChoice, WorkshopChoice.workshop_id == Workshop.id)
        .outerjoin(Registration, Registration.id == WorkshopChoice.registration_id)
        .where(ProgrammePart.gathering_id.in_(gathering_ids))
        .group_by(Workshop.id, Workshop.capacity))
    return {wid: WorkshopSeats(capacity, int(seated), int(waiting), int(pending))
            for wid, capacity, seated, waiting, pending in rows}
