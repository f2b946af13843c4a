"""One page of a list of registrations, read with LIMIT/OFFSET.

A national day has up to a thousand registrations; listing them all, each with
its action forms, made the registrations page half a megabyte. Each list
(confirmed, waiting, cancelled) pages on its own; the total is counted
separately so that headings keep showing it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..extensions import db

PAGE_SIZE = 100
# The query parameter of each list's page number: short, Dutch, part of bookmarked addresses.
PAGE_PARAMETERS = {"confirmed": "bevestigd", "waiting": "wachtlijst", "cancelled": "geannuleerd"}
# Page numbers shown around the current one before the rest is left out ("…").
_NEIGHBOURS = 2


def requested_page(value: str | None) -> int:
    """The page asked for in the query string; anything that is not a positive number is page 1."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return 1
    return max(int(value[:10]), 1)  # beyond the end becomes the last page, see ``empty_page``


@dataclass
class Page:
    """Rows ``offset + 1`` to ``offset + len(rows)`` of a list of ``total``."""

    number: int
    total: int
    size: int = PAGE_SIZE
    rows: list[Any] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many pages the list has (an empty list has one, empty page)."""
        return max((self.total + self.size - 1) // self.size, 1)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        return self.offset + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.rows)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None

    def numbers(self) -> list[int | None]:
        """The page numbers to link to: first, last and those near the current one; None for a gap."""
        shown = [n for n in range(1, self.count + 1)
                 if n in (1, self.count) or abs(n - self.number) <= _NEIGHBOURS]
        result: list[int | None] = []
        for n in shown:
            if result and n - result[-1] > 1:
                result.append(None)
            result.append(n)
        return result


def empty_page(requested: int, total: int, size: int = PAGE_SIZE) -> Page:
    """A page whose number is within the list: beyond the end is the last page."""
    page = Page(1, total, size)
    page.number = min(max(requested, 1), page.count)
    return page


def fill(page: Page, statement: sa.Select) -> Page:
    """Read the page's rows of an ordered ``statement`` (one query; none when the list is empty)."""
    if page.total:
        page.rows = list(db.session.execute(statement.limit(page.size).offset(page.offset)))
    return page


def list_state(args) -> dict[str, str]:
    """Where the organiser was in the registrations page (search and page of each list), from ``args``.

    Carried through the actions on a row (give a seat, cancel, change needs), so that the answer
    leads back to the same page of the same search instead of the top of the first page.
    Only these names, and only sane values: this ends up in a redirect.
    """
    state = {}
    q = " ".join((args.get("q") or "").split())[:100]
    if q:
        state["q"] = q
    for name in PAGE_PARAMETERS.values():
        number = requested_page(args.get(name))
        if number > 1:
            state[name] = str(number)
    return state
