"""Running gatherings: create, change, duplicate, publish, cancel.

Changes to a gathering are made on the gathering write-locked by the view's unit
of work (as registration is), so a capacity check and a registration cannot
pass each other. A change of date, time, place, title or description of a
published gathering (what its invitation shows) raises the calendar SEQUENCE
and sends ``gathering_changed``; cancelling sends ``gathering_cancelled``. The
mail area listens and queues the messages in the same transaction. Functions
flush; the unit of work commits.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ..catalogue import signals
from ..catalogue.models import Gathering, GatheringKind, GatheringStatus
from ..database import require_write_lock
from ..extensions import db
from ..programme.organise_services import ProgrammeRefused, copy_programme, follow_gathering
from ..registration import services as registration
from ..registration.models import Registration
from ..registration.perspectives import ALLOTMENT_FIELDS, PerspectiveGroup
from .models import Organiser

# Fields whose change everyone registered must hear about: the time and the place.
ATTENDEE_FIELDS = ("starts_at", "ends_at", "venue_name", "venue_address", "venue_city", "online_url")
# Everything an invitation shows (the summary, the description with host and accessibility): a change
# raises SEQUENCE and sends the confirmed an updated invitation, or their calendars keep the old one.
CALENDAR_FIELDS = ATTENDEE_FIELDS + ("title", "description", "accessibility", "host_id")
EDITABLE_FIELDS = (
    "title", "slug", "kind", "theme_id", "host_id", "description", "starts_at", "ends_at",
    "venue_name", "venue_address", "venue_city", "online_url", "accessibility", "capacity",
    "allot_lived", "allot_relatives", "allot_professionals",
    "registration_opens_at", "registration_closes_at", "reminder_days", "contact_email",
)


class GatheringRefused(Exception):
    """The change cannot be made now; ``field`` (or None) and a Dutch ``message`` say why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class ChangeResult:
    gathering: Gathering
    changes: list[str] = field(default_factory=list)  # fields that changed and show in calendars (CALENDAR_FIELDS)
    promoted: list[Registration] = field(default_factory=list)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100].strip("-") or "bijeenkomst"
    # Digits only would be read as the gathering's id in the organiser's addresses (a title "2027").
    return f"bijeenkomst-{slug}" if slug.isdigit() else slug


def unique_slug(base: str, *, exclude_id: int | None = None) -> str:
    base = slugify(base)
    taken = set(db.session.scalars(sa.select(Gathering.slug).where(
        sa.or_(Gathering.slug == base, Gathering.slug.like(f"{base}-%")),
        *([Gathering.id != exclude_id] if exclude_id else []),
    )))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _organisers(ids) -> list[Organiser]:
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Organiser).where(Organiser.id.in_(list(ids))).order_by(Organiser.email)))


def create_gathering(values: dict, *, organiser_ids, by: Organiser) -> Gathering:
    """A new gathering, as a draft, organised by ``organiser_ids`` (and ``by`` when they are not admin)."""
    data = {k: values[k] for k in EDITABLE_FIELDS if k in values}
    data["slug"] = data.get("slug") or unique_slug(data["title"])
    gathering = Gathering(status=GatheringStatus.DRAFT, sequence=0, **data)
    ids = set(organiser_ids or ())
    if not by.is_admin:
        ids.add(by.id)
    gathering.organisers = _organisers(ids)
    db.session.add(gathering)
    db.session.flush()
    return gathering


def _check_seats(gathering: Gathering, data: dict) -> None:
    seats = registration.availability(gathering)
    if data["capacity"] < seats.total.confirmed:
        raise GatheringRefused(_("Er zijn al %(num)d plekken bezet. Het aantal plekken kan niet lager zijn.",
                                 num=seats.total.confirmed), "capacity")
    if data["kind"] != gathering.kind and (seats.total.confirmed or seats.total.waitlisted):
        raise GatheringRefused(_("De soort kan niet meer veranderen: er zijn al mensen aangemeld."), "kind")
    if data["kind"] == GatheringKind.MIXED:
        for group in PerspectiveGroup:
            taken = seats.groups[group].confirmed if group in seats.groups else 0
            field = ALLOTMENT_FIELDS[group]
            if (data.get(field) or 0) < taken:
                raise GatheringRefused(_("Er zijn in deze groep al %(num)d plekken bezet. Het aantal kan niet lager zijn.",
                                         num=taken), field)


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _seats_grew(before: dict, gathering: Gathering) -> bool:
    if gathering.capacity > before["capacity"]:
        return True
    return gathering.is_mixed and any(
        gathering.allotment(group) > (before[ALLOTMENT_FIELDS[group]] or 0) for group in PerspectiveGroup)


def update_gathering(gathering: Gathering, values: dict, *, organiser_ids=None) -> ChangeResult:
    """Change the write-locked ``gathering``; tell attendees about a new date, time or place; fill added seats.

    Its programme moves with its start (``programme.organise_services.follow_gathering``); a change
    that would leave a part of it outside the gathering is refused.
    """
    require_write_lock(gathering)
    data = {k: values[k] for k in EDITABLE_FIELDS if k in values}
    data["slug"] = data.get("slug") or gathering.slug
    if gathering.status != GatheringStatus.DRAFT and data["slug"] != gathering.slug:
        raise GatheringRefused(_("Het webadres van een gepubliceerde bijeenkomst kan niet meer veranderen: "
                                 "links ernaar zouden niet meer werken."), "slug")
    if gathering.status == GatheringStatus.CANCELLED:
        raise GatheringRefused(_("Deze bijeenkomst gaat niet door en kan niet meer veranderen."))
    _check_seats(gathering, data)

    before = {k: getattr(gathering, k) for k in EDITABLE_FIELDS}
    for key, value in data.items():
        if isinstance(value, datetime) and before[key] is not None and _same_minute(value, before[key]):
            continue  # forms show minutes; seconds stored by other means are no change
        setattr(gathering, key, value)
    if organiser_ids is not None:
        gathering.organisers = _organisers(organiser_ids)
    if gathering.starts_at != before["starts_at"] or gathering.ends_at != before["ends_at"]:
        try:
            follow_gathering(gathering, before["starts_at"], before["ends_at"])
        except ProgrammeRefused as refused:
            raise GatheringRefused(str(refused.message), refused.field) from None
    changed = [k for k in EDITABLE_FIELDS if getattr(gathering, k) != before[k]]
    attendee_changes = [k for k in CALENDAR_FIELDS if k in changed]
    result = ChangeResult(gathering, changes=attendee_changes if gathering.status == GatheringStatus.PUBLISHED else [])
    if changed or organiser_ids is not None:
        gathering.touch(attendee_relevant=bool(result.changes))
    db.session.flush()
    if result.changes:
        signals.gathering_changed.send(gathering, changes=result.changes,
                                       before={k: before[k] for k in result.changes})
    if gathering.status == GatheringStatus.PUBLISHED and {"theme_id", "kind"} & set(changed):
        signals.gathering_topic_changed.send(gathering)
    if gathering.status == GatheringStatus.PUBLISHED and _seats_grew(before, gathering):
        result.promoted = registration.fill_from_waitlist(gathering)
    return result


def duplicate_gathering(gathering_id: int, *, by: Organiser) -> Gathering:
    """A draft copy with the same details, organisers and programme (no people), to change into the next edition."""
    original = db.session.get(Gathering, gathering_id)
    if original is None:
        raise LookupError(gathering_id)
    data = {k: getattr(original, k) for k in EDITABLE_FIELDS}
    data["slug"] = unique_slug(f"{original.slug}-kopie")
    data["title"] = _("%(title)s (kopie)", title=original.title)[:200]
    ids = {o.id for o in original.organisers}
    copy = create_gathering(data, organiser_ids=ids, by=by)
    copy_programme(original, copy)
    return copy


def publish_gathering(gathering: Gathering) -> Gathering:
    require_write_lock(gathering)
    if gathering.status == GatheringStatus.CANCELLED:
        raise GatheringRefused(_("Deze bijeenkomst gaat niet door en kan niet meer gepubliceerd worden."))
    if gathering.status == GatheringStatus.PUBLISHED:
        return gathering
    gathering.status = GatheringStatus.PUBLISHED
    gathering.touch(attendee_relevant=False)
    db.session.flush()
    signals.gathering_published.send(gathering)
    return gathering


def cancel_gathering(gathering: Gathering, message: str = "") -> Gathering:
    """The write-locked ``gathering`` does not take place; registrants are told (with ``message``) if it was published."""
    require_write_lock(gathering)
    if gathering.status == GatheringStatus.CANCELLED:
        raise GatheringRefused(_("Deze bijeenkomst was al afgelast."))
    was_published = gathering.status == GatheringStatus.PUBLISHED
    gathering.status = GatheringStatus.CANCELLED
    gathering.touch(attendee_relevant=True)
    db.session.flush()
    if was_published:
        signals.gathering_cancelled.send(gathering, message=(message or "").strip())
    return gathering
