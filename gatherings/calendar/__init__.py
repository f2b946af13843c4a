"""Calendars: iCalendar downloads, public and personal feeds, invitations for mail."""
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event

from ..timeutil import utcnow


def _forget_feed_tokens(_sender, **_kwargs) -> None:
    from .services import forget_unused_feed_tokens

    forget_unused_feed_tokens()


def _stamp_change(_mapper, _connection, gathering) -> None:
    """Every change of a gathering's row moves its change time, unless the change set it.

    ``changed_at`` is the row's change mark: calendars write it as DTSTAMP and
    LAST-MODIFIED, and a stored feed is rebuilt when it moves (services.public_mark).
    Any column counts, not a list of the ones calendars show today: a list is
    what someone forgets to extend. ``Gathering.touch()`` still decides SEQUENCE.
    """
    state = sa.inspect(gathering)
    if state.attrs.changed_at.history.has_changes():
        return
    if any(state.attrs[column.key].history.has_changes() for column in state.mapper.column_attrs):
        gathering.changed_at = utcnow()


def _stamp_renamed(mapper, connection, target) -> None:
    """A theme's or host's name is shown in its gatherings' events: they changed too."""
    from ..catalogue.models import Gathering, Theme

    state = sa.inspect(target)
    if not any(state.attrs[column.key].history.has_changes() for column in state.mapper.column_attrs):
        return
    column = Gathering.theme_id if isinstance(target, Theme) else Gathering.host_id
    connection.execute(sa.update(Gathering).where(column == target.id).values(changed_at=utcnow()))


def _stamp_programme(mapper, connection, target) -> None:
    """A part or workshop added, changed or removed changes its gathering's events (the outline in
    the description, someone's own programme): the gathering's change mark moves, whoever made the change."""
    from ..catalogue.models import Gathering
    from ..programme.models import ProgrammePart

    if isinstance(target, ProgrammePart):
        gathering_id = target.gathering_id
    else:
        gathering_id = sa.select(ProgrammePart.gathering_id).where(ProgrammePart.id == target.part_id).scalar_subquery()
    connection.execute(sa.update(Gathering).where(Gathering.id == gathering_id).values(changed_at=utcnow()))


def _stamp_programme_change(mapper, connection, target) -> None:
    """As ``_stamp_programme``, for a row that really changed (one flushed only because a collection
    of it changed, a round given a workshop, has nothing of its own to say)."""
    state = sa.inspect(target)
    if any(state.attrs[column.key].history.has_changes() for column in state.mapper.column_attrs):
        _stamp_programme(mapper, connection, target)


def init_app(app: Flask) -> None:
    from ..catalogue.models import Gathering, HostOrganisation, Theme
    from ..programme.models import ProgrammePart, Workshop
    from ..privacy.services import purge_requested
    from . import sessionless

    sessionless.init_app(app)

    # After a privacy purge, tokens of addresses without registrations go too.
    purge_requested.connect(_forget_feed_tokens)
    if not event.contains(Gathering, "before_update", _stamp_change):
        event.listen(Gathering, "before_update", _stamp_change)
    for model in (Theme, HostOrganisation):
        if not event.contains(model, "after_update", _stamp_renamed):
            event.listen(model, "after_update", _stamp_renamed)
    for model in (ProgrammePart, Workshop):
        for happening, stamp in (("after_insert", _stamp_programme), ("after_delete", _stamp_programme),
                                 ("after_update", _stamp_programme_change)):
            if not event.contains(model, happening, stamp):
                event.listen(model, happening, stamp)
