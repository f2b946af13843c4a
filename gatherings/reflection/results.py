"""What the reflections say, per gathering and across gatherings, without pointing at anyone.

A group's average (and its count) is shown only where the group gave at least
``min_cell()`` (default 5) answers; the written answers come in random order,
with their group only where that group reached the same number. A single
written answer of the one relative at a session cannot then be read as theirs.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..attendance.period import period_bounds
from ..attendance.small_counts import min_cell
from ..catalogue.labels import KIND_LABELS
from ..catalogue.models import Gathering, GatheringKind, Theme
from ..extensions import db
from ..registration.perspectives import GROUP_LABELS
from .models import ReflectionAnswer, ReflectionGroup, ReflectionInvitation

GROUPS = list(ReflectionGroup)
LABELS = {**{ReflectionGroup(k): v for k, v in GROUP_LABELS.items()}, ReflectionGroup.UNKNOWN: _l("Onbekend")}


@dataclass
class GroupResult:
    group: ReflectionGroup
    answers: int
    average: float | None  # None: no value given, or hidden
    shown: bool

    @property
    def label(self):
        return LABELS[self.group]


@dataclass
class WrittenAnswer:
    question: str  # "takeaway" or "suggestion"
    text: str
    group: ReflectionGroup | None  # None: the group gave fewer than min_cell() answers

    @property
    def group_label(self):
        return LABELS[self.group] if self.group else None


@dataclass
class Results:
    invitations: int
    answers: int
    groups: list[GroupResult]
    minimum: int
    written: list[WrittenAnswer] = field(default_factory=list)

    @property
    def shown_groups(self) -> list[GroupResult]:
        return [g for g in self.groups if g.shown]


def _group_results(answer_filter, minimum: int) -> list[GroupResult]:
    rows = {group: (count, average) for group, count, average in db.session.execute(
        sa.select(ReflectionAnswer.perspective_group, sa.func.count(ReflectionAnswer.id),
                  sa.func.avg(ReflectionAnswer.value))
        .where(answer_filter).group_by(ReflectionAnswer.perspective_group))}
    results = []
    for group in GROUPS:
        count, average = rows.get(group.value, (0, None))
        shown = count >= minimum
        results.append(GroupResult(group, count if shown else 0,
                                   round(float(average), 1) if shown and average is not None else None, shown))
    return results


def gathering_results(gathering: Gathering, *, rng: random.Random | None = None) -> Results:
    minimum = min_cell()
    answer_filter = ReflectionAnswer.gathering_id == gathering.id
    invitations = db.session.scalar(sa.select(sa.func.count()).select_from(ReflectionInvitation).where(
        ReflectionInvitation.gathering_id == gathering.id)) or 0
    answers = db.session.scalar(sa.select(sa.func.count()).select_from(ReflectionAnswer).where(answer_filter)) or 0
    groups = _group_results(answer_filter, minimum)
    named = {g.group.value for g in groups if g.shown}
    written = []
    for group, takeaway, suggestion in db.session.execute(
            sa.select(ReflectionAnswer.perspective_group, ReflectionAnswer.takeaway, ReflectionAnswer.suggestion)
            .where(answer_filter)):
        shown_group = ReflectionGroup(group) if group in named else None
        if takeaway:
            written.append(WrittenAnswer("takeaway", takeaway, shown_group))
        if suggestion:
            written.append(WrittenAnswer("suggestion", suggestion, shown_group))
    # Random order, new on every view: the order of answering (and so of who answered when) is not kept.
    (rng or random.SystemRandom()).shuffle(written)
    return Results(invitations, answers, groups, minimum, written)


# -- across gatherings (admins) ---------------------------------------------------------

@dataclass
class OverviewRow:
    code: str
    label: object
    gatherings: int
    invitations: int
    answers: int
    groups: list[GroupResult]


@dataclass
class Overview:
    start: date
    end: date  # inclusive
    minimum: int
    by_theme: list[OverviewRow]
    by_kind: list[OverviewRow]
    overall: OverviewRow


def overview(start: date, end: date) -> Overview:
    """Per theme and per kind: gatherings that started in the period, their invitations, answers and averages."""
    minimum = min_cell()
    lower, upper = period_bounds(start, end)
    in_period = sa.and_(Gathering.status == "published", Gathering.starts_at >= lower, Gathering.starts_at < upper)

    def row(code, label, condition) -> OverviewRow:
        ids = sa.select(Gathering.id).where(in_period, condition)
        gatherings = db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery())) or 0
        invitations = db.session.scalar(sa.select(sa.func.count()).select_from(ReflectionInvitation).where(
            ReflectionInvitation.gathering_id.in_(ids))) or 0
        answers = db.session.scalar(sa.select(sa.func.count()).select_from(ReflectionAnswer).where(
            ReflectionAnswer.gathering_id.in_(ids))) or 0
        return OverviewRow(code, label, gatherings, invitations, answers,
                           _group_results(ReflectionAnswer.gathering_id.in_(ids), minimum))

    themes = db.session.execute(sa.select(Theme.id, Theme.name).order_by(Theme.name)).all()
    by_theme = [row(str(t.id), t.name, Gathering.theme_id == t.id) for t in themes]
    by_theme.append(row("none", _l("Geen thema"), Gathering.theme_id.is_(None)))
    by_kind = [row(kind, KIND_LABELS[kind], Gathering.kind == kind) for kind in GatheringKind]
    return Overview(start, end, minimum, by_theme, by_kind, row("all", _l("Alle bijeenkomsten"), sa.true()))
