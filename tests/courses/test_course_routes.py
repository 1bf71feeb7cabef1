"""Course pages over HTTP: learning, authoring, uploads, reports."""

from __future__ import annotations

import io

import pytest

from telecenter.courses.models import Course, Enrolment, Lesson
from telecenter.extensions import db
from tests.conftest import count_rows, csrf_token
from tests.courses.conftest import BODIES, definition
from tests.courses.test_packs_and_media import PNG


@pytest.fixture
def course_id(app):
    from telecenter.courses import authoring

    with app.app_context():
        course = authoring.apply_definition(db.session, definition(), BODIES, published=True)
        db.session.commit()
        return course.id


@pytest.fixture
def resident(client, make_participant):
    make_participant(document_type="dni", document_number="44556677", pin="5824")
    client.post(
        "/sign-in/participant",
        data={"identifier": "44556677", "pin": "5824", "csrf_token": csrf_token(client)},
    )
    return client


def _post(client, path, data=None, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def _lesson(app, course_id, slug) -> tuple[int, dict]:
    with app.app_context():
        lesson = db.session.scalar(
            db.select(Lesson).where(Lesson.course_id == course_id, Lesson.slug == slug)
        )
        right = {f"q-{q.id}": sorted(q.correct_ids) for q in lesson.questions}
        return lesson.id, right


def test_resident_enrols_learns_and_sees_progress_on_home(app, resident, course_id):
    page = resident.get(f"/courses/{course_id}").get_data(as_text=True)
    assert "Inscribirme en este curso" in page
    _post(resident, f"/courses/{course_id}/enrol")
    read_id, _ = _lesson(app, course_id, "leer")
    lesson_page = resident.get(f"/courses/{course_id}/lessons/{read_id}").get_data(as_text=True)
    assert "<strong>importante</strong>" in lesson_page
    _post(resident, f"/courses/{course_id}/lessons/{read_id}/done")
    quiz_id, right = _lesson(app, course_id, "con-preguntas")
    home = resident.get("/home").get_data(as_text=True)
    assert "Continuar donde se quedó" in home
    assert "Con preguntas" in home
    # Four steps: three lessons (one optional) and the final quiz.
    assert 'data-testid="progress">25 %' in home
    answer = _post(resident, f"/courses/{course_id}/lessons/{quiz_id}/quiz", right)
    assert answer.status_code == 302
    result = resident.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Acertó 2 de 2 preguntas." in result
    # The result page shows the new progress.
    assert 'data-testid="progress">50 %' in result
    assert 'data-testid="progress">50 %' in resident.get("/home").get_data(as_text=True)


def test_passing_the_final_quiz_shows_the_certificate_link_at_once(app, resident, course_id):
    _post(resident, f"/courses/{course_id}/enrol")
    read_id, _ = _lesson(app, course_id, "leer")
    _post(resident, f"/courses/{course_id}/lessons/{read_id}/done")
    quiz_id, right = _lesson(app, course_id, "con-preguntas")
    _post(resident, f"/courses/{course_id}/lessons/{quiz_id}/quiz", right)
    with app.app_context():
        final = {
            f"q-{q.id}": sorted(q.correct_ids)
            for q in db.session.get(Course, course_id).final_questions
        }
    answer = _post(resident, f"/courses/{course_id}/final-quiz", final)
    assert answer.status_code == 302
    page = resident.get(answer.headers["Location"]).get_data(as_text=True)
    assert "¡Terminó el curso!" in page
    assert f"/courses/{course_id}/certificate" in page
    with app.app_context():
        assert db.session.scalar(db.select(Enrolment.completed_at)) is not None
    again = resident.get(f"/courses/{course_id}/final-quiz").get_data(as_text=True)
    assert "Ya aprobó este curso" in again


def test_wrong_answers_are_marked_and_tampered_ones_are_refused(app, resident, course_id):
    _post(resident, f"/courses/{course_id}/enrol")
    quiz_id, right = _lesson(app, course_id, "con-preguntas")
    wrong = {key: [value[0] + 1] for key, value in right.items()}
    answer = _post(resident, f"/courses/{course_id}/lessons/{quiz_id}/quiz", wrong)
    result = resident.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Acertó 0 de 2 preguntas." in result
    assert "✘" in result
    junk = _post(resident, f"/courses/{course_id}/lessons/{quiz_id}/quiz", {"q-abc": "1"})
    assert junk.status_code == 400
    foreign = _post(
        resident, f"/courses/{course_id}/lessons/{quiz_id}/quiz", {**right, "q-999999": ["1"]}
    )
    assert foreign.headers["Location"].endswith("#quiz")
    shown = resident.get(foreign.headers["Location"]).get_data(as_text=True)
    assert "no son de este cuestionario" in shown
    assert count_rows(app, "lesson_progress") == 0
    assert count_rows(app, "quiz_attempts") == 1


def test_drafts_are_hidden_from_residents(app, resident, course_id):
    with app.app_context():
        db.session.get(Course, course_id).published = False
        db.session.commit()
    assert resident.get(f"/courses/{course_id}").status_code == 404
    assert "Curso de prueba" not in resident.get("/courses/").get_data(as_text=True)


def test_trainer_authors_a_lesson_and_the_preview_matches_the_lesson_page(
    app, signed_in, course_id
):
    trainer = signed_in("trainer")
    with app.app_context():
        module_id = db.session.get(Course, course_id).modules[0].id
    text = "## Injerto\n\nCorte **limpio**.\n\n<script>alert(1)</script>"
    refused = _post(
        trainer,
        f"/courses/manage/{course_id}/modules/{module_id}/lessons/new",
        {"title": "Injerto", "body_markdown": text, "required": "y"},
    )
    assert refused.status_code == 400
    assert "código no permitido" in refused.get_data(as_text=True)
    text = "## Injerto\n\nCorte **limpio**."
    preview = _post(
        trainer,
        f"/courses/manage/{course_id}/modules/{module_id}/lessons/new",
        {"title": "Injerto", "body_markdown": text, "action": "preview"},
    )
    assert "<strong>limpio</strong>" in preview.get_data(as_text=True)
    assert count_rows(app, "lessons") == 3
    saved = _post(
        trainer,
        f"/courses/manage/{course_id}/modules/{module_id}/lessons/new",
        {"title": "Injerto", "body_markdown": text, "action": "save"},
    )
    lesson_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    page = trainer.get(f"/courses/{course_id}/lessons/{lesson_id}").get_data(as_text=True)
    assert "<h2>Injerto</h2>\n<p>Corte <strong>limpio</strong>.</p>" in page
    assert "<h2>Injerto</h2>\n<p>Corte <strong>limpio</strong>.</p>" in preview.get_data(
        as_text=True
    )


def test_trainer_adds_questions_with_feedback(app, signed_in, course_id):
    trainer = signed_in("trainer")
    read_id, _ = _lesson(app, course_id, "leer")
    path = f"/courses/manage/{course_id}/lessons/{read_id}/questions"
    bad = _post(
        trainer,
        path,
        {
            "prompt": "¿Dos correctas?",
            "kind": "single",
            "option-0-text": "a",
            "option-0-correct": "y",
            "option-1-text": "b",
            "option-1-correct": "y",
        },
    )
    assert bad.status_code == 400
    good = _post(
        trainer,
        path,
        {
            "prompt": "¿Cuál es el mouse?",
            "kind": "single",
            "option-0-text": "El ratón",
            "option-0-correct": "y",
            "option-0-feedback": "¡Sí!",
            "option-1-text": "La pantalla",
        },
    )
    assert good.status_code == 302
    assert count_rows(app, "quiz_questions") == 4


def test_media_upload_checks_type_and_size(app, signed_in, course_id):
    from werkzeug.test import EnvironBuilder

    trainer = signed_in("trainer")
    path = f"/courses/manage/{course_id}/media"
    fake = _post(
        trainer,
        path,
        {"file": (io.BytesIO(b"<script>x</script>"), "foto.png")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400
    assert "Solo se aceptan" in fake.get_data(as_text=True)
    good = _post(
        trainer, path, {"file": (io.BytesIO(PNG), "foto.png")}, content_type="multipart/form-data"
    )
    assert good.status_code == 302
    served = trainer.get(f"/courses/{course_id}/media/foto.png")
    body, mimetype = served.data, served.mimetype
    served.close()
    assert body == PNG
    assert mimetype == "image/png"
    builder = EnvironBuilder(
        path=path,
        method="POST",
        data={
            "csrf_token": csrf_token(trainer),
            "file": (io.BytesIO(b"\x00" * (26 * 1024 * 1024)), "big.mp4"),
        },
    )
    environ = builder.get_environ()
    try:
        refused = trainer.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    # The page again, with the limit in plain words; nothing stored.
    assert refused.status_code == 303
    assert refused.headers["Location"] == path
    page = trainer.get(path).get_data(as_text=True)
    assert "el máximo es 25 MB" in page
    assert "big.mp4" not in page
    assert count_rows(app, "course_media") == 1


def test_pack_import_page_lists_problems(app, signed_in):
    trainer = signed_in("admin")
    answer = _post(
        trainer,
        "/courses/manage/import",
        {"file": (io.BytesIO(b"PK\x03\x04broken"), "curso.zip")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert "No se importó el paquete" in answer.get_data(as_text=True)
    assert count_rows(app, "courses") == 0


def test_group_enrolment_and_report_by_sex(app, signed_in, make_participant, course_id):
    trainer = signed_in("trainer")
    ids = [
        make_participant(given_names="Ana", surnames="Uno"),
        make_participant(given_names="Luis", surnames="Dos", sex="male"),
    ]
    answer = _post(
        trainer, f"/courses/manage/{course_id}/enrol", {"participant": [str(i) for i in ids]}
    )
    assert answer.status_code == 302
    report = trainer.get(f"/courses/manage/{course_id}/report").get_data(as_text=True)
    assert '<td data-state="enrolled">2</td>' in report
    assert count_rows(app, "enrolments") == 2
    person = trainer.get(f"/courses/manage/participants/{ids[0]}").get_data(as_text=True)
    assert "Curso de prueba" in person
