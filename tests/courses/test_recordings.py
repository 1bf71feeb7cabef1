"""Recordings: a lesson's per language (attach, replace, remove, refuse), the question editor's
clips, and a pack carrying recordings and the media of questions and options to another site."""

from __future__ import annotations

import io
import shutil

import pytest

from telecenter.courses import media
from telecenter.courses.models import Course, Lesson, LessonRecording, MediaFile, Question
from telecenter.extensions import db
from tests.conftest import count_rows
from tests.courses import test_course_routes
from tests.courses.test_course_routes import _lesson, _post
from tests.courses.test_packs_and_media import MP3, PNG

#: The course of the other route tests (a pytest fixture, shared).
course_id = test_course_routes.course_id

# What Chromium's MediaRecorder starts a recording with: an EBML header whose doctype is webm.
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x00" * 200
)
OTHER_WEBM = WEBM + b"\x01" * 50
JSON = {"Accept": "application/json"}


def _record(client, course_id, lesson_id, data=WEBM, name="grabacion.webm", headers=None, **fields):
    return _post(
        client,
        f"/courses/manage/{course_id}/lessons/{lesson_id}/recordings",
        {"language": "spanish", "file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
        headers=headers or {},
    )


def _recordings(app, lesson_id) -> dict[str, str]:
    with app.app_context():
        return {
            r.language: r.filename
            for r in db.session.scalars(
                db.select(LessonRecording).where(LessonRecording.lesson_id == lesson_id)
            )
        }


def _stored(app, course_id) -> dict[str, str]:
    """The course's files: name -> content type, and every file on disk is one of them."""
    with app.app_context():
        rows = dict(
            db.session.execute(
                db.select(MediaFile.filename, MediaFile.content_type).where(
                    MediaFile.course_id == course_id
                )
            ).all()
        )
        folder = media.course_folder(course_id)
        on_disk = {p.name for p in folder.iterdir()} if folder.exists() else set()
        staging = media.media_root() / ".staging"
        assert not staging.exists() or not list(staging.iterdir()), "a staged file was left"
    assert on_disk == set(rows)
    return rows


def _served(client, course_id, name) -> tuple[int, bytes, str]:
    answer = client.get(f"/courses/{course_id}/media/{name}")
    result = answer.status_code, answer.data, answer.mimetype
    answer.close()
    return result


def test_a_recording_made_in_the_browser_is_kept_as_audio_and_plays(app, signed_in, course_id):
    trainer = signed_in("trainer")
    lesson_id, _ = _lesson(app, course_id, "leer")
    answer = _record(trainer, course_id, lesson_id)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/courses/manage/{course_id}/lessons/{lesson_id}"
    name = _recordings(app, lesson_id)["spanish"]
    assert name.startswith("grabacion-leer-spanish-")
    assert name.endswith(".weba")
    assert _stored(app, course_id) == {name: "audio/webm"}
    assert _served(trainer, course_id, name) == (200, WEBM, "audio/webm")
    page = trainer.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Grabación guardada: Castellano." in page
    assert f'<audio controls preload="none" src="/courses/{course_id}/media/{name}">' in page


def test_a_new_recording_replaces_the_one_in_its_language_only(app, signed_in, course_id):
    trainer = signed_in("trainer")
    lesson_id, _ = _lesson(app, course_id, "leer")
    _record(trainer, course_id, lesson_id)
    _record(trainer, course_id, lesson_id, MP3, "quechua.mp3", language="quechua")
    first = _recordings(app, lesson_id)
    assert _record(trainer, course_id, lesson_id, OTHER_WEBM).status_code == 302
    now = _recordings(app, lesson_id)
    assert now["quechua"] == first["quechua"]
    assert now["spanish"] != first["spanish"]  # a new address: no browser plays a cached one
    # The replaced recording, which nothing else uses, is gone with its file.
    assert set(_stored(app, course_id)) == {now["spanish"], now["quechua"]}
    assert _served(trainer, course_id, now["spanish"])[1] == OTHER_WEBM
    assert _served(trainer, course_id, first["spanish"])[0] == 404
    assert count_rows(app, "lesson_recordings") == 2


def test_the_recorder_gets_json_and_the_message_waits_for_the_page(app, signed_in, course_id):
    trainer = signed_in("trainer")
    lesson_id, _ = _lesson(app, course_id, "leer")
    answer = _record(trainer, course_id, lesson_id, headers=JSON)
    assert answer.status_code == 200
    editor = f"/courses/manage/{course_id}/lessons/{lesson_id}"
    assert answer.get_json() == {"location": editor}
    assert "Grabación guardada: Castellano." in trainer.get(editor).get_data(as_text=True)
    refused = _record(trainer, course_id, lesson_id, PNG, "foto.png", headers=JSON)
    assert refused.status_code == 400
    assert "no es una grabación de sonido" in refused.get_json()["reason"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (PNG, "foto.png", "no es una grabación de sonido"),
        (b"Hola, esto es texto.\n" * 20, "notas.txt", "no es una grabación de sonido"),
        (PNG, "grabacion.webm", "no corresponde a su nombre"),
        (b"", "vacio.mp3", "vacío"),
    ],
)
def test_what_is_not_sound_is_refused_in_words_and_nothing_changes(
    app, signed_in, course_id, data, name, message
):
    trainer = signed_in("trainer")
    lesson_id, _ = _lesson(app, course_id, "leer")
    _record(trainer, course_id, lesson_id)
    before = _recordings(app, lesson_id), _stored(app, course_id)
    answer = _record(trainer, course_id, lesson_id, data, name)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert message in page
    assert f'action="/courses/manage/{course_id}/lessons/{lesson_id}/recordings#grabacion"' in page
    assert page.index("No se guardó la grabación") < page.index('name="language"')
    assert (_recordings(app, lesson_id), _stored(app, course_id)) == before


def test_a_video_is_not_a_recording(app, signed_in, course_id):
    trainer = signed_in("trainer")
    lesson_id, _ = _lesson(app, course_id, "leer")
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 200
    answer = _record(trainer, course_id, lesson_id, mp4, "clase.mp4")
    assert answer.status_code == 400
    assert "no es una grabación de sonido" in answer.get_data(as_text=True)
    assert _stored(app, course_id) == {}


def test_an_unknown_language_is_refused(app, signed_in, course_id):
    trainer = signed_in("trainer")
    lesson_id, _ = _lesson(app, course_id, "leer")
    for language in ("other", "klingon"):
        answer = _record(trainer, course_id, lesson_id, language=language)
        assert answer.status_code == 400
    assert _recordings(app, lesson_id) == {}
    assert _stored(app, course_id) == {}


def test_removing_a_recording_keeps_a_file_something_else_uses(app, signed_in, course_id):
    trainer = signed_in("trainer")
    lesson_id, _ = _lesson(app, course_id, "leer")
    _record(trainer, course_id, lesson_id)
    _record(trainer, course_id, lesson_id, OTHER_WEBM, language="quechua")
    names = _recordings(app, lesson_id)
    with app.app_context():  # the quechua recording is also a question's sound
        question = db.session.scalar(db.select(Question).order_by(Question.id))
        question.audio = names["quechua"]
        db.session.commit()
    base = f"/courses/manage/{course_id}/lessons/{lesson_id}/recordings"
    removed = _post(trainer, f"{base}/spanish/delete")
    assert removed.status_code == 302
    assert "Grabación quitada: Castellano." in trainer.get(removed.headers["Location"]).get_data(
        as_text=True
    )
    _post(trainer, f"{base}/quechua/delete")
    assert _recordings(app, lesson_id) == {}
    assert set(_stored(app, course_id)) == {names["quechua"]}
    again = _post(trainer, f"{base}/quechua/delete")
    assert again.status_code == 302
    page = trainer.get(again.headers["Location"]).get_data(as_text=True)
    assert "no tiene grabación en ese idioma" in page


def test_a_recording_of_another_course_cannot_be_reached_through_this_one(
    app, signed_in, course_id
):
    from telecenter.courses import authoring
    from tests.courses.conftest import BODIES, definition

    trainer = signed_in("trainer")
    with app.app_context():
        other = authoring.apply_definition(db.session, definition(slug="otro"), BODIES)
        db.session.commit()
        foreign = other.lessons[0].id
    assert _record(trainer, course_id, foreign).status_code == 404


def test_the_question_editor_records_a_clip_into_the_course_files(app, signed_in, course_id):
    trainer = signed_in("trainer")
    path = f"/courses/manage/{course_id}/recordings"
    answer = _post(
        trainer,
        path,
        {"file": (io.BytesIO(WEBM), "grabacion.webm")},
        content_type="multipart/form-data",
        headers=JSON,
    )
    assert answer.status_code == 200
    clip = answer.get_json()
    assert clip["kind"] == "audio"
    assert clip["name"].startswith("grabacion-pregunta-")
    assert clip["url"] == f"/courses/{course_id}/media/{clip['name']}"
    assert _stored(app, course_id) == {clip["name"]: "audio/webm"}
    refused = _post(
        trainer,
        path,
        {"file": (io.BytesIO(PNG), "foto.png")},
        content_type="multipart/form-data",
        headers=JSON,
    )
    assert refused.status_code == 400
    assert "no es una grabación de sonido" in refused.get_json()["reason"]
    missing = _post(trainer, path, {}, headers=JSON)
    assert missing.status_code == 400
    assert "Falta la grabación" in missing.get_json()["reason"]
    assert len(_stored(app, course_id)) == 1


def test_the_pickers_upload_answers_json(app, signed_in, course_id):
    trainer = signed_in("trainer")
    path = f"/courses/manage/{course_id}/media"
    answer = _post(
        trainer,
        path,
        {"file": (io.BytesIO(PNG), "Mazorca.PNG")},
        content_type="multipart/form-data",
        headers=JSON,
    )
    assert answer.get_json() == {
        "name": "mazorca.png",
        "kind": "image",
        "url": f"/courses/{course_id}/media/mazorca.png",
    }
    refused = _post(
        trainer,
        path,
        {"file": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "virus.exe")},
        content_type="multipart/form-data",
        headers=JSON,
    )
    assert refused.status_code == 400
    assert "Solo se aceptan" in refused.get_json()["reason"]


def test_a_pack_carries_recordings_and_the_media_of_questions_to_another_site(
    app, signed_in, course_id
):
    trainer = signed_in("admin")
    lesson_id, _ = _lesson(app, course_id, "con-preguntas")
    _record(trainer, course_id, lesson_id)
    _record(trainer, course_id, lesson_id, MP3, "ashaninka.mp3", language="ashaninka")
    for name, data in (("mazorca.png", PNG), ("pregunta.mp3", MP3)):
        _post(
            trainer,
            f"/courses/manage/{course_id}/media",
            {"file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
    with app.app_context():
        question_id = db.session.get(Lesson, lesson_id).questions[0].id
    edited = _post(
        trainer,
        f"/courses/manage/{course_id}/questions/{question_id}/edit",
        {
            "prompt": "¿Qué fruto es?",
            "kind": "single",
            "question-audio": "pregunta.mp3",
            "question-image": "mazorca.png",
            "option-0-text": "Cacao",
            "option-0-correct": "y",
            "option-0-audio": "pregunta.mp3",
            "option-0-image": "mazorca.png",
            "option-1-text": "Café",
        },
    )
    assert edited.status_code == 302
    recorded = _recordings(app, lesson_id)
    exported = trainer.get(f"/courses/manage/{course_id}/export")
    pack = exported.data
    exported.close()
    _forget_the_course(app, course_id)

    imported = _post(
        trainer,
        "/courses/manage/import",
        {"file": (io.BytesIO(pack), "prueba-v1.zip")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302, imported.get_data(as_text=True)
    with app.app_context():
        course = db.session.scalar(db.select(Course))
        lesson = next(lesson for lesson in course.lessons if lesson.slug == "con-preguntas")
        assert {r.language: r.filename for r in lesson.recordings} == recorded
        question = lesson.questions[0]
        assert (question.prompt, question.audio, question.image) == (
            "¿Qué fruto es?",
            "pregunta.mp3",
            "mazorca.png",
        )
        assert (question.options[0].audio, question.options[0].image) == (
            "pregunta.mp3",
            "mazorca.png",
        )
        assert question.options[1].audio is None
        new_id = course.id
    assert _served(trainer, new_id, recorded["spanish"]) == (200, WEBM, "audio/webm")
    assert _served(trainer, new_id, recorded["ashaninka"])[1] == MP3
    assert _served(trainer, new_id, "mazorca.png")[1] == PNG
    assert _stored(app, new_id)[recorded["spanish"]] == "audio/webm"


def _forget_the_course(app, course_id: int) -> None:
    """As if the pack went to another site: no course, no files."""
    with app.app_context():
        for table in (
            "lesson_recordings",
            "quiz_options",
            "quiz_questions",
            "lessons",
            "course_modules",
            "course_media",
            "courses",
        ):
            db.session.execute(db.text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
        db.session.commit()
        shutil.rmtree(media.course_folder(course_id))
