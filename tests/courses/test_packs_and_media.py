"""Content packs (export, import, upgrade, refusal) and media uploads checked by content."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from telecenter.courses import authoring, learning, media, packs
from telecenter.courses.models import Course, Lesson, MediaFile
from telecenter.extensions import db
from tests.courses.conftest import BODIES, definition, right_answers

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64


def _pack(files: dict[str, bytes | str], manifest: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if manifest is not None:
            archive.writestr("course.json", json.dumps(manifest))
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _valid_files() -> dict[str, str]:
    return dict(BODIES)


def test_export_then_import_on_another_site_recreates_the_course(app_ctx, course):
    media.store(db.session, course, "Mazorca de Cacao.PNG", PNG)
    raw = packs.export_pack(db.session, course)
    names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    assert "course.json" in names
    assert "media/mazorca-de-cacao.png" in names
    db.session.rollback()
    for table in (
        "quiz_options",
        "quiz_questions",
        "lessons",
        "course_modules",
        "course_media",
        "courses",
    ):
        db.session.execute(db.text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
    imported = packs.import_pack(db.session, io.BytesIO(raw))
    assert imported.slug == "prueba"
    assert imported.version == 1
    assert [lesson.slug for lesson in imported.lessons] == ["leer", "con-preguntas", "opcional"]
    assert len(imported.final_questions) == 1
    assert media.read(imported.id, "mazorca-de-cacao.png") == PNG


def test_a_newer_version_upgrades_without_losing_progress(app_ctx, enrolment):
    course = enrolment.course
    leer = next(lesson for lesson in course.lessons if lesson.slug == "leer")
    learning.finish_reading(db.session, enrolment, leer)
    db.session.commit()
    newer = definition(version=2, title="Curso de prueba (2ª edición)")
    newer["modules"][1]["lessons"] = []  # the optional lesson is dropped
    newer["modules"][0]["lessons"][0]["title"] = "Solo leer, revisado"
    packs.import_pack(db.session, io.BytesIO(_pack(_valid_files(), newer)))
    db.session.commit()
    db.session.expire_all()
    course = db.session.get(Course, course.id)
    assert (course.version, course.title) == (2, "Curso de prueba (2ª edición)")
    assert [lesson.title for lesson in course.lessons] == ["Solo leer, revisado", "Con preguntas"]
    assert leer.id in learning.completed_lesson_ids(db.session, enrolment)
    assert db.session.get(Lesson, leer.id).title == "Solo leer, revisado"


def test_the_same_or_an_older_version_is_refused(app_ctx, course):
    with pytest.raises(packs.PackError, match="versión 1"):
        packs.import_pack(db.session, io.BytesIO(_pack(_valid_files(), definition(version=1))))


def _refused(raw: bytes) -> list[str]:
    before = db.session.scalar(db.select(db.func.count(Course.id)))
    with pytest.raises(packs.PackError) as error:
        packs.import_pack(db.session, io.BytesIO(raw))
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Course.id))) == before
    assert db.session.scalar(db.select(db.func.count(MediaFile.id))) == 0
    return error.value.problems


@pytest.mark.parametrize(
    "name",
    [
        "../evil.md",
        "/etc/passwd",
        "lessons/../../x.md",
        "lessons\\..\\x.md",
        "C:/x.md",
        "other/x.md",
    ],
)
def test_unsafe_paths_are_refused(app_ctx, name):
    problems = _refused(_pack({**_valid_files(), name: "x"}, definition()))
    assert any(name in problem for problem in problems)


def test_a_symlink_entry_is_refused(app_ctx):
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("course.json", json.dumps(definition()))
        for name, text in BODIES.items():
            archive.writestr(name, text)
        link = zipfile.ZipInfo("media/link.png")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    assert any("enlace" in p for p in _refused(raw.getvalue()))


def test_truncated_and_tampered_packs_are_refused(app_ctx, course):
    raw = packs.export_pack(db.session, course)
    assert "incompleto" in _refused(raw[: len(raw) // 2])[0]
    tampered = bytearray(raw)
    offset = tampered.find(b"course.json") + 40
    tampered[offset] ^= 0xFF
    assert _refused(bytes(tampered))
    assert "incompleto" in _refused(b"not a zip at all")[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"format": 9}, "unsupported format"),
        ({"category": "astrology"}, "category"),
        ({"slug": "Bad Slug!"}, "slug"),
        (
            {
                "final_quiz": [
                    {
                        "prompt": "x",
                        "kind": "single",
                        "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}],
                    }
                ]
            },
            "exactly one",
        ),
        ({"title": "<script>alert(1)</script>"}, "unsafe"),
    ],
)
def test_bad_definitions_are_refused_with_reasons(app_ctx, change, expected):
    problems = _refused(_pack(_valid_files(), definition(**change)))
    assert any(expected in problem for problem in problems)


def _with_first_lesson(**changes) -> dict:
    manifest = definition()
    manifest["modules"][0]["lessons"][0].update(changes)
    return manifest


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        (definition(slug=["cacao"]), "slug must be"),
        (definition(slug="cacao\n"), "slug must be"),
        (_with_first_lesson(slug=["leer"]), "slug missing, malformed"),
        (_with_first_lesson(slug="leer\n"), "slug missing, malformed"),
        (definition(version=10**30), "version must be a whole number from 1 to 2147483647"),
        (definition(media=[{"file": ["media/a.png"], "sha256": "0" * 64}]), "media 1: file"),
        (definition(media=[{"file": "media/a.png\n", "sha256": "0" * 64}]), "media 1: file"),
        (
            definition(media=[{"file": "media/a.png", "sha256": ["0"]}]),
            "media 1: sha256 must be text",
        ),
        (definition(media="media/a.png"), "media must be a list"),
    ],
)
def test_wrong_types_and_sizes_in_course_json_are_refused_with_the_problem(
    app_ctx, manifest, expected
):
    problems = _refused(_pack(_valid_files(), manifest))
    assert any(expected in problem for problem in problems), problems


def test_course_json_nested_too_deeply_is_refused(app_ctx):
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("course.json", "[" * 100_000 + "]" * 100_000)
    assert "course.json" in _refused(raw.getvalue())[0]


def test_unsafe_lesson_text_and_mismatched_media_are_refused(app_ctx):
    manifest = definition(media=[{"file": "media/foto.png", "sha256": "0" * 64}])
    files = {
        **_valid_files(),
        "lessons/leer.md": "<script>alert(1)</script>",
        "media/foto.png": PNG,
        "media/extra.png": PNG,
    }
    problems = _refused(_pack(files, manifest))
    assert any("no permitido" in p for p in problems)
    assert any("huella" in p for p in problems)
    assert any("no declarado" in p for p in problems)


def test_missing_manifest_or_lesson_is_refused(app_ctx):
    assert "course.json" in _refused(_pack(_valid_files()))[0]
    files = _valid_files()
    files.pop("lessons/q.md")
    assert any("lessons/q.md" in p for p in _refused(_pack(files, definition())))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("foto.png", b"<html><script>alert(1)</script></html>", "Solo se aceptan"),
        ("foto.png", MP3, "no corresponde"),
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 100, "Solo se aceptan"),
        ("vacio.png", b"", "vacío"),
        ("sin-extension", PNG, "no es válido"),
    ],
)
def test_uploads_are_checked_by_content(app_ctx, course, name, data, message):
    with pytest.raises(media.MediaError, match=message):
        media.store(db.session, course, name, data)
    assert db.session.scalar(db.select(db.func.count(MediaFile.id))) == 0


def test_oversized_media_is_refused(app_ctx, course):
    with pytest.raises(media.MediaError, match="MB"):
        media.check_content(PNG + b"\x00" * media.MAX_MEDIA_BYTES, "big.png")


def test_authoring_refuses_script_in_lessons(app_ctx, course):
    module = course.modules[0]
    with pytest.raises(authoring.AuthoringError, match="código no permitido"):
        authoring.save_lesson(
            db.session, module, title="X", body_markdown="<script>x</script>", required=True
        )


def test_upgrade_keeps_quiz_results_meaningful(app_ctx, enrolment):
    lesson = next(lesson for lesson in enrolment.course.lessons if lesson.questions)
    learning.submit_quiz(db.session, enrolment, lesson, right_answers(lesson.questions))
    db.session.commit()
    packs.import_pack(db.session, io.BytesIO(_pack(_valid_files(), definition(version=3))))
    db.session.commit()
    assert lesson.id in learning.completed_lesson_ids(db.session, enrolment)


@pytest.mark.parametrize("slug", ["intro\n", "intro-\u0661", "Intro", "intro--dos", ""])
def test_a_slug_is_matched_whole_in_ascii(slug):
    from telecenter.courses import definitions

    assert not definitions.is_slug(slug)
    pack = definition()
    pack["slug"] = slug
    assert "slug must be lowercase letters, digits and dashes" in definitions.check(pack)
    assert definitions.is_slug("intro-2")
