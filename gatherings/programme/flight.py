"""A registration's workshop choices, written in the one statement of the opening rush (registration/flight.py).

Per round the same as ``services.choose`` for a new registration (seating.decide): no
workshop, pending while the registration waits for the day, a seat when the workshop
has room for all its people, else its waiting line. The choices were checked against
the programme before the lock (``services.check_choices``: a mistake is told at the
field without taking the lock at all); under the lock the statement only goes on while
the rounds and their workshops are still as they were read (``brief.unchanged``, a part
the caller always sends), else the ordinary way decides.
"""
from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from ..registration.flight import Flight, FlightPart
from ..registration.models import RegistrationStatus
from .models import ChoiceStatus, Workshop, WorkshopChoice
from .brief import RoundBrief
from .services import check_choices


def choices_part(rounds: list[RoundBrief], choices: Mapping[int, int | None]) -> FlightPart | None:
    """The part that writes these choices (``ChoiceRefused`` for a mistake); None without rounds."""
    if not rounds:
        return None
    chosen = check_choices(rounds, choices)
    params = {"prog_rounds": len(rounds),
              "prog_chosen": sum(1 for workshop in chosen.values() if workshop is not None)}
    for n, part in enumerate(rounds):
        workshop = chosen[part.id]
        params[f"prog_part_{n}"] = part.id
        params[f"prog_workshop_{n}"] = workshop.id if workshop is not None else None
    count = len(rounds)
    return FlightPart(key=("programme", count), params=params, insert=lambda f: _insert(f, count))


def _insert(flight: Flight, count: int) -> sa.Insert:
    p = sa.bindparam
    chosen = sa.union_all(*[
        sa.select(sa.cast(p(f"prog_part_{n}", type_=sa.Integer), sa.Integer).label("part_id"),
                  sa.cast(p(f"prog_workshop_{n}", type_=sa.Integer), sa.Integer).label("workshop_id"))
        for n in range(count)]).subquery("chosen")
    workshops = Workshop.__table__
    registered, now = flight.registered, flight.decided.c.now
    status = sa.case(
        (chosen.c.workshop_id.is_(None), ChoiceStatus.NONE.value),
        (registered.c.status != RegistrationStatus.CONFIRMED.value, ChoiceStatus.PENDING.value),
        (workshops.c.capacity - workshops.c.seated_people >= registered.c.people, ChoiceStatus.SEATED.value),
        else_=ChoiceStatus.WAITING.value)
    seats = sa.select(
        registered.c.id, chosen.c.part_id, chosen.c.workshop_id, status.label("status"),
        sa.case((status == ChoiceStatus.WAITING.value, now), else_=sa.null()),
        sa.case((status == ChoiceStatus.SEATED.value, now), else_=sa.null()),
        now,
    ).select_from(registered.join(flight.decided, sa.true()).join(chosen, sa.true())
                  .outerjoin(workshops, workshops.c.id == chosen.c.workshop_id))
    return sa.insert(WorkshopChoice.__table__).from_select(
        ["registration_id", "part_id", "workshop_id", "status", "waiting_since", "seated_at", "changed_at"],
        seats, include_defaults=False)
