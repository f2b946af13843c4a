"""What registration services report. The mail area listens; registration never imports mail.

Receivers run inside the same transaction as the change, so an outbox row they
write is committed together with it (or not at all).
Each signal is sent with the Registration as sender.
"""
from blinker import Namespace

_signals = Namespace()

registration_confirmed = _signals.signal("registration-confirmed")
registration_waitlisted = _signals.signal("registration-waitlisted")
registration_promoted = _signals.signal("registration-promoted")
# kwargs: by_organiser (bool), freed_seat (bool)
registration_cancelled = _signals.signal("registration-cancelled")
# Someone registered again with an address that already has an active registration.
registration_duplicate = _signals.signal("registration-duplicate")
# A participant changed their own registration (/r/<token>/edit). kwargs: changed (the names of the
# fields that changed, in the form's order), invitation_changed (bool: what their calendar shows changed).
registration_changed = _signals.signal("registration-changed")

# The opening rush registers in one statement (flight.py) and sends neither registration_confirmed nor
# registration_waitlisted: each receiver of those two names here the part it adds to that statement to
# write what it would have written (a callable(gathering, applicant) -> flight.FlightPart). While one
# receiver has none, every registration takes the ordinary way.
flight_writers: dict = {}
