"""Log lines an operator can read, without the secrets that live in some URLs.

``/r/<token>``, ``/my/<token>``, the personal calendar feed and the link that
sets an organiser's password (``/organise/password/reset/<token>``, signed, with
dots) carry a secret in the path: whoever reads the access log could otherwise
open someone's registration or account. The access log keeps the first four characters, enough to follow
one visitor through the log.
"""
import re

from gunicorn import glogging

_SECRET_IN_PATH = re.compile(r"(/(?:r|my|calendar/my)/)([A-Za-z0-9_\-]{4})[A-Za-z0-9_\-]{12,}"
                             r"|(/organise/password/reset/)([A-Za-z0-9_\-]{4})[A-Za-z0-9_.\-]{12,}")

FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"
DATEFMT = "%Y-%m-%d %H:%M:%S %z"
# client, request line, status, bytes, duration, user agent (the time comes from the log format)
ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'


def mask_secrets(text: str) -> str:
    return _SECRET_IN_PATH.sub(lambda m: f"{m.group(1) or m.group(3)}{m.group(2) or m.group(4)}…", text)


class GunicornLogger(glogging.Logger):
    """gunicorn's logger, with secrets masked in the request line and the referrer, and in error lines."""

    def error(self, msg, *args, **kwargs):
        super().error(mask_secrets(str(msg)), *[mask_secrets(a) if isinstance(a, str) else a for a in args], **kwargs)

    def exception(self, msg, *args, **kwargs):  # "Error handling request /r/<token>"
        super().exception(mask_secrets(str(msg)),
                          *[mask_secrets(a) if isinstance(a, str) else a for a in args], **kwargs)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i"):
            value = atoms.get(key)
            if isinstance(value, str):
                atoms[key] = mask_secrets(value)
        return atoms


def logconfig_dict(level: str = "INFO") -> dict:
    """One format for gunicorn's own lines and the app's (the app logs through the root logger)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": FORMAT, "datefmt": DATEFMT},
            "access": {"format": "%(asctime)s [%(process)d] access: %(message)s", "datefmt": DATEFMT},
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
            "alembic": {"level": "WARNING"},  # its plugins announce themselves in every worker
        },
    }
