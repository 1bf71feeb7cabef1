"""Sign-in and account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from telecenter.auth.services import MIN_PASSWORD_LENGTH
from telecenter.forms import Form


class SignInForm(Form):
    username = StringField(_l("Usuario"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Contraseña"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class AccountForm(Form):
    username = StringField(_l("Usuario"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Nombre completo"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Rol"), choices=[], validators=[DataRequired(_l("Elija un rol."))])
    password = PasswordField(
        _l("Contraseña"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    confirm = PasswordField(
        _l("Repita la contraseña"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("Las contraseñas no coinciden.")),
        ],
    )


class PasswordResetForm(Form):
    password = PasswordField(
        _l("Nueva contraseña"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
    )
