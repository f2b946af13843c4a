"""The organiser's side of reflection: per gathering (results and settings), and across gatherings (admins)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..attendance import exports
from ..attendance.charts import Series, bar_chart
from ..attendance.forms import ActionForm
from ..extensions import db
from ..organise.access import admin_required, gathering_for_organiser, organiser_required
from ..security import private
from . import results, services
from .forms import ReflectionSettingsForm
from ..attendance.period import period_from

bp = Blueprint("reflection_organise", __name__, url_prefix="/organise")
bp.after_request(private)  # as the rest of the organiser area: no shared cache, no search engine


def _average_chart(title: str, groups: list[results.GroupResult], chart_id: str):
    """Average value per group; a group below the minimum shows no bar and says so."""
    return bar_chart(title, [str(g.label) for g in groups],
                     [Series(_("Gemiddelde waarde (1 tot 5)"),
                             [None if not g.shown or g.average is None else g.average for g in groups])],
                     hidden_text=_("niet getoond"), chart_id=chart_id)


@bp.route("/gatherings/<slug>/reflection", methods=["GET", "POST"])
@organiser_required
def gathering(slug: str):
    gathering = gathering_for_organiser(slug)
    settings = services.settings_of(gathering)
    if request.method == "POST":
        form = ReflectionSettingsForm()
        if form.validate():
            services.save_settings(gathering, enabled=form.enabled.data,
                                   takeaway_question=form.takeaway_question.data or "",
                                   suggestion_question=form.suggestion_question.data or "")
            db.session.commit()
            flash(_("De instellingen voor de reflectie zijn bewaard."), "success")
            # #main, or the browser keeps the POST's #vragen and the notice is out of sight.
            return redirect(url_for(".gathering", slug=gathering.slug, _anchor="main"), code=303)
        status = 422
    else:
        form = ReflectionSettingsForm(obj=settings)
        status = 200
    found = results.gathering_results(gathering)
    chart = _average_chart(_("Gemiddelde waarde per perspectief"), found.groups, "reflection-average")
    takeaway_question, suggestion_question = services.questions(settings)
    return render_template("reflection/organise_gathering.html", gathering=gathering, form=form, results=found,
                           chart=chart, questions={"takeaway": takeaway_question,
                                                   "suggestion": suggestion_question}), status


def _period():
    form, start, end, valid = period_from(request.args)
    return form, start, end, 200 if valid else 422


@bp.get("/reflection")
@admin_required
def overview():
    form, start, end, status = _period()
    found = results.overview(start, end)
    chart = _average_chart(_("Gemiddelde waarde per perspectief, alle bijeenkomsten"), found.overall.groups,
                           "reflection-overall")
    return render_template("reflection/overview.html", form=form, overview=found, chart=chart,
                           action_form=ActionForm()), status


def overview_csv_rows(found: results.Overview):
    for section, rows in ((_("Thema"), found.by_theme), (_("Soort"), found.by_kind)):
        for row in rows:
            cells = [section, str(row.label), row.gatherings, row.invitations, row.answers]
            for group in row.groups:
                cells += [group.answers if group.shown else "", "" if group.average is None
                          else f"{group.average:.1f}".replace(".", ",")]
            yield cells


@bp.post("/reflection.csv")
@admin_required
def overview_csv():
    if not ActionForm().validate():
        abort(400)
    form, start, end, status = _period()
    if status != 200:
        abort(400)
    found = results.overview(start, end)
    headers = [_("Indeling"), _("Naam"), _("Bijeenkomsten"), _("Uitnodigingen"), _("Antwoorden")]
    for group in results.GROUPS:
        label = str(results.LABELS[group])
        headers += [_("%(group)s: antwoorden", group=label), _("%(group)s: gemiddelde", group=label)]
    return exports.report_csv_download(
        "rapport-reflectie", _("Reflecties %(start)s tot en met %(end)s", start=start.isoformat(), end=end.isoformat()),
        headers, list(overview_csv_rows(found)), start, end, filename_stem="reflectie", actor=current_user)
