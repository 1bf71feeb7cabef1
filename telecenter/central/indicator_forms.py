"""The form a central admin edits a catalogue indicator with (rules: indicators.save)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from telecenter.central.forms import DecimalCommaField
from telecenter.forms import Form, MultiCheckboxField


class IndicatorForm(Form):
    """Choices are filled by the view, with the words for each code."""

    code = StringField(_l("Código"), validators=[Length(max=50)])
    name = StringField(_l("Nombre"), validators=[Length(max=160)])
    name_en = StringField(_l("Nombre en inglés (opcional)"), validators=[Length(max=160)])
    definition = TextAreaField(_l("Definición"), validators=[Length(max=2000)])
    measure = SelectField(_l("Qué cuenta"), choices=[])
    unit = SelectField(_l("Unidad"), choices=[])
    period_type = SelectField(_l("Periodo"), choices=[])
    disaggregations = MultiCheckboxField(_l("Desgloses"), choices=[])
    programme = SelectField(_l("Programa"), choices=[])
    target = DecimalCommaField(_l("Meta (opcional)"), validators=[Optional()])
    baseline = DecimalCommaField(_l("Línea de base (opcional)"), validators=[Optional()])
    dhis2_uid = StringField(_l("UID de DHIS2 (opcional)"), validators=[Optional(), Length(max=11)])
