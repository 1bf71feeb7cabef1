"""Content packs: one versioned zip per course, carried between sites on a USB stick.

    course.json            the definition (see definitions.py) plus "media": [{file, sha256}]
    lessons/<slug>.md      lesson text
    media/<name>           images, audio, video

Import checks the whole pack before changing anything: a damaged, oversized or unsafe pack is
refused with every problem listed. The cheap checks come first, from the zip's directory alone
(counts, names, declared sizes, overlapping entries), so a zip bomb is refused in milliseconds;
then each entry is read at most up to its own limit as it decompresses. All of it happens outside
the database's write lock; only the final, quick write is inside it (database.writing).
"""

from __future__ import annotations

import io
import json
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter.courses import authoring, definitions, media
from telecenter.courses.content import MEDIA_PREFIX, find_unsafe
from telecenter.courses.definitions import MEDIA_KEYS
from telecenter.courses.models import Course, MediaFile
from telecenter.database import writing
from telecenter.domain_errors import DomainError

MAX_PACK_BYTES = 200 * 1024 * 1024
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_TEXT_BYTES = 1024 * 1024  # course.json and each lesson
MANIFEST = "course.json"


class PackError(DomainError):
    """A pack that cannot be imported; `problems` lists each, in plain words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _media_keys(part) -> dict[str, str]:
    return {key: MEDIA_PREFIX + name for key in MEDIA_KEYS if (name := getattr(part, key))}


def definition_of(course: Course) -> dict:
    def quiz(questions):
        return [
            {
                "prompt": q.prompt,
                "kind": q.kind,
                **_media_keys(q),
                "options": [
                    {"text": o.text, "correct": o.correct, "feedback": o.feedback, **_media_keys(o)}
                    for o in q.options
                ],
            }
            for q in questions
        ]

    modules = [
        {
            "title": m.title,
            "lessons": [
                {
                    "slug": lesson.slug,
                    "title": lesson.title,
                    "file": f"lessons/{lesson.slug}.md",
                    "required": lesson.required,
                    "quiz": quiz(lesson.questions),
                    "recordings": {
                        r.language: MEDIA_PREFIX + r.filename for r in lesson.recordings
                    },
                }
                for lesson in m.lessons
                if not lesson.archived
            ],
        }
        for m in course.modules
    ]
    return {
        "format": definitions.FORMAT,
        "slug": course.slug,
        "version": course.version,
        **{name: getattr(course, name) for name in authoring.COURSE_FIELDS},
        "modules": [m for m in modules if m["lessons"]],
        "final_quiz": quiz(course.final_questions),
    }


def export_pack(session: Session, course: Course) -> bytes:
    definition = definition_of(course)
    records = session.scalars(
        sa.select(MediaFile).where(MediaFile.course_id == course.id).order_by(MediaFile.filename)
    ).all()
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
    if (
        name.startswith(("/", "\\"))
        or "\\" in name
        or ".." in path.parts
        or ":" in name
        or not name
        or name != name.strip()
    ):
        return _("ruta no permitida: %(name)s", name=name)
    if stat.S_ISLNK(info.external_attr >> 16):
        return _("enlace no permitido: %(name)s", name=name)
    if info.is_dir():
        return None
    if name != MANIFEST and not (len(path.parts) == 2 and path.parts[0] in ("lessons", "media")):
        return _("archivo inesperado: %(name)s", name=name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return _("compresión no admitida: %(name)s", name=name)
    if info.file_size > _size_limit(name):
        return _(
            "%(name)s es demasiado grande (máximo %(n)s MB)",
            name=name,
            n=_size_limit(name) // 2**20,
        )
    return None


def _size_limit(name: str) -> int:
    return media.MAX_MEDIA_BYTES if name.startswith("media/") else MAX_TEXT_BYTES


@dataclass
class CheckedPack:
    """A pack that passed every check, its media staged on disk for the short write."""

    definition: dict
    bodies: dict[str, str]
    media: list[media.Staged]

    def discard(self) -> None:
        for staged in self.media:
            staged.discard()


def _open(stream: BinaryIO) -> zipfile.ZipFile:
    stream.seek(0, io.SEEK_END)
    if stream.tell() > MAX_PACK_BYTES:
        raise PackError([_("El paquete pesa más de %(n)d MB.", n=MAX_PACK_BYTES // 2**20)])
    stream.seek(0)
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
        raise PackError([_("El archivo no es un paquete válido o está incompleto.")]) from None


def _layout_problems(archive: zipfile.ZipFile, stream: BinaryIO) -> list[str]:
    """What the zip's directory alone shows, before a byte is decompressed: counts, names,
    declared sizes, and entries that share bytes (the overlap bomb of CVE-2024-0450, which the
    zipfile of Python 3.11.7 does not refuse by itself)."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        return [_("El paquete tiene más de %(n)d archivos.", n=MAX_ENTRIES)]
    problems = [p for p in map(_entry_problem, entries) if p]
    names = [info.filename for info in entries]
    if len(set(names)) != len(names):
        problems.append(_("el paquete repite archivos con el mismo nombre"))
    if sum(info.file_size for info in entries) > MAX_UNPACKED_BYTES:
        problems.append(
            _("El paquete descomprimido pesaría más de %(n)d MB.", n=MAX_UNPACKED_BYTES // 2**20)
        )
    if _overlapping(entries, stream, archive.start_dir):
        problems.append(_("el paquete tiene archivos superpuestos (está dañado o es una trampa)"))
    return problems


LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"


def _overlapping(entries: list[zipfile.ZipInfo], stream: BinaryIO, directory: int) -> bool:
    """True when the data of two entries overlap, or reach into the central directory."""
    end_of_previous = 0
    for info in sorted(entries, key=lambda i: i.header_offset):
        if info.header_offset < end_of_previous:
            return True
        stream.seek(info.header_offset)
        header = stream.read(LOCAL_HEADER.size)
        if len(header) != LOCAL_HEADER.size or header[:4] != LOCAL_HEADER_SIGNATURE:
            return True
        fields = LOCAL_HEADER.unpack(header)
        name_length, extra_length = fields[-2], fields[-1]
        end_of_previous = (
            info.header_offset + LOCAL_HEADER.size + name_length + extra_length + info.compress_size
        )
    return end_of_previous > directory


def _read_text(archive: zipfile.ZipFile, name: str) -> str:
    """An entry as text, reading at most its limit (a lying directory cannot make it more)."""
    with archive.open(name) as entry:
        data = entry.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise UnicodeDecodeError("utf-8", b"", 0, 1, "too long")
    return data.decode("utf-8")


def check_pack(stream: BinaryIO) -> CheckedPack:
    """Everything an import needs, or PackError listing every problem. Slow (it reads, hashes
    and stages the media): call it before `writing()`, never inside."""
    archive = _open(stream)
    problems = _layout_problems(archive, stream)
    if problems:
        raise PackError(problems)
    try:
        definition = json.loads(_read_text(archive, MANIFEST))
    except (
        KeyError,
        UnicodeDecodeError,
        json.JSONDecodeError,
        RecursionError,  # nested deeper than the parser goes
        zipfile.BadZipFile,
        zlib.error,
    ):
        raise PackError([_("Falta course.json o no se puede leer.")]) from None
    problems = definitions.check(definition)
    if problems:
        raise PackError(problems)
    bodies = _lesson_bodies(archive, definition, problems)
    staged = _media_files(archive, definition, problems)
    pack = CheckedPack(definition, bodies, staged)
    if problems:
        pack.discard()
        raise PackError(problems)
    return pack


def _lesson_bodies(archive, definition, problems) -> dict[str, str]:
    bodies = {}
    for lesson in definitions.lessons_of(definition):
        name = lesson["file"]
        try:
            text = _read_text(archive, name)
        except (KeyError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error):
            problems.append(_("falta la lección %(name)s o no está en UTF-8", name=name))
            continue
        unsafe = find_unsafe(text)
        if unsafe:
            problems.append(
                _(
                    "la lección %(name)s tiene contenido no permitido (%(code)s)",
                    name=name,
                    code=unsafe[:30],
                )
            )
        bodies[name] = text
    return bodies


def _media_files(archive, definition, problems) -> list[media.Staged]:
    declared = definition.get("media", [])
    if not isinstance(declared, list):
        problems.append(_("la lista de medios no es válida"))
        return []
    staged = []
    for item in declared:
        name = item.get("file", "") if isinstance(item, dict) else ""
        try:
            with archive.open(name) as entry:
                one = media.stage(entry, PurePosixPath(name).name)
        except KeyError:
            problems.append(_("falta el archivo %(name)s", name=name))
            continue
        except (zipfile.BadZipFile, zlib.error, EOFError):
            problems.append(_("el archivo %(name)s está dañado", name=name))
            continue
        except media.MediaError as error:
            problems.append(f"{name}: {error}")
            continue
        staged.append(one)
        if one.received_sha256 != item.get("sha256"):
            problems.append(_("el archivo %(name)s no coincide con su huella", name=name))
    listed = {
        PurePosixPath(item.get("file", "")).name for item in declared if isinstance(item, dict)
    }
    for info in archive.infolist():
        if (
            info.filename.startswith("media/")
            and not info.is_dir()
            and PurePosixPath(info.filename).name not in listed
        ):
            problems.append(_("archivo no declarado: %(name)s", name=info.filename))
    return staged


def apply_pack(session: Session, pack: CheckedPack) -> Course:
    """Create or upgrade the course from a checked pack: quick, for inside `writing()`."""
    try:
        course = authoring.apply_definition(session, pack.definition, pack.bodies)
    except authoring.AuthoringError as error:
        raise PackError(list(error.errors.values())) from None
    for staged in pack.media:
        media.place(session, course, staged)
    return course


def import_pack(session: Session, stream: BinaryIO) -> Course:
    """Check the pack outside any transaction, then write it in one short one."""
    pack = check_pack(stream)
    try:
        with writing(session):
            return apply_pack(session, pack)
    finally:
        pack.discard()  # whatever was not placed
