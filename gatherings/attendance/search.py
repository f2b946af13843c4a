"""Searching registrations by name, address or organisation, the same way on every database."""
from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower case without accents, so 'desiree' finds 'Désirée' on every database."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_terms(query: str | None) -> list[str]:
    return fold((query or "")[:100]).split()


def matches_search(terms: list[str], *fields: str | None) -> bool:
    haystack = " ".join(fold(f) for f in fields if f)
    return all(term in haystack for term in terms)
