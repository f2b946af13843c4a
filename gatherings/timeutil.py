"""Time: stored in UTC, shown in Europe/Amsterdam."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


class SkippedTime(ValueError):
    """A wall-clock time that does not exist: the clocks jump over it (last Sunday of March, 02:00-03:00)."""


# The two occurrences of a wall-clock time in the hour the clocks go back (last
# Sunday of October, 02:00-03:00): first in summer time (CEST), then in winter
# time (CET). Python calls them fold 0 and fold 1.
SUMMER_TIME, WINTER_TIME = 0, 1


def is_skipped(naive: datetime) -> bool:
    """True for a wall-clock time in the hour that does not exist (02:30 on the last Sunday of March)."""
    there = naive.replace(tzinfo=AMSTERDAM)
    back = there.astimezone(timezone.utc).astimezone(AMSTERDAM).replace(tzinfo=None)
    return back != naive.replace(tzinfo=None)


def is_doubled(naive: datetime) -> bool:
    """True for a wall-clock time that happens twice (02:30 on the last Sunday of October)."""
    if is_skipped(naive):
        return False
    summer = naive.replace(tzinfo=AMSTERDAM, fold=SUMMER_TIME)
    return summer.utcoffset() != summer.replace(fold=WINTER_TIME).utcoffset()


def from_local(naive: datetime, fold: int = SUMMER_TIME) -> datetime:
    """A wall-clock time in Amsterdam (as typed in a form) as an aware UTC datetime.

    ``fold`` picks the occurrence of a doubled time (SUMMER_TIME, the first, or
    WINTER_TIME). A time that does not exist raises SkippedTime: moving it to
    another hour without a word would put the gathering at a time nobody chose.
    """
    if is_skipped(naive):
        raise SkippedTime(naive)
    return naive.replace(tzinfo=AMSTERDAM, fold=fold).astimezone(timezone.utc)


def doubled_hour_side(moment: datetime) -> int | None:
    """For a stored time whose Amsterdam wall-clock time happens twice: SUMMER_TIME or
    WINTER_TIME (which of the two it is); None for every other time."""
    wall = local(moment)
    if wall.replace(fold=1 - wall.fold).utcoffset() == wall.utcoffset():
        return None
    return wall.fold


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
