"""Content packs: one versioned zip per course, carried between sites on a USB stick.

    course.json            the definition (see definitions.py) plus "media": [{file, sha256}]
    lessons/<slug>.md      lesson text
    media/<name>           images, audio, video

Import checks the whole pack before changing anything: a damaged, oversized or unsafe pack is
refused with every problem listed.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter.courses import authoring, definitions, media
from telecenter.courses.content import find_unsafe
from telecenter.courses.models import Course, MediaFile

MAX_PACK_BYTES = 200 * 1024 * 1024
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
MAX_ENTRIES = 2000
MANIFEST = "course.json"


class PackError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def definition_of(course: Course) -> dict:
    def quiz(questions):
        return [{"prompt": q.prompt, "kind": q.kind,
                 "options": [{"text": o.text, "correct": o.correct, "feedback": o.feedback}
                             for o in q.options]} for q in questions]

    modules = [{"title": m.title, "lessons": [
        {"slug": lesson.slug, "title": lesson.title, "file": f"lessons/{lesson.slug}.md",
         "required": lesson.required, "quiz": quiz(lesson.questions)}
        for lesson in m.lessons if not lesson.archived]} for m in course.modules]
    return {"format": definitions.FORMAT, "slug": course.slug, "version": course.version,
            **{name: getattr(course, name) for name in authoring.COURSE_FIELDS},
            "modules": [m for m in modules if m["lessons"]], "final_quiz":
            quiz(course.final_questions)}


def export_pack(session: Session, course: Course) -> bytes:
    definition = definition_of(course)
    records = session.scalars(sa.select(MediaFile).where(MediaFile.course_id == course.id)
                              .order_by(MediaFile.filename)).all()
    definition["media"] = [{"file": f"media/{m.filename}", "sha256": m.sha256} for m in records]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(definition, ensure_ascii=False, indent=2))
        for lesson in course.lessons:
            archive.writestr(f"lessons/{lesson.slug}.md", lesson.body_markdown)
        for record in records:
            archive.writestr(f"media/{record.filename}", media.read(course.id, record.filename))
    return buffer.getvalue()


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    path = PurePosixPath(name)
    if (name.startswith(("/", "\\")) or "\\" in name or ".." in path.parts or ":" in name
            or not name or name != name.strip()):
        return _("ruta no permitida: %(name)s", name=name)
    if stat.S_ISLNK(info.external_attr >> 16):
        return _("enlace no permitido: %(name)s", name=name)
    if info.is_dir():
        return None
    if name != MANIFEST and not (len(path.parts) == 2 and path.parts[0] in ("lessons", "media")):
        return _("archivo inesperado: %(name)s", name=name)
    return None


@dataclass
class CheckedPack:
    definition: dict
    bodies: dict[str, str]
    media: dict[str, bytes]


def _open(raw: bytes) -> zipfile.ZipFile:
    if len(raw) > MAX_PACK_BYTES:
        raise PackError([_("El paquete pesa más de %(n)d MB.", n=MAX_PACK_BYTES // 2**20)])
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        damaged = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
        raise PackError([_("El archivo no es un paquete válido o está incompleto.")]) from None
    if damaged:
        raise PackError([_("El paquete está dañado (%(name)s).", name=damaged)])
    return archive


def check_pack(raw: bytes) -> CheckedPack:
    """Everything an import needs, or PackError listing every problem."""
    archive = _open(raw)
    entries = archive.infolist()
    problems = [p for p in map(_entry_problem, entries) if p]
    if len(entries) > MAX_ENTRIES or sum(i.file_size for i in entries) > MAX_UNPACKED_BYTES:
        problems.append(_("El paquete tiene demasiados archivos o es demasiado grande."))
    if problems:
        raise PackError(problems)
    try:
        definition = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except (KeyError, UnicodeDecodeError, json.JSONDecodeError):
        raise PackError([_("Falta course.json o no se puede leer.")]) from None
    problems = definitions.check(definition)
    if problems:
        raise PackError(problems)
    bodies = _lesson_bodies(archive, definition, problems)
    files = _media_files(archive, definition, problems)
    if problems:
        raise PackError(problems)
    return CheckedPack(definition, bodies, files)


def _lesson_bodies(archive, definition, problems) -> dict[str, str]:
    bodies = {}
    for lesson in definitions.lessons_of(definition):
        name = lesson["file"]
        try:
            text = archive.read(name).decode("utf-8")
        except (KeyError, UnicodeDecodeError):
            problems.append(_("falta la lección %(name)s o no está en UTF-8", name=name))
            continue
        unsafe = find_unsafe(text)
        if unsafe:
            problems.append(_("la lección %(name)s tiene contenido no permitido (%(code)s)",
                              name=name, code=unsafe[:30]))
        bodies[name] = text
    return bodies


def _media_files(archive, definition, problems) -> dict[str, bytes]:
    declared = definition.get("media", [])
    if not isinstance(declared, list):
        problems.append(_("la lista de medios no es válida"))
        return {}
    files = {}
    for item in declared:
        name = item.get("file", "") if isinstance(item, dict) else ""
        try:
            data = archive.read(name)
        except KeyError:
            problems.append(_("falta el archivo %(name)s", name=name))
            continue
        if hashlib.sha256(data).hexdigest() != item.get("sha256"):
            problems.append(_("el archivo %(name)s no coincide con su huella", name=name))
        try:
            media.check_content(data, name)
        except media.MediaError as error:
            problems.append(f"{name}: {error}")
        files[PurePosixPath(name).name] = data
    listed = {PurePosixPath(item.get("file", "")).name for item in declared
              if isinstance(item, dict)}
    for info in archive.infolist():
        if info.filename.startswith("media/") and not info.is_dir() and \
                PurePosixPath(info.filename).name not in listed:
            problems.append(_("archivo no declarado: %(name)s", name=info.filename))
    return files


def import_pack(session: Session, raw: bytes) -> Course:
    """Check the whole pack, then create or upgrade the course (the caller commits)."""
    pack = check_pack(raw)
    try:
        course = authoring.apply_definition(session, pack.definition, pack.bodies)
    except authoring.AuthoringError as error:
        raise PackError(list(error.errors.values())) from None
    for name, data in pack.media.items():
        media.store(session, course, name, data)
    return course
