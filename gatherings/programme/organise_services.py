"""Organisers build a gathering's programme: parts in time order, and the workshops of a round.

The rules a programme keeps (each with a Dutch message for the field it is about):

- a part lies inside its gathering and ends after it starts;
- rounds do not overlap one another (plenary parts may overlap anything: a
  welcome can run into the first round's start);
- a round that holds workshops cannot become a plenary part;
- a workshop cannot have fewer seats than the people already seated in it.

``part_mistakes`` and ``workshop_mistakes`` are what the forms show; the
services that write check the same again on the gathering write-locked by the
view's unit of work (``ProgrammeRefused``), since another organiser or a
registration may have come in between. Who sits where, moving people and
removing a workshop or round with people in it are ``programme.services``'s
(seats are decided there, under the same lock). Functions flush; the unit of
work commits.

Every change sends ``programme_changed`` (sender: the gathering) after moving
the gathering's ``changed_at``, so caches and feeds keyed on it see the new
programme; ``workshops`` names the workshops whose people an attendee-relevant
change touches (a new time for their round, a new room).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from blinker import Namespace
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from ..catalogue.models import Gathering, GatheringStatus
from ..database import require_write_lock
from ..extensions import db
from ..inputs import MAX_ID
from ..registration.models import Registration, RegistrationStatus
from ..timeutil import SUMMER_TIME, SkippedTime, doubled_hour_side, from_local, local
from .models import ChoiceStatus, PartKind, ProgrammePart, Workshop, WorkshopChoice

_signals = Namespace()
# Sender: the Gathering. kwargs: part (ProgrammePart or None), workshops (ids whose people a change of
# time or room affects), what ("part_added" | "part_changed" | "workshop_added" | "workshop_changed" |
# "part_removed" | "workshop_removed" | "programme_moved": the gathering's start moved and the programme with it). Removing goes through programme.services, which tells each person
# itself (signals.choice_moved); this signal then only says that the programme changed.
programme_changed = _signals.signal("programme-changed")

PART_FIELDS = ("kind", "title", "description", "starts_at", "ends_at", "optional")
WORKSHOP_FIELDS = ("title", "description", "leader", "room", "capacity")
MAX_WORKSHOP_CAPACITY = 100_000


class ProgrammeRefused(Exception):
    """The change cannot be made now; ``field`` (or None) and a Dutch ``message`` say why."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def _moment(at: datetime) -> str:
    return format_datetime(at, "d MMMM y HH:mm")


def _clock(at: datetime) -> str:
    return format_datetime(at, "HH:mm")


# -- finding what an address names ----------------------------------------------------------------------------

def part_of(gathering: Gathering, part_id: int) -> ProgrammePart:
    """The part, if it belongs to ``gathering``; LookupError otherwise."""
    if not 0 < part_id <= MAX_ID:
        raise LookupError(part_id)
    part = db.session.get(ProgrammePart, part_id)
    if part is None or part.gathering_id != gathering.id:
        raise LookupError(part_id)
    return part


def workshop_of(gathering: Gathering, workshop_id: int) -> Workshop:
    """The workshop, if it is in a round of ``gathering``; LookupError otherwise."""
    if not 0 < workshop_id <= MAX_ID:
        raise LookupError(workshop_id)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.part.gathering_id != gathering.id:
        raise LookupError(workshop_id)
    return workshop


def parts(gathering: Gathering) -> list[ProgrammePart]:
    """The gathering's parts in time order, read fresh (another organiser may have changed them)."""
    return list(db.session.scalars(
        sa.select(ProgrammePart).where(ProgrammePart.gathering_id == gathering.id)
        .order_by(ProgrammePart.starts_at, ProgrammePart.id)
        .execution_options(populate_existing=True)))


# -- the rules ---------------------------------------------------------------------------------------------------

def part_mistakes(gathering: Gathering, values: dict, part: ProgrammePart | None = None) -> dict[str, object]:
    """{field: message} for every rule ``values`` break as part of ``gathering`` (``part``: the one being changed)."""
    mistakes: dict[str, object] = {}
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts is not None and starts < gathering.starts_at:
        mistakes["starts_at"] = _l("Dit deel begint voor de bijeenkomst begint (%(time)s). Kies een latere tijd.",
                                   time=_moment(gathering.starts_at))
    elif starts is not None and starts >= gathering.ends_at:
        mistakes["starts_at"] = _l("Dit deel begint pas als de bijeenkomst al voorbij is (%(time)s). "
                                   "Kies een eerdere tijd.", time=_moment(gathering.ends_at))
    if ends is not None and ends > gathering.ends_at:
        mistakes["ends_at"] = _l("Dit deel eindigt na het einde van de bijeenkomst (%(time)s). Kies een eerdere tijd.",
                                 time=_moment(gathering.ends_at))
    elif starts is not None and ends is not None and ends <= starts:
        mistakes["ends_at"] = _l("Het einde moet na het begin liggen.")
    if part is not None and part.kind == PartKind.ROUND and values.get("kind") == PartKind.PLENARY and part.workshops:
        mistakes["kind"] = _l("Deze ronde heeft werkplaatsen en kan daarom geen plenair deel worden. "
                              "Verwijder eerst de werkplaatsen.")
    if values.get("kind") == PartKind.ROUND and starts is not None and ends is not None and ends > starts \
            and "starts_at" not in mistakes:
        for other in parts(gathering):
            if other.kind != PartKind.ROUND or (part is not None and other.id == part.id):
                continue
            if starts < other.ends_at and other.starts_at < ends:
                mistakes["starts_at"] = _l(
                    "Deze ronde valt (deels) samen met de ronde \u201c%(title)s\u201d (%(start)s\u2013%(end)s). "
                    "Rondes mogen niet tegelijk zijn: kies andere tijden.",
                    title=other.title, start=_clock(other.starts_at), end=_clock(other.ends_at))
                break
    return mistakes


def seated_people(workshop: Workshop) -> int:
    """People (a companion counts) seated in ``workshop`` by registrations that are not cancelled."""
    return int(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Registration.people), 0))
        .select_from(WorkshopChoice).join(Registration, Registration.id == WorkshopChoice.registration_id)
        .where(WorkshopChoice.workshop_id == workshop.id, WorkshopChoice.status == ChoiceStatus.SEATED,
               Registration.status != RegistrationStatus.CANCELLED)) or 0)


def workshop_mistakes(values: dict, workshop: Workshop | None = None) -> dict[str, object]:
    """{field: message}: a workshop cannot have fewer seats than the people already seated in it."""
    capacity = values.get("capacity")
    if workshop is None or capacity is None:
        return {}
    seated = seated_people(workshop)
    if capacity < seated:
        return {"capacity": _l("Er zitten al %(num)d mensen in deze werkplaats. Het aantal plekken kan niet lager "
                               "zijn. Verplaats eerst mensen naar een andere werkplaats.", num=seated)}
    return {}


def _refuse_if(mistakes: dict) -> None:
    if mistakes:
        name, message = next(iter(mistakes.items()))
        raise ProgrammeRefused(message, name)


def _can_change(gathering: Gathering) -> None:
    require_write_lock(gathering)
    if gathering.status == GatheringStatus.CANCELLED:
        raise ProgrammeRefused(_l("Deze bijeenkomst gaat niet door en kan niet meer veranderen."))


def _changed(gathering: Gathering, what: str, part: ProgrammePart | None, workshops=()) -> None:
    # Not attendee-relevant by itself: who is affected hears through programme_changed's listeners.
    gathering.touch(attendee_relevant=False)
    db.session.flush()
    programme_changed.send(gathering, part=part, workshops=list(workshops), what=what)


# -- parts ---------------------------------------------------------------------------------------------------------

def add_part(gathering: Gathering, values: dict) -> ProgrammePart:
    """A new part of the write-locked ``gathering``'s programme."""
    _can_change(gathering)
    data = {k: values[k] for k in PART_FIELDS if k in values}
    data["optional"] = bool(data.get("optional")) and data.get("kind") == PartKind.ROUND
    _refuse_if(part_mistakes(gathering, data))
    part = ProgrammePart(gathering_id=gathering.id, description=data.pop("description", "") or "", **data)
    db.session.add(part)
    db.session.flush()
    _changed(gathering, "part_added", part)
    return part


@dataclass
class PartChange:
    part: ProgrammePart
    changed: list[str] = field(default_factory=list)


def update_part(gathering: Gathering, part: ProgrammePart, values: dict) -> PartChange:
    """Change a part of the write-locked ``gathering``; a new time tells who has a workshop in the round."""
    _can_change(gathering)
    if part.gathering_id != gathering.id:
        raise LookupError(part.id)
    data = {k: values[k] for k in PART_FIELDS if k in values}
    data["description"] = data.get("description") or ""
    data["optional"] = bool(data.get("optional")) and data.get("kind", part.kind) == PartKind.ROUND
    _refuse_if(part_mistakes(gathering, data, part))
    before = {k: getattr(part, k) for k in PART_FIELDS}
    for key, value in data.items():
        if isinstance(value, datetime) and value.replace(second=0, microsecond=0) == \
                before[key].replace(second=0, microsecond=0):
            continue  # forms show minutes
        setattr(part, key, value)
    changed = [k for k in PART_FIELDS if getattr(part, k) != before[k]]
    if changed:
        db.session.flush()
        timing = {"starts_at", "ends_at", "title"} & set(changed)
        _changed(gathering, "part_changed", part, [w.id for w in part.workshops] if timing else [])
    return PartChange(part, changed)


# -- workshops -----------------------------------------------------------------------------------------------------

def add_workshop(gathering: Gathering, part: ProgrammePart, values: dict) -> Workshop:
    _can_change(gathering)
    if part.gathering_id != gathering.id:
        raise LookupError(part.id)
    if part.kind != PartKind.ROUND:
        raise ProgrammeRefused(_l("Alleen een ronde heeft werkplaatsen."))
    data = {k: values[k] if values.get(k) is not None else "" for k in WORKSHOP_FIELDS if k != "capacity"}
    workshop = Workshop(part_id=part.id, capacity=int(values["capacity"]), **data)
    db.session.add(workshop)
    db.session.flush()
    _changed(gathering, "workshop_added", part)
    return workshop


@dataclass
class WorkshopChange:
    workshop: Workshop
    changed: list[str] = field(default_factory=list)
    promoted: list = field(default_factory=list)  # WorkshopChoice: who got a seat because the workshop grew


def update_workshop(gathering: Gathering, workshop: Workshop, values: dict) -> WorkshopChange:
    """Change a workshop; fewer seats than its seated people is refused; added seats go to who waits."""
    _can_change(gathering)
    if workshop.part.gathering_id != gathering.id:
        raise LookupError(workshop.id)
    _refuse_if(workshop_mistakes(values, workshop))
    before = {k: getattr(workshop, k) for k in WORKSHOP_FIELDS}
    for key in WORKSHOP_FIELDS:
        if key in values:
            value = values[key]
            setattr(workshop, key, int(value) if key == "capacity" else (value or ""))
    changed = [k for k in WORKSHOP_FIELDS if getattr(workshop, k) != before[k]]
    result = WorkshopChange(workshop, changed)
    if not changed:
        return result
    db.session.flush()
    _changed(gathering, "workshop_changed", workshop.part,
             [workshop.id] if {"title", "room"} & set(changed) else [])
    if workshop.capacity > before["capacity"]:
        from . import services  # who sits where is decided there

        result.promoted = services.fill_workshops(gathering, [workshop.id])
    return result


# -- duplicating ---------------------------------------------------------------------------------------------------

def copy_programme(original: Gathering, copy: Gathering) -> list[ProgrammePart]:
    """Give ``copy`` (a new draft, nobody registered) the programme of ``original``: parts and workshops, no people.

    Times are copied as they are, as the gathering's own times are: the organiser changes the date of the copy.
    """
    copied = []
    for part in parts(original):
        new = ProgrammePart(gathering_id=copy.id, kind=part.kind, title=part.title, description=part.description,
                            starts_at=part.starts_at, ends_at=part.ends_at, optional=part.optional)
        new.workshops = [Workshop(title=w.title, description=w.description, leader=w.leader, room=w.room,
                                  capacity=w.capacity) for w in part.workshops]
        db.session.add(new)
        copied.append(new)
    db.session.flush()
    return copied


def removed(gathering: Gathering, what: str) -> None:
    """After ``programme.services`` removed a workshop or a part (it told each person): the programme changed."""
    _changed(gathering, what, None)


# -- the gathering's own times change -----------------------------------------------------------------------------

def _wall(at: datetime) -> datetime:
    return local(at).replace(tzinfo=None, fold=0)


def _shifted(at: datetime, by: timedelta) -> datetime:
    moved = _wall(at) + by
    try:
        return from_local(moved, doubled_hour_side(at) or SUMMER_TIME)
    except SkippedTime:
        return at + by  # the wall-clock time does not exist that night: the same length of time instead


def follow_gathering(gathering: Gathering, before_start: datetime, before_end: datetime) -> list[ProgrammePart]:
    """The write-locked ``gathering``'s times changed: its programme moves with its start, by the same wall-clock time.

    A copy moved to next year's date keeps its programme at the same hours. A part that
    would then lie outside the gathering (the end moved earlier, say) is refused
    (``ProgrammeRefused`` on ``ends_at`` or ``starts_at`` of the gathering's form): nothing
    is changed without the organiser seeing it. Returns the parts that moved.
    """
    require_write_lock(gathering)
    programme = parts(gathering)
    if not programme:
        return []
    by = _wall(gathering.starts_at) - _wall(before_start)
    moved = []
    if by:
        for part in programme:
            part.starts_at, part.ends_at = _shifted(part.starts_at, by), _shifted(part.ends_at, by)
            moved.append(part)
    first = min(p.starts_at for p in programme)
    last = max(p.ends_at for p in programme)
    if first < gathering.starts_at:
        raise ProgrammeRefused(_l("Het programma begint dan voor de bijeenkomst (%(time)s). Pas eerst het programma "
                                  "aan, of kies een eerder begin.", time=_moment(first)), "starts_at")
    if last > gathering.ends_at:
        raise ProgrammeRefused(_l("Het programma loopt tot %(time)s, na dit einde. Pas eerst het programma aan, of "
                                  "kies een later einde.", time=_moment(last)), "ends_at")
    if moved:
        db.session.flush()
        programme_changed.send(gathering, part=None, workshops=[w.id for p in moved for w in p.workshops],
                               what="programme_moved")
    return moved
