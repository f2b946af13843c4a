"""Attendance pages under /organise/: registrations, exports, messages, overview.

The door (check-in on a phone) is in ``door_views.py``, on this same blueprint,
so its endpoints are ``attendance.<name>`` too; the helpers without an
underscore below are shared with it.

Every page of a gathering starts with ``gathering_for_organiser`` (404 unknown,
403 not theirs). Changes are POST forms with a CSRF token and end in a redirect
(PRG).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from ..catalogue.models import Gathering
from ..catalogue.services import lock_gathering
from ..database import writes
from ..extensions import db
from ..inputs import query_int
from ..organise.access import admin_required, gathering_for_organiser, organiser_required, visible_gatherings_query
from ..programme.organise_queries import rounds_fill
from ..registration import services as registration
from ..security import private
from . import columns, exports, listing, paging, reports, services
from .charts import Series, bar_chart
from .forms import ActionForm, AddRegistrationForm, NeedsForm

bp = Blueprint("attendance", __name__, url_prefix="/organise")
bp.after_request(private)  # the organiser area: no shared cache, no search engine


def query_arg() -> str:
    return " ".join((request.args.get("q") or "").split())[:100]


def registration_or_404(gathering: Gathering, registration_id: int):
    try:
        return services.registration_of(gathering, registration_id)
    except LookupError:
        abort(404)


def _refused(form) -> None:
    """A request without a valid CSRF token never gets here (CSRFError); other invalid actions: 400."""
    if not form.validate():
        abort(400)


def applicant(form: AddRegistrationForm) -> registration.Applicant:
    return registration.Applicant(
        name=form.name.data, email=form.email.data, perspective=form.perspective.data or None,
        organisation=form.organisation.data or "", needs=form.needs.data or "",
        companion=bool(form.companion.data),
        companion_name=(form.companion_name.data or "") if form.companion.data else "",
        consent_version=current_app.config["CONSENT_VERSION"],
    )


def show_refusal(form: AddRegistrationForm, refused: registration.RegistrationRefused) -> None:
    """Undo the attempt and say above the form why registration refused (closed, cancelled ...)."""
    db.session.rollback()
    form.form_errors.append(refused.message)


# -- registrations --------------------------------------------------------------

@bp.get("/gatherings/<slug>/registrations")
@organiser_required
def registrations(slug: str):
    gathering = gathering_for_organiser(slug)
    pages = {name: paging.requested_page(request.args.get(parameter))
             for name, parameter in paging.PAGE_PARAMETERS.items()}
    view = listing.registrations_page(gathering, query_arg(), pages)
    hidden_below = view.composition.hidden_below
    chart = bar_chart(
        _("Samenstelling naar perspectief"),
        [str(c.label) for c in view.composition],
        [Series(_("Met een plek"), [c.confirmed for c in view.composition]),
         Series(_("Op de wachtlijst"), [c.waitlisted for c in view.composition])],
        chart_id="composition", hidden_text=f"<{hidden_below}" if hidden_below else "",
    )
    return render_template("attendance/registrations.html", gathering=gathering, view=view, chart=chart,
                           groups=services.group_fill(gathering, view.availability), action_form=ActionForm(),
                           page_url=_page_url(gathering, view), columns_offered=columns.offered(gathering.is_mixed),
                           shown=columns.chosen())


def _page_url(gathering: Gathering, view: listing.RegistrationsPage):
    """Links to a page of one list that keep the search and the page shown of the other lists."""
    shown = {name: getattr(view, name).number for name in paging.PAGE_PARAMETERS}

    def page_url(name: str, number: int) -> str:
        numbers = dict(shown, **{name: number})
        args = {parameter: numbers[list_name] for list_name, parameter in paging.PAGE_PARAMETERS.items()
                if numbers[list_name] > 1}  # page 1 is the default: shorter links
        return url_for(".registrations", slug=gathering.slug, q=view.query or None, _anchor=f"{name}-title", **args)

    return page_url


@bp.context_processor
def _where_in_the_list() -> dict:
    # Links and forms on a row carry it; see _back_to_list.
    return {"list_state": paging.list_state(request.args), "needs_recently_changed": services.needs_recently_changed}


def _back_to_list(gathering: Gathering):
    """After an action on a row: the registrations page as the organiser left it (search, pages)."""
    return redirect(url_for(".registrations", slug=gathering.slug, **paging.list_state(request.args)), code=303)


@bp.post("/gatherings/<slug>/registrations/<id:registration_id>/promote")
@writes
@organiser_required
def promote(slug: str, registration_id: int):
    gathering = lock_gathering(gathering_for_organiser(slug).id)
    form = ActionForm()
    _refused(form)
    found = registration_or_404(gathering, registration_id)
    try:
        services.promote(gathering, found.id, beyond_capacity=request.form.get("beyond_capacity") == "yes")
    except services.OverCapacity as refused:
        # Nothing written: ask first, and say by how many (the answer posts here again, with the yes).
        db.session.rollback()
        return render_template("attendance/promote.html", gathering=gathering, registration=found, form=form,
                               over=refused.overbooking)
    except services.ActionRefused:
        db.session.rollback()
        flash(_("%(name)s staat niet (meer) op de wachtlijst.", name=found.name), "warning")
    else:
        flash(_("%(name)s heeft een plek gekregen en krijgt daarover een e-mail.", name=found.name), "success")
    return _back_to_list(gathering)


@bp.route("/gatherings/<slug>/registrations/<id:registration_id>/cancel", methods=["GET", "POST"])
@writes
@organiser_required
def cancel(slug: str, registration_id: int):
    gathering = gathering_for_organiser(slug)
    found = registration_or_404(gathering, registration_id)
    form = ActionForm()
    if request.method == "GET":
        return render_template("attendance/cancel.html", gathering=gathering, registration=found, form=form)
    _refused(form)
    lock_gathering(gathering.id)
    try:
        promoted = services.cancel_on_behalf(gathering, found.id)
    except services.ActionRefused:
        db.session.rollback()
        flash(_("Deze aanmelding was al geannuleerd."), "warning")
    else:
        flash(_("De aanmelding van %(name)s is geannuleerd.", name=found.name), "success")
        for person in promoted:
            flash(_("%(name)s kreeg de vrijgekomen plek.", name=person.name), "success")
    return _back_to_list(gathering)


@bp.route("/gatherings/<slug>/registrations/new", methods=["GET", "POST"])
@writes
@organiser_required
def add(slug: str):
    gathering = gathering_for_organiser(slug)
    form = AddRegistrationForm(perspective_required=gathering.is_mixed)
    if request.method == "POST":
        if not form.validate():
            return render_template("attendance/add.html", gathering=gathering, form=form), 422
        try:
            result = services.add_by_hand(lock_gathering(gathering.id), applicant(form))
        except registration.RegistrationRefused as refused:
            show_refusal(form, refused)
            return render_template("attendance/add.html", gathering=gathering, form=form), 409
        person = result.registration
        if not result.created:
            flash(_("Met dit e-mailadres is al iemand aangemeld: %(name)s.", name=person.name), "warning")
        elif person.status == "confirmed":
            flash(_("%(name)s is aangemeld.", name=person.name), "success")
        else:
            flash(_("%(name)s staat op de wachtlijst: de bijeenkomst is vol.", name=person.name), "warning")
        return redirect(url_for(".registrations", slug=gathering.slug), code=303)
    return render_template("attendance/add.html", gathering=gathering, form=form)


@bp.route("/gatherings/<slug>/registrations/<id:registration_id>/needs", methods=["GET", "POST"])
@writes
@organiser_required
def needs(slug: str, registration_id: int):
    gathering = gathering_for_organiser(slug)
    found = registration_or_404(gathering, registration_id)
    form = NeedsForm(data={"needs": found.needs} if request.method == "GET" else None)
    if request.method == "POST":
        if not form.validate():
            return render_template("attendance/needs.html", gathering=gathering, registration=found, form=form), 422
        services.update_needs(gathering, found.id, form.needs.data)
        flash(_("Opgeslagen wat %(name)s nodig heeft.", name=found.name), "success")
        return _back_to_list(gathering)
    return render_template("attendance/needs.html", gathering=gathering, registration=found, form=form)


# -- exports --------------------------------------------------------------------

def _record(gathering: Gathering, fmt: str, table: exports.ExportTable) -> None:
    exports.record_export(gathering, fmt, actor_id=current_user.id, actor_email=current_user.email,
                          row_count=len(table.rows))


def _download(slug: str, fmt: str):
    gathering = gathering_for_organiser(slug)
    _refused(ActionForm())
    table = exports.export_table(gathering)
    if fmt == "csv":
        body, media_type = exports.to_csv(table), exports.CSV_MEDIA_TYPE
    else:
        body, media_type = exports.to_xlsx(table), exports.XLSX_MEDIA_TYPE
    _record(gathering, fmt, table)
    response = current_app.response_class(body, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(gathering, fmt)}"'
    return response


@bp.post("/gatherings/<slug>/export.csv")
@writes
@organiser_required
def export_csv(slug: str):
    return _download(slug, "csv")


@bp.post("/gatherings/<slug>/export.xlsx")
@writes
@organiser_required
def export_xlsx(slug: str):
    return _download(slug, "xlsx")


@bp.post("/gatherings/<slug>/sign-in-list")
@writes
@organiser_required
def sign_in_list(slug: str):
    gathering = gathering_for_organiser(slug)
    _refused(ActionForm())
    table = exports.export_table(gathering)
    _record(gathering, "print", table)
    return render_template("attendance/sign_in_list.html", gathering=gathering, table=table)


@bp.get("/exports")
@admin_required
def export_log():
    page = query_int(request.args.get("page"), 1, 10000) or 1
    per_page = 100
    entries = exports.export_log(limit=per_page + 1, offset=(page - 1) * per_page)
    return render_template("attendance/export_log.html", entries=entries[:per_page], page=page,
                           has_next=len(entries) > per_page, report_names=exports.REPORT_NAMES)


# -- overview -------------------------------------------------------------------

@bp.get("/dashboard")
@organiser_required
def dashboard():
    visible = None
    if not current_user.is_admin:
        visible = Gathering.id.in_(visible_gatherings_query(current_user).with_only_columns(Gathering.id))
    rows = reports.dashboard(visible)
    return render_template("attendance/dashboard.html", rows=rows,
                           workshop_fill=rounds_fill([row.gathering for row in rows]))


@bp.get("/reports")
@organiser_required
def report():
    year = query_int(request.args.get("year"), 2000, 2100)
    result = reports.report(year)
    month_labels = [format_datetime(_month_start(m), "MMM y") for m in result.months]
    charts = {
        "months": bar_chart(
            _("Aanmeldingen en opkomst per maand in %(year)d", year=result.year), month_labels,
            [Series(_("Aanmeldingen"), result.registrations_per_month),
             Series(_("Opkomst"), result.attendance_per_month)], chart_id="per-month"),
    }
    for name, table in (("kind", result.by_kind), ("theme", result.by_theme),
                        ("perspective", result.by_perspective)):
        charts[name] = bar_chart(
            {"kind": _("Aanmeldingen en opkomst per soort bijeenkomst"),
             "theme": _("Aanmeldingen en opkomst per thema"),
             "perspective": _("Aanmeldingen en opkomst per perspectief")}[name],
            [str(label) for _code, label in table.columns],
            [Series(_("Aanmeldingen"), table.registrations_total), Series(_("Opkomst"), table.attendance_total)],
            chart_id=f"by-{name}")
    return render_template("attendance/reports.html", report=result, charts=charts, month_labels=month_labels)


def _month_start(month: str):
    from datetime import datetime

    from ..timeutil import AMSTERDAM

    year, number = month.split("-")
    return datetime(int(year), int(number), 15, 12, tzinfo=AMSTERDAM)
