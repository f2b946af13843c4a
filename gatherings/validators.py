"""Form checks every area uses, with Dutch messages at the field.

- ``Filled``: required, and more than spaces (WTForms' InputRequired looks at what was sent before
  the strip filter ran, so a name of only spaces was stored empty);
- ``PlainText``: no control characters. A name, title or subject ends up in mail headers, calendar
  properties and spreadsheets, where a CR/LF or another control character changes what the rest
  means; nobody types one on purpose. Multi-line fields may hold line breaks and tabs;
- ``Ticked``: a checkbox counts as ticked only with the value the checkbox sends (``y``), so
  ``consent=false`` is no consent;
- ``NotOnlyDigits``: an address part (slug) of only digits would be read as an id.
"""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, StopValidation, ValidationError

# What WTForms' BooleanField renders as the checkbox's value.
CHECKBOX_VALUE = "y"
# Allowed in multi-line text: what a textarea sends for its line breaks, and a pasted tab.
_LINE_BREAKS = frozenset("\r\n\t")


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The control characters in ``text``: C0, DEL, C1, and the Unicode line and paragraph separators."""
    allowed = _LINE_BREAKS if multiline else frozenset()
    return [char for char in text
            if char not in allowed and unicodedata.category(char) in ("Cc", "Zl", "Zp")]


class Filled(DataRequired):
    """Required, and not only spaces (the field's strip filter has run: ``data`` is what is stored)."""


class PlainText:
    def __init__(self, *, multiline: bool = False, message=None):
        self.multiline = multiline
        self.message = message

    def __call__(self, form, field):
        if not isinstance(field.data, str) or not control_characters(field.data, multiline=self.multiline):
            return
        if self.message is not None:
            raise ValidationError(self.message)
        if self.multiline:
            raise ValidationError(_l("Hier staat een onzichtbaar teken in. Typ de tekst opnieuw "
                                     "of plak hem zonder opmaak."))
        raise ValidationError(_l("Dit moet op één regel passen, zonder tabs of andere onzichtbare tekens."))


class Ticked:
    """The checkbox was ticked: every value sent is the checkbox's own."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        sent = field.raw_data or []
        if not sent or any(value != CHECKBOX_VALUE for value in sent):
            field.data = False
            field.errors[:] = []
            raise StopValidation(self.message)


class NotOnlyDigits:
    def __call__(self, form, field):
        if isinstance(field.data, str) and field.data.isdigit():
            raise ValidationError(_l("Een webadres van alleen cijfers kan niet: het zou als nummer gelezen "
                                     "worden. Voeg een woord toe, bijvoorbeeld bijeenkomst-%(digits)s.",
                                     digits=field.data[:20]))
