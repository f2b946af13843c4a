"""What a "gathering changed" message says changed: old and new time and place, and what else an invitation shows."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import pgettext

from ..catalogue.models import Gathering
from ..i18n import when

# What everyone registered hears about; other changes (title, description ...) only update invitations.
TIME_AND_PLACE = ("starts_at", "ends_at", "venue_name", "venue_address", "venue_city", "online_url")
_PLACE = ("venue_name", "venue_address", "venue_city")


def _place(values) -> str:
    return ", ".join(values[k] for k in _PLACE if values.get(k))


def what_changed(gathering: Gathering, changes, before: dict, language: str = "nl") -> list[dict]:
    """The changes as the mail states them, in ``language``: ``what`` and, where it helps, ``old`` and ``new``.

    Plain strings (JSON for the row's context): the message says what was true when it was queued.
    """
    now = {k: getattr(gathering, k) for k in (*TIME_AND_PLACE, "title")}
    before = before or {}
    then = {**now, **before}

    def line(what: str, fields, old: str, new: str) -> dict:
        if any(k in before for k in fields):
            return {"what": what, "old": old, "new": new}
        return {"what": f"{what}: {new}"}  # the sender of the signal did not say what it was

    lines = []
    with force_locale(language):
        if "starts_at" in changes or "ends_at" in changes:
            lines.append(line(_("Tijd"), ("starts_at", "ends_at"), when(then["starts_at"], then["ends_at"]),
                              when(now["starts_at"], now["ends_at"])))
        if any(k in changes for k in _PLACE):
            # "Plaats" alone is the form's town field ("Town or city"); here it is the whole place.
            lines.append(line(pgettext("wijziging", "Plaats"), _PLACE, _place(then) or _("geen"),
                              _place(now) or _("geen")))
        if "online_url" in changes:
            lines.append({"what": _("De link om online mee te doen is veranderd.")})
        if "title" in changes:
            lines.append(line(_("Naam van de bijeenkomst"), ("title",), then["title"], now["title"]))
        if "description" in changes:
            lines.append({"what": _("De beschrijving is aangepast.")})
        if "accessibility" in changes:
            lines.append({"what": _("De informatie over toegankelijkheid is aangepast.")})
        if "host_id" in changes:
            lines.append({"what": _("De gastorganisatie is veranderd.")})
    return lines
