"""Unbound extension objects; bound to the app in ``create_app``."""
from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter as _Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Limiter(_Limiter):
    """Flask-Limiter, costing nothing on a limited route when this app's limits are off (RATELIMIT_ENABLED=false).

    With the limits off Flask-Limiter adds no request hooks, but every ``@limiter.limit`` view still
    runs its check (endpoint lookups, the limits resolved and found empty) on every request: part of
    what a load test with the limits off measures.
    """

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if not current_app.config.get("RATELIMIT_ENABLED", True):
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
