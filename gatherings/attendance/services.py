"""What an organiser does with the registrations of one gathering.

Reading: live counts and search for the door (the lists themselves, the
composition and who a message reaches are queried in ``listing``). Acting: promote,
cancel on someone's behalf, add by hand, edit needs, check in and undo, walk-in.

Seat decisions stay in ``gatherings.registration.services``; the functions here
that reach them (promote, cancel, add, admit, walk-in) are given the gathering
write-locked by the view's unit of work. This module checks that a registration
belongs to the gathering the organiser is working on and adds the door's rules.
Functions flush; the unit of work commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..catalogue.models import Gathering
from ..extensions import db
from ..inputs import MAX_ID
from ..registration import services as registration
from ..registration.models import Registration, RegistrationSource
from ..registration.perspectives import PerspectiveGroup
from ..timeutil import utcnow
from . import listing
from ..programme.models import Workshop
from .models import GatheringMessage, MessageAudience
from .search import fold, matches_search, search_terms

# A search at the door lists at most this many people: enough for a common
# first name, few enough that the screen never becomes the whole list.
DOOR_RESULTS = 25
# Nobody is listed at the door until at least this many letters are typed.
DOOR_MIN_QUERY = 2


class ActionRefused(Exception):
    """The action does not apply to this registration now; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# -- reading ----------------------------------------------------------------

@dataclass
class DoorCounts:
    confirmed: int = 0
    checked_in: int = 0
    waitlisted: int = 0
    walk_ins: int = 0

    @property
    def expected(self) -> int:
        """Confirmed people who have not arrived yet."""
        return max(self.confirmed - self.checked_in, 0)

    def as_dict(self) -> dict:
        return {"confirmed": self.confirmed, "checked_in": self.checked_in, "expected": self.expected,
                "waitlisted": self.waitlisted, "walk_ins": self.walk_ins}


def door_counts(gathering: Gathering) -> DoorCounts:
    """The numbers at the door, in one query."""
    # In people: a participant's companion takes a seat and is checked in on their own.
    rows = db.session.execute(
        sa.select(
            Registration.status,
            sa.func.sum(Registration.people),
            sa.func.count(Registration.checked_in_at)
            + sa.func.sum(sa.case((sa.and_(Registration.companion,
                                           Registration.companion_checked_in_at.is_not(None)), 1), else_=0)),
            sa.func.sum(sa.case((Registration.source == RegistrationSource.WALK_IN, 1), else_=0)),
        ).where(Registration.gathering_id == gathering.id, Registration.status != "cancelled")
        .group_by(Registration.status)
    )
    counts = DoorCounts()
    for status, count, checked_in, walk_ins in rows:
        if status == "confirmed":
            counts.confirmed = int(count or 0)
            counts.checked_in = int(checked_in or 0)
            counts.walk_ins = int(walk_ins or 0)
        elif status == "waitlisted":
            counts.waitlisted = int(count or 0)
    return counts


def expected_people(gathering: Gathering) -> list[Registration]:
    """Who has a seat and has not arrived yet, by name: shown at the door only when an organiser asks."""
    found = db.session.scalars(sa.select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == "confirmed",
        Registration.checked_in_at.is_(None), Registration.anonymised_at.is_(None))).all()
    return sorted(found, key=lambda r: (fold(r.name), r.id))


def door_search(gathering: Gathering, query: str | None) -> list[Registration]:
    """People at the door matching what was typed; nobody for fewer than two letters.

    Confirmed and waiting registrations only (a waiting person can be let in).
    Two queries: the names to search through, then the matching rows.
    """
    terms = search_terms(query)
    if sum(len(t) for t in terms) < DOOR_MIN_QUERY:
        return []
    candidates = db.session.execute(
        sa.select(Registration.id, Registration.name, Registration.email, Registration.organisation)
        .where(Registration.gathering_id == gathering.id, Registration.status != "cancelled",
               Registration.anonymised_at.is_(None))
    ).all()
    ids = [row.id for row in candidates if matches_search(terms, row.name, row.email, row.organisation)]
    if not ids:
        return []
    found = db.session.scalars(sa.select(Registration).where(Registration.id.in_(ids[:200]))).all()
    found = sorted(found, key=lambda r: (r.status != "confirmed", fold(r.name), r.id))
    return found[:DOOR_RESULTS]


def registration_of(gathering: Gathering, registration_id: int) -> Registration:
    """The registration, if it belongs to this gathering; LookupError otherwise."""
    if not 0 < registration_id <= MAX_ID:
        raise LookupError(registration_id)  # PostgreSQL would refuse it as an integer: a 500, not a 404
    found = db.session.get(Registration, registration_id)
    if found is None or found.gathering_id != gathering.id:
        raise LookupError(registration_id)
    return found


# A participant's own change to what they need, this close to the gathering, is pointed out to its
# organisers (the registrations page, the dashboard): they plan the room and may have done so already.
NEEDS_NOTICE = timedelta(days=7)


def needs_recently_changed(r: Registration, gathering: Gathering) -> bool:
    """``r`` changed its needs in the week before ``gathering`` (shown as "nieuw sinds ...")."""
    return (r.needs_changed_at is not None and r.status != "cancelled"
            and r.needs_changed_at >= gathering.starts_at - NEEDS_NOTICE)


# -- acting -------------------------------------------------------------------

@dataclass
class Overbooking:
    """How many seats a promotion would give beyond what there are: in all, and in the person's group."""
    total: int = 0
    group: str | None = None  # a mixed session's perspective group
    in_group: int = 0

    def __bool__(self) -> bool:
        return self.total > 0 or self.in_group > 0


class OverCapacity(ActionRefused):
    """Promoting would go beyond capacity and the organiser has not said yes to that (yet)."""

    def __init__(self, overbooking: Overbooking):
        super().__init__("over_capacity")
        self.overbooking = overbooking


def overbooking(gathering: Gathering, found: Registration) -> Overbooking:
    """What giving ``found`` a seat now would do to the capacity, counted in people (a companion too)."""
    avail = registration.availability(gathering)
    people = found.people
    result = Overbooking(total=max(avail.total.confirmed + people - gathering.capacity, 0))
    group = found.perspective_group
    if gathering.is_mixed and group in avail.groups:
        seats = avail.groups[group]
        result.group, result.in_group = group, max(seats.confirmed + people - seats.capacity, 0)
    return result


def promote(gathering: Gathering, registration_id: int, *, beyond_capacity: bool = False,
            now: datetime | None = None) -> Registration:
    """Give a waiting registration a seat.

    Beyond capacity (in all, or in the person's group of a mixed session) only when the organiser
    said so (``beyond_capacity``): otherwise ``OverCapacity`` says by how many, for the question.
    """
    found = registration_of(gathering, registration_id)
    if found.status != "waitlisted":
        raise ActionRefused("not_waiting")
    over = overbooking(gathering, found)
    if over and not beyond_capacity:
        raise OverCapacity(over)
    return registration.promote(gathering, found.id, now=now)


def cancel_on_behalf(gathering: Gathering, registration_id: int, *,
                     now: datetime | None = None) -> list[Registration]:
    """Cancel for the participant; they get the usual mail, a freed seat goes to who waits first."""
    found = registration_of(gathering, registration_id)
    if found.status == "cancelled":
        raise ActionRefused("already_cancelled")
    return registration.cancel(gathering, found.id, by_organiser=True, now=now)


def add_by_hand(gathering: Gathering, applicant: registration.Applicant, *,
                now: datetime | None = None) -> registration.RegisterResult:
    """Register someone who phoned in (e-mail optional); the usual seat rules apply."""
    return registration.register(gathering, applicant, source=RegistrationSource.ORGANISER, now=now)


def update_needs(gathering: Gathering, registration_id: int, needs: str) -> Registration:
    found = registration_of(gathering, registration_id)
    found.needs = (needs or "").strip()
    found.updated_at = utcnow()
    db.session.flush()
    return found


# Who the door checks in (or undoes) for a registration: the participant and their companion
# together, or one of the two when they arrive apart.
WHO = ("both", "participant", "companion")


def _who(found: Registration, who: str) -> tuple[bool, bool]:
    """(the participant, the companion) that ``who`` means for this registration."""
    if who not in WHO:
        raise ActionRefused("who")
    return who != "companion", found.companion and who != "participant"


def check_in(gathering: Gathering, registration_id: int, *, now: datetime | None = None,
             who: str = "both") -> Registration:
    """Mark a confirmed participant (and by default their companion) as arrived; twice keeps the first time."""
    found = registration_of(gathering, registration_id)
    if found.status == "waitlisted":
        raise ActionRefused("waiting")
    if found.status != "confirmed":
        raise ActionRefused("cancelled")
    participant, companion = _who(found, who)
    if who == "companion" and not found.companion:
        raise ActionRefused("no_companion")
    now = now or utcnow()
    if participant and found.checked_in_at is None:
        found.checked_in_at = now
    if companion and found.companion_checked_in_at is None:
        found.companion_checked_in_at = now
    db.session.flush()
    return found


def undo_check_in(gathering: Gathering, registration_id: int, *, who: str = "both") -> Registration:
    found = registration_of(gathering, registration_id)
    participant, companion = _who(found, who)
    if participant:
        found.checked_in_at = None
    if companion or not found.companion:
        found.companion_checked_in_at = None
    db.session.flush()
    return found


def admit(gathering: Gathering, registration_id: int, *, now: datetime | None = None) -> Registration:
    """Someone on the waiting list is at the door and the organiser lets them in."""
    now = now or utcnow()
    found = registration_of(gathering, registration_id)
    if found.status == "waitlisted":
        registration.promote(gathering, found.id, now=now)
    return check_in(gathering, found.id, now=now)


@dataclass
class WalkInResult:
    registration: Registration
    created: bool
    checked_in: bool


def walk_in(gathering: Gathering, applicant: registration.Applicant, *,
            now: datetime | None = None) -> WalkInResult:
    """Register someone at the door and check them in when there is a seat.

    When the gathering is full the person goes on the waiting list like anyone
    else and is not checked in: the organiser decides (``admit``) whether to
    go beyond capacity.
    """
    now = now or utcnow()
    result = registration.register(gathering, applicant, source=RegistrationSource.WALK_IN, now=now)
    found = result.registration
    checked = False
    if found.status == "confirmed":
        check_in(gathering, found.id, now=now)
        checked = True
    return WalkInResult(found, result.created, checked)


# -- messages -----------------------------------------------------------------

def message_registrants(gathering: Gathering, audience: str, subject: str, body: str, sender_name: str, *,
                        sender=None, now: datetime | None = None) -> int:
    """Queue an organiser's message for everyone in ``audience`` (sent after the commit); returns how many.

    Who is in an audience is decided in ``listing`` (its ``audience_size`` is the count the form shows).
    The message goes into the gathering's history (``GatheringMessage``) with the number it reached and
    ``sender``, the organiser who sent it.
    """
    if not listing.is_audience(gathering, audience):
        raise ActionRefused("audience")
    from ..mail.services import queue_organiser_message  # the mail area owns the outbox

    count = queue_organiser_message(gathering, listing.recipients(gathering, audience), subject, body, sender_name)
    workshop_id = listing.workshop_of_audience(gathering, audience)
    workshop = db.session.get(Workshop, workshop_id) if workshop_id is not None else None
    db.session.add(GatheringMessage(
        gathering_id=gathering.id, sent_at=now or utcnow(), sender_id=getattr(sender, "id", None),
        sender_email=getattr(sender, "email", "") or "", sender_name=(sender_name or "").strip()[:100],
        audience=MessageAudience.WORKSHOP if workshop else audience, workshop_title=workshop.title[:200] if workshop else "",
        subject=(subject or "").strip()[:150], body=(body or "").strip(), recipient_count=count))
    db.session.flush()
    return count


def message_history(gathering: Gathering) -> list[GatheringMessage]:
    """The messages sent to this gathering's registrants, the latest first."""
    return list(db.session.scalars(sa.select(GatheringMessage).where(GatheringMessage.gathering_id == gathering.id)
                                   .order_by(GatheringMessage.sent_at.desc(), GatheringMessage.id.desc())))


def group_fill(gathering: Gathering, avail: registration.Availability) -> list[tuple[str, registration.Seats]]:
    """Allotment fill of a mixed session, in the fixed group order."""
    if not gathering.is_mixed:
        return []
    return [(group, avail.groups[group]) for group in PerspectiveGroup if group in avail.groups]
