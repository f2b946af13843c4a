"""Calendar files are the same for everybody: no session is opened for them.

Flask opens the session for every request, and anything that looks at it (Flask-Login
does, after every request) makes Flask answer ``Vary: Cookie`` and may set the
session cookie again. A public, cacheable feed must do neither: a shared cache
would keep one copy per visitor's cookie, or hand one visitor's cookie to another.
So for the .ics addresses the session is Flask's null session, which is never
saved: no ``Vary: Cookie``, no ``Set-Cookie``.
"""
from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SessionInterface
from werkzeug.exceptions import HTTPException

# The calendar's endpoints that serve .ics files (views.py).
ICS_ENDPOINTS = frozenset({"calendar.gathering_ics", "calendar.all_ics", "calendar.kind_ics", "calendar.theme_ics",
                           "calendar.personal_ics"})


def serves_ics(app: Flask, request: Request) -> bool:
    if not request.path.endswith(".ics"):
        return False
    adapter = app.create_url_adapter(request)
    try:
        endpoint, _values = adapter.match()
    except HTTPException:
        return False
    return endpoint in ICS_ENDPOINTS


class NoSessionForCalendarFiles(SessionInterface):
    """The app's own session interface, except for the .ics addresses."""

    def __init__(self, inner: SessionInterface):
        self.inner = inner

    def open_session(self, app: Flask, request: Request):
        if serves_ics(app, request):
            return self.make_null_session(app)
        return self.inner.open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        self.inner.save_session(app, session, response)

    def make_null_session(self, app: Flask):
        return self.inner.make_null_session(app)

    def is_null_session(self, obj: object) -> bool:
        return self.inner.is_null_session(obj)


def init_app(app: Flask) -> None:
    if not isinstance(app.session_interface, NoSessionForCalendarFiles):
        app.session_interface = NoSessionForCalendarFiles(app.session_interface)
