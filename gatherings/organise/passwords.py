"""What makes an organiser's password acceptable: long enough, and not easy to guess.

"Easy to guess" is zxcvbn's estimate (the Dropbox estimator: the commonest
passwords, words, names, keyboard rows, repeats, sequences and dates). We ask
for a score of 3 ("safely unguessable" against online guessing, and slow
against an offline attack on scrypt hashes). The account's own address and
name count as known to an attacker: a password made of them plus a little more
(``piet@voorbeeld.nl``, ``pietjansen2024``) is refused with a message of its own.
"""
from __future__ import annotations

import re
import threading

from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_PASSWORD = 10
MAX_PASSWORD = 200
MIN_SCORE = 3
# zxcvbn refuses to estimate longer input (its matching grows fast with length);
# a password whose first 72 characters are strong is strong.
_ESTIMATED_LENGTH = 72
# Words anyone guessing at this site tries first.
SITE_WORDS = ("gatherings", "wachtwoord", "welkom", "organisator", "organiseren", "bijeenkomst",
              "beheerder", "ggz", "aanmelden")
# zxcvbn keeps the user inputs of the call in a module-level dictionary: two
# threads estimating at once could each see the other's address.
_estimate_lock = threading.Lock()


def _personal_words(email: str, name: str) -> set[str]:
    """The address, its parts and the name's parts, lower-case (as zxcvbn compares them)."""
    email = (email or "").strip().lower()
    name = (name or "").strip().lower()
    words = {email, name, name.replace(" ", "")}
    words.update(re.split(r"[^\w]+", email))
    words.update(re.split(r"[^\w]+", name))
    return {word for word in words if len(word) >= 3}


def _estimate(password: str, user_inputs: list[str]) -> dict:
    with _estimate_lock:
        return zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=user_inputs)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """A Dutch sentence saying what is wrong with ``password`` for the account of ``email``/``name``, or None."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return _("Kies een wachtwoord van minstens %(num)d tekens.", num=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return _("Een wachtwoord mag hoogstens %(num)d tekens lang zijn.", num=MAX_PASSWORD)
    personal = _personal_words(email, name)
    estimate = _estimate(password, sorted(personal) + list(SITE_WORDS))
    own = [match for match in estimate["sequence"]
           if match.get("dictionary_name") == "user_inputs" and match.get("matched_word") in personal]
    if own:
        # What is left once the address and name are taken out must be strong on its own.
        taken = {i for match in own for i in range(match["i"], match["j"] + 1)}
        rest = "".join(char for i, char in enumerate(password[:_ESTIMATED_LENGTH]) if i not in taken)
        if not rest or _estimate(rest, list(SITE_WORDS))["score"] < MIN_SCORE:
            return _("Maak uw wachtwoord niet van uw e-mailadres of naam: die zijn makkelijk te raden.")
    if estimate["score"] < MIN_SCORE:
        return _("Dit wachtwoord is te makkelijk te raden. Neem bijvoorbeeld vier losse woorden achter elkaar.")
    return None
