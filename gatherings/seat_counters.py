"""Seat counters kept by the database itself, so that counting seats does not grow with the registrations.

Every registration, page and API answer needs "how many people have a seat, how
many wait": for the day (per perspective group in a mixed session) and per
workshop. Counting the rows behind them took longer with every registration, and
did so under the gathering's lock. Instead the counts are kept beside what they
count, by triggers that run inside the statement that changes a row:

- ``seat_count``: one row per gathering and group ('' for the whole gathering,
  else ``lived``, ``relatives``, ``professionals``), created with the gathering.
  ``confirmed`` and ``waitlisted`` are people (a companion counts), ``in_line``
  registrations waiting (a pair waits as one).
- ``workshop.seated_people``, ``waiting_people``, ``pending_people``: the people of
  the workshop's choices with that status, of registrations that are not cancelled.

Triggers, not application code: whatever writes a registration or a choice (a
service, the ORM, one INSERT of the opening rush, a migration) moves the counts in
the same statement and transaction, and adds no statement of its own to the
locked section. Everything that changes a status already holds the gathering's
lock, so the counter rows are written by one transaction at a time.

The triggers' bodies are written once in SQL that SQLite and PostgreSQL both read;
``install`` wraps them in each database's trigger syntax. It runs after
``db.create_all()`` (the tests) and in the migration that introduced the counters.
Registrations are never deleted on their own (only with their gathering, whose
counters go with it), so a deleted registration does not move workshop counts.
"""
from __future__ import annotations

import sqlalchemy as sa

GROUPS = ("", "lived", "relatives", "professionals")

_PEOPLE = "(CASE WHEN {r}.companion THEN 2 ELSE 1 END)"


def _people(r: str) -> str:
    return _PEOPLE.format(r=r)


def _seat_count_delta(r: str, sign: str) -> str:
    """Add (sign '+') or take away (sign '-') registration row ``r`` (NEW or OLD) in its gathering's counters."""
    people = _people(r)
    return f"""
UPDATE seat_count SET
  confirmed = confirmed {sign} (CASE WHEN {r}.status = 'confirmed' THEN {people} ELSE 0 END),
  waitlisted = waitlisted {sign} (CASE WHEN {r}.status = 'waitlisted' THEN {people} ELSE 0 END),
  in_line = in_line {sign} (CASE WHEN {r}.status = 'waitlisted' THEN 1 ELSE 0 END)
WHERE gathering_id = {r}.gathering_id AND grp IN ('', COALESCE({r}.perspective_group, ''))"""


def _counted_people(r: str) -> str:
    """The people registration ``r`` puts in its workshops' counts: none once it is cancelled."""
    return f"(CASE WHEN {r}.status <> 'cancelled' THEN {_people(r)} ELSE 0 END)"


def _choice_delta(c: str, sign: str) -> str:
    """Add or take away choice row ``c`` (NEW or OLD) in its workshop's counters, with its registration as it is now."""
    people = (f"COALESCE((SELECT {_counted_people('r')} FROM registration r "
              f"WHERE r.id = {c}.registration_id), 0)")
    columns = ",\n  ".join(
        f"{column} = {column} {sign} (CASE WHEN {c}.status = '{status}' THEN {people} ELSE 0 END)"
        for column, status in (("seated_people", "seated"), ("waiting_people", "waiting"),
                               ("pending_people", "pending")))
    return f"UPDATE workshop SET\n  {columns}\nWHERE id = {c}.workshop_id"


def _registration_workshops_delta() -> str:
    """A registration's people or cancellation changed: move each of its workshops' counts by the difference."""
    difference = f"({_counted_people('NEW')} - {_counted_people('OLD')})"
    columns = ",\n  ".join(
        f"{column} = {column} + {difference} * (SELECT COUNT(*) FROM workshop_choice c "
        f"WHERE c.registration_id = NEW.id AND c.workshop_id = workshop.id AND c.status = '{status}')"
        for column, status in (("seated_people", "seated"), ("waiting_people", "waiting"),
                               ("pending_people", "pending")))
    return (f"UPDATE workshop SET\n  {columns}\n"
            "WHERE id IN (SELECT c.workshop_id FROM workshop_choice c WHERE c.registration_id = NEW.id)")


def _new_gathering() -> str:
    rows = ", ".join(f"(NEW.id, '{group}', 0, 0, 0)" for group in GROUPS)
    return f"INSERT INTO seat_count (gathering_id, grp, confirmed, waitlisted, in_line) VALUES {rows}"


def _changed(columns: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


# (name, table, event, when: columns whose change matters on UPDATE, body statements)
_REGISTRATION_SEATS = ("status", "companion", "perspective_group", "gathering_id")
_REGISTRATION_WORKSHOPS = ("status", "companion")
_CHOICE = ("status", "workshop_id", "registration_id")

TRIGGERS = (
    ("gathering_seat_count", "gathering", "INSERT", None, [_new_gathering()]),
    ("registration_seats_insert", "registration", "INSERT", None, [_seat_count_delta("NEW", "+")]),
    ("registration_seats_update", "registration", "UPDATE", _REGISTRATION_SEATS,
     [_seat_count_delta("OLD", "-"), _seat_count_delta("NEW", "+")]),
    ("registration_seats_delete", "registration", "DELETE", None, [_seat_count_delta("OLD", "-")]),
    ("registration_workshops_update", "registration", "UPDATE", _REGISTRATION_WORKSHOPS,
     [_registration_workshops_delta()]),
    ("workshop_choice_insert", "workshop_choice", "INSERT", None, [_choice_delta("NEW", "+")]),
    ("workshop_choice_update", "workshop_choice", "UPDATE", _CHOICE,
     [_choice_delta("OLD", "-"), _choice_delta("NEW", "+")]),
    ("workshop_choice_delete", "workshop_choice", "DELETE", None, [_choice_delta("OLD", "-")]),
)


def _sqlite_ddl(name: str, table: str, event: str, when, body: list[str]) -> list[str]:
    condition = f" WHEN {_changed(when, 'IS NOT')}" if when else ""
    statements = "".join(f"{statement};\n" for statement in body)
    return [f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition}\nBEGIN\n{statements}END"]


def _postgresql_ddl(name: str, table: str, event: str, when, body: list[str]) -> list[str]:
    condition = f" WHEN ({_changed(when, 'IS DISTINCT FROM')})" if when else ""
    statements = "".join(f"{statement};\n" for statement in body)
    return [f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
            f"BEGIN\n{statements}RETURN NULL;\nEND\n$body$",
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} EXECUTE FUNCTION {name}()"]


def install(connection: sa.Connection) -> None:
    """Create (or re-create) every counting trigger on ``connection``'s database."""
    ddl = _postgresql_ddl if connection.dialect.name == "postgresql" else _sqlite_ddl
    for trigger in TRIGGERS:
        for statement in ddl(*trigger):
            connection.exec_driver_sql(statement)


def uninstall(connection: sa.Connection) -> None:
    postgresql = connection.dialect.name == "postgresql"
    for name, table, *_rest in TRIGGERS:
        if postgresql:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def recount(connection: sa.Connection) -> None:
    """Set every counter from the rows it counts (a migration's backfill; a repair after a manual edit)."""
    connection.exec_driver_sql("DELETE FROM seat_count")
    for group in GROUPS:
        connection.exec_driver_sql(f"INSERT INTO seat_count (gathering_id, grp, confirmed, waitlisted, in_line) "
                                   f"SELECT id, '{group}', 0, 0, 0 FROM gathering")
    people = _people("r")
    connection.exec_driver_sql(f"""
UPDATE seat_count SET
  confirmed = COALESCE((SELECT SUM(CASE WHEN r.status = 'confirmed' THEN {people} ELSE 0 END) FROM registration r
     WHERE r.gathering_id = seat_count.gathering_id AND (seat_count.grp = '' OR r.perspective_group = seat_count.grp)), 0),
  waitlisted = COALESCE((SELECT SUM(CASE WHEN r.status = 'waitlisted' THEN {people} ELSE 0 END) FROM registration r
     WHERE r.gathering_id = seat_count.gathering_id AND (seat_count.grp = '' OR r.perspective_group = seat_count.grp)), 0),
  in_line = COALESCE((SELECT SUM(CASE WHEN r.status = 'waitlisted' THEN 1 ELSE 0 END) FROM registration r
     WHERE r.gathering_id = seat_count.gathering_id AND (seat_count.grp = '' OR r.perspective_group = seat_count.grp)), 0)""")
    counted = _counted_people("r")
    columns = ",\n  ".join(
        f"{column} = COALESCE((SELECT SUM({counted}) FROM workshop_choice c JOIN registration r "
        f"ON r.id = c.registration_id WHERE c.workshop_id = workshop.id AND c.status = '{status}'), 0)"
        for column, status in (("seated_people", "seated"), ("waiting_people", "waiting"),
                               ("pending_people", "pending")))
    connection.exec_driver_sql(f"UPDATE workshop SET\n  {columns}")


def register(metadata: sa.MetaData) -> None:
    """Install the triggers whenever ``metadata.create_all`` creates the tables (the tests' databases)."""
    if not sa.event.contains(metadata, "after_create", _after_create):
        sa.event.listen(metadata, "after_create", _after_create)


def _after_create(_metadata, connection, **_kw) -> None:
    install(connection)
