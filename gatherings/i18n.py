"""Language: Dutch first, English on request (a visible switch or Accept-Language)."""
from flask import Flask, current_app, g, has_request_context, redirect, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from . import caches
from .inputs import local_target
from .timeutil import SUMMER_TIME, doubled_hour_side, local

LANG_COOKIE = "lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and mail workers speak Dutch
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")
    # The answer now depends on these two request headers: say so to caches on the way (after_request below).
    g.language_chosen = True
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    # Dutch unless the browser prefers English over Dutch.
    return request.accept_languages.best_match(languages, default="nl") or "nl"


def when(start, end) -> str:
    """'dinsdag 3 februari 2026, 13:30 – 16:00' in the current language, Amsterdam time."""
    return caches.date_line(start, end, _when)


def _when(start, end) -> str:
    day = format_datetime(start, "EEEE d MMMM y")
    return f"{day}, {clock_time(start)} – {clock_time(end)}"


def clock_time(at) -> str:
    """'14:30' in Amsterdam time; '02:30 (zomertijd)' or '02:30 (wintertijd)' for a time
    in the hour that happens twice, the night the clocks go back."""
    side = doubled_hour_side(at)
    if side is None:
        return format_datetime(at, "HH:mm")
    if side == SUMMER_TIME:
        return _("%(time)s (zomertijd)", time=format_datetime(at, "HH:mm"))
    return _("%(time)s (wintertijd)", time=format_datetime(at, "HH:mm"))


def moment(at) -> str:
    """'maandag 1 maart 2027 om 10:00' in the current language, Amsterdam time."""
    return _("%(day)s om %(time)s", day=format_datetime(at, "EEEE d MMMM y"), time=clock_time(at))


def lang_nl() -> Markup:
    """` lang="nl"` on a page in another language, for what organisers write in Dutch (a gathering's title,
    description, venue): screen readers then read it as Dutch. Nothing on a Dutch page."""
    return Markup("") if str(get_locale()) == "nl" else Markup(' lang="nl"')


def in_dutch(text: str) -> Markup | str:
    """``text`` written by an organiser in Dutch, marked as Dutch on a page in another language: for a title
    inside a translated sentence (``_("... %(title)s", title=in_dutch(gathering.title))``)."""
    if str(get_locale()) == "nl":
        return text
    return Markup('<span lang="nl">%s</span>') % text


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    from .catalogue.labels import KIND_LABELS
    from .registration.perspectives import GROUP_LABELS, PERSPECTIVES

    app.jinja_env.globals.update(when=when, moment=moment, lang_nl=lang_nl, in_dutch=in_dutch, get_locale=get_locale, format_datetime=format_datetime,
                                 kind_labels=KIND_LABELS, perspective_labels=PERSPECTIVES, group_labels=GROUP_LABELS)
    app.jinja_env.filters["local"] = local

    @app.after_request
    def _vary_on_language(response):
        # A page in the visitor's language: a shared cache must not hand the Dutch page to an English reader.
        if g.get("language_chosen"):
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response

    @app.get("/taal/<code>")
    def switch_language(code: str):
        response = redirect(local_target(request.args.get("next"), url_for("public.index")))
        if code in current_app.config["LANGUAGES"]:
            response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                                secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True)
        return response
