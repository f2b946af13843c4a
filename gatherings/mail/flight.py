"""The outbox row of a registration made in one flight (registration/flight.py), written in its statement.

The same row ``services.on_registration_confirmed`` / ``on_registration_waitlisted`` write
through ``queue_for_registration``: which of the two is decided under the lock, so the
parts that depend on it (kind, subject, invitation, context with the place in line) are
prepared for both and chosen in SQL. tests/registration/test_flight.py compares the rows.
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask_babel import gettext as _

from ..catalogue.services import contact_of
from ..registration.flight import Flight, FlightPart
from ..registration.models import LANGUAGES, RegistrationStatus
from ..timeutil import utcnow
from .headers import header_text
from .models import OutboxMessage, OutboxStatus
from .services import _as_json, _sender_domain, subject_in

_POSITION = 987654321  # stands for the place in line in the waiting message's context, replaced in SQL


def outbox_part(gathering, applicant) -> FlightPart:
    """``gathering``: a Gathering or a ``programme.brief.GatheringBrief`` (id, title, contact addresses)."""
    language = applicant.language if applicant.language in LANGUAGES else "nl"
    confirmed_subject = subject_in(lambda title: _("Aanmelding bevestigd: %(title)s", title=title),
                                   language, gathering.title)
    waiting_subject = subject_in(lambda title: _("U staat op de wachtlijst: %(title)s", title=title),
                                 language, gathering.title)
    waiting_context = _as_json({"position": _POSITION, "registration_status": RegistrationStatus.WAITLISTED.value,
                                "language": language})
    before, after = waiting_context.split(str(_POSITION))
    domain = _sender_domain()
    email = applicant.email.strip()
    now = utcnow()
    params = {
        "mail_to": email, "mail_key": email.lower(), "mail_name": header_text(applicant.name.strip()),
        "mail_reply_to": contact_of(gathering),
        "mail_subject_confirmed": header_text(confirmed_subject, 300),
        "mail_subject_waiting": header_text(waiting_subject, 300),
        "mail_context_confirmed": _as_json({"registration_status": RegistrationStatus.CONFIRMED.value,
                                            "language": language}),
        "mail_context_before": before, "mail_context_after": after,
        "mail_id_confirmed": f"<confirmed.{uuid.uuid4().hex}@{domain}>",
        "mail_id_waiting": f"<waitlisted.{uuid.uuid4().hex}@{domain}>",
        "mail_now": now,
    }
    return FlightPart(key=("outbox",), params=params, insert=_insert)


def _insert(flight: Flight) -> sa.Insert:
    table = OutboxMessage.__table__

    def p(name, type_=sa.String):  # typed, so that the prepared statement knows every value's type
        return sa.bindparam(name, type_=type_)
    confirmed = flight.registered.c.status == RegistrationStatus.CONFIRMED.value

    def either(if_confirmed, if_waiting):
        return sa.case((confirmed, if_confirmed), else_=if_waiting)

    position = sa.cast(flight.decided.c.position, sa.String)
    columns = {
        "kind": either("confirmed", "waitlisted"),
        "status": OutboxStatus.QUEUED.value,
        "to_address": p("mail_to"), "to_name": p("mail_name"), "email_key": p("mail_key"),
        "reply_to": p("mail_reply_to"),
        "subject": either(p("mail_subject_confirmed"), p("mail_subject_waiting")),
        "context": either(p("mail_context_confirmed"),
                          sa.func.concat(p("mail_context_before", type_=sa.String), position,
                                         p("mail_context_after", type_=sa.String))),
        "ics_method": either("REQUEST", sa.null()),
        "message_id": either(p("mail_id_confirmed"), p("mail_id_waiting")),
        "registration_id": flight.registered.c.id,
        "gathering_id": flight.registered.c.gathering_id,
        "attempts": 0, "claim_count": 0, "last_error": "",
        "next_attempt_at": p("mail_now", type_=OutboxMessage.next_attempt_at.type),
        "created_at": p("mail_now", type_=OutboxMessage.created_at.type),
    }
    values = [c if isinstance(c, sa.ColumnElement) else sa.literal(c) for c in columns.values()]
    return sa.insert(table).from_select(list(columns), sa.select(*values).select_from(
        flight.registered.join(flight.decided, sa.true())), include_defaults=False)
