"""Enrolment, progress, quizzes and completion."""

from __future__ import annotations

import pytest

from telecenter.courses import learning
from telecenter.courses.models import Course, Enrolment, QuizAttempt
from telecenter.extensions import db
from telecenter.participants.models import Participant
from tests.courses.conftest import right_answers


def _lessons(course):
    by_slug = {lesson.slug: lesson for lesson in course.lessons}
    return by_slug["leer"], by_slug["con-preguntas"], by_slug["opcional"]


def test_enrolling_twice_keeps_one_enrolment(app_ctx, enrolment):
    again = learning.enrol(db.session, enrolment.course, enrolment.participant, actor=None)
    assert again.id == enrolment.id
    assert db.session.scalar(db.select(db.func.count(Enrolment.id))) == 1


def test_drafts_cannot_be_joined(app_ctx, course, make_participant):
    course.published = False
    participant = db.session.get(Participant, make_participant())
    with pytest.raises(learning.LearningError, match="publicado"):
        learning.enrol(db.session, course, participant, actor=None)


def test_full_path_to_completion_records_the_date_once(app_ctx, enrolment):
    course = enrolment.course
    read, quiz_lesson, optional = _lessons(course)
    learning.finish_reading(db.session, enrolment, read)
    # Four steps: three lessons and the final quiz.
    assert learning.progress(db.session, enrolment).percent == 25
    with pytest.raises(learning.LearningError, match="lecciones obligatorias"):
        learning.submit_quiz(db.session, enrolment, None, right_answers(course.final_questions))
    result = learning.submit_quiz(
        db.session, enrolment, quiz_lesson, right_answers(quiz_lesson.questions)
    )
    assert (result.score, result.passed) == (100, True)
    assert enrolment.completed_at is None  # the final quiz is still to pass
    learning.submit_quiz(db.session, enrolment, None, right_answers(course.final_questions))
    assert enrolment.completed_at is not None
    assert enrolment.completed_by == "lessons"
    assert len(enrolment.certificate_code) == 10
    first = enrolment.completed_at
    learning.finish_reading(db.session, enrolment, optional)
    assert enrolment.completed_at == first
    assert learning.verify_certificate(db.session, enrolment.certificate_code.lower()) is enrolment


def test_a_failed_quiz_gives_feedback_and_can_be_retried(app_ctx, enrolment):
    _read, lesson, _optional = _lessons(enrolment.course)
    single, multiple = lesson.questions
    wrong = {
        single.id: [o.id for o in single.options if not o.correct],
        multiple.id: [o.id for o in multiple.options if o.correct][:1],
    }
    result = learning.submit_quiz(db.session, enrolment, lesson, wrong)
    assert (result.score, result.passed) == (0, False)
    assert result.answers[single.id][0] is False
    assert lesson.id not in learning.completed_lesson_ids(db.session, enrolment)
    assert learning.submit_quiz(
        db.session, enrolment, lesson, right_answers(lesson.questions)
    ).passed


@pytest.mark.parametrize(
    "tamper", ["foreign_question", "foreign_option", "missing", "two_for_single"]
)
def test_tampered_answers_are_refused_and_nothing_is_recorded(app_ctx, enrolment, tamper):
    _read, lesson, _optional = _lessons(enrolment.course)
    answers = right_answers(lesson.questions)
    single = lesson.questions[0]
    if tamper == "foreign_question":
        answers[999_999] = [1]
    elif tamper == "foreign_option":
        answers[single.id] = [lesson.questions[1].options[0].id]
    elif tamper == "missing":
        answers.pop(single.id)
    else:
        answers[single.id] = [o.id for o in single.options]
    with pytest.raises(learning.LearningError):
        learning.submit_quiz(db.session, enrolment, lesson, answers)
    assert db.session.scalar(db.select(db.func.count(QuizAttempt.id))) == 0


def test_a_passed_quiz_cannot_be_submitted_again(app_ctx, enrolment):
    _read, lesson, _optional = _lessons(enrolment.course)
    learning.submit_quiz(db.session, enrolment, lesson, right_answers(lesson.questions))
    with pytest.raises(learning.LearningError, match="ya aprobó"):
        learning.submit_quiz(db.session, enrolment, lesson, right_answers(lesson.questions))


def test_lessons_with_questions_are_finished_by_the_quiz_not_a_button(app_ctx, enrolment):
    _read, lesson, _optional = _lessons(enrolment.course)
    with pytest.raises(learning.LearningError):
        learning.finish_reading(db.session, enrolment, lesson)


def test_continue_goes_to_the_first_unfinished_lesson_after_the_last_opened(app_ctx, enrolment):
    read, lesson, optional = _lessons(enrolment.course)
    assert learning.next_lesson(db.session, enrolment) == read
    learning.open_lesson(db.session, enrolment, lesson)
    assert learning.next_lesson(db.session, enrolment) == lesson
    learning.submit_quiz(db.session, enrolment, lesson, right_answers(lesson.questions))
    assert learning.next_lesson(db.session, enrolment) == optional
    learning.finish_reading(db.session, enrolment, optional)
    assert learning.next_lesson(db.session, enrolment) == read


def test_starter_courses_load_once_and_are_complete(app_ctx):
    from telecenter.courses.starter import load_starter_courses

    loaded = load_starter_courses(db.session)
    assert {c.title for c in loaded} == {
        "Mis primeros pasos en la computadora e internet",
        "Finanzas para mi familia",
    }
    for course in loaded:
        assert len(course.lessons) >= 4
        assert all(lesson.questions for lesson in course.lessons)
        assert course.final_questions
        assert course.published
    assert load_starter_courses(db.session) == []
    assert db.session.scalar(db.select(db.func.count(Course.id))) == 2


def test_reopening_the_same_lesson_soon_needs_no_write(app_ctx, enrolment):
    from datetime import timedelta

    read, lesson, _optional = _lessons(enrolment.course)
    assert learning.needs_touch(enrolment, read)
    learning.open_lesson(db.session, enrolment, read)
    assert not learning.needs_touch(enrolment, read)
    assert learning.needs_touch(enrolment, lesson)
    enrolment.last_activity_at -= timedelta(minutes=6)
    assert learning.needs_touch(enrolment, read)
