"""Error pages: plain Dutch, the right status, never a stack trace."""
import psycopg
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout  # every connection of the pool busy for DB_POOL_TIMEOUT
from werkzeug.exceptions import HTTPException

from .extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _page(status: int, title: str, message: str):
    if _wants_json():
        return jsonify({"error": title, "status": status}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _page(400, _("Het formulier is verlopen"),
                     _("Ga terug, laad de pagina opnieuw en verstuur het formulier nog een keer."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        titles = {
            404: _("Deze pagina bestaat niet"),
            403: _("Geen toegang"),
            405: _("Dit kan hier niet"),
            410: _("Deze link werkt niet meer"),
            429: _("Even rustig aan"),
        }
        messages = {
            404: _("Misschien is de link verkeerd overgenomen, of is de pagina weggehaald."),
            429: _("Er kwamen te veel verzoeken tegelijk. Wacht een minuut en probeer het dan opnieuw."),
            410: _("Deze link is vervangen door een nieuwe."),
        }
        title = titles.get(error.code, _("Er ging iets mis"))
        message = messages.get(error.code, _("Probeer het later nog eens."))
        body, status = _page(error.code or 500, title, message)
        # What the exception says about itself beyond its page: Allow on a 405 (RFC 9110), Retry-After ...
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    # The same from the driver itself: the opening rush's registration talks to psycopg directly
    # (registration/flight.py), past SQLAlchemy, which would have wrapped these.
    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(psycopg.InterfaceError)
    def _database_down(error: DBAPIError | PoolTimeout | psycopg.Error):
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        app.logger.error("database unavailable: %s: %s", error.__class__.__name__, reason[0] if reason else "")
        try:
            db.session.rollback()
        except SQLAlchemyError:  # the connection is gone; the pool replaces it (database._closed_while_idle)
            db.session().invalidate()
        body, status = _page(503, _("Even niet bereikbaar"),
                             _("Het systeem is tijdelijk niet bereikbaar. Probeer het over een paar minuten opnieuw. "
                               "Er is niets opgeslagen van wat u net verstuurde."))
        return body, 503, {"Retry-After": "30"}
