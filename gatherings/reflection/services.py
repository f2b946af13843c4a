"""Reflection: settings per gathering, who is invited, and answering (once per token)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..catalogue.models import Gathering
from ..extensions import db
from ..registration.models import Registration
from ..registration.perspectives import group_of
from ..timeutil import local, utcnow
from .models import (ReflectionAnswer, ReflectionGroup, ReflectionInvitation, ReflectionSettings,
                     new_reflection_token, token_digest)

DEFAULT_TAKEAWAY = _l("Wat neemt u mee van deze bijeenkomst?")
DEFAULT_SUGGESTION = _l("Wat kan beter?")
MAX_ANSWER_LENGTH = 2000
MAX_QUESTION_LENGTH = 300


# -- settings -------------------------------------------------------------------------

def settings_of(gathering: Gathering) -> ReflectionSettings:
    """The gathering's settings; a new (unsaved) row with the defaults when it has none."""
    found = db.session.get(ReflectionSettings, gathering.id)
    return found or ReflectionSettings(gathering_id=gathering.id, enabled=True, takeaway_question="",
                                       suggestion_question="")


def questions(settings: ReflectionSettings) -> tuple[str, str]:
    """The two open questions as the reader sees them: the organiser's words, else the standard ones."""
    return (settings.takeaway_question or str(DEFAULT_TAKEAWAY),
            settings.suggestion_question or str(DEFAULT_SUGGESTION))


def save_settings(gathering: Gathering, *, enabled: bool, takeaway_question: str,
                  suggestion_question: str) -> ReflectionSettings:
    """Flushes. An empty question means the standard one."""
    settings = db.session.get(ReflectionSettings, gathering.id)
    if settings is None:
        settings = ReflectionSettings(gathering_id=gathering.id)
        db.session.add(settings)
    settings.enabled = enabled
    settings.takeaway_question = " ".join((takeaway_question or "").split())[:MAX_QUESTION_LENGTH]
    settings.suggestion_question = " ".join((suggestion_question or "").split())[:MAX_QUESTION_LENGTH]
    settings.changed_at = utcnow()
    db.session.flush()
    return settings


def is_enabled(gathering: Gathering) -> bool:
    return settings_of(gathering).enabled


# -- who is invited -------------------------------------------------------------------

def group_for(registration: Registration) -> ReflectionGroup:
    group = registration.perspective_group or group_of(registration.perspective)
    return ReflectionGroup(group) if group in set(ReflectionGroup) else ReflectionGroup.UNKNOWN


def invitable(gathering_id: int):
    """SQL condition: the gathering's registrations that may be invited (checked in, with an address, not erased)."""
    return sa.and_(
        Registration.gathering_id == gathering_id,
        Registration.status == "confirmed",
        Registration.checked_in_at.is_not(None),
        Registration.email.is_not(None),
        Registration.anonymised_at.is_(None),
    )


def create_invitation(registration: Registration) -> str:
    """A new invitation for the registration's gathering and group; returns the token (only its digest is kept)."""
    token = new_reflection_token()
    db.session.add(ReflectionInvitation(token_hash=token_digest(token), gathering_id=registration.gathering_id,
                                        perspective_group=group_for(registration).value, used=False))
    db.session.flush()
    return token


# -- answering ------------------------------------------------------------------------

class ReflectionUnavailable(Exception):
    """No such invitation, or its gathering no longer asks for reflections."""


class AlreadyAnswered(Exception):
    pass


@dataclass
class Answer:
    value: int | None
    takeaway: str
    suggestion: str

    @property
    def is_empty(self) -> bool:
        return self.value is None and not self.takeaway.strip() and not self.suggestion.strip()


def invitation_for_token(token: str) -> ReflectionInvitation:
    """The invitation behind ``token`` whose gathering still asks for reflections, or ReflectionUnavailable."""
    if not token or len(token) > 100:
        raise ReflectionUnavailable
    invitation = db.session.scalar(sa.select(ReflectionInvitation).where(
        ReflectionInvitation.token_hash == token_digest(token)))
    if invitation is None:
        raise ReflectionUnavailable
    gathering = db.session.get(Gathering, invitation.gathering_id)
    if gathering is None or not is_enabled(gathering):
        raise ReflectionUnavailable
    return invitation


def submit_answer(token: str, answer: Answer, now: datetime | None = None) -> ReflectionAnswer | None:
    """Use the token once and store the answer apart from everyone. Flushes; the caller commits.

    The token is spent by one conditional UPDATE, so of two submissions at once
    exactly one gets through, on SQLite and PostgreSQL alike. A form with
    nothing filled in spends the token but stores no answer (None): it would
    count as an answer without saying anything.
    """
    if answer.value is not None and answer.value not in range(1, 6):
        raise ValueError("value out of range")
    invitation = invitation_for_token(token)
    spent = db.session.execute(
        sa.update(ReflectionInvitation)
        .where(ReflectionInvitation.id == invitation.id, ReflectionInvitation.used.is_(False))
        .values(used=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        raise AlreadyAnswered
    db.session.refresh(invitation)
    if answer.is_empty:
        return None
    stored = ReflectionAnswer(
        gathering_id=invitation.gathering_id, perspective_group=invitation.perspective_group,
        answered_on=local(now or utcnow()).date(), value=answer.value,
        takeaway=answer.takeaway.strip()[:MAX_ANSWER_LENGTH], suggestion=answer.suggestion.strip()[:MAX_ANSWER_LENGTH],
    )
    db.session.add(stored)
    db.session.flush()
    return stored
