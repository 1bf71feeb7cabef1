"""The forms of the sync page; the rules are in telecenter.sync.connection and .usb."""

from __future__ import annotations

from datetime import time

from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired

from telecenter.forms import BoundedIntegerField, Form, SelectChoice


class ConnectionForm(Form):
    central_url = StringField(_l("Dirección de la oficina central"))
    # A password field never writes its value back into the page: the token is not shown again.
    token = PasswordField(_l("Clave del telecentro"))


class NetworkBundleForm(Form):
    """«Cargar archivo de la oficina central»: a network bundle carried on a USB stick."""

    file = FileField(
        _l("Archivo de la oficina central (.tcbundle)"),
        validators=[FileRequired(_l("Elija el archivo que trajo de la oficina central."))],
    )


class DownloadSettingsForm(Form):
    """«Cursos de la red»: how downloads may use the link (telecenter.sync.downloads_admin)."""

    limit_kbps = BoundedIntegerField(
        _l("Velocidad máxima para descargar (KB/s)"), validators=[InputRequired()]
    )
    window_from = SelectField(_l("Descargar desde las"), choices=[], coerce=int)
    window_to = SelectField(_l("hasta las"), choices=[], coerce=int)
    auto_install = BooleanField(_l("Instalar los cursos apenas se descarguen"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Hours as the reader's language writes them (Babel), read when the form is built.
        hours = [SelectChoice(hour, format_time(time(hour), "HH:mm")) for hour in range(24)]
        self.window_from.choices = self.window_to.choices = hours
