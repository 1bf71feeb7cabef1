"""The forms of the sync page; the rules are in telecenter.sync.connection and .usb."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, StringField

from telecenter.forms import Form


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
