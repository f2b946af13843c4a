"""The organiser's overview: upcoming gatherings, and aggregate reports for research.

Reports hold counts only. Counting perspectives over small groups can point at
a person ("the one client at the March session"), so every count by perspective
between 1 and ``REPORT_MIN_CELL - 1`` (default 5) is shown as "<5", and further
cells are hidden where a single hidden cell could be worked out from a total
(complementary suppression; zeros count as candidates). Counts by kind and by
theme say nothing about a person's health and are shown in full.

"Registrations" are registrations that were not cancelled (confirmed and waiting
list); "attendance" is people checked in. Both are counted in the month the
gathering started (Amsterdam time), for published gatherings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..catalogue.models import Gathering, GatheringKind, Theme
from ..extensions import db
from ..registration.models import Registration
from ..registration.perspectives import PERSPECTIVES
from ..timeutil import AMSTERDAM, local, utcnow
from .small_counts import min_cell, suppress  # noqa: F401  (suppress: part of what reports do)

NOT_SAID = "not_said"


@dataclass
class DashboardRow:
    gathering: Gathering
    confirmed: int  # people, companions included (as all seat counts)
    waitlisted: int
    checked_in: int
    # Participants who changed what they need in the week before the gathering, and the latest change.
    needs_changed: int = 0
    needs_changed_last: datetime | None = None

    @property
    def fill_percent(self) -> int | None:
        capacity = self.gathering.capacity
        return round(100 * self.confirmed / capacity) if capacity else None


def dashboard(gathering_filter=None, now: datetime | None = None, limit: int = 200) -> list[DashboardRow]:
    """Upcoming gatherings (not yet ended) with their counts, in one query.

    ``gathering_filter`` is an SQL condition on Gathering (for example the
    gatherings an organiser organises); None means all.
    """
    now = now or utcnow()
    counts = (
        sa.select(
            Registration.gathering_id.label("gathering_id"),
            sa.func.sum(sa.case((Registration.status == "confirmed", Registration.people), else_=0)).label("confirmed"),
            sa.func.sum(sa.case((Registration.status == "waitlisted", Registration.people), else_=0)).label("waitlisted"),
            sa.func.sum(sa.case((sa.and_(Registration.status == "confirmed",
                                          Registration.checked_in_at.is_not(None)), 1), else_=0)
                        + sa.case((sa.and_(Registration.status == "confirmed", Registration.companion,
                                           Registration.companion_checked_in_at.is_not(None)), 1), else_=0)
                        ).label("checked_in"),
        )
        .where(Registration.status != "cancelled")
        .group_by(Registration.gathering_id)
        .subquery()
    )
    query = (
        sa.select(Gathering, counts.c.confirmed, counts.c.waitlisted, counts.c.checked_in)
        .outerjoin(counts, counts.c.gathering_id == Gathering.id)
        .where(Gathering.ends_at > now)
        .order_by(Gathering.starts_at, Gathering.id)
        .limit(limit)
    )
    if gathering_filter is not None:
        query = query.where(gathering_filter)
    rows = [DashboardRow(g, int(c or 0), int(w or 0), int(i or 0))
            for g, c, w, i in db.session.execute(query)]
    _mark_needs_changed(rows, now)
    return rows


def _mark_needs_changed(rows: list[DashboardRow], now: datetime) -> None:
    """Count, per gathering within a week, the participants who changed their needs in that week (one query)."""
    from .services import NEEDS_NOTICE

    soon = {row.gathering.id: row for row in rows if row.gathering.starts_at - NEEDS_NOTICE <= now}
    if not soon:
        return
    for gathering_id, changed_at in db.session.execute(
        sa.select(Registration.gathering_id, Registration.needs_changed_at).where(
            Registration.gathering_id.in_(list(soon)), Registration.status != "cancelled",
            Registration.needs_changed_at.is_not(None))
    ):
        row = soon[gathering_id]
        if changed_at >= row.gathering.starts_at - NEEDS_NOTICE:
            row.needs_changed += 1
            row.needs_changed_last = max(changed_at, row.needs_changed_last or changed_at)


# -- reports ----------------------------------------------------------------------

@dataclass
class Table:
    """Counts per month (rows) and category (columns); None is a hidden cell."""
    columns: list[tuple[str, str]]  # (code, label; labels may be lazy)
    months: list[str]               # "2026-03"
    registrations: list[list[int | None]]
    attendance: list[list[int | None]]
    registrations_total: list[int | None] = field(default_factory=list)  # per column
    attendance_total: list[int | None] = field(default_factory=list)
    suppressed: bool = False


@dataclass
class Report:
    year: int
    months: list[str]
    registrations_per_month: list[int]
    attendance_per_month: list[int]
    by_kind: Table
    by_theme: Table
    by_perspective: Table
    min_cell: int


def _month_key(moment: datetime) -> str:
    return local(moment).strftime("%Y-%m")


def report(year: int | None = None) -> Report:
    """Registrations and attendance per month of ``year`` by kind, theme and perspective.

    One query counts per gathering and perspective; the rest is summing in Python.
    """
    from ..catalogue.labels import KIND_LABELS

    minimum = min_cell()
    year = year or local(utcnow()).year
    start = datetime(year, 1, 1, tzinfo=AMSTERDAM).astimezone(timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=AMSTERDAM).astimezone(timezone.utc)
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    month_index = {m: i for i, m in enumerate(months)}

    rows = db.session.execute(
        sa.select(
            Gathering.starts_at, Gathering.kind, Gathering.theme_id, Registration.perspective,
            sa.func.count(Registration.id), sa.func.count(Registration.checked_in_at),
        )
        .join(Registration, Registration.gathering_id == Gathering.id)
        .where(Gathering.status == "published", Gathering.starts_at >= start, Gathering.starts_at < end,
               Registration.status != "cancelled")
        .group_by(Gathering.id, Gathering.starts_at, Gathering.kind, Gathering.theme_id, Registration.perspective)
    ).all()
    themes = list(db.session.execute(sa.select(Theme.id, Theme.name).order_by(Theme.name)))

    kind_columns = [(k, KIND_LABELS[k]) for k in GatheringKind]
    theme_columns = [(str(t.id), t.name) for t in themes] + [("none", _l("Geen thema"))]
    perspective_columns = [(k, v) for k, v in PERSPECTIVES.items()] + [(NOT_SAID, _l("Niet ingevuld"))]

    def empty(columns):
        return [[0] * len(columns) for _m in months]

    grids = {name: (empty(cols), empty(cols)) for name, cols in
             (("kind", kind_columns), ("theme", theme_columns), ("perspective", perspective_columns))}
    column_index = {
        "kind": {code: i for i, (code, _l) in enumerate(kind_columns)},
        "theme": {code: i for i, (code, _l) in enumerate(theme_columns)},
        "perspective": {code: i for i, (code, _l) in enumerate(perspective_columns)},
    }
    per_month_reg = [0] * 12
    per_month_att = [0] * 12
    for starts_at, kind, theme_id, perspective, registered, attended in rows:
        m = month_index[_month_key(starts_at)]
        per_month_reg[m] += registered
        per_month_att[m] += attended
        keys = {
            "kind": kind,
            "theme": str(theme_id) if theme_id is not None else "none",
            "perspective": perspective if perspective in PERSPECTIVES else NOT_SAID,
        }
        for name, code in keys.items():
            col = column_index[name].get(code)
            if col is None:
                continue
            grids[name][0][m][col] += registered
            grids[name][1][m][col] += attended

    def table(name, columns, hide_small):
        reg, att = grids[name]
        if hide_small:
            reg_cells, reg_totals = suppress(reg, minimum)
            att_cells, att_totals = suppress(att, minimum)
        else:
            reg_cells, att_cells = reg, att
            reg_totals = [sum(col) for col in zip(*reg)]
            att_totals = [sum(col) for col in zip(*att)]
        return Table(columns, months, reg_cells, att_cells, reg_totals, att_totals, suppressed=hide_small)

    return Report(
        year=year, months=months,
        registrations_per_month=per_month_reg, attendance_per_month=per_month_att,
        by_kind=table("kind", kind_columns, False),
        by_theme=table("theme", theme_columns, False),
        by_perspective=table("perspective", perspective_columns, True),
        min_cell=minimum,
    )
