"""The way in: the list of gatherings. (One gathering's page and its form are in ``registration``.)"""
from flask import Blueprint, render_template, request

from ..catalogue import services as catalogue
from ..catalogue.models import GatheringKind
from ..registration.services import availability_for
from .forms import ListFilterForm

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    form = ListFilterForm(request.args)
    valid = form.validate() if request.args else True
    chosen = form.to_filters()
    gatherings = catalogue.upcoming(filters=chosen)
    cities = catalogue.upcoming_cities()
    if chosen.city and chosen.city not in cities:
        cities.append(chosen.city)  # a place whose gatherings are over: still shown as chosen (nothing found)
    page = render_template(
        "public/index.html",
        form=form,
        gatherings=gatherings,
        seats=availability_for(gatherings),
        states={g.id: g.registration_state() for g in gatherings},
        themes=catalogue.all_themes(),
        kinds=list(GatheringKind),
        cities=cities,
        selected=chosen,
        filtered=any(value not in (None, "") for value in request.args.values()),
    )
    return page, 200 if valid else 422
