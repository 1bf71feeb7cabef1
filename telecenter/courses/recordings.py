"""Recordings: a lesson read aloud in each language, and the sound clips of questions and options.

A recording is a course media file like any other (it travels in packs, it can be used in a
lesson's text), named for what it is and by its fingerprint, `grabacion-<lesson>-<language>-
<8 hex>.weba`: a new recording is a new address, so no browser plays a cached old one (course
media is cached for a week). Sound in a WebM container (what a browser's MediaRecorder makes,
and what `filetype` calls video/webm) is stored with the ending `.weba`, as audio/webm.

Each change stages the file (copy, check, fingerprint: the slow part) before the short write
that records it, as pack imports do; a recording replaced or removed that nothing else uses is
deleted with its record, its file once the write is committed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter.courses import media
from telecenter.courses.content import MEDIA_PREFIX
from telecenter.courses.models import (
    Course,
    Lesson,
    LessonRecording,
    MediaFile,
    Option,
    Question,
)
from telecenter.database import writing
from telecenter.domain_errors import DomainError
from telecenter.participants.choices import MOTHER_TONGUES

#: The languages a lesson can be heard in: the registry's mother tongues, but "other".
LANGUAGES = {key: label for key, label in MOTHER_TONGUES.items() if key != "other"}
DEFAULT_LANGUAGE = "spanish"
PREFIX = "grabacion-"
#: Sound in a WebM container is kept as .weba (audio/webm); other endings stay.
SOUND_ENDING = {".webm": ".weba"}


class RecordingError(DomainError):
    """A recording that cannot be stored or removed; the message says why."""


def _not_sound() -> RecordingError:
    return RecordingError(
        {
            "file": _(
                "Ese archivo no es una grabación de sonido. Elija un archivo de audio (MP3, "
                "OGG, WAV, M4A o WebM) o grabe con el micrófono."
            )
        }
    )


def is_sound(content_type: str) -> bool:
    """Audio, or WebM (a browser's recordings; `filetype` cannot tell sound-only WebM)."""
    return media.kind_of(content_type) == "audio" or content_type == "video/webm"


def check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise RecordingError({"language": _("Elija el idioma de la grabación.")})


def stage(stream: BinaryIO, filename: str, stem: str) -> media.Staged:
    """Stage an upload as a recording named `<stem>-<fingerprint><ending>`, refusing
    anything that is not sound. Slow: before `writing()`, never inside."""
    try:
        staged = media.stage(stream, filename or "grabacion.webm")
    except media.UnknownKind:
        raise _not_sound() from None
    except media.MediaError as error:
        raise RecordingError({"file": error.message}) from None
    if not is_sound(staged.content_type):
        staged.discard()
        raise _not_sound()
    suffix = Path(staged.name).suffix
    ending = SOUND_ENDING.get(suffix, suffix)
    return dataclasses.replace(
        staged,
        name=f"{stem}-{staged.sha256[:8]}{ending}",
        content_type=media.SOUND_ONLY.get(ending, staged.content_type),
    )


def _stem(lesson: Lesson, language: str) -> str:
    return f"{PREFIX}{lesson.slug[:60]}-{language}"


def record_lesson(
    session: Session, lesson: Lesson, language: str, stream: BinaryIO, filename: str
) -> LessonRecording:
    """Give the lesson its recording in this language, replacing the one it had."""
    check_language(language)
    staged = stage(stream, filename, _stem(lesson, language))
    try:
        with writing(session):
            recording, unused = _attach(session, lesson, language, staged)
    finally:
        staged.discard()  # no-op once placed
    media.remove_files(lesson.course_id, unused)
    return recording


def _attach(
    session: Session, lesson: Lesson, language: str, staged: media.Staged
) -> tuple[LessonRecording, list[str]]:
    placed = media.place(session, _course(session, lesson.course_id), staged)
    recording = next((r for r in lesson.recordings if r.language == language), None)
    previous = recording.filename if recording else None
    if recording is None:
        recording = LessonRecording(language=language, filename=placed.filename)
        lesson.recordings.append(recording)
    recording.filename = placed.filename
    session.flush()
    replaced = [previous] if previous and previous != placed.filename else []
    return recording, _forget_unused(session, lesson.course_id, replaced)


def remove_from_lesson(session: Session, lesson: Lesson, language: str) -> None:
    """Take the lesson's recording in this language away."""
    with writing(session):
        recording = next((r for r in lesson.recordings if r.language == language), None)
        if recording is None:
            raise RecordingError(_("Esta lección no tiene grabación en ese idioma."))
        lesson.recordings.remove(recording)
        session.flush()
        unused = _forget_unused(session, lesson.course_id, [recording.filename])
    media.remove_files(lesson.course_id, unused)


def record_clip(session: Session, course_id: int, stream: BinaryIO, filename: str) -> MediaFile:
    """Store a recording made for a question or an option as a course file, for the question
    editor to choose (it is saved with the question)."""
    staged = stage(stream, filename, f"{PREFIX}pregunta")
    try:
        with writing(session):
            return media.place(session, _course(session, course_id), staged)
    finally:
        staged.discard()


def _course(session: Session, course_id: int) -> Course:
    return session.get_one(Course, course_id)  # courses are never deleted


def _forget_unused(session: Session, course_id: int, names: list[str]) -> list[str]:
    """Delete the records of the recordings among `names` that nothing in the course uses."""
    forgotten = []
    for name in names:
        if not name.startswith(PREFIX) or in_use(session, course_id, name):
            continue
        session.execute(
            sa.delete(MediaFile).where(MediaFile.course_id == course_id, MediaFile.filename == name)
        )
        forgotten.append(name)
    return forgotten


def in_use(session: Session, course_id: int, name: str) -> bool:
    """Whether a lesson (its text or a recording), a question or an option uses the file."""
    queries = (
        sa.select(LessonRecording.id)
        .join(Lesson)
        .where(Lesson.course_id == course_id, LessonRecording.filename == name),
        sa.select(Question.id).where(
            Question.course_id == course_id, sa.or_(Question.audio == name, Question.image == name)
        ),
        sa.select(Option.id)
        .join(Question)
        .where(Question.course_id == course_id, sa.or_(Option.audio == name, Option.image == name)),
        sa.select(Lesson.id).where(
            Lesson.course_id == course_id,
            Lesson.body_markdown.contains(MEDIA_PREFIX + name, autoescape=True),
        ),
    )
    return any(session.scalar(query.limit(1)) is not None for query in queries)
