"""Queue mail: every message is an outbox row, written in the transaction of the change that caused it.

The receivers below listen to the registration and catalogue signals (connected
in ``register_listeners``) and only ``flush``: the caller's commit decides
whether the change and its mail both happen or neither.

A message about a registration is queued unrendered: the row has its subject,
addresses and kind, and its own facts (a waiting-list position, an organiser's
words ...) as JSON in ``context``. Rendering is the costly part, and these
receivers run while registration holds the gathering's lock. ``sender.py``
renders such a row at its first claim (``render_queued``: links on ``BASE_URL``),
keeps the bodies on the row, then delivers it.

Every message to a participant is in their language: the registration's
``language`` (the page they registered on), stored with the row when it is
queued (``language`` in its context), so that its subject (written when queued),
bodies, invitation and Content-Language agree. Messages about an
address rather than a registration (the /my access link) are queued with
``queue_for_address`` and rendered in the sender by their kind's renderer.
Nothing is rendered in the request; all goes through ``render_bodies``.
"""
from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..catalogue.models import Gathering
from ..catalogue.services import contact_of
from ..extensions import db
from ..i18n import when
from ..registration import door_codes
from ..registration.models import LANGUAGES, Registration
from ..registration.services import waitlist_position
from ..timeutil import utcnow
from ..urls import public_url
from .changes import TIME_AND_PLACE, what_changed
from .headers import header_text
from .models import OutboxMessage
from .programme import own_programme

# -- language -------------------------------------------------------------------------------

def language_of(registration: Registration) -> str:
    """The language of every mail to this person: the page they registered on; Dutch when not known."""
    return registration.language if registration.language in LANGUAGES else "nl"


def _language(context: dict) -> str:
    language = context.get("language")
    return language if language in LANGUAGES else "nl"


# -- links and facts shown in every message -------------------------------------------------

def _sender_domain() -> str:
    return _domain_of(current_app.config.get("MAIL_DEFAULT_SENDER") or "")


@functools.lru_cache(maxsize=16)
def _domain_of(sender: str) -> str:
    # Parsed once per sender setting, not for every queued row (the receivers run under the gathering's lock).
    return parseaddr(sender)[1].rpartition("@")[2] or "gatherings.localhost"


def _gathering_context(gathering: Gathering) -> dict:
    place = ", ".join(p for p in (gathering.venue_name, gathering.venue_address, gathering.venue_city) if p)
    return {
        "gathering": gathering,
        "when": when(gathering.starts_at, gathering.ends_at),
        "place": place,
        "online_url": gathering.online_url,
        "gathering_url": public_url("registration.gathering", slug=gathering.slug),
        "organiser": gathering.host.name if gathering.host else _("de organisatie van de bijeenkomst"),
        "contact": contact_of(gathering),
    }


# -- invitations ----------------------------------------------------------------------------

def invitation_for(registration: Registration, method: str, language: str | None = None) -> str:
    """The .ics for this person, from the one iCalendar module (SEQUENCE rules live there).

    Built by the sender, not here: it is the costliest part of a message, and
    the receivers run while registration holds the gathering's lock.
    """
    from ..calendar import ics

    gathering = registration.gathering
    return ics.invitation(gathering, registration, method, organizer_email=contact_of(gathering) or None,
                          language=language or language_of(registration)).decode("utf-8")


# -- rendering ------------------------------------------------------------------------------

def render_bodies(kind: str, subject: str, context: dict, locale: str = "nl") -> tuple[str, str]:
    """templates/mail/<kind>.txt and .html, in Dutch unless ``locale`` says otherwise: the one way every
    message is rendered."""
    context = {"title": subject, **context}
    with force_locale(locale):
        return render_template(f"mail/{kind}.txt", **context), render_template(f"mail/{kind}.html", **context)


def _registration_context(registration: Registration, ics_method: str | None, extras: dict) -> dict:
    gathering = registration.gathering
    with force_locale(_language(extras)):
        context = _gathering_context(gathering)
        programme = own_programme(registration)
    context.update(registration=registration, registration_status=registration.status,
                   manage_url=public_url("registration.show", token=registration.token), ics_method=ics_method,
                   door_code=registration.door_code if door_codes.shows_door_code(registration) else None,
                   own_programme=programme)
    context.update(extras)
    return context


# Kinds of message that are about an address rather than one registration (queued with
# ``queue_for_address``), each rendered by the area that queued it: kind -> render(row) -> (text, html) | None.
_address_renderers: dict[str, Callable[[OutboxMessage], tuple[str, str] | None]] = {}


def register_renderer(kind: str, render: Callable[[OutboxMessage], tuple[str, str] | None]) -> None:
    """``kind`` is rendered by ``render`` (an area's own message about an address). Like every message,
    its bodies and context are emptied once it is sent (``sender._forget_bodies``)."""
    _address_renderers[kind] = render


def render_queued(row: OutboxMessage) -> tuple[str, str] | None:
    """Text and HTML of a row that ``queue_for_registration`` or ``queue_for_address`` wrote unrendered.

    From its registration as it is now, that registration's gathering, and the
    facts stored with the row. None when the registration is gone or was
    anonymised (erased, purged): such a message is never to be sent. A message
    about an address is rendered by its kind's renderer, None meaning the same.
    """
    if row.kind in _address_renderers:
        return _address_renderers[row.kind](row)
    registration = db.session.get(Registration, row.registration_id) if row.registration_id is not None else None
    if registration is None or registration.anonymised_at is not None or not registration.email:
        return None
    extras = json.loads(row.context) if row.context else {}
    return render_bodies(row.kind, row.subject, _registration_context(registration, row.ics_method, extras),
                         locale=_language(extras))


def row_language(row: OutboxMessage) -> str:
    """The language a queued row is written in (its Content-Language): Dutch for rows that do not say."""
    try:
        context = json.loads(row.context) if row.context else {}
    except ValueError:
        return "nl"
    return _language(context) if isinstance(context, dict) else "nl"


def _as_json(extras: dict) -> str:
    """The extras as JSON, refusing what JSON would not give back as it was (a tuple, a datetime ...)."""
    text = json.dumps(extras, ensure_ascii=False, sort_keys=True)
    if json.loads(text) != extras:
        raise TypeError(f"mail context does not survive JSON unchanged: {extras!r}")
    return text


# -- writing outbox rows --------------------------------------------------------------------

def _outbox_row(kind: str, *, to: str, to_name: str, subject: str, body_text: str | None, body_html: str | None,
                context: str | None, registration: Registration | None, gathering: Gathering | None,
                ics_method: str | None, from_name: str | None, reply_to: str, dedupe_key: str | None,
                now: datetime | None) -> OutboxMessage:
    now = now or utcnow()
    message = OutboxMessage(
        kind=kind,
        to_address=to.strip(),
        # Names and subject are kept as they will stand in the headers (see headers.py); the
        # sender cleans them again, for rows written before this was so.
        to_name=header_text(to_name),
        email_key=to.strip().lower(),
        from_name=header_text(from_name) or None,
        reply_to=reply_to,
        subject=header_text(subject, 300),
        body_text=body_text,
        body_html=body_html,
        context=context,
        ics_method=ics_method if registration is not None else None,
        message_id=f"<{kind.replace('_', '-')}.{uuid.uuid4().hex}@{_sender_domain()}>",
        dedupe_key=dedupe_key,
        registration_id=registration.id if registration is not None else None,
        gathering_id=gathering.id if gathering is not None else None,
        status="queued",
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    return message


def queue_for_address(kind: str, *, to: str, subject: str, context: dict,
                      now: datetime | None = None, dedupe_key: str | None = None,
                      reply_to: str | None = None) -> OutboxMessage:
    """Queue ``kind`` for an address, unrendered: the renderer registered for ``kind`` renders it in the sender.

    The same work whatever the address: whether there is anything to tell it is
    decided by the sender, out of sight of whoever asked (the /my access link).
    ``dedupe_key``: a message that must exist at most once (its unique column decides).
    ``reply_to``: who answers (a gathering's contact); the organisation's CONTACT_EMAIL when not given,
    so that a reply never goes to the no-reply sender.
    """
    reply_to = reply_to or current_app.config.get("CONTACT_EMAIL") or ""
    return _outbox_row(kind, to=to, to_name="", subject=subject, body_text=None, body_html=None,
                       context=_as_json(context), registration=None, gathering=None, ics_method=None,
                       from_name=None, reply_to=reply_to, dedupe_key=dedupe_key, now=now)


def queue_for_registration(kind: str, registration: Registration, *, subject: str, ics_method: str | None = None,
                           dedupe_key: str | None = None, **extra) -> OutboxMessage | None:
    """Queue ``kind`` for this registration, unrendered: the sender renders it (``render_queued``).

    ``extra`` are the message's own facts, stored as JSON with the row. The
    registration's status is stored too, so the message tells what was true when
    it was queued (a person waiting then is not told "you have a seat" because
    they were promoted before the sender came by: the promotion has its own message),
    and the language its subject was written in (``language_of``).
    """
    if not registration.email or registration.anonymised_at is not None:
        return None  # added by an organiser without an address, or erased
    gathering = registration.gathering
    context = _as_json({**extra, "registration_status": registration.status,
                        "language": language_of(registration)})
    return _outbox_row(kind, to=registration.email, to_name=registration.name, subject=subject, body_text=None,
                       body_html=None, context=context, registration=registration, gathering=gathering,
                       ics_method=ics_method, from_name=None, reply_to=contact_of(gathering),
                       dedupe_key=dedupe_key, now=None)


# Subjects written so far, per app: (which subject, language, title) -> the subject. Writing one
# switches Babel to the registrant's language and back (force_locale), for every registration of
# the rush (here under the gathering's lock; in mail/flight.py just before it): once per title and
# language is enough, as the catalogues do not change while the process runs. A new title is a new key.
SUBJECTS_KEPT = 2048


def subject_in(text_fn: Callable[[str], str], language: str, title: str) -> str:
    """``text_fn(title)`` in ``language``: a subject with the gathering's title and nothing else of it."""
    kept = current_app.extensions.setdefault("gatherings.mail_subjects", {})
    key = (text_fn.__code__, language, title)  # __code__: one per place a subject is written
    subject = kept.get(key)
    if subject is None:
        with force_locale(language):
            subject = str(text_fn(title))
        if len(kept) >= SUBJECTS_KEPT:
            kept.clear()
        kept[key] = subject
    return subject


def _subject(text_fn: Callable[[str], str], registration: Registration) -> str:
    """The subject in the registration's language (it is written when queued, the bodies when sent)."""
    return subject_in(text_fn, language_of(registration), registration.gathering.title)


# -- receivers ------------------------------------------------------------------------------

def on_registration_confirmed(registration: Registration, **_kw) -> None:
    queue_for_registration("confirmed", registration, ics_method="REQUEST",
                           subject=_subject(lambda title: _("Aanmelding bevestigd: %(title)s", title=title),
                                            registration))


def on_registration_waitlisted(registration: Registration, position: int | None = None, **_kw) -> None:
    """``position``: the registration service may pass the place it just computed; else it is counted here."""
    if position is None:
        position = waitlist_position(registration)
    queue_for_registration("waitlisted", registration, position=position,
                           subject=_subject(lambda title: _("U staat op de wachtlijst: %(title)s", title=title),
                                            registration))


def on_registration_promoted(registration: Registration, **_kw) -> None:
    queue_for_registration("promoted", registration, ics_method="REQUEST",
                           subject=_subject(lambda title: _("Er is een plek voor u: %(title)s", title=title),
                                            registration))


def on_registration_cancelled(registration: Registration, by_organiser: bool = False, freed_seat: bool = False,
                              **_kw) -> None:
    if registration.gathering.status == "cancelled":
        return  # the gathering itself was called off: that message says it all
    queue_for_registration("cancelled", registration, ics_method="CANCEL" if freed_seat else None,
                           by_organiser=by_organiser,
                           subject=_subject(lambda title: _("Aanmelding geannuleerd: %(title)s", title=title),
                                            registration))


def on_registration_duplicate(registration: Registration, **_kw) -> None:
    """Someone registered again with this address: its owner gets their own link, nobody else learns anything.

    At most one such message per registration an hour, so the form cannot be used to flood someone's inbox.
    """
    recent = db.session.scalar(sa.select(sa.func.count()).where(
        OutboxMessage.registration_id == registration.id, OutboxMessage.kind == "duplicate",
        OutboxMessage.created_at > utcnow() - timedelta(hours=1)))
    if recent:
        return
    queue_for_registration("duplicate", registration, position=waitlist_position(registration),
                           subject=_subject(lambda title: _("U bent al aangemeld: %(title)s", title=title),
                                            registration))


def _active_registrations(gathering: Gathering, statuses=("confirmed", "waitlisted")) -> list[Registration]:
    return list(db.session.scalars(
        sa.select(Registration).where(
            Registration.gathering_id == gathering.id,
            Registration.status.in_(statuses),
            Registration.email.is_not(None),
            Registration.anonymised_at.is_(None),
        ).order_by(Registration.id)
    ))


def on_gathering_changed(gathering: Gathering, changes=(), before=None, **_kw) -> None:
    """Something an invitation shows changed; the organiser raised SEQUENCE (``Gathering.touch``) first.

    The confirmed get the message with an updated invitation (REQUEST), so their
    calendars follow every change; those waiting have nothing in their calendar
    and hear only about a new time or place.
    """
    changes = list(changes or ())
    told_all = any(k in TIME_AND_PLACE for k in changes)
    lines: dict[str, list[dict]] = {}  # per language, said once
    statuses = ("confirmed", "waitlisted") if told_all else ("confirmed",)
    for registration in _active_registrations(gathering, statuses):
        language = language_of(registration)
        if language not in lines:
            lines[language] = what_changed(gathering, changes, before or {}, language=language)
        queue_for_registration("gathering_changed", registration, changes=changes, what_changed=lines[language],
                               subject=_subject(lambda title: _("Gewijzigd: %(title)s", title=title), registration),
                               ics_method="REQUEST" if registration.status == "confirmed" else None)


def on_gathering_cancelled(gathering: Gathering, message: str = "", **_kw) -> None:
    for registration in _active_registrations(gathering):
        subject = _subject(lambda title: _("Gaat niet door: %(title)s", title=title), registration)
        queue_for_registration("gathering_cancelled", registration, subject=subject, organiser_words=message or "",
                               ics_method="CANCEL" if registration.status == "confirmed" else None)


# -- organiser's message (reminders: reminders.py) ------------------------------------------

def queue_organiser_message(gathering: Gathering, recipients: Iterable[Registration], subject: str, body: str,
                            sender_name: str) -> int:
    """Queue ``body`` for each of ``recipients``, registrations of ``gathering``.

    Who they are is the organiser's choice of audience, decided where the form
    shows its size (``attendance.listing``). Returns how many messages were queued.
    The caller commits.
    """
    subject = header_text(subject, 150)
    if not subject or not (body or "").strip():
        raise ValueError("subject and body are required")
    full_subject = f"{gathering.title}: {subject}"
    sender = header_text(sender_name, 100)
    count = 0
    for registration in recipients:
        if registration.gathering_id != gathering.id:
            raise ValueError(f"registration {registration.id} is not of gathering {gathering.id}")
        queued = queue_for_registration(
            "organiser_message", registration, subject=full_subject, organiser_subject=subject,
            organiser_body=body.strip(), sender_name=sender,
        )
        if queued is not None:
            with force_locale(language_of(registration)):
                queued.from_name = header_text(_("%(name)s via Gatherings", name=sender)) if sender else None
            count += 1
    db.session.flush()
    return count
