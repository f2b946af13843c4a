"""Mail about a person's own programme: their workshops in every message about their seat, and the messages
the programme's changes cause (a seat in the workshop they waited for, an organiser's move, a new time or room).

The receivers listen to programme/signals.py and, like those in services.py, only queue outbox rows in the
transaction of the change; the sender renders them later from the registration as it is then. A message that
brings an updated invitation first raises the gathering's SEQUENCE (``Gathering.touch``), so calendars take the
new REQUEST over the one they hold: the programme's services do not, as most of their changes (a choice at
registration, a seat taken) change nobody's invitation.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from ..catalogue.models import Gathering
from ..extensions import db
from ..i18n import clock_time
from ..programme.models import ChoiceStatus, WorkshopChoice
from ..programme.queries import programme_of
from ..registration.models import Registration, RegistrationStatus


def own_programme(registration: Registration) -> list[dict]:
    """The registration's programme for a message's template (templates/mail/_programme.*): per part its times,
    title, and in a round the workshop, room, and whether they sit in it, wait for it (with their place in its
    line) or wait for the day. Empty without a programme."""
    return [{
        "times": f"{clock_time(item.starts_at)}–{clock_time(item.ends_at)}",
        "title": item.part.title,
        "is_round": item.is_round,
        "workshop": item.workshop.title if item.workshop is not None else "",
        "room": item.room,
        "status": item.status or "",
        "position": item.position,
    } for item in programme_of(registration)]


def _raise_sequence_once(gathering: Gathering) -> None:
    """SEQUENCE up by one per transaction, however many people in it get an updated invitation."""
    transaction = db.session().get_transaction()
    raised = db.session.info.setdefault("programme_sequence_raised", {})
    if raised.get(gathering.id) is not transaction:
        raised[gathering.id] = transaction
        gathering.touch(attendee_relevant=True)


def _queue(kind: str, registration: Registration, subject_text, request_invitation: bool, **facts) -> None:
    from .services import language_of, queue_for_registration

    confirmed = registration.status == RegistrationStatus.CONFIRMED
    if request_invitation and confirmed:
        _raise_sequence_once(registration.gathering)
    with force_locale(language_of(registration)):  # the subject is written now, the bodies when sent
        subject = subject_text()
    queue_for_registration(kind, registration, subject=subject,
                           ics_method="REQUEST" if request_invitation and confirmed else None, **facts)


# -- receivers ----------------------------------------------------------------------------------------------------

def on_workshop_promoted(choice: WorkshopChoice, **_kw) -> None:
    """A seat freed in the workshop they waited for, and it is theirs: a message with the updated invitation."""
    registration, workshop = choice.registration, choice.workshop
    _queue("workshop_promoted", registration,
           lambda: _("Er is een plek in de werkplaats voor u: %(workshop)s", workshop=workshop.title),
           True, workshop_title=workshop.title, workshop_room=workshop.room, round_title=choice.part.title)


def on_choice_moved(registration: Registration, round_title: str = "", from_title: str | None = None,
                    to_title: str | None = None, status: str | None = None, reason: str = "moved", **_kw) -> None:
    """An organiser moved them to another workshop, or removed their workshop or its round."""
    _queue("choice_moved", registration,
           lambda: _("Uw werkplaats is veranderd: %(title)s", title=registration.gathering.title),
           True, round_title=round_title, from_title=from_title, to_title=to_title,
           status=str(status) if status else None, reason=reason)


def on_programme_changed(gathering: Gathering, workshops: Iterable[int] = (), what: str = "", part=None,
                         **_kw) -> None:
    """An organiser changed the programme (``programme.organise_services.programme_changed``): after a new time
    for a round, or a new title or room for a workshop, everyone who sits in or waits for one of ``workshops``
    gets the message with their updated invitation."""
    workshop_ids = list(workshops or ())
    if not workshop_ids or what == "programme_moved":
        # Nobody's workshop changed (a part added, a plenary part's title ...), or the programme moved with
        # the gathering's own time, whose change mail (gathering_changed) tells everyone, with their programme.
        return
    people = list(db.session.scalars(
        sa.select(Registration).join(WorkshopChoice, WorkshopChoice.registration_id == Registration.id)
        .where(Registration.gathering_id == gathering.id, WorkshopChoice.workshop_id.in_(workshop_ids),
               WorkshopChoice.status.in_((ChoiceStatus.SEATED, ChoiceStatus.WAITING)),
               Registration.status == RegistrationStatus.CONFIRMED)
        .distinct().order_by(Registration.id)))
    for registration in people:
        _queue("programme_changed", registration,
               lambda: _("Uw programma is veranderd: %(title)s", title=gathering.title),
               True, what=what or "", round_title=part.title if part is not None else "")


def register_listeners() -> None:
    from ..programme import signals
    from ..programme.organise_services import programme_changed

    signals.workshop_promoted.connect(on_workshop_promoted, weak=False)
    signals.choice_moved.connect(on_choice_moved, weak=False)
    programme_changed.connect(on_programme_changed, weak=False)
