"""The filters of the list of gatherings, the same for the page (``/``) and the API (``/api/v1/gatherings``).

Dates come from a query string: read here, one way, range-checked. The page says what is wrong in
Dutch at the field (``public/forms.py``); the API answers 400 for a value it cannot read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from ..timeutil import AMSTERDAM

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_CITY = 120  # Gathering.venue_city

_STRICT = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DUTCH = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")  # 31-3-2027, typed where there is no date picker


def parse_day(value: str, *, strict: bool = False) -> date:
    """2027-03-31 (what ``<input type=date>`` sends) or typed 31-3-2027; a ValueError for anything else.

    ``strict``: only 2027-03-31, as the API describes it (RFC 3339's full-date).
    """
    if not strict:
        value = (value or "").strip()
    if len(value) > 10 or not value.isascii():
        raise ValueError(value)
    if strict and not _STRICT.fullmatch(value):
        raise ValueError(value)
    if match := _ISO.fullmatch(value):
        year, month, day = match.groups()
    elif match := _DUTCH.fullmatch(value):
        day, month, year = match.groups()
    else:
        raise ValueError(value)
    return date(int(year), int(month), int(day))


def within_range(day: date) -> date:
    """``day`` moved into EARLIEST .. LATEST, where it can be turned into a time in Amsterdam."""
    return min(max(day, EARLIEST), LATEST)


def parse_online(value: str | None) -> bool | None:
    """``true``: only gatherings with an online address; ``false``: only those without; empty: both."""
    if value in (None, ""):
        return None
    if value in ("true", "false"):
        return value == "true"
    raise ValueError(value)


@dataclass(frozen=True)
class ListFilters:
    kind: str | None = None
    theme: str | None = None
    q: str | None = None
    city: str | None = None
    online: bool | None = None
    start: date | None = None  # the first day (Amsterdam) on which a gathering may start
    end: date | None = None  # the last day

    def start_bound(self) -> datetime | None:
        """The first moment of ``start``, in UTC."""
        if self.start is None:
            return None
        return datetime.combine(within_range(self.start), time(), tzinfo=AMSTERDAM).astimezone(timezone.utc)

    def end_bound(self) -> datetime | None:
        """The first moment after ``end``, in UTC."""
        if self.end is None:
            return None
        day_after = within_range(self.end) + timedelta(days=1)
        return datetime.combine(day_after, time(), tzinfo=AMSTERDAM).astimezone(timezone.utc)
