"""The courses part of a person's access page: enrolments, lessons done, quiz attempts with
the answers chosen, completions and certificates (see telecenter.participants.personal_data)."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter import labels
from telecenter.courses.models import (
    Enrolment,
    Lesson,
    LessonProgress,
    Option,
    Question,
    QuizAttempt,
)
from telecenter.participants.models import Participant
from telecenter.participants.personal_data import (
    INTERNAL,
    Record,
    Section,
    Source,
    TableShown,
    record_of,
    register,
    showing,
    user_names,
)

COMPLETED_BY = {
    "lessons": _l("Lecciones y cuestionario final"),
    "attendance": _l("Asistencia a las sesiones"),
}
ENROLMENT = TableShown(
    "enrolments",
    {
        "course_id": _l("Curso"),
        "enrolled_at": _l("Inscrita/o el"),
        "enrolled_by_id": _l("Inscrita/o por"),
        "last_lesson_id": _l("Última lección abierta"),
        "last_activity_at": _l("Última actividad"),
        "completed_at": _l("Completó el curso el"),
        "completed_by": _l("Completó por"),
        "certificate_code": _l("Código del certificado"),
    },
    {"id": INTERNAL, "participant_id": INTERNAL},
)
PROGRESS = TableShown(
    "lesson_progress",
    {"lesson_id": _l("Lección terminada"), "completed_at": _l("Terminada el")},
    {"id": INTERNAL, "enrolment_id": INTERNAL},
)
ATTEMPT = TableShown(
    "quiz_attempts",
    {
        "lesson_id": _l("Cuestionario"),
        "submitted_at": _l("Enviado el"),
        "score": _l("Puntaje (%)"),
        "passed": _l("Aprobó"),
        "answers": _l("Respuestas elegidas"),
    },
    {"id": INTERNAL, "enrolment_id": INTERNAL},
)


def _lesson_title(session: Session, lesson_id: int | None) -> str:
    lesson = session.get(Lesson, lesson_id) if lesson_id else None
    return lesson.title if lesson else labels.NO_VALUE


def chosen_answers(session: Session, answers: Mapping[str, list]) -> str:
    """ "¿Pregunta? → Opción elegida" for each question of a submitted quiz."""
    lines = []
    for question_id, option_ids in (answers or {}).items():
        question = session.get(Question, int(question_id))
        texts = [
            option.text
            for option_id in option_ids or []
            if (option := session.get(Option, int(option_id))) is not None
        ]
        prompt = question.prompt if question else _("Pregunta borrada")
        lines.append(f"{prompt} → {', '.join(texts) or labels.NO_VALUE}")
    return "; ".join(lines) or labels.NO_VALUE


def _sections(session: Session, participant: Participant) -> list[Section]:
    enrolments = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.participant_id == participant.id)
        .order_by(Enrolment.enrolled_at)
    ).all()
    return [
        Section(
            _l("Cursos"),
            [_enrolment_record(session, enrolment) for enrolment in enrolments],
            _l("No está inscrita/o en ningún curso."),
        )
    ]


def _enrolment_record(session: Session, enrolment: Enrolment) -> Record:
    lesson = lambda lesson_id: _lesson_title(session, lesson_id)  # noqa: E731
    record = record_of(
        enrolment.course.title,
        enrolment,
        ENROLMENT,
        {
            "course_id": showing(enrolment.course.title),
            "enrolled_by_id": user_names(session),
            "last_lesson_id": lesson,
            "completed_by": lambda code: labels.text_of(COMPLETED_BY, code),
        },
    )
    fields = list(record.fields)
    progress = session.scalars(
        sa.select(LessonProgress)
        .where(LessonProgress.enrolment_id == enrolment.id)
        .order_by(LessonProgress.completed_at)
    ).all()
    for done in progress:
        fields += record_of("", done, PROGRESS, {"lesson_id": lesson}).fields
    attempts = session.scalars(
        sa.select(QuizAttempt)
        .where(QuizAttempt.enrolment_id == enrolment.id)
        .order_by(QuizAttempt.submitted_at)
    ).all()

    def quiz(lesson_id: int | None) -> str:
        return _lesson_title(session, lesson_id) if lesson_id else _("Cuestionario final")

    for attempt in attempts:
        fields += record_of(
            "",
            attempt,
            ATTEMPT,
            {"lesson_id": quiz, "answers": lambda answers: chosen_answers(session, answers)},
        ).fields
    return Record(record.heading, fields)


SOURCE = Source((ENROLMENT, PROGRESS, ATTEMPT), _sections)


def register_source() -> None:
    register(SOURCE)
