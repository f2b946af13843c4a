"""The workshops' seats left on the gathering page: kept out of the kept page, put in per request.

During the opening rush nearly every registration takes a workshop seat. The gathering page
(``caches.page``) and its form's fields (``caches.form``) are kept per fingerprint of what they show,
so with the numbers in them both were rendered again for nearly every visitor, the form's fields
(every field, with the round questions' radio groups) included. Instead the page is kept with a mark
where each workshop's seats go, in the timetable and in the round question's option (``blank``), and
each request puts this moment's phrases in (``fill``), as it puts in the visitor's CSRF token.

The phrases are made here only, so the kept page with its marks filled in is the page rendered
with the numbers (``tests/test_caches.py`` compares the bytes).
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import escape

from .queries import TimetablePart

FULL = _l("vol: u komt op de wachtlijst van deze werkplaats")  # in a round question's option
TIMETABLE, OPTION = "timetable", "option"
# NUL is never in a rendered page (the app refuses NUL bytes in input), as caches.TOKEN_MARK.
_MARK = "\x00seats-left:{id}:{where}\x00"
_MARKS = re.compile("\x00seats-left:([0-9]+):(timetable|option)\x00")


def phrase(seats_left: int, where: str) -> str:
    """"nog 3 plekken vrij", or for a full workshop what it means where it is shown (plain text)."""
    if seats_left > 0:
        return ngettext("nog %(num)d plek vrij", "nog %(num)d plekken vrij", seats_left)
    return str(FULL) if where == OPTION else _("vol, wel wachtlijst")


def shown(workshop, where: str) -> str:
    """A workshop's seats as the page shows them ``where``; its mark when the programme was ``blank``-ed."""
    if workshop.seats_left is None:
        return _MARK.format(id=workshop.id, where=where)
    return phrase(workshop.seats_left, where)


def blank(programme: Sequence[TimetablePart]) -> tuple[TimetablePart, ...]:
    """``programme`` without its seats left (None): what the kept page is rendered from and keyed on."""
    return tuple(
        dataclasses.replace(part, workshops=tuple(dataclasses.replace(w, seats_left=None) for w in part.workshops))
        if part.workshops else part
        for part in programme)


def fill(html: str, programme: Sequence[TimetablePart]) -> str:
    """The page rendered from ``blank(programme)`` with ``programme``'s seats left put in at their marks."""
    if "\x00seats-left:" not in html:
        return html
    left = {str(w.id): w.seats_left for part in programme for w in part.workshops}
    phrases: dict[tuple[int, str], str] = {}  # once the workshops are full (most of the rush) they all say the same

    def put(match: re.Match) -> str:
        key = (left[match[1]], match[2])
        if key not in phrases:
            phrases[key] = str(escape(phrase(*key)))
        return phrases[key]

    return _MARKS.sub(put, html)
