"""Course authoring and learning forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from telecenter import labels
from telecenter.courses.authoring import CourseFields
from telecenter.forms import Form, filled
from telecenter.labels import as_choices

LANGUAGE_LABELS = {
    "es": _l("Castellano"),
    "qu": _l("Quechua"),
    "cni": _l("Asháninka"),
    "shp": _l("Shipibo-Konibo"),
    "en": _l("Inglés"),
}
OPTION_COUNT = 4


class CourseForm(Form):
    title = StringField(_l("Título"), validators=[DataRequired(), Length(max=160)])
    summary = TextAreaField(_l("Resumen"), validators=[Optional(), Length(max=600)])
    category = SelectField(_l("Categoría"), choices=labels.choices("category"))
    language = SelectField(_l("Idioma"), choices=as_choices(LANGUAGE_LABELS))
    estimated_hours = FloatField(
        _l("Horas estimadas"),
        default=2,
        validators=[InputRequired(), NumberRange(min=0.5, max=500)],
    )
    completion_mode = RadioField(
        _l("Cómo se aprueba"), choices=labels.choices("completion_mode"), default="self_paced"
    )
    pass_mark = IntegerField(
        _l("Nota mínima para aprobar un cuestionario (%)"),
        default=70,
        validators=[InputRequired(), NumberRange(min=0, max=100)],
    )
    attendance_share = IntegerField(
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
    body_markdown = TextAreaField(
        _l("Texto de la lección (Markdown)"), validators=[Length(max=100_000)]
    )
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


def option_fields(form_data, count: int = OPTION_COUNT) -> list[dict]:
    """The question's options from the request: option-N-text / -correct / -feedback."""
    options = []
    for number in range(count):
        text = (form_data.get(f"option-{number}-text") or "").strip()
        if text:
            options.append(
                {
                    "text": text[:300],
                    "correct": form_data.get(f"option-{number}-correct") == "y",
                    "feedback": (form_data.get(f"option-{number}-feedback") or "")[:500],
                }
            )
    return options


class MediaForm(Form):
    file = FileField(_l("Archivo (imagen, audio o video)"), validators=[FileRequired()])


class PackForm(Form):
    file = FileField(_l("Paquete de curso (.zip)"), validators=[FileRequired()])
