"""Transports: hand a built message to the mail server (SMTP), or write it to a file (no server configured).

A transport says how a delivery went by returning (accepted) or raising
``TemporaryFailure`` (retry later) or ``PermanentFailure`` (never will go).
"""
from __future__ import annotations

import os
import smtplib
import socket
from email.utils import parseaddr

from flask import current_app

from .models import OutboxMessage


class TemporaryFailure(Exception):
    def __init__(self, text: str, *, server_unreachable: bool = True):
        super().__init__(text)
        # False when only this recipient was deferred (450 ...): the rest can still go.
        self.server_unreachable = server_unreachable


class PermanentFailure(Exception):
    pass


def _classify(code: int, answer, server_unreachable: bool = True) -> Exception:
    if isinstance(answer, bytes):
        answer = answer.decode("utf-8", "replace")
    text = f"{code} {answer}"
    # 535 (authentication) is our configuration, not the recipient: keep retrying.
    if 500 <= code < 600 and code not in (530, 535):
        return PermanentFailure(text)
    return TemporaryFailure(text, server_unreachable=server_unreachable)


class SMTPTransport:
    """One SMTP session (``smtplib``), opened at the first message and reused for the rest of the pass.

    The settings are read when the session opens, so configuration set after the app started counts.
    MAIL_TIMEOUT bounds every wait: a hanging server cannot hold a claim for ever.
    """

    def __init__(self):
        self.session: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        config = current_app.config
        server, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
        timeout = config.get("MAIL_TIMEOUT", 30)
        if config.get("MAIL_USE_SSL"):
            session = smtplib.SMTP_SSL(server, port, timeout=timeout)
        else:
            session = smtplib.SMTP(server, port, timeout=timeout)
        try:
            if config.get("MAIL_USE_TLS"):
                session.starttls()
            if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
                session.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            session.close()
            raise
        return session

    def send(self, row: OutboxMessage, data: bytes) -> str:
        envelope_from = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
        try:
            if self.session is None:
                self.session = self._open()
            refused = self.session.sendmail(envelope_from, [row.to_address], data)
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
        if self.session is not None:
            try:
                self.session.quit()
            except (smtplib.SMTPException, OSError):
                self.session.close()
        self.session = None


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
