"""A participant changes their own registration (``/r/<token>/edit``).

Kept apart from ``services`` (which decides registering, promotion and
cancelling) but deciding by the same rules, under the same lock: the caller
gives the gathering write-locked (``require_write_lock``), this module reads the
registration again under that lock, flushes and never commits.

What a change may do to a seat:

- A confirmed registration stays confirmed. What needs another seat (a
  companion added; another perspective group in a mixed session) is decided
  here: when no seat is free, ``ChangeRefused`` is raised before anything is
  written, so the participant keeps exactly what they had.
- What frees a seat (a companion removed; the seats in the group left behind)
  goes at once to the first in line who fits, with the usual promotion mail.
- A waiting registration keeps its place in line (the moment it joined the list)
  whatever it changes; it then waits for the seats it now needs. When the
  change makes it fit a free seat (a companion removed while one seat is free,
  or a group with free seats), it is promoted at once like anyone first in line
  who fits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..catalogue.models import Gathering, RegistrationState
from ..extensions import db
from ..timeutil import utcnow
from . import signals
from .models import Registration, RegistrationStatus
from .perspectives import PERSPECTIVES, group_of
from .services import _fill_from_waitlist, _locked_registration, availability

# The fields a participant may change, in the form's order (the e-mail address is not among them:
# cancel and register again).
FIELDS = ("name", "organisation", "needs", "perspective", "companion", "companion_name")

# A change in these makes the participant's own invitation show something new (the ATTENDEE's name).
INVITATION_FIELDS = ("name",)

# The gathering's states in which a registration can still be changed.
OPEN_FOR_CHANGES = (RegistrationState.OPEN, RegistrationState.NOT_YET_OPEN, RegistrationState.CLOSED)


class ChangeRefused(Exception):
    """The change is not made; nothing was written. ``field`` is the form field the message belongs to."""

    MESSAGES = {
        "registration_cancelled": _l("Deze aanmelding is geannuleerd. U kunt haar niet meer wijzigen. "
                        "Wilt u toch komen? Meld u dan opnieuw aan."),
        RegistrationState.PAST: _l("Deze bijeenkomst is al geweest. U kunt uw aanmelding niet meer wijzigen."),
        RegistrationState.CANCELLED: _l("Deze bijeenkomst gaat niet door. U kunt uw aanmelding niet meer wijzigen."),
        RegistrationState.DRAFT: _l("Deze bijeenkomst is nog niet gepubliceerd."),
        "perspective_required": _l("Kies uw perspectief. Bij deze bijeenkomst hangt uw plek daarvan af."),
        "companion_full": _l("Er is geen plek meer vrij voor een begeleider. Uw aanmelding is niet gewijzigd: "
                             "u houdt uw eigen plek."),
        "group_full": _l("Voor dit perspectief is geen plek meer vrij. Uw aanmelding is niet gewijzigd: "
                         "u houdt uw plek."),
    }
    FIELDS = {"perspective_required": "perspective", "companion_full": "companion", "group_full": "perspective"}

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def field(self) -> str | None:
        """The form field this is about; None: about the registration or the gathering as a whole."""
        return self.FIELDS.get(self.reason)

    @property
    def closed(self) -> bool:
        """The registration cannot be changed at all any more (not: this change does not fit)."""
        return self.field is None

    @property
    def message(self) -> str:
        return str(self.MESSAGES.get(self.reason, _l("Wijzigen kan nu niet.")))


@dataclass
class Changes:
    """What the participant's form says now (all fields, changed or not)."""

    name: str
    organisation: str = ""
    needs: str = ""
    perspective: str | None = None
    companion: bool = False
    companion_name: str = ""


@dataclass
class ChangeResult:
    registration: Registration
    changed: list[str] = field(default_factory=list)  # of FIELDS, in their order
    promoted: list[Registration] = field(default_factory=list)  # who got a seat this change freed (or itself)

    @property
    def seated(self) -> bool:
        """The change gave this (waiting) registration a seat."""
        return self.registration in self.promoted


def closed_reason(gathering: Gathering, registration: Registration, now: datetime | None = None) -> str | None:
    """Why this registration cannot be changed now (a ``ChangeRefused`` reason), or None."""
    if registration.status == RegistrationStatus.CANCELLED:
        return "registration_cancelled"
    state = gathering.registration_state(now)
    return None if state in OPEN_FOR_CHANGES else str(state)


def change_registration(gathering: Gathering, registration_id: int, changes: Changes, *,
                        now: datetime | None = None) -> ChangeResult:
    """Change a registration of the write-locked ``gathering`` to ``changes``; ``ChangeRefused`` when it cannot be.

    Returns what changed and who was promoted into a seat it freed. Nothing
    changed: nothing is written and no mail is sent.
    """
    registration = _locked_registration(gathering, registration_id)
    now = now or utcnow()  # under the lock, as in services.register()
    reason = closed_reason(gathering, registration, now)
    if reason is not None:
        raise ChangeRefused(reason)
    perspective = changes.perspective if changes.perspective in PERSPECTIVES else None
    group = group_of(perspective)
    if gathering.is_mixed and group is None:
        raise ChangeRefused("perspective_required")
    wanted = {
        "name": changes.name.strip(),
        "organisation": (changes.organisation or "").strip(),
        "needs": (changes.needs or "").strip(),
        "perspective": perspective,
        "companion": bool(changes.companion),
        "companion_name": (changes.companion_name or "").strip() if changes.companion else "",
    }
    changed = [name for name in FIELDS if getattr(registration, name) != wanted[name]]
    if not changed:
        return ChangeResult(registration)

    frees_seats = _decide_seats(gathering, registration, group, 2 if wanted["companion"] else 1)

    for name in changed:
        setattr(registration, name, wanted[name])
    registration.perspective_group = group
    if "needs" in changed:
        registration.needs_changed_at = now
    invitation_changed = (registration.status == RegistrationStatus.CONFIRMED
                          and any(name in INVITATION_FIELDS for name in changed))
    if invitation_changed:
        registration.invitation_changed_at = now
    registration.updated_at = now
    db.session.flush()

    promoted: list[Registration] = []
    if frees_seats or registration.status == RegistrationStatus.WAITLISTED:
        promoted = _fill_from_waitlist(gathering, now)
    signals.registration_changed.send(registration, changed=changed, invitation_changed=invitation_changed)
    return ChangeResult(registration, changed, promoted)


def _decide_seats(gathering: Gathering, registration: Registration, group: str | None, people: int) -> bool:
    """Whether the change fits; raise ``ChangeRefused`` when it needs a seat that is not free.

    Returns whether it frees seats (which then go to who waits). Only a confirmed
    registration holds seats; a waiting one waits for what it asks for now.
    """
    if registration.status != RegistrationStatus.CONFIRMED:
        return False
    held = registration.people
    moves = gathering.is_mixed and group != registration.perspective_group
    if moves:
        avail = availability(gathering)
        # The seats held in the old group are counted as given up only in the total; the new group
        # must have room for everyone who comes.
        if avail.groups[group].seats_left < people or avail.total.seats_left + held < people:
            raise ChangeRefused("group_full")
        return True
    if people > held:
        if not availability(gathering).fits(group if gathering.is_mixed else None, people - held):
            raise ChangeRefused("companion_full")
        return False
    return people < held
