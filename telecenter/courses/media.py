"""Course media files: checked by content (not by name), sized, stored under the instance."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

import filetype
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter.courses.models import Course, MediaFile

MAX_MEDIA_BYTES = 25 * 1024 * 1024
# What the content must be, and the file endings that may carry it.
ALLOWED = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "audio/mpeg": (".mp3",),
    "audio/ogg": (".ogg", ".oga"),
    "audio/x-wav": (".wav",),
    "audio/mp4": (".m4a",),
    "video/mp4": (".mp4", ".m4a"),
    "video/webm": (".webm",),
}


class MediaError(ValueError):
    """An upload that cannot be stored; the message says why."""


def media_root() -> Path:
    return Path(current_app.instance_path) / "media"


def course_folder(course_id: int) -> Path:
    return media_root() / str(course_id)


def safe_filename(name: str) -> str:
    """ASCII letters, digits, dots, dashes: safe in a path and in Markdown."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(folded).name).strip(".-").lower()
    if not base or "." not in base:
        raise MediaError(_("El nombre del archivo no es válido."))
    return base[:120]


def check_content(data: bytes, filename: str) -> str:
    """The content type detected from the bytes, if allowed and matching the file ending."""
    if not data:
        raise MediaError(_("El archivo está vacío."))
    if len(data) > MAX_MEDIA_BYTES:
        raise MediaError(_("El archivo pesa más de %(n)d MB.", n=MAX_MEDIA_BYTES // 1024 // 1024))
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ALLOWED:
        raise MediaError(_("Solo se aceptan imágenes (PNG, JPG, GIF, WebP), audio (MP3, OGG, WAV, "
                           "M4A) o video (MP4, WebM)."))
    if Path(filename).suffix.lower() not in ALLOWED[kind.mime]:
        raise MediaError(_("El contenido del archivo no corresponde a su nombre (%(name)s).",
                           name=filename))
    return kind.mime


def store(session: Session, course: Course, filename: str, data: bytes) -> MediaFile:
    """Store (or replace) a media file of the course after checking its content."""
    name = safe_filename(filename)
    content_type = check_content(data, name)
    folder = course_folder(course.id)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{name}.part"
    temporary.write_bytes(data)
    temporary.replace(folder / name)
    record = session.scalar(sa.select(MediaFile).where(MediaFile.course_id == course.id,
                                                       MediaFile.filename == name))
    if record is None:
        record = MediaFile(course_id=course.id, filename=name)
        session.add(record)
    record.content_type = content_type
    record.size = len(data)
    record.sha256 = hashlib.sha256(data).hexdigest()
    session.flush()
    return record


def read(course_id: int, filename: str) -> bytes:
    return (course_folder(course_id) / filename).read_bytes()
