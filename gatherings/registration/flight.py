"""A registration of the opening rush in one round trip to PostgreSQL, holding the lock for no more than that.

Every registration waits for the gathering's lock, so the rush goes as fast as the
lock is let go. The ordinary way (``services.register`` in a unit of work) reads
under the lock, decides in Python and writes: several round trips, and after each
one the worker must get a CPU again before it can go on, all while holding the lock.
Here the same decision is made by the database, in one statement, sent together
with the lock and the commit in one pipelined flight (libpq's pipeline mode, round_trip.py):

    BEGIN; SELECT ... FROM gathering WHERE id = :id FOR UPDATE;
    WITH decided AS (...), registered AS (INSERT INTO registration ...), ... SELECT ...;
    COMMIT

``decided`` yields one row only when the ordinary way would plainly register the
person: the gathering (read again under the lock) is open and not a mixed session,
the address has no active registration, and nobody who waits fits in a free seat.
It says "confirmed" when the person's people fit (a companion counts) and
"waitlisted" otherwise, with their place in line; the time is the database's clock
under the lock. The seat counts are the counters the database keeps
(seat_counters.py), so the decision does not grow with the registrations.

What the receivers of ``registration_confirmed`` / ``registration_waitlisted`` would
write, they write in the same statement: each names its part in
``signals.flight_writers`` (the mail area: the outbox row). While one of them has
none, this declines, and so it does for anything else: a row that ``decided`` does
not yield, a failed statement, SQLite (where round trips cost nothing and the
ordinary way is used). Declining writes nothing; the caller then takes the
ordinary way, which decides the case (a duplicate, a refusal, a freed seat to fill).
tests/registration/test_flight.py holds both ways to the same rows.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psycopg
import sqlalchemy as sa
from flask import current_app

from ..catalogue.models import Gathering, GatheringKind, GatheringStatus
from .. import round_trip
from ..database import driver_connection
from ..extensions import db
from . import services, signals
from .models import Registration, RegistrationSource, RegistrationStatus, SeatCount, new_door_code, new_token


@dataclass(frozen=True)
class Flight:
    """The statement's shared parts, for the writers that join it (``signals.flight_writers``, the programme's)."""

    decided: sa.CTE  # columns: now (timestamp under the lock), position (place in line if waiting)
    registered: sa.CTE  # the new registration's row as inserted: id, status, gathering_id, people


@dataclass(frozen=True)
class FlightPart:
    """What a writer adds: a condition under which the flight may go (else it declines) and its own INSERT."""

    key: tuple  # what shapes the SQL (not the values): the compiled statement is kept per key
    params: dict  # its values, named uniquely for this writer
    condition: Callable[[sa.Table], sa.ColumnElement] | None = None  # given the gathering table, under the lock
    insert: Callable[[Flight], sa.Insert] | None = None


@dataclass(frozen=True)
class Flown:
    registration_id: int
    token: str
    status: str


def available() -> bool:
    """Whether this app can fly at all: PostgreSQL through psycopg, and every receiver has its part."""
    if db.engine.dialect.name != "postgresql" or db.engine.dialect.driver != "psycopg":
        return False
    return _writers() is not None


def _writers() -> list[Callable[..., FlightPart]] | None:
    receivers = [*signals.registration_confirmed.receivers_for(None), *signals.registration_waitlisted.receivers_for(None)]
    writers = []
    for receiver in receivers:
        writer = signals.flight_writers.get(receiver)
        if writer is None:
            return None
        if writer not in writers:
            writers.append(writer)
    return writers


def register(gathering, applicant, *, parts: Sequence[FlightPart] = ()) -> Flown | None:
    """Register ``applicant`` (a ``services.Applicant``) in one flight, or None: nothing written, take the ordinary way.

    Only where ``available()`` (the caller asks, once). Called inside ``database.autocommit_connection()``
    (or ``no_transaction()``), in which ``gathering`` was read (a Gathering, or the
    lighter ``programme.brief.GatheringBrief``), before the lock: only its id and kind are taken from
    it here, and what the writers need for their rows (title, contact); what decides is read again
    under the lock.
    ``parts``: what else the registration writes (its programme choices).
    """
    if gathering.kind == GatheringKind.MIXED:
        return None
    values = dict(services.stored_values(applicant, RegistrationSource.FORM), gathering_id=gathering.id,
                  has_consent=bool(applicant.consent_version), token=new_token(), door_code=new_door_code(),
                  people=2 if applicant.companion else 1)
    if not values["email_key"]:
        return None
    writers = _writers()
    if writers is None:
        return None
    writers = [writer(gathering, applicant) for writer in writers]
    all_parts = [*writers, *parts]
    params = dict(values)
    for part in all_parts:
        params.update(part.params)
    row = _fly(_compiled(all_parts), gathering.id, params)
    if row is None:
        return None
    registration_id, status, _decided_at = row
    return Flown(registration_id, values["token"], status)


# Set by a benchmark only (bench/locktimer.py): called with the database's clock (seconds since the epoch)
# when the lock was asked for, when the decision ran under it, and when the COMMIT had let it go. Two
# clock readings more in the same flight; None (always, in the app) sends nothing extra.
observe: Callable[[float, float, float], None] | None = None

_CLOCK = "SELECT extract(epoch FROM clock_timestamp())::float8"


def _fly(statement: "_Compiled", gathering_id: int, params: dict):
    """BEGIN, the lock, the statement and COMMIT in one round trip; the statement's row, or None if it wrote nothing."""
    raw: psycopg.Connection = driver_connection()
    if not raw.autocommit:
        return None  # inside a transaction (database.no_transaction was not used): the ordinary way
    watch = observe
    clock = [round_trip.Statement(_CLOCK)] if watch else []
    try:
        answers = round_trip.send(raw, [
            *clock,
            round_trip.Statement("BEGIN"),
            round_trip.Statement("SELECT 1 FROM gathering WHERE id = $1 FOR UPDATE", (gathering_id,)),
            round_trip.Statement(statement.sql, [params[name] for name in statement.names], prepared=True),
            round_trip.Statement("COMMIT"),
            *clock,
        ])
    except psycopg.Error as error:
        # A token or door code that happened to exist, a workshop removed meanwhile: nothing was written.
        current_app.logger.info("one-flight registration declined: %s: %s", type(error).__name__, error)
        if isinstance(error, psycopg.OperationalError):
            raise  # the database is gone: the error page says so (errors.py), not a second try
        if raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            raw.execute("ROLLBACK")
        return None
    rows = answers[len(clock) + 2]
    row = rows[0] if rows else None
    if watch and row is not None:
        watch(answers[0][0][0], row[2].timestamp(), answers[-1][0][0])
    return row


@dataclass(frozen=True)
class _Compiled:
    """The flight's statement in PostgreSQL's own placeholders ($1, $2 ...), as libpq takes it (round_trip.py).

    Its SQL is long and has many values: through an ordinary cursor psycopg would convert its
    %(name)s placeholders again for every registration (it keeps conversions of short statements
    only), a millisecond of CPU each time. Here that is done once per shape. The statement's
    constants ('confirmed', 0 ...) are written into it as literals (our own values, quoted by
    SQLAlchemy); ``names`` are the registration's values, in the order of their numbers. It is
    prepared on the server once per connection (``round_trip.Statement(prepared=True)``).
    """

    sql: str
    names: tuple[str, ...]


_SQL: dict[tuple, _Compiled] = {}
# A value's placeholder as SQLAlchemy writes it for psycopg (%(name)s); its cast (::VARCHAR) follows it.
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _compiled(parts: Sequence[FlightPart]) -> _Compiled:
    """The flight's statement for this shape (the parts' keys): built once, not per registration."""
    key = tuple(part.key for part in parts)
    found = _SQL.get(key)
    if found is None:
        found = _SQL[key] = native(_statement(parts))
    return found


def native(statement: sa.Executable) -> _Compiled:
    """``statement`` as SQL with PostgreSQL's own placeholders, its constants written in as literals.

    For statements of the opening rush sent through a ``psycopg.RawCursor`` (``run``): compile once,
    keep the result.
    """
    dialect = db.engine.dialect
    compiled = statement.compile(dialect=dialect)
    constants = {name: str(sa.literal(value).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
                 for name, value in compiled.params.items() if value is not None}
    names: list[str] = []

    def numbered(match: re.Match) -> str:
        name = match.group(1)
        if name in constants:
            return constants[name]
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    sql = _PLACEHOLDER.sub(numbered, " ".join(str(compiled).split())).replace("%%", "%")
    return _Compiled(sql, tuple(names))


def run(statement: _Compiled, params: dict) -> list[tuple]:
    """Run a ``native`` statement (inside ``database.autocommit_connection`` or ``no_transaction``): its rows."""
    return psycopg.RawCursor(driver_connection()).execute(statement.sql, [params[name] for name in statement.names]).fetchall()


def _statement(parts: Sequence[FlightPart]) -> sa.Select:
    g = Gathering.__table__
    counts = SeatCount.__table__
    r = Registration.__table__
    p = sa.bindparam
    clock = sa.select(sa.func.clock_timestamp().label("now")).cte("clock")
    now = clock.c.now
    seats_left = g.c.capacity - counts.c.confirmed
    active = sa.select(r.c.id).where(r.c.gathering_id == p("gathering_id"), r.c.email_key == p("email_key"),
                                     r.c.status != RegistrationStatus.CANCELLED.value)
    conditions = [
        g.c.id == p("gathering_id"),
        g.c.kind != GatheringKind.MIXED.value,
        # Open, as Gathering.registration_state says, by the clock under the lock.
        g.c.status == GatheringStatus.PUBLISHED.value,
        g.c.starts_at > now,
        sa.or_(g.c.registration_opens_at.is_(None), g.c.registration_opens_at <= now),
        sa.or_(g.c.registration_closes_at.is_(None), now < g.c.registration_closes_at),
        ~sa.exists(active),
        # Someone waits who fits in a free seat: the ordinary way gives it to who waited first. Two seats or
        # more fit anyone; one seat fits a single (of the people waiting, 2 x in_line - waitlisted are singles).
        ~sa.and_(counts.c.waitlisted > 0, sa.or_(seats_left >= 2, sa.and_(
            seats_left == 1, 2 * counts.c.in_line - counts.c.waitlisted > 0))),
    ]
    conditions += [part.condition(g) for part in parts if part.condition is not None]
    decided = (
        sa.select(
            sa.case((seats_left >= p("people", type_=sa.Integer), RegistrationStatus.CONFIRMED.value),
                    else_=RegistrationStatus.WAITLISTED.value).label("status"),
            now.label("now"),
            (counts.c.in_line + 1).label("position"),
        )
        .select_from(g.join(counts, sa.and_(counts.c.gathering_id == g.c.id, counts.c.grp == "")), clock)
        .where(*conditions)
        .cte("decided")
    )
    confirmed = decided.c.status == RegistrationStatus.CONFIRMED.value
    given = ("gathering_id", "name", "email", "email_key", "perspective", "perspective_group", "organisation",
             "needs", "companion", "companion_name", "language", "consent_version", "source", "submission_key",
             "token", "door_code")
    columns = {name: p(name, type_=r.c[name].type) for name in given} | {
        "consent_at": sa.case((p("has_consent", type_=sa.Boolean), decided.c.now), else_=sa.null()),
        "status": decided.c.status,
        "waitlisted_at": sa.case((confirmed, sa.null()), else_=decided.c.now),
        "confirmed_at": sa.case((confirmed, decided.c.now), else_=sa.null()),
        "created_at": decided.c.now, "updated_at": decided.c.now,
    }
    registered = (
        sa.insert(r).from_select(list(columns), sa.select(*columns.values()).select_from(decided),
                                 include_defaults=False)
        .returning(r.c.id, r.c.status, r.c.gathering_id,
                   sa.case((r.c.companion, 2), else_=1).label("people"))
        .cte("registered")
    )
    flight = Flight(decided, registered)
    ctes = [part.insert(flight).cte(f"part_{n}") for n, part in enumerate(parts) if part.insert is not None]
    statement = sa.select(registered.c.id, registered.c.status, sa.select(decided.c.now).scalar_subquery())
    for cte in ctes:
        statement = statement.add_cte(cte)
    return statement
