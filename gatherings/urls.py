"""Absolute links for people: always on BASE_URL, never on the host a request came in on.

Behind a load balancer the request's host can be an internal name, and mail and
the calendar sender build links outside any request. BASE_URL is the public
address, path prefix included (``https://example.nl/aanmelden``); the route's own
path is built from the URL map without the request's script root, so a prefix is
never written twice.
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app


def base_url() -> str:
    """BASE_URL without a trailing slash."""
    return current_app.config["BASE_URL"].rstrip("/")


def public_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` (a full name such as ``registration.show``) on BASE_URL."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base_url() + path


def webcal_url(endpoint: str, **values) -> str:
    """webcal://host/path: the link that opens a calendar app to subscribe to a feed."""
    return urlunsplit(("webcal",) + tuple(urlsplit(public_url(endpoint, **values))[1:]))


def init_app(app: Flask) -> None:
    app.add_template_global(public_url)
    app.add_template_global(webcal_url)
