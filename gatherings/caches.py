"""Every cache of the app, in one module, each kept because bench/inprocess.py shows what it saves.

Each entry is keyed on a fingerprint of everything its output is made of, so
an entry may be missing but never wrong: change a column, a seat count, the
language or the address, and the key changes with it. Nothing depends on an
entry being there; each process keeps its own, small and bounded.

- ``page``: the whole gathering page, the page of the opening rush. Rendered
  once per key; each visitor's CSRF token is put in afterwards. What the page is
  given is what it shows (the seats left, not the counts behind them, which
  every registration on the waiting list would change).
- ``form``: the empty registration form (its fields, labels and hints), which
  the gathering page renders again whenever the seat count changes (during the
  rush: after every registration).
- ``timetable``: the gathering page's programme, which that page also renders again whenever the seat
  count changes, without the workshops' seats left (put in per request: programme/page_seats.py).
- ``date_line``: "dinsdag 3 februari 2026, 13:30 – 16:00" per times and language (and a programme part's
  "13:30 – 14:20", which every result page of the rush shows).
- ``brief``: what the registration POST needs of its gathering before the lock
  (programme/brief.py), per gathering. The one entry not keyed on what it is made
  of (that is what it saves reading): it may be stale, and is never trusted. The
  flight compares every piece of it with the locked row before writing, declines
  when one differs, and then drops it (``checked``, ``drop``).

``CACHES_OFF`` (config, a set of these names) bypasses a cache: the tests render
with each on and off and compare the bytes; the benchmark measures each.
"""
from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache

import sqlalchemy as sa
from flask import Flask, current_app, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import Form

NAMES = ("page", "form", "timetable", "date_line", "brief")
MAX_ENTRIES = 256
TOKEN_MARK = "\x00csrf-token\x00"  # never in a rendered page: the app refuses NUL bytes in input


def enabled(name: str) -> bool:
    return name not in current_app.config.get("CACHES_OFF", ())


def _store(name: str) -> dict:
    return current_app.extensions.setdefault("caches", {}).setdefault(name, {})


def clear(app: Flask) -> None:
    app.extensions.get("caches", {}).clear()
    _date_line.cache_clear()


def _keep(store: dict, key: bytes, value: str) -> None:
    if len(store) >= MAX_ENTRIES:
        store.clear()  # keys are few per gathering and language; this only guards against growth
    store[key] = value


# -- keys -----------------------------------------------------------------------------------------------------


_PLAIN = frozenset({type(None), str, int, float, bool, datetime, date, Decimal})  # exactly these, not subclasses


def fingerprint(value) -> object:
    """What ``value`` is made of, as nested tuples of plain values; a TypeError for anything it cannot see into.

    A model instance gives all its columns and the many-to-one relations it has loaded (a
    gathering's theme and host); a form gives each field's name, data, errors and choices.
    """
    if type(value) in _PLAIN:  # most of what a page is made of: columns of a row (the quick way)
        return value
    if isinstance(value, (str, int, float, bool, datetime, date, Decimal)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, (list, tuple)):
        return tuple(fingerprint(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((fingerprint(v) for v in value), key=repr))
    if isinstance(value, dict):
        # Keys are distinct, so sorting by them alone is enough (not by the values' long reprs).
        return tuple(sorted(((fingerprint(k), fingerprint(v)) for k, v in value.items()), key=lambda kv: repr(kv[0])))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,
                tuple(fingerprint(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if isinstance(value, Form):
        # Not the CSRF token: it is each visitor's own, put into a kept page afterwards (see page()).
        return (type(value).__name__, tuple(
            (field.name, field.type, fingerprint(field.data), fingerprint(list(field.errors)),
             fingerprint([_choice(c) for c in getattr(field, "choices", None) or ()]),
             fingerprint(getattr(field, "perspective_required", None)))
            for field in value if field.type != "CSRFTokenField"),
            fingerprint(list(value.form_errors)), getattr(value, "perspective_required", None))
    mapper = sa.inspect(type(value), raiseerr=False)
    if mapper is not None:
        loaded = value.__dict__
        return (mapper.class_.__name__,
                tuple(fingerprint(getattr(value, attr.key)) for attr in mapper.column_attrs),
                tuple(fingerprint(loaded[rel.key]) for rel in mapper.relationships
                      if rel.direction is sa.orm.MANYTOONE and rel.key in loaded))
    if type(value).__name__ == "LazyString":  # flask_babel's: its message id (the language is in every key)
        return ("LazyString", fingerprint(value._args), fingerprint(value._kwargs))
    raise TypeError(f"caches.fingerprint cannot see into {type(value).__name__}: pass plain values")


def _choice(choice) -> tuple:
    if hasattr(choice, "value"):  # WTForms' SelectChoice
        return choice.value, str(choice.label)
    return choice[0], str(choice[1])


def _key(*parts) -> bytes:
    return hashlib.blake2b(repr(fingerprint(parts)).encode(), digest_size=20).digest()


def _where() -> tuple:
    # What of the request any page shows: the language, and its own address (base.html's language switch).
    return str(get_locale()), request.script_root, request.full_path


# -- the caches -----------------------------------------------------------------------------------------------


def page(template: str, derived: Callable[[], dict] | None = None, fill: Callable[[str], str] | None = None,
         **context) -> str:
    """``fill(render_template(template, **context, **derived()))``, the rendering kept per fingerprint of
    ``context`` and of the request's address.

    For pages that are the same for every visitor apart from the CSRF token (nothing of a
    visitor's own: the caller does not use it for a flashed notice or a form with messages).
    ``derived`` gives what follows from ``context``, the language and the code alone, such as the
    empty form of the gathering in ``context``: it is called only when the page is rendered, and it
    is not fingerprinted (building and fingerprinting a form cost more than the kept page saves).
    ``fill`` puts in what changes from one request to the next and is left out of ``context`` (the
    workshops' seats left: programme/page_seats.py), kept or not, as the token is put in.
    """
    token = generate_csrf()  # the visitor's own, also stored in their session as before
    fill = fill or (lambda html: html)
    if not enabled("page"):
        return fill(render_template(template, **context, **(derived() if derived else {})))
    store = _store("page")
    key = _key(template, _where(), context)
    kept = store.get(key)
    if kept is not None:
        return fill(kept.replace(TOKEN_MARK, token))
    html = render_template(template, **context, **(derived() if derived else {}))
    if html.count(token) == 1:  # the token is in the form exactly once; anything else: do not keep
        _keep(store, key, html.replace(token, TOKEN_MARK))
    return fill(html)


def form(template: str, *, keep: bool = True, **inputs) -> Markup:
    """The template ``template`` rendered with ``inputs`` only, kept per their fingerprint and the language.

    The template sees nothing but ``inputs`` and the app's globals (translations, ``url_for``),
    so no value that is not in the key can reach the output. ``keep=False`` for a form that
    came back with what a visitor typed and its messages: theirs alone.
    """
    return _fragment("form", template, keep, inputs)


def timetable(template: str, **inputs) -> Markup:
    """As ``form``, for the gathering page's programme (programme/_timetable.html), rendered again with the page
    whenever the day's seats change (during the rush: after every registration) though it changes only when
    an organiser changes the programme (the workshops' seats left are put in per request: page_seats.py)."""
    return _fragment("timetable", template, True, inputs)


def _fragment(name: str, template: str, keep: bool, inputs: dict) -> Markup:
    if not keep or not enabled(name):
        return Markup(current_app.jinja_env.get_template(template).render(**inputs))
    store = _store(name)
    key = _key(template, str(get_locale()), inputs)
    kept = store.get(key)
    if kept is None:
        kept = current_app.jinja_env.get_template(template).render(**inputs)
        _keep(store, key, kept)
    return Markup(kept)


def date_line(start: datetime, end: datetime, make: Callable[[datetime, datetime], str]) -> str:
    """``make(start, end)`` in the current language, kept per (start, end, language)."""
    if not enabled("date_line"):
        return make(start, end)
    return _date_line(start, end, str(get_locale() or "nl"), make)


@lru_cache(maxsize=1024)
def _date_line(start: datetime, end: datetime, _language: str, make) -> str:
    return make(start, end)  # the language is part of the key; make() reads it from the context


def checked(name: str, key: str, read: Callable[[], object], max_age: float) -> tuple[object, bool]:
    """``(read(), False)``, or ``(value, True)`` as read by an earlier request of this process within ``max_age`` s.

    Only for what its user compares with the database under a lock before relying on it (``brief``):
    such an entry cannot be wrong where it counts, only stale, and then the user ``drop``s it.
    Nothing is kept for None.
    """
    if not enabled(name):
        return read(), False
    store = _store(name)
    found = store.get(key)
    now = time.monotonic()
    if found is not None and now - found[0] < max_age:
        return found[1], True
    value = read()
    store.pop(key, None)
    if value is not None:
        _keep(store, key, (now, value))
    return value, False


def drop(name: str, key: str) -> None:
    _store(name).pop(key, None)
