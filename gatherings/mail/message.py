"""An outbox row as a MIME message: headers from ``headers.py``, text, HTML and the invitation."""
from __future__ import annotations

import re
from collections.abc import Callable
from email.parser import BytesHeaderParser
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import format_datetime, parseaddr

from flask import current_app

from ..registration import door_codes
from .headers import header_text, mailbox
from .models import OutboxMessage
from .services import row_language

SUBJECT_LIMIT = 300
# The HTML of a confirmation shows the door's QR code as <img src="cid:door-code-CODE@gatherings">; the
# image is made here from the code in that reference, so a retry builds the same message from the row.
DOOR_CODE_CID = re.compile(r"cid:(door-code-([0-9A-Z]{10})@gatherings)")
ADDRESS_HEADERS = ("From", "To", "Reply-To")

# Headers a kind of message adds or replaces (the alerts' List-Unsubscribe, their Content-Language):
# kind -> headers(row) -> {name: value}. Values are cleaned like every other header (``header_text``),
# and ``as_bytes`` checks the names read back as written.
_extra_headers: dict[str, Callable[[OutboxMessage], dict[str, str]]] = {}


def register_headers(kind: str, headers: Callable[[OutboxMessage], dict[str, str]]) -> None:
    _extra_headers[kind] = headers


def build_mime(row: OutboxMessage, ics: str | None = None) -> EmailMessage:
    """Plain text and HTML; with an invitation: multipart/mixed(alternative(text, html, calendar), invite.ics).

    Every header that carries words someone typed (the names in From and To, the
    Subject) is cleaned by ``header_text``; an address that is not clean is a
    ``ValueError``: such a row never becomes a message.
    """
    ics = ics if ics is not None else row.ics
    default_name, default_address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    msg = EmailMessage(policy=SMTP)
    msg["From"] = mailbox(row.from_name or default_name, default_address, "From")
    msg["To"] = mailbox(row.to_name, row.to_address)
    if row.reply_to:
        msg["Reply-To"] = mailbox("", row.reply_to, "Reply-To")
    msg["Subject"] = header_text(row.subject, SUBJECT_LIMIT)
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = row.message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.body_text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(row.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    door_code = DOOR_CODE_CID.search(row.body_html or "")
    if door_code:
        html = msg.get_payload()[1]
        html.add_related(door_codes.qr_png(door_code.group(2)), maintype="image", subtype="png",
                         cid=f"<{door_code.group(1)}>", disposition="inline", filename="qr-code.png")
    if ics:
        method = row.ics_method or "REQUEST"
        msg.add_alternative(ics, subtype="calendar", charset="utf-8", cte="base64",
                            params={"method": method})
        msg.make_mixed()
        msg.add_attachment(ics.encode("utf-8"), maintype="application", subtype="ics",
                           filename="invite.ics", params={"method": method})
    # After the body: set_content drops Content-* headers. A kind with headers of its own may say otherwise.
    msg["Content-Language"] = row_language(row)
    if row.kind in _extra_headers:
        for name, value in _extra_headers[row.kind](row).items():
            del msg[name]
            msg[name] = header_text(value, 2000)
    return msg


def as_bytes(message: EmailMessage) -> bytes:
    """The message as sent, after checking that a reader finds exactly the headers that were set.

    The last line of defence: should a value ever slip past ``headers.py``, the row
    fails (``ValueError``) instead of going out with a header or recipient nobody wrote.
    """
    data = message.as_bytes()
    read_back = BytesHeaderParser(policy=default).parsebytes(data)
    if [name.lower() for name in read_back.keys()] != [name.lower() for name in message.keys()]:
        raise ValueError(f"headers changed when written: {message.keys()} became {read_back.keys()}")
    for name in ADDRESS_HEADERS:
        if name in message and ([a.addr_spec for a in read_back[name].addresses]
                                != [a.addr_spec for a in message[name].addresses]):
            raise ValueError(f"{name} changed when written")
    if "".join(str(read_back["Subject"]).split()) != "".join(str(message["Subject"]).split()):
        raise ValueError("Subject changed when written")
    return data
