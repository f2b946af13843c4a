"""Which columns the registrations list shows: the organiser's choice, kept in their session.

The choice is a plain GET form of checkboxes (works without JavaScript): ``kolommen=1``
marks that it was sent, so that ticking nothing is a choice too; ``kolom`` repeats once per
ticked column. Name and actions are always shown. Without a choice: every column.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import request, session
from flask_babel import lazy_gettext as _l

SESSION_KEY = "registration_columns"


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    mixed_only: bool = False


COLUMNS = (
    Column("email", _l("E-mailadres")),
    Column("organisation", _l("Organisatie")),
    Column("perspective", _l("Perspectief"), mixed_only=True),
    Column("needs", _l("Wat nodig is")),
    Column("checked_in", _l("Ingecheckt")),
)
CODES = tuple(c.code for c in COLUMNS)


def offered(mixed: bool) -> list[Column]:
    """The columns this gathering's list can show (the perspective only for a mixed session)."""
    return [c for c in COLUMNS if mixed or not c.mixed_only]


def chosen() -> frozenset[str]:
    """The columns to show: from the form when it was sent (and then remembered), else as remembered."""
    if request.args.get("kolommen") == "1":
        ticked = set(request.args.getlist("kolom"))
        picked = [code for code in CODES if code in ticked]
        session[SESSION_KEY] = picked
        return frozenset(picked)
    kept = session.get(SESSION_KEY)
    if isinstance(kept, list) and all(isinstance(code, str) for code in kept):
        return frozenset(code for code in kept if code in CODES)
    return frozenset(CODES)
