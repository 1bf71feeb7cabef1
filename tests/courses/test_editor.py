"""The lesson editor (toolbar, pickers, live preview) and the question editor (edit, media)."""

from __future__ import annotations

import io
import json

import pytest

from telecenter.courses import authoring, media
from telecenter.courses.models import Course, Lesson, Option, Question
from telecenter.extensions import db
from tests.conftest import count_rows, csrf_token
from tests.courses import test_course_routes
from tests.courses.conftest import BODIES, definition
from tests.courses.test_content import _elements
from tests.courses.test_course_routes import _lesson, _post
from tests.courses.test_packs_and_media import MP3, PNG

#: The course of the other route tests (a pytest fixture, shared).
course_id = test_course_routes.course_id

JSON = {"Accept": "application/json"}


def _preview(client, text, token=True, **headers):
    if token:
        headers["X-CSRFToken"] = csrf_token(client)
    return client.post(
        _preview_path(client.application),
        data=json.dumps({"text": text}),
        content_type="application/json",
        headers={**JSON, **headers},
    )


def _preview_path(app) -> str:
    with app.app_context():
        return f"/courses/manage/{db.session.scalar(db.select(Course.id))}/preview"


def _upload(client, course_id, name, data):
    answer = _post(
        client,
        f"/courses/manage/{course_id}/media",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)


# ---- Live preview --------------------------------------------------------------------------


def test_the_live_preview_renders_with_the_lessons_own_renderer(app, signed_in, course_id):
    trainer = signed_in("trainer")
    answer = _preview(trainer, "## Injerto\n\nCorte **limpio**.\n\n![Mazorca](media/foto.png)")
    assert answer.status_code == 200
    html = answer.get_json()["html"]
    assert "<h2>Injerto</h2>" in html
    assert "<strong>limpio</strong>" in html
    assert f'<img src="/courses/{course_id}/media/foto.png" alt="Mazorca"' in html
    assert answer.get_json()["problem"] is None
    # The same text as the saved lesson's page shows it.
    with app.app_context():
        from telecenter.courses.content import render_lesson

        assert html == render_lesson(
            "## Injerto\n\nCorte **limpio**.\n\n![Mazorca](media/foto.png)", course_id=course_id
        )


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "[clic](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "![x](https://evil.example/x.png)",
    ],
)
def test_the_preview_never_returns_script_and_says_what_saving_would_refuse(
    signed_in, course_id, attack
):
    trainer = signed_in("trainer")
    body = _preview(trainer, f"Texto\n\n{attack}").get_json()
    elements = _elements(body["html"])  # what a browser would build from it
    assert {tag for tag, _attributes in elements} <= {"p"}
    assert all(attributes == [] for _tag, attributes in elements)
    assert "evil.example" not in body["html"]
    if attack != "![x](https://evil.example/x.png)":
        assert "código no permitido" in body["problem"]


def test_the_preview_takes_a_form_field_too(signed_in, course_id):
    trainer = signed_in("admin")
    answer = _post(trainer, f"/courses/manage/{course_id}/preview", {"text": "**sí**"})
    assert answer.status_code == 200
    assert "<strong>sí</strong>" in answer.get_json()["html"]


def test_the_preview_needs_the_csrf_token(signed_in, course_id):
    trainer = signed_in("trainer")
    answer = _preview(trainer, "## Hola", token=False)
    assert answer.status_code == 400
    assert "html" not in answer.get_json()
    assert "Vuelva a cargar la página" in answer.get_json()["reason"]


def test_the_preview_is_for_staff_only(client, make_participant, course_id):
    answer = _preview(client, "## Hola")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/sign-in")
    make_participant(document_type="dni", document_number="44556677", pin="5824")
    client.post(
        "/sign-in/participant",
        data={"identifier": "44556677", "pin": "5824", "csrf_token": csrf_token(client)},
    )
    assert _preview(client, "## Hola").status_code == 403


def test_a_text_too_long_for_a_lesson_is_refused_in_words(signed_in, course_id):
    trainer = signed_in("trainer")
    answer = _preview(trainer, "a" * (authoring.MAX_LESSON_CHARS + 1))
    assert answer.status_code == 400
    assert "demasiado largo" in answer.get_json()["reason"]


# ---- The lesson editor page ----------------------------------------------------------------


def test_the_lesson_editor_offers_the_toolbar_pickers_and_recording(app, signed_in, course_id):
    trainer = signed_in("trainer")
    _upload(trainer, course_id, "mazorca.png", PNG)
    _upload(trainer, course_id, "saludo.mp3", MP3)
    read_id, _ = _lesson(app, course_id, "leer")
    page = trainer.get(f"/courses/manage/{course_id}/lessons/{read_id}").get_data(as_text=True)
    for label in ("Título", "Negrita", "Lista", "Insertar imagen", "Insertar audio"):
        assert f">{label}<" in page or f"<strong>{label}</strong>" in page
    assert 'rows="18"' in page
    assert f'data-preview-url="/courses/manage/{course_id}/preview"' in page
    assert '<script src="/static/js/editor.js" defer></script>' in page
    # Each picker lists the course's files of its kind.
    image_picker = page.split('data-picker="image"')[1].split("</dialog>")[0]
    audio_picker = page.split('data-picker="audio"')[1].split("</dialog>")[0]
    assert 'data-name="mazorca.png"' in image_picker
    assert "saludo.mp3" not in image_picker
    assert 'data-name="saludo.mp3"' in audio_picker
    assert "Grabación: la lección leída en voz alta" in page
    assert '<option selected value="spanish">Castellano</option>' in page
    assert "http://127.0.0.1" in page  # where to record when this browser cannot
    script = trainer.get("/static/js/editor.js")
    assert script.status_code == 200
    script.close()
    assert "editor.js" not in trainer.get("/home").get_data(as_text=True)


def test_without_the_script_the_preview_button_still_shows_the_lesson(app, signed_in, course_id):
    trainer = signed_in("trainer")
    read_id, _ = _lesson(app, course_id, "leer")
    answer = _post(
        trainer,
        f"/courses/manage/{course_id}/lessons/{read_id}",
        {"title": "Solo leer", "body_markdown": "## Nuevo\n\n- uno", "action": "preview"},
    )
    assert answer.status_code == 200
    assert "<h2>Nuevo</h2>" in answer.get_data(as_text=True)
    assert "<li>uno</li>" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Lesson, read_id).body_markdown == BODIES["lessons/leer.md"]


def test_a_refused_lesson_shows_the_summary_at_the_top_of_the_form(app, signed_in, course_id):
    trainer = signed_in("trainer")
    read_id, _ = _lesson(app, course_id, "leer")
    answer = _post(
        trainer,
        f"/courses/manage/{course_id}/lessons/{read_id}",
        {"title": "", "body_markdown": "x", "action": "save"},
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert page.index("No se guardó la lección") < page.index('name="title"')


# ---- The question editor -------------------------------------------------------------------


def _question_data(prompt="¿Qué ve?", kind="single", **extra):
    return {
        "prompt": prompt,
        "kind": kind,
        "option-0-text": "Una mazorca",
        "option-0-correct": "y",
        "option-0-feedback": "¡Bien!",
        "option-1-text": "Un plátano",
        **extra,
    }


def _first_question(app, course_id) -> tuple[int, int, list[int]]:
    with app.app_context():
        lesson = db.session.scalar(
            db.select(Lesson).where(Lesson.course_id == course_id, Lesson.slug == "con-preguntas")
        )
        question = lesson.questions[0]
        return question.id, question.position, [o.id for o in question.options]


def _media_of_questions(app) -> list[tuple]:
    with app.app_context():
        return (
            db.session.execute(
                db.select(Question.id, Question.prompt, Question.audio, Question.image).order_by(
                    Question.id
                )
            ).all()
            + db.session.execute(
                db.select(Option.id, Option.text, Option.audio, Option.image).order_by(Option.id)
            ).all()
        )


def test_editing_a_question_keeps_its_place_and_updates_options_and_media(
    app, signed_in, course_id
):
    trainer = signed_in("trainer")
    _upload(trainer, course_id, "mazorca.png", PNG)
    _upload(trainer, course_id, "platano.png", PNG)
    _upload(trainer, course_id, "pregunta.mp3", MP3)
    question_id, position, option_ids = _first_question(app, course_id)
    path = f"/courses/manage/{course_id}/questions/{question_id}/edit"
    form = trainer.get(path).get_data(as_text=True)
    assert 'value="¿Cuánto es 2 + 2?"' in form
    assert 'value="Bien"' in form  # the first option's feedback, prefilled
    saved = _post(
        trainer,
        path,
        _question_data(
            "¿Cuáles son frutos?",
            "multiple",
            **{
                "question-audio": "pregunta.mp3",
                "question-image": "mazorca.png",
                "option-1-correct": "y",
                "option-1-image": "platano.png",
                "option-1-audio": "pregunta.mp3",
                "option-2-text": "Una piedra",
                "option-2-feedback": "No es un fruto",
            },
        ),
    )
    assert saved.status_code == 302
    read_id, _ = _lesson(app, course_id, "con-preguntas")
    assert saved.headers["Location"] == f"/courses/manage/{course_id}/lessons/{read_id}/questions"
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert question.position == position
        assert (question.prompt, question.kind) == ("¿Cuáles son frutos?", "multiple")
        assert (question.audio, question.image) == ("pregunta.mp3", "mazorca.png")
        options = [(o.text, o.correct, o.feedback, o.audio, o.image) for o in question.options]
        assert options == [
            ("Una mazorca", True, "¡Bien!", None, None),
            ("Un plátano", True, "", "pregunta.mp3", "platano.png"),
            ("Una piedra", False, "No es un fruto", None, None),
        ]
        # The options it kept are the same rows (answers already given point at them).
        assert [o.id for o in question.options][:2] == option_ids
        assert question.lesson.questions[0].id == question_id
    listing = trainer.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Pregunta guardada." in listing
    assert f'class="thumb" src="/courses/{course_id}/media/mazorca.png"' in listing
    assert f'<audio controls preload="none" src="/courses/{course_id}/media/pregunta.mp3">' in (
        listing
    )
    assert f"/courses/manage/{course_id}/questions/{question_id}/edit" in listing
    again = trainer.get(path).get_data(as_text=True)
    assert '<option value="pregunta.mp3"' in again
    assert 'value="pregunta.mp3" data-url' in again
    assert f'data-url="/courses/{course_id}/media/pregunta.mp3" selected' in again


def test_a_question_with_six_options_shows_all_six_to_edit(app, signed_in, course_id):
    trainer = signed_in("trainer")
    with app.app_context():
        course = db.session.get(Course, course_id)
        options = [{"text": f"op {n}", "correct": n == 0, "feedback": ""} for n in range(6)]
        question = authoring.save_question(
            db.session, course, None, {"prompt": "Seis", "kind": "single", "options": options}
        )
        db.session.commit()
        question_id = question.id
    form = trainer.get(f"/courses/manage/{course_id}/questions/{question_id}/edit")
    assert 'value="op 5"' in form.get_data(as_text=True)
    data = {"prompt": "Seis", "kind": "single", "option-0-correct": "y"}
    data |= {f"option-{n}-text": f"op {n}" for n in range(6)}
    answer = _post(trainer, f"/courses/manage/{course_id}/questions/{question_id}/edit", data)
    assert answer.status_code == 302
    with app.app_context():
        assert len(db.session.get(Question, question_id).options) == 6


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("question-audio", "otra.mp3", "El audio elegido para la pregunta no es un audio"),
        ("question-audio", "mazorca.png", "El audio elegido para la pregunta no es un audio"),
        ("question-image", "saludo.mp3", "La imagen elegida para la pregunta no es una imagen"),
        ("question-image", "ajeno.png", "La imagen elegida para la pregunta no es una imagen"),
        ("option-1-image", "ajeno.png", "opción «Un plátano» no es una imagen"),
        ("option-0-audio", "mazorca.png", "opción «Una mazorca» no es un audio"),
        ("question-image", "../../etc/passwd", "Revise la pregunta"),
    ],
)
def test_a_file_that_is_not_this_courses_media_of_that_kind_is_refused(
    app, signed_in, course_id, field, value, message
):
    trainer = signed_in("trainer")
    _upload(trainer, course_id, "mazorca.png", PNG)
    _upload(trainer, course_id, "saludo.mp3", MP3)
    with app.app_context():  # another course's picture
        other = authoring.apply_definition(
            db.session, definition(slug="otro", title="Otro curso"), BODIES
        )
        media.store(db.session, other, "ajeno.png", PNG)
        db.session.commit()
    question_id, _position, _ids = _first_question(app, course_id)
    before = _media_of_questions(app)
    for path in (
        f"/courses/manage/{course_id}/questions/{question_id}/edit",
        f"/courses/manage/{course_id}/final-quiz/questions",
    ):
        answer = _post(trainer, path, _question_data(**{field: value}))
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400
        assert message in page
        assert page.index("error-summary") < page.index('name="prompt"')
        assert _media_of_questions(app) == before


def test_adding_a_question_with_media_and_the_summary_above_the_add_form(app, signed_in, course_id):
    trainer = signed_in("trainer")
    _upload(trainer, course_id, "mazorca.png", PNG)
    path = f"/courses/manage/{course_id}/final-quiz/questions"
    refused = _post(trainer, path, {"prompt": "", "kind": "single"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert f'action="{path}#nueva-pregunta"' in page  # the answer opens at the form
    assert page.index('id="nueva-pregunta"') < page.index("No se agregó la pregunta")
    added = _post(trainer, path, _question_data(**{"option-0-image": "mazorca.png"}))
    assert added.status_code == 302
    assert count_rows(app, "quiz_questions") == 4
    with app.app_context():
        final = db.session.get(Course, course_id).final_questions
        assert final[-1].options[0].image == "mazorca.png"
        assert final[-1].position == 1


def test_a_question_of_another_course_cannot_be_edited_through_this_one(app, signed_in, course_id):
    trainer = signed_in("trainer")
    with app.app_context():
        other = authoring.apply_definition(
            db.session, definition(slug="otro", title="Otro curso"), BODIES
        )
        db.session.commit()
        foreign = other.final_questions[0].id
    assert trainer.get(f"/courses/manage/{course_id}/questions/{foreign}/edit").status_code == 404
