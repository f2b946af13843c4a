"""Every form with an error summary posts to its own #id and starts with the summary (issue 15, item 1).

After a mistake the page comes back at the form's address, so the browser lands on the form with the
summary at its top, also on a phone and without JavaScript (tests/e2e/test_participant_pages_browser.py
shows it in chromium). This reads the templates, so that a new form cannot forget it.
"""
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "gatherings" / "templates"
SUMMARY = re.compile(r"\{\{\s*error_summary\(")
FORM = re.compile(r"<form\b[^>]*>")


def _with_summary():
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
                  if p.parent.name != "macros" and SUMMARY.search(p.read_text(encoding="utf-8")))


def test_the_templates_are_found():
    assert {"registration/gathering.html", "my/request.html", "alerts/follow.html", "public/index.html",
            "organise/login.html"} <= set(_with_summary())


@pytest.mark.parametrize("name", _with_summary())
def test_the_form_posts_to_its_own_id_and_begins_with_the_summary(name):
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    for summary in SUMMARY.finditer(source):
        forms = [f for f in FORM.finditer(source, 0, summary.start())]
        assert forms, f"{name}: the summary stands outside a form"
        form = forms[-1]
        between = source[form.end():summary.start()]
        assert "</form>" not in between and not between.strip(), f"{name}: the summary is not the form's first child"
        ident = re.search(r'\bid="([\w-]+)"', form.group(0))
        assert ident, f"{name}: the form has no id"
        action = re.search(r'\baction="([^"]*)"', form.group(0))
        assert action and action.group(1).endswith("#" + ident.group(1)), \
            f"{name}: the form's action does not end in #{ident.group(1)}"
