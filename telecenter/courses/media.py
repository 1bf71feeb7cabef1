"""Course media files: checked by content (not by name), sized, stored under the instance."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter.courses import svg
from telecenter.courses.models import Course, MediaFile
from telecenter.domain_errors import DomainError

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
    "video/webm": (".webm", ".weba"),
}
#: Endings that say a container holds sound only: stored (and served) as audio, so that a
#: recording plays in an <audio> player and is offered where audio is asked for.
SOUND_ONLY = {".weba": "audio/webm", ".m4a": "audio/mp4"}
#: Drawings are not recognised by their first bytes but rebuilt from allowed shapes (svg.py).
SVG_TYPE = "image/svg+xml"


class MediaError(DomainError):
    """An upload that cannot be stored; the message says why."""


class UnknownKind(MediaError):
    """The bytes are none of the kinds of file a course may hold."""


KINDS = ("image", "audio", "video")


def kind_of(content_type: str) -> str:
    """What a stored file is, from its content type: "image", "audio" or "video"."""
    return content_type.partition("/")[0]


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
    return _check(data[:HEAD_BYTES], len(data), filename)


def _check(head: bytes, size: int, filename: str) -> str:
    if not size:
        raise MediaError(_("El archivo está vacío."))
    if size > MAX_MEDIA_BYTES:
        raise MediaError(_("El archivo pesa más de %(n)d MB.", n=MAX_MEDIA_BYTES // 1024 // 1024))
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED:
        raise UnknownKind(
            _(
                "Solo se aceptan imágenes (PNG, JPG, GIF, WebP), dibujos SVG, audio (MP3, "
                "OGG, WAV, M4A, WebM) o video (MP4, WebM)."
            )
        )
    suffix = Path(filename).suffix.lower()
    if suffix not in ALLOWED[kind.mime]:
        raise MediaError(
            _("El contenido del archivo no corresponde a su nombre (%(name)s).", name=filename)
        )
    return SOUND_ONLY.get(suffix, kind.mime)


#: filetype reads the first 261 bytes of a file to recognise it.
HEAD_BYTES = 262
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Staged:
    """A checked file waiting beside the media folder for the short write that records it."""

    name: str
    path: Path
    size: int
    sha256: str
    content_type: str
    #: The fingerprint of the bytes as received (a pack declares that one): a drawing is
    #: stored cleaned, so its stored fingerprint can differ.
    received_sha256: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def stage(stream: BinaryIO, filename: str) -> Staged:
    """Copy a file to the staging folder, checking its size, content and ending and hashing it
    as it goes: the slow part of storing media, done before any database transaction. A file
    over the limit stops being read at the limit."""
    name = safe_filename(filename)
    if Path(name).suffix.lower() == ".svg":
        return _stage_drawing(stream, name)
    handle, temporary = _staging_file()
    path, digest, size, head = Path(temporary), hashlib.sha256(), 0, b""
    try:
        with open(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > MAX_MEDIA_BYTES:
                    break
                head += chunk[: HEAD_BYTES - len(head)]
                digest.update(chunk)
                out.write(chunk)
        content_type = _check(head, size, name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Staged(name, path, size, digest.hexdigest(), content_type, digest.hexdigest())


def _staging_file() -> tuple[int, str]:
    staging = media_root() / ".staging"
    staging.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=staging, suffix=".part")


def _stage_drawing(stream: BinaryIO, name: str) -> Staged:
    data = stream.read(svg.MAX_SVG_BYTES + 1)
    if not data:
        raise MediaError(_("El archivo está vacío."))
    try:
        cleaned = svg.clean(data)
    except svg.SvgError as error:
        raise MediaError(error.message) from None
    handle, temporary = _staging_file()
    with open(handle, "wb") as out:
        out.write(cleaned)
    return Staged(
        name,
        Path(temporary),
        len(cleaned),
        hashlib.sha256(cleaned).hexdigest(),
        SVG_TYPE,
        hashlib.sha256(data).hexdigest(),
    )


def place(session: Session, course: Course, staged: Staged) -> MediaFile:
    """Move a staged file into the course's folder and record it (or its new version): a
    rename and one row, quick enough for the write transaction."""
    folder = course_folder(course.id)
    folder.mkdir(parents=True, exist_ok=True)
    os.replace(staged.path, folder / staged.name)
    record = session.scalar(
        sa.select(MediaFile).where(
            MediaFile.course_id == course.id, MediaFile.filename == staged.name
        )
    )
    if record is None:
        record = MediaFile(course_id=course.id, filename=staged.name)
        session.add(record)
    record.content_type, record.size, record.sha256 = (
        staged.content_type,
        staged.size,
        staged.sha256,
    )
    session.flush()
    return record


def store(session: Session, course: Course, filename: str, data: bytes) -> MediaFile:
    """Stage and place in one go (starter content, tests): small files already in memory."""
    return place(session, course, stage(io.BytesIO(data), filename))


def read(course_id: int, filename: str) -> bytes:
    return (course_folder(course_id) / filename).read_bytes()


def files_of(session: Session, course_id: int) -> list[MediaFile]:
    """The course's files, by name."""
    return list(
        session.scalars(
            sa.select(MediaFile)
            .where(MediaFile.course_id == course_id)
            .order_by(MediaFile.filename)
        )
    )


def by_kind(files: list[MediaFile]) -> dict[str, list[MediaFile]]:
    """{"image": [...], "audio": [...], "video": [...]}, each by name."""
    grouped: dict[str, list[MediaFile]] = {kind: [] for kind in KINDS}
    for record in files:
        grouped.setdefault(kind_of(record.content_type), []).append(record)
    return grouped


def remove_files(course_id: int, names: list[str]) -> None:
    """Delete files whose records a committed write removed (a leftover is only disk)."""
    for name in names:
        (course_folder(course_id) / safe_filename(name)).unlink(missing_ok=True)
