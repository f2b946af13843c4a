"""Registration rules: capacity, waiting list, promotion, cancellation.

Every function that can change who has a seat first takes the gathering's write
lock (``write_lock_row``) and decides inside that transaction. Functions flush
and leave the commit to the caller (the request or the CLI command), so that an
outbox row written by a signal receiver is committed together with the change.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..catalogue.models import GROUPS, Gathering
from ..database import write_lock_row
from ..extensions import db
from ..timeutil import utcnow
from . import signals
from .models import Registration
from .perspectives import PERSPECTIVES, group_of


class RegistrationRefused(Exception):
    """The gathering does not take this registration; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Applicant:
    name: str
    email: str | None
    perspective: str | None = None
    organisation: str = ""
    needs: str = ""
    consent_version: str | None = None
    # Who sent the form (see the view); None for organiser adds, walk-ins and requests without a session.
    submission_key: str | None = None


@dataclass
class RegisterResult:
    registration: Registration
    created: bool
    # Not created, because this very submission was stored already: the browser's earlier click (same key).
    repeated: bool = False


@dataclass
class Seats:
    capacity: int
    confirmed: int = 0
    waitlisted: int = 0

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)


@dataclass
class Availability:
    total: Seats
    groups: dict[str, Seats] = field(default_factory=dict)

    @property
    def seats_left(self) -> int:
        if self.groups:
            return min(self.total.seats_left, sum(g.seats_left for g in self.groups.values()))
        return self.total.seats_left

    @classmethod
    def empty(cls, gathering: Gathering) -> "Availability":
        groups = {grp: Seats(gathering.allotment(grp)) for grp in GROUPS} if gathering.is_mixed else {}
        return cls(Seats(gathering.capacity), groups)

    def count(self, group: str | None, status: str, number: int) -> None:
        """Add ``number`` registrations of ``status`` in perspective group ``group``."""
        setattr(self.total, status, getattr(self.total, status) + number)
        if group in self.groups:
            seats = self.groups[group]
            setattr(seats, status, getattr(seats, status) + number)


def email_key(email: str | None) -> str | None:
    return email.strip().lower() if email else None


# The opening rush runs these statements for every registration. Built once with parameters, so that
# SQLAlchemy neither rebuilds them nor recomputes their cache keys on each request.
@cache
def _counts_statement() -> sa.Select:
    return (
        sa.select(Registration.gathering_id, Registration.perspective_group, Registration.status, sa.func.count())
        .where(Registration.gathering_id.in_(sa.bindparam("ids", expanding=True)), Registration.status != "cancelled")
        .group_by(Registration.gathering_id, Registration.perspective_group, Registration.status)
    )


@cache
def _active_by_email_statement() -> sa.Select:
    return sa.select(Registration).where(
        Registration.gathering_id == sa.bindparam("gathering_id"),
        Registration.email_key == sa.bindparam("key"),
        Registration.status != "cancelled",
    )


@cache
def _by_token_statement() -> sa.Select:
    return (sa.select(Registration).where(Registration.token == sa.bindparam("token"))
            .options(joinedload(Registration.gathering)))


def availability_for(gatherings: list[Gathering]) -> dict[int, Availability]:
    """Seat counts for many gatherings in one query."""
    result = {g.id: Availability.empty(g) for g in gatherings}
    if not gatherings:
        return result
    rows = db.session.execute(_counts_statement(), {"ids": [g.id for g in gatherings]})
    for gathering_id, group, status, count in rows:
        result[gathering_id].count(group, status, count)
    return result


def availability(gathering: Gathering) -> Availability:
    return availability_for([gathering])[gathering.id]


@cache
def _counts_and_known_statement() -> sa.Select:
    return (
        sa.select(Registration.perspective_group, Registration.status, sa.func.count(),
                  sa.func.sum(sa.case((Registration.email_key == sa.bindparam("key"), 1), else_=0)))
        .where(Registration.gathering_id == sa.bindparam("gathering_id"), Registration.status != "cancelled")
        .group_by(Registration.perspective_group, Registration.status)
    )


def _availability_and_known(gathering: Gathering, key: str | None) -> tuple[Availability, bool]:
    """The seat counts, and whether ``key`` already has an active registration: one query, not two.

    Runs under the gathering's lock for every registration of the opening rush.
    """
    avail = Availability.empty(gathering)
    known = False
    rows = db.session.execute(_counts_and_known_statement(), {"gathering_id": gathering.id, "key": key or ""})
    for group, status, count, matches in rows:
        known = known or bool(matches)
        avail.count(group, status, count)
    return avail, known


def _has_seat(gathering: Gathering, group: str | None, avail: Availability | None = None) -> bool:
    avail = avail or availability(gathering)
    if avail.total.seats_left <= 0:
        return False
    if gathering.is_mixed:
        return group in avail.groups and avail.groups[group].seats_left > 0
    return True


def _first_waiting(gathering: Gathering, group: str | None) -> Registration | None:
    query = sa.select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == "waitlisted"
    )
    if gathering.is_mixed:
        query = query.where(Registration.perspective_group == group)
    return db.session.scalars(query.order_by(Registration.waitlisted_at, Registration.id).limit(1)).first()


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line (per group in a mixed session); None when not waiting."""
    if registration.status != "waitlisted":
        return None
    query = sa.select(sa.func.count()).where(
        Registration.gathering_id == registration.gathering_id,
        Registration.status == "waitlisted",
        sa.or_(
            Registration.waitlisted_at < registration.waitlisted_at,
            sa.and_(Registration.waitlisted_at == registration.waitlisted_at, Registration.id < registration.id),
        ),
    )
    if registration.gathering.is_mixed:
        query = query.where(Registration.perspective_group == registration.perspective_group)
    return db.session.scalar(query) + 1


def _confirm(registration: Registration, now: datetime) -> None:
    registration.status = "confirmed"
    registration.confirmed_at = now


def _fill_from_waitlist(gathering: Gathering, now: datetime) -> list[Registration]:
    """Promote waiting registrations, first come first served, while seats are free."""
    promoted: list[Registration] = []
    groups = GROUPS if gathering.is_mixed else (None,)
    for group in groups:
        while _has_seat(gathering, group):
            waiting = _first_waiting(gathering, group)
            if waiting is None:
                break
            _confirm(waiting, now)
            db.session.flush()
            promoted.append(waiting)
    for registration in promoted:
        signals.registration_promoted.send(registration)
    return promoted


def register(gathering_id: int, applicant: Applicant, *, source: str = "form",
             now: datetime | None = None) -> RegisterResult:
    """Register ``applicant``: a seat if one is free, else the waiting list.

    A second active registration for the same address creates nothing; the
    existing one is returned with ``created=False``, and ``repeated=True`` when
    it was stored with the applicant's own ``submission_key`` (the same browser
    sent the same form again, as in a double click).
    """
    gathering = write_lock_row(Gathering, gathering_id)
    # The time is read while holding the lock, so that the waiting-list order (by waitlisted_at)
    # is the order in which registrations were decided and nobody later slips in ahead.
    now = now or utcnow()
    if gathering is None:
        raise RegistrationRefused("unknown")
    state = gathering.registration_state(now)
    by_organiser = source != "form"
    refused = state in ("draft", "cancelled", "past") or (state != "open" and not by_organiser)
    if state == "past" and source == "walk_in" and now < gathering.ends_at:
        refused = False  # people walk in at the door while the gathering runs
    if refused:
        raise RegistrationRefused(state)
    perspective = applicant.perspective if applicant.perspective in PERSPECTIVES else None
    group = group_of(perspective)
    if gathering.is_mixed and group is None:
        raise RegistrationRefused("perspective_required")

    key = email_key(applicant.email)
    avail, known = _availability_and_known(gathering, key)
    if known:
        existing = db.session.scalars(
            _active_by_email_statement(), {"gathering_id": gathering.id, "key": key}
        ).first()
        if existing is not None:
            mine = applicant.submission_key
            repeated = bool(mine) and hmac.compare_digest(existing.submission_key or "", mine)
            return RegisterResult(existing, created=False, repeated=repeated)
    if avail.total.waitlisted and avail.seats_left > 0:
        # A seat freed by a raised capacity goes to who waited first. (Counted once: the lock keeps the
        # counts still, and this is the hot path of the opening rush.)
        _fill_from_waitlist(gathering, now)
        avail = availability(gathering)
    registration = Registration(
        gathering=gathering,
        name=applicant.name.strip(),
        email=applicant.email.strip() if applicant.email else None,
        email_key=key,
        perspective=perspective,
        perspective_group=group,
        organisation=(applicant.organisation or "").strip(),
        needs=(applicant.needs or "").strip(),
        consent_at=now if applicant.consent_version else None,
        consent_version=applicant.consent_version,
        source=source,
        submission_key=applicant.submission_key,
        created_at=now,
    )
    if _has_seat(gathering, group, avail):
        _confirm(registration, now)
    else:
        registration.status = "waitlisted"
        registration.waitlisted_at = now
    db.session.add(registration)
    db.session.flush()
    if registration.status == "confirmed":
        signals.registration_confirmed.send(registration)
    else:
        # The newest in line: behind everyone already waiting (in their group, in a mixed session).
        line = avail.groups[group] if gathering.is_mixed else avail.total
        signals.registration_waitlisted.send(registration, position=line.waitlisted + 1)
    return RegisterResult(registration, created=True)


def cancel(registration_id: int, *, by_organiser: bool = False, now: datetime | None = None) -> list[Registration]:
    """Cancel a registration; a freed seat goes at once to the first who fits. Returns who was promoted."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise LookupError(registration_id)
    gathering = write_lock_row(Gathering, registration.gathering_id)
    now = now or utcnow()  # under the lock, as in register()
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration.status == "cancelled":
        return []
    freed_seat = registration.status == "confirmed"
    registration.status = "cancelled"
    registration.cancelled_at = now
    db.session.flush()
    signals.registration_cancelled.send(registration, by_organiser=by_organiser, freed_seat=freed_seat)
    if freed_seat and gathering.registration_state(now) in ("open", "closed", "not_yet_open"):
        return _fill_from_waitlist(gathering, now)
    return []


def fill_from_waitlist(gathering_id: int, *, now: datetime | None = None) -> list[Registration]:
    """After capacity was raised: promote as many waiting registrations as now fit."""
    gathering = write_lock_row(Gathering, gathering_id)
    now = now or utcnow()  # under the lock, as in register()
    if gathering.status != "published" or gathering.starts_at <= now:
        return []
    return _fill_from_waitlist(gathering, now)


def promote(registration_id: int, *, now: datetime | None = None) -> Registration:
    """An organiser gives a waiting registration a seat, also beyond capacity if they so decide."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise LookupError(registration_id)
    write_lock_row(Gathering, registration.gathering_id)
    now = now or utcnow()  # under the lock, as in register()
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration.status == "waitlisted":
        _confirm(registration, now)
        db.session.flush()
        signals.registration_promoted.send(registration)
    return registration


def find_by_token(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalars(_by_token_statement(), {"token": token}).first()
