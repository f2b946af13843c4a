"""Calendars: iCalendar downloads, public and personal feeds, invitations for mail."""
from flask import Flask


def _forget_feed_tokens(_sender, **_kwargs) -> None:
    from .services import forget_unused_feed_tokens

    forget_unused_feed_tokens()


def init_app(app: Flask) -> None:
    from ..privacy.services import purge_requested

    # After a privacy purge, tokens of addresses without registrations go too.
    purge_requested.connect(_forget_feed_tokens)
