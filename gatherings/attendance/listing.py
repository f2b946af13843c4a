"""The registrations page of a gathering: its lists a page at a time.

``services.overview`` reads every registration at once, which the exports need;
this page would then render every row with its action forms (half a megabyte
for a national day). Here each list (confirmed, waiting, cancelled) reads only
the page asked for with LIMIT/OFFSET, and counts and composition come from one
aggregate query, so the number of queries and the size of the page stay the
same however many people registered.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..catalogue.models import Gathering
from ..extensions import db
from ..registration import services as registration
from ..registration.models import Registration
from ..registration.perspectives import PERSPECTIVES
from .paging import Page, empty_page, fill
from .services import PerspectiveCount, matches_search, search_terms


@dataclass
class RegistrationsPage:
    confirmed: Page  # rows: Registration, by name
    waiting: Page  # rows: Registration, first in line first
    cancelled: Page  # rows: Registration, last cancelled first
    composition: list[PerspectiveCount]
    availability: registration.Availability
    checked_in: int
    total_confirmed: int
    total_waiting: int
    query: str = ""
    positions: dict[int, int] = field(default_factory=dict)  # registration id: place on its waiting list


def _search(gathering: Gathering, terms: list[str]) -> tuple[sa.ColumnElement[bool], Counter]:
    """Who matches the search, as a condition on the id, and how many were found per status.

    Matching happens in Python on the searched columns only, so that accents
    fold the same way on SQLite and PostgreSQL (as in ``services.overview``);
    the rows themselves are then read a page at a time.
    """
    candidates = db.session.execute(
        sa.select(Registration.id, Registration.status, Registration.name, Registration.email,
                  Registration.organisation).where(Registration.gathering_id == gathering.id)
    ).all()
    found = [row for row in candidates if matches_search(terms, row.name, row.email, row.organisation)]
    return Registration.id.in_([row.id for row in found]), Counter(row.status for row in found)


def _waiting_since():
    return sa.func.coalesce(Registration.waitlisted_at, Registration.created_at)


def registrations_page(gathering: Gathering, query: str | None = None,
                       pages: dict[str, int] | None = None) -> RegistrationsPage:
    """The registrations page: counts over everyone, and one page of each list.

    ``pages`` asks for a page per list (keys ``confirmed``, ``waiting``,
    ``cancelled``): page 1 when left out, the last page when beyond the end.
    """
    pages = pages or {}
    avail = registration.availability(gathering)

    counts = {code: PerspectiveCount(code, label) for code, label in PERSPECTIVES.items()}
    counts[None] = PerspectiveCount(None, _l("Niet ingevuld"))
    per_status: Counter = Counter()
    checked_in = 0
    for perspective, status, count, arrived in db.session.execute(
        sa.select(Registration.perspective, Registration.status, sa.func.count(),
                  sa.func.count(Registration.checked_in_at))
        .where(Registration.gathering_id == gathering.id)
        .group_by(Registration.perspective, Registration.status)
    ):
        per_status[status] += count
        if status in ("confirmed", "waitlisted"):
            bucket = counts.get(perspective, counts[None])
            setattr(bucket, status, getattr(bucket, status) + count)
        if status == "confirmed":
            checked_in += arrived

    terms = search_terms(query)
    where = [Registration.gathering_id == gathering.id]
    if terms:
        matching, per_status = _search(gathering, terms)
        where.append(matching)

    # By name as the database lower-cases it; ``services.fold`` also drops accents, which SQLite cannot
    # do in SQL, so an accented first letter may sort differently here than in the exports.
    confirmed = fill(empty_page(pages.get("confirmed", 1), per_status["confirmed"]),
                     sa.select(Registration).where(*where, Registration.status == "confirmed")
                     .order_by(sa.func.lower(Registration.name), Registration.id))
    cancelled = fill(empty_page(pages.get("cancelled", 1), per_status["cancelled"]),
                     sa.select(Registration).where(*where, Registration.status == "cancelled")
                     .order_by(sa.func.coalesce(Registration.cancelled_at, Registration.created_at).desc(),
                               Registration.id.desc()))

    # A place on the waiting list counts everyone waiting before (in the same group in a mixed
    # session), also those on earlier pages or left out by the search: numbered before filtering.
    place = sa.func.row_number().over(
        partition_by=Registration.perspective_group if gathering.is_mixed else None,
        order_by=(_waiting_since(), Registration.id),
    )
    line = (sa.select(Registration.id.label("id"), place.label("place"), _waiting_since().label("since"))
            .where(Registration.gathering_id == gathering.id, Registration.status == "waitlisted")
            .subquery())
    waiting = fill(empty_page(pages.get("waiting", 1), per_status["waitlisted"]),
                   sa.select(Registration, line.c.place).join(line, line.c.id == Registration.id)
                   .where(*where).order_by(line.c.since, Registration.id))

    positions = {r.id: number for r, number in waiting.rows}
    for page in (confirmed, waiting, cancelled):
        page.rows = [row[0] for row in page.rows]
    return RegistrationsPage(
        confirmed=confirmed,
        waiting=waiting,
        cancelled=cancelled,
        composition=list(counts.values()),
        availability=avail,
        checked_in=checked_in,
        total_confirmed=avail.total.confirmed,
        total_waiting=avail.total.waitlisted,
        query=" ".join((query or "").split())[:100],
        positions=positions,
    )
