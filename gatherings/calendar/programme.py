"""A gathering's programme as lines of an event's DESCRIPTION.

Public feeds and downloads show the outline (every part, a round's workshops with their rooms);
a participant's own calendar (the personal feed, invitations in mail) shows their own programme:
per round the workshop they sit in, or the one they wait for. No seat counts and no places in a
line: those move with other people's registrations, and a feed's bytes may only change with its
change key (services.public_mark, personal_mark).

Times are Amsterdam wall-clock times, as everywhere a person reads them.
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..programme.models import ChoiceStatus, PartKind
from ..timeutil import local
from . import text


def _times(part) -> str:
    return f"{local(part.starts_at):%H:%M}–{local(part.ends_at):%H:%M}"


def _workshop(workshop) -> str:
    title, room = text.text(workshop.title), text.text(workshop.room)
    return _("%(title)s (%(room)s)", title=title, room=room) if room else title


def outline(parts) -> list[str]:
    """Every part in time order; under a round, its workshops. Empty without a programme."""
    if not parts:
        return []
    lines = [_("Programma:")]
    for part in parts:
        lines.append(f"{_times(part)} {text.text(part.title)}")
        if part.kind == PartKind.ROUND:
            lines += [f"- {_workshop(w)}" for w in part.workshops]
    return lines


def own(programme) -> list[str]:
    """A participant's own programme (``programme.queries.programme_of``): per round what they hold."""
    if not programme:
        return []
    lines = [_("Uw programma:")]
    for item in programme:
        line = f"{_times(item.part)} {text.text(item.part.title)}"
        if item.is_round:
            held = _held(item)
            if held:
                line = f"{line}: {held}"
        lines.append(line)
    return lines


def _held(item) -> str:
    workshop = item.workshop
    if item.status == ChoiceStatus.NONE:
        return _("geen werkplaats")
    if workshop is None:
        return ""
    if item.status == ChoiceStatus.SEATED:
        return _workshop(workshop)
    if item.status == ChoiceStatus.WAITING:
        return _("wachtlijst voor %(workshop)s", workshop=_workshop(workshop))
    if item.status == ChoiceStatus.PENDING:
        return _("uw keuze %(workshop)s (zeker als u een plek voor de dag krijgt)", workshop=_workshop(workshop))
    return ""
