"""What organisers do with people's workshops: move someone, remove a workshop or a round (and tell those affected).

Same terms as services.py: the gathering write-locked by the caller, flush, never commit.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..catalogue.models import Gathering
from ..database import require_write_lock
from ..extensions import db
from ..registration.models import Registration, RegistrationStatus
from ..timeutil import utcnow
from . import signals
from .models import ChoiceStatus, PartKind, ProgrammePart, Workshop, WorkshopChoice
from .seating import Ledger, choices_of, decide, fill, seat, wait


class WorkshopFull(Exception):
    """``move`` into a workshop with no seat for this registration's people (organisers may confirm going over)."""

    def __init__(self, workshop: Workshop, seats_left: int):
        super().__init__(workshop.id)
        self.workshop = workshop
        self.seats_left = seats_left



def _moved(registration: Registration, part: ProgrammePart, before: Workshop | None, after: Workshop | None,
           status: str | None, reason: str) -> None:
    signals.choice_moved.send(
        registration, round_title=part.title, round_starts_at=part.starts_at,
        from_title=before.title if before is not None else None,
        to_title=after.title if after is not None else None, status=status, reason=reason)


def move(gathering: Gathering, registration: Registration, part: ProgrammePart, workshop: Workshop | None,
         allow_over: bool = False, now: datetime | None = None) -> WorkshopChoice:
    """An organiser puts the registration in ``workshop`` for round ``part`` (None: no workshop).

    A confirmed registration is seated there (ahead of the workshop's line: the organiser
    decides); ``WorkshopFull`` when its people do not fit, unless ``allow_over`` (the organiser
    confirmed going over capacity). One that waits for the day gets the choice as pending. Its
    old seat goes to the first in line who fits. Sends ``signals.choice_moved`` (reason "moved").
    """
    require_write_lock(gathering)
    if part.gathering_id != gathering.id or part.kind != PartKind.ROUND:
        raise LookupError(part.id)
    if workshop is not None and workshop.part_id != part.id:
        raise LookupError(workshop.id)
    if registration.gathering_id != gathering.id or registration.status == RegistrationStatus.CANCELLED:
        raise LookupError(registration.id)
    now = now or utcnow()
    ledger = Ledger(gathering)
    people = registration.people
    choice = choices_of(registration).get(part.id)
    before = choice.workshop if choice is not None else None
    if choice is not None and choice.workshop_id == (workshop.id if workshop else None) \
            and choice.status in (ChoiceStatus.SEATED, ChoiceStatus.PENDING, ChoiceStatus.NONE):
        return choice  # already there
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    if workshop is not None and confirmed and not allow_over and not ledger.fits(workshop.id, people):
        raise WorkshopFull(workshop, ledger.left(workshop.id))
    freed = None
    if choice is None:
        choice = WorkshopChoice(registration_id=registration.id, part_id=part.id)
        db.session.add(choice)
    elif choice.status == ChoiceStatus.SEATED and choice.workshop_id is not None:
        ledger.free(choice.workshop_id, people)
        freed = choice.workshop_id
    choice.workshop_id = workshop.id if workshop is not None else None
    choice.workshop = workshop
    if workshop is not None and confirmed:
        seat(choice, ledger, people, now)  # over capacity when the organiser allowed it
    else:
        decide(choice, registration, ledger, now)
    db.session.flush()
    _moved(registration, part, before, workshop, choice.status, "moved")
    if freed is not None:
        fill(gathering, [freed], ledger, now)
    return choice


def _registrations_in(choices: list[WorkshopChoice]) -> dict[int, Registration]:
    ids = {c.registration_id for c in choices}
    if not ids:
        return {}
    return {r.id: r for r in db.session.scalars(sa.select(Registration).where(Registration.id.in_(ids)))}


def remove_workshop(gathering: Gathering, workshop: Workshop, move_to: Workshop | None = None,
                    now: datetime | None = None) -> list[WorkshopChoice]:
    """Remove ``workshop``; who chose it goes to ``move_to`` (another workshop of its round) or to no workshop.

    With ``move_to``: who sat in the workshop gets a seat there while seats are free (in the
    order they got theirs), the others join its line; who waited joins its line keeping their
    ``waiting_since``; pending choices stay pending. Without: every choice becomes "no workshop"
    (status none; the participant may choose again). Each person is told
    (``signals.choice_moved``, reason "workshop_removed"). Returns the moved choices.
    """
    require_write_lock(gathering)
    part = workshop.part
    if part.gathering_id != gathering.id:
        raise LookupError(workshop.id)
    if move_to is not None and (move_to.part_id != part.id or move_to.id == workshop.id):
        raise LookupError(move_to.id)
    now = now or utcnow()
    choices = list(db.session.scalars(
        sa.select(WorkshopChoice).where(WorkshopChoice.workshop_id == workshop.id)
        .order_by(WorkshopChoice.seated_at, WorkshopChoice.waiting_since, WorkshopChoice.id)))
    registrations = _registrations_in(choices)
    ledger = Ledger(gathering)
    order = {ChoiceStatus.SEATED: 0, ChoiceStatus.WAITING: 1}
    for choice in sorted(choices, key=lambda c: order.get(c.status, 2)):
        registration = registrations[choice.registration_id]
        was_seated = choice.status == ChoiceStatus.SEATED
        choice.workshop_id = move_to.id if move_to is not None else None
        choice.workshop = move_to
        if move_to is None:
            choice.status = ChoiceStatus.NONE
            choice.waiting_since = choice.seated_at = None
        elif choice.status == ChoiceStatus.PENDING:
            pass
        elif was_seated and ledger.fits(move_to.id, registration.people):
            seat(choice, ledger, registration.people, now)
        elif was_seated:
            wait(choice, now)
        # a waiting choice keeps its waiting_since: the lines merge in the order people joined them
    db.session.flush()
    for choice in choices:
        _moved(registrations[choice.registration_id], part, workshop, move_to, choice.status, "workshop_removed")
    db.session.delete(workshop)
    db.session.flush()
    if move_to is not None:
        fill(gathering, [move_to.id], ledger, now)
    return choices


def remove_round(gathering: Gathering, part: ProgrammePart) -> int:
    """Remove a part of the programme (a round with its workshops, or a plenary part); who had a workshop is told.

    Each registration with a workshop in the round gets ``signals.choice_moved`` (reason
    "round_removed", status None) before its choice goes. Returns how many were told.
    """
    require_write_lock(gathering)
    if part.gathering_id != gathering.id:
        raise LookupError(part.id)
    choices = list(db.session.scalars(
        sa.select(WorkshopChoice).where(WorkshopChoice.part_id == part.id, WorkshopChoice.workshop_id.is_not(None))
        .options(selectinload(WorkshopChoice.workshop))))
    registrations = _registrations_in(choices)
    for choice in choices:
        _moved(registrations[choice.registration_id], part, choice.workshop, None, None, "round_removed")
    db.session.delete(part)
    db.session.flush()
    return len(choices)
