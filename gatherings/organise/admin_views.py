"""What admins manage under /organise/admin/: organiser accounts, themes, host organisations."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..catalogue.models import HostOrganisation, Theme
from ..database import writes
from ..extensions import db
from ..security import private
from . import accounts, password_links
from .access import admin_required
from .admin_forms import HostForm, ResetPasswordForm, SwitchForm, ThemeForm
from .forms import OrganiserForm
from .models import Organiser

bp = Blueprint("organise_admin", __name__, url_prefix="/organise/admin")
bp.after_request(private)  # the organiser area: no shared cache, no search engine


# -- organiser accounts -------------------------------------------------------

def _organiser_or_404(organiser_id: int) -> Organiser:
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None:
        abort(404)
    return organiser


def _organisers_page(form=None, status=200, error=None):
    return render_template("organise/admin/organisers.html", organisers=accounts.all_organisers(),
                           form=form or OrganiserForm(), switch=SwitchForm(), error=error), status


@bp.get("/organisers")
@admin_required
def organisers():
    return _organisers_page()


@bp.post("/organisers")
@writes
@admin_required
def create_organiser():
    form = OrganiserForm()
    if not form.validate():
        return _organisers_page(form, 422)
    try:
        if form.invite.data:
            organiser = password_links.create_invited_organiser(
                form.email.data, admin=form.admin.data, name=form.name.data or "", invited_by=current_user)
        else:
            organiser = accounts.create_organiser(form.email.data, form.password.data, admin=form.admin.data,
                                                  name=form.name.data or "")
    except accounts.AccountError as error:
        db.session.rollback()
        getattr(form, error.field).errors = [str(error)]
        return _organisers_page(form, 422)
    if form.invite.data:
        flash(_("Het account van %(email)s is aangemaakt. Er gaat een uitnodiging per e-mail naartoe, met een link "
                "om zelf een wachtwoord te kiezen.", email=organiser.email), "success")
    else:
        flash(_("Het account van %(email)s is aangemaakt. Geef het wachtwoord op een veilige manier door.",
                email=organiser.email), "success")
    # #main, or the browser keeps the POST's #nieuwe-organisator and the notice is out of sight.
    return redirect(url_for("organise_admin.organisers", _anchor="main"), code=303)


def _switch(organiser_id: int, change, done_on: str, done_off: str):
    organiser = _organiser_or_404(organiser_id)
    form = SwitchForm()
    if not form.validate():
        return _organisers_page(status=422, error=_("Kies aan of uit."))
    on = form.value.data == "1"
    try:
        change(organiser, on, by=current_user)
    except accounts.AccountError as error:
        db.session.rollback()
        return _organisers_page(status=409, error=str(error))
    flash((done_on if on else done_off) % {"email": organiser.email}, "success")
    return redirect(url_for("organise_admin.organisers"), code=303)


@bp.post("/organisers/<id:organiser_id>/active")
@writes
@admin_required
def set_active(organiser_id: int):
    return _switch(organiser_id, accounts.set_active,
                   _("Het account van %(email)s staat weer aan."),
                   _("Het account van %(email)s staat uit. Deze persoon kan niet meer inloggen."))


@bp.post("/organisers/<id:organiser_id>/admin")
@writes
@admin_required
def set_admin(organiser_id: int):
    return _switch(organiser_id, accounts.set_admin,
                   _("%(email)s is nu beheerder."),
                   _("%(email)s is geen beheerder meer."))


@bp.route("/organisers/<id:organiser_id>/password", methods=["GET", "POST"])
@writes
@admin_required
def reset_password(organiser_id: int):
    organiser = _organiser_or_404(organiser_id)
    form = ResetPasswordForm(organiser=organiser)
    if request.method == "POST":
        if not form.validate():
            return render_template("organise/admin/reset_password.html", form=form, organiser=organiser), 422
        accounts.change_password(organiser, form.password.data)
        flash(_("%(email)s heeft een nieuw wachtwoord. Geef het op een veilige manier door.",
                email=organiser.email), "success")
        return redirect(url_for("organise_admin.organisers"), code=303)
    return render_template("organise/admin/reset_password.html", form=form, organiser=organiser)


# -- themes and host organisations -------------------------------------------

KINDS_OF_THING = {
    "themes": dict(model=Theme, form=ThemeForm, order=Theme.name,
                   title=lambda: _("Thema's"), new=lambda: _("Nieuw thema"), edit=lambda: _("Thema wijzigen"),
                   saved=lambda: _("Het thema is opgeslagen.")),
    "hosts": dict(model=HostOrganisation, form=HostForm, order=HostOrganisation.name,
                  title=lambda: _("Gastorganisaties"), new=lambda: _("Nieuwe gastorganisatie"),
                  edit=lambda: _("Gastorganisatie wijzigen"), saved=lambda: _("De gastorganisatie is opgeslagen.")),
}


def _things(kind: str):
    spec = KINDS_OF_THING[kind]
    items = list(db.session.scalars(sa.select(spec["model"]).order_by(spec["order"])))
    return render_template("organise/admin/things.html", kind=kind, items=items, title=spec["title"]())


def _thing_form(kind: str, item=None):
    spec = KINDS_OF_THING[kind]
    form = spec["form"](obj=item, current=item)
    heading = spec["edit"]() if item is not None else spec["new"]()
    if request.method == "POST":
        if not form.validate():
            return render_template("organise/admin/thing_form.html", form=form, kind=kind, heading=heading,
                                   item=item), 422
        if item is None:
            item = spec["model"]()
            db.session.add(item)
        form.populate_obj(item)
        flash(spec["saved"](), "success")
        return redirect(url_for(f"organise_admin.{kind}"), code=303)
    return render_template("organise/admin/thing_form.html", form=form, kind=kind, heading=heading, item=item)


def _get_or_404(model, item_id: int):
    item = db.session.get(model, item_id)
    if item is None:
        abort(404)
    return item


@bp.get("/themes")
@admin_required
def themes():
    return _things("themes")


@bp.route("/themes/new", methods=["GET", "POST"])
@writes
@admin_required
def new_theme():
    return _thing_form("themes")


@bp.route("/themes/<id:theme_id>/edit", methods=["GET", "POST"])
@writes
@admin_required
def edit_theme(theme_id: int):
    return _thing_form("themes", _get_or_404(Theme, theme_id))


@bp.get("/hosts")
@admin_required
def hosts():
    return _things("hosts")


@bp.route("/hosts/new", methods=["GET", "POST"])
@writes
@admin_required
def new_host():
    return _thing_form("hosts")


@bp.route("/hosts/<id:host_id>/edit", methods=["GET", "POST"])
@writes
@admin_required
def edit_host(host_id: int):
    return _thing_form("hosts", _get_or_404(HostOrganisation, host_id))
