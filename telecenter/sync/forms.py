"""The connection form of the sync page; the rules are in telecenter.sync.connection."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField

from telecenter.forms import Form


class ConnectionForm(Form):
    central_url = StringField(_l("Dirección de la oficina central"))
    # A password field never writes its value back into the page: the token is not shown again.
    token = PasswordField(_l("Clave del telecentro"))
