"""The seat-keeping every programme service shares: counts read once under the lock, a choice's states, promotion.

Used by services.py (participants) and moves.py (organisers); nothing here checks the lock:
their public functions do, before they call in.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..catalogue.models import Gathering
from ..extensions import db
from ..registration.models import Registration, RegistrationStatus
from . import signals
from .models import ChoiceStatus, PartKind, ProgrammePart, WorkshopChoice
from .queries import seats


def rounds_locked(gathering: Gathering) -> list[ProgrammePart]:
    """The gathering's rounds with their workshops, read fresh (the organiser may have changed them)."""
    return list(db.session.scalars(
        sa.select(ProgrammePart)
        .where(ProgrammePart.gathering_id == gathering.id, ProgrammePart.kind == PartKind.ROUND)
        .order_by(ProgrammePart.starts_at, ProgrammePart.id)
        .options(joinedload(ProgrammePart.workshops))  # one statement: it runs for every registration
        .execution_options(populate_existing=True)).unique())


def choices_of(registration: Registration) -> dict[int, WorkshopChoice]:
    if registration.id is None:
        return {}
    return {c.part_id: c for c in db.session.scalars(
        sa.select(WorkshopChoice).where(WorkshopChoice.registration_id == registration.id)
        .execution_options(populate_existing=True))}


class Ledger:
    """Seated people per workshop as read once under the lock, kept up to date by this module's own changes."""

    def __init__(self, gathering: Gathering):
        self.capacity: dict[int, int] = {}
        self.seated: dict[int, int] = {}
        for workshop_id, info in seats(gathering).items():
            self.capacity[workshop_id] = info.capacity
            self.seated[workshop_id] = info.seated

    def left(self, workshop_id: int) -> int:
        return max(self.capacity.get(workshop_id, 0) - self.seated.get(workshop_id, 0), 0)

    def fits(self, workshop_id: int, people: int) -> bool:
        return self.left(workshop_id) >= people

    def take(self, workshop_id: int, people: int) -> None:
        self.seated[workshop_id] = self.seated.get(workshop_id, 0) + people

    def free(self, workshop_id: int, people: int) -> None:
        self.seated[workshop_id] = max(self.seated.get(workshop_id, 0) - people, 0)


# -- one choice's states --------------------------------------------------------------------------------------


def seat(choice: WorkshopChoice, ledger: Ledger, people: int, now: datetime) -> None:
    choice.status = ChoiceStatus.SEATED
    choice.seated_at = now
    ledger.take(choice.workshop_id, people)


def wait(choice: WorkshopChoice, now: datetime) -> None:
    choice.status = ChoiceStatus.WAITING
    choice.waiting_since = now
    choice.seated_at = None


def decide(choice: WorkshopChoice, registration: Registration, ledger: Ledger, now: datetime) -> None:
    """A choice of a workshop: seated if the registration has the day's seat and the workshop room, else it waits."""
    if choice.workshop_id is None:
        choice.status = ChoiceStatus.NONE
        choice.waiting_since = choice.seated_at = None
    elif registration.status != RegistrationStatus.CONFIRMED:
        choice.status = ChoiceStatus.PENDING
        choice.waiting_since = choice.seated_at = None
    elif ledger.fits(choice.workshop_id, registration.people):
        seat(choice, ledger, registration.people, now)
    else:
        wait(choice, now)


def fill(gathering: Gathering, workshop_ids: Iterable[int], ledger: Ledger, now: datetime) -> list[WorkshopChoice]:
    """Give the free seats of ``workshop_ids`` to who waits for them: first come, first served, skipping who does not fit."""
    promoted: list[WorkshopChoice] = []
    for workshop_id in sorted(set(w for w in workshop_ids if w is not None)):
        if ledger.left(workshop_id) <= 0:
            continue
        line = db.session.execute(
            sa.select(WorkshopChoice, Registration.people)
            .join(Registration, Registration.id == WorkshopChoice.registration_id)
            .where(WorkshopChoice.workshop_id == workshop_id, WorkshopChoice.status == ChoiceStatus.WAITING,
                   Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(WorkshopChoice.waiting_since, WorkshopChoice.id)
            .execution_options(populate_existing=True)).all()
        for choice, people in line:
            if ledger.left(workshop_id) <= 0:
                break
            if ledger.fits(workshop_id, people):
                seat(choice, ledger, people, now)
                promoted.append(choice)
    if promoted:
        db.session.flush()
        for choice in promoted:
            signals.workshop_promoted.send(choice)
    return promoted
