"""Workshop seats: who sits where in each round, who waits for which workshop, and who moves.

Rules (docs/product.md, Programme):

- The seat for the day is decided first (``registration.services.register``); then,
  per round, ``choose`` gives a seat in the chosen workshop when one is free for
  all the registration's people (``Registration.people``: a companion sits beside the
  participant), else a place in that workshop's waiting line (first come, first
  served by ``waiting_since``). A registration that waits for the day keeps its
  choices as ``pending``: they are decided when it gets the day's seat.
- A seat that frees (a cancellation, a change, an organiser's move, a grown
  workshop) goes at once to the first in that workshop's line who fits, then the
  next, while seats are left; each promoted choice sends ``signals.workshop_promoted``.
- Nobody loses a seat by a change they did not confirm: ``change_choices`` refuses
  a full workshop to someone who holds a seat in that round unless ``wait_if_full``.

Every function that writes takes the gathering already write-locked by its caller
(``catalogue.services.lock_gathering`` / ``get_visible_gathering(..., write_lock=True)``
inside a unit of work), checks it (``require_write_lock``), flushes and never commits.
``now`` is read under that lock (default ``utcnow()``), so the waiting lines' order is
the order in which things were decided.

The registration's own life (confirmed, promoted to the day, cancelled) reaches this
module through registration/signals.py: ``register_listeners`` connects the receivers
at the bottom of this file; they run under the lock of the service that sent them.
Reading helpers (``seats``, ``programme_of``, ``timetable``) live in ``queries.py``, the
organisers' moves (``move``, ``remove_workshop``, ``remove_round``) in ``moves.py``; both are
re-exported here, so callers use ``programme.services`` alone.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..catalogue.models import Gathering
from ..database import require_write_lock
from ..extensions import db
from ..registration.models import Registration, RegistrationStatus
from ..timeutil import utcnow
from .models import ChoiceStatus, ProgrammePart, Workshop, WorkshopChoice
from .seating import Ledger, choices_of, decide, fill, rounds_locked  # noqa: F401  (choices_of re-exported)
from .moves import WorkshopFull, move, remove_round, remove_workshop  # noqa: F401  (re-exported)
from .queries import (  # noqa: F401  (re-exported: the services' public reading side)
    OwnPart, WorkshopSeats, TimetablePart, TimetableWorkshop, programme_of, rounds_of, seats, timetable, waiting_position)
from .brief import RoundBrief


class ChoiceRefused(Exception):
    """Some round's choice cannot be taken. ``errors``: {round id: a message for a person, in Dutch source}.

    Nothing of the call was written (the caller's unit of work rolls back, or the service
    checks everything before it writes).
    """

    REQUIRED = _l("Kies een werkplaats voor deze ronde.")
    UNKNOWN = _l("Deze werkplaats hoort niet bij deze ronde. Kies een van de werkplaatsen.")
    FULL_KEEPS_SEAT = _l("Deze werkplaats is vol. U houdt uw plek in uw huidige werkplaats, "
                         "tenzij u kiest voor de wachtlijst.")
    CANCELLED = _l("Deze aanmelding is geannuleerd.")

    def __init__(self, errors: Mapping[int, object]):
        super().__init__(dict(errors))
        self.errors = dict(errors)


def locked_registration(gathering: Gathering, registration_id: int) -> Registration:
    """The registration read again under the gathering's lock (its status may have changed); LookupError if not of it."""
    require_write_lock(gathering)
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration is None or registration.gathering_id != gathering.id:
        raise LookupError(registration_id)
    return registration


# -- participants ---------------------------------------------------------------------------------------------


def check_choices(rounds: list[ProgrammePart] | list[RoundBrief],
                  choices: Mapping[int, int | None]) -> dict[int, Workshop | None]:
    """Each round's chosen Workshop (or WorkshopBrief, from RoundBriefs) (None: no workshop, in an optional round); ChoiceRefused for any mistake."""
    errors: dict[int, object] = {}
    chosen: dict[int, Workshop | None] = {}
    for part in rounds:
        wanted = choices.get(part.id)
        if wanted is None:
            if part.optional or not part.workshops:
                chosen[part.id] = None
            else:
                errors[part.id] = ChoiceRefused.REQUIRED
            continue
        workshop = next((w for w in part.workshops if w.id == wanted), None)
        if workshop is None:
            errors[part.id] = ChoiceRefused.UNKNOWN
        else:
            chosen[part.id] = workshop
    if errors:
        raise ChoiceRefused(errors)
    return chosen


def _apply(gathering: Gathering, registration: Registration, choices: Mapping[int, int | None], now: datetime | None,
           *, keep_seats: bool, new: bool = False) -> list[WorkshopChoice]:
    require_write_lock(gathering)
    if registration.gathering_id != gathering.id:
        raise LookupError(registration.id)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ChoiceRefused({0: ChoiceRefused.CANCELLED})
    now = now or utcnow()
    rounds = rounds_locked(gathering)
    if not rounds:
        return []
    chosen = check_choices(rounds, choices)
    existing = {} if new else choices_of(registration)
    ledger = Ledger(gathering)
    people = registration.people
    if keep_seats:
        full = {part_id: ChoiceRefused.FULL_KEEPS_SEAT for part_id, workshop in chosen.items()
                if (old := existing.get(part_id)) is not None and old.status == ChoiceStatus.SEATED
                and workshop is not None and workshop.id != old.workshop_id
                and registration.status == RegistrationStatus.CONFIRMED
                and not ledger.fits(workshop.id, people)}
        if full:
            raise ChoiceRefused(full)
    freed: list[int] = []
    result = []
    for part in rounds:
        workshop = chosen[part.id]
        workshop_id = workshop.id if workshop is not None else None
        choice = existing.get(part.id)
        if choice is not None and choice.workshop_id == workshop_id and choice.status != ChoiceStatus.PENDING:
            result.append(choice)  # unchanged: keeps its seat or its place in line
            continue
        if choice is None:
            choice = WorkshopChoice(registration_id=registration.id, part_id=part.id)
            db.session.add(choice)
        elif choice.status == ChoiceStatus.SEATED and choice.workshop_id is not None:
            ledger.free(choice.workshop_id, people)
            freed.append(choice.workshop_id)
        choice.workshop_id = workshop_id
        decide(choice, registration, ledger, now)
        result.append(choice)
    db.session.flush()
    fill(gathering, freed, ledger, now)
    return result


def choose(gathering: Gathering, registration: Registration, choices: Mapping[int, int | None],
           now: datetime | None = None, *, new: bool = False) -> list[WorkshopChoice]:
    """Store the registration's choice for every round of the write-locked ``gathering``; returns them in time order.

    ``choices``: {round id: workshop id, or None for "geen werkplaats"}. A round left out counts
    as None. A confirmed registration gets, per round, a seat in its workshop when one is free for
    all its people, else a place in the workshop's waiting line (``waiting_since = now``); one that
    waits for the day gets ``pending`` choices (decided when it gets the day's seat). Raises
    ``ChoiceRefused`` (nothing written) when a required round has no workshop or a workshop is not
    of its round. Called by the register view right after ``registration.services.register`` created
    the registration, in the same unit of work. Choosing again works like ``change_choices`` with
    ``wait_if_full=True``. ``new=True``: the registration was created in this unit of work, so it
    has no choices to look up (one statement less in the opening rush).
    """
    return _apply(gathering, registration, choices, now, keep_seats=False, new=new)


def change_choices(gathering: Gathering, registration: Registration, choices: Mapping[int, int | None],
                   now: datetime | None = None, *, wait_if_full: bool = False) -> list[WorkshopChoice]:
    """The participant changes their choices (``/r/<token>/edit``); returns the choices in time order.

    A round whose workshop is unchanged keeps its seat or its place in line. A new workshop gives a
    seat when one is free, else a place at the end of its line; the old seat goes at once to the
    first who waits for it (``signals.workshop_promoted``). Someone who holds a seat in a round and
    picks a full workshop keeps their seat: ``ChoiceRefused`` (FULL_KEEPS_SEAT for that round, and
    nothing written) unless ``wait_if_full`` (they confirmed they would rather wait). Same
    ``ChoiceRefused`` as ``choose`` for a missing or wrong workshop.
    """
    return _apply(gathering, registration, choices, now, keep_seats=not wait_if_full)


def decide_pending(gathering: Gathering, registration: Registration, now: datetime | None = None) -> list[WorkshopChoice]:
    """The registration just got the day's seat: decide its pending choices (seat, or the workshop's line).

    Called by the receiver of ``registration_promoted``; callable directly.
    """
    require_write_lock(gathering)
    if registration.status != RegistrationStatus.CONFIRMED:
        return []
    pending = [c for c in choices_of(registration).values() if c.status == ChoiceStatus.PENDING]
    if not pending:
        return []
    now = now or utcnow()
    ledger = Ledger(gathering)
    for choice in sorted(pending, key=lambda c: c.part_id):
        decide(choice, registration, ledger, now)
    db.session.flush()
    return pending


def release(gathering: Gathering, registration: Registration, now: datetime | None = None) -> list[WorkshopChoice]:
    """The registration was cancelled: its choices go, and each seat it held goes to the first in line who fits.

    Returns who was promoted. Called by the receiver of ``registration_cancelled``.
    """
    require_write_lock(gathering)
    choices = list(choices_of(registration).values())
    if not choices:
        return []
    freed = [c.workshop_id for c in choices if c.status == ChoiceStatus.SEATED]
    for choice in choices:
        db.session.delete(choice)
    db.session.flush()
    if not freed:
        return []
    return fill(gathering, freed, Ledger(gathering), now or utcnow())


def fill_workshops(gathering: Gathering, workshop_ids: Iterable[int] | None = None,
                   now: datetime | None = None) -> list[WorkshopChoice]:
    """Give free seats to who waits (after an organiser raised a workshop's capacity); all workshops when None."""
    require_write_lock(gathering)
    ledger = Ledger(gathering)
    ids = ledger.capacity.keys() if workshop_ids is None else workshop_ids
    return fill(gathering, list(ids), ledger, now or utcnow())


def people_fit(gathering: Gathering, registration: Registration, people: int) -> list[Workshop]:
    """The workshops this registration sits in that have no room for ``people`` of it (for adding a companion).

    Empty when the change fits everywhere. After the change is made, call ``fill_workshops``
    when the registration got smaller (a companion removed), so the freed seat goes to who waits.
    """
    require_write_lock(gathering)
    extra = people - registration.people
    if extra <= 0:
        return []
    ledger = Ledger(gathering)
    return [c.workshop for c in choices_of(registration).values()
            if c.status == ChoiceStatus.SEATED and c.workshop_id is not None and not ledger.fits(c.workshop_id, extra)]


# -- the registration's life (registration/signals.py) -------------------------------------------------------


def _locked_gathering_of(registration: Registration) -> Gathering:
    gathering = registration.gathering
    require_write_lock(gathering)  # the registration service that sent the signal holds it
    return gathering


def on_registration_got_seat(registration: Registration, **_kw) -> None:
    if registration.id is None or not _has_choices(registration):
        return
    decide_pending(_locked_gathering_of(registration), registration)


def on_registration_cancelled(registration: Registration, **_kw) -> None:
    if not _has_choices(registration):
        return
    release(_locked_gathering_of(registration), registration)


def on_registration_changed(registration: Registration, changed=(), **_kw) -> None:
    """A companion removed (/r/<token>/edit): the seat it held in each workshop goes to who waits.

    A companion added must have been checked before the change was made (``people_fit``):
    this runs after it, when refusing is too late.
    """
    if "companion" not in changed or registration.companion or not _has_choices(registration):
        return
    gathering = _locked_gathering_of(registration)
    seated = [c.workshop_id for c in choices_of(registration).values() if c.status == ChoiceStatus.SEATED]
    if seated:
        fill_workshops(gathering, seated)


def _has_choices(registration: Registration) -> bool:
    # Cheap for gatherings without a programme: one indexed look-up, no lock check needed.
    return db.session.scalar(sa.select(sa.exists().where(WorkshopChoice.registration_id == registration.id)))


def register_listeners() -> None:
    """Connect the receivers to registration's signals (called by the app factory); connecting twice changes nothing."""
    from ..registration import signals as registration_signals

    # weak=False: module functions; blinker keeps one connection per receiver.
    # Not registration_confirmed: it is sent by register() for a registration that has no choices yet
    # (the view calls choose() next); listening would cost every registration of the rush a query.
    registration_signals.registration_promoted.connect(on_registration_got_seat, weak=False)
    registration_signals.registration_cancelled.connect(on_registration_cancelled, weak=False)
    # Sent by the participant's own change (/r/<token>/edit) where that is built.
    changed_signal = getattr(registration_signals, "registration_changed", None)
    if changed_signal is not None:
        changed_signal.connect(on_registration_changed, weak=False)
