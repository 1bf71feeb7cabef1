"""The base of every form in the app, the fields shared by several, and where errors go."""

from __future__ import annotations

import functools
from typing import TypeVar

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField

# WTForms 3.3's option type, which the other modules import from here: types-WTForms (3.2)
# predates it.
from wtforms.fields.choices import SelectChoice as SelectChoice  # type: ignore[attr-defined]
from wtforms.i18n import messages_path
from wtforms.widgets import CheckboxInput, ListWidget

_T = TypeVar("_T")


@functools.lru_cache(maxsize=8)
def _wtforms_messages(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    """A FlaskForm whose built-in WTForms messages ("Not a valid choice") come in the page's
    language from a catalogue loaded once per process. Flask-WTF reads and parses the file
    again in every request that needs a WTForms message: each validation error, and each form
    with an unlabelled field, such as the sign-in page's hidden `next`."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _wtforms_messages(str(get_locale()))


def attach_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    """Put each message under its field, or at the top of the form when no field matches."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


class EmptyForm(Form):
    """A form with only its CSRF token, for buttons that change something."""


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: several answers to one question."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def filled(data: _T | None) -> _T:
    """The data of a field that passed DataRequired or InputRequired: never None once the form
    has validated, though WTForms types every field's data as optional."""
    if data is None:
        raise ValueError("a required field has no data: read it after the form validated")
    return data
