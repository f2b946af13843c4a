"""What changes to gatherings report. The mail area listens (gatherings/mail/__init__.py connects it).

The calendar does not: feeds and invitations follow ``Gathering.changed_at`` (moved by every change of
the row) and ``sequence`` (raised by ``Gathering.touch(attendee_relevant=True)``).

Receivers run inside the transaction of the change. Sender: the Gathering.
"""
from blinker import Namespace

_signals = Namespace()

# kwargs: changes (names of the fields that changed and show in an invitation: starts_at, ends_at, venue_*,
# online_url, title, description, accessibility, host_id), before (those fields' values before the change)
gathering_changed = _signals.signal("gathering-changed")
# A draft became published (once per gathering); no kwargs. Followers of its theme or kind are told (alerts).
gathering_published = _signals.signal("gathering-published")
# A published gathering's theme or kind changed, so it may concern other followers; no kwargs.
gathering_topic_changed = _signals.signal("gathering-topic-changed")
# kwargs: message (str, the organiser's words to the registrants, may be empty)
gathering_cancelled = _signals.signal("gathering-cancelled")
