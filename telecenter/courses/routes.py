"""Learning pages: catalogue, course, lesson, quizzes, certificate, media."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from telecenter import wording
from telecenter.auth.permissions import public, roles_required
from telecenter.auth.roles import RESIDENT, SITE_ROLES, STAFF
from telecenter.courses import content, learning, media, voice
from telecenter.courses.models import Course, Enrolment, Lesson, MediaFile
from telecenter.extensions import db, db_session
from telecenter.forms import EmptyForm
from telecenter.participants.resident_accounts import participant_of
from telecenter.request_values import query_int, stored_id, stored_ids
from telecenter.views import attempt

bp = Blueprint("courses", __name__, url_prefix="/courses")
site_users = roles_required(*SITE_ROLES)
residents = roles_required(RESIDENT)
MEDIA_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def load_course(course_id: int) -> Course:
    """Residents see only published courses; staff see drafts too."""
    course = db.get_or_404(Course, course_id)
    if not course.published and current_user.role not in STAFF:
        abort(404)
    return course


def load_lesson(course: Course, lesson_id: int) -> Lesson:
    lesson = db.get_or_404(Lesson, lesson_id)
    if lesson.course_id != course.id or lesson.archived:
        abort(404)
    return lesson


def my_participant():
    participant = participant_of(db_session(), current_user)
    if participant is None:
        abort(403)
    return participant


def my_enrolment(course: Course) -> Enrolment | None:
    if current_user.role != RESIDENT:
        return None
    return learning.find_enrolment(db_session(), course, my_participant())


@bp.route("/")
@site_users
def catalogue():
    query = db.select(Course).order_by(Course.category, Course.title)
    if current_user.role not in STAFF:
        query = query.where(Course.published.is_(True))
    courses = db_session().scalars(query).all()
    return render_template("courses/catalogue.html", courses=courses)


@bp.route("/<int:course_id>")
@site_users
def course(course_id: int):
    course = load_course(course_id)
    enrolment = my_enrolment(course)
    done = learning.completed_lesson_ids(db_session(), enrolment) if enrolment else set()
    return render_template(
        "courses/course.html",
        course=course,
        enrolment=enrolment,
        done=done,
        form=EmptyForm(),
        progress=learning.progress(db_session(), enrolment, done) if enrolment else None,
        next_lesson=learning.next_lesson(db_session(), enrolment, done) if enrolment else None,
    )


@bp.route("/<int:course_id>/enrol", methods=["POST"])
@residents
def enrol(course_id: int):
    course = load_course(course_id)
    if EmptyForm().validate_on_submit():
        participant = my_participant()
        if attempt(
            lambda: learning.enrol(db_session(), course, participant, actor=current_user)
        ).ok:
            flash(wording.enrolled_in_course(participant.sex), "success")
    return redirect(url_for(".course", course_id=course.id))


@bp.route("/<int:course_id>/lessons/<int:lesson_id>")
@site_users
def lesson(course_id: int, lesson_id: int):
    course = load_course(course_id)
    lesson = load_lesson(course, lesson_id)
    enrolment = my_enrolment(course)
    if current_user.role == RESIDENT and enrolment is None:
        flash(_("Primero inscríbase en el curso."), "info")
        return redirect(url_for(".course", course_id=course.id))
    page = _render_lesson(course, lesson, enrolment)
    if enrolment is not None and learning.needs_touch(enrolment, lesson):
        # Written after rendering: the commit expires what the page would otherwise reload.
        attempt(lambda: learning.open_lesson(db_session(), enrolment, lesson))
    return page


def _render_lesson(course, lesson, enrolment):
    done = learning.completed_lesson_ids(db_session(), enrolment) if enrolment else set()
    lessons = course.lessons
    index = lessons.index(lesson)
    return render_template(
        "courses/lesson.html",
        course=course,
        lesson=lesson,
        enrolment=enrolment,
        body=content.render_lesson(lesson.body_markdown, course_id=course.id),
        recording=voice.recording_for(lesson, enrolment.participant if enrolment else None),
        done=done,
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
        form=EmptyForm(),
        progress=learning.progress(db_session(), enrolment, done) if enrolment else None,
        **_quiz_context(enrolment, lesson),
    )


def _quiz_context(enrolment, lesson) -> dict:
    """What a quiz shows now: this try's option order, and the result of the attempt just
    sent (?attempt=ID) or the answers and message of a submission that was refused."""
    result = None
    attempt_id = query_int("attempt", 0)
    if enrolment is not None and attempt_id:
        result = learning.attempt_result(db_session(), enrolment, lesson, attempt_id)
    kept = session.pop(KEPT_ANSWERS, None)
    kept = kept if kept and kept.get("path") == request.path else {}
    return {
        "result": result,
        "orders": learning.option_order(db_session(), enrolment, lesson),
        "quiz_error": kept.get("error"),
        "kept": {int(qid): set(ids) for qid, ids in kept.get("answers", {}).items()},
    }


#: A refused quiz submission's answers and message, kept for the page it redirects to.
KEPT_ANSWERS = "quiz_refused"


def _after_quiz(outcome, answers: dict[int, list[int]], page: str, enrolment: Enrolment):
    """Every submission redirects (a reload never sends it again) to where the answer is in
    view: the result, the refusal beside the quiz, or the course's celebration when this try
    completed it."""
    if not outcome.ok:
        session[KEPT_ANSWERS] = {
            "path": page,
            "error": outcome.error.message,
            "answers": {str(qid): ids for qid, ids in answers.items()},
        }
        return redirect(f"{page}#quiz")
    if outcome.value.completed_course:
        return redirect(url_for(".finished", course_id=enrolment.course_id))
    return redirect(f"{page}?attempt={outcome.value.attempt_id}#quiz-result")


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/done", methods=["POST"])
@residents
def finish_lesson(course_id: int, lesson_id: int):
    course = load_course(course_id)
    lesson = load_lesson(course, lesson_id)
    enrolment = my_enrolment(course) or abort(403)
    was_completed = enrolment.completed_at is not None
    if (
        EmptyForm().validate_on_submit()
        and attempt(lambda: learning.finish_reading(db_session(), enrolment, lesson)).ok
    ):
        flash(_("¡Muy bien! Terminó la lección."), "success")
    if enrolment.completed_at is not None and not was_completed:
        return redirect(url_for(".finished", course_id=course.id))
    return redirect(_next_step_url(course, enrolment))


def _next_step_url(course: Course, enrolment: Enrolment) -> str:
    """Where a learner goes after finishing a lesson: the next one, or the final quiz."""
    following = learning.next_lesson(db_session(), enrolment)
    if following is not None:
        return url_for(".lesson", course_id=course.id, lesson_id=following.id)
    if course.final_questions and enrolment.completed_at is None:
        return url_for(".final_quiz", course_id=course.id)
    return url_for(".course", course_id=course.id)


def submitted_answers() -> dict[int, list[int]]:
    """{question id: [option ids]} from fields named q-<question id>; junk becomes a 400."""
    answers: dict[int, list[int]] = {}
    for key in request.form:
        if not key.startswith("q-"):
            continue
        question_id = stored_id(key[2:])
        options = request.form.getlist(key)
        chosen = stored_ids(options)
        if question_id is None or len(chosen) != len(options):
            abort(400)
        answers[question_id] = chosen
    return answers


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/quiz", methods=["POST"])
@residents
def lesson_quiz(course_id: int, lesson_id: int):
    course = load_course(course_id)
    lesson = load_lesson(course, lesson_id)
    enrolment = my_enrolment(course) or abort(403)
    answers = submitted_answers()
    outcome = attempt(
        lambda: learning.submit_quiz(db_session(), enrolment, lesson, answers),
        flash_errors=False,  # shown beside the quiz
        keep_loaded=True,
    )
    page = url_for(".lesson", course_id=course.id, lesson_id=lesson.id)
    return _after_quiz(outcome, answers, page, enrolment)


@bp.route("/<int:course_id>/final-quiz", methods=["GET", "POST"])
@residents
def final_quiz(course_id: int):
    course = load_course(course_id)
    enrolment = my_enrolment(course) or abort(403)
    if request.method == "POST":
        answers = submitted_answers()
        outcome = attempt(
            lambda: learning.submit_quiz(db_session(), enrolment, None, answers),
            flash_errors=False,  # shown beside the quiz
            keep_loaded=True,
        )
        return _after_quiz(outcome, answers, request.path, enrolment)
    return render_template(
        "courses/final_quiz.html",
        course=course,
        enrolment=enrolment,
        progress=learning.progress(db_session(), enrolment),
        **_quiz_context(enrolment, None),
    )


@bp.route("/<int:course_id>/finished")
@residents
def finished(course_id: int):
    """The moment of having finished: the certificate first."""
    course = load_course(course_id)
    enrolment = _my_completion(course)
    if enrolment is None:
        return redirect(url_for(".course", course_id=course.id))
    return render_template("courses/finished.html", course=course, enrolment=enrolment)


def _my_completion(course: Course) -> Enrolment | None:
    """The resident's enrolment in a course she has completed; None before that."""
    enrolment = my_enrolment(course)
    return enrolment if enrolment is not None and enrolment.completed_at is not None else None


@bp.route("/<int:course_id>/certificate")
@residents
def certificate(course_id: int):
    course = load_course(course_id)
    enrolment = _my_completion(course) or abort(404)
    return render_template("courses/certificate.html", course=course, enrolment=enrolment)


@bp.route("/certificates/verify")
@public
def verify_certificate():
    code = request.args.get("code", "")[:20]
    enrolment = learning.verify_certificate(db_session(), code) if code else None
    return render_template(
        "courses/verify.html", code=code, enrolment=enrolment, checked=bool(code)
    ), (404 if code and enrolment is None else 200)


@bp.route("/<int:course_id>/media/<filename>")
@site_users
def media_file(course_id: int, filename: str):
    course = load_course(course_id)
    record = db_session().scalar(
        db.select(MediaFile).where(MediaFile.course_id == course.id, MediaFile.filename == filename)
    )
    if record is None:
        abort(404)
    response = send_from_directory(
        media.course_folder(course.id),
        record.filename,
        mimetype=record.content_type,
        max_age=7 * 24 * 3600,
    )
    response.headers["Content-Disposition"] = "inline"
    # A drawing opened on its own must not run or fetch anything, whatever slipped through.
    response.headers["Content-Security-Policy"] = MEDIA_POLICY
    return response
