"""Registry rules: validating, registering, finding, correcting participants."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter import audit, codes
from telecenter.auth.models import User
from telecenter.domain_errors import DomainError
from telecenter.participants import choices, districts, identity
from telecenter.participants.consent_text import (
    CONSENT_VERSION,
    FINANCIAL_INCLUSION_PURPOSE,
    REGISTRATION_PURPOSE,
)
from telecenter.participants.models import Consent, Participant
from telecenter.vocabulary import SEXES

log = logging.getLogger(__name__)

CODE_LENGTH = 6
PAGE_SIZE = 25


class RegistryError(DomainError):
    """Input that cannot be saved; `errors` maps field names to messages."""


class LikelyDuplicate(DomainError):
    """Someone with the same names and birth already exists; the trainer must confirm."""

    def __init__(self, matches: list[Participant]):
        self.matches = matches
        super().__init__()


@dataclass
class ParticipantData:
    """What a registration or correction says about a person, before it is stored."""

    given_names: str
    surnames: str
    sex: str
    document_type: str = "none"
    document_number: str | None = None
    birth_date: date | None = None
    birth_year: int | None = None
    district_ubigeo: str | None = None
    community: str | None = None
    phone: str | None = None
    mother_tongue: str | None = None
    schooling: str | None = None
    occupation: str | None = None
    association_member: bool | None = None
    head_of_household: bool | None = None


@dataclass
class ConsentData:
    given: bool
    guardian_name: str | None = None
    financial_inclusion: bool = False


PERSONAL_FIELDS = tuple(f.name for f in fields(ParticipantData))


def fold(text: str | None) -> str:
    """Lower-case and strip accents, so 'María' is found by 'maria'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def _clean(data: ParticipantData) -> ParticipantData:
    cleaned = ParticipantData(**asdict(data))
    for name in ("given_names", "surnames", "community", "phone"):
        value = getattr(cleaned, name)
        setattr(cleaned, name, " ".join(value.split()) if value else None)
    if cleaned.birth_date is not None:
        cleaned.birth_year = cleaned.birth_date.year
    return cleaned


def _check_choice(errors, name, value, mapping, *, required=False):
    if value in (None, ""):
        if required:
            errors[name] = _("Elija una opción.")
    elif value not in mapping:
        errors[name] = _("Opción desconocida.")


def _check_birth(
    errors: dict[str, str], data: ParticipantData, *, today: date, complete: bool
) -> None:
    birth_error = identity.check_birth(
        today, birth_date=data.birth_date, birth_year=data.birth_year
    )
    if birth_error:
        errors["birth_date" if data.birth_date else "birth_year"] = birth_error
    elif complete and data.birth_year is None:
        errors["birth_date"] = _("Escriba la fecha o al menos el año de nacimiento.")


def validate(data: ParticipantData, *, today: date, complete: bool = True) -> ParticipantData:
    """Return cleaned data with the document normalised, or raise RegistryError."""
    data = _clean(data)
    errors: dict[str, str] = {}
    if not data.given_names:
        errors["given_names"] = _("Escriba los nombres.")
    if complete and not data.surnames:
        errors["surnames"] = _("Escriba los apellidos.")
    _check_choice(errors, "sex", data.sex, SEXES, required=True)
    _check_choice(
        errors, "document_type", data.document_type, choices.DOCUMENT_TYPES, required=True
    )
    if "document_type" not in errors:
        try:
            data.document_number = identity.normalise_document(
                data.document_type, data.document_number
            )
        except identity.InvalidDocument as error:
            errors["document_number"] = str(error)
    _check_birth(errors, data, today=today, complete=complete)
    if data.district_ubigeo and districts.find(data.district_ubigeo) is None:
        errors["district_ubigeo"] = _("Distrito desconocido. Elíjalo de la lista.")
    elif complete and not data.district_ubigeo:
        errors["district_ubigeo"] = _("Elija el distrito.")
    if data.phone and not re.fullmatch(r"\+?[0-9]+", data.phone.replace(" ", "")):
        errors["phone"] = _("El teléfono solo lleva números.")
    _check_choice(errors, "mother_tongue", data.mother_tongue, choices.MOTHER_TONGUES)
    _check_choice(errors, "schooling", data.schooling, choices.SCHOOLING)
    _check_choice(errors, "occupation", data.occupation, choices.OCCUPATIONS)
    if errors:
        raise RegistryError(errors)
    return data


def validate_consent(consent: ConsentData, data: ParticipantData, *, today: date) -> None:
    errors = {}
    if not consent.given:
        errors["consent"] = _("Sin consentimiento no se puede registrar a la persona.")
    age = identity.age_on(today, birth_date=data.birth_date, birth_year=data.birth_year)
    if age is not None and age < 18 and not (consent.guardian_name or "").strip():
        errors["guardian_name"] = _(
            "Es menor de edad: escriba el nombre de su madre, padre o "
            "apoderado que da el consentimiento."
        )
    if errors:
        raise RegistryError(errors)


def document_taken(session: Session, data: ParticipantData, *, exclude_id: int | None = None):
    if not data.document_number:
        return False
    query = sa.select(Participant.id).where(
        Participant.document_type == data.document_type,
        Participant.document_number == data.document_number,
    )
    if exclude_id is not None:
        query = query.where(Participant.id != exclude_id)
    return session.scalar(query) is not None


def likely_duplicates(
    session: Session, data: ParticipantData, *, exclude_id: int | None = None
) -> list[Participant]:
    """People with the same names and the same birth date (or year, when only that is known)."""
    if data.birth_year is None:
        return []
    # Same birth year in SQL; names compared in Python so that accents and case do not matter.
    query = sa.select(Participant).where(
        Participant.erased_at.is_(None), Participant.birth_year == data.birth_year
    )
    if data.birth_date is not None:
        query = query.where(
            sa.or_(Participant.birth_date == data.birth_date, Participant.birth_date.is_(None))
        )
    if exclude_id is not None:
        query = query.where(Participant.id != exclude_id)
    candidates = session.scalars(query).all()
    return [
        p
        for p in candidates
        if fold(p.given_names) == fold(data.given_names) and fold(p.surnames) == fold(data.surnames)
    ]


def new_code(session: Session) -> str:
    return codes.new_code(
        CODE_LENGTH,
        lambda code: (
            session.scalar(sa.select(Participant.id).where(Participant.code == code)) is not None
        ),
    )


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _apply(participant: Participant, data: ParticipantData) -> list[str]:
    changed = []
    for name in PERSONAL_FIELDS:
        value = getattr(data, name)
        if getattr(participant, name) != value:
            setattr(participant, name, value)
            changed.append(name)
    participant.search_text = " ".join(
        filter(
            None,
            (
                fold(data.given_names),
                fold(data.surnames),
                (data.document_number or "").lower(),
                participant.code.lower(),
                fold(data.community),
            ),
        )
    )
    return changed


def register(
    session: Session,
    data: ParticipantData,
    consent: ConsentData,
    *,
    actor: User | None,
    today: date,
    complete: bool = True,
    confirm_not_duplicate: bool = False,
) -> Participant:
    """Validate everything, refuse duplicates, then store the person with their consents."""
    data = validate(data, today=today, complete=complete)
    validate_consent(consent, data, today=today)
    if document_taken(session, data):
        raise RegistryError(
            {
                "document_number": _(
                    "Ya hay una persona registrada con ese documento. Búsquela en la lista."
                )
            }
        )
    if not confirm_not_duplicate:
        matches = likely_duplicates(session, data)
        if matches:
            raise LikelyDuplicate(matches)
    participant = Participant(
        code=new_code(session), is_complete=complete, registered_by_id=actor.id if actor else None
    )
    _apply(participant, data)
    session.add(participant)
    session.flush()
    _add_consents(session, participant, consent, actor)
    audit.record(
        session,
        actor=actor,
        action="participant.register",
        subject_type="participant",
        subject_id=participant.id,
        detail="complete" if complete else "quick",
    )
    return participant


def _add_consents(session, participant, consent: ConsentData, actor) -> None:
    session.add(
        Consent(
            participant=participant,
            kind="registration",
            text_version=CONSENT_VERSION,
            purpose=REGISTRATION_PURPOSE,
            recorded_by_id=actor.id if actor else None,
            guardian_name=(consent.guardian_name or "").strip() or None,
        )
    )
    if consent.financial_inclusion:
        record_wfi_consent(session, participant, actor=actor)


def record_wfi_consent(session: Session, participant: Participant, *, actor: User | None) -> None:
    """The separate, explicit consent that sensitive financial answers need."""
    if participant.has_consent("financial_inclusion"):
        return
    guardian = next(
        (c.guardian_name for c in participant.consents if c.kind == "registration"), None
    )
    session.add(
        Consent(
            participant=participant,
            kind="financial_inclusion",
            text_version=CONSENT_VERSION,
            purpose=FINANCIAL_INCLUSION_PURPOSE,
            recorded_by_id=actor.id if actor else None,
            guardian_name=guardian,
        )
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="participant.consent_fi",
        subject_type="participant",
        subject_id=participant.id,
    )


def update(
    session: Session,
    participant: Participant,
    data: ParticipantData,
    *,
    actor: User | None,
    today: date,
) -> list[str]:
    """Rectification: store the corrected data and log which fields changed (not their values)."""
    if participant.erased_at:
        raise RegistryError({"given_names": _("Los datos de esta persona fueron borrados.")})
    data = validate(data, today=today, complete=True)
    if document_taken(session, data, exclude_id=participant.id):
        raise RegistryError({"document_number": _("Ya hay otra persona con ese documento.")})
    changed = _apply(participant, data)
    participant.is_complete = True
    if participant.user is not None:
        participant.user.display_name = participant.first_name
    session.flush()
    if changed:
        audit.record(
            session,
            actor=actor,
            action="participant.rectify",
            subject_type="participant",
            subject_id=participant.id,
            detail=", ".join(changed),
        )
    return changed


def search(session: Session, text: str = "", *, page: int = 1):
    """Active participants matching every word of `text`, by surname, one page at a time."""
    query = sa.select(Participant).where(Participant.erased_at.is_(None))
    for word in fold(text).split()[:5]:
        digits = identity.normalise_search_document(word)
        query = query.where(Participant.search_text.contains(digits or word, autoescape=True))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(Participant.surnames, Participant.given_names, Participant.id)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return rows, total


def sign_in_identifier(identifier: str) -> str | None:
    """What a typed DNI or card code stands for, the one form used both to find the person and
    to count failed attempts (so no variant of it gets a counter of its own); None when it can
    be neither. A DNI is its 8 ASCII digits, or those and its right check character; a code
    (or another document) is ASCII letters and digits, dashes and spaces ignored."""
    typed = identifier.strip()
    if not typed or not typed.isascii():
        return None
    compact = re.sub(r"[\s\-]", "", typed).upper()
    if not compact.isalnum():
        return None
    if len(compact) in (8, 9) and compact[:8].isdigit():
        try:
            return identity.normalise_document("dni", compact)
        except identity.InvalidDocument:
            return None
    return compact


def find_for_sign_in(session: Session, identifier: str) -> Participant | None:
    """The active participant whose document number or card code is `identifier`."""
    value = sign_in_identifier(identifier)
    return find_by_sign_in_identifier(session, value) if value else None


def find_by_sign_in_identifier(session: Session, value: str) -> Participant | None:
    """The active participant a `sign_in_identifier()` value names."""
    return session.scalar(
        sa.select(Participant)
        .where(
            Participant.erased_at.is_(None),
            sa.or_(Participant.code == value, Participant.document_number == value),
        )
        .order_by(Participant.id)
        .limit(1)
    )
