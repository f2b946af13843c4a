"""What the programme's services report. The mail area listens; programme never imports mail.

Receivers run inside the same transaction as the change (under the gathering's
lock), so an outbox row they write is committed together with it, or not at all.
"""
from blinker import Namespace

_signals = Namespace()

# A waiting choice got a seat in its workshop (a seat freed, or the workshop grew).
# Sender: the WorkshopChoice (status seated; .registration, .workshop, .part loaded on access).
# Not sent for a pending choice decided when its registration gets the day's seat: the mail
# about the day's seat (registration_promoted) then shows the whole programme.
workshop_promoted = _signals.signal("workshop-promoted")

# An organiser changed someone's workshop: moved them, or removed the workshop or its round.
# Sender: the Registration. kwargs (plain values, the row may be gone by the time mail renders):
#   round_title (str), round_starts_at (datetime), from_title (str | None),
#   to_title (str | None: no workshop any more), status (the choice's new ChoiceStatus, or None
#   when the round was removed), reason ("moved" | "workshop_removed" | "round_removed").
choice_moved = _signals.signal("choice-moved")
