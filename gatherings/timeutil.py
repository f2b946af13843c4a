"""Time: stored in UTC, shown in Europe/Amsterdam."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


def from_local(naive: datetime) -> datetime:
    """A wall-clock time in Amsterdam (as typed in a form) as an aware UTC datetime."""
    return naive.replace(tzinfo=AMSTERDAM).astimezone(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL.

    A naive datetime is refused: guessing its zone is how off-by-an-hour bugs start.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
