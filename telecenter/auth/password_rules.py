"""Staff passwords that are guessed first are refused: common ones and trivial patterns.

The list (telecenter/data/common-passwords.txt) holds common words and passwords, digit and
letter sequences, keyboard walks and repeated characters; digits and signs around a listed word
("peru2026", "Password1!") do not make it safer, so they are ignored when comparing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
#: Fewer different characters than this is a pattern, not a password ("abababab").
MIN_DISTINCT_CHARACTERS = 4


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def guessable_message() -> str:
    return _(
        "Esa contraseña es muy fácil de adivinar: es común, sigue un patrón (como 12345678) "
        "o repite el usuario o el nombre del telecentro. Elija otra, por ejemplo tres palabras "
        "que usted recuerde."
    )


def _letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _core(text: str) -> str:
    """The text without the digits and signs before and after it: "Peru2026!" is "peru"."""
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text.lower())


def _personal_forms(words: tuple[str, ...]) -> set[str]:
    """Each personal word whole and word by word, ignoring accents' absence."""
    forms: set[str] = set()
    for word in words:
        for part in [word, *re.split(r"[\W_]+", word)]:
            compact = _letters_and_digits(part)
            if len(compact) >= 3:
                forms |= {compact, _without_accents(compact)}
    return forms


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def is_guessable(password: str, *, personal_words: tuple[str, ...] = ()) -> bool:
    """Whether the password is common, a trivial pattern, or the account's or telecenter's
    own name (with or without digits around it)."""
    lowered = password.strip().lower()
    core = _core(lowered)
    common = common_passwords()
    if lowered in common or core in common or _without_accents(core) in common:
        return True
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS or lowered.isdigit():
        return True
    personal = _personal_forms(personal_words)
    return bool({_letters_and_digits(lowered), _letters_and_digits(core)} & personal)
