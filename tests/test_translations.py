"""The English catalog is complete: every Dutch msgid in the code has an English msgstr.

The messages come from a fresh extraction of the sources with the same babel.cfg and
keywords as `make extract`, not from the committed .pot, so a string added later
without running `make extract` and translating it fails here with a list of what is missing.
The pages themselves are checked in both languages too (the .mo files are compiled by
`make test` / `make translations`; this file compiles nothing).
"""
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.util import pathmatch
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from .htmlpage import Page

ROOT = Path(__file__).resolve().parent.parent
EN_PO = ROOT / "gatherings" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# The same keywords as the Makefile's extract target (`-k _l -k lazy_gettext` on top of Babel's defaults).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
# %(name)s, %(num)d ... and also a bare %s or %d, which would not survive reordering.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _extract() -> Catalog:
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    catalog = Catalog(locale="nl")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _english() -> Catalog:
    with open(EN_PO, "rb") as fh:
        return read_po(fh, locale="en")


def _where(message) -> str:
    return ", ".join(f"{f}:{n}" for f, n in message.locations[:2])


def _forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


def _ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text.replace("%%", "")))


@pytest.fixture(scope="module")
def extracted():
    catalog = _extract()
    messages = [m for m in catalog if m.id]
    assert len(messages) > 200, "the extraction found almost nothing: is babel.cfg still right?"
    return messages


@pytest.fixture(scope="module")
def english():
    return _english()


def test_the_extraction_reads_every_template_and_module():
    """A template or module that babel.cfg does not match would hide its messages from the test below:
    every file under gatherings/templates (pages and mail, .html and .txt) and every module is read."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, _options = parse_mapping_cfg(fh)
    package = ROOT / "gatherings"
    files = [p for p in (package / "templates").rglob("*") if p.is_file()]
    files += [p for p in package.rglob("*.py") if "migrations" not in p.parts]
    assert any(p.match("*.txt") for p in files) and any(p.match("mail/*.html") for p in files)
    unread = [str(p.relative_to(ROOT)) for p in files
              if not any(pathmatch(pattern, p.relative_to(ROOT).as_posix()) for pattern, _method in method_map)]
    assert unread == [], f"not read by babel.cfg (their messages are never checked): {unread}"


def test_every_message_in_the_code_has_an_english_translation(extracted, english):
    missing = []
    for message in extracted:
        translated = english.get(message.id, message.context)
        if translated is None:
            missing.append(f"{_where(message)}: {message.id!r} (not in the catalog: run `make extract`)")
        elif not all(form.strip() for form in _forms(translated)):
            missing.append(f"{_where(message)}: {message.id!r} (no English msgstr)")
        elif translated.fuzzy:
            missing.append(f"{_where(message)}: {message.id!r} (still marked fuzzy)")
    if english.fuzzy:
        missing.append("the header of the English catalog is marked fuzzy")
    assert not missing, (
        f"{len(missing)} message(s) without English; run `make extract` and translate them in {EN_PO.relative_to(ROOT)}:\n"
        + "\n".join(missing))


def test_placeholders_are_the_same_in_dutch_and_english(extracted, english):
    wrong = []
    for message in extracted:
        translated = english.get(message.id, message.context)
        if translated is None:
            continue  # reported by the test above
        ids = _ids(message)
        for index, form in enumerate(_forms(translated)):
            if not form:
                continue
            source = ids[min(index, len(ids) - 1)]  # msgstr[0] follows msgid, the others msgid_plural
            if _placeholders(form) != _placeholders(source):
                wrong.append(f"{_where(message)}: {source!r} has {_placeholders(source)}, "
                             f"the English {form!r} has {_placeholders(form)}")
                continue
            # A stray % in the English breaks formatting where the Dutch works (Jinja formats every string).
            names = {name: 1 for name in PLACEHOLDER.findall(source) if name}
            try:
                source % names
            except (TypeError, ValueError, KeyError):
                continue  # the Dutch is not a format string either
            try:
                form % names
            except (TypeError, ValueError, KeyError) as error:
                wrong.append(f"{_where(message)}: the English {form!r} cannot be formatted ({error})")
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_home_page_in_english_with_accept_language_en(client):
    page = Page(client.get("/", headers={"Accept-Language": "en"}).text)
    assert page.find("html").get("lang") == "en"
    assert page.find("h1").text == "Gatherings"
    assert "Everyone is welcome" in page.text
    assert "Show gatherings" in page.text
    assert "Iedereen is welkom" not in page.text


@pytest.mark.parametrize("accept", ["nl", "nl-NL,nl;q=0.9,en;q=0.5", None])
def test_home_page_in_dutch_with_nl_or_no_preference(client, accept):
    headers = {"Accept-Language": accept} if accept else {}
    page = Page(client.get("/", headers=headers).text)
    assert page.find("html").get("lang") == "nl"
    assert page.find("h1").text == "Bijeenkomsten"
    assert "Iedereen is welkom" in page.text
    assert "Toon bijeenkomsten" in page.text
    assert "Everyone is welcome" not in page.text


def test_templates_follow_a_forced_language_inside_an_english_request(app):
    """Mail is Dutch also when the visitor browses in English (gatherings/i18n.py keeps the catalogue per language)."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = '{{ _("Bijeenkomsten") }} {{ when(start, end) }}'
    from datetime import datetime, timezone
    start = datetime(2027, 2, 2, 12, 30, tzinfo=timezone.utc)
    end = datetime(2027, 2, 2, 15, 0, tzinfo=timezone.utc)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(template, start=start, end=end).startswith("Gatherings Tuesday 2 February 2027")
        with force_locale("nl"):
            assert render_template_string(template, start=start, end=end) == \
                "Bijeenkomsten dinsdag 2 februari 2027, 13:30 – 16:00"
        assert render_template_string(template, start=start, end=end).startswith("Gatherings Tuesday")


def test_a_page_in_the_readers_language_says_it_varies_with_the_language(client):
    answer = client.get("/", headers={"Accept-Language": "en"})
    assert answer.status_code == 200 and 'lang="en"' in answer.text
    assert {"accept-language", "cookie"} <= {v.lower() for v in answer.vary}
