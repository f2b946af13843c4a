"""Deliver the outbox: claim a due row, send it, record the outcome in its own commit.

The parts, one job each:
- ``claim.py``: claim a due row, and record an outcome only while the claim is ours;
- ``render.py``: the bodies and invitation of a row queued unrendered;
- ``message.py`` (with ``headers.py``): the row as a MIME message;
- ``transport.py``: SMTP (``smtplib``) or, without a mail server, .eml files.

At a row's first claim the sender builds what was left for it (bodies and
invitation) and keeps it on the row before sending, so a retry, or a sender
taking over after a crash, sends the same text and invitation. A row whose
registration was erased or anonymised before then is dropped, never sent with
data missing; a row that cannot be rendered or built fails for good, with the reason.
Once sent (or failed for good) the row's bodies are emptied: their links stay
usable for days, the row is kept longer (``_forget_bodies``).

Never lost, never twice:
- Only the sender holding a row's claim records its outcome (``claim.record``).
- The moment the mail server accepts the message, the row is marked sent in
  its own commit. (A crash in the instant between the server's acceptance and
  that commit sends the message again, with the same Message-ID so mail clients
  show it once.)
- Temporary failures (no connection, 4xx) are retried with growing delays, the
  first within a minute, for ``MAIL_RETRY_HOURS``; a 5xx answer marks the row
  failed with the server's words.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from ..extensions import db
from ..timeutil import utcnow
from . import render
from .claim import claim_next, record
from .message import as_bytes, build_mime
from .models import OutboxMessage
from .transport import PermanentFailure, TemporaryFailure, make_transport, outbox_dir

__all__ = ["Outcome", "build_mime", "claim_next", "outbox_dir", "retry_delay", "send_due", "send_one"]

log = logging.getLogger("gatherings.mail")

# Seconds to wait before attempt n+1 after n failed attempts; then every 4 hours.
RETRY_DELAYS = (30, 60, 120, 300, 600, 1800, 3600, 7200)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else 4 * 3600)


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


def _prepare(row: OutboxMessage) -> tuple[dict, bytes]:
    """What this claim makes and keeps on the row (bodies, invitation), and the message's bytes."""
    built: dict = {}
    try:
        if row.body_text is None:
            built.update(render.bodies(row))
        if row.ics is None:
            ics = render.invitation(row)
            if ics:
                built["ics"] = ics
        for name, value in built.items():
            setattr(row, name, value)
        return built, as_bytes(build_mime(row))
    except (ValueError, TypeError, LookupError) as error:
        # A row that cannot become a message (say, an address with a line break) never will.
        raise PermanentFailure(f"message could not be built: {error.__class__.__name__}: {error}") from error
    finally:
        db.session.rollback()  # hold no transaction (and no lock) while talking to the mail server


def _deferred(row: OutboxMessage, claim: int, error: TemporaryFailure, outcome: Outcome, now: datetime | None):
    now = now or utcnow()
    attempts = row.attempts + 1
    if now >= row.created_at + timedelta(hours=current_app.config.get("MAIL_RETRY_HOURS", 24)):
        record(row.id, claim, status="failed", attempts=attempts, last_error=str(error)[:2000], claimed_at=None)
        outcome.failed += 1
        log.error("mail %s (%s) to %s: failed after %d attempts: %s", row.id, row.kind, row.to_address,
                  attempts, error)
    else:
        retry_at = now + retry_delay(attempts)
        record(row.id, claim, status="queued", attempts=attempts, last_error=str(error)[:2000],
               next_attempt_at=retry_at, claimed_at=None)
        outcome.deferred += 1
        log.warning("mail %s (%s) to %s: not sent, retry at %s: %s", row.id, row.kind, row.to_address,
                    retry_at.isoformat(timespec="seconds"), error)
    outcome.errors.append(str(error))


def _forget_bodies(row: OutboxMessage) -> dict:
    """Once a message has gone (or never will), what it was made from goes: its bodies hold links
    (/my/<token>, /r/<token>) that would open a person's data for days while the row is kept, and
    its context what they were derived from (the /my link's nonce). Status, subject, dates and
    Message-ID stay: enough to know it was sent, and a sent row is never claimed again."""
    forget: dict = {"context": None}
    if row.body_text is not None:
        forget.update(body_text="", body_html="")
    return forget


def send_one(row_id: int, claim: int, transport, outcome: Outcome, now: datetime | None = None) -> None:
    row = db.session.get(OutboxMessage, row_id, populate_existing=True)
    db.session.expunge(row)  # values set below are for this attempt; only ``record`` writes the row
    built: dict = {}
    try:
        built, data = _prepare(row)
        if built and not record(row_id, claim, **built):
            outcome.lost_claims += 1  # our claim timed out and another sender has the row: it sends
            log.warning("mail %s: claim taken over before sending", row_id)
            return
        where = transport.send(row, data)
    except render.Erased:
        # context too: it can hold an organiser's words about the person.
        record(row_id, claim, status="dropped", claimed_at=None, context=None,
               last_error="registration erased or anonymised before sending")
        outcome.dropped += 1
        log.info("mail %s (%s): dropped, its registration was erased", row_id, row.kind)
        return
    except TemporaryFailure as error:
        _deferred(row, claim, error, outcome, now)
        raise
    except PermanentFailure as error:
        record(row_id, claim, status="failed", attempts=row.attempts + 1, last_error=str(error)[:2000],
               claimed_at=None, **{**built, **_forget_bodies(row)})
        outcome.failed += 1
        outcome.errors.append(str(error))
        log.error("mail %s (%s) to %s: refused for good: %s", row_id, row.kind, row.to_address, error)
        return
    if record(row_id, claim, status="sent", sent_at=utcnow(), attempts=row.attempts + 1, last_error="",
              claimed_at=None, **_forget_bodies(row)):
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
