"""A programme for a gathering in one call: a plenary morning and workshop rounds (tests of the API,
calendars and mail: what others read of a programme)."""
from datetime import timedelta

from gatherings.extensions import db
from gatherings.programme.models import ProgrammePart, Workshop, WorkshopChoice
from gatherings.timeutil import utcnow


def make_programme(gathering, rounds=((("Herstel", "Zaal 1", 20), ("Wonen", "Zaal 2", 20)),),
                   plenary="Opening", plenary_last: str | None = None):
    """Parts inside ``gathering``: a plenary hour, then one hour per round of ``(title, room, capacity)``
    workshops (and a closing plenary hour when ``plenary_last`` is given). Returns the parts in order."""
    start = gathering.starts_at
    parts = []
    if plenary:
        parts.append(ProgrammePart(gathering=gathering, kind="plenary", title=plenary, description="Iedereen samen.",
                                   starts_at=start, ends_at=start + timedelta(hours=1)))
    for n, workshops in enumerate(rounds, start=1):
        begins = start + timedelta(hours=n)
        part = ProgrammePart(gathering=gathering, kind="round", title=f"Ronde {n}", starts_at=begins,
                             ends_at=begins + timedelta(hours=1))
        part.workshops = [Workshop(title=title, room=room, capacity=capacity, leader="Begeleider",
                                   description="Praten en doen.") for title, room, capacity in workshops]
        parts.append(part)
    if plenary_last:
        begins = start + timedelta(hours=len(rounds) + 1)
        parts.append(ProgrammePart(gathering=gathering, kind="plenary", title=plenary_last, starts_at=begins,
                                   ends_at=begins + timedelta(hours=1)))
    db.session.add_all(parts)
    db.session.commit()
    return parts


def choose(registration, workshop, status="seated", *, waiting_since=None):
    """Record a choice as the programme's services leave it (for tests that only read choices)."""
    now = utcnow()
    choice = WorkshopChoice(registration=registration, part_id=workshop.part_id, workshop_id=workshop.id,
                            status=status, seated_at=now if status == "seated" else None,
                            waiting_since=(waiting_since or now) if status == "waiting" else None)
    db.session.add(choice)
    db.session.commit()
    return choice
