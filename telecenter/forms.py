"""The base of every form in the app."""

from __future__ import annotations

import functools

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@functools.lru_cache(maxsize=8)
def _wtforms_messages(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    """A FlaskForm whose built-in WTForms messages ("Not a valid choice") come in the page's
    language from a catalogue loaded once per process. Flask-WTF reads and parses the file
    again in every request that needs a WTForms message: each validation error, and each form
    with an unlabelled field, such as the sign-in page's hidden `next`."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _wtforms_messages(str(get_locale()))
