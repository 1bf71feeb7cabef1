"""Writing courses: from a definition (starter courses, content packs) or in the browser."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter.courses import completion, definitions, media
from telecenter.courses.content import MEDIA_PREFIX, find_unsafe, render
from telecenter.courses.crops import AGRICULTURE, crop_problem
from telecenter.courses.models import Course, Lesson, LessonRecording, Module, Option, Question
from telecenter.domain_errors import DomainError

log = logging.getLogger(__name__)


class AuthoringError(DomainError):
    """A change to a course that cannot be made; `errors` maps fields to messages."""


COURSE_FIELDS = (
    "title",
    "summary",
    "category",
    "commodity",
    "language",
    "estimated_hours",
    "pass_mark",
    "completion_mode",
    "attendance_share",
)


def find_by_slug(session: Session, slug: str) -> Course | None:
    return session.scalar(sa.select(Course).where(Course.slug == slug))


def _replace_questions(session: Session, course: Course, lesson: Lesson | None, questions):
    query = sa.select(Question).where(Question.course_id == course.id)
    query = (
        query.where(Question.lesson_id == lesson.id)
        if lesson
        else query.where(Question.lesson_id.is_(None))
    )
    for old in session.scalars(query):
        session.delete(old)
    session.flush()
    for position, item in enumerate(questions):
        question = Question(
            course_id=course.id, lesson_id=lesson.id if lesson else None, position=position
        )
        fill_question(question, item)
        session.add(question)


def media_name(reference: str | None) -> str | None:
    """ "media/NAME" (the definition's form, as in lesson Markdown) to the stored NAME."""
    return reference.removeprefix(MEDIA_PREFIX) if reference else None


def fill_question(question: Question, item: dict) -> None:
    """A question's content from its definition form (a pack's, or the editor's). Options are
    updated in place by position, so an edited question keeps its options' rows (and the
    answers recorded against them) where it keeps their number."""
    question.prompt, question.kind = item["prompt"], item["kind"]
    question.audio, question.image = media_name(item.get("audio")), media_name(item.get("image"))
    wanted = item["options"]
    options = question.options[: len(wanted)]
    options += [Option() for _extra in range(len(wanted) - len(options))]
    for index, (option, o) in enumerate(zip(options, wanted, strict=True)):
        option.position, option.text = index, o["text"]
        option.correct, option.feedback = o.get("correct") is True, o.get("feedback", "")
        option.audio, option.image = media_name(o.get("audio")), media_name(o.get("image"))
    question.options = options


def _replace_recordings(lesson: Lesson, recordings: dict[str, str]) -> None:
    """Kept rows are updated in place: one recording per language, even mid-flush."""
    wanted = {language: name for language, ref in recordings.items() if (name := media_name(ref))}
    lesson.recordings = [r for r in lesson.recordings if r.language in wanted]
    for recording in lesson.recordings:
        recording.filename = wanted.pop(recording.language)
    lesson.recordings += [
        LessonRecording(language=language, filename=name)
        for language, name in sorted(wanted.items())
    ]


def apply_definition(
    session: Session, definition: dict, bodies: dict[str, str], *, published: bool | None = None
) -> Course:
    """Create the course, or upgrade it to a newer version keeping lessons (and progress)."""
    course = find_by_slug(session, definition["slug"])
    if course is not None and definition["version"] <= course.version:
        raise AuthoringError(
            {
                "version": _(
                    "Este telecentro ya tiene la versión %(have)d de este curso; "
                    "el paquete trae la "
                    "versión %(new)d.",
                    have=course.version,
                    new=definition["version"],
                )
            }
        )
    if course is None:
        course = Course(slug=definition["slug"], published=bool(published))
        session.add(course)
    elif published is not None:
        course.published = published
    course.version = definition["version"]
    for name in COURSE_FIELDS:
        if name in definition:
            setattr(course, name, definition[name])
    if course.category != AGRICULTURE:
        course.commodity = None  # a pack that moves a course out of agriculture, crop unsaid
    session.flush()
    _apply_modules(session, course, definition, bodies)
    _replace_questions(session, course, None, definition.get("final_quiz", []))
    session.flush()
    session.expire(course)
    completion.recompute(session, course)
    log.info("course %s is now at version %s", course.slug, course.version)
    return course


def _apply_modules(session: Session, course: Course, definition: dict, bodies: dict[str, str]):
    existing = {
        lesson.slug: lesson
        for lesson in session.scalars(sa.select(Lesson).where(Lesson.course_id == course.id))
    }
    modules = list(course.modules)
    kept = set()
    for m_position, item in enumerate(definition["modules"]):
        if m_position < len(modules):
            module = modules[m_position]
            module.title = item["title"]
        else:
            module = Module(course=course, position=m_position, title=item["title"])
            session.add(module)
            session.flush()
        for position, entry in enumerate(item["lessons"]):
            lesson = existing.get(entry["slug"]) or Lesson(course_id=course.id, slug=entry["slug"])
            lesson.module_id, lesson.position = module.id, position
            lesson.title = entry["title"]
            lesson.body_markdown = bodies.get(entry["file"], "")
            lesson.required = entry.get("required", True) is not False
            lesson.archived = False
            _replace_recordings(lesson, entry.get("recordings") or {})
            session.add(lesson)
            session.flush()
            kept.add(lesson.slug)
            _replace_questions(session, course, lesson, entry.get("quiz", []))
    for slug, lesson in existing.items():
        if slug not in kept:
            lesson.archived = True  # progress refers to it; it just is no longer shown


def unsafe_problem(text: str) -> str | None:
    """What saving this text would refuse, in the words the form shows; None when it is safe."""
    unsafe = find_unsafe(text)
    if unsafe is None:
        return None
    return _(
        "El texto tiene código no permitido (%(code)s). Quítelo y vuelva a guardar.",
        code=unsafe[:30],
    )


def check_markdown(text: str, field: str = "body_markdown") -> None:
    problem = unsafe_problem(text)
    if problem:
        raise AuthoringError({field: problem})


@dataclass(frozen=True)
class Preview:
    """A draft as learners would see it, and what saving it would refuse (or None)."""

    html: str
    problem: str | None


#: The longest lesson text (as the lesson form allows).
MAX_LESSON_CHARS = 100_000


def preview(text: str, course_id: int) -> Preview:
    """The lesson page's own rendering of a draft: the one renderer, never another."""
    if len(text) > MAX_LESSON_CHARS:
        raise AuthoringError(_("El texto es demasiado largo: acórtelo para ver cómo queda."))
    return Preview(render(text, course_id=course_id), unsafe_problem(text))


@dataclass
class CourseFields:
    title: str
    summary: str
    category: str
    language: str
    estimated_hours: float
    pass_mark: int
    completion_mode: str
    attendance_share: int
    published: bool
    #: The crop of an agriculture course (required for agriculture, refused otherwise).
    commodity: str | None = None


def save_course(
    session: Session, fields: CourseFields, *, course: Course | None = None, slug: str | None = None
) -> Course:
    for name in ("title", "summary"):
        check_markdown(getattr(fields, name), name)
    if problem := crop_problem(fields.category, fields.commodity):
        raise AuthoringError({"commodity": problem})
    if course is None:
        slug = slug or definitions.slugify(fields.title)
        if find_by_slug(session, slug) is not None:
            raise AuthoringError({"title": _("Ya hay un curso con ese nombre.")})
        course = Course(slug=slug)
        session.add(course)
    for name, value in vars(fields).items():
        setattr(course, name, value)
    session.flush()
    completion.recompute(session, course)  # the share or the mode may have changed
    return course


def add_module(session: Session, course: Course, title: str) -> Module:
    module = Module(course=course, title=title.strip(), position=len(course.modules))
    session.add(module)
    session.flush()
    return module


def save_lesson(
    session: Session,
    module: Module,
    *,
    title: str,
    body_markdown: str,
    required: bool,
    lesson: Lesson | None = None,
) -> Lesson:
    check_markdown(body_markdown)
    if lesson is None:
        slug = _free_lesson_slug(session, module.course_id, definitions.slugify(title))
        lesson = Lesson(
            course_id=module.course_id, module_id=module.id, slug=slug, position=len(module.lessons)
        )
        session.add(lesson)
    lesson.title, lesson.body_markdown, lesson.required = title.strip(), body_markdown, required
    session.flush()
    return lesson


def _free_lesson_slug(session: Session, course_id: int, base: str) -> str:
    taken = set(session.scalars(sa.select(Lesson.slug).where(Lesson.course_id == course_id)))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def save_question(
    session: Session,
    course: Course,
    lesson: Lesson | None,
    item: dict,
    *,
    question: Question | None = None,
) -> Question:
    """Add a question to a lesson's quiz (or the final quiz), or replace one's content."""
    problems = definitions.check_questions([item], "question")
    if problems:
        raise AuthoringError(
            {
                "prompt": _(
                    "Revise la pregunta: escriba el texto, al menos dos "
                    "opciones y marque la respuesta correcta (una sola "
                    "si es de una respuesta)."
                )
            }
        )
    check_question_media(session, course, item)
    if question is None:
        siblings = lesson.questions if lesson else course.final_questions
        question = Question(
            course_id=course.id, lesson_id=lesson.id if lesson else None, position=len(siblings)
        )
        session.add(question)
    fill_question(question, item)
    session.flush()
    return question


def check_question_media(session: Session, course: Course, item: dict) -> None:
    """Each sound and picture chosen for the question and its options is a file of this
    course of that kind (a name sent from another course, or a picture as the sound, is
    refused, and nothing is saved)."""
    files = media.by_kind(media.files_of(session, course.id))
    # The keys ("audio", "image") are the kinds of file they must name.
    names = {key: {f.filename for f in files[key]} for key in definitions.MEDIA_KEYS}

    def wrong(part: dict, key: str) -> bool:
        name = media_name(part.get(key))
        return name is not None and name not in names[key]

    errors = {}
    if wrong(item, "audio"):
        errors["audio"] = _("El audio elegido para la pregunta no es un audio de este curso.")
    if wrong(item, "image"):
        errors["image"] = _("La imagen elegida para la pregunta no es una imagen de este curso.")
    for number, option in enumerate(item["options"]):
        if wrong(option, "audio"):
            errors[f"option-{number}-audio"] = _(
                "El audio elegido para la opción «%(text)s» no es un audio de este curso.",
                text=option["text"],
            )
        if wrong(option, "image"):
            errors[f"option-{number}-image"] = _(
                "La imagen elegida para la opción «%(text)s» no es una imagen de este curso.",
                text=option["text"],
            )
    if errors:
        raise AuthoringError(errors)


def move(items: list, item, offset: int) -> None:
    """Move a module or lesson up (-1) or down (+1) among its siblings."""
    ordered = sorted(items, key=lambda i: i.position)
    index = ordered.index(item)
    target = index + offset
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position
