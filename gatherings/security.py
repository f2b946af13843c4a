"""Security headers on every answer."""
from flask import Flask, abort, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def private(response):
    """A blueprint's ``after_request`` for pages that belong in no shared cache and no search engine
    (the organiser area: ``bp.after_request(private)``)."""
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers.setdefault("X-Robots-Tag", "noindex")
    return response


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_what_no_form_sends():
        # PostgreSQL refuses NUL in text (a DataError, so a 500 at the first query); no person types one.
        if ("\x00" in request.path or _has_nul(request.args.values()) or _has_nul(request.args.keys())
                or (request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
                    and _has_nul(request.form.values()))):
            abort(400)
        # No form here takes a file; Flask-WTF would hand one to a text field (a TypeError, so a 500).
        if request.mimetype == "multipart/form-data" and request.files:
            abort(400)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
