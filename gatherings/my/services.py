"""A person's own area (/my): access links by e-mail, and their data (export, erase)."""
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
from sqlalchemy.exc import SQLAlchemyError

from ..alerts import services as alert_services
from ..calendar.models import FeedToken
from ..calendar.services import forget_unused_feed_tokens
from ..catalogue.models import Gathering
from ..database import write_lock_row
from ..extensions import db
from ..mail import services as mail_services
from ..mail.models import OutboxMessage
from ..mail.retention import forget_address, forget_finished_mail
from ..privacy.services import anonymise
from ..registration import services as registration_services
from ..registration.models import LANGUAGES, Registration
from ..timeutil import utcnow
from ..urls import public_url
from .models import AccessToken, hash_token

DEFAULT_LINK_DAYS = 7


def _key(email: str | None) -> str:
    return (email or "").strip().lower()


def registrations_of(email_key: str) -> list[Registration]:
    if not email_key:
        return []

    return list(db.session.scalars(
        sa.select(Registration).join(Gathering, Registration.gathering_id == Gathering.id)
        .where(Registration.email_key == email_key, Registration.anonymised_at.is_(None))
        .order_by(Gathering.starts_at.desc(), Registration.id)
    ))


def link_token(nonce: str) -> str:
    """The secret of a /my link, derived from the nonce its outbox row carries.

    The row never holds a working link: the nonce opens nothing without SECRET_KEY,
    and the link is rendered only when the sender sends it.
    """
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    digest = hmac.new(key, b"my-access-link:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()  # 256 bits, 43 characters


def _subject(language: str) -> str:
    with force_locale(language):
        return _("Uw link naar uw aanmeldingen")


def request_access_link(email: str, now: datetime | None = None, language: str = "nl") -> None:
    """Queue the access-link mail for this address, known or not, in ``language`` (the /my page's where it
    was asked). The caller commits.

    The same work for every address (two INSERTs): whether it has registrations
    is looked up by the mail sender (``render_access_link``), which drops the
    message when there are none. So neither the answer nor its time tells
    anybody whether an address is known.
    """
    now = now or utcnow()
    nonce = secrets.token_urlsafe(32)
    days = int(current_app.config.get("MY_LINK_DAYS", DEFAULT_LINK_DAYS))
    db.session.add(AccessToken(token_hash=hash_token(link_token(nonce)), email_key=_key(email), created_at=now,
                               expires_at=now + timedelta(days=days)))
    language = language if language in LANGUAGES else "nl"
    mail_services.queue_for_address("access_link", to=email.strip(), subject=_subject(language),
                                    context={"nonce": nonce, "language": language}, now=now)


def render_access_link(row: OutboxMessage) -> tuple[str, str] | None:
    """The access-link mail, rendered by the sender; None (never sent) when the address has no registrations,
    or the link was erased or has expired meanwhile."""
    nonce = json.loads(row.context or "{}").get("nonce")
    if not nonce:
        return None
    token = link_token(nonce)
    access = db.session.scalars(sa.select(AccessToken).where(AccessToken.token_hash == hash_token(token))).first()
    if access is None or access.expires_at <= utcnow():
        return None
    registrations = registrations_of(access.email_key)
    if not registrations:
        return None
    days = int(current_app.config.get("MY_LINK_DAYS", DEFAULT_LINK_DAYS))
    latest = registrations[0]
    return mail_services.render_bodies("access_link", row.subject, {
        "my_url": public_url("my.page", token=token), "days": days, "expires_at": access.expires_at,
        "name": latest.name, "count": len(registrations), "request_url": public_url("my.request_link"),
        "organiser": "Gatherings", "contact": current_app.config.get("CONTACT_EMAIL") or "",
    }, locale=mail_services.row_language(row))


def find_access(token: str, now: datetime | None = None) -> tuple[str | None, bool]:
    """(email_key, expired) for a /my token; (None, False) when it never existed."""
    if not token or len(token) > 100:
        return None, False
    access = db.session.scalars(sa.select(AccessToken).where(AccessToken.token_hash == hash_token(token))).first()
    if access is None:
        return None, False
    if access.expires_at <= (now or utcnow()):
        return access.email_key, True
    return access.email_key, False


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _text_of(message: OutboxMessage) -> str | None:
    """The text as sent (kept on the row); for a message the sender has not rendered yet, as it will read.

    None when it cannot be rendered (its registration is gone, or its template fails: the sender
    marks such a row dropped or failed). The preview is not stored: the sender renders its own.
    """
    if message.body_text is not None:
        return message.body_text
    try:
        rendered = mail_services.render_queued(message)
    except SQLAlchemyError:
        raise
    except Exception:  # a broken message must not break the person's export
        return None
    return rendered[0] if rendered else None


def export_data(email_key: str) -> dict:
    """Everything stored about this address, as plain data for a JSON download."""
    registrations = [{
        "gathering": {
            "title": r.gathering.title, "slug": r.gathering.slug,
            "starts_at": _iso(r.gathering.starts_at), "ends_at": _iso(r.gathering.ends_at),
        },
        "status": r.status,
        "name": r.name,
        "email": r.email,
        "perspective": r.perspective,
        "organisation": r.organisation,
        "needs": r.needs,
        "needs_changed_at": _iso(r.needs_changed_at),
        "companion": r.companion,
        "companion_name": r.companion_name,
        "companion_checked_in_at": _iso(r.companion_checked_in_at),
        "consent_at": _iso(r.consent_at),
        "consent_version": r.consent_version,
        "source": r.source,
        "created_at": _iso(r.created_at),
        "confirmed_at": _iso(r.confirmed_at),
        "waitlisted_at": _iso(r.waitlisted_at),
        "cancelled_at": _iso(r.cancelled_at),
        "checked_in_at": _iso(r.checked_in_at),
        "manage_url": public_url("registration.show", token=r.token),
    } for r in registrations_of(email_key)]
    messages = [{
        "kind": m.kind, "subject": m.subject, "to": m.to_address, "status": m.status,
        "created_at": _iso(m.created_at), "sent_at": _iso(m.sent_at), "text": _text_of(m),
    } for m in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.email_key == email_key).order_by(OutboxMessage.id))]
    links = [{"created_at": _iso(a.created_at), "expires_at": _iso(a.expires_at)} for a in db.session.scalars(
        sa.select(AccessToken).where(AccessToken.email_key == email_key).order_by(AccessToken.id))]
    feeds = [{"created_at": _iso(f.created_at), "replaced_at": _iso(f.replaced_at)} for f in db.session.scalars(
        sa.select(FeedToken).where(FeedToken.email_key == email_key).order_by(FeedToken.id))]
    return {
        "email": email_key,
        "exported_at": _iso(utcnow()),
        "registrations": registrations,
        "messages": messages,
        "access_links": links,
        "calendar_feed_links": feeds,
        "following": alert_services.export_of(email_key),
    }


def erase(email_key: str, now: datetime | None = None) -> int:
    """Cancel the address's active registrations and anonymise everything personal.

    Cancelling goes through the registration service, so waiting people are
    promoted and told. The cancellation messages for the erased person are
    dropped with the rest of their mail: after this, nothing is sent to them.
    Returns how many registrations were anonymised. Flushes; the unit of work commits.
    """
    now = now or utcnow()
    registrations = registrations_of(email_key)
    # Several gatherings: each is locked here, in the order of their ids (two erasures never wait on each other).
    for registration in sorted(registrations, key=lambda r: (r.gathering_id, r.id)):
        if registration.is_active:
            registration_services.cancel(write_lock_row(Gathering, registration.gathering_id), registration.id,
                                         now=now)
    for registration in registrations:
        anonymise(registration, now)
    alert_services.end_address(email_key)  # before forget_address: its queued alerts are dropped by address
    forget_address(email_key)
    db.session.execute(sa.delete(AccessToken).where(AccessToken.email_key == email_key))
    db.session.flush()
    forget_unused_feed_tokens()  # the address has no registrations left: its calendar feed goes too
    db.session.flush()
    return len(registrations)


def on_purge_requested(_sender, cutoff: datetime, now: datetime, **_kw) -> None:
    """``flask privacy purge``: forget expired access links, and the link mails once their links have expired
    (a request for an unknown address leaves a dropped mail with that address: not kept for the retention period)."""
    db.session.execute(sa.delete(AccessToken).where(AccessToken.expires_at < now))
    days = int(current_app.config.get("MY_LINK_DAYS", DEFAULT_LINK_DAYS))
    forget_finished_mail("access_link", created_before=now - timedelta(days=days))
    db.session.flush()
