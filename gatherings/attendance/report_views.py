"""/organise/reports/attendance: who came, per gathering and per theme and kind over a period, and its CSV.

On the attendance blueprint, registered by the app factory importing this module.
"""
from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..catalogue.models import Gathering
from ..organise.access import organiser_required, visible_gatherings_query
from . import exports, turnout
from .forms import ActionForm
from .period import period_from
from .views import bp


def _whose():
    """Admins see every gathering; an organiser the ones they organise."""
    if current_user.is_admin:
        return None
    return Gathering.id.in_(visible_gatherings_query(current_user).with_only_columns(Gathering.id))


@bp.get("/reports/attendance")
@organiser_required
def attendance_report():
    form, start, end, valid = period_from(request.args)
    report = turnout.turnout_report(start, end, _whose())
    return render_template("attendance/turnout.html", form=form, report=report,
                           action_form=ActionForm()), 200 if valid else 422


def csv_rows(report: turnout.TurnoutReport):
    def rate(row):
        return "" if row.rate is None else row.rate

    for row in report.gatherings:
        g = row.gathering
        yield [_("Bijeenkomst"), g.starts_at.date().isoformat(), g.title, row.confirmed, row.checked_in,
               row.no_shows, rate(row)]
    for section, rows in ((_("Thema"), report.by_theme), (_("Soort"), report.by_kind)):
        for row in rows:
            yield [section, "", str(row.label), row.confirmed, row.checked_in, row.no_shows, rate(row)]


@bp.post("/reports/attendance.csv")
@organiser_required
def attendance_report_csv():
    if not ActionForm().validate():
        abort(400)
    _form, start, end, valid = period_from(request.args)
    if not valid:
        abort(400)
    report = turnout.turnout_report(start, end, _whose())
    headers = [_("Indeling"), _("Datum"), _("Naam"), _("Aangemeld"), _("Ingecheckt"), _("Niet gekomen"),
               _("Opkomst (%)")]
    return exports.report_csv_download(
        "rapport-opkomst", _("Opkomst %(start)s tot en met %(end)s", start=start.isoformat(), end=end.isoformat()),
        headers, list(csv_rows(report)), start, end, filename_stem="opkomst", actor=current_user)
