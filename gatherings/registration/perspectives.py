"""Perspectives a participant can register with, and the seat groups of `mixed` sessions."""
from flask_babel import lazy_gettext as _l

PERSPECTIVES = {
    "client": _l("Cliënt"),
    "experience_expert": _l("Ervaringsdeskundige"),
    "relative": _l("Naaste"),
    "professional": _l("Hulpverlener"),
    "management": _l("Manager, bestuurder of toezichthouder"),
    "other": _l("Anders: beleid, onderzoek, zorgkantoor, onderwijs ..."),
}
# The form's answer for "zeg ik liever niet"; stored as NULL.
NOT_SAID = "not_said"

GROUP_OF = {
    "client": "lived",
    "experience_expert": "lived",
    "relative": "relatives",
    "professional": "professionals",
    "management": "professionals",
    "other": "professionals",
}
GROUP_LABELS = {
    "lived": _l("Ervaring als cliënt of ervaringsdeskundige"),
    "relatives": _l("Naasten"),
    "professionals": _l("Hulpverleners en andere professionals"),
}


def group_of(perspective: str | None) -> str | None:
    return GROUP_OF.get(perspective) if perspective else None
