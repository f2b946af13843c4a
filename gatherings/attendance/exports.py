"""Lists of participants to take out of the system: CSV, XLSX and a printable sign-in list.

What an export holds, and why (data minimisation, AVG art. 5(1)(c)):

- name, organisation, needs, the companion (their name, or "ja": they take a seat
  and come to the door), status (with the place on the waiting list) and
  check-in time: what an organiser needs at the door and to plan the room;
- the perspective only for a ``mixed`` session, where seats depend on it;
  elsewhere it is asked only for the aggregate composition and stays in the system;
- no e-mail addresses, tokens or consent details: messages go through the
  outbox (``message_registrants``), and a spreadsheet gets forwarded;
- no cancelled registrations;
- with a programme, a column per round: the workshop (with "wachtlijst" where
  the person waits for it).

Every export is written to the audit log (``ExportLog``) in the same transaction.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import Response, current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from werkzeug.http import dump_options_header

from ..catalogue.models import Gathering
from ..extensions import db
from ..programme.organise_queries import round_columns
from ..registration.perspectives import PERSPECTIVES
from ..timeutil import local, utcnow
from . import listing
from .models import ExportFormat, ExportLog

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ExportRow:
    name: str
    perspective: str | None
    organisation: str
    needs: str
    status: str
    checked_in_at: datetime | None
    workshops: list[str] = field(default_factory=list)  # one per round of the programme
    companion: str = ""  # the companion's name, "ja" without one, empty: no companion


@dataclass
class ExportTable:
    gathering: Gathering
    with_perspective: bool
    rows: list[ExportRow]
    round_headers: list[str] = field(default_factory=list)  # a column per round, before the check-in time

    def headers(self) -> list[str]:
        headers = [_("Naam")]
        if self.with_perspective:
            headers.append(_("Perspectief"))
        headers += [_("Organisatie"), _("Wat nodig is"), _("Begeleider"), _("Status"), *self.round_headers,
                    _("Ingecheckt")]
        return headers

    def cells(self, row: ExportRow, *, checked_in_as_text: bool = True) -> list:
        cells: list = [row.name]
        if self.with_perspective:
            cells.append(row.perspective or "")
        checked = row.checked_in_at
        if checked_in_as_text:
            checked = format_datetime(checked, "dd-MM-yyyy HH:mm") if checked else ""
        workshops = row.workshops or [""] * len(self.round_headers)
        cells += [row.organisation, row.needs, row.companion, row.status, *workshops, checked]
        return cells


def export_table(gathering: Gathering) -> ExportTable:
    """Confirmed (by name) then waiting (in order), as the registrations page lists them: what every format holds."""
    lists = listing.active_lists(gathering)
    rounds = round_columns(gathering)
    rows = []
    for r in lists.confirmed:
        rows.append(_row(r, _("Aangemeld"), rounds.of(r.id)))
    for r, place in lists.waiting:
        rows.append(_row(r, _("Wachtlijst %(position)d", position=place), rounds.of(r.id)))
    return ExportTable(gathering, gathering.is_mixed, rows, rounds.headers)


def _row(r, status: str, workshops: list[str]) -> ExportRow:
    perspective = str(PERSPECTIVES[r.perspective]) if r.perspective in PERSPECTIVES else None
    companion = (r.companion_name or _("ja")) if r.companion else ""
    return ExportRow(r.name, perspective, r.organisation or "", r.needs or "", status, r.checked_in_at, workshops,
                     companion)


def neutralise(value):
    """Make a text cell safe to open in a spreadsheet: a leading formula character gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: ExportTable) -> bytes:
    return rows_to_csv(table.headers(), (table.cells(row) for row in table.rows))


def rows_to_csv(headers: list[str], rows) -> bytes:
    """Semicolons, CRLF and a byte-order mark: what Excel with Dutch settings opens as columns in UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([str(h) for h in headers])
    for cells in rows:
        writer.writerow([neutralise(cell) for cell in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: ExportTable) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Aanmeldingen")[:31]
    sheet.append(table.headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(table.cells(row, checked_in_as_text=False), start=1):
            if isinstance(value, datetime):
                # Excel has no time zones: the wall-clock time in Amsterdam.
                cell = sheet.cell(number, column, local(value).replace(tzinfo=None))
                cell.number_format = "dd-mm-yyyy hh:mm"
            else:
                if isinstance(value, str):
                    # Control characters cannot be stored in XLSX (openpyxl raises: a 500). The forms refuse
                    # them now; rows typed before that, or through another way in, still export.
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = sheet.cell(number, column, value)
                if isinstance(value, str):
                    # A text cell stays text: openpyxl would store "=..." as a formula.
                    cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", (28, 22, 24, 36, 22, 16, 18, 18)):
        sheet.column_dimensions[letter].width = width
    for number, _header in enumerate(table.round_headers):
        first = 5 + (1 if table.with_perspective else 0) + 1  # after the companion and status columns
        sheet.column_dimensions[get_column_letter(first + number)].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(gathering: Gathering, extension: str, now: datetime | None = None) -> str:
    day = local(now or utcnow()).strftime("%Y-%m-%d")
    return f"aanmeldingen-{gathering.slug}-{day}.{extension}"


def record_export(gathering: Gathering, fmt: str, *, actor_id: int | None, actor_email: str,
                  row_count: int, now: datetime | None = None) -> ExportLog:
    if not ExportFormat.of(fmt):
        raise ValueError(fmt)
    entry = ExportLog(
        created_at=now or utcnow(), actor_id=actor_id, actor_email=actor_email or "",
        gathering_id=gathering.id, gathering_slug=gathering.slug, gathering_title=gathering.title,
        format=fmt, row_count=row_count,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


# The names report downloads are logged under, in place of a gathering's slug.
REPORT_NAMES = ("rapport-opkomst", "rapport-reflectie")


def record_report_export(name: str, title: str, *, actor_id: int | None, actor_email: str, row_count: int,
                         now: datetime | None = None) -> ExportLog:
    """A download of a report over many gatherings (counts, no people), in the same audit log as the lists.

    ``name`` takes the place of the gathering's slug (``rapport-opkomst``, ``rapport-reflectie``), ``title``
    says which period.
    """
    if name not in REPORT_NAMES:
        raise ValueError(name)
    entry = ExportLog(created_at=now or utcnow(), actor_id=actor_id, actor_email=actor_email or "",
                      gathering_id=None, gathering_slug=name[:120], gathering_title=title[:200], format="csv",
                      row_count=row_count)
    db.session.add(entry)
    db.session.flush()
    return entry


def report_csv_download(name: str, title: str, headers: list[str], rows: list, start: date, end: date, *,
                        filename_stem: str, actor) -> Response:
    """A report over a period as a CSV download, logged (``record_report_export``) and committed first.

    The file name holds only ``filename_stem`` and the validated dates: nothing typed reaches the header.
    """
    record_report_export(name, title, actor_id=actor.id, actor_email=actor.email, row_count=len(rows))
    db.session.commit()
    response = current_app.response_class(rows_to_csv(headers, rows), content_type=CSV_MEDIA_TYPE)
    response.headers["Content-Disposition"] = dump_options_header(
        "attachment", {"filename": f"{filename_stem}-{start.isoformat()}-{end.isoformat()}.csv"})
    return response


def export_log(limit: int = 200, offset: int = 0, gathering_id: int | None = None) -> list[ExportLog]:
    query = db.select(ExportLog)
    if gathering_id is not None:
        query = query.where(ExportLog.gathering_id == gathering_id)
    return list(db.session.scalars(
        query.order_by(ExportLog.created_at.desc(), ExportLog.id.desc()).limit(limit).offset(offset)))
