"""Calendars: iCalendar downloads, public and personal feeds, invitations for mail."""
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event

from ..timeutil import utcnow


def _forget_feed_tokens(_sender, **_kwargs) -> None:
    from .services import forget_unused_feed_tokens

    forget_unused_feed_tokens()


# What a calendar shows of a gathering. Feeds notice changes by changed_at and
# SEQUENCE; an edit of these that forgot Gathering.touch() must still show.
SHOWN_COLUMNS = ("slug", "kind", "status", "title", "description", "starts_at", "ends_at",
                 "venue_name", "venue_address", "venue_city", "online_url", "accessibility",
                 "theme_id", "host_id", "theme", "host")


def _stamp_visible_change(_mapper, _connection, gathering) -> None:
    state = sa.inspect(gathering)
    if state.attrs.changed_at.history.has_changes():
        return
    if any(state.attrs[name].history.has_changes() for name in SHOWN_COLUMNS):
        gathering.changed_at = utcnow()


def _stamp_renamed(mapper, connection, target) -> None:
    """A theme's or host's name is shown in its gatherings' events: they changed too."""
    from ..catalogue.models import Gathering, Theme

    if not sa.inspect(target).attrs.name.history.has_changes():
        return
    column = Gathering.theme_id if isinstance(target, Theme) else Gathering.host_id
    connection.execute(sa.update(Gathering).where(column == target.id).values(changed_at=utcnow()))


def init_app(app: Flask) -> None:
    from ..catalogue.models import Gathering, HostOrganisation, Theme
    from ..privacy.services import purge_requested
    from . import sessionless

    sessionless.init_app(app)

    # After a privacy purge, tokens of addresses without registrations go too.
    purge_requested.connect(_forget_feed_tokens)
    if not event.contains(Gathering, "before_update", _stamp_visible_change):
        event.listen(Gathering, "before_update", _stamp_visible_change)
    for model in (Theme, HostOrganisation):
        if not event.contains(model, "after_update", _stamp_renamed):
            event.listen(model, "after_update", _stamp_renamed)
