"""A real SMTP server on loopback (aiosmtpd), and helpers to read what it received."""
import email
import socket
from email.policy import default as default_policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from ical.calendar_stream import IcsCalendarStream

from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """aiosmtpd handler: keeps every accepted message; refuses addresses listed in ``refuse``."""

    def __init__(self):
        self.envelopes = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, port: int):
        self.port = port
        self.recorder = Recorder()
        self.controller = None

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def envelopes(self):
        return self.recorder.envelopes

    @property
    def messages(self):
        return [email.message_from_bytes(e.original_content, policy=default_policy) for e in self.envelopes]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp(smtp_port):
    """Not started: a test starts it (or first shows what happens while it is down)."""
    server = SMTPServer(smtp_port)
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, smtp_port):
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port, "MAIL_TIMEOUT": 5,
            "MAIL_DEFAULT_SENDER": "Gatherings <noreply@gatherings.test>"}


def outbox(**filters) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in filters.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def parts(message) -> list[str]:
    """The MIME tree as content types, depth first: what a mail client walks."""
    return [part.get_content_type() for part in message.walk()]


def calendar_part(message):
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part
    return None


def parse_strict(text: str):
    return IcsCalendarStream.calendar_from_ics(text)
