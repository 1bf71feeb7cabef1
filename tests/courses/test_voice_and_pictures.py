"""Voice and pictures: drawings reduced to shapes, recordings per mother tongue, media named
by questions and options, carried by packs and loaded with the starter courses."""

from __future__ import annotations

import copy
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

from telecenter.courses import authoring, definitions, media, packs, svg
from telecenter.courses.models import Course, Lesson, LessonRecording, MediaFile
from telecenter.courses.starter import STARTER_DIR, load_starter_courses
from telecenter.extensions import db
from tests.conftest import csrf_token
from tests.courses.conftest import BODIES, definition
from tests.courses.test_packs_and_media import MP3, PNG

OGG = b"OggS\x00\x02" + b"\x00" * 120
NS = "{http://www.w3.org/2000/svg}"
DRAWING = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'viewBox="0 0 10 10" onload="alert(1)"><title>Un mouse</title>'
    b"<script>alert(2)</script>"
    b'<rect x="1" y="1" width="8" height="8" fill="url(#g)" style="fill:red" />'
    b'<circle cx="5" cy="5" r="2" fill="url(https://example.org/x)" />'
    b'<a xlink:href="javascript:alert(3)"><text x="1" y="9">clic</text></a>'
    b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hola</div></foreignObject>'
    b'<image href="https://example.org/p.png" />'
    b'<text x="2" y="5" font-size="3">Bot<tspan fill="#00f">\xc3\xb3n</tspan> izquierdo</text>'
    b'<linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></svg>'
)


def test_a_drawing_keeps_its_shapes_and_words_and_loses_everything_active():
    cleaned = svg.clean(DRAWING)
    root = ET.fromstring(cleaned)  # noqa: S314 - our own cleaned output
    names = [element.tag.removeprefix(NS) for element in root.iter()]
    assert names == ["svg", "title", "rect", "circle", "text", "tspan", "linearGradient", "stop"]
    text = cleaned.decode()
    for active in (
        "script",
        "onload",
        "alert",
        "style",
        "foreignObject",
        "image",
        "href",
        "example.org",
    ):
        assert active not in text
    rect = root.find(f"{NS}rect")
    assert rect.get("fill") == "url(#g)"
    assert root.find(f"{NS}circle").get("fill") is None
    words = "".join(root.find(f"{NS}text").itertext())
    assert words == "Botón izquierdo"
    assert svg.clean(cleaned) == cleaned


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"/>',
            "DOCTYPE",
        ),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "no es un dibujo"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect', "dañado"),
        (b"<svg>" + b" " * svg.MAX_SVG_BYTES + b"</svg>", "pesa más"),
    ],
)
def test_what_is_not_a_plain_drawing_is_refused(data, message):
    with pytest.raises(svg.SvgError, match=message):
        svg.clean(data)


def test_an_uploaded_drawing_is_stored_clean_and_served_sandboxed(app, signed_in):
    with app.app_context():
        course = authoring.apply_definition(db.session, definition(), BODIES, published=True)
        db.session.commit()
        course_id = course.id
    trainer = signed_in("trainer")
    sent = trainer.post(
        f"/courses/manage/{course_id}/media",
        data={"file": (io.BytesIO(DRAWING), "Mouse.svg"), "csrf_token": csrf_token(trainer)},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    served = trainer.get(f"/courses/{course_id}/media/mouse.svg")
    body = served.data
    served.close()
    assert served.status_code == 200
    assert served.mimetype == "image/svg+xml"
    assert b"script" not in body
    assert b"<rect" in body
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert "default-src 'none'" in served.headers["Content-Security-Policy"]
    with app.app_context():
        record = db.session.scalar(db.select(MediaFile))
        assert record.content_type == "image/svg+xml"
        assert record.size == len(body)


def _with_media(**lesson_changes) -> dict:
    shape = definition()
    lesson = shape["modules"][0]["lessons"][1]
    lesson.update(lesson_changes)
    return shape


def test_media_references_are_checked_and_must_be_listed():
    bad = _with_media(recordings={"klingon": "media/a.ogg", "quechua": "../etc/passwd"})
    bad["final_quiz"][0]["image"] = "http://example.org/x.png"
    problems = definitions.check(bad)
    assert any("unknown recording language 'klingon'" in p for p in problems)
    assert any("lesson 'con-preguntas' recording" in p for p in problems)
    assert any("final quiz question 1 image" in p for p in problems)
    unlisted = _with_media(recordings={"quechua": "media/leccion-qu.ogg"})
    unlisted["media"] = [{"file": "media/otra.ogg", "sha256": "0"}]
    assert definitions.check(unlisted) == ["media/leccion-qu.ogg is used but not in the media list"]
    unlisted["media"].append({"file": "media/leccion-qu.ogg", "sha256": "0"})
    assert definitions.check(unlisted) == []


def _course_with_voice() -> Course:
    shape = _with_media(
        recordings={"spanish": "media/leccion-es.ogg", "quechua": "media/leccion-qu.ogg"}
    )
    question = shape["modules"][0]["lessons"][1]["quiz"][0]
    question["audio"] = "media/pregunta.mp3"
    question["options"][0]["image"] = "media/cuatro.png"
    question["options"][1]["audio"] = "media/cinco.mp3"
    course = authoring.apply_definition(db.session, shape, BODIES, published=True)
    for name, data in (
        ("leccion-es.ogg", OGG),
        ("leccion-qu.ogg", OGG + b"qu"),
        ("pregunta.mp3", MP3),
        ("cinco.mp3", MP3),
        ("cuatro.png", PNG),
    ):
        media.store(db.session, course, name, data)
    db.session.commit()
    return course


def _sign_in(client, document, pin="5824"):
    client.post(
        "/sign-in/participant",
        data={"identifier": document, "pin": pin, "csrf_token": csrf_token(client)},
    )


@pytest.mark.parametrize(
    ("tongue", "heard"),
    [
        ("quechua", "leccion-qu.ogg"),
        ("spanish", "leccion-es.ogg"),
        (None, "leccion-es.ogg"),
        ("ashaninka", "leccion-es.ogg"),
    ],
)
def test_she_hears_the_lesson_in_her_mother_tongue_when_it_was_recorded(
    app, client, make_participant, tongue, heard
):
    with app.app_context():
        course = _course_with_voice()
        course_id = course.id
        lesson_id = course.lessons[1].id
    make_participant(
        document_type="dni", document_number="44556677", pin="5824", mother_tongue=tongue
    )
    _sign_in(client, "44556677")
    client.post(f"/courses/{course_id}/enrol", data={"csrf_token": csrf_token(client)})
    page = client.get(f"/courses/{course_id}/lessons/{lesson_id}").get_data(as_text=True)
    recordings = re.findall(r'<audio controls preload="none" src="([^"]+)" data-recording>', page)
    lesson_part = page.split('id="lesson-text"')[1].split("</article>")[0]
    assert f'src="/courses/{course_id}/media/{heard}" data-recording' in lesson_part
    # The question's recording and the option's, and the picture option, in the quiz.
    assert f"/courses/{course_id}/media/pregunta.mp3" in recordings
    assert f"/courses/{course_id}/media/cinco.mp3" in recordings
    assert f'<img src="/courses/{course_id}/media/cuatro.png" alt="">' in page
    with client.get(f"/courses/{course_id}/media/{heard}") as served:
        assert served.data.startswith(b"OggS")


def test_text_without_a_recording_offers_the_browsers_voice(app, client, make_participant):
    with app.app_context():
        course = authoring.apply_definition(db.session, definition(), BODIES, published=True)
        db.session.commit()
        course_id, lesson_id = course.id, course.lessons[0].id
    make_participant(document_type="dni", document_number="44556677", pin="5824")
    _sign_in(client, "44556677")
    client.post(f"/courses/{course_id}/enrol", data={"csrf_token": csrf_token(client)})
    page = client.get(f"/courses/{course_id}/lessons/{lesson_id}").get_data(as_text=True)
    assert 'data-speak="#lesson-text"' in page
    assert "data-recording" not in page
    assert 'id="lesson-text" lang="es"' in page


def test_a_pack_carries_recordings_and_the_media_of_questions(app_ctx):
    course = _course_with_voice()
    raw = packs.export_pack(db.session, course)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(raw)).read("course.json"))
    lesson = manifest["modules"][0]["lessons"][1]
    assert lesson["recordings"] == {
        "quechua": "media/leccion-qu.ogg",
        "spanish": "media/leccion-es.ogg",
    }
    question = lesson["quiz"][0]
    assert question["audio"] == "media/pregunta.mp3"
    assert question["options"][0]["image"] == "media/cuatro.png"
    assert question["options"][1]["audio"] == "media/cinco.mp3"
    # Imported where none of it exists: the recordings, the question media and the files.
    db.session.execute(db.delete(LessonRecording))
    for table in ("quiz_options", "quiz_questions", "lessons", "course_modules", "course_media"):
        db.session.execute(db.text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
    db.session.execute(db.delete(Course))
    db.session.commit()
    imported = packs.import_pack(db.session, io.BytesIO(raw))
    lesson = db.session.scalar(db.select(Lesson).where(Lesson.slug == "con-preguntas"))
    assert {(r.language, r.filename) for r in lesson.recordings} == {
        ("spanish", "leccion-es.ogg"),
        ("quechua", "leccion-qu.ogg"),
    }
    first = lesson.questions[0]
    assert first.audio == "pregunta.mp3"
    assert [o.image for o in first.options] == ["cuatro.png", None]
    assert media.read(imported.id, "leccion-qu.ogg") == OGG + b"qu"


def test_a_pack_naming_media_it_does_not_carry_is_refused(app_ctx):
    course = _course_with_voice()
    raw = packs.export_pack(db.session, course)
    source = zipfile.ZipFile(io.BytesIO(raw))
    manifest = json.loads(source.read("course.json"))
    manifest["version"] = 2
    manifest["media"] = [m for m in manifest["media"] if m["file"] != "media/leccion-qu.ogg"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        target.writestr("course.json", json.dumps(manifest))
        for name in source.namelist():
            if name.startswith("lessons/") or (
                name.startswith("media/") and name != "media/leccion-qu.ogg"
            ):
                target.writestr(name, source.read(name))
    with pytest.raises(packs.PackError) as refused:
        packs.import_pack(db.session, io.BytesIO(buffer.getvalue()))
    assert "media/leccion-qu.ogg is used but not in the media list" in refused.value.problems


def test_the_starter_courses_arrive_with_their_drawings(app, signed_in):
    with app.app_context():
        courses = load_starter_courses(db.session)
        db.session.commit()
        expected = {
            course.id: sorted(p.name for p in (STARTER_DIR / course.slug / "media").glob("*.svg"))
            for course in courses
        }
        lessons = [(course.id, lesson.id) for course in courses for lesson in course.lessons]
    assert len(expected) == 2
    trainer = signed_in("trainer")
    shown = set()
    for course_id, lesson_id in lessons:
        page = trainer.get(f"/courses/{course_id}/lessons/{lesson_id}").get_data(as_text=True)
        pictures = re.findall(rf'<img src="/courses/{course_id}/media/([^"]+)" alt="([^"]*)"', page)
        assert any(alt for _name, alt in pictures), f"lesson {lesson_id} has no described picture"
        shown.update((course_id, name) for name, _alt in pictures)
    for course_id, names in expected.items():
        for name in names:
            served = trainer.get(f"/courses/{course_id}/media/{name}")
            served.close()
            assert served.status_code == 200
            assert served.mimetype == "image/svg+xml"
    lesson_pictures = {(c, n) for c, n in shown}
    assert lesson_pictures <= {(c, n) for c, names in expected.items() for n in names}


def test_loading_the_starters_twice_adds_nothing(app_ctx):
    load_starter_courses(db.session)
    db.session.commit()
    before = db.session.scalar(db.select(db.func.count(MediaFile.id)))
    assert load_starter_courses(db.session) == []
    assert db.session.scalar(db.select(db.func.count(MediaFile.id))) == before > 0


def test_recordings_replace_in_place_by_language(app_ctx):
    course = _course_with_voice()
    shape = copy.deepcopy(
        _with_media(recordings={"spanish": "media/cinco.mp3", "kichwa": "media/pregunta.mp3"})
    )
    shape["version"] = 2
    authoring.apply_definition(db.session, shape, BODIES)
    db.session.commit()
    lesson = db.session.scalar(db.select(Lesson).where(Lesson.slug == "con-preguntas"))
    assert {(r.language, r.filename) for r in lesson.recordings} == {
        ("spanish", "cinco.mp3"),
        ("kichwa", "pregunta.mp3"),
    }
    assert course.version == 2
