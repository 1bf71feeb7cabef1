"""Central office forms: programme targets, counting rules."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FloatField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from telecenter.central.rules import MONTH_NAMES
from telecenter.central.targets import PROGRAMME_START
from telecenter.counting_rules import MAX_HOURS, MAX_SESSIONS
from telecenter.forms import BoundedIntegerField, Form, SelectChoice, WholeNumberField

_MONTH_BOX = {"type": "month", "placeholder": "2024-01", "min": PROGRAMME_START, "max": "2099-12"}


class TargetForm(Form):
    """Choices are filled by the view (measures, sexes, regions and categories with their words);
    the rules are checked by targets._checked, so a target saved any way obeys them."""

    name = StringField(
        _l("Nombre de la meta"),
        validators=[DataRequired(_l("Escriba el nombre de la meta.")), Length(max=160)],
    )
    measure = SelectField(
        _l("Qué se cuenta"), choices=[], validators=[DataRequired(_l("Elija qué se cuenta."))]
    )
    value = WholeNumberField(_l("Meta (cuántos)"), render_kw={"inputmode": "numeric"})
    start_month = StringField(_l("Se cuenta desde (mes)"), render_kw=_MONTH_BOX)
    deadline_month = StringField(
        _l("Plazo (mes, opcional)"), validators=[Optional()], render_kw=_MONTH_BOX
    )
    sex = SelectField(_l("Sexo"), choices=[])
    region = SelectField(_l("Región"), choices=[])
    category = SelectField(_l("Categoría"), choices=[])


_DECIMAL = re.compile(r"[0-9]{1,6}(?:[.,][0-9]{1,3})?")


class DecimalCommaField(FloatField):
    """A number box that takes "1,5" as well as "1.5" (how hours are written in Peru), in
    ASCII digits only: Python's float() would also take "nan", "1e9" or "١٢٣"."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        typed = valuelist[0].strip()
        if not _DECIMAL.fullmatch(typed):
            self.data = None
            raise ValueError(_l("Escriba un número, por ejemplo 20 o 1,5."))
        self.data = float(typed.replace(",", "."))


class CountingRulesForm(Form):
    """The ranges are checked here beside each box; that at least one way of being trained
    is chosen is the rules' own check (telecenter.counting_rules), run when publishing."""

    #: The version in force when the page was shown (rules.publish refuses a stale one).
    based_on = HiddenField(validators=[Optional(), Length(max=40)])
    course_completed = BooleanField(_l("Un curso completado"))
    min_sessions = BoundedIntegerField(
        _l("Al menos N sesiones de un curso o serie"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_SESSIONS,
                message=_l("Escriba un número de 1 a %(max)d.", max=MAX_SESSIONS),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    min_hours = DecimalCommaField(
        _l("Al menos H horas de capacitación en un tema"),
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_HOURS,
                message=_l("Escriba un número mayor que 0 y de hasta %(max)d.", max=MAX_HOURS),
            ),
        ],
        render_kw={"inputmode": "decimal"},
    )
    fiscal_year_start = SelectField(
        _l("El año fiscal empieza en"),
        coerce=int,
        choices=[SelectChoice(number, name) for number, name in enumerate(MONTH_NAMES, start=1)],
    )

    def validate_min_hours(self, field):
        if field.data is not None and field.data <= 0:
            raise ValidationError(
                _l("Escriba un número mayor que 0 y de hasta %(max)d.", max=MAX_HOURS)
            )


class PeriodCloseForm(Form):
    """The choices (ended quarters and fiscal years not yet closed) are filled by the view;
    telecenter.central.period_close checks again when it closes."""

    period = SelectField(
        _l("Periodo que se cierra"),
        choices=[],
        validate_choice=False,
        validators=[DataRequired(_l("Elija el periodo que se cierra."))],
    )


class ReportBundleForm(Form):
    """«Recibir informes por USB»: a report bundle a telecenter's admin brought."""

    file = FileField(
        _l("Archivo de informes del telecentro (.tcbundle)"),
        validators=[FileRequired(_l("Elija el archivo que trajo el telecentro."))],
    )
