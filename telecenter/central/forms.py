"""Central office forms: programme targets."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from telecenter.central.targets import PROGRAMME_START
from telecenter.forms import Form, WholeNumberField

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
