"""The one way a header of an outgoing message gets its text from what someone typed.

Names, subjects and addresses come from visitors and organisers. Python's
``email`` package decodes RFC 2047 encoded words (``=?utf-8?q?...=0D=0A...?=``)
while it folds a header and writes what they hold as it is, so a name that
*encodes* a line break still adds headers (CPython gh-121650). Every header
value therefore goes through ``header_text`` first: encoded words are decoded
(repeatedly, they can be nested), and every control character, line or
paragraph separator and direction override is taken out *after* decoding, so
nothing is left that a parser could turn into a new line. The header registry
(``Address``, ``EmailMessage``) then encodes and folds the clean text.
"""
from __future__ import annotations

import re
import unicodedata
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, default

# The shape of an RFC 2047 encoded word, as loosely as decoders accept it.
_ENCODED_WORD = re.compile(r"=\?[^?]*\?[qQbB]\?.*?\?=", re.DOTALL)
# Characters that change the direction of the text: they can make a name look like another one.
_DIRECTION = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_NESTING = 4


# CR, LF, TAB, NEL, every other C0/C1 control, U+2028, U+2029 and all other whitespace: a word break at most.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]+")
# Lone surrogates (cannot be encoded) and direction controls: left out.
_DROPPED = re.compile("[\ud800-\udfff" + "".join(sorted(_DIRECTION)) + "]")


def _without_controls(text: str) -> str:
    return _DROPPED.sub("", _BREAKS.sub(" ", text))


def _decoded(text: str) -> str:
    """The text the encoded words in ``text`` stand for; an encoded word that cannot be decoded is left out."""
    for _ in range(_NESTING):
        if not _ENCODED_WORD.search(text):
            return text
        try:
            text = str(make_header(decode_header(text)))
        except (HeaderParseError, LookupError, UnicodeError, ValueError):
            return _ENCODED_WORD.sub(" ", text)
    return _ENCODED_WORD.sub(" ", text)  # nested deeper than anyone honest would


def header_text(value: str | None, limit: int = 200) -> str:
    """``value`` as one line of plain text, safe to put in any header, at most ``limit`` characters.

    Whitespace is collapsed to single spaces. What remains can be encoded and
    folded by the ``email`` package, but never read back as a line break or an
    encoded word: a leftover ``=?`` is broken up.
    """
    value = value or ""
    if value.isascii() and value.isprintable() and "=?" not in value:  # the common case, quickly
        return " ".join(value.split())[:limit].rstrip()
    text = _without_controls(_decoded(_without_controls(value)))
    text = " ".join(text.replace("=?", "= ?").split())
    return text[:limit].rstrip()


def mailbox(name: str | None, address: str, header: str = "To") -> Address:
    """A From/To/Reply-To mailbox: a cleaned display name and an address that must already be clean.

    An address with a control character or without the shape ``user@domain`` is refused
    (``ValueError``): it cannot be repaired without guessing where the mail should go.

    The display name is checked by writing the header and reading it back:
    Python 3.11 folds a long *quoted* name (one with a comma, full stop, colon
    ...) wrongly, its quotes lost, so that "Jansen, P." repeated reads as many
    recipients. Such a name loses its punctuation (never its words): a name
    without specials is folded correctly. The check costs a fraction of a millisecond.
    """
    address = address or ""
    if not address or any(unicodedata.category(c) in ("Cc", "Zl", "Zp") or c.isspace() for c in address):
        raise ValueError(f"not a usable address: {address!r}")
    username, at, domain = address.rpartition("@")
    if not at or not username or not domain:
        raise ValueError(f"not a usable address: {address!r}")
    name = header_text(name)
    for candidate in (name, " ".join(_SPECIALS.sub(" ", name).split())):
        box = Address(display_name=candidate, username=username, domain=domain)
        if _reads_back(header, box):
            return box
    return Address(username=username, domain=domain)


# Characters that make a display name a quoted string (RFC 5322 specials).
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')


def _reads_back(header: str, box: Address) -> bool:
    """Does a mail client reading ``header: box`` as written find exactly this one mailbox?"""
    written = str(box)
    if written.isascii() and len(header) + 2 + len(written) <= SMTP.max_line_length:
        return True  # one short line: nothing is folded, nothing can go wrong
    probe = EmailMessage(policy=SMTP)
    probe[header] = box
    read = message_from_bytes(probe.as_bytes(), policy=default)[header].addresses
    return (len(read) == 1 and read[0].addr_spec == box.addr_spec
            and "".join(read[0].display_name.split()) == "".join(box.display_name.split()))
