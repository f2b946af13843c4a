"""Links by e-mail to choose a password: "forgot my password" and an admin's invitation.

Asking for a reset link does the same work for every address: one outbox row,
nothing looked up (``request_reset``). Whether the address belongs to an
active organiser is decided by the mail sender, which renders the mail
(``render_reset``) or drops it, out of sight of whoever asked.

A link is ``/organise/password/reset/<token>``; the token is signed with
SECRET_KEY and carries its purpose, the account's id, when it was asked for
(the outbox row's ``created_at``, so a retried message carries the same link)
and a fingerprint of the account's password hash and session token. Nothing
about it is stored: it stops working

- after ``RESET_HOURS`` (a reset) or ``INVITATION_DAYS`` (an invitation);
- once it is used, and after any other password change or "log out on all
  devices": both renew the fingerprint (``Organiser.set_password``,
  ``login_sessions.end_all``).

Functions flush and leave the commit to the caller.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from ..extensions import db
from ..mail import services as mail_services
from ..mail.models import OutboxMessage
from ..timeutil import utcnow
from ..urls import public_url
from . import accounts
from .models import Organiser

DEFAULT_RESET_HOURS = 1
DEFAULT_INVITATION_DAYS = 7
_MAX_TOKEN = 300  # a real token is about 120 characters


class LinkPurpose(StrEnum):
    RESET = "reset"
    INVITATION = "invitation"


# The outbox kinds of the two mails (templates/mail/<kind>.txt and .html).
RESET_KIND = "organiser_password_reset"
INVITATION_KIND = "organiser_invitation"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="organise-password-link")


def _fingerprint(organiser: Organiser) -> str:
    """Changes whenever the password or the account's session token does: the link dies with them."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    material = f"{organiser.id}:{organiser.password_hash}:{organiser.session_token}".encode()
    return hmac.new(key, material, hashlib.sha256).hexdigest()[:32]


def validity(purpose: LinkPurpose) -> timedelta:
    if purpose is LinkPurpose.INVITATION:
        return timedelta(days=int(current_app.config.get("ORGANISE_INVITATION_DAYS", DEFAULT_INVITATION_DAYS)))
    return timedelta(hours=int(current_app.config.get("ORGANISE_RESET_HOURS", DEFAULT_RESET_HOURS)))


def make_token(organiser: Organiser, purpose: LinkPurpose, issued_at: datetime) -> str:
    return _serializer().dumps([str(purpose), organiser.id, int(issued_at.timestamp()), _fingerprint(organiser)])


@dataclass(frozen=True)
class LinkCheck:
    """What a token turned out to be: ``organiser`` is set only when the link may be used now."""
    organiser: Organiser | None
    purpose: LinkPurpose | None
    known: bool  # signed by us (else: a made-up or damaged address, 404)


def check_token(token: str, now: datetime | None = None) -> LinkCheck:
    """Whether ``token`` may set a password now: signed, not expired, not used, account active."""
    if not token or len(token) > _MAX_TOKEN:
        return LinkCheck(None, None, False)
    try:
        purpose, organiser_id, issued, fingerprint = _serializer().loads(token)
        purpose = LinkPurpose(purpose)
        issued_at = datetime.fromtimestamp(int(issued), tz=timezone.utc)
    except (BadSignature, ValueError, TypeError):
        return LinkCheck(None, None, False)
    organiser = db.session.get(Organiser, int(organiser_id))
    now = now or utcnow()
    if (organiser is None or not organiser.active or now >= issued_at + validity(purpose) or now < issued_at
            or not hmac.compare_digest(fingerprint, _fingerprint(organiser))):
        return LinkCheck(None, purpose, True)
    return LinkCheck(organiser, purpose, True)


def set_password_with_link(organiser: Organiser, new_password: str) -> None:
    """The new password: ends every session of the account, and with it this link. The caller commits."""
    accounts.change_password(organiser, new_password)


# -- the mails ------------------------------------------------------------------------------

def _reset_subject() -> str:
    with force_locale("nl"):
        return _("Een nieuw wachtwoord kiezen voor Gatherings")


def _invitation_subject() -> str:
    with force_locale("nl"):
        return _("U bent uitgenodigd als organisator bij Gatherings")


def request_reset(email: str, now: datetime | None = None) -> None:
    """Queue the reset mail for this address, organiser or not: one INSERT. The caller commits.

    The sender decides (``render_reset``); the request never looks the address up.
    """
    mail_services.queue_for_address(RESET_KIND, to=email.strip(), subject=_reset_subject(), context={}, now=now)


def queue_invitation(organiser: Organiser, invited_by: Organiser) -> OutboxMessage:
    """Queue the invitation for a new account. The caller commits."""
    return mail_services.queue_for_address(
        INVITATION_KIND, to=organiser.email, subject=_invitation_subject(),
        context={"organiser_id": organiser.id, "invited_by": invited_by.name or invited_by.email})


def create_invited_organiser(email: str, *, admin: bool, name: str, invited_by: Organiser) -> Organiser:
    """A new account without a password anyone knows, and the invitation to choose one. The caller commits."""
    organiser = accounts.create_organiser(email, secrets.token_urlsafe(32), admin=admin, name=name)
    queue_invitation(organiser, invited_by)
    return organiser


def _link_context(organiser: Organiser, purpose: LinkPurpose, issued_at: datetime) -> dict:
    return {
        "name": organiser.name or organiser.email, "email": organiser.email,
        "link": public_url("organise.reset_with_link", token=make_token(organiser, purpose, issued_at)),
        "expires_at": issued_at + validity(purpose), "request_url": public_url("organise.request_reset"),
        "login_url": public_url("organise.login"), "organiser": "Gatherings",
        "contact": current_app.config.get("CONTACT_EMAIL") or "",
    }


def render_reset(row: OutboxMessage) -> tuple[str, str] | None:
    """The reset mail, rendered by the sender; None (never sent) when the address has no active account."""
    organiser = accounts.find_by_email(row.email_key)
    if organiser is None or not organiser.active:
        return None
    context = _link_context(organiser, LinkPurpose.RESET, row.created_at)
    context["hours"] = int(validity(LinkPurpose.RESET).total_seconds() // 3600)
    return mail_services.render_bodies(RESET_KIND, row.subject, context)


def render_invitation(row: OutboxMessage) -> tuple[str, str] | None:
    """The invitation, rendered by the sender; None when the account is gone, switched off or has another address."""
    facts = json.loads(row.context or "{}")
    organiser = db.session.get(Organiser, facts.get("organiser_id") or 0)
    if organiser is None or not organiser.active or organiser.email != row.email_key:
        return None
    context = _link_context(organiser, LinkPurpose.INVITATION, row.created_at)
    context.update(days=validity(LinkPurpose.INVITATION).days, invited_by=facts.get("invited_by") or "",
                   admin=organiser.is_admin)
    return mail_services.render_bodies(INVITATION_KIND, row.subject, context)


def on_purge_requested(_sender, cutoff: datetime, now: datetime, **_kw) -> None:
    """``flask privacy purge``: the link mails go once their links have expired (a request for an address
    without an account leaves a dropped row with that address: not kept for the whole retention period)."""
    from ..mail.retention import forget_finished_mail

    forget_finished_mail(RESET_KIND, created_before=now - validity(LinkPurpose.RESET))
    forget_finished_mail(INVITATION_KIND, created_before=now - validity(LinkPurpose.INVITATION))
