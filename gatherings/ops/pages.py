"""Whole public pages kept per process, keyed on everything they show.

The gathering page is what the opening rush asks for most: hundreds of people
load the same page in the same minute. Apart from the visitor's CSRF token it
is the same for all of them, so it is rendered once per key and the token is
put in afterwards. The key holds the data the page is made of (every column of
the gathering, its theme and host, the seat counts, the registration state,
the language and the address), never a name for data that can change behind
it: a process with an old entry still shows the truth, and nothing depends on
an entry being there. Pages for a visitor with something of their own on them
(a form with messages, a flashed notice) are never kept.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

MAX_ENTRIES = 256
TOKEN_MARK = "\x00csrf-token\x00"  # never in a rendered page: the app refuses NUL bytes in input


class PageCache:
    """Pages of one kind (``name``), kept per app in ``app.extensions``."""

    def __init__(self, name: str, max_entries: int = MAX_ENTRIES):
        self.name = name
        self.max_entries = max_entries

    def _pages(self) -> dict[Hashable, str]:
        return current_app.extensions.setdefault(f"page_cache.{self.name}", {})

    def render(self, key: Hashable, render: Callable[[], str]) -> str:
        """The page for ``key`` with this visitor's CSRF token; ``render`` makes it when it is not kept."""
        token = generate_csrf()  # the visitor's own, also stored in their session as before
        pages = self._pages()
        page = pages.get(key)
        if page is None:
            html = render()
            if html.count(token) != 1:  # the token is in the form exactly once; anything else: do not keep
                return html
            if len(pages) >= self.max_entries:
                pages.clear()  # keys are few per gathering; this only guards against growth
            pages[key] = html.replace(token, TOKEN_MARK)
            return html
        return page.replace(TOKEN_MARK, token)


def row_values(instance) -> tuple:
    """Every column value of an ORM instance: as key part, it changes whenever the row does."""
    mapper = sa.inspect(type(instance))
    return tuple(getattr(instance, attr.key) for attr in mapper.column_attrs)


def request_key() -> tuple:
    """What of the request a public page shows: the language, and its own address (the language switch)."""
    return str(get_locale()), request.script_root, request.full_path
