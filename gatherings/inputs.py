"""Values from the URL and the query string, read one way everywhere: range-checked, never a 500.

- ids in a path (``<id:registration_id>``): the ``id`` URL converter matches 1 .. 2^31-1 only, so an
  id PostgreSQL's ``integer`` cannot hold is a 404 like any other unknown id, never a DataError;
- whole numbers in a query string (``?page=``, ``?year=``, ``?done=``): ``query_int``, ASCII digits
  only (``"²".isdigit()`` is true, and ``int("²")`` fails);
- where a redirect goes after a form or a switch (``?next=``): ``local_target``, see there.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1  # the integer primary keys (PostgreSQL ``integer``)


def is_ascii_number(value: str | None, max_digits: int = 10) -> bool:
    return bool(value) and len(value) <= max_digits and value.isascii() and value.isdigit()


def query_int(value: str | None, minimum: int, maximum: int) -> int | None:
    """A whole number from the query string within ``minimum .. maximum``, else None (never an error)."""
    value = (value or "").strip()
    if not is_ascii_number(value, max_digits=len(str(maximum))):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def parse_id(value: str | int | None) -> int | None:
    """An id as the database can hold it (1 .. MAX_ID), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    return query_int(value if isinstance(value, str) else None, 1, MAX_ID)


class IdConverter(BaseConverter):
    """``<id:name>``: a primary key of 1 .. 2^31-1 in ASCII digits; anything else does not match (404)."""

    regex = r"[1-9][0-9]{0,9}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


# -- redirect targets -----------------------------------------------------------

def _is_control(char: str) -> bool:
    # C0, DEL, C1, and the other invisible characters (format, line and paragraph separators) a browser
    # may drop or a header may not carry.
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def local_target(value: str | None, default: str, *, under: str | None = None) -> str:
    """``value`` when it is a path on this site (optionally ``under`` a prefix), else ``default``.

    A browser reads ``Location`` after removing tab, CR and LF anywhere and treating ``\\`` as ``/``,
    so ``/\\t/evil.example`` and ``/\\\\evil.example`` lead to another site (``//evil.example``). Rather
    than normalising the way one browser does, every value that a browser could read differently from
    us is refused: control and invisible characters, backslashes, spaces, anything that is not an
    absolute path (a scheme, ``//host``, userinfo, a relative path). A control character would also
    make the header itself invalid (the 500 of ``/%0d/x``).
    """
    if not value or len(value) > 2000:
        return default
    if any(_is_control(char) or char.isspace() for char in value) or "\\" in value:
        return default
    if not value.startswith("/") or value.startswith("//"):
        return default
    try:
        parts = urlsplit(value)
    except ValueError:
        return default
    if parts.scheme or parts.netloc:
        return default
    if under is not None:
        prefix = under.rstrip("/")
        if parts.path != prefix and not parts.path.startswith(prefix + "/"):
            return default
    return value
