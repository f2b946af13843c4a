"""Configuration: defaults here, overrides from the environment and instance/config.py."""
import os

ENV_KEYS = (
    "DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FALLBACKS", "BASE_URL",
    "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL",
    "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER",
    "RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED", "GATHERINGS_ENV", "CONTACT_EMAIL",
    "TRUSTED_PROXIES", "DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT", "MAIL_REMIND_INTERVAL",
)
BOOLEAN_KEYS = {"MAIL_USE_TLS", "MAIL_USE_SSL", "RATELIMIT_ENABLED"}
# Comma-separated: earlier keys still accepted while a new SECRET_KEY takes over (key rotation).
LIST_KEYS = {"SECRET_KEY_FALLBACKS"}
INTEGER_KEYS = {"MAIL_PORT", "TRUSTED_PROXIES", "DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT",
                "MAIL_REMIND_INTERVAL"}


class BaseConfig:
    GATHERINGS_ENV = "development"
    SECRET_KEY = None
    # None: http://127.0.0.1:<PORT> (5000 when PORT is not set), see default_base_url.
    BASE_URL = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: a slow typist keeps their form
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER = "Gatherings <noreply@gatherings.localhost>"
    # `mail send --loop` queues due reminders this often (seconds); 0: only `mail remind` (cron) does.
    MAIL_REMIND_INTERVAL = 600
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "gatherings"
    # Redis down must not take registration down with it: then limits are not counted for a while.
    RATELIMIT_SWALLOW_ERRORS = True
    # Reverse proxies (load balancer, nginx) in front of the app whose X-Forwarded-* headers we trust.
    # 0: none; the client address is the peer address. Must be right, or all visitors share one rate limit.
    TRUSTED_PROXIES = 0
    # PostgreSQL connections per server process (a sync gunicorn worker uses one at a time).
    DB_POOL_SIZE = 2
    DB_MAX_OVERFLOW = 3
    DB_POOL_TIMEOUT = 10
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # What the consent checkbox covers; stored with every registration.
    CONSENT_VERSION = "2026-11-30"  # the consent text was rewritten in plain language (issue 15)
    # What the consent checkbox of /alerts covers; stored with every request to follow themes.
    ALERTS_CONSENT_VERSION = "alerts-2026-11-30"
    RETENTION_DAYS = 90


def _coerce(key, value):
    if key in LIST_KEYS:
        return [item.strip() for item in value.split(",") if item.strip()]
    if key in BOOLEAN_KEYS:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if key in INTEGER_KEYS:
        return int(value)
    return value


def load_environment(app) -> None:
    for key in ENV_KEYS:
        value = os.environ.get(key)
        if value not in (None, ""):
            app.config[key] = _coerce(key, value)


DEFAULT_PORT = 5000


def default_base_url() -> str:
    """BASE_URL when none is set: the address `make run` serves on, so that links in mail and
    calendars lead back to it (``PORT=5077 make run``). Production sets BASE_URL."""
    port = (os.environ.get("PORT") or "").strip()
    number = int(port) if port.isascii() and port.isdigit() else 0
    return f"http://127.0.0.1:{number if 0 < number < 65536 else DEFAULT_PORT}"


def database_uri(app) -> str:
    url = app.config.get("DATABASE_URL") or "sqlite:///" + os.path.join(app.instance_path, "gatherings.sqlite")
    # Accept the common shorthands and always use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return url
