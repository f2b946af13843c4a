"""Flask-Login set-up: the session cookie carries the secret of a login session recorded on the server
(login_sessions.py), never the organiser's id, so logging out ends it everywhere the cookie was copied to."""
from flask import Flask, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from ..extensions import login
from . import login_sessions
from .models import Organiser

# Where Flask-Login keeps the id it gives the user loader: for us, the login session's secret.
_SESSION_KEY = "_user_id"


def log_in(organiser: Organiser) -> None:
    """Start a new login session for ``organiser`` in this browser: a fresh cookie and a new session row.

    Any session this browser had ends. The caller commits.
    """
    login_sessions.end(session.get(_SESSION_KEY))
    session.clear()
    login_sessions.start(organiser)
    login_user(organiser)


def log_out() -> None:
    """End this browser's login session, on the server too. The caller commits."""
    login_sessions.end(session.get(_SESSION_KEY))
    logout_user()
    session.clear()


def init_app(app: Flask) -> None:
    app.config.setdefault("ORGANISE_SESSION_LIFETIME", login_sessions.DEFAULT_LIFETIME)
    login.init_app(app)
    login.user_loader(login_sessions.organiser_for)
    login.login_view = "organise.login"
    login.login_message = _l("Log in om verder te gaan.")
    login.login_message_category = "info"
    login.session_protection = "basic"
