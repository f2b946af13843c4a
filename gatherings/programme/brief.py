"""What the registration POST knows of its gathering before the lock: read once per worker, checked under the lock.

The one flight (registration/flight.py) needs, before it takes the lock, the gathering's
id and kind, what the mail needs (title, whom replies go to) and the rounds with their
workshops (to refuse a wrong choice at the field without taking the lock at all). During
the opening rush that is the same for every POST, so each worker keeps it per gathering
(``for_registering``; the store is ``caches.checked``) instead of asking the database once
more per registration.

Kept is never trusted: ``unchanged`` is a part of the flight's statement that compares,
under the lock, everything taken from the brief with the locked row and its programme
(slug, kind, title, contact addresses, and every round with its optional flag and its
workshops). When anything differs the flight declines, writes nothing, and the ordinary
way decides with what is there now; the caller then forgets the brief (``forget``), so
the next POST reads it again. A choice refused by a kept brief is checked again against
a fresh one before the visitor is told (a workshop added since).

On SQLite there is no flight; ``read`` still serves the tests that compare both ways.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from .. import caches
from ..catalogue.models import Gathering, HostOrganisation
from ..catalogue.services import VISIBLE
from ..extensions import db
from ..registration import flight
from .models import PartKind, ProgrammePart, Workshop

KEEP_SECONDS = 60.0  # a brief no POST has shown stale is read again after this: memory, not correctness


@dataclass(frozen=True)
class HostBrief:
    contact_email: str


@dataclass(frozen=True)
class GatheringBrief:
    """What the registration POST needs of its gathering before the lock (all that decides is read again
    under it): who it is, and what the mail needs (its title, and whom replies go to: ``contact_of``)."""

    id: int
    kind: str
    title: str
    contact_email: str
    host: HostBrief | None


@dataclass(frozen=True)
class WorkshopBrief:
    id: int


@dataclass(frozen=True)
class RoundBrief:
    """A round as ``services.check_choices`` reads it: its id, whether it may be skipped, its workshops."""

    id: int
    optional: bool
    workshops: tuple[WorkshopBrief, ...]


@dataclass(frozen=True)
class Brief:
    slug: str
    gathering: GatheringBrief
    rounds: tuple[RoundBrief, ...]


# -- reading ---------------------------------------------------------------------------------------------------

@cache
def _statement() -> sa.Select:
    g, parts, workshops = Gathering, ProgrammePart, Workshop
    return (
        sa.select(g.id, g.kind, g.title, g.contact_email, HostOrganisation.contact_email,
                  parts.id, parts.optional, workshops.id)
        .select_from(g)
        .outerjoin(HostOrganisation, HostOrganisation.id == g.host_id)
        .outerjoin(parts, sa.and_(parts.gathering_id == g.id, parts.kind == PartKind.ROUND.value))
        .outerjoin(workshops, workshops.part_id == parts.id)
        .where(g.slug == sa.bindparam("slug", type_=sa.String),
               sa.or_(*(g.status == status.value for status in VISIBLE)))  # as visible_by_slug
        .order_by(parts.starts_at, parts.id, workshops.id)
    )


@cache
def _native():
    return flight.native(_statement())


def read(slug: str) -> Brief | None:
    """The visible gathering ``slug`` and its rounds with their workshops' ids, in one light statement.

    Plain values, not ORM objects: loading the gathering with its programme as objects cost more
    CPU than the rest of the POST's reading together.
    """
    if db.engine.dialect.name == "postgresql":
        rows = flight.run(_native(), {"slug": slug})  # the opening rush's way, as the flight's statement
    else:
        rows = db.session.execute(_statement(), {"slug": slug}).all()
    if not rows:
        return None
    gid, kind, title, contact, host_contact, *_rest = rows[0]
    gathering = GatheringBrief(gid, kind, title, contact or "", HostBrief(host_contact) if host_contact is not None else None)
    rounds: dict[int, tuple[bool, list[WorkshopBrief]]] = {}
    for *_gathering, part_id, optional, workshop_id in rows:
        if part_id is None:
            continue
        found = rounds.setdefault(part_id, (bool(optional), []))
        if workshop_id is not None:
            found[1].append(WorkshopBrief(workshop_id))
    return Brief(slug, gathering, tuple(RoundBrief(pid, optional, tuple(ws)) for pid, (optional, ws) in rounds.items()))


def for_registering(slug: str, *, fresh: bool = False) -> tuple[Brief | None, bool]:
    """The brief of ``slug`` and whether it was kept from an earlier POST (else read now); None: not visible."""
    if fresh:
        caches.drop("brief", slug)
    return caches.checked("brief", slug, lambda: read(slug), KEEP_SECONDS)


def forget(slug: str) -> None:
    """The flight declined with this brief: the next POST reads the gathering again."""
    caches.drop("brief", slug)


# -- checked under the lock ------------------------------------------------------------------------------------

def programme_key(rounds) -> str:
    """The rounds as the flight's statement spells them under the lock: part:optional:workshop, by id."""
    items = sorted((part.id, part.optional, workshop.id) for part in rounds for workshop in part.workshops)
    items += [(part.id, part.optional, 0) for part in rounds if not part.workshops]
    return ",".join(f"{pid}:{'t' if optional else 'f'}:{wid}" for pid, optional, wid in sorted(items))


def _programme_now(gathering: sa.Table) -> sa.ScalarSelect:
    from sqlalchemy.dialects.postgresql import aggregate_order_by

    parts, workshops = ProgrammePart.__table__, Workshop.__table__
    workshop_id = sa.func.coalesce(workshops.c.id, 0)
    item = sa.func.concat(parts.c.id, ":", sa.case((parts.c.optional, "t"), else_="f"), ":", workshop_id)
    return (sa.select(sa.func.coalesce(sa.func.string_agg(
                item, aggregate_order_by(sa.literal_column("','"), parts.c.id, workshop_id)), ""))
            .select_from(parts.outerjoin(workshops, workshops.c.part_id == parts.c.id))
            .where(parts.c.gathering_id == gathering.c.id, parts.c.kind == PartKind.ROUND.value)
            .scalar_subquery())


def _unchanged(gathering: sa.Table) -> sa.ColumnElement:
    p = sa.bindparam
    hosts = HostOrganisation.__table__
    host_contact = sa.select(hosts.c.contact_email).where(hosts.c.id == gathering.c.host_id).scalar_subquery()
    return sa.and_(
        gathering.c.slug == p("brief_slug", type_=sa.String),
        gathering.c.kind == p("brief_kind", type_=sa.String),
        gathering.c.title == p("brief_title", type_=sa.String),
        sa.func.coalesce(gathering.c.contact_email, "") == p("brief_contact", type_=sa.String),
        host_contact.is_not_distinct_from(p("brief_host_contact", type_=sa.String)),
        _programme_now(gathering) == p("brief_programme", type_=sa.String),
    )


def unchanged(brief: Brief) -> flight.FlightPart:
    """The flight's part that goes only while the gathering and its rounds are as ``brief`` says."""
    g = brief.gathering
    return flight.FlightPart(key=("brief",), condition=_unchanged, params={
        "brief_slug": brief.slug, "brief_kind": g.kind, "brief_title": g.title, "brief_contact": g.contact_email,
        "brief_host_contact": g.host.contact_email if g.host is not None else None,
        "brief_programme": programme_key(brief.rounds)})
