"""Words for codes, in the current language."""
from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "theme": _l("Themabijeenkomst"),
    "national": _l("Landelijke dag"),
    "mixed": _l("Gemengde sessie"),
}

STATUS_LABELS = {
    "draft": _l("Concept"),
    "published": _l("Gepubliceerd"),
    "cancelled": _l("Gaat niet door"),
}
