"""Perspectives a participant can register with, the seat groups of `mixed` sessions, and which is which."""
from flask_babel import lazy_gettext as _l

from ..states import States


class Perspective(States):
    CLIENT = "client"
    EXPERIENCE_EXPERT = "experience_expert"
    RELATIVE = "relative"
    PROFESSIONAL = "professional"
    MANAGEMENT = "management"
    OTHER = "other"


class PerspectiveGroup(States):
    """Seats in a `mixed` session are allotted per group (``Gathering.allot_*``)."""

    LIVED = "lived"
    RELATIVES = "relatives"
    PROFESSIONALS = "professionals"


PERSPECTIVES = {
    Perspective.CLIENT: _l("Cliënt"),
    Perspective.EXPERIENCE_EXPERT: _l("Ervaringsdeskundige"),
    Perspective.RELATIVE: _l("Naaste"),
    Perspective.PROFESSIONAL: _l("Hulpverlener"),
    Perspective.MANAGEMENT: _l("Manager, bestuurder of toezichthouder"),
    Perspective.OTHER: _l("Anders: beleid, onderzoek, zorgkantoor, onderwijs ..."),
}
# The form's answer for "zeg ik liever niet"; stored as NULL.
NOT_SAID = "not_said"

GROUP_OF = {
    Perspective.CLIENT: PerspectiveGroup.LIVED,
    Perspective.EXPERIENCE_EXPERT: PerspectiveGroup.LIVED,
    Perspective.RELATIVE: PerspectiveGroup.RELATIVES,
    Perspective.PROFESSIONAL: PerspectiveGroup.PROFESSIONALS,
    Perspective.MANAGEMENT: PerspectiveGroup.PROFESSIONALS,
    Perspective.OTHER: PerspectiveGroup.PROFESSIONALS,
}
GROUP_LABELS = {
    PerspectiveGroup.LIVED: _l("Ervaring als cliënt of ervaringsdeskundige"),
    PerspectiveGroup.RELATIVES: _l("Naasten"),
    PerspectiveGroup.PROFESSIONALS: _l("Hulpverleners en andere professionals"),
}
# The gathering's column (and the organiser form's field) that holds each group's seats.
ALLOTMENT_FIELDS = {
    PerspectiveGroup.LIVED: "allot_lived",
    PerspectiveGroup.RELATIVES: "allot_relatives",
    PerspectiveGroup.PROFESSIONALS: "allot_professionals",
}


def group_of(perspective: str | None) -> PerspectiveGroup | None:
    return GROUP_OF.get(perspective) if perspective else None
