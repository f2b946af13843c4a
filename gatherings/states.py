"""Sets of states: each one a ``StrEnum`` (``States``), which also writes its CHECK constraint.

The members are ``str``: they compare equal to the plain strings the database
returns and that templates and JSON use, so a column stays a ``String`` and
the constraint's SQL stays what the migrations created.
"""
from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa


class States(StrEnum):
    """A set of states; subclasses list the members."""

    @classmethod
    def of(cls, value: object):
        """The member for ``value``, or None when it is none of them (input from a URL or a form)."""
        try:
            return cls(value)
        except ValueError:
            return None

    @classmethod
    def check(cls, column: str, name: str | None = None) -> sa.CheckConstraint:
        """``CHECK (column IN ('a', 'b', ...))``, in the order the members are listed."""
        allowed = ", ".join(f"'{member.value}'" for member in cls)
        return sa.CheckConstraint(f"{column} IN ({allowed})", name=name or column)
