"""Wrong passwords, counted so that guessing is slowed without locking the owner out.

The counters live in the rate limiter's storage (Redis when several servers
run), through Flask-Limiter's own strategy; ``RATELIMIT_ENABLED=false`` turns
them off like every other limit. Flask-Limiter's decorators are not used here
because they decide before the view runs: here only a password that was
checked and wrong counts, and a client that has used up its tries is told so
only once its form is otherwise right. A form with mistakes always gets its
own messages, never a 429.

Logging in counts per account *and* client (ten wrong passwords for one
account from one address slow that address for that account; its owner,
elsewhere, still logs in) and per client (one address trying many accounts).
The current-password check on the password page counts per account: whoever
guesses there already holds a session.
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse

from ..extensions import limiter

DEFAULT_LOGIN_LIMIT_ACCOUNT = "10 per hour"  # per account and client
DEFAULT_LOGIN_LIMIT_CLIENT = "60 per hour"
DEFAULT_PASSWORD_CHECK_LIMIT = "10 per hour"  # per account
DEFAULT_RESET_LIMIT_ADDRESS = "5 per hour"  # reset links asked for one address
DEFAULT_RESET_LIMIT_CLIENT = "30 per hour"


@dataclass(frozen=True)
class Counter:
    scope: str
    key: str
    config_key: str
    default: str

    def item(self):
        return parse(current_app.config.get(self.config_key) or self.default)

    def identifiers(self) -> list[str]:
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
        return [part for part in (prefix, self.key, self.scope) if part]


def _account_key(email: str) -> str:
    # The address as typed (normalised), hashed: no addresses in Redis, and an
    # unknown address is counted like a known one.
    return hashlib.sha256((email or "").strip().lower().encode("utf-8")).hexdigest()[:32]


def login_counters(email: str) -> list[Counter]:
    client = get_remote_address() or "-"
    return [
        Counter("organise-login-account", f"{_account_key(email)}:{client}", "ORGANISE_LOGIN_LIMIT_ACCOUNT",
                DEFAULT_LOGIN_LIMIT_ACCOUNT),
        Counter("organise-login-client", client, "ORGANISE_LOGIN_LIMIT_CLIENT", DEFAULT_LOGIN_LIMIT_CLIENT),
    ]


def password_check_counters(organiser_id: int) -> list[Counter]:
    return [Counter("organise-password-check", str(organiser_id), "ORGANISE_PASSWORD_CHECK_LIMIT",
                    DEFAULT_PASSWORD_CHECK_LIMIT)]


def reset_request_counters(email: str) -> list[Counter]:
    """Asking for a reset link: per address (known or not, counted alike) and per client.

    Counted for every request that is answered (not only failures): each one sends mail.
    """
    client = get_remote_address() or "-"
    return [
        Counter("organise-reset-address", _account_key(email), "ORGANISE_RESET_LIMIT_ADDRESS",
                DEFAULT_RESET_LIMIT_ADDRESS),
        Counter("organise-reset-client", client, "ORGANISE_RESET_LIMIT_CLIENT", DEFAULT_RESET_LIMIT_CLIENT),
    ]


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _storage_failed(error: Exception) -> None:
    # As RATELIMIT_SWALLOW_ERRORS does for the other limits: Redis down does not take logging in down.
    if not current_app.config.get("RATELIMIT_SWALLOW_ERRORS"):
        raise error
    current_app.logger.exception("password attempt counter unavailable")


def wait_seconds(counters: list[Counter]) -> int | None:
    """Seconds until every used-up counter of ``counters`` allows a try again; None when none is used up."""
    if not _enabled():
        return None
    wait = None
    for counter in counters:
        item, identifiers = counter.item(), counter.identifiers()
        try:
            if limiter.limiter.test(item, *identifiers):
                continue
            reset_at = limiter.limiter.get_window_stats(item, *identifiers).reset_time
        except Exception as error:  # noqa: BLE001  (any storage error: see _storage_failed)
            _storage_failed(error)
            continue
        wait = max(wait or 0, max(1, math.ceil(reset_at - time.time())))
    return wait


def count_failure(counters: list[Counter]) -> None:
    """One more (a wrong password, a reset link asked for) on each of ``counters``."""
    if not _enabled():
        return
    for counter in counters:
        try:
            limiter.limiter.hit(counter.item(), *counter.identifiers())
        except Exception as error:  # noqa: BLE001
            _storage_failed(error)
