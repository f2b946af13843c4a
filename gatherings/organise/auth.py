"""Flask-Login set-up: sessions remember an organiser's session token, not their id."""
import sqlalchemy as sa
from flask import Flask
from flask_babel import lazy_gettext as _l

from ..extensions import db, login
from .models import Organiser


def load_organiser(token: str) -> Organiser | None:
    if not token or len(token) > 64:
        return None
    organiser = db.session.scalars(sa.select(Organiser).where(Organiser.session_token == token)).first()
    if organiser is None or not organiser.active:
        return None
    return organiser


def init_app(app: Flask) -> None:
    login.init_app(app)
    login.user_loader(load_organiser)
    login.login_view = "organise.login"
    login.login_message = _l("Log in om verder te gaan.")
    login.login_message_category = "info"
    login.session_protection = "basic"
