"""The way in: the list of gatherings and one gathering with its form."""
from flask import Blueprint, render_template, request, session

from ..catalogue import services as catalogue
from ..catalogue.models import KINDS
from ..database import read_only
from ..ops.pages import PageCache, request_key, row_values
from ..registration.forms import RegistrationForm
from ..registration.perspectives import GROUP_LABELS
from ..registration.services import availability, availability_for

bp = Blueprint("public", __name__)
gathering_pages = PageCache("gathering")


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
        kinds=KINDS,
        selected={"kind": kind, "theme": theme, "q": q or ""},
    )


def render_gathering(gathering, form=None, status=200, *, seats=None, state=None):
    form = form or RegistrationForm(perspective_required=gathering.is_mixed)
    return render_template(
        "public/gathering.html",
        gathering=gathering,
        form=form,
        seats=seats or availability(gathering),
        state=state or gathering.registration_state(),
        group_labels=GROUP_LABELS,
    ), status


@bp.get("/gatherings/<slug>")
def gathering(slug: str):
    read_only()
    gathering = catalogue.get_visible_gathering(slug)
    if "_flashes" in session:  # a notice for this visitor only
        return render_gathering(gathering)
    seats = availability(gathering)
    state = gathering.registration_state()
    key = ("gathering", *request_key(), state, row_values(gathering),
           gathering.theme.name if gathering.theme else None, gathering.host.name if gathering.host else None,
           seats.seats_left, tuple((group, s.seats_left) for group, s in seats.groups.items()))
    return gathering_pages.render(key, lambda: render_gathering(gathering, seats=seats, state=state)[0])
