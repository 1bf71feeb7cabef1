"""Course authoring for trainers and admins: courses, modules, lessons, quizzes, media, packs."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import STAFF
from telecenter.clock import today_in_lima
from telecenter.courses import authoring, content, learning, media, packs, recordings, reports
from telecenter.courses.forms import (
    ClipForm,
    CourseForm,
    LessonForm,
    MediaForm,
    ModuleForm,
    PackForm,
    QuestionForm,
    RecordingForm,
    option_rows,
    question_item,
    question_values,
)
from telecenter.courses.models import Course, Lesson, MediaFile, Module, Question
from telecenter.errors import json_error, wants_json
from telecenter.extensions import db, db_session
from telecenter.forms import EmptyForm, filled
from telecenter.participants import groups
from telecenter.participants import services as registry
from telecenter.participants.lookup import load_participant
from telecenter.request_values import stored_id, stored_ids
from telecenter.uploads import accepts_upload
from telecenter.views import attempt, csv_download, failed_status, file_download, handle_form

bp = Blueprint("course_authoring", __name__, url_prefix="/courses/manage")
staff_only = roles_required(*STAFF)


def _course(course_id: int) -> Course:
    return db.get_or_404(Course, course_id)


def _part(model, part_id: int | None, course: Course):
    """A module, lesson or question that belongs to this course, or 404."""
    if part_id is None:
        abort(404)
    item = db.get_or_404(model, part_id)
    if item.course_id != course.id:
        abort(404)
    return item


@bp.route("/new", methods=["GET", "POST"])
@staff_only
def new_course():
    form = CourseForm()
    return handle_form(
        form,
        lambda: authoring.save_course(db_session(), form.fields()),
        template="courses/manage/course_form.html",
        course=None,
        success=lambda course: (
            _("Curso creado. Ahora agregue módulos y lecciones."),
            url_for(".edit_course", course_id=course.id),
        ),
    )


@bp.route("/<int:course_id>", methods=["GET", "POST"])
@staff_only
def edit_course(course_id: int):
    course = _course(course_id)
    form = CourseForm(obj=course)
    return handle_form(
        form,
        lambda: authoring.save_course(db_session(), form.fields(), course=course),
        template="courses/manage/course_form.html",
        course=course,
        module_form=ModuleForm(formdata=None),
        action_form=EmptyForm(),
        success=lambda _saved: (
            _("Cambios guardados."),
            url_for(".edit_course", course_id=course.id),
        ),
    )


@bp.route("/<int:course_id>/modules", methods=["POST"])
@staff_only
def add_module(course_id: int):
    course = _course(course_id)
    form = ModuleForm()
    if form.validate_on_submit():
        if attempt(lambda: authoring.add_module(db_session(), course, filled(form.title.data))).ok:
            flash(_("Módulo agregado."), "success")
    else:
        flash(_("Escriba el nombre del módulo."), "error")
    return redirect(url_for(".edit_course", course_id=course.id))


@bp.route("/<int:course_id>/<kind>/<int:part_id>/move/<direction>", methods=["POST"])
@staff_only
def move(course_id: int, kind: str, part_id: int, direction: str):
    course = _course(course_id)
    if kind not in ("modules", "lessons") or direction not in ("up", "down"):
        abort(404)

    def move_part():  # positions read under the write lock, so two moves cannot interleave
        part = _part(Module if kind == "modules" else Lesson, part_id, course)
        siblings = course.modules if kind == "modules" else part.module.lessons
        authoring.move(siblings, part, -1 if direction == "up" else 1)

    if EmptyForm().validate_on_submit():
        attempt(move_part)
    return redirect(url_for(".edit_course", course_id=course.id))


def _lesson_page(course, module, lesson, form, *, preview=None, recording_form=None, status=200):
    return render_template(
        "courses/manage/lesson_form.html",
        course=course,
        module=module,
        lesson=lesson,
        form=form,
        preview=preview,
        files=media.by_kind(media.files_of(db_session(), course.id)),
        recording_form=recording_form or RecordingForm(formdata=None),
        languages=recordings.LANGUAGES,
        here=_this_pc_address(),
    ), status


def _this_pc_address() -> str:
    """This page's address on the telecenter PC itself, where browsers let a page use the
    microphone over plain http."""
    port = request.host.rpartition(":")[2] if ":" in request.host else ""
    return f"http://127.0.0.1:{port}" if port.isascii() and port.isdigit() else "http://127.0.0.1"


def _media_json(course: Course, record: MediaFile) -> dict:
    return {
        "name": record.filename,
        "kind": media.kind_of(record.content_type),
        "url": url_for("courses.media_file", course_id=course.id, filename=record.filename),
    }


def _form_messages(form) -> str:
    """Every message of a refused form, for a script that shows one sentence."""
    messages = [error for f in form for error in f.errors] + list(form.form_errors)
    return " ".join(str(m) for m in messages) or _("No se pudo guardar. Intente de nuevo.")


@bp.route("/<int:course_id>/modules/<int:module_id>/lessons/new", methods=["GET", "POST"])
@bp.route("/<int:course_id>/lessons/<int:lesson_id>", methods=["GET", "POST"])
@staff_only
def lesson_form(course_id: int, module_id: int | None = None, lesson_id: int | None = None):
    course = _course(course_id)
    lesson = _part(Lesson, lesson_id, course) if lesson_id else None
    module = lesson.module if lesson else _part(Module, module_id, course)
    form = LessonForm(obj=lesson)
    if not form.validate_on_submit():
        return _lesson_page(course, module, lesson, form, status=failed_status(form))
    if request.form.get("action") == "preview":
        preview = content.render(form.body_markdown.data or "", course_id=course.id)
        return _lesson_page(course, module, lesson, form, preview=preview)
    outcome = attempt(
        lambda: authoring.save_lesson(
            db_session(),
            module,
            title=filled(form.title.data),
            body_markdown=form.body_markdown.data or "",
            required=form.required.data,
            lesson=lesson,
        ),
        form=form,
    )
    if not outcome.ok:
        return _lesson_page(course, module, lesson, form, status=400)
    flash(_("Lección guardada."), "success")
    return redirect(url_for(".lesson_form", course_id=course.id, lesson_id=outcome.value.id))


@bp.route("/<int:course_id>/preview", methods=["POST"])
@staff_only
def preview(course_id: int):
    """The live preview of the lesson editor: {"html", "problem"} for the text posted (JSON
    {"text"} or a form field `text`), rendered by the lessons' own renderer."""
    course = _course(course_id)
    data = request.get_json(silent=True)
    text = data.get("text") if isinstance(data, dict) else request.form.get("text", "")
    if not isinstance(text, str):
        return json_error(400, _("Falta el texto de la lección."))
    outcome = attempt(lambda: authoring.preview(text, course.id), write=False, flash_errors=False)
    if not outcome.ok:
        return json_error(400, outcome.error.message)
    return jsonify(html=outcome.value.html, problem=outcome.value.problem)


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/recordings", methods=["POST"])
@staff_only
@accepts_upload(media.MAX_MEDIA_BYTES)
def add_recording(course_id: int, lesson_id: int):
    """Give the lesson its recording in a language: recorded in the page (a script sends it
    and asks for JSON) or a file chosen in the form."""
    course = _course(course_id)
    lesson = _part(Lesson, lesson_id, course)
    form = RecordingForm()
    if form.validate_on_submit():
        upload = form.file.data
        language = form.language.data
        outcome = attempt(
            lambda: recordings.record_lesson(
                db_session(), lesson, language, upload.stream, upload.filename or ""
            ),
            form=form,
            write=False,
        )
        if outcome.ok:
            flash(
                _("Grabación guardada: %(language)s.", language=recordings.LANGUAGES[language]),
                "success",
            )
            target = url_for(".lesson_form", course_id=course.id, lesson_id=lesson.id)
            return jsonify(location=target) if wants_json() else redirect(target)
    if wants_json():
        return json_error(400, _form_messages(form))
    return _lesson_page(
        course,
        lesson.module,
        lesson,
        LessonForm(formdata=None, obj=lesson),  # the lesson as saved: this form sent a file
        recording_form=form,
        status=400,
    )


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/recordings/<language>/delete", methods=["POST"])
@staff_only
def remove_recording(course_id: int, lesson_id: int, language: str):
    course = _course(course_id)
    lesson = _part(Lesson, lesson_id, course)
    if (
        EmptyForm().validate_on_submit()
        and attempt(
            lambda: recordings.remove_from_lesson(db_session(), lesson, language), write=False
        ).ok
    ):
        flash(
            _("Grabación quitada: %(language)s.", language=recordings.LANGUAGES[language]),
            "success",
        )
    return redirect(url_for(".lesson_form", course_id=course.id, lesson_id=lesson.id))


@bp.route("/<int:course_id>/recordings", methods=["POST"])
@staff_only
@accepts_upload(media.MAX_MEDIA_BYTES)
def add_clip(course_id: int):
    """A recording made in the question editor, stored as a course file: JSON for its script,
    which then chooses it in the question's (or option's) audio list."""
    course = _course(course_id)
    form = ClipForm()
    if not form.validate_on_submit():
        return json_error(400, _form_messages(form))
    upload = form.file.data
    outcome = attempt(
        lambda: recordings.record_clip(
            db_session(), course.id, upload.stream, upload.filename or ""
        ),
        form=form,
        write=False,
    )
    if not outcome.ok:
        return json_error(400, _form_messages(form))
    return jsonify(_media_json(course, outcome.value))


def _questions_url(course: Course, lesson_id: int | None) -> str:
    if lesson_id:
        return url_for(".questions", course_id=course.id, lesson_id=lesson_id)
    return url_for(".questions", course_id=course.id)


def _question_editor(course: Course, lesson: Lesson | None, question: Question | None = None):
    """Add a question (the list page) or edit one (its own page): the same form."""
    form = QuestionForm(obj=question)
    if form.validate_on_submit():
        item = question_item(form, request.form)
        if attempt(
            lambda: authoring.save_question(db_session(), course, lesson, item, question=question),
            form=form,
        ).ok:
            flash(_("Pregunta guardada.") if question else _("Pregunta agregada."), "success")
            return redirect(_questions_url(course, lesson.id if lesson else None))
    values = request.form if form.is_submitted() else question_values(question)
    return render_template(
        "courses/manage/question_edit.html" if question else "courses/manage/questions.html",
        course=course,
        lesson=lesson,
        form=form,
        questions=lesson.questions if lesson else course.final_questions,
        values=values,
        option_rows=option_rows(values),
        files=media.by_kind(media.files_of(db_session(), course.id)),
        here=_this_pc_address(),
    ), failed_status(form)


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/questions", methods=["GET", "POST"])
@bp.route("/<int:course_id>/final-quiz/questions", methods=["GET", "POST"])
@staff_only
def questions(course_id: int, lesson_id: int | None = None):
    course = _course(course_id)
    return _question_editor(course, _part(Lesson, lesson_id, course) if lesson_id else None)


@bp.route("/<int:course_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_question(course_id: int, question_id: int):
    course = _course(course_id)
    question = _part(Question, question_id, course)
    return _question_editor(course, question.lesson, question)


@bp.route("/<int:course_id>/questions/<int:question_id>/delete", methods=["POST"])
@staff_only
def delete_question(course_id: int, question_id: int):
    course = _course(course_id)
    question = _part(Question, question_id, course)
    back = _questions_url(course, question.lesson_id)
    if EmptyForm().validate_on_submit() and attempt(lambda: db_session().delete(question)).ok:
        flash(_("Pregunta borrada."), "success")
    return redirect(back)


@bp.route("/<int:course_id>/media", methods=["GET", "POST"])
@staff_only
@accepts_upload(media.MAX_MEDIA_BYTES)
def course_media(course_id: int):
    """The course's files; an upload from the lesson editor's picker asks for JSON."""
    course = _course(course_id)
    form = MediaForm()
    if form.validate_on_submit():
        upload = form.file.data
        # Copying and checking the file is slow: done before the write lock is taken.
        staged = attempt(
            lambda: media.stage(upload.stream, upload.filename or ""), form=form, write=False
        )
        placed = staged.ok and attempt(
            lambda: media.place(db_session(), course, staged.value), form=form
        )
        if placed and placed.ok:
            stored = placed.value
            if wants_json():
                return jsonify(_media_json(course, stored))
            flash(
                _(
                    "Archivo guardado. Úselo en una lección así: %(code)s",
                    code="![{}](media/{})".format(_("descripción"), stored.filename),
                ),
                "success",
            )
            return redirect(url_for(".course_media", course_id=course.id))
    if wants_json():
        return json_error(400, _form_messages(form))
    return render_template(
        "courses/manage/media.html",
        course=course,
        form=form,
        media_files=media.files_of(db_session(), course.id),
    ), failed_status(form)


@bp.route("/<int:course_id>/export")
@staff_only
def export_pack(course_id: int):
    course = _course(course_id)
    data = packs.export_pack(db_session(), course)
    filename = f"{course.slug}-v{course.version}.zip"
    return file_download(data, filename, "application/zip")


@bp.route("/import", methods=["GET", "POST"])
@staff_only
@accepts_upload(packs.MAX_PACK_BYTES)
def import_pack():
    form = PackForm()
    problems: list[str] = []
    if form.validate_on_submit():
        # import_pack checks the pack without the lock, then takes it to write the course.
        outcome = attempt(
            lambda: packs.import_pack(db_session(), form.file.data.stream),
            write=False,
            flash_errors=False,
        )
        problems = getattr(outcome.error, "problems", [])
        if outcome.ok:
            course = outcome.value
            flash(
                _(
                    "Curso «%(title)s» importado (versión %(v)d).",
                    title=course.title,
                    v=course.version,
                ),
                "success",
            )
            return redirect(url_for(".edit_course", course_id=course.id))
    return render_template("courses/manage/import.html", form=form, problems=problems), (
        400 if problems or form.errors else 200
    )


@bp.route("/<int:course_id>/enrol", methods=["GET", "POST"])
@staff_only
def enrol_group(course_id: int):
    course = _course(course_id)
    text = request.args.get("q", "").strip()[:100]
    people, _total = registry.search(db_session(), text)
    if request.method == "POST" and EmptyForm().validate_on_submit():
        ids = _chosen_people()
        outcome = attempt(
            lambda: learning.enrol_group(db_session(), course, ids, actor=current_user)
        )
        if outcome.ok:
            flash(_("%(n)d personas inscritas.", n=outcome.value), "success")
            return redirect(url_for(".report", course_id=course.id))
    return render_template(
        "courses/manage/enrol_group.html",
        course=course,
        people=people,
        q=text,
        form=EmptyForm(),
        groups=groups.all_groups(db_session()),
    )


def _chosen_people() -> list[int]:
    """The people ticked on the page, or every member of the saved group chosen."""
    group_id = stored_id(request.form.get("group_id"))
    if group_id is not None:
        return sorted(groups.member_ids(db_session(), group_id))
    return stored_ids(request.form.getlist("participant"))


@bp.route("/<int:course_id>/report")
@staff_only
def report(course_id: int):
    course = _course(course_id)
    return render_template(
        "courses/manage/report.html",
        course=course,
        report=reports.course_report(db_session(), course),
    )


@bp.route("/<int:course_id>/report.csv")
@staff_only
def report_csv(course_id: int):
    """The page's list of learners, for a spreadsheet."""
    course = _course(course_id)
    body = reports.learners_csv(reports.course_report(db_session(), course))
    return csv_download(body, f"curso-{course.slug}-personas-{today_in_lima()}.csv")


@bp.route("/participants/<int:participant_id>")
@staff_only
def participant_report(participant_id: int):
    participant = load_participant(participant_id)
    return render_template(
        "courses/manage/participant_report.html",
        p=participant,
        rows=reports.participant_courses(db_session(), participant),
    )
