"""The attendance part of a person's access page: session registrations and attendance,
with each correction made to it (see telecenter.participants.personal_data)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter import labels
from telecenter.attendance.models import (
    ActivitySession,
    Attendance,
    AttendanceCorrection,
    Registration,
)
from telecenter.participants.models import Participant
from telecenter.participants.personal_data import (
    INTERNAL,
    SHOWN_ELSEWHERE,
    Record,
    Section,
    Source,
    TableShown,
    as_text,
    coded,
    record_of,
    register,
    showing,
    user_names,
)

REGISTRATION_STATUSES = {
    "registered": _l("Inscrita/o"),
    "waitlisted": _l("En lista de espera"),
    "cancelled": _l("Canceló su inscripción"),
}
REGISTRATION = TableShown(
    "session_registrations",
    {"session_id": _l("Sesión"), "status": _l("Estado"), "registered_at": _l("Inscrita/o el")},
    {"id": INTERNAL, "participant_id": INTERNAL},
)
ATTENDANCE = TableShown(
    "attendances",
    {
        "session_id": _l("Sesión"),
        "status": _l("Asistencia"),
        "source": _l("Cómo se registró"),
        "recorded_at": _l("Registrada el"),
        "recorded_by_id": _l("Registrada por"),
        "updated_at": _l("Último cambio"),
    },
    {"id": INTERNAL, "participant_id": INTERNAL},
)
CORRECTION = TableShown(
    "attendance_corrections",
    {
        "changed_at": _l("Corregida el"),
        "changed_by_id": _l("Corregida por"),
        "old_status": _l("Antes"),
        "new_status": _l("Después"),
        "reason": _l("Motivo"),
    },
    {"id": INTERNAL, "attendance_id": SHOWN_ELSEWHERE},
)


def session_words(activity: ActivitySession) -> str:
    """ "Uso del celular · 15/06/2026 10:00": which session, by title and start."""
    return f"{activity.title} · {as_text(activity.starts_at)}"


def _sections(session: Session, participant: Participant) -> list[Section]:
    name = user_names(session)
    status = lambda code: labels.label("status", code)  # noqa: E731
    registrations = session.execute(
        sa.select(Registration, ActivitySession)
        .join(ActivitySession, ActivitySession.id == Registration.session_id)
        .where(Registration.participant_id == participant.id)
        .order_by(ActivitySession.starts_at)
    ).all()
    attendances = (
        session.query(Attendance)
        .join(ActivitySession, ActivitySession.id == Attendance.session_id)
        .filter(Attendance.participant_id == participant.id)
        .order_by(ActivitySession.starts_at)
        .all()
    )
    return [
        Section(
            _l("Inscripciones a sesiones"),
            [
                record_of(
                    session_words(activity),
                    registration,
                    REGISTRATION,
                    {
                        "session_id": showing(session_words(activity)),
                        "status": coded(REGISTRATION_STATUSES),
                    },
                )
                for registration, activity in registrations
            ],
            _l("No se inscribió en ninguna sesión."),
        ),
        Section(
            _l("Asistencia"),
            [_attendance_record(session, a, name, status) for a in attendances],
            _l("No hay asistencia registrada."),
        ),
    ]


def _attendance_record(session: Session, attendance: Attendance, name, status) -> Record:
    record = record_of(
        session_words(attendance.session),
        attendance,
        ATTENDANCE,
        {
            "session_id": showing(session_words(attendance.session)),
            "status": status,
            "source": lambda code: labels.label("attendance_source", code),
            "recorded_by_id": name,
        },
    )
    corrections = (
        session.query(AttendanceCorrection)
        .filter_by(attendance_id=attendance.id)
        .order_by(AttendanceCorrection.changed_at)
        .all()
    )
    formats = {"changed_by_id": name, "old_status": status, "new_status": status}
    fields = list(record.fields)
    for correction in corrections:
        fields += record_of("", correction, CORRECTION, formats).fields
    return Record(record.heading, fields)


SOURCE = Source((REGISTRATION, ATTENDANCE, CORRECTION), _sections)


def register_source() -> None:
    register(SOURCE)
