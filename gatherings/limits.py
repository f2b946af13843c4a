"""Rate limits per e-mail address count addresses, not typing mistakes.

Keyed on the raw field, every form sent without an address shared one counter (the key ``-``):
after ten of them, from anyone for any gathering, the next person who forgot their address got
"Even rustig aan" instead of "Vul uw e-mailadres in". A per-address limit now counts only an
address the form accepted, and a form with mistakes is answered with its messages:

- where the form is only the address (/my), the route's limit is exempt without a valid address
  (``address_key`` and ``no_valid_address``);
- where a form has more to get wrong (registration), the view counts the address itself once the
  form is valid (``over_address_limit``): validating the form a second time in the limiter's
  ``exempt_when`` would cost every registration of the opening rush half a millisecond.
"""
from __future__ import annotations

import time

from email_validator import EmailNotValidError, validate_email
from flask import current_app, request
from limits import parse

from .extensions import limiter

MAX_ADDRESS = 254


def valid_address(value: str | None) -> str | None:
    """The address as it is counted (lower case), when the forms would accept it; else None."""
    value = (value or "").strip()
    if not value or len(value) > MAX_ADDRESS:
        return None
    try:
        # The same check as WTForms' Email validator in our forms (syntax only, no DNS).
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return value.lower()


def _form_address() -> str | None:
    # The key and the exemption each ask once per request: checked once, kept with the request
    # (not on ``g``, which outlives a request when an app context is reused).
    cache = request.environ.setdefault("gatherings.limits", {})
    if "address" not in cache:
        cache["address"] = valid_address(request.form.get("email"))
    return cache["address"]


def address_key() -> str:
    """The key of a per-address limit: the form's ``email`` (only counted when valid, see no_valid_address)."""
    return "address:" + (_form_address() or "-")


def no_valid_address() -> bool:
    """``exempt_when`` of a per-address limit: without a valid address there is nothing to count."""
    return _form_address() is None


def over_address_limit(limit: str, scope: str, address: str) -> int | None:
    """Count one request for ``address`` (one the form accepted) under ``scope``.

    None while within ``limit``; past it, the seconds until the window frees up (for Retry-After).
    Uses the limiter's own storage (Redis in production), so every server counts together. When the
    storage cannot be reached the person is let through, as RATELIMIT_SWALLOW_ERRORS does for the
    route limits.
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    item = parse(limit)
    keys = (current_app.config.get("RATELIMIT_KEY_PREFIX", ""), scope, address.strip().lower())
    try:
        if limiter.limiter.hit(item, *keys):
            return None
        reset_at = limiter.limiter.get_window_stats(item, *keys).reset_time
    except Exception as error:  # noqa: BLE001  (any storage error: the limit is a courtesy, not a gate)
        current_app.logger.warning("rate-limit storage unavailable for %s: %s", scope, error)
        return None
    return max(int(reset_at - time.time()) + 1, 1)
