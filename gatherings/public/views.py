"""The way in: the list of gatherings. (One gathering's page and its form are in ``registration``.)"""
from flask import Blueprint, render_template, request

from ..catalogue import services as catalogue
from ..catalogue.models import GatheringKind
from ..registration.services import availability_for

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    kind = request.args.get("kind") or None
    theme = request.args.get("theme") or None
    q = (request.args.get("q") or "").strip()[:100] or None
    gatherings = catalogue.upcoming(kind=kind, theme=theme, q=q)
    return render_template(
        "public/index.html",
        gatherings=gatherings,
        seats=availability_for(gatherings),
        themes=catalogue.all_themes(),
        kinds=list(GatheringKind),
        selected={"kind": kind, "theme": theme, "q": q or ""},
    )
