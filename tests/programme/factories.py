"""A programme for a test gathering: a plenary morning and rounds of workshops with the given capacities."""
from datetime import timedelta

from gatherings.extensions import db
from gatherings.programme.models import ProgrammePart, Workshop


def make_programme(gathering, *rounds, optional=(), plenary=True, rooms=True):
    """``rounds``: per round, the capacities of its workshops. ``optional``: indexes of optional rounds.

    Returns the rounds (ProgrammePart, workshops loaded) in time order.
    """
    start = gathering.starts_at
    if plenary:
        db.session.add(ProgrammePart(gathering=gathering, kind="plenary", title="Opening en plenair deel",
                                     starts_at=start, ends_at=start + timedelta(minutes=30)))
    parts = []
    for i, capacities in enumerate(rounds):
        begins = start + timedelta(minutes=30 + 60 * i)
        part = ProgrammePart(gathering=gathering, kind="round", title=f"Ronde {i + 1}", starts_at=begins,
                             ends_at=begins + timedelta(minutes=50), optional=i in optional)
        for j, capacity in enumerate(capacities):
            part.workshops.append(Workshop(title=f"Werkplaats {i + 1}{'ABCDEFGH'[j]}", capacity=capacity,
                                           description="Samen aan de slag.", leader="Ervaringsdeskundige",
                                           room=f"Oost {i + 1}.{j + 1}" if rooms else ""))
        db.session.add(part)
        parts.append(part)
    db.session.commit()
    return parts
