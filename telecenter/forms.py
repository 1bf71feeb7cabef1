"""The base of every form in the app, the fields shared by several, and where errors go."""

from __future__ import annotations

import functools
import re
from typing import TypeVar

from babel import support
from flask import request
from flask_babel import format_number, get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto as _FROM_REQUEST  # the default formdata: the request's
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import IntegerField, SelectMultipleField, StringField

# WTForms 3.3's option type, which the other modules import from here: types-WTForms (3.2)
# predates it.
from wtforms.fields.choices import SelectChoice as SelectChoice  # type: ignore[attr-defined]
from wtforms.i18n import messages_path
from wtforms.widgets import CheckboxInput, ListWidget

from telecenter.domain_errors import DomainError
from telecenter.request_values import MAX_INT

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

        def wrap_formdata(self, form, formdata):
            # Flask-WTF's own reading of a JSON body fails on a list or a number.
            if formdata is _FROM_REQUEST and _sent_json():
                return ImmutableMultiDict(_text_values(request.get_json()))
            return super().wrap_formdata(form, formdata)


_SUBMITTING = {"POST", "PUT", "PATCH", "DELETE"}  # what Flask-WTF takes as a submission


def _sent_json() -> bool:
    return bool(
        request
        and request.method in _SUBMITTING
        and request.is_json
        and not request.form
        and not request.files
    )


def _text_values(body: object) -> list[tuple[str, str]]:
    """The text answers of a JSON body sent to a form: Flask-WTF hands the fields whatever the
    JSON holds (numbers, objects), which they cannot read; anything but text (or a list of
    texts) is left out, so the field says it is missing."""
    if not isinstance(body, dict):
        return []
    pairs = []
    for name, value in body.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                pairs.append((str(name), item))
    return pairs


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


# Digits in groups of three after the first, all groups split by the same mark: "5000",
# "5 000" (any space, the non-breaking ones Babel and spreadsheets write too), "5,000", "5.000".
_GROUPED = re.compile(r"[0-9]{1,3}(?:(?P<mark>[\s,.])[0-9]{3})(?:(?P=mark)[0-9]{3})*")
_DECIMALS = re.compile(r"[0-9]*[,.][0-9]*")


class NotAWholeNumber(DomainError, ValueError):
    """What a person typed is not a whole number; the message says how to write one."""


def parse_whole_number(text: str | None) -> int:
    """A whole number as people in Peru type it: "5000", "5 000", "5,000", "5.000" (and with the
    non-breaking spaces a copied figure brings). Decimals ("5,5"), words ("cinco mil") and
    mixed marks ("5.000,00") are refused with a message that shows how to write it: guessing
    could store ten times the figure meant. Ranges are the caller's rule."""
    typed = (text or "").strip()
    if not typed:
        raise NotAWholeNumber(_("Escriba un número."))
    if typed.isdigit() and typed.isascii():
        return _storable(int(typed))
    match = _GROUPED.fullmatch(typed)
    if match:
        return _storable(int(re.sub(r"[^0-9]", "", typed)))
    if _DECIMALS.fullmatch(typed):
        raise NotAWholeNumber(
            _("Escriba un número entero, sin decimales: por ejemplo 5000 o 5 000.")
        )
    raise NotAWholeNumber(_("Escriba el número con cifras, por ejemplo 5000 o 5 000."))


def _storable(value: int) -> int:
    if value > MAX_INT:
        raise NotAWholeNumber(too_large_message())
    return value


def too_large_message() -> str:
    return _(
        "Ese número es demasiado grande: escriba uno de hasta %(max)s.", max=format_number(MAX_INT)
    )


_INTEGER = re.compile(r"-?[0-9]+")


class BoundedIntegerField(IntegerField):
    """A number box (an IntegerField) that takes only ASCII digits within what a table
    stores: "١٢٣" or 10^30 is a message beside the field, not an overflow in the database.
    Every form with an integer uses it (tests/test_bad_input_catalogue.py)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        typed = valuelist[0].strip()
        self.data = None
        if not _INTEGER.fullmatch(typed):
            raise ValueError(_("Escriba un número entero con cifras, por ejemplo 25."))
        value = int(typed)
        if abs(value) > MAX_INT:
            raise ValueError(too_large_message())
        self.data = value


class WholeNumberField(StringField):
    """A text box for a whole number typed by a person (`parse_whole_number`): `data` is the
    int, and what she typed comes back in the box when the form is shown again."""

    data: int | None  # type: ignore[assignment]  # an int, where StringField's is text

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.raw_data = valuelist
        try:
            self.data = parse_whole_number(valuelist[0])
        except NotAWholeNumber as problem:
            self.data = None
            raise ValueError(str(problem)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)
