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
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from telecenter import wording
from telecenter.auth.permissions import public, roles_required
from telecenter.auth.roles import RESIDENT, SITE_ROLES, STAFF
from telecenter.courses import content, learning, media
from telecenter.courses.models import Course, Enrolment, Lesson, MediaFile
from telecenter.extensions import db, db_session
from telecenter.forms import EmptyForm
from telecenter.views import Done, Outcome, attempt

bp = Blueprint("courses", __name__, url_prefix="/courses")
site_users = roles_required(*SITE_ROLES)
residents = roles_required(RESIDENT)


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
    participant = learning.participant_of(db_session(), current_user)
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


def _render_lesson(course, lesson, enrolment, result=None, error=None, status=200):
    done = learning.completed_lesson_ids(db_session(), enrolment) if enrolment else set()
    lessons = course.lessons
    index = lessons.index(lesson)
    return render_template(
        "courses/lesson.html",
        course=course,
        lesson=lesson,
        enrolment=enrolment,
        body=content.render_lesson(lesson.body_markdown, course_id=course.id),
        done=done,
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
        result=result,
        quiz_error=error,
        form=EmptyForm(),
        progress=learning.progress(db_session(), enrolment, done) if enrolment else None,
    ), status


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/done", methods=["POST"])
@residents
def finish_lesson(course_id: int, lesson_id: int):
    course = load_course(course_id)
    lesson = load_lesson(course, lesson_id)
    enrolment = my_enrolment(course) or abort(403)
    if (
        EmptyForm().validate_on_submit()
        and attempt(lambda: learning.finish_reading(db_session(), enrolment, lesson)).ok
    ):
        flash(_("¡Muy bien! Terminó la lección."), "success")
    following = learning.next_lesson(db_session(), enrolment)
    target = (
        url_for(".lesson", course_id=course.id, lesson_id=following.id)
        if following
        else url_for(".course", course_id=course.id)
    )
    return redirect(target)


def submitted_answers() -> dict[int, list[int]]:
    """{question id: [option ids]} from fields named q-<question id>; junk becomes a 400."""
    answers: dict[int, list[int]] = {}
    for key in request.form:
        if not key.startswith("q-"):
            continue
        try:
            answers[int(key[2:])] = [int(v) for v in request.form.getlist(key)]
        except ValueError:
            abort(400)
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
    if not outcome.ok:
        return _render_lesson(course, lesson, enrolment, error=outcome.error.message, status=400)
    return _render_lesson(course, lesson, enrolment, result=outcome.value)


@bp.route("/<int:course_id>/final-quiz", methods=["GET", "POST"])
@residents
def final_quiz(course_id: int):
    course = load_course(course_id)
    enrolment = my_enrolment(course) or abort(403)
    outcome: Outcome[learning.QuizResult | None] = Done(None)  # nothing submitted yet
    if request.method == "POST":
        answers = submitted_answers()
        outcome = attempt(
            lambda: learning.submit_quiz(db_session(), enrolment, None, answers),
            flash_errors=False,  # shown beside the quiz
            keep_loaded=True,
        )
    return render_template(
        "courses/final_quiz.html",
        course=course,
        enrolment=enrolment,
        result=outcome.value,
        quiz_error=outcome.error and outcome.error.message,
        progress=learning.progress(db_session(), enrolment),
    ), (200 if outcome.ok else 400)


@bp.route("/<int:course_id>/certificate")
@residents
def certificate(course_id: int):
    course = load_course(course_id)
    enrolment = my_enrolment(course)
    if enrolment is None or enrolment.completed_at is None:
        abort(404)
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
    return response
