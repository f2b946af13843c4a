"""Who gets a certificate, its verification code, and the PDF (ReportLab).

A certificate is for a registration that was checked in, of a gathering that
has ended, whose data were not erased. The verification code is random, made
at the first download and kept (``Certificate``), so that anyone holding a
printed certificate can check it at ``/certificates/<code>``, which shows only
the name, the gathering and the date.
"""
from __future__ import annotations

import io
import re
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..registration.models import Registration
from ..timeutil import local, utcnow
from ..urls import public_url
from .models import Certificate

# Letters and digits that cannot be mistaken for each other when typed from paper.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
# BIG (11 digits), SKJ, NIP/NVO and other registers: letters, digits, and a few separators.
REGISTER_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-/]{0,39}")


def is_eligible(registration: Registration, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (registration.status == "confirmed" and registration.checked_in_at is not None
            and registration.anonymised_at is None and registration.gathering.ends_at <= now)


def clean_register_number(value: str | None) -> str | None:
    """The register number as it will be printed, None for none; ValueError when it is not one."""
    value = " ".join((value or "").split())
    if not value:
        return None
    if not REGISTER_NUMBER.fullmatch(value):
        raise ValueError(value)
    return value


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def certificate_for(registration: Registration) -> Certificate:
    """The registration's certificate, made at the first call. Flushes; the caller commits."""
    found = db.session.scalar(sa.select(Certificate).where(Certificate.registration_id == registration.id))
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            certificate = Certificate(registration_id=registration.id, code=new_code(), issued_at=utcnow())
            db.session.add(certificate)
        return certificate
    except IntegrityError:  # a second download at the same moment made it first
        return db.session.scalar(sa.select(Certificate).where(Certificate.registration_id == registration.id))


def verify(code: str) -> Registration | None:
    """The registration a code belongs to, while it may still be shown."""
    code = (code or "").strip().upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    registration = db.session.scalar(sa.select(Registration).join(
        Certificate, Certificate.registration_id == Registration.id).where(Certificate.code == code))
    if registration is None or not is_eligible(registration):
        return None
    return registration


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def hours(registration: Registration) -> str:
    gathering = registration.gathering
    minutes = round((gathering.ends_at - gathering.starts_at).total_seconds() / 60)
    whole, rest = divmod(minutes, 60)
    return f"{whole}:{rest:02d}"


def pdf(registration: Registration, certificate: Certificate, *, language: str,
        register_number: str | None = None) -> bytes:
    """The certificate as a one-page A4 PDF, in the current language (call under ``force_locale``)."""
    gathering = registration.gathering
    start, end = local(gathering.starts_at), local(gathering.ends_at)
    title = _("Bewijs van deelname")
    buffer = io.BytesIO()
    # invariant: the same certificate gives the same bytes (no creation time in the file).
    canvas = Canvas(buffer, pagesize=A4, lang=language, invariant=1, pageCompression=1)
    canvas.setTitle(f"{title}: {gathering.title}")
    canvas.setAuthor(gathering.host.name if gathering.host else "Gatherings")
    canvas.setSubject(title)
    canvas.setCreator("Gatherings")
    canvas.setViewerPreference("DisplayDocTitle", "true")
    width, height = A4
    x = 25 * mm
    y = height - 35 * mm

    def line(text: str, size: int = 12, font: str = "Helvetica", gap: float = 8 * mm) -> None:
        nonlocal y
        canvas.setFont(font, size)
        canvas.drawString(x, y, text)
        y -= gap

    line(title, 26, "Helvetica-Bold", 16 * mm)
    line(_("Hierbij verklaren wij dat"), 12)
    line(registration.name, 18, "Helvetica-Bold", 10 * mm)
    if register_number:
        line(_("Registratienummer: %(number)s", number=register_number), 12)
    line(_("heeft deelgenomen aan"), 12)
    line(gathering.title, 16, "Helvetica-Bold", 10 * mm)
    if gathering.host:
        line(_("Georganiseerd door: %(host)s", host=gathering.host.name))
    line(_("Datum: %(date)s", date=format_date(start, "d MMMM y")))
    line(_("Tijd: %(start)s tot %(end)s", start=format_time(start, "HH:mm"), end=format_time(end, "HH:mm")))
    line(_("Duur: %(hours)s uur", hours=hours(registration)), gap=20 * mm)
    verify_url = public_url("certificates.verify", code=certificate.code)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(x, 30 * mm, _("Echt? Controleer code %(code)s op %(url)s",
                                    code=format_code(certificate.code), url=verify_url))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
