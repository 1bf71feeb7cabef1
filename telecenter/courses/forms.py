"""Course authoring and learning forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FloatField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from telecenter import labels
from telecenter.courses import recordings
from telecenter.courses.authoring import CourseFields
from telecenter.courses.content import MEDIA_PREFIX
from telecenter.courses.models import Question
from telecenter.forms import BoundedIntegerField, Form, filled
from telecenter.labels import as_choices

LANGUAGE_LABELS = {
    "es": _l("Castellano"),
    "qu": _l("Quechua"),
    "cni": _l("Asháninka"),
    "shp": _l("Shipibo-Konibo"),
    "en": _l("Inglés"),
}
#: Option rows of a new question's form; an edited one shows as many as it has (up to 6).
OPTION_COUNT = 4
MAX_OPTIONS = 6


class CourseForm(Form):
    title = StringField(_l("Título"), validators=[DataRequired(), Length(max=160)])
    summary = TextAreaField(_l("Resumen"), validators=[Optional(), Length(max=600)])
    category = SelectField(_l("Categoría"), choices=labels.choices("category"))
    commodity = SelectField(
        _l("Cultivo (solo agricultura)"),
        choices=labels.crop_choices(blank=_l("— Elija —")),
        validators=[Optional()],
    )
    language = SelectField(_l("Idioma"), choices=as_choices(LANGUAGE_LABELS))
    estimated_hours = FloatField(
        _l("Horas estimadas"),
        default=2,
        validators=[InputRequired(), NumberRange(min=0.5, max=500)],
    )
    completion_mode = RadioField(
        _l("Cómo se aprueba"), choices=labels.choices("completion_mode"), default="self_paced"
    )
    pass_mark = BoundedIntegerField(
        _l("Nota mínima para aprobar un cuestionario (%)"),
        default=70,
        validators=[InputRequired(), NumberRange(min=0, max=100)],
    )
    attendance_share = BoundedIntegerField(
        _l("Asistencia mínima en cursos en clase (%)"),
        default=75,
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )
    published = BooleanField(_l("Publicado: los participantes lo ven"))

    def fields(self) -> CourseFields:
        return CourseFields(
            title=filled(self.title.data).strip(),
            summary=(self.summary.data or "").strip(),
            category=self.category.data,
            commodity=self.commodity.data or None,
            language=self.language.data,
            estimated_hours=filled(self.estimated_hours.data),
            pass_mark=filled(self.pass_mark.data),
            completion_mode=self.completion_mode.data,
            attendance_share=filled(self.attendance_share.data),
            published=self.published.data,
        )


class ModuleForm(Form):
    title = StringField(_l("Nombre del módulo"), validators=[DataRequired(), Length(max=160)])


class LessonForm(Form):
    title = StringField(_l("Título de la lección"), validators=[DataRequired(), Length(max=160)])
    body_markdown = TextAreaField(_l("Texto de la lección"), validators=[Length(max=100_000)])
    required = BooleanField(_l("Obligatoria para aprobar el curso"), default=True)


class QuestionForm(Form):
    prompt = StringField(_l("Pregunta"), validators=[DataRequired(), Length(max=500)])
    kind = RadioField(
        _l("Tipo"),
        default="single",
        choices=as_choices(
            {
                "single": _l("Una sola respuesta correcta"),
                "multiple": _l("Varias respuestas correctas"),
            }
        ),
    )


def _media(form_data, prefix: str) -> dict[str, str]:
    """The audio and image chosen in the selects `<prefix>-audio`, `<prefix>-image`, as the
    definition's "media/NAME" ("Ninguno" sends nothing)."""
    chosen = {key: (form_data.get(f"{prefix}-{key}") or "").strip() for key in ("audio", "image")}
    return {key: MEDIA_PREFIX + name for key, name in chosen.items() if name}


def option_fields(form_data, count: int = MAX_OPTIONS) -> list[dict]:
    """The question's options from the request: option-N-text / -correct / -feedback /
    -audio / -image; rows without text are left out."""
    options = []
    for number in range(count):
        text = (form_data.get(f"option-{number}-text") or "").strip()
        if text:
            options.append(
                {
                    "text": text[:300],
                    "correct": form_data.get(f"option-{number}-correct") == "y",
                    "feedback": (form_data.get(f"option-{number}-feedback") or "")[:500],
                    **_media(form_data, f"option-{number}"),
                }
            )
    return options


def question_item(form: QuestionForm, form_data) -> dict:
    """The question being added or edited, in the definition form `save_question` takes."""
    return {
        "prompt": filled(form.prompt.data).strip(),
        "kind": form.kind.data,
        **_media(form_data, "question"),
        "options": option_fields(form_data),
    }


def question_values(question: Question | None) -> dict[str, str]:
    """A saved question as the editor's fields hold it (empty for a new one): the inverse of
    `question_item`, to prefill the form."""
    if question is None:
        return {}
    values = {f"question-{key}": getattr(question, key) or "" for key in ("audio", "image")}
    for number, option in enumerate(question.options):
        row = f"option-{number}"
        values |= {
            f"{row}-text": option.text,
            f"{row}-correct": "y" if option.correct else "",
            f"{row}-feedback": option.feedback,
            f"{row}-audio": option.audio or "",
            f"{row}-image": option.image or "",
        }
    return values


def option_rows(values) -> range:
    """How many option rows the form shows: four, or as many as the question has."""
    filled_rows = [n for n in range(MAX_OPTIONS) if values.get(f"option-{n}-text")]
    return range(max(OPTION_COUNT, filled_rows[-1] + 1 if filled_rows else 0))


class RecordingForm(Form):
    """A lesson's recording: its language, and the file (recorded in the page, or chosen)."""

    language = SelectField(
        _l("Idioma de la grabación"),
        choices=as_choices(recordings.LANGUAGES),
        default=recordings.DEFAULT_LANGUAGE,
    )
    file = FileField(
        _l("Archivo de audio"),
        validators=[FileRequired(_l("Elija un archivo de audio para subir."))],
    )


class ClipForm(Form):
    """A recording made in the question editor, stored as a course file."""

    file = FileField(validators=[FileRequired(_l("Falta la grabación."))])


class MediaForm(Form):
    file = FileField(_l("Archivo (imagen, audio o video)"), validators=[FileRequired()])


class PackForm(Form):
    file = FileField(_l("Paquete de curso (.zip)"), validators=[FileRequired()])
