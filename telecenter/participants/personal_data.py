"""Right of access (Ley 29733): everything the telecenter keeps about one person, in words.

Each table that holds a person's data is declared once, as a `TableShown`: every column is
either shown (with its label) or hidden (with why: internal numbers, secrets). Sections for
the registry are built here; courses and attendance add theirs through `SOURCES` (they sit
above this package, so they register themselves at app start). A test walks the models and
fails when a table or column referring to participants is declared nowhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter import labels
from telecenter.auth.models import User
from telecenter.participants import choices, districts, survey_answers, survey_choices
from telecenter.participants.models import (
    GroupMember,
    Participant,
    WfiEnrolment,
    WfiSurvey,
)

INTERNAL = "internal number"
SHOWN_ELSEWHERE = "shown as the record it points to"
SECRET_VALUE = "a secret: never shown"  # noqa: S105 (a reason, not a password)


@dataclass(frozen=True)
class TableShown:
    """How one table appears: column -> label, and the columns left out -> why."""

    table: str
    shown: Mapping[str, Any]
    hidden: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    heading: str
    fields: list[tuple[str, str]]


@dataclass(frozen=True)
class Section:
    title: str
    records: list[Record]
    empty: str = ""


#: A function giving a person's sections from one domain; with the tables it shows.
SectionSource = Callable[[Session, Participant], list[Section]]


@dataclass(frozen=True)
class Source:
    tables: tuple[TableShown, ...]
    sections: SectionSource


SOURCES: list[Source] = []


def register(source: Source) -> None:
    """Add a domain's sections (once, however often the app factory runs)."""
    if source not in SOURCES:
        SOURCES.append(source)


def as_text(value: Any) -> str:
    """Any stored value as a person reads it: dates as dd/mm/yyyy, moments in Lima time."""
    if value is None or value == "" or value == []:
        return labels.NO_VALUE
    if isinstance(value, bool):
        return str(survey_choices.YES_NO["yes" if value else "no"])
    if isinstance(value, datetime):
        return format_datetime(value, "dd/MM/yyyy HH:mm")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return ", ".join(as_text(item) for item in value)
    return str(value)


Formats = Mapping[str, Callable[[Any], str]]


def record_of(heading: str, row: Any, table: TableShown, formats: Formats | None = None) -> Record:
    """Every shown column of `row`, in declared order, formatted by `formats` or `as_text`."""
    formats = formats or {}
    fields = []
    for column, label in table.shown.items():
        value = getattr(row, column)
        fields.append((str(label), formats[column](value) if column in formats else as_text(value)))
    return Record(heading=heading, fields=fields)


def user_names(session: Session) -> Callable[[int | None], str]:
    """Who did something, by name (staff accounts are referred to by id)."""

    def name(user_id: int | None) -> str:
        user = session.get(User, user_id) if user_id else None
        return user.display_name if user else labels.NO_VALUE

    return name


def showing(text: str) -> Callable[[Any], str]:
    """For a column that points to another record: that record in words, not its number."""
    return lambda _value: text


def coded(mapping: Mapping) -> Callable[[Any], str]:
    return lambda code: labels.text_of(mapping, code)


PARTICIPANT = TableShown(
    "participants",
    {
        "code": _l("Código"),
        "given_names": _l("Nombres"),
        "surnames": _l("Apellidos"),
        "document_type": _l("Tipo de documento"),
        "document_number": _l("Número de documento"),
        "sex": _l("Sexo"),
        "birth_date": _l("Fecha de nacimiento"),
        "birth_year": _l("Año de nacimiento"),
        "district_ubigeo": _l("Distrito"),
        "community": _l("Comunidad"),
        "phone": _l("Teléfono"),
        "mother_tongue": _l("Lengua materna"),
        "schooling": _l("Estudios"),
        "occupation": _l("Ocupación"),
        "association_member": _l("Socio(a) de asociación"),
        "head_of_household": _l("Jefe(a) de hogar"),
        "is_complete": _l("Registro completo"),
        "registered_at": _l("Registrado el"),
        "registered_by_id": _l("Registrado por"),
        "updated_at": _l("Última corrección"),
        "erased_at": _l("Datos borrados el"),
    },
    {
        "id": INTERNAL,
        "search_text": "a lower-case copy of the names, document and community, for search",
        "user_id": SHOWN_ELSEWHERE,
    },
)
ACCOUNT = TableShown(
    "users",
    {
        "username": _l("Usuario"),
        "display_name": _l("Nombre que se muestra"),
        "role": _l("Tipo de cuenta"),
        "language": _l("Idioma"),
        "active": _l("Cuenta activa"),
        "created_at": _l("Creada el"),
        "last_sign_in_at": _l("Último ingreso"),
    },
    {
        "id": INTERNAL,
        "password_hash": SECRET_VALUE,
        "session_version": "a counter that ends old sign-ins, not about the person",
    },
)
CONSENT = TableShown(
    "consents",
    {
        "kind": _l("Para qué"),
        "text_version": _l("Versión del texto leído"),
        "purpose": _l("Finalidad"),
        "given_at": _l("Dado el"),
        "recorded_by_id": _l("Registrado por"),
        "guardian_name": _l("Padre, madre o apoderado"),
        "withdrawn_at": _l("Retirado el"),
    },
    {"id": INTERNAL, "participant_id": INTERNAL},
)
WFI_ENROLMENT = TableShown(
    "wfi_enrolments",
    {
        "enrolled_on": _l("Inscrita el"),
        "telecenter_code": _l("Telecentro"),
        "trainer_id": _l("Capacitador(a)"),
        "created_at": _l("Guardado el"),
    },
    {"id": INTERNAL, "participant_id": INTERNAL},
)
SURVEY = TableShown(
    "fi_surveys",
    {
        "kind": _l("Tipo de encuesta"),
        "taken_on": _l("Fecha de la encuesta"),
        "recorded_by_id": _l("Registrada por"),
        "created_at": _l("Guardada el"),
        **survey_choices.QUESTIONS,
    },
    {"id": INTERNAL, "participant_id": INTERNAL},
)
GROUP_MEMBER = TableShown(
    "learner_group_members",
    {"group_id": _l("Grupo"), "added_at": _l("Agregada al grupo el")},
    {"id": INTERNAL, "participant_id": INTERNAL},
)
REGISTRY_TABLES = (PARTICIPANT, ACCOUNT, CONSENT, WFI_ENROLMENT, SURVEY, GROUP_MEMBER)


def _registry_sections(session: Session, participant: Participant) -> list[Section]:
    name = user_names(session)
    district = lambda code: d.label if (d := districts.find(code)) else labels.NO_VALUE  # noqa: E731
    person = record_of(
        "",
        participant,
        PARTICIPANT,
        {
            "document_type": coded(choices.DOCUMENT_TYPES),
            "sex": lambda code: labels.label("sex", code),
            "district_ubigeo": district,
            "mother_tongue": coded(choices.MOTHER_TONGUES),
            "schooling": coded(choices.SCHOOLING),
            "occupation": coded(choices.OCCUPATIONS),
            "registered_by_id": name,
        },
    )
    account = participant.user
    return [
        Section(_l("Datos personales"), [person]),
        Section(
            _l("Cuenta para ingresar"),
            [record_of(account.username, account, ACCOUNT)] if account else [],
            _l("No tiene cuenta para ingresar."),
        ),
        Section(
            _l("Consentimientos"),
            [
                record_of(
                    str(choices.CONSENT_KINDS.get(c.kind, c.kind)),
                    c,
                    CONSENT,
                    {"kind": coded(choices.CONSENT_KINDS), "recorded_by_id": name},
                )
                for c in participant.consents
            ],
            _l("No hay consentimientos registrados."),
        ),
        *_programme_sections(session, participant),
    ]


def _programme_sections(session: Session, participant: Participant) -> list[Section]:
    name = user_names(session)
    enrolment: WfiEnrolment | None = participant.wfi_enrolment
    surveys: list[WfiSurvey] = list(participant.surveys)
    members = session.query(GroupMember).filter_by(participant_id=participant.id).all()
    return [
        Section(
            _l("Programa de inclusión financiera"),
            [record_of(str(_l("Inscripción")), enrolment, WFI_ENROLMENT, {"trainer_id": name})]
            if enrolment
            else [],
            _l("No está inscrita en el programa."),
        ),
        Section(
            _l("Encuestas de inclusión financiera"),
            [_survey_record(survey, name) for survey in surveys],
            _l("No hay encuestas."),
        ),
        Section(
            _l("Grupos"),
            [
                record_of(m.group.name, m, GROUP_MEMBER, {"group_id": showing(m.group.name)})
                for m in members
            ],
            _l("No está en ningún grupo."),
        ),
    ]


def _survey_record(survey: WfiSurvey, name: Callable[[int | None], str]) -> Record:
    """The survey's dates and every question with its answer in words (as on the survey page)."""
    meta = TableShown(SURVEY.table, {k: SURVEY.shown[k] for k in list(SURVEY.shown)[:4]})
    record = record_of(
        f"{survey_choices.SURVEY_KINDS[survey.kind]} · {as_text(survey.taken_on)}",
        survey,
        meta,
        {"kind": coded(survey_choices.SURVEY_KINDS), "recorded_by_id": name},
    )
    return Record(record.heading, [*record.fields, *survey_answers.in_words(survey)])


register(Source(REGISTRY_TABLES, _registry_sections))


def gather(session: Session, participant: Participant) -> list[Section]:
    """Every section of every registered domain, registry first."""
    return [section for source in SOURCES for section in source.sections(session, participant)]


def tables_shown() -> dict[str, TableShown]:
    return {table.table: table for source in SOURCES for table in source.tables}
