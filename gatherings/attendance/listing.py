"""The registrations of a gathering as organisers see them: the one place they are queried.

The registrations page, the exports and the sign-in list read the same lists
in the same order, from the statements below: confirmed by name, waiting
first in line first (numbered per group in a mixed session), cancelled last
cancelled first. The page reads one page of each list with LIMIT/OFFSET (a
national day has a thousand rows, each with its action forms); an export reads
them whole. Counts and the composition by perspective come from one aggregate
query, so the number of queries stays the same however many people registered.

Who an organiser's message reaches (``AUDIENCES``, ``recipients``) is defined
here too, so that the number shown on the message form is the number of mails
the outbox gets.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..catalogue.models import Gathering
from ..extensions import db
from ..inputs import parse_id
from ..programme.models import ChoiceStatus, ProgrammePart, Workshop, WorkshopChoice
from ..registration import services as registration
from ..registration.models import Registration, RegistrationStatus
from ..registration.perspectives import PERSPECTIVES
from .paging import Page, empty_page, fill
from .search import matches_search, search_terms
from .small_counts import min_cell, suppress

# -- the lists, in their order -----------------------------------------------------------------

# By name as the database lower-cases it, then by id: the same order on the page and in every
# export. (SQLite lower-cases only ASCII in SQL, so there an accented first letter sorts after z.)
_BY_NAME = (sa.func.lower(Registration.name), Registration.id)


def _waiting_since():
    return sa.func.coalesce(Registration.waitlisted_at, Registration.created_at)


def _confirmed(where: list) -> sa.Select:
    return sa.select(Registration).where(*where, Registration.status == "confirmed").order_by(*_BY_NAME)


def _cancelled(where: list) -> sa.Select:
    return (sa.select(Registration).where(*where, Registration.status == "cancelled")
            .order_by(sa.func.coalesce(Registration.cancelled_at, Registration.created_at).desc(),
                      Registration.id.desc()))


def _waiting(gathering: Gathering, where: list) -> sa.Select:
    """(Registration, place) first in line first.

    A place on the waiting list counts everyone waiting before (in the same group
    in a mixed session), also those on other pages or left out by a search:
    numbered before filtering.
    """
    place = sa.func.row_number().over(
        partition_by=Registration.perspective_group if gathering.is_mixed else None,
        order_by=(_waiting_since(), Registration.id),
    )
    line = (sa.select(Registration.id.label("id"), place.label("place"), _waiting_since().label("since"))
            .where(Registration.gathering_id == gathering.id, Registration.status == "waitlisted")
            .subquery())
    return (sa.select(Registration, line.c.place).join(line, line.c.id == Registration.id)
            .where(*where).order_by(line.c.since, Registration.id))


# -- counts and the composition by perspective ----------------------------------------------------

@dataclass
class PerspectiveCount:
    code: str | None  # None: not said (or not asked)
    label: str  # lazy: rendered in the language of the request
    confirmed: int | None = 0  # None: a small count, not shown (see ``small_counts``)
    waitlisted: int | None = 0


@dataclass
class Composition:
    rows: list[PerspectiveCount]
    hidden_below: int | None = None  # counts under this are not shown; None: all are shown (mixed sessions)

    def __iter__(self):
        return iter(self.rows)


@dataclass
class _Counts:
    per_status: Counter  # registrations (the lists' lengths)
    checked_in: int  # people: a companion who came in counts too
    composition: Composition


# The composition's row for companions: they come with a participant and have no perspective of their own.
COMPANION = "companion"


def _counts(gathering: Gathering) -> _Counts:
    """Registrations per status, people checked in and the composition by perspective, in one query.

    Outside a mixed session the composition hides small counts as the reports do
    (zeros too, see ``suppress``): between two loads of the page one person
    registers, and a perspective going from 1 to 2 would say theirs. A mixed session shows them in full: its lists show
    each person's perspective anyway, and seating needs the numbers per group.
    """
    rows = {code: PerspectiveCount(code, label) for code, label in PERSPECTIVES.items()}
    rows[None] = PerspectiveCount(None, _l("Niet ingevuld"))
    rows[COMPANION] = PerspectiveCount(COMPANION, _l("Begeleider"))
    per_status: Counter = Counter()
    checked_in = 0
    for perspective, status, count, arrived, companions, companions_arrived in db.session.execute(
        sa.select(Registration.perspective, Registration.status, sa.func.count(),
                  sa.func.count(Registration.checked_in_at),
                  sa.func.sum(sa.case((Registration.companion, 1), else_=0)),
                  sa.func.sum(sa.case((sa.and_(Registration.companion,
                                               Registration.companion_checked_in_at.is_not(None)), 1), else_=0)))
        .where(Registration.gathering_id == gathering.id)
        .group_by(Registration.perspective, Registration.status)
    ):
        per_status[status] += count
        companions = int(companions or 0)
        bucket = rows.get(perspective, rows[None])
        if status == "confirmed":
            bucket.confirmed += count
            rows[COMPANION].confirmed += companions
            checked_in += arrived + int(companions_arrived or 0)
        elif status == "waitlisted":
            bucket.waitlisted += count
            rows[COMPANION].waitlisted += companions
    composition = Composition(list(rows.values()))
    if not gathering.is_mixed:
        minimum = min_cell()
        # Each column on its own: its total is shown on the page, the totals per perspective are not.
        (confirmed,), _totals = suppress([[r.confirmed for r in composition.rows]], minimum, hide_zeros=True)
        (waitlisted,), _totals = suppress([[r.waitlisted for r in composition.rows]], minimum, hide_zeros=True)
        for row, shown_confirmed, shown_waitlisted in zip(composition.rows, confirmed, waitlisted):
            row.confirmed, row.waitlisted = shown_confirmed, shown_waitlisted
        composition.hidden_below = minimum
    return _Counts(per_status, checked_in, composition)


def composition(gathering: Gathering) -> Composition:
    return _counts(gathering).composition


# -- the registrations page ---------------------------------------------------------------------

@dataclass
class RegistrationsPage:
    confirmed: Page  # rows: Registration, by name
    waiting: Page  # rows: Registration, first in line first
    cancelled: Page  # rows: Registration, last cancelled first
    composition: Composition
    availability: registration.Availability
    checked_in: int
    total_confirmed: int
    total_waiting: int
    query: str = ""
    positions: dict[int, int] = field(default_factory=dict)  # registration id: place on its waiting list


def _search(gathering: Gathering, terms: list[str]) -> tuple[sa.ColumnElement[bool], Counter]:
    """Who matches the search, as a condition on the id, and how many were found per status.

    Matching happens in Python on the searched columns only, so that accents
    fold the same way on SQLite and PostgreSQL; the rows themselves are then
    read a page at a time.
    """
    candidates = db.session.execute(
        sa.select(Registration.id, Registration.status, Registration.name, Registration.email,
                  Registration.organisation).where(Registration.gathering_id == gathering.id)
    ).all()
    found = [row for row in candidates if matches_search(terms, row.name, row.email, row.organisation)]
    return Registration.id.in_([row.id for row in found]), Counter(row.status for row in found)


def registrations_page(gathering: Gathering, query: str | None = None,
                       pages: dict[str, int] | None = None) -> RegistrationsPage:
    """The registrations page: counts over everyone, and one page of each list.

    ``pages`` asks for a page per list (keys ``confirmed``, ``waiting``,
    ``cancelled``): page 1 when left out, the last page when beyond the end.
    """
    pages = pages or {}
    avail = registration.availability(gathering)
    counts = _counts(gathering)
    per_status = counts.per_status

    terms = search_terms(query)
    where = [Registration.gathering_id == gathering.id]
    if terms:
        matching, per_status = _search(gathering, terms)
        where.append(matching)

    confirmed = fill(empty_page(pages.get("confirmed", 1), per_status["confirmed"]), _confirmed(where))
    cancelled = fill(empty_page(pages.get("cancelled", 1), per_status["cancelled"]), _cancelled(where))
    waiting = fill(empty_page(pages.get("waiting", 1), per_status["waitlisted"]), _waiting(gathering, where))

    positions = {r.id: number for r, number in waiting.rows}
    for page in (confirmed, waiting, cancelled):
        page.rows = [row[0] for row in page.rows]
    return RegistrationsPage(
        confirmed=confirmed,
        waiting=waiting,
        cancelled=cancelled,
        composition=counts.composition,
        availability=avail,
        checked_in=counts.checked_in,
        total_confirmed=avail.total.confirmed,
        total_waiting=avail.total.waitlisted,
        query=" ".join((query or "").split())[:100],
        positions=positions,
    )


# -- whole lists, for the exports -----------------------------------------------------------------

@dataclass
class ActiveLists:
    confirmed: list[Registration]  # by name
    waiting: list[tuple[Registration, int]]  # (registration, place), first in line first


def active_lists(gathering: Gathering) -> ActiveLists:
    """Everyone with a seat and everyone waiting, whole, in the page's order (two queries)."""
    where = [Registration.gathering_id == gathering.id]
    return ActiveLists(
        confirmed=list(db.session.scalars(_confirmed(where))),
        waiting=[(r, place) for r, place in db.session.execute(_waiting(gathering, where))],
    )


# -- who an organiser's message reaches -------------------------------------------------------------

# The statuses each audience of an organiser's message holds.
AUDIENCES: dict[str, tuple[str, ...]] = {
    "confirmed": ("confirmed",),
    "waitlisted": ("waitlisted",),
    "all": ("confirmed", "waitlisted"),
}


# "workshop-<id>": everyone with a seat in that workshop of the gathering's programme.
WORKSHOP_AUDIENCE = "workshop-"


def workshop_of_audience(gathering: Gathering, audience: str) -> int | None:
    """The workshop id a "workshop-<id>" audience names, if that workshop is in ``gathering``'s programme."""
    if not isinstance(audience, str) or not audience.startswith(WORKSHOP_AUDIENCE):
        return None
    workshop_id = parse_id(audience[len(WORKSHOP_AUDIENCE):])
    if workshop_id is None:
        return None
    return db.session.scalar(sa.select(Workshop.id).join(ProgrammePart, ProgrammePart.id == Workshop.part_id)
                             .where(Workshop.id == workshop_id, ProgrammePart.gathering_id == gathering.id))


def is_audience(gathering: Gathering, audience: str) -> bool:
    return audience in AUDIENCES or workshop_of_audience(gathering, audience) is not None


def _recipients(gathering: Gathering, audience: str) -> list:
    # Cancelled registrations are not in an audience; erased ones and those added without an
    # address (by an organiser, at the door) cannot be written to.
    reachable = [Registration.gathering_id == gathering.id, Registration.email.is_not(None),
                 Registration.email != "", Registration.anonymised_at.is_(None)]
    if audience in AUDIENCES:
        return reachable + [Registration.status.in_(AUDIENCES[audience])]
    workshop_id = workshop_of_audience(gathering, audience)
    if workshop_id is None:
        raise ValueError(f"unknown audience {audience!r}")
    return reachable + [Registration.status == RegistrationStatus.CONFIRMED, sa.exists().where(
        WorkshopChoice.registration_id == Registration.id, WorkshopChoice.workshop_id == workshop_id,
        WorkshopChoice.status == ChoiceStatus.SEATED)]


def audience_size(gathering: Gathering, audience: str) -> int:
    """How many people a message to ``audience`` reaches: the number of mails it queues."""
    return db.session.scalar(sa.select(sa.func.count()).where(*_recipients(gathering, audience))) or 0


def recipients(gathering: Gathering, audience: str) -> list[Registration]:
    """The registrations a message to ``audience`` is queued for, in order of registering."""
    return list(db.session.scalars(
        sa.select(Registration).where(*_recipients(gathering, audience)).order_by(Registration.id)))
