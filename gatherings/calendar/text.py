"""Organisers' and visitors' text made fit for iCalendar property values.

Every value built from such text goes through here before icalendar writes it
(icalendar escapes ``, ; \\`` and line breaks in TEXT values; it does not remove
the control characters RFC 5545 forbids, and writes NAME and X-WR-CALNAME raw).
"""
from __future__ import annotations

import re

# Line breaks as people and browsers type them, also the Unicode ones.
_LINE_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# The rest of C0 (tab too: clients show it differently), DEL and C1.
_CONTROLS = re.compile("[\x00-\x09\x0e-\x1f\x7f-\x9f]")
# Clients disagree about escapes in names and categories: Outlook is reported to
# break on an escaped comma in CATEGORIES, the strict `ical` parser splits at it,
# vobject cuts NAME at it, ical.js shows the backslash. So these characters stay out.
_LIST_SEPARATORS = re.compile(r"\s*[,;]\s*")


def text(value: str | None, *, multiline: bool = False) -> str:
    """A TEXT value (SUMMARY, LOCATION, DESCRIPTION): no control characters.

    ``multiline`` keeps line breaks (as newlines, which icalendar escapes);
    otherwise they become spaces and the value is one line.
    """
    value = _CONTROLS.sub(" ", _LINE_BREAKS.sub("\n", value or ""))
    if multiline:
        return "\n".join(" ".join(line.split()) for line in value.split("\n")).strip()
    return " ".join(value.split())


def name(value: str | None) -> str:
    """A calendar's NAME / X-WR-CALNAME or one CATEGORIES value: one line without
    ``, ; \\`` (replaced by a dash and a slash), so that no parser needs an escape."""
    value = _LIST_SEPARATORS.sub(" – ", text(value)).replace("\\", "/")
    return " ".join(value.split())
