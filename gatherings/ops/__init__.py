"""Running in production: health check, reverse-proxy headers, readable logs."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    from .views import bp

    app.register_blueprint(bp)
    app.teardown_appcontext(_release_database_session)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Trust exactly as many X-Forwarded-* hops as there are proxies of our own; more would let
        # a visitor choose their address (and so their rate limit) by sending the header themselves.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)


def _release_database_session(_exc) -> None:
    """End the request's database session; a database that died meanwhile must not turn the answer into a 500.

    Runs before Flask-SQLAlchemy's own teardown (teardowns run in reverse order), which then finds nothing to do.
    When PostgreSQL restarts just after the answer was made, the closing ROLLBACK fails; the connection is
    dropped and the pool opens a new one for the next request.
    """
    from flask import current_app
    from sqlalchemy.exc import SQLAlchemyError

    from ..extensions import db

    try:
        db.session.remove()
    except SQLAlchemyError as error:
        current_app.logger.warning("database connection lost after the answer: %s", error.__class__.__name__)
        try:
            db.session().invalidate()
            db.session.remove()
        except SQLAlchemyError:
            pass
