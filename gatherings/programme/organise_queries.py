"""What organisers read of a programme: a workshop's lists and composition, fill per round, export columns.

Seats per workshop come from ``programme.services.seats`` (one query for the
whole gathering); the lists of one workshop are read here in the order the
registrations page uses: seated by name, waiting first in line first. The
composition by perspective follows the gathering's rule for small counts
(``attendance.small_counts``): outside a mixed session counts under
``REPORT_MIN_CELL`` are hidden, zeros too.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..attendance.listing import Composition, PerspectiveCount
from ..attendance.small_counts import min_cell, suppress
from ..catalogue.models import Gathering
from ..extensions import db
from ..registration.models import Registration, RegistrationStatus
from ..registration.perspectives import PERSPECTIVES
from . import services
from .models import ChoiceStatus, PartKind, ProgrammePart, Workshop, WorkshopChoice

_BY_NAME = (sa.func.lower(Registration.name), Registration.id)


# -- the programme page and the dashboard ---------------------------------------------------------------------

@dataclass
class WorkshopFill:
    workshop: Workshop
    seats: services.WorkshopSeats

    @property
    def percent(self) -> int | None:
        if not self.workshop.capacity:
            return None
        return round(100 * self.seats.seated / self.workshop.capacity)


@dataclass
class PartView:
    part: ProgrammePart
    workshops: list[WorkshopFill] = field(default_factory=list)

    @property
    def is_round(self) -> bool:
        return self.part.kind == PartKind.ROUND


def programme_view(gathering: Gathering) -> list[PartView]:
    """Every part in time order; a round's workshops each with their seats (two queries, and one for workshops)."""
    parts = list(db.session.scalars(
        sa.select(ProgrammePart).where(ProgrammePart.gathering_id == gathering.id)
        .order_by(ProgrammePart.starts_at, ProgrammePart.id)))
    if not parts:
        return []
    counts = services.seats(gathering)
    return [PartView(p, [WorkshopFill(w, counts.get(w.id, services.WorkshopSeats(w.capacity)))
                         for w in p.workshops]) for p in parts]


def rounds_fill(gatherings: list[Gathering]) -> dict[int, list[PartView]]:
    """{gathering id: its rounds with each workshop's fill} for the dashboard; gatherings without rounds left out."""
    ids = [g.id for g in gatherings]
    if not ids:
        return {}
    with_rounds = set(db.session.scalars(sa.select(ProgrammePart.gathering_id).where(
        ProgrammePart.gathering_id.in_(ids), ProgrammePart.kind == PartKind.ROUND).distinct()))
    result = {}
    for gathering in gatherings:
        if gathering.id in with_rounds:
            result[gathering.id] = [p for p in programme_view(gathering) if p.is_round]
    return result


# -- one workshop ------------------------------------------------------------------------------------------------

@dataclass
class WorkshopLists:
    seated: list[Registration]  # by name
    waiting: list[tuple[Registration, int]]  # (registration, place in the workshop's line), first in line first
    pending: int  # registrations that chose it and wait for the day's seat


def _in_workshop(workshop: Workshop, status: str):
    return (sa.select(Registration).join(WorkshopChoice, WorkshopChoice.registration_id == Registration.id)
            .where(WorkshopChoice.workshop_id == workshop.id, WorkshopChoice.status == status))


def workshop_lists(workshop: Workshop) -> WorkshopLists:
    seated = list(db.session.scalars(
        _in_workshop(workshop, ChoiceStatus.SEATED)
        .where(Registration.status != RegistrationStatus.CANCELLED).order_by(*_BY_NAME)))
    # The line holds confirmed registrations only: who waits for the day is "pending", not in it.
    waiting_rows = db.session.scalars(
        _in_workshop(workshop, ChoiceStatus.WAITING)
        .where(Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(WorkshopChoice.waiting_since, WorkshopChoice.id))
    pending = db.session.scalar(
        sa.select(sa.func.count()).select_from(WorkshopChoice)
        .join(Registration, Registration.id == WorkshopChoice.registration_id)
        .where(WorkshopChoice.workshop_id == workshop.id, WorkshopChoice.status == ChoiceStatus.PENDING,
               Registration.status == RegistrationStatus.WAITLISTED)) or 0
    return WorkshopLists(seated, [(r, n) for n, r in enumerate(waiting_rows, start=1)], int(pending))


def workshop_composition(gathering: Gathering, lists: WorkshopLists) -> Composition:
    """The workshop's seated and waiting registrations by perspective, small counts hidden as the gathering's are.

    Registrations, not people, as the gathering's own chart counts: a companion has no perspective of their own.
    """
    rows = {code: PerspectiveCount(code, label) for code, label in PERSPECTIVES.items()}
    rows[None] = PerspectiveCount(None, _l("Niet ingevuld"))
    for r in lists.seated:
        rows.get(r.perspective, rows[None]).confirmed += 1
    for r, _place in lists.waiting:
        rows.get(r.perspective, rows[None]).waitlisted += 1
    composition = Composition(list(rows.values()))
    if not gathering.is_mixed:
        minimum = min_cell()
        (seated,), _totals = suppress([[r.confirmed for r in composition.rows]], minimum, hide_zeros=True)
        (waiting,), _totals = suppress([[r.waitlisted for r in composition.rows]], minimum, hide_zeros=True)
        for row, shown_seated, shown_waiting in zip(composition.rows, seated, waiting):
            row.confirmed, row.waitlisted = shown_seated, shown_waiting
        composition.hidden_below = minimum
    return composition


def choice_of(registration: Registration, part: ProgrammePart) -> WorkshopChoice | None:
    return db.session.scalars(sa.select(WorkshopChoice).where(
        WorkshopChoice.registration_id == registration.id, WorkshopChoice.part_id == part.id)).first()


def people_in(workshop: Workshop) -> int:
    """Registrations (not cancelled) whose choice names ``workshop``: who must go somewhere when it is removed."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(WorkshopChoice)
        .join(Registration, Registration.id == WorkshopChoice.registration_id)
        .where(WorkshopChoice.workshop_id == workshop.id,
               Registration.status != RegistrationStatus.CANCELLED)) or 0


def people_in_round(part: ProgrammePart) -> int:
    """Registrations (not cancelled) with a workshop in round ``part``: who is told when it is removed."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(WorkshopChoice)
        .join(Registration, Registration.id == WorkshopChoice.registration_id)
        .where(WorkshopChoice.part_id == part.id, WorkshopChoice.workshop_id.is_not(None),
               Registration.status != RegistrationStatus.CANCELLED)) or 0


# -- exports -------------------------------------------------------------------------------------------------------

CHOICE_SUFFIX = {
    ChoiceStatus.WAITING: _l("wachtlijst"),
    ChoiceStatus.PENDING: _l("gekozen, nog geen plek"),
}


@dataclass
class RoundColumns:
    """A column per round for the exports: header, and each registration's cell."""

    headers: list[str]
    cells: dict[int, list[str]]  # registration id: one text per round ("" when nothing chosen)

    def of(self, registration_id: int) -> list[str]:
        return self.cells.get(registration_id, [""] * len(self.headers))


def round_columns(gathering: Gathering) -> RoundColumns:
    """Per round the workshop of each registration ("... (wachtlijst)" where it waits); two queries."""
    from ..i18n import clock_time

    rounds = list(db.session.scalars(
        sa.select(ProgrammePart).where(ProgrammePart.gathering_id == gathering.id, ProgrammePart.kind == PartKind.ROUND)
        .order_by(ProgrammePart.starts_at, ProgrammePart.id)))
    if not rounds:
        return RoundColumns([], {})
    column = {part.id: n for n, part in enumerate(rounds)}
    cells: dict[int, list[str]] = defaultdict(lambda: [""] * len(rounds))
    rows = db.session.execute(
        sa.select(WorkshopChoice.registration_id, WorkshopChoice.part_id, WorkshopChoice.status, Workshop.title)
        .join(ProgrammePart, ProgrammePart.id == WorkshopChoice.part_id)
        .outerjoin(Workshop, Workshop.id == WorkshopChoice.workshop_id)
        .where(ProgrammePart.gathering_id == gathering.id, ProgrammePart.kind == PartKind.ROUND))
    for registration_id, part_id, status, title in rows:
        if title is None:
            text = str(_l("Geen werkplaats")) if status == ChoiceStatus.NONE else ""
        elif status in CHOICE_SUFFIX:
            text = f"{title} ({CHOICE_SUFFIX[status]})"
        else:
            text = title
        cells[registration_id][column[part_id]] = text
    headers = [f"{part.title} ({clock_time(part.starts_at)})" for part in rounds]
    return RoundColumns(headers, dict(cells))


# -- messages ------------------------------------------------------------------------------------------------------

def workshop_audiences(gathering: Gathering) -> list[tuple[str, object]]:
    """(audience key, label) for each workshop an organiser's message can address, in programme order.

    The key is what ``attendance.listing`` reads as "everyone seated in this workshop".
    """
    from ..attendance.listing import WORKSHOP_AUDIENCE, audience_size
    from ..i18n import clock_time

    rows = db.session.execute(
        sa.select(Workshop, ProgrammePart).join(ProgrammePart, ProgrammePart.id == Workshop.part_id)
        .where(ProgrammePart.gathering_id == gathering.id)
        .order_by(ProgrammePart.starts_at, ProgrammePart.id, Workshop.id)).all()
    audiences = []
    for workshop, part in rows:
        key = f"{WORKSHOP_AUDIENCE}{workshop.id}"
        audiences.append((key, _l("Iedereen met een plek in de werkplaats \u201c%(title)s\u201d (%(round)s, %(time)s): "
                                  "%(num)d", title=workshop.title, round=part.title,
                                  time=clock_time(part.starts_at), num=audience_size(gathering, key))))
    return audiences
