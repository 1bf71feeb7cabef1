"""Identity documents, ages and age bands: pure functions, no database."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from stdnum.exceptions import ValidationError
from stdnum.pe import cui

from telecenter.domain_errors import DomainError
from telecenter.vocabulary import AGE_BAND_FLOORS, UNKNOWN_AGE

MIN_AGE = 15
MAX_AGE = 110
_CE_PATTERN = re.compile(r"[A-Z0-9]{1,12}")  # matched whole


class InvalidDocument(DomainError):
    """The document number does not have the shape (or check character) of its type."""


def normalise_document(document_type: str, number: str | None) -> str | None:
    """The number as stored: DNI as its 8 digits (check character verified, then dropped)."""
    raw = re.sub(r"[\s.\-]", "", (number or "")).upper()
    if document_type == "none":
        if raw:
            raise InvalidDocument(_("Si no tiene documento, deje el número vacío."))
        return None
    if not raw:
        raise InvalidDocument(_("Escriba el número de documento."))
    if document_type == "dni":
        return _normalise_dni(raw)
    if document_type == "ce":
        if not _CE_PATTERN.fullmatch(raw):
            raise InvalidDocument(
                _("El carné de extranjería tiene hasta 12 letras o números, sin espacios.")
            )
        return raw
    raise InvalidDocument(_("Tipo de documento desconocido."))


def _normalise_dni(raw: str) -> str:
    if not re.fullmatch(r"[0-9]{8}[0-9A-K]?", raw):
        raise InvalidDocument(_("El DNI tiene 8 números (y a veces un dígito de verificación)."))
    if len(raw) == 9:
        try:
            cui.validate(raw)
        except ValidationError:
            raise InvalidDocument(
                _("El dígito de verificación del DNI no corresponde. Revise el número.")
            ) from None
    return raw[:8]


def age_on(on: date, *, birth_date: date | None, birth_year: int | None) -> int | None:
    """Age in whole years; with only a birth year, the birthday is taken to be 1 July."""
    if birth_date is not None:
        return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if birth_year is not None:
        return on.year - birth_year - ((on.month, on.day) < (7, 1))
    return None


def age_band(age: int | None) -> str:
    if age is None:
        return UNKNOWN_AGE
    for lower, band in reversed(AGE_BAND_FLOORS):  # oldest first: the first match wins
        if age >= lower:
            return band
    return UNKNOWN_AGE


def check_birth(today: date, *, birth_date: date | None, birth_year: int | None) -> str | None:
    """An error message for an impossible or out-of-programme birth, else None."""
    if birth_date is not None and birth_date > today:
        return _("La fecha de nacimiento no puede estar en el futuro.")
    if birth_year is not None and birth_year > today.year:
        return _("El año de nacimiento no puede estar en el futuro.")
    age = age_on(today, birth_date=birth_date, birth_year=birth_year)
    if age is None:  # neither a date nor a year
        return None
    if age > MAX_AGE:
        return _("La persona tendría más de %(n)d años. Revise la fecha.", n=MAX_AGE)
    if age < MIN_AGE:
        return _("El programa es para personas de %(n)d años o más.", n=MIN_AGE)
    return None


def normalise_search_document(word: str) -> str | None:
    """A DNI typed with its check character or dots is searched as its 8 digits."""
    raw = re.sub(r"[\s.\-]", "", word).upper()
    if re.fullmatch(r"[0-9]{8}[0-9A-K]", raw):
        return raw[:8]
    return None
