"""The Dutch that participants read stays plain (B1), as far as a machine can check it.

No official B1 word list is available offline, so this is the nearest honest check: every
word of every message on the participant pages and in the participant mails must be a
common Dutch word, and no sentence may run over MAX_WORDS words.

"Common" means a Zipf frequency of at least 3.0 in wordfreq's Dutch list: the word occurs
at least once per million words of ordinary Dutch text (subtitles, news, web). That is
roughly the 20,000-30,000 most frequent word forms, which is about the size of an
active B1 vocabulary counted in inflected forms ("kiest", "gaf"). A lower threshold lets
jargon through; a higher one flags ordinary inflections ("ingevuld" is 3.9). A word that
fails and must stay goes in ALLOWED with the reason it stays; everything else gets a
plainer word in the source text.

The messages come from the sources themselves (Babel's extractors, like `make extract`),
not from the catalogue, so a new text is checked the moment it is written. Organiser pages
(organise_*, attendance/, organiser mails) are left out: their readers are staff.
"""
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

wordfreq = pytest.importorskip("wordfreq")

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gatherings"
TEMPLATES = PACKAGE / "templates"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

MIN_ZIPF = 3.0
MAX_WORDS = 20

# Directories of templates participants see (pages and mails); organiser templates in them are skipped.
PARTICIPANT_DIRS = ("registration", "public", "my", "alerts", "reflection", "certificates",
                    "calendar", "mail", "errors")
# programme/: only the partials on participant pages (timetable, own choices, the round questions
# in the registration form); _dashboard_rounds and _organise_link are on organiser pages.
PROGRAMME_PARTIALS = ("_own.html", "_timetable.html", "_round_fields.html")
# Python modules whose messages participants see: form labels and errors, refusals.
PARTICIPANT_MODULES = ("registration/forms.py", "registration/services.py", "alerts/forms.py",
                       "my/forms.py", "reflection/forms.py", "validators.py")
ORGANISER_PAGES = ("organise", "organiser")  # file name prefixes
ORGANISER_TEMPLATES = {"reflection/overview.html"}  # extends attendance/base.html

# Words below the threshold that stay, each with why. Lower case, as the check compares them.
ALLOWED = {
    # Names
    "gatherings": "the product's name",
    "calendar": "Google Calendar, the name of the app in the how-to",
    "skj": "name of a Dutch professional register (SKJ), given as an example the reader knows",
    # Words of the movement and its participants, explained where they are used
    "ervaringsdeskundigen": "the movement's own word for its people; participants use it of themselves",
    "registratienummer": "the word on the professional's own BIG/SKJ card; explained by the example next to it",
    # Compounds of two common words that B1 readers build themselves
    "aanmeldformulier": "aanmelden + formulier, both common; the form the reader is looking at",
    "aanmeldpagina": "aanmelden + pagina, both common; the link is right after it",
    "rolstoelplek": "rolstoel + plek, both common; the most concrete example of a need",
    "webadres": "web + adres; explained on the page as 'het adres dat begint met https'",
    "plusteken": "plus + teken; names the + button the reader must click",
    "hoofdmenu": "only read by screen readers (aria-label), where 'hoofdmenu' is the usual word",
    # Inflections of common verbs: the infinitive is common, the form is just rare in writing
    "annuleer": "imperative of 'annuleren' (3.6), the word on the button and in the mails",
    "kopieer": "imperative of 'kopiëren'; the word the phone and computer show",
    "abonneer": "the literal label of the button on iPhone/iPad that the reader must tap",
    "wijzig": "imperative of 'wijzigen', the verb the whole site uses for changing a registration",
    "meekomt": "form of 'meekomen', everyday spoken Dutch",
    "invult": "form of 'invullen' (ingevuld is 3.9), the verb of every form",
    "getypt": "past participle of 'typen'; what the reader did",
    # Words about typing that the error must name
    "spaties": "the error lists what may be typed; 'spatie' is the name of the key",
    "tabs": "the error names the key (Tab) that causes it",
}

TAG = re.compile(r"<[^>]+>")
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sd]")
ADDRESS = re.compile(r"\S+@\S+|https?://\S+")
WORD = re.compile(r"[^\W\d_]+")
# A sentence ends at . ! ? or : followed by space (a label "Naam:" ends a sentence too).
SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")


def _sources() -> list[Path]:
    files = []
    for name in PARTICIPANT_DIRS:
        for path in sorted((TEMPLATES / name).iterdir()):
            if (path.is_file() and not path.name.startswith(ORGANISER_PAGES)
                    and f"{name}/{path.name}" not in ORGANISER_TEMPLATES):
                files.append(path)
    files += [TEMPLATES / "programme" / name for name in PROGRAMME_PARTIALS]
    files.append(TEMPLATES / "base.html")
    files += [PACKAGE / name for name in PARTICIPANT_MODULES]
    return files


def _messages() -> dict[str, str]:
    """Every msgid (singular and plural) with the first place it occurs."""
    found: dict[str, str] = {}
    for path in _sources():
        method = "python" if path.suffix == ".py" else "jinja2"
        options = {} if method == "python" else {"extensions": "jinja2.ext.do", "silent": "false"}
        for lineno, message, _comments, _context in extract_from_file(
                method, str(path), keywords=KEYWORDS, options=options):
            for text in message if isinstance(message, tuple) else (message,):
                if text:
                    found.setdefault(text, f"{path.relative_to(ROOT)}:{lineno}")
    return found


def _plain(text: str) -> str:
    """The text as read: no markup, placeholders or addresses (those are not words to look up)."""
    return ADDRESS.sub(" ", PLACEHOLDER.sub(" ", TAG.sub(" ", text)))


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(_plain(text))]


@pytest.fixture(scope="module")
def messages():
    found = _messages()
    assert len(found) > 300, "the extraction found almost nothing: did a directory move?"
    return found


def test_every_word_is_common_dutch_or_allowed_with_a_reason(messages):
    rare: dict[str, list[str]] = {}
    for text, where in messages.items():
        for word in _words(text):
            if word not in ALLOWED and wordfreq.zipf_frequency(word, "nl") < MIN_ZIPF:
                rare.setdefault(word, []).append(where)
    assert not rare, "Rare words; use a plainer word, or allow it with a reason:\n" + "\n".join(
        f"  {w} (zipf {wordfreq.zipf_frequency(w, 'nl'):.1f}) at {', '.join(places[:3])}"
        for w, places in sorted(rare.items()))


def test_no_sentence_is_too_long(messages):
    long = []
    for text, where in messages.items():
        for sentence in SENTENCE_END.split(_plain(text)):
            if len(WORD.findall(sentence)) > MAX_WORDS:
                long.append(f"  {where}: {sentence.strip()}")
    assert not long, f"Sentences over {MAX_WORDS} words; split them:\n" + "\n".join(long)


def test_every_allowed_word_is_still_needed(messages):
    """An allowed word that no longer occurs, or that became common, goes off the list."""
    used = {word for text in messages for word in _words(text)}
    stale = sorted(w for w in ALLOWED if w not in used or wordfreq.zipf_frequency(w, "nl") >= MIN_ZIPF)
    assert not stale, f"Allowed but not needed: {stale}"


def test_the_check_catches_a_rare_word():
    """The check itself can fail: jargon scores under the threshold, plain words over it."""
    assert wordfreq.zipf_frequency("stuurteken", "nl") < MIN_ZIPF
    assert wordfreq.zipf_frequency("aanmelding", "nl") >= MIN_ZIPF
    assert _words("Klik <a href='%(url)s'>hier</a>, %(name)s: mail@example.org") == ["klik", "hier"]
