"""Courses and their parts, and each learner's enrolment, progress and quiz attempts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecenter.clock import utcnow
from telecenter.database import UTCDateTime, one_of
from telecenter.extensions import Model
from telecenter.participants.models import Participant
from telecenter.vocabulary import CATEGORIES, COMPLETION_MODES, CROPS


class Course(Model):
    __tablename__ = "courses"
    __table_args__ = (
        sa.CheckConstraint(one_of("category", CATEGORIES), name="category_known"),
        sa.CheckConstraint(
            f"commodity IS NULL OR (category = 'agriculture' AND {one_of('commodity', CROPS)})",
            name="commodity_known",
        ),
        sa.CheckConstraint(one_of("completion_mode", COMPLETION_MODES), name="completion_known"),
        sa.CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_range"),
        sa.CheckConstraint("attendance_share BETWEEN 1 AND 100", name="attendance_share_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable name across sites; content packs match courses by it.
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: Content version; a pack upgrades a course only to a higher version.
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(160))
    summary: Mapped[str] = mapped_column(sa.String(600), default="")
    category: Mapped[str] = mapped_column(sa.String(24))
    #: The crop an agriculture course is about (vocabulary.CROPS); None when not said.
    commodity: Mapped[str | None] = mapped_column(sa.String(12))
    language: Mapped[str] = mapped_column(sa.String(8), default="es")
    estimated_hours: Mapped[float] = mapped_column(sa.Float, default=1.0)
    published: Mapped[bool] = mapped_column(default=False)
    #: Percentage of correct answers needed to pass a quiz.
    pass_mark: Mapped[int] = mapped_column(default=70)
    #: `self_paced` (lessons and final quiz) or `classroom` (share of sessions attended).
    completion_mode: Mapped[str] = mapped_column(sa.String(12), default="self_paced")
    #: For classroom courses: the percentage of the course's sessions a learner must attend.
    attendance_share: Mapped[int] = mapped_column(default=75)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )
    final_questions: Mapped[list[Question]] = relationship(
        primaryjoin="and_(Question.course_id == Course.id, Question.lesson_id.is_(None))",
        order_by="Question.position",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<Course {self.id} {self.slug} v{self.version}>"

    @property
    def lessons(self) -> list[Lesson]:
        return [
            lesson for module in self.modules for lesson in module.lessons if not lesson.archived
        ]

    @property
    def required_lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.required]


class Module(Model):
    __tablename__ = "course_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(160))

    course: Mapped[Course] = relationship(back_populates="modules")
    # selectin: a course's lessons arrive in one query, not one per module.
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<Module {self.id} of course {self.course_id}>"


class Lesson(Model):
    """A lesson: sanitized Markdown, optionally ending with a short quiz."""

    __tablename__ = "lessons"
    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("course_modules.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    #: Stable within the course; a pack upgrade keeps progress by matching slugs.
    slug: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(160))
    body_markdown: Mapped[str] = mapped_column(sa.Text, default="")
    #: Whether completion of the course needs this lesson.
    required: Mapped[bool] = mapped_column(default=True)
    #: Lessons dropped by a newer version stay (progress refers to them) but are hidden.
    archived: Mapped[bool] = mapped_column(default=False)

    module: Mapped[Module] = relationship(back_populates="lessons")
    questions: Mapped[list[Question]] = relationship(
        back_populates="lesson", order_by="Question.position"
    )
    recordings: Mapped[list[LessonRecording]] = relationship(
        back_populates="lesson",
        order_by="LessonRecording.language",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"<Lesson {self.id} {self.slug}>"


class LessonRecording(Model):
    """The lesson read aloud, in one language: a resident hears the one in her mother tongue
    (from the registry), else the Spanish one."""

    __tablename__ = "lesson_recordings"
    __table_args__ = (sa.UniqueConstraint("lesson_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lessons.id"), index=True)
    #: A mother-tongue key of the registry (`spanish`, `quechua`, ...).
    language: Mapped[str] = mapped_column(sa.String(24))
    #: A media file of the course.
    filename: Mapped[str] = mapped_column(sa.String(120))

    lesson: Mapped[Lesson] = relationship(back_populates="recordings")

    def __repr__(self) -> str:
        return f"<LessonRecording {self.lesson_id} {self.language}>"


class Question(Model):
    """A quiz question of a lesson, or of the course's final quiz when lesson_id is NULL."""

    __tablename__ = "quiz_questions"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", ("single", "multiple")), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    lesson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lessons.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    prompt: Mapped[str] = mapped_column(sa.String(500))
    kind: Mapped[str] = mapped_column(sa.String(8), default="single")
    #: Course media files: the prompt read aloud, and a picture shown with it.
    audio: Mapped[str | None] = mapped_column(sa.String(120))
    image: Mapped[str | None] = mapped_column(sa.String(120))

    lesson: Mapped[Lesson | None] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question",
        order_by="Option.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.kind}>"

    @property
    def correct_ids(self) -> set[int]:
        return {option.id for option in self.options if option.correct}


class Option(Model):
    __tablename__ = "quiz_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_questions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.String(300))
    correct: Mapped[bool] = mapped_column(default=False)
    #: Shown after answering, to explain why the option is right or wrong.
    feedback: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Course media files: the option read aloud, and a picture option (the text is its alt).
    audio: Mapped[str | None] = mapped_column(sa.String(120))
    image: Mapped[str | None] = mapped_column(sa.String(120))

    question: Mapped[Question] = relationship(back_populates="options")

    def __repr__(self) -> str:
        return f"<Option {self.id}>"


class MediaFile(Model):
    """An image, audio or video file of a course, stored under the instance's media folder."""

    __tablename__ = "course_media"
    __table_args__ = (sa.UniqueConstraint("course_id", "filename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    #: Safe name used in lesson Markdown: `![texto](media/NAME)`.
    filename: Mapped[str] = mapped_column(sa.String(120))
    content_type: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<MediaFile {self.id} {self.filename}>"


class Enrolment(Model):
    __tablename__ = "enrolments"
    __table_args__ = (sa.UniqueConstraint("course_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enrolled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: The lesson opened last, for "continue where I left off".
    last_lesson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lessons.id"))
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Recorded once, when the learner is first "successfully trained".
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: `lessons` (lessons and final quiz) or `attendance` (classroom courses).
    completed_by: Mapped[str | None] = mapped_column(sa.String(12))
    #: Printed on the certificate; the site checks certificates by it.
    certificate_code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)

    course: Mapped[Course] = relationship()
    participant: Mapped[Participant] = relationship()
    progress: Mapped[list[LessonProgress]] = relationship(back_populates="enrolment")

    def __repr__(self) -> str:
        return f"<Enrolment course={self.course_id} participant={self.participant_id}>"


class LessonProgress(Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (sa.UniqueConstraint("enrolment_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lessons.id"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrolment: Mapped[Enrolment] = relationship(back_populates="progress")

    def __repr__(self) -> str:
        return f"<LessonProgress enrolment={self.enrolment_id} lesson={self.lesson_id}>"


class QuizAttempt(Model):
    """One submitted quiz (a lesson's, or the final one when lesson_id is NULL)."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"), index=True)
    lesson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lessons.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    score: Mapped[int]  # percentage of questions answered exactly right
    passed: Mapped[bool]
    #: {question id: [chosen option ids]}, as submitted.
    answers: Mapped[dict] = mapped_column(sa.JSON)

    def __repr__(self) -> str:
        return f"<QuizAttempt enrolment={self.enrolment_id} score={self.score}>"
