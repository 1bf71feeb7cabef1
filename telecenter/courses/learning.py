"""Learning rules: enrolment, lesson progress, quizzes, completion, "continue where I left off"."""

from __future__ import annotations

import logging
import random
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from telecenter import codes
from telecenter.auth.models import User
from telecenter.clock import utcnow
from telecenter.courses.models import (
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Option,
    Question,
    QuizAttempt,
)
from telecenter.domain_errors import DomainError
from telecenter.participants.models import Participant

log = logging.getLogger(__name__)


class LearningError(DomainError):
    """Something a learner cannot do now; the message says why in plain words."""


def find_enrolment(session: Session, course: Course, participant: Participant):
    return session.scalar(
        sa.select(Enrolment).where(
            Enrolment.course_id == course.id, Enrolment.participant_id == participant.id
        )
    )


def enrol(
    session: Session, course: Course, participant: Participant, *, actor: User | None
) -> Enrolment:
    """Enrol once; enrolling again returns the existing enrolment."""
    if not course.published:
        raise LearningError(_("Este curso todavía no está publicado."))
    if participant.erased_at:
        raise LearningError(_("Los datos de esta persona fueron borrados."))
    existing = find_enrolment(session, course, participant)
    if existing is not None:
        return existing
    enrolment = Enrolment(
        course_id=course.id,
        participant_id=participant.id,
        enrolled_by_id=actor.id if actor else None,
    )
    try:
        with session.begin_nested():
            session.add(enrolment)
    except IntegrityError:  # a double click from two tabs
        return find_enrolment(session, course, participant)
    log.info("enrolment course=%s participant=%s", course.id, participant.id)
    return enrolment


def enrol_group(
    session: Session, course: Course, participant_ids: list[int], *, actor: User | None
) -> int:
    """Enrol several participants at once (a trainer's class); return how many were new."""
    new = 0
    for participant in session.scalars(
        sa.select(Participant).where(
            Participant.id.in_(participant_ids), Participant.erased_at.is_(None)
        )
    ):
        before = find_enrolment(session, course, participant)
        enrol(session, course, participant, actor=actor)
        new += before is None
    return new


def completed_lesson_ids(session: Session, enrolment: Enrolment) -> set[int]:
    return set(
        session.scalars(
            sa.select(LessonProgress.lesson_id).where(LessonProgress.enrolment_id == enrolment.id)
        )
    )


@dataclass(frozen=True)
class Progress:
    """The steps of a course: each lesson, and the final quiz when there is one (a course
    is not 100 % done while its final quiz is still to pass)."""

    #: The course's current lessons this learner has finished.
    done_ids: frozenset[int]
    #: How many lessons the course has now.
    lessons: int
    has_final: bool
    final_passed: bool
    completed: bool

    @property
    def lessons_done(self) -> int:
        return len(self.done_ids)

    @property
    def steps(self) -> int:
        return self.lessons + self.has_final

    @property
    def steps_done(self) -> int:
        return self.lessons_done + (self.has_final and self.final_passed)

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps) if self.steps else 0


def progress(
    session: Session, enrolment: Enrolment, done: AbstractSet[int] | None = None
) -> Progress:
    """`done` (the completed lesson ids) when the caller has them already."""
    lessons = {lesson.id for lesson in enrolment.course.lessons}
    done = (completed_lesson_ids(session, enrolment) if done is None else done) & lessons
    return Progress(
        done_ids=frozenset(done),
        lessons=len(lessons),
        has_final=bool(enrolment.course.final_questions),
        final_passed=_passed_final(session, enrolment),
        completed=enrolment.completed_at is not None,
    )


def _passed_final(session: Session, enrolment: Enrolment) -> bool:
    return (
        session.scalars(
            sa.select(sa.func.count(QuizAttempt.id)).where(
                QuizAttempt.enrolment_id == enrolment.id,
                QuizAttempt.lesson_id.is_(None),
                QuizAttempt.passed.is_(True),
            )
        ).one()
        > 0
    )


TOUCH_EVERY = timedelta(minutes=5)


def needs_touch(enrolment: Enrolment, lesson: Lesson) -> bool:
    """Whether opening this lesson changes "where I left off" (or its time is stale): most
    views of the same lesson then cost no write at all."""
    last = enrolment.last_activity_at
    return enrolment.last_lesson_id != lesson.id or last is None or utcnow() - last > TOUCH_EVERY


def open_lesson(session: Session, enrolment: Enrolment, lesson: Lesson) -> None:
    enrolment.last_lesson_id = lesson.id
    enrolment.last_activity_at = utcnow()
    session.flush()


def finish_reading(session: Session, enrolment: Enrolment, lesson: Lesson) -> None:
    """A lesson without a quiz is done when the learner says they finished it."""
    if lesson.questions:
        raise LearningError(_("Para terminar esta lección, responda sus preguntas."))
    _mark_done(session, enrolment, lesson)


def _mark_done(session: Session, enrolment: Enrolment, lesson: Lesson) -> None:
    if lesson.id not in completed_lesson_ids(session, enrolment):
        try:
            with session.begin_nested():
                session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id))
        except IntegrityError:
            pass  # the same lesson finished twice at once: once is enough
    enrolment.last_activity_at = utcnow()
    check_completion(session, enrolment)


@dataclass(frozen=True)
class QuizResult:
    attempt_id: int
    score: int
    passed: bool
    #: question id -> (answered right?, chosen option ids)
    answers: dict[int, tuple[bool, set[int]]]
    #: Right answers needed to pass, out of len(answers).
    needed: int
    #: This very try completed the course (its celebration comes once).
    completed_course: bool = False

    @property
    def right(self) -> int:
        return sum(right for right, _chosen in self.answers.values())

    @property
    def total(self) -> int:
        return len(self.answers)


def score_of(right: int, total: int) -> int:
    return round(100 * right / total) if total else 0


def right_needed(total: int, pass_mark: int) -> int:
    """The fewest right answers whose score reaches the pass mark."""
    return next((n for n in range(total + 1) if score_of(n, total) >= pass_mark), total)


def _grade(questions: list[Question], answers: dict[int, set[int]]) -> dict:
    return {
        q.id: (answers.get(q.id, set()) == q.correct_ids, answers.get(q.id, set()))
        for q in questions
    }


def _check_answers(questions: list[Question], answers: dict[int, list[int]]) -> None:
    known = {q.id: q for q in questions}
    if set(answers) - set(known):
        raise LearningError(_("La respuesta incluye preguntas que no son de este cuestionario."))
    if set(known) - {qid for qid, chosen in answers.items() if chosen}:
        raise LearningError(_("Responda todas las preguntas antes de enviar."))
    for question_id, chosen in answers.items():
        question = known[question_id]
        if not set(chosen) <= {o.id for o in question.options}:
            raise LearningError(_("Una respuesta no corresponde a su pregunta."))
        if question.kind == "single" and len(set(chosen)) != 1:
            raise LearningError(_("En las preguntas de una sola respuesta, elija solo una."))


def submit_quiz(
    session: Session, enrolment: Enrolment, lesson: Lesson | None, answers: dict[int, list[int]]
) -> QuizResult:
    """Grade a lesson quiz (or the final quiz when lesson is None) and record the attempt."""
    course = enrolment.course
    questions = lesson.questions if lesson else course.final_questions
    if not questions:
        raise LearningError(_("Este cuestionario no tiene preguntas."))
    if _already_passed(session, enrolment, lesson):
        raise LearningError(_("Usted ya aprobó este cuestionario."))
    if lesson is None and not _ready_for_final(session, enrolment):
        raise LearningError(_("Primero termine todas las lecciones obligatorias."))
    _check_answers(questions, answers)
    graded = _grade(questions, {qid: set(chosen) for qid, chosen in answers.items()})
    score = score_of(sum(right for right, _chosen in graded.values()), len(questions))
    passed = score >= course.pass_mark
    record = QuizAttempt(
        enrolment_id=enrolment.id,
        lesson_id=lesson.id if lesson else None,
        score=score,
        passed=passed,
        answers={str(k): sorted(v[1]) for k, v in graded.items()},
    )
    session.add(record)
    session.flush()
    was_completed = enrolment.completed_at is not None
    if passed and lesson is not None:
        _mark_done(session, enrolment, lesson)
    elif passed:
        check_completion(session, enrolment)
    return QuizResult(
        record.id,
        score,
        passed,
        graded,
        right_needed(len(questions), course.pass_mark),
        completed_course=not was_completed and enrolment.completed_at is not None,
    )


def attempt_result(
    session: Session, enrolment: Enrolment, lesson: Lesson | None, attempt_id: int
) -> QuizResult | None:
    """A submitted attempt of this learner at this quiz, graded again for the result page
    (None for someone else's attempt, another quiz's, or one older than the latest)."""
    record = session.get(QuizAttempt, attempt_id)
    lesson_id = lesson.id if lesson else None
    if record is None or record.enrolment_id != enrolment.id or record.lesson_id != lesson_id:
        return None
    if record.id != _latest_attempt_id(session, enrolment, lesson):
        return None
    questions = lesson.questions if lesson else enrolment.course.final_questions
    chosen = {int(qid): set(ids) for qid, ids in record.answers.items()}
    return QuizResult(
        record.id,
        record.score,
        record.passed,
        _grade(questions, chosen),
        right_needed(len(questions), enrolment.course.pass_mark),
    )


def _attempts(enrolment: Enrolment, lesson: Lesson | None):
    lesson_filter = (
        QuizAttempt.lesson_id == lesson.id if lesson else QuizAttempt.lesson_id.is_(None)
    )
    return sa.select(QuizAttempt.id).where(QuizAttempt.enrolment_id == enrolment.id, lesson_filter)


def _latest_attempt_id(session: Session, enrolment: Enrolment, lesson: Lesson | None):
    return session.scalar(_attempts(enrolment, lesson).order_by(QuizAttempt.id.desc()).limit(1))


def option_order(
    session: Session, enrolment: Enrolment | None, lesson: Lesson | None
) -> dict[int, list[Option]]:
    """Each question's options in the order of the learner's current try: shuffled anew for
    each attempt (so the right answer is never "always the first"), the same on every
    reload of one attempt. Staff previews see the authored order."""
    questions = (
        lesson.questions if lesson else (enrolment.course.final_questions if enrolment else [])
    )
    if enrolment is None:
        return {q.id: list(q.options) for q in questions}
    tries = session.scalar(
        sa.select(sa.func.count()).select_from(_attempts(enrolment, lesson).subquery())
    )
    orders = {}
    for question in questions:
        options = list(question.options)
        # Not for secrecy: a seed that is stable within one attempt.
        random.Random(f"{enrolment.id}:{question.id}:{tries}").shuffle(options)  # noqa: S311
        orders[question.id] = options
    return orders


def _already_passed(session: Session, enrolment: Enrolment, lesson: Lesson | None) -> bool:
    query = sa.select(sa.func.count(QuizAttempt.id)).where(
        QuizAttempt.enrolment_id == enrolment.id, QuizAttempt.passed.is_(True)
    )
    query = (
        query.where(QuizAttempt.lesson_id == lesson.id)
        if lesson
        else query.where(QuizAttempt.lesson_id.is_(None))
    )
    return session.scalars(query).one() > 0


def _ready_for_final(session: Session, enrolment: Enrolment) -> bool:
    required = {lesson.id for lesson in enrolment.course.required_lessons}
    return required <= completed_lesson_ids(session, enrolment)


def check_completion(session: Session, enrolment: Enrolment) -> bool:
    """Self-paced courses: all required lessons done and the final quiz (if any) passed."""
    course = enrolment.course
    if enrolment.completed_at is not None or course.completion_mode != "self_paced":
        return enrolment.completed_at is not None
    if not _ready_for_final(session, enrolment):
        return False
    if course.final_questions and not _passed_final(session, enrolment):
        return False
    mark_completed(session, enrolment, by="lessons")
    return True


def mark_completed(session: Session, enrolment: Enrolment, *, by: str) -> None:
    """Record completion once: later events never move the date."""
    if enrolment.completed_at is not None:
        return
    enrolment.completed_at = utcnow()
    enrolment.completed_by = by
    enrolment.certificate_code = new_certificate_code(session)
    session.flush()
    log.info(
        "course %s completed by participant %s (%s)",
        enrolment.course_id,
        enrolment.participant_id,
        by,
    )


def new_certificate_code(session: Session) -> str:
    return codes.new_code(
        10,
        lambda code: (
            session.scalar(sa.select(Enrolment.id).where(Enrolment.certificate_code == code))
            is not None
        ),
    )


def next_lesson(
    session: Session, enrolment: Enrolment, done: AbstractSet[int] | None = None
) -> Lesson | None:
    """The first lesson not yet done (after the last one opened), for "continue"."""
    done = completed_lesson_ids(session, enrolment) if done is None else done
    lessons = enrolment.course.lessons
    last = next(
        (i for i, lesson in enumerate(lessons) if lesson.id == enrolment.last_lesson_id), -1
    )
    if last >= 0 and lessons[last].id not in done:
        return lessons[last]
    ordered = lessons[last + 1 :] + lessons[: last + 1]
    return next((lesson for lesson in ordered if lesson.id not in done), None)


def my_enrolments(session: Session, participant: Participant) -> list[Enrolment]:
    """The learner's courses, most recently used first."""
    return list(
        session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.participant_id == participant.id)
            .order_by(
                Enrolment.completed_at.is_not(None),
                Enrolment.last_activity_at.desc().nulls_last(),
                Enrolment.enrolled_at.desc(),
            )
        )
    )


def verify_certificate(session: Session, code: str) -> Enrolment | None:
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(cleaned) != 10:
        return None
    return session.scalar(
        sa.select(Enrolment).where(
            Enrolment.certificate_code == cleaned, Enrolment.completed_at.is_not(None)
        )
    )
