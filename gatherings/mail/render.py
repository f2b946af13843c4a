"""What the sender makes of a claimed row before sending: its bodies and its calendar invitation.

A message about a registration is queued unrendered (``services.queue_for_registration``);
it is rendered here at the first claim, from the registration as it is then.
"""
from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .models import OutboxMessage
from .transport import PermanentFailure


class Erased(Exception):
    """The row's registration is gone or anonymised: its message is not to be sent."""


def bodies(row: OutboxMessage) -> dict:
    """The bodies of a row queued unrendered, as values to keep on the row."""
    from .services import render_queued

    try:
        rendered = render_queued(row)
    except SQLAlchemyError:
        raise  # the database, not the message: the claim times out and the row is tried again
    except Exception as error:
        # A template or context error stays an error however often we try: fail this row, not the sender.
        raise PermanentFailure(f"message could not be rendered: {error.__class__.__name__}: {error}") from error
    if rendered is None:
        raise Erased()
    return {"body_text": rendered[0], "body_html": rendered[1]}


def invitation(row: OutboxMessage) -> str | None:
    """The row's .ics (REQUEST or CANCEL) for its registration, in the row's language; None when it has none."""
    if not row.ics_method or row.registration_id is None:
        return None
    from ..registration.models import Registration
    from .services import invitation_for, row_language

    registration = db.session.get(Registration, row.registration_id)
    if registration is None:
        return None
    return invitation_for(registration, row.ics_method, language=row_language(row))  # the language of its text
