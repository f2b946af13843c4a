"""The programmes of many gatherings at once, for the JSON API's list: parts with their workshops, and
seats per workshop (``queries.seats_for``).

Reads only, never under a lock: what it counts may be a moment old, as any page is.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import ProgrammePart
from .queries import seats_for  # noqa: F401  (the API reads both from here)


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
