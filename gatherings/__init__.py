"""Gatherings: registration for the movement's meetings."""
import os

from flask import Flask

from . import config as cfg

# CONTACT_EMAIL outside production when none is set (a domain that never receives mail).
DEV_CONTACT_EMAIL = "contact@gatherings.localhost"


def create_app(config: dict | None = None) -> Flask:
    from .inputs import IdConverter

    app = Flask(__name__, instance_relative_config=True, template_folder="templates")
    app.url_map.converters["id"] = IdConverter  # <id:...>: 1 .. 2^31-1, else 404 (see inputs.py)
    app.config.from_object(cfg.BaseConfig)
    app.config.from_pyfile("config.py", silent=True)
    cfg.load_environment(app)
    if config:
        app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    _finish_config(app)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_security(app)
    register_listeners(app)
    register_serving(app)
    return app


def _finish_config(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", os.path.join(app.root_path, "translations"))
    env = app.config["GATHERINGS_ENV"]
    if not app.config.get("SECRET_KEY"):
        if env in ("development", "testing") or app.testing:
            app.config["SECRET_KEY"] = "dev-only-not-secret"
        else:
            raise RuntimeError("SECRET_KEY must be set outside development and testing")
    if not app.config.get("CONTACT_EMAIL"):
        # Every message and invitation names someone who answers (Reply-To, the invitation's ORGANIZER):
        # never the no-reply sender, where a "no" in a calendar would go nowhere.
        if env == "production":
            raise RuntimeError("CONTACT_EMAIL must be set in production: the address participants can write to")
        app.config["CONTACT_EMAIL"] = DEV_CONTACT_EMAIL
    if env == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    if not app.config.get("BASE_URL"):
        app.config["BASE_URL"] = cfg.default_base_url()
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = cfg.database_uri(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = {
            # No pre-ping (a round trip before every request's first statement): a connection the server
            # closed while it was idle is recognised without one (database.configure_engine).
            "pool_size": app.config["DB_POOL_SIZE"],
            "max_overflow": app.config["DB_MAX_OVERFLOW"],
            "pool_timeout": app.config["DB_POOL_TIMEOUT"],
            "pool_recycle": 1800,
            "connect_args": {"connect_timeout": 5},
        }
        options.update(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_extensions(app: Flask) -> None:
    from sqlalchemy import orm as sa_orm

    from . import seat_counters, sessions
    from .database import configure_engine, configure_session
    from .extensions import babel, csrf, db, limiter, migrate
    from .i18n import select_locale

    from .catalogue import models as _catalogue  # noqa: F401  (tables known to Alembic)
    from .registration import models as _registration  # noqa: F401
    from .attendance import models as _attendance  # noqa: F401
    from .organise import models as _organise  # noqa: F401
    from .calendar import models as _calendar  # noqa: F401
    from .mail import models as _mail  # noqa: F401
    from .my import models as _my  # noqa: F401
    from .reflection import models as _reflection  # noqa: F401
    from .certificates import models as _certificates  # noqa: F401
    from .alerts import models as _alerts  # noqa: F401
    from .programme import models as _programme  # noqa: F401
    # Every relationship in place now (backrefs such as Gathering.programme), not at the process's first
    # query: a loader option built before any query (the gathering page's) needs them.
    sa_orm.configure_mappers()

    sessions.init_app(app)  # before the calendar wraps it (calendar/sessionless.py)
    db.init_app(app)
    seat_counters.register(db.metadata)  # the counting triggers come with every create_all
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Europe/Amsterdam")
    limiter.init_app(app)
    from . import organise

    organise.init_app(app)  # Flask-Login (`login`)
    with app.app_context():
        configure_engine(db.engine)
    configure_session()
    from . import i18n

    i18n.init_app(app)


def register_blueprints(app: Flask) -> None:
    from . import urls
    from .alerts.views import bp as alerts_bp
    from .api.views import bp as api_bp
    from .my.views import bp as my_bp
    from .organise.admin_views import bp as organise_admin_bp
    from .attendance import door_views as _door  # noqa: F401  (its routes are on attendance_bp)
    from .attendance import report_views as _report  # noqa: F401  (its routes are on attendance_bp)
    from .attendance import message_views as _messages  # noqa: F401  (its routes are on attendance_bp)
    from .attendance.views import bp as attendance_bp
    from .organise.views import bp as organise_bp
    from .calendar import init_app as init_calendar
    from .calendar.views import bp as calendar_bp
    from .programme.views import bp as programme_bp
    from .public.views import bp as public_bp
    from .registration.views import bp as registration_bp
    from .registration import edit_views as _edit  # noqa: F401  (its routes are on registration_bp)
    from .reflection.views import bp as reflection_bp
    from .reflection.organise_views import bp as reflection_organise_bp
    from .certificates.views import bp as certificates_bp
    from .programme import workshop_views as _workshops  # noqa: F401  (its routes are on programme_organise_bp)
    from .programme.organise_views import bp as programme_organise_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(programme_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(organise_bp)
    app.register_blueprint(organise_admin_bp)
    app.register_blueprint(calendar_bp)
    init_calendar(app)
    app.register_blueprint(my_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(reflection_bp)
    app.register_blueprint(reflection_organise_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(programme_organise_bp)
    urls.init_app(app)  # public_url() and webcal_url() in templates: links on BASE_URL


def register_errorhandlers(app: Flask) -> None:
    from .errors import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    from .demo import demo_command
    from .mail.cli import mail_command
    from .organise.commands import organiser_cli
    from .privacy.cli import privacy_cli

    app.cli.add_command(demo_command)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(organiser_cli)
    app.cli.add_command(mail_command)


def register_security(app: Flask) -> None:
    from .security import init_app

    init_app(app)


def register_listeners(app: Flask) -> None:
    """Areas that act on what registration and the catalogue report (blinker signals)."""
    from .mail import register_listeners as mail_listeners
    from .my import register_listeners as my_listeners
    from .organise import register_listeners as organise_listeners
    from .reflection.invitations import register_listeners as reflection_listeners
    from .alerts import register_listeners as alerts_listeners
    from .programme import register_listeners as programme_listeners

    mail_listeners()
    my_listeners()
    organise_listeners()
    reflection_listeners()
    alerts_listeners()
    programme_listeners()


def register_serving(app: Flask) -> None:
    from .ops import init_app

    init_app(app)
