"""CSV import and export of the participant list (Spanish column names, as Excel users see them).

Import checks every row before storing any: one bad row and nothing is imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter import audit
from telecenter.auth.models import User
from telecenter.clock import to_lima
from telecenter.domain_errors import DomainError
from telecenter.participants import services
from telecenter.participants.models import Participant

_T = TypeVar("_T")

MAX_ROWS = 2000
COLUMNS = {  # CSV header -> ParticipantData field
    "nombres": "given_names",
    "apellidos": "surnames",
    "tipo_documento": "document_type",
    "numero_documento": "document_number",
    "sexo": "sex",
    "fecha_nacimiento": "birth_date",
    "anio_nacimiento": "birth_year",
    "ubigeo": "district_ubigeo",
    "comunidad": "community",
    "telefono": "phone",
    "lengua_materna": "mother_tongue",
    "estudios": "schooling",
    "ocupacion": "occupation",
    "asociacion": "association_member",
    "jefe_hogar": "head_of_household",
    "apoderado": "guardian_name",
}
REQUIRED_COLUMNS = ("nombres", "apellidos", "sexo")
IGNORED_COLUMNS = ("codigo", "registrado")  # written by the export, so an export re-imports
SEX_WORDS = {
    "mujer": "female",
    "f": "female",
    "hombre": "male",
    "m": "male",
    "prefiere no decir": "unspecified",
    "": "unspecified",
}
TRUE_WORDS = {"si", "sí", "s", "yes", "1", "true", "x"}
FALSE_WORDS = {"no", "n", "0", "false", ""}


@dataclass
class ImportReport:
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    imported: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(DomainError):
    """Nothing was imported; `report` lists every problem, row by row."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__()


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _("El archivo no está en UTF-8. En Excel elija «Guardar como» y «CSV UTF-8».")
        raise ImportRejected(ImportReport([(0, "", message)])) from None


def _rows(text: str) -> tuple[list[str], list[dict]]:
    """The header and the rows; a file the csv module cannot read (a cell longer than its
    field limit, lines that end in a lone CR as old Mac programs write) is refused whole."""
    if _ends_lines_with_lone_cr(text):
        raise _refused(
            _(
                "Las líneas del archivo terminan de una forma que no se puede leer. "
                "En Excel elija «Guardar como» y «CSV UTF-8»."
            )
        )
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        return header, list(reader)
    except csv.Error:
        raise _refused(
            _(
                "El archivo no se puede leer como CSV: una celda es demasiado larga "
                "(más de %(n)d caracteres) o el archivo está dañado.",
                n=csv.field_size_limit(),
            )
        ) from None


def _ends_lines_with_lone_cr(text: str) -> bool:
    return "\r" in text.replace("\r\n", "")


def _refused(message: str) -> ImportRejected:
    return ImportRejected(ImportReport([(0, "", message)]))


def _check_header(header: list[str]) -> None:
    unknown = [h for h in header if h not in COLUMNS and h not in IGNORED_COLUMNS]
    missing = [h for h in REQUIRED_COLUMNS if h not in header]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(_("faltan columnas: %(cols)s", cols=", ".join(missing)))
        if unknown:
            parts.append(_("columnas desconocidas: %(cols)s", cols=", ".join(unknown)))
        raise ImportRejected(ImportReport([(1, "", "; ".join(parts))]))


def _parse_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("Fecha no válida (use AAAA-MM-DD o DD/MM/AAAA)."))


def _parse_bool(text: str) -> bool | None:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False if word else None
    raise ValueError(_("Escriba sí o no."))


def _parsed(
    value: dict[str, str], column: str, parser: Callable[[str], _T], errors: dict[str, str]
) -> _T | None:
    """The parser's reading of the column, or None with its message kept under the field."""
    try:
        return parser(value[column])
    except ValueError as error:
        errors[COLUMNS[column]] = str(error)
        return None


def _row_data(row: dict) -> tuple[services.ParticipantData, services.ConsentData]:
    """Convert one CSV row, raising RegistryError with the field names of the CSV."""
    value = {column: _unguard((row.get(column) or "").strip()) for column in COLUMNS}
    errors: dict[str, str] = {}
    birth_date = _parsed(value, "fecha_nacimiento", _parse_date, errors)
    association_member = _parsed(value, "asociacion", _parse_bool, errors)
    head_of_household = _parsed(value, "jefe_hogar", _parse_bool, errors)
    year = value["anio_nacimiento"]
    if year and not (year.isascii() and year.isdigit() and len(year) == 4):
        errors["birth_year"] = _("El año tiene 4 números.")
    if errors:
        raise services.RegistryError(errors)
    sex = SEX_WORDS.get(value["sexo"].lower(), value["sexo"].lower())
    document_type = value["tipo_documento"].lower() or (
        "dni" if value["numero_documento"] else "none"
    )
    data = services.ParticipantData(
        given_names=value["nombres"],
        surnames=value["apellidos"],
        sex=sex,
        document_type=document_type,
        document_number=value["numero_documento"] or None,
        birth_date=birth_date,
        birth_year=int(year) if year else None,
        district_ubigeo=value["ubigeo"] or None,
        community=value["comunidad"] or None,
        phone=value["telefono"] or None,
        mother_tongue=value["lengua_materna"] or None,
        schooling=value["estudios"] or None,
        occupation=value["ocupacion"] or None,
        association_member=association_member,
        head_of_household=head_of_household,
    )
    return data, services.ConsentData(given=True, guardian_name=value["apoderado"] or None)


def _field_column(name: str) -> str:
    return next((c for c, f in COLUMNS.items() if f == name), name)


def _validate_rows(session: Session, rows: list[dict], today: date):
    report, ready = ImportReport(), []
    seen_documents: dict[tuple[str, str | None], int] = {}
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        try:
            data, consent = _row_data(row)
            data = services.validate(data, today=today)
            services.validate_consent(consent, data, today=today)
        except services.RegistryError as error:
            report.errors += [(number, _field_column(k), v) for k, v in error.errors.items()]
            continue
        key = (data.document_type, data.document_number)
        if data.document_number and key in seen_documents:
            report.errors.append(
                (
                    number,
                    "numero_documento",
                    _("El mismo documento está en la fila %(n)d.", n=seen_documents[key]),
                )
            )
        elif services.document_taken(session, data):
            report.errors.append(
                (number, "numero_documento", _("Esta persona ya está registrada."))
            )
        elif services.likely_duplicates(session, data):
            report.errors.append(
                (
                    number,
                    "nombres",
                    _("Ya hay alguien con los mismos nombres y fecha de nacimiento."),
                )
            )
        seen_documents.setdefault(key, number)
        ready.append((data, consent))
    return report, ready


def import_csv(session: Session, raw: bytes, *, actor: User | None, today: date) -> ImportReport:
    """Import all rows or none: raise ImportRejected with a per-row report on any problem."""
    text = _decode(raw)
    if not text.strip():
        raise ImportRejected(ImportReport([(0, "", _("El archivo está vacío."))]))
    header, rows = _rows(text)
    _check_header(header)
    if not rows:
        raise ImportRejected(ImportReport([(0, "", _("El archivo no tiene filas de datos."))]))
    if len(rows) > MAX_ROWS:
        raise ImportRejected(
            ImportReport(
                [
                    (
                        0,
                        "",
                        _(
                            "El archivo tiene %(n)d filas; el máximo es %(max)d. "
                            "Divídalo en partes.",
                            n=len(rows),
                            max=MAX_ROWS,
                        ),
                    )
                ]
            )
        )
    report, ready = _validate_rows(session, rows, today)
    if not report.ok:
        raise ImportRejected(report)
    for data, consent in ready:
        services.register(
            session, data, consent, actor=actor, today=today, confirm_not_duplicate=True
        )
    report.imported = len(ready)
    audit.record(
        session,
        actor=actor,
        action="participant.import",
        subject_type="participant",
        subject_id=None,
        detail=f"{report.imported} rows",
    )
    return report


EXPORT_COLUMNS = ("codigo", *COLUMNS, "registrado")


def export_rows(participants: Iterable[Participant]) -> Iterable[list]:
    yield list(EXPORT_COLUMNS)
    for p in participants:
        guardian = next((c.guardian_name for c in p.consents if c.kind == "registration"), None)
        yield [
            p.code,
            p.given_names,
            p.surnames,
            p.document_type,
            p.document_number or "",
            p.sex,
            p.birth_date.isoformat() if p.birth_date else "",
            p.birth_year or "",
            p.district_ubigeo or "",
            p.community or "",
            p.phone or "",
            p.mother_tongue or "",
            p.schooling or "",
            p.occupation or "",
            _yes_no(p.association_member),
            _yes_no(p.head_of_household),
            guardian or "",
            to_lima(p.registered_at).date().isoformat(),
        ]


FORMULA_STARTS = ("=", "+", "-", "@")


def _guard_formula(value):
    """Spreadsheets run cells that start like a formula; a leading apostrophe stops that."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _unguard(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("si" if value else "no")


def export_csv(session: Session, participants: Sequence[Participant], *, actor: User | None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in export_rows(participants):
        writer.writerow([_guard_formula(v) for v in row])
    audit.record(
        session,
        actor=actor,
        action="participant.export",
        subject_type="participant",
        subject_id=None,
        detail=f"{len(participants)} rows",
    )
    return buffer.getvalue()
