"""Who came: per gathering confirmed, checked in, attendance rate and no-shows; per theme and kind over a period.

Counts of people, not of perspectives: nothing here says anything about a
person's health, so nothing is hidden. Only published gatherings that have
ended count (before the end, "not checked in" is not yet a no-show).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..catalogue.labels import KIND_LABELS
from ..catalogue.models import Gathering, GatheringKind, Theme
from ..extensions import db
from ..registration.models import Registration
from ..timeutil import utcnow
from .period import period_bounds


@dataclass
class Turnout:
    confirmed: int
    checked_in: int

    @property
    def no_shows(self) -> int:
        return max(self.confirmed - self.checked_in, 0)

    @property
    def rate(self) -> int | None:
        """Checked in as a whole percentage of confirmed; None without confirmed registrations."""
        return round(100 * self.checked_in / self.confirmed) if self.confirmed else None


@dataclass
class GatheringTurnout(Turnout):
    gathering: Gathering


@dataclass
class GroupTurnout(Turnout):
    code: str
    label: object
    gatherings: int


@dataclass
class TurnoutReport:
    start: date
    end: date
    gatherings: list[GatheringTurnout]
    by_theme: list[GroupTurnout]
    by_kind: list[GroupTurnout]
    total: Turnout


def turnout_report(start: date, end: date, gathering_filter=None, now: datetime | None = None) -> TurnoutReport:
    """Gatherings that started in [start, end] (Amsterdam days) and have ended; ``gathering_filter``: whose."""
    now = now or utcnow()
    lower, upper = period_bounds(start, end)
    counts = (
        sa.select(
            Registration.gathering_id.label("gathering_id"),
            # People: a companion has a seat and comes in (or not) like the participant.
            sa.func.sum(Registration.people).label("confirmed"),
            (sa.func.count(Registration.checked_in_at)
             + sa.func.sum(sa.case((sa.and_(Registration.companion, Registration.companion_checked_in_at.is_not(None)),
                                    1), else_=0))).label("checked_in"),
        )
        .where(Registration.status == "confirmed")
        .group_by(Registration.gathering_id)
        .subquery()
    )
    query = (
        sa.select(Gathering, counts.c.confirmed, counts.c.checked_in)
        .outerjoin(counts, counts.c.gathering_id == Gathering.id)
        .where(Gathering.status == "published", Gathering.starts_at >= lower, Gathering.starts_at < upper,
               Gathering.ends_at <= now)
        .order_by(Gathering.starts_at, Gathering.id)
    )
    if gathering_filter is not None:
        query = query.where(gathering_filter)
    rows = [GatheringTurnout(int(c or 0), int(i or 0), g) for g, c, i in db.session.execute(query)]

    themes = db.session.execute(sa.select(Theme.id, Theme.name).order_by(Theme.name)).all()

    def group(code, label, keep) -> GroupTurnout:
        mine = [r for r in rows if keep(r.gathering)]
        return GroupTurnout(sum(r.confirmed for r in mine), sum(r.checked_in for r in mine), code, label, len(mine))

    by_theme = [group(str(t.id), t.name, lambda g, t=t: g.theme_id == t.id) for t in themes]
    by_theme.append(group("none", _l("Geen thema"), lambda g: g.theme_id is None))
    by_kind = [group(kind, KIND_LABELS[kind], lambda g, kind=kind: g.kind == kind) for kind in GatheringKind]
    total = Turnout(sum(r.confirmed for r in rows), sum(r.checked_in for r in rows))
    return TurnoutReport(start, end, rows, by_theme, by_kind, total)
