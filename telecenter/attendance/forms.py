"""Scheduling and attendance forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from telecenter import labels
from telecenter.attendance.network_sessions import LocalChoices
from telecenter.attendance.scheduling import MAX_NOTES, Recurrence, SessionData
from telecenter.forms import BoundedIntegerField, Form, MultiCheckboxField, SelectChoice, filled
from telecenter.labels import as_choices

WEEKDAY_LABELS = {
    "0": _l("Lunes"),
    "1": _l("Martes"),
    "2": _l("Miércoles"),
    "3": _l("Jueves"),
    "4": _l("Viernes"),
    "5": _l("Sábado"),
    "6": _l("Domingo"),
}
SCOPE_LABELS = {"one": _l("Solo esta sesión"), "following": _l("Esta y las siguientes de la serie")}


class LocalFields(Form):
    """What a telecenter decides of any session, a network teleconference's too."""

    room = StringField(_l("Ambiente o laboratorio"), validators=[Optional(), Length(max=80)])
    trainer_id = SelectField(_l("Capacitador"), choices=[], validators=[Optional()])
    capacity = BoundedIntegerField(_l("Capacidad (vacío: sin límite)"), validators=[Optional()])
    group_id = SelectField(
        _l("Grupo (sus integrantes quedan en la lista)"), choices=[], validators=[Optional()]
    )
    checkin_before_minutes = BoundedIntegerField(
        _l("Registro abre (minutos antes)"),
        default=30,
        validators=[InputRequired(), NumberRange(0, 240)],
    )
    checkin_after_minutes = BoundedIntegerField(
        _l("Registro cierra (minutos después del inicio)"),
        default=30,
        validators=[InputRequired(), NumberRange(0, 240)],
    )
    local_notes = TextAreaField(
        _l("Notas del telecentro"), validators=[Optional(), Length(max=MAX_NOTES)]
    )

    def set_local_choices(self, trainers, groups) -> None:
        self.group_id.choices = [SelectChoice("", _l("— Ninguno —"))] + [
            SelectChoice(str(g.id), g.name) for g in groups
        ]
        self.trainer_id.choices = [SelectChoice("", _l("— Ninguno —"))] + [
            SelectChoice(str(u.id), u.display_name) for u in trainers
        ]


class SessionForm(LocalFields):
    kind = RadioField(
        _l("Tipo de actividad"),
        choices=labels.choices("activity"),
        default="class",
        validators=[InputRequired()],
    )
    purpose = RadioField(
        _l("Propósito"),
        choices=labels.choices("purpose"),
        default="training",  # also when a client sends none (before purposes existed)
    )
    title = StringField(_l("Título"), validators=[DataRequired(), Length(max=160)])
    topic = StringField(_l("Tema"), validators=[Optional(), Length(max=300)])
    course_id = SelectField(
        _l("Curso (si es parte de un curso)"), choices=[], validators=[Optional()]
    )
    category = SelectField(
        _l("Categoría (si no es de un curso)"), choices=[], validators=[Optional()]
    )
    commodity = SelectField(
        _l("Cultivo (solo agricultura)"),
        choices=labels.crop_choices(blank=_l("— Elija —")),
        validators=[Optional()],
    )
    day = DateField(_l("Día"), validators=[InputRequired()])
    start = TimeField(_l("Hora de inicio"), validators=[InputRequired()])
    end = TimeField(_l("Hora de fin"), validators=[InputRequired()])
    presenter = StringField(
        _l("Expositor (teleconferencia)"), validators=[Optional(), Length(max=160)]
    )
    organisation = StringField(_l("Institución"), validators=[Optional(), Length(max=160)])
    platform = StringField(
        _l("Plataforma (Zoom, Meet, radio...)"), validators=[Optional(), Length(max=80)]
    )
    joining_details = TextAreaField(
        _l("Datos para conectarse"), validators=[Optional(), Length(max=500)]
    )
    repeat = BooleanField(_l("Repetir cada semana"))
    weekdays = MultiCheckboxField(_l("Días de la semana"), choices=as_choices(WEEKDAY_LABELS))
    every_weeks = BoundedIntegerField(
        _l("Cada cuántas semanas"), default=1, validators=[Optional(), NumberRange(1, 8)]
    )
    until = DateField(_l("Hasta el día"), validators=[Optional()])
    scope = RadioField(_l("Aplicar a"), choices=as_choices(SCOPE_LABELS), default="one")

    def set_choices(self, courses, trainers, groups) -> None:
        #: course id -> (category, crop): the page's script shows the crop for agriculture.
        self.course_topics = {str(c.id): (c.category, c.commodity) for c in courses}
        self.course_id.choices = [SelectChoice("", _l("— Ninguno —"))] + [
            SelectChoice(str(c.id), c.title) for c in courses
        ]
        self.category.choices = labels.choices("category", blank=_l("— Elija —"))
        self.set_local_choices(trainers, groups)

    def session_data(self) -> SessionData:
        return SessionData(
            kind=self.kind.data,
            title=self.title.data or "",
            topic=self.topic.data or "",
            course_id=int(self.course_id.data) if self.course_id.data else None,
            category=self.category.data or None,
            purpose=self.purpose.data,
            commodity=self.commodity.data or None,
            group_id=int(self.group_id.data) if self.group_id.data else None,
            day=filled(self.day.data),
            start=filled(self.start.data),
            end=filled(self.end.data),
            room=self.room.data or "",
            trainer_id=int(self.trainer_id.data) if self.trainer_id.data else None,
            capacity=self.capacity.data,
            presenter=self.presenter.data or "",
            organisation=self.organisation.data or "",
            platform=self.platform.data or "",
            joining_details=self.joining_details.data or "",
            checkin_before_minutes=filled(self.checkin_before_minutes.data),
            checkin_after_minutes=filled(self.checkin_after_minutes.data),
            local_notes=self.local_notes.data or "",
        )

    def recurrence(self) -> Recurrence | None:
        if not self.repeat.data:
            return None
        return Recurrence(
            weekdays=[int(d) for d in self.weekdays.data or []],
            every_weeks=self.every_weeks.data or 1,
            until=self.until.data,
        )


class NetworkSessionForm(LocalFields):
    """What the telecenter chooses for a network teleconference (central sets the rest)."""

    def choices(self) -> LocalChoices:
        return LocalChoices(
            room=self.room.data or "",
            trainer_id=int(self.trainer_id.data) if self.trainer_id.data else None,
            capacity=self.capacity.data,
            group_id=int(self.group_id.data) if self.group_id.data else None,
            checkin_before_minutes=filled(self.checkin_before_minutes.data),
            checkin_after_minutes=filled(self.checkin_after_minutes.data),
            local_notes=self.local_notes.data or "",
        )


class CancelForm(Form):
    reason = StringField(_l("Motivo"), validators=[DataRequired(), Length(max=300)])
    scope = RadioField(_l("Aplicar a"), choices=as_choices(SCOPE_LABELS), default="one")


class ViewersForm(Form):
    count = BoundedIntegerField(
        _l("Personas que miraron sin estar registradas"),
        validators=[InputRequired(), NumberRange(0, 1000)],
    )


#: What a date field says when what came is not a day (a date input sends YYYY-MM-DD).
NOT_A_DAY = _l("Esa fecha no existe. Elija el día en el calendario.")


def _day_field(label) -> DateField:
    # WTForms 3.3's invalid_value_message: types-WTForms (3.2) predates it.
    return DateField(label, validators=[Optional()], invalid_value_message=NOT_A_DAY)  # type: ignore[call-arg]


class DayRangeForm(Form):
    """The days of the attendance file: a GET form (a download changes nothing), so no CSRF."""

    class Meta(Form.Meta):
        csrf = False

    desde = _day_field(_l("Desde"))
    hasta = _day_field(_l("Hasta"))
