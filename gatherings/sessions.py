"""The signed session cookie, its signing serializer made once per set of keys instead of twice a request.

Flask builds a new ``URLSafeTimedSerializer`` to read the cookie and another to write it, for
every request (keys, salt, digest and the signer's settings checked anew each time). It holds
no state of a request, so one per app serves them all; a new ``SECRET_KEY`` or
``SECRET_KEY_FALLBACKS`` (key rotation) makes a new one.
"""
from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

KEPT = "gatherings.session_serializer"


class SignedCookieSessions(SecureCookieSessionInterface):
    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = app.extensions.get(KEPT)
        if kept is None or kept[0] != keys:
            kept = (keys, super().get_signing_serializer(app))
            app.extensions[KEPT] = kept
        return kept[1]


def init_app(app: Flask) -> None:
    app.session_interface = SignedCookieSessions()
