"""Registration rules: capacity, waiting list, promotion, cancellation.

Every function that can change who has a seat is given the gathering already
write-locked by its caller (the view or command that opened the unit of work:
``catalogue.services.lock_gathering`` or ``get_visible_gathering(...,
write_lock=True)``), checks that it is (``require_write_lock``) and decides
under that lock. Functions flush and never commit: the unit of work does, so
that an outbox row written by a signal receiver is committed together with the
change, or not at all.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..catalogue.models import Gathering, GatheringStatus, RegistrationState
from ..database import require_write_lock
from ..extensions import db
from ..timeutil import utcnow
from . import signals
from .models import LANGUAGES, Registration, RegistrationSource, RegistrationStatus
from .perspectives import PERSPECTIVES, PerspectiveGroup, group_of
from .seats import Availability, Seats, availability, availability_and_known, availability_for  # noqa: F401  (re-exported)


class RegistrationRefused(Exception):
    """The gathering does not take this registration; ``reason`` says why, ``message`` says it to a person."""

    MESSAGES = {
        RegistrationState.NOT_YET_OPEN: _l("De aanmelding is nog niet open."),
        RegistrationState.CLOSED: _l("De aanmelding is gesloten."),
        RegistrationState.PAST: _l("Deze bijeenkomst is al geweest."),
        RegistrationState.CANCELLED: _l("Deze bijeenkomst gaat niet door."),
        RegistrationState.DRAFT: _l("Deze bijeenkomst is nog niet gepubliceerd."),
        "perspective_required": _l("Kies uw perspectief. Bij deze bijeenkomst hangt uw plek daarvan af."),
    }

    def __init__(self, reason: str):  # a RegistrationState, "perspective_required" or "unknown"
        super().__init__(reason)
        self.reason = reason

    @property
    def about_the_gathering(self) -> bool:
        """The gathering's state refuses (409); else the applicant's answers do (422, at the field)."""
        return self.reason != "perspective_required"

    @property
    def message(self) -> str:
        """In the current language."""
        message = self.MESSAGES.get(self.reason)
        return str(message) if message is not None else _("Aanmelden kan nu niet.")


@dataclass
class Applicant:
    name: str
    email: str | None
    perspective: str | None = None
    organisation: str = ""
    needs: str = ""
    consent_version: str | None = None
    # One support person who comes along (a "begeleider"): they take a seat too, together with the applicant.
    companion: bool = False
    companion_name: str = ""
    # Who sent the form (see the view); None for organiser adds, walk-ins and requests without a session.
    submission_key: str | None = None
    # The same made with the app's earlier keys (SECRET_KEY_FALLBACKS), while they are kept: not stored.
    earlier_submission_keys: frozenset[str] = frozenset()
    # The language of the page the form was on: every mail to this person is in it. Organiser adds
    # and walk-ins are Dutch.
    language: str = "nl"


@dataclass
class RegisterResult:
    registration: Registration
    created: bool
    # Not created, because this browser's registration was stored already: an earlier click (same
    # submission key) or a registration it made before (its token is among the applicant's own).
    repeated: bool = False

    @property
    def duplicate(self) -> bool:
        """Someone else's registration has this address: nothing was created, and its owner is told."""
        return not self.created and not self.repeated


def email_key(email: str | None) -> str | None:
    return email.strip().lower() if email else None


def stored_values(applicant: Applicant, source: RegistrationSource) -> dict:
    """The registration's columns as the applicant gave them, as both ways of registering store them
    (``register`` here, and the opening rush's one flight, flight.py)."""
    perspective = applicant.perspective if applicant.perspective in PERSPECTIVES else None
    return dict(
        name=applicant.name.strip(),
        email=applicant.email.strip() if applicant.email else None,
        email_key=email_key(applicant.email),
        perspective=perspective,
        perspective_group=group_of(perspective),
        organisation=(applicant.organisation or "").strip(),
        needs=(applicant.needs or "").strip(),
        companion=bool(applicant.companion),
        companion_name=(applicant.companion_name or "").strip() if applicant.companion else "",
        consent_version=applicant.consent_version,
        source=RegistrationSource(source).value,
        submission_key=applicant.submission_key,
        language=applicant.language if applicant.language in LANGUAGES else "nl",
    )


@cache
def _active_by_email_statement() -> sa.Select:
    return sa.select(Registration).where(
        Registration.gathering_id == sa.bindparam("gathering_id"),
        Registration.email_key == sa.bindparam("key"),
        Registration.status != RegistrationStatus.CANCELLED,
    )


@cache
def _by_token_statement() -> sa.Select:
    return (sa.select(Registration).where(Registration.token == sa.bindparam("token"))
            .options(joinedload(Registration.gathering)))


def _first_waiting(gathering: Gathering, group: str | None, *, single_only: bool = False) -> Registration | None:
    """The first in line (in ``group`` in a mixed session); with ``single_only``, the first without a companion."""
    query = sa.select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == RegistrationStatus.WAITLISTED
    )
    if gathering.is_mixed:
        query = query.where(Registration.perspective_group == group)
    if single_only:
        query = query.where(Registration.companion.is_(False))
    return db.session.scalars(query.order_by(Registration.waitlisted_at, Registration.id).limit(1)).first()


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line (per group in a mixed session); None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    query = sa.select(sa.func.count()).where(
        Registration.gathering_id == registration.gathering_id,
        Registration.status == RegistrationStatus.WAITLISTED,
        sa.or_(
            Registration.waitlisted_at < registration.waitlisted_at,
            sa.and_(Registration.waitlisted_at == registration.waitlisted_at, Registration.id < registration.id),
        ),
    )
    if registration.gathering.is_mixed:
        query = query.where(Registration.perspective_group == registration.perspective_group)
    return db.session.scalar(query) + 1


def _confirm(registration: Registration, now: datetime) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now


def _fill_from_waitlist(gathering: Gathering, now: datetime) -> list[Registration]:
    """Promote waiting registrations while seats are free: the first in line who fits.

    A pair (a participant with a companion) needs two seats together; with one
    seat free it is passed over for the first single behind it, and keeps its
    place for the next seats that free. Never one of the two without the other.
    """
    promoted: list[Registration] = []
    avail = availability(gathering)
    groups = list(PerspectiveGroup) if gathering.is_mixed else [None]
    for group in groups:
        while True:
            left = avail.total.seats_left
            if gathering.is_mixed:
                left = min(left, avail.groups[group].seats_left)
            if left <= 0:
                break
            # Two seats or more: the first in line fits, pair or not. One seat: the first single.
            waiting = _first_waiting(gathering, group, single_only=left < 2)
            if waiting is None:
                break
            _confirm(waiting, now)
            db.session.flush()
            avail.count(group, RegistrationStatus.CONFIRMED, waiting.people)
            avail.count(group, RegistrationStatus.WAITLISTED, -waiting.people, -1)
            promoted.append(waiting)
    for registration in promoted:
        signals.registration_promoted.send(registration)
    return promoted


def register(gathering: Gathering, applicant: Applicant, *, source: RegistrationSource = RegistrationSource.FORM,
             now: datetime | None = None) -> RegisterResult:
    """Register ``applicant`` for the write-locked ``gathering``: a seat if one is free, else the waiting list.

    A second active registration for the same address creates nothing; the
    existing one is returned with ``created=False``, and ``repeated=True`` when
    it is the applicant's own (stored with their ``submission_key``: the same
    browser sent the same form again, as in a double click). Otherwise it is someone else's (``duplicate``): a form
    registration then sends ``registration_duplicate``, so that the address's
    owner is mailed their own link.
    """
    require_write_lock(gathering)
    # The time is read while holding the lock, so that the waiting-list order (by waitlisted_at)
    # is the order in which registrations were decided and nobody later slips in ahead.
    now = now or utcnow()
    state = gathering.registration_state(now)
    by_organiser = source != RegistrationSource.FORM
    refused = (state in (RegistrationState.DRAFT, RegistrationState.CANCELLED, RegistrationState.PAST)
               or (state != RegistrationState.OPEN and not by_organiser))
    if state == RegistrationState.PAST and source == RegistrationSource.WALK_IN and now < gathering.ends_at:
        refused = False  # people walk in at the door while the gathering runs
    if refused:
        raise RegistrationRefused(state)
    perspective = applicant.perspective if applicant.perspective in PERSPECTIVES else None
    group = group_of(perspective)
    if gathering.is_mixed and group is None:
        raise RegistrationRefused("perspective_required")

    key = email_key(applicant.email)
    avail, known = availability_and_known(gathering, key)
    if known:
        existing = db.session.scalars(
            _active_by_email_statement(), {"gathering_id": gathering.id, "key": key}
        ).first()
        if existing is not None:
            mine = applicant.submission_key
            repeated = bool(mine) and (hmac.compare_digest(existing.submission_key or "", mine)
                                       or (existing.submission_key or "") in applicant.earlier_submission_keys)
            result = RegisterResult(existing, created=False, repeated=repeated)
            if result.duplicate and source == RegistrationSource.FORM:
                # The owner of the address is mailed their own link; the form shows a neutral page.
                signals.registration_duplicate.send(existing)
            return result
    if avail.total.waitlisted and avail.seats_left > 0:
        # A seat freed by a raised capacity goes to who waited first. (Counted once: the lock keeps the
        # counts still, and this is the hot path of the opening rush.)
        _fill_from_waitlist(gathering, now)
        avail = availability(gathering)
    registration = Registration(gathering=gathering, **stored_values(applicant, source),
                                consent_at=now if applicant.consent_version else None, created_at=now)
    # A pair gets two seats together or waits together: never one of them without the other.
    if avail.fits(group, registration.people):
        _confirm(registration, now)
    else:
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlisted_at = now
    db.session.add(registration)
    db.session.flush()
    if registration.status == RegistrationStatus.CONFIRMED:
        signals.registration_confirmed.send(registration)
    else:
        # The newest in line: behind everyone already waiting (in their group, in a mixed session).
        line = avail.groups[group] if gathering.is_mixed else avail.total
        signals.registration_waitlisted.send(registration, position=line.in_line + 1)
    return RegisterResult(registration, created=True)


def _locked_registration(gathering: Gathering, registration_id: int) -> Registration:
    require_write_lock(gathering)
    # Read again under the lock: its status may have changed since the caller looked it up.
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration is None or registration.gathering_id != gathering.id:
        raise LookupError(registration_id)
    return registration


def cancel(gathering: Gathering, registration_id: int, *, by_organiser: bool = False,
           now: datetime | None = None) -> list[Registration]:
    """Cancel a registration of the write-locked ``gathering``; a freed seat goes at once to the first who fits.

    Returns who was promoted.
    """
    registration = _locked_registration(gathering, registration_id)
    now = now or utcnow()  # under the lock, as in register()
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    freed_seat = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    db.session.flush()
    signals.registration_cancelled.send(registration, by_organiser=by_organiser, freed_seat=freed_seat)
    if freed_seat and gathering.registration_state(now) in (
            RegistrationState.OPEN, RegistrationState.CLOSED, RegistrationState.NOT_YET_OPEN):
        return _fill_from_waitlist(gathering, now)
    return []


def fill_from_waitlist(gathering: Gathering, *, now: datetime | None = None) -> list[Registration]:
    """After capacity was raised: promote as many waiting registrations of the write-locked ``gathering`` as now fit."""
    require_write_lock(gathering)
    now = now or utcnow()  # under the lock, as in register()
    if gathering.status != GatheringStatus.PUBLISHED or gathering.starts_at <= now:
        return []
    return _fill_from_waitlist(gathering, now)


def promote(gathering: Gathering, registration_id: int, *, now: datetime | None = None) -> Registration:
    """An organiser gives a waiting registration a seat, also beyond capacity if they so decide."""
    registration = _locked_registration(gathering, registration_id)
    now = now or utcnow()  # under the lock, as in register()
    if registration.status == RegistrationStatus.WAITLISTED:
        _confirm(registration, now)
        db.session.flush()
        signals.registration_promoted.send(registration)
    return registration


def find_by_token(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalars(_by_token_statement(), {"token": token}).first()
