"""Following themes and kinds by e-mail: ask (double opt-in), confirm, change, end; tell followers of new gatherings.

The form's POST does the same work for every address: one pending row and one
confirmation mail, queued unrendered (see ``request_follow``). Nothing is sent
about a gathering until the address's owner confirmed from that mail. When an
organiser publishes a gathering, only an ``Announcement`` row is written in
their transaction; the mail worker (``flask mail send --loop``, ``flask mail
remind``) queues one message per matching follower in a batch
(``queue_due_alerts``), at most once per follower and gathering: the outbox
row's unique ``dedupe_key`` decides when two workers run at once.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..catalogue.models import Gathering, GatheringKind, Theme
from ..catalogue.services import contact_of
from ..database import write_lock_key
from ..extensions import db
from ..i18n import when
from ..mail import services as mail_services
from ..mail.models import OutboxMessage
from ..mail.retention import forget_finished_mail
from ..registration.services import availability
from ..timeutil import utcnow
from ..urls import public_url
from .models import Announcement, Follow, FollowStatus, hash_token

CONFIRM_KIND = "alert_confirm"
GATHERING_KIND = "alert_gathering"
LOCALES = ("nl", "en")
PENDING_DAYS = 7  # unconfirmed requests are deleted by ``flask privacy purge`` after this


def _key(email: str | None) -> str:
    return (email or "").strip().lower()


def link_token(nonce: str) -> str:
    """The secret in a follower's links, derived from the nonce their row (and outbox rows) carry."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    digest = hmac.new(key, b"alerts:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def find(token: str) -> Follow | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalars(sa.select(Follow).where(Follow.token_hash == hash_token(token))).first()


def themes_by_slug(slugs) -> list[Theme]:
    slugs = {s for s in slugs or () if isinstance(s, str)}
    if not slugs:
        return []
    return list(db.session.scalars(sa.select(Theme).where(Theme.slug.in_(slugs)).order_by(Theme.name)))


def _kinds(kinds) -> str:
    return ",".join(sorted({k for k in kinds or () if GatheringKind.of(k) is not None}))


def _locale(locale: str | None) -> str:
    return locale if locale in LOCALES else "nl"


def request_follow(email: str, *, theme_slugs, kinds, locale: str, consent_version: str,
                   now: datetime | None = None) -> Follow:
    """A pending request and its confirmation mail, for any address. The caller commits.

    The same work whatever the address: whether it already follows something is
    neither looked up nor told here. A second request is a row of its own;
    confirming it adds its choice to what the address follows (``confirm``).
    """
    now = now or utcnow()
    nonce = secrets.token_urlsafe(32)
    follow = Follow(email=email.strip(), email_key=_key(email), status=FollowStatus.PENDING, kinds=_kinds(kinds),
                    locale=_locale(locale), nonce=nonce, token_hash=hash_token(link_token(nonce)),
                    consent_at=now, consent_version=consent_version, created_at=now)
    follow.themes = themes_by_slug(theme_slugs)
    db.session.add(follow)
    db.session.flush()
    with force_locale(follow.locale):
        subject = _("Bevestig: berichten over nieuwe bijeenkomsten")
    mail_services.queue_for_address(CONFIRM_KIND, to=follow.email, subject=subject, now=now,
                                    context={"follow": follow.id, "nonce": nonce, "locale": follow.locale})
    return follow


def active_follow_of(email_key: str) -> Follow | None:
    return db.session.scalars(sa.select(Follow).where(
        Follow.email_key == email_key, Follow.status == FollowStatus.ACTIVE).order_by(Follow.id)).first()


def confirm(follow: Follow, now: datetime | None = None) -> Follow:
    """Make the request active; returns the address's active row. The caller commits.

    When the address already follows something, the request's themes and kinds
    are added to that row and the request goes: the links in earlier mails keep working.
    """
    if follow.is_active:
        return follow
    # Two confirmations for one address (two requests' links clicked at once) decide one after the
    # other, so the address never ends up with two active rows (the database refuses that too).
    write_lock_key("alert_follow", follow.email_key)
    email_key = follow.email_key
    follow = db.session.get(Follow, follow.id, populate_existing=True)
    if follow is None:  # merged into the active row by the confirmation that went first
        return active_follow_of(email_key)
    if follow.is_active:
        return follow
    now = now or utcnow()
    active = active_follow_of(follow.email_key)
    if active is None:
        follow.status = FollowStatus.ACTIVE
        follow.confirmed_at = now
        db.session.flush()
        return follow
    active.kinds = _kinds(active.kind_codes + follow.kind_codes)
    active.themes = sorted({t.id: t for t in active.themes + follow.themes}.values(), key=lambda t: t.name)
    active.locale = follow.locale  # the language they used last
    active.consent_at, active.consent_version = follow.consent_at, follow.consent_version
    db.session.delete(follow)
    db.session.flush()
    return active


def change(follow: Follow, *, theme_slugs, kinds) -> None:
    """What an active follower follows from now on. The caller commits."""
    follow.themes = themes_by_slug(theme_slugs)
    follow.kinds = _kinds(kinds)
    db.session.flush()


def _drop_queued_alerts(email_key: str) -> None:
    # Mail about gatherings not yet sent to an address that stopped: never sent.
    db.session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.email_key == email_key, OutboxMessage.kind == GATHERING_KIND,
        OutboxMessage.status == "queued",
    ).values(status="dropped", context=None, claim_count=OutboxMessage.claim_count + 1))


def end(follow: Follow) -> None:
    """Stop: the row goes (with its themes), and mail about gatherings not yet sent with it. The caller commits."""
    _drop_queued_alerts(follow.email_key)
    db.session.delete(follow)
    db.session.flush()


def end_address(email_key: str) -> int:
    """End everything this address follows or asked to follow (/my, and erasing one's data). Flushes."""
    follows = list(db.session.scalars(sa.select(Follow).where(Follow.email_key == email_key)))
    for follow in follows:
        db.session.delete(follow)
    if email_key:
        _drop_queued_alerts(email_key)
    db.session.flush()
    return len(follows)


def follows_of(email_key: str) -> list[Follow]:
    if not email_key:
        return []
    return list(db.session.scalars(sa.select(Follow).where(
        Follow.email_key == email_key, Follow.status == FollowStatus.ACTIVE).order_by(Follow.id)))


def export_of(email_key: str) -> list[dict]:
    """What /my's download shows of this address's follows, pending ones included."""
    if not email_key:
        return []
    return [{
        "status": f.status, "themes": [t.slug for t in f.themes], "kinds": f.kind_codes, "language": f.locale,
        "consent_at": f.consent_at.isoformat(), "consent_version": f.consent_version,
        "created_at": f.created_at.isoformat(), "confirmed_at": f.confirmed_at.isoformat() if f.confirmed_at else None,
    } for f in db.session.scalars(sa.select(Follow).where(Follow.email_key == email_key).order_by(Follow.id))]


# -- announcing published gatherings ----------------------------------------------------------

def on_gathering_published(gathering: Gathering, **_kw) -> None:
    """In the organiser's transaction: one row that promises the followers a mail. Flushes.

    Also when a published gathering's theme or kind changed: it is announced again, to those who
    follow it now and were not told yet (a follower hears of a gathering once, ever).
    """
    announcement = db.session.get(Announcement, gathering.id)
    if announcement is None:
        db.session.add(Announcement(gathering_id=gathering.id, published_at=utcnow()))
    else:
        announcement.published_at, announcement.queued_at = utcnow(), None
    db.session.flush()


def _dedupe_key(gathering_id: int, follow_id: int) -> str:
    return f"alert:{gathering_id}:{follow_id}"


def queue_due_alerts(now: datetime | None = None) -> int:
    """Queue one mail per matching follower for each gathering published since the last run. Commits.

    A follower is told about gatherings published after they confirmed. Each
    (follower, gathering) gets at most one message, also when two workers run
    this at the same moment: the unique ``dedupe_key`` decides. A gathering that
    was cancelled or has started by now is not announced.
    """
    now = now or utcnow()
    due = db.session.scalars(sa.select(Announcement).where(Announcement.queued_at.is_(None))
                             .order_by(Announcement.published_at)).all()
    queued = 0
    for announcement in due:
        gathering = db.session.get(Gathering, announcement.gathering_id)
        if gathering is not None and gathering.status == "published" and gathering.starts_at > now:
            queued += _announce(gathering, announcement.published_at, now)
        announcement.queued_at = now
        db.session.commit()
    if not due:
        db.session.rollback()
    return queued


def _announce(gathering: Gathering, published_at: datetime, now: datetime) -> int:
    followers = db.session.scalars(sa.select(Follow).where(
        Follow.status == FollowStatus.ACTIVE, Follow.confirmed_at <= published_at,
    ).options(selectinload(Follow.themes)).order_by(Follow.id)).all()
    told = set(db.session.scalars(sa.select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.like(f"alert:{gathering.id}:%"))))
    queued = 0
    for follow in followers:
        key = _dedupe_key(gathering.id, follow.id)
        if key in told or not follow.matches(gathering):
            continue
        with force_locale(follow.locale):
            subject = _("Nieuwe bijeenkomst: %(title)s", title=gathering.title)
        try:
            with db.session.begin_nested():
                mail_services.queue_for_address(GATHERING_KIND, to=follow.email, subject=subject, now=now,
                                                dedupe_key=key, reply_to=contact_of(gathering), context={
                                                    "follow": follow.id, "nonce": follow.nonce,
                                                    "locale": follow.locale, "gathering": gathering.id})
            queued += 1
        except IntegrityError:
            pass  # another worker queued it first
    return queued


# -- rendering (in the mail sender) -------------------------------------------------------------

def _context_of(row: OutboxMessage) -> dict:
    return json.loads(row.context or "{}")


def _links(nonce: str) -> dict:
    token = link_token(nonce)
    return {"manage_follow_url": public_url("alerts.manage", token=token),
            "unsubscribe_url": public_url("alerts.unsubscribe", token=token)}


def render_confirm(row: OutboxMessage) -> tuple[str, str] | None:
    """The confirmation mail; None (never sent) when the request was confirmed, ended or deleted meanwhile."""
    context = _context_of(row)
    follow = db.session.get(Follow, context.get("follow") or 0)
    if follow is None or follow.nonce != context.get("nonce") or follow.is_active:
        return None
    token = link_token(follow.nonce)
    with force_locale(follow.locale):
        kinds = [str(label) for code, label in _kind_labels() if code in follow.kind_codes]
    return mail_services.render_bodies(CONFIRM_KIND, row.subject, {
        "confirm_url": public_url("alerts.confirm", token=token), "themes": [t.name for t in follow.themes],
        "kinds": kinds, "days": PENDING_DAYS, "organiser": "Gatherings",
        "contact": current_app.config.get("CONTACT_EMAIL") or "",
    }, locale=follow.locale)


def _kind_labels():
    from ..catalogue.labels import KIND_LABELS

    return KIND_LABELS.items()


def render_gathering_alert(row: OutboxMessage) -> tuple[str, str] | None:
    """The mail about a new gathering; None (never sent) when the follower stopped, or the gathering was
    cancelled or has started before the sender came by."""
    context = _context_of(row)
    follow = db.session.get(Follow, context.get("follow") or 0)
    gathering = db.session.get(Gathering, context.get("gathering") or 0)
    if follow is None or not follow.is_active or gathering is None:
        return None
    if gathering.status != "published" or gathering.starts_at <= utcnow():
        return None
    with force_locale(follow.locale):
        place = ", ".join(p for p in (gathering.venue_name, gathering.venue_address, gathering.venue_city) if p)
        facts = {"gathering": gathering, "when": when(gathering.starts_at, gathering.ends_at), "place": place,
                 # Only whether it is online: the link itself is for those who register.
                 "online": bool(gathering.online_url), "seats_left": availability(gathering).seats_left,
                 "gathering_url": public_url("registration.gathering", slug=gathering.slug),
                 "organiser": gathering.host.name if gathering.host else "Gatherings",
                 "contact": contact_of(gathering)}
    return mail_services.render_bodies(GATHERING_KIND, row.subject, {**facts, **_links(follow.nonce)},
                                       locale=follow.locale)


def gathering_alert_headers(row: OutboxMessage) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: the address takes a POST without login (and shows a page on a GET)."""
    context = _context_of(row)
    headers = {"Content-Language": _locale(context.get("locale"))}
    if context.get("nonce"):
        headers["List-Unsubscribe"] = f"<{_links(context['nonce'])['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def confirm_headers(row: OutboxMessage) -> dict[str, str]:
    return {"Content-Language": _locale(_context_of(row).get("locale"))}


# -- privacy ---------------------------------------------------------------------------------

def on_purge_requested(_sender, cutoff: datetime, now: datetime, **_kw) -> None:
    """``flask privacy purge``: unconfirmed requests older than 7 days go, with their confirmation mails."""
    before = now - timedelta(days=PENDING_DAYS)
    stale = list(db.session.scalars(sa.select(Follow).where(
        Follow.status == FollowStatus.PENDING, Follow.created_at < before)))
    for follow in stale:
        db.session.delete(follow)
    db.session.flush()
    forget_finished_mail(CONFIRM_KIND, created_before=before)
