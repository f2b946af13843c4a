import csv
import io

import pytest
from openpyxl import load_workbook

from gatherings.attendance import exports, services
from gatherings.attendance.models import ExportLog
from gatherings.extensions import db
from gatherings.registration import services as registration
from tests.factories import locked_call, make_gathering, make_registration


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def _csv_rows(data: bytes):
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def test_csv_for_dutch_excel(app, request_ctx):
    g = make_gathering(capacity=1)
    first = make_registration(g, name="Renée Müller-Ëzer", email="renee@voorbeeld.nl")
    first.organisation = "Café de Zon; Zuid"
    first.needs = "rolstoel\nen een rustige plek"
    make_registration(g, name="Wachtende")
    db.session.commit()
    services.check_in(g, first.id)
    data = exports.to_csv(exports.export_table(g))
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Renée Müller-Ëzer".encode("utf-8") in data
    assert data.count(b"\r\n") >= 3 and b"\r\n" in data.split(b"\r\n", 1)[0] + b"\r\n"
    assert data.decode("utf-8").splitlines()[0].lstrip("\ufeff") == "Naam;Organisatie;Wat nodig is;Begeleider;Status;Ingecheckt"
    rows = _csv_rows(data)
    assert rows[1][0] == "Renée Müller-Ëzer"
    assert rows[1][1] == "Café de Zon; Zuid"  # a semicolon in a cell is quoted, not a new column
    assert rows[1][2] == "rolstoel\nen een rustige plek"
    assert rows[1][3] == ""  # no companion
    assert rows[1][4] == "Aangemeld" and rows[1][5]  # checked in: a time
    assert rows[2][0] == "Wachtende" and rows[2][4] == "Wachtlijst 1" and rows[2][5] == ""
    assert b"renee@voorbeeld.nl" not in data  # no addresses in exports


def test_perspective_only_for_mixed_sessions(app, request_ctx):
    theme = make_gathering(kind="theme")
    make_registration(theme, perspective="client")
    mixed = make_gathering(kind="mixed")
    make_registration(mixed, perspective="relative")
    assert "Perspectief" not in _csv_rows(exports.to_csv(exports.export_table(theme)))[0]
    assert "Cliënt".encode() not in exports.to_csv(exports.export_table(theme))
    rows = _csv_rows(exports.to_csv(exports.export_table(mixed)))
    assert rows[0][1] == "Perspectief" and rows[1][1] == "Naaste"


def test_cancelled_registrations_not_exported(app, request_ctx):
    g = make_gathering()
    gone = make_registration(g, name="Afgemeld Persoon")
    locked_call(registration.cancel, gone.gathering_id, gone.id)
    db.session.commit()
    assert b"Afgemeld Persoon" not in exports.to_csv(exports.export_table(g))


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\")", "+31 6 1234", "-2+3", "@SUM(A1)", "\t=1"])
def test_formula_injection_guard(app, request_ctx, evil):
    g = make_gathering()
    r = make_registration(g)
    r.name = r.needs = evil  # as stored (the form strips; an import might not)
    db.session.commit()
    rows = _csv_rows(exports.to_csv(exports.export_table(g)))
    assert rows[1][0] == "'" + evil
    assert rows[1][2] == "'" + evil
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(exports.export_table(g)))).active
    assert sheet["A2"].value == evil and sheet["A2"].data_type == "s"  # text, never a formula


def test_neutralise_leaves_ordinary_text():
    assert exports.neutralise("Anna") == "Anna"
    assert exports.neutralise("") == ""
    assert exports.neutralise(None) is None


def test_xlsx_readable(app, request_ctx):
    g = make_gathering(kind="mixed")
    r = make_registration(g, name="Eliën Brontë", perspective="experience_expert")
    services.check_in(g, r.id)
    db.session.commit()
    data = exports.to_xlsx(exports.export_table(g))
    assert data[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["Naam", "Perspectief", "Organisatie", "Wat nodig is", "Begeleider", "Status",
                                           "Ingecheckt"]
    assert sheet["A2"].value == "Eliën Brontë"
    assert sheet["B2"].value == "Ervaringsdeskundige"
    assert not sheet["E2"].value  # no companion
    assert sheet["F2"].value == "Aangemeld"
    assert sheet["G2"].is_date


def test_filename(app):
    g = make_gathering(slug="koffie-en-zo")
    name = exports.filename(g, "csv")
    assert name.startswith("aanmeldingen-koffie-en-zo-") and name.endswith(".csv")


def test_record_export_survives_gathering_deletion(app):
    g = make_gathering(slug="weg-ermee", title="Weg ermee")
    exports.record_export(g, "csv", actor_id=7, actor_email="org@voorbeeld.nl", row_count=3)
    db.session.commit()
    db.session.delete(g)
    db.session.commit()
    entry = db.session.scalars(db.select(ExportLog)).one()
    assert (entry.gathering_id, entry.gathering_slug, entry.gathering_title) == (None, "weg-ermee", "Weg ermee")
    assert (entry.actor_email, entry.format, entry.row_count) == ("org@voorbeeld.nl", "csv", 3)
    assert entry.created_at.tzinfo is not None
    with pytest.raises(ValueError):
        exports.record_export(make_gathering(), "pdf", actor_id=None, actor_email="x", row_count=0)


def test_export_log_newest_first(app):
    g = make_gathering()
    for fmt in ("csv", "xlsx", "print"):
        exports.record_export(g, fmt, actor_id=None, actor_email="a@b.nl", row_count=0)
    db.session.commit()
    assert [e.format for e in exports.export_log()] == ["print", "xlsx", "csv"]


def test_xlsx_of_rows_with_control_characters(app, request_ctx):
    """Stored before the forms refused them (issue 9): the spreadsheet leaves them out instead of a 500."""
    g = make_gathering()
    r = make_registration(g)
    r.name, r.needs = "Eve\x01\x1bvan Dam", "Koffie\x0b\r\nen thee\x08"
    db.session.commit()
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(exports.export_table(g)))).active
    assert sheet["A2"].value == "Evevan Dam"
    assert sheet["C2"].value.replace("\r", "") == "Koffie\nen thee"  # XML reads CRLF back as LF
