"""Rate limits per e-mail address count addresses, not typing mistakes.

Keyed on the raw field, every form sent without an address shared one counter (the key ``-``):
after ten of them, from anyone for any gathering, the next person who forgot their address got
"Even rustig aan" instead of "Vul uw e-mailadres in". A per-address limit now applies only to a
valid address (``address_key`` of anything else is never counted: ``no_valid_address`` exempts
it), and a form with mistakes is answered with its messages: the view's own validation says what
is wrong, a 429 would not.
"""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import request

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


def address_key() -> str:
    """The key of a per-address limit: the form's ``email`` (only counted when valid, see no_valid_address)."""
    return "address:" + (valid_address(request.form.get("email")) or "-")


def no_valid_address() -> bool:
    """``exempt_when`` of a per-address limit: without a valid address there is nothing to count."""
    return valid_address(request.form.get("email")) is None
