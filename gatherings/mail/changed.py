"""The "registration changed" message: a participant changed their own registration (``/r/<token>/edit``).

One message per change, queued in the transaction of the change like every
other (see ``services``). It carries an updated invitation (REQUEST) only when
the participant's calendar would show something new: their name as the
invitation's ATTENDEE, for a confirmed registration (``invitation_changed``,
decided by ``registration.changes``; its DTSTAMP is the change's moment, so
calendars take it over the one they hold). The rest of the message is rendered
by the sender from the registration as it is then.
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..registration.models import Registration
from .services import _subject, queue_for_registration


def on_registration_changed(registration: Registration, changed=(), invitation_changed: bool = False,
                            **_kw) -> None:
    queue_for_registration(
        "changed", registration, changed=list(changed),
        ics_method="REQUEST" if invitation_changed and registration.status == "confirmed" else None,
        subject=_subject(lambda title: _("Aanmelding gewijzigd: %(title)s", title=title), registration),
    )
