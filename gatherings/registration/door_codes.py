"""Door codes: the QR code a participant shows at the door, and finding whose it is.

A door code checks someone in and nothing else: it is not the personal link's
token (which opens, changes and cancels the registration), so a code read over
someone's shoulder or left on a printout gives nobody access to their data.
"""
from __future__ import annotations

import io
import re

import segno
import sqlalchemy as sa
from markupsafe import Markup

from ..catalogue.models import Gathering, GatheringStatus
from ..extensions import db
from ..timeutil import utcnow
from .models import DOOR_ALPHABET, DOOR_CODE_LENGTH, Registration, RegistrationStatus

# What people and scanners may add or confuse: spaces and dashes, lower case, O for 0, I and L for 1.
_CONFUSED = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_VALID = re.compile(f"[{DOOR_ALPHABET}]{{{DOOR_CODE_LENGTH}}}")


def normalise(text: str | None) -> str | None:
    """The code in ``text`` as stored, or None when it cannot be one."""
    if not text or len(text) > 40:
        return None
    code = re.sub(r"[\s\-.]", "", text).upper().translate(_CONFUSED)
    return code if _VALID.fullmatch(code) else None


def shown(code: str) -> str:
    """Grouped for reading aloud or typing: ``ABCDE-FGHJK``."""
    return f"{code[:5]}-{code[5:]}"


def shows_door_code(registration: Registration) -> bool:
    """Whether the person's page and confirmation carry the QR code: a seat at a gathering held
    somewhere (online-only has no door), not yet over."""
    gathering = registration.gathering
    return (registration.status == RegistrationStatus.CONFIRMED and gathering.status == GatheringStatus.PUBLISHED
            and bool(gathering.venue_name or gathering.venue_address) and gathering.ends_at > utcnow())


def find(gathering: Gathering, text: str | None) -> Registration | None:
    """The registration of ``gathering`` whose door code ``text`` is; None for any other code."""
    code = normalise(text)
    if code is None:
        return None
    return db.session.scalars(sa.select(Registration).where(
        Registration.door_code == code, Registration.gathering_id == gathering.id)).first()


def qr_symbol(code: str) -> segno.QRCode:
    # The code alone, in upper case: QR's alphanumeric mode keeps the symbol small (version 1) and easy to scan.
    # A fixed mask: choosing the best of eight took 85% of the time (about 3 ms on every personal page);
    # any mask is a valid code, and tests read it back with jsQR and through chromium's camera.
    return segno.make_qr(code, error="m", version=1, mask=0)


def qr_svg(code: str, title: str) -> Markup:
    """An inline SVG of the QR code, with ``title`` as its accessible name."""
    buffer = io.BytesIO()
    qr_symbol(code).save(buffer, kind="svg", scale=6, border=4, xmldecl=False, svgns=True, title=title,
                   svgclass="door-qr", lineclass=None, omitsize=False)
    return Markup(buffer.getvalue().decode("utf-8"))


def qr_png(code: str) -> bytes:
    buffer = io.BytesIO()
    qr_symbol(code).save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()
