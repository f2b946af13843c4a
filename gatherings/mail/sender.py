"""Deliver the outbox: claim a due row, send it, record the outcome in its own commit.

At a row's first claim the sender builds what was left for it: the bodies of a
message about a registration (rendered here, not in the request that queued it,
see ``services.render_queued``) and its calendar invitation. It keeps them on the
row before sending, so a retry, or a sender taking over after a crash, sends the
same text and invitation, and /my's export shows what was sent. A row whose
registration was erased or anonymised before then is dropped, never sent with
data missing; a row that cannot be rendered fails for good, with the reason.

Never lost, never twice:
- A row is claimed in a short transaction (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL, so senders on several machines each take different rows) and its
  ``claim_count`` raised; only the sender holding that claim records the outcome.
- The moment the mail server accepts the message, the row is marked sent in
  its own commit. A sender that dies after claiming leaves a row in ``sending``;
  once the claim is older than ``MAIL_CLAIM_TIMEOUT`` another sender takes it.
  (A crash in the instant between the server's acceptance and that commit sends
  the message again, with the same Message-ID so mail clients show it once.)
- Temporary failures (no connection, 4xx) are retried with growing delays, the
  first within a minute, for ``MAIL_RETRY_HOURS``; a 5xx answer marks the row
  failed with the server's words.
On SQLite run one sender: the claim is safe, but SQLite has no SKIP LOCKED.
"""
from __future__ import annotations

import logging
import os
import smtplib
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

import sqlalchemy as sa
from flask import current_app
from flask_mail import Connection
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, mail
from ..timeutil import utcnow
from .models import OutboxMessage

log = logging.getLogger("gatherings.mail")

# Seconds to wait before attempt n+1 after n failed attempts; then every 4 hours.
RETRY_DELAYS = (30, 60, 120, 300, 600, 1800, 3600, 7200)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else 4 * 3600)


class TemporaryFailure(Exception):
    def __init__(self, text: str, *, server_unreachable: bool = True):
        super().__init__(text)
        # False when only this recipient was deferred (450 ...): the rest can still go.
        self.server_unreachable = server_unreachable


class PermanentFailure(Exception):
    pass


@dataclass
class Outcome:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    dropped: int = 0  # the registration was erased before its message went out
    lost_claims: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0: all due mail went out; 1: some waits for a retry; 2: some failed for good."""
        if self.failed:
            return 2
        if self.deferred:
            return 1
        return 0


# -- building the MIME message ----------------------------------------------------------------

def _address(name: str, address: str) -> Address | str:
    user, _, domain = address.rpartition("@")
    try:
        return Address(display_name=name or "", username=user, domain=domain)
    except (ValueError, IndexError):
        return address


def build_mime(row: OutboxMessage, ics: str | None = None) -> EmailMessage:
    """Plain text and HTML; with an invitation: multipart/mixed(alternative(text, html, calendar), invite.ics)."""
    ics = ics if ics is not None else row.ics
    default_name, default_address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    msg = EmailMessage(policy=SMTP)
    msg["From"] = _address(row.from_name or default_name, default_address)
    msg["To"] = _address(row.to_name, row.to_address)
    if row.reply_to:
        msg["Reply-To"] = row.reply_to
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = row.message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.body_text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(row.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    if ics:
        method = row.ics_method or "REQUEST"
        msg.add_alternative(ics, subtype="calendar", charset="utf-8", cte="base64",
                            params={"method": method})
        msg.make_mixed()
        msg.add_attachment(ics.encode("utf-8"), maintype="application", subtype="ics",
                           filename="invite.ics", params={"method": method})
    msg["Content-Language"] = "nl"  # after the body: set_content drops Content-* headers
    return msg


# -- transports -----------------------------------------------------------------------------

class _SMTPConnection(Connection):
    """Flask-Mail's connection with a timeout, so a hanging server cannot hold a claim for ever."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT", 30)
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class SMTPTransport:
    """One SMTP session, opened at the first message and reused for the rest of the pass."""

    def __init__(self):
        self.connection: _SMTPConnection | None = None

    def _state(self):
        # Read the settings now (not when the extension was bound), so config set later counts.
        state = current_app.extensions["mail"]
        config = current_app.config
        state.server = config["MAIL_SERVER"]
        state.port = int(config.get("MAIL_PORT") or 25)
        state.use_tls = bool(config.get("MAIL_USE_TLS"))
        state.use_ssl = bool(config.get("MAIL_USE_SSL"))
        state.username = config.get("MAIL_USERNAME")
        state.password = config.get("MAIL_PASSWORD")
        return state

    def send(self, row: OutboxMessage, data: bytes) -> str:
        envelope_from = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
        try:
            if self.connection is None:
                connection = _SMTPConnection(self._state())
                connection.host = connection.configure_host()
                self.connection = connection
            refused = self.connection.host.sendmail(envelope_from, [row.to_address], data)
        except smtplib.SMTPRecipientsRefused as error:
            code, answer = next(iter(error.recipients.values()))
            raise _classify(code, answer, server_unreachable=False) from error
        except smtplib.SMTPSenderRefused as error:
            # Our own sender address refused: configuration, not the message. Keep retrying.
            self.close()
            raise TemporaryFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
        except smtplib.SMTPResponseException as error:
            self.close()
            raise _classify(error.smtp_code, error.smtp_error) from error
        except (smtplib.SMTPException, OSError, socket.timeout) as error:
            self.close()
            raise TemporaryFailure(f"{error.__class__.__name__}: {error}") from error
        except UnicodeError as error:
            # A non-ASCII address the server was not asked to take (no SMTPUTF8): retrying will not help.
            self.close()
            raise PermanentFailure(f"address not deliverable: {error.__class__.__name__}: {error}") from error
        if refused:
            code, answer = next(iter(refused.values()))
            raise _classify(code, answer, server_unreachable=False)
        return "smtp"

    def close(self) -> None:
        if self.connection is not None and self.connection.host is not None:
            try:
                self.connection.host.quit()
            except (smtplib.SMTPException, OSError):
                pass
        self.connection = None


def _classify(code: int, answer, server_unreachable: bool = True) -> Exception:
    if isinstance(answer, bytes):
        answer = answer.decode("utf-8", "replace")
    text = f"{code} {answer}"
    # 535 (authentication) is our configuration, not the recipient: keep retrying.
    if 500 <= code < 600 and code not in (530, 535):
        return PermanentFailure(text)
    return TemporaryFailure(text, server_unreachable=server_unreachable)


def outbox_dir() -> str:
    return current_app.config.get("MAIL_OUTBOX_DIR") or os.path.join(current_app.instance_path, "mail")


class FileTransport:
    """Without MAIL_SERVER: each message becomes an .eml file (written whole, named after its row)."""

    def send(self, row: OutboxMessage, data: bytes) -> str:
        folder = outbox_dir()
        os.makedirs(folder, exist_ok=True)
        name = f"{row.created_at:%Y%m%d-%H%M%S}-{row.id:06d}-{row.kind}.eml"
        path = os.path.join(folder, name)
        tmp = path + ".tmp"
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError as error:
            raise TemporaryFailure(f"{error.__class__.__name__}: {error}") from error
        return path

    def close(self) -> None:
        pass


def make_transport():
    return SMTPTransport() if current_app.config.get("MAIL_SERVER") else FileTransport()


# -- claiming and recording -----------------------------------------------------------------

def _due(now: datetime):
    stale = now - timedelta(seconds=current_app.config.get("MAIL_CLAIM_TIMEOUT", 600))
    return sa.or_(
        sa.and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < stale),
    )


def claim_next(now: datetime | None = None) -> tuple[int, int] | None:
    """Claim one due row; returns (id, claim_count) or None when nothing is due. Commits."""
    now = now or utcnow()
    query = sa.select(OutboxMessage.id, OutboxMessage.claim_count).where(_due(now)).order_by(
        OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    for _attempt in range(10):
        try:
            row = db.session.execute(query).first()
            if row is None:
                db.session.rollback()
                return None
            row_id, seen = row
            # Compare-and-set: where there is no row lock (SQLite) only one sender wins.
            claimed = db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == row_id, OutboxMessage.claim_count == seen, _due(now))
                .values(status="sending", claimed_at=now, claim_count=seen + 1)
            ).rowcount
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        if claimed == 1:
            return row_id, seen + 1
    return None


def _build_invitation(row: OutboxMessage) -> str | None:
    if not row.ics_method or row.registration_id is None:
        return None
    from ..registration.models import Registration
    from .services import invitation_for

    registration = db.session.get(Registration, row.registration_id)
    if registration is None:
        return None
    return invitation_for(registration, row.ics_method)


def _record(row_id: int, claim: int, **values) -> bool:
    """Write the outcome if we still hold the claim. Commits."""
    done = db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.claim_count == claim).values(**values)
    ).rowcount
    db.session.commit()
    return done == 1


class _Erased(Exception):
    """The row's registration is gone or anonymised: its message is not to be sent."""


def _render(row: OutboxMessage) -> dict:
    """The bodies of a row queued unrendered, as values to keep on the row."""
    from .services import render_queued

    try:
        bodies = render_queued(row)
    except SQLAlchemyError:
        raise  # the database, not the message: the claim times out and the row is tried again
    except Exception as error:
        # A template or context error stays an error however often we try: fail this row, not the sender.
        raise PermanentFailure(f"message could not be rendered: {error.__class__.__name__}: {error}") from error
    if bodies is None:
        raise _Erased()
    return {"body_text": bodies[0], "body_html": bodies[1]}


def send_one(row_id: int, claim: int, transport, outcome: Outcome, now: datetime | None = None) -> None:
    row = db.session.get(OutboxMessage, row_id, populate_existing=True)
    db.session.expunge(row)  # values set below are for this attempt; only _record writes the row
    built: dict = {}  # what this claim made and keeps on the row
    try:
        try:
            if row.body_text is None:
                built.update(_render(row))
            if row.ics is None:
                ics = _build_invitation(row)
                if ics:
                    built["ics"] = ics
            for name, value in built.items():
                setattr(row, name, value)
            data = build_mime(row).as_bytes()
        except (ValueError, TypeError, LookupError) as error:
            # A row that cannot become a message (say, an address with a line break) never will.
            raise PermanentFailure(f"message could not be built: {error.__class__.__name__}: {error}") from error
        finally:
            db.session.rollback()  # hold no transaction (and no lock) while talking to the mail server
        if built and not _record(row_id, claim, **built):
            outcome.lost_claims += 1  # our claim timed out and another sender has the row: it sends
            log.warning("mail %s: claim taken over before sending", row_id)
            return
        where = transport.send(row, data)
    except _Erased:
        # context too: it can hold an organiser's words about the person.
        _record(row_id, claim, status="dropped", claimed_at=None, context=None,
                last_error="registration erased or anonymised before sending")
        outcome.dropped += 1
        log.info("mail %s (%s): dropped, its registration was erased", row_id, row.kind)
        return
    except TemporaryFailure as error:
        now = now or utcnow()
        attempts = row.attempts + 1
        give_up = now >= row.created_at + timedelta(hours=current_app.config.get("MAIL_RETRY_HOURS", 24))
        if give_up:
            _record(row_id, claim, status="failed", attempts=attempts, last_error=str(error)[:2000], claimed_at=None)
            outcome.failed += 1
            log.error("mail %s (%s) to %s: failed after %d attempts: %s", row_id, row.kind, row.to_address,
                      attempts, error)
        else:
            retry_at = now + retry_delay(attempts)
            _record(row_id, claim, status="queued", attempts=attempts, last_error=str(error)[:2000],
                    next_attempt_at=retry_at, claimed_at=None)
            outcome.deferred += 1
            log.warning("mail %s (%s) to %s: not sent, retry at %s: %s", row_id, row.kind, row.to_address,
                        retry_at.isoformat(timespec="seconds"), error)
        outcome.errors.append(str(error))
        raise
    except PermanentFailure as error:
        # Keep what was rendered: /my's export then shows the message that could not go.
        from .services import forgotten_once_sent

        _record(row_id, claim, status="failed", attempts=row.attempts + 1, last_error=str(error)[:2000],
                claimed_at=None, **{**built, **forgotten_once_sent(row)})
        outcome.failed += 1
        outcome.errors.append(str(error))
        log.error("mail %s (%s) to %s: refused for good: %s", row_id, row.kind, row.to_address, error)
        return
    from .services import forgotten_once_sent

    if _record(row_id, claim, status="sent", sent_at=utcnow(), attempts=row.attempts + 1, last_error="",
               claimed_at=None, **forgotten_once_sent(row)):
        outcome.sent += 1
        log.info("mail %s (%s) to %s: sent (%s)", row_id, row.kind, row.to_address, where)
    else:
        outcome.lost_claims += 1
        log.warning("mail %s: sent, but its claim had timed out and was taken over", row_id)


def send_due(now: datetime | None = None, limit: int | None = None) -> Outcome:
    """Send what is due, one row at a time, until nothing is due or the server is unreachable."""
    outcome = Outcome()
    transport = make_transport()
    try:
        while limit is None or outcome.sent + outcome.failed + outcome.deferred + outcome.dropped < limit:
            claim = claim_next(now)
            if claim is None:
                break
            try:
                send_one(*claim, transport, outcome, now=now)
            except TemporaryFailure as error:
                if error.server_unreachable:
                    break  # the rest waits for the next pass

    finally:
        transport.close()
    return outcome
