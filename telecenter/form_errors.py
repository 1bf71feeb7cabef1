"""Show a service's field errors on the form that produced the input."""

from __future__ import annotations

from flask_wtf import FlaskForm


def attach_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    """Put each message under its field, or at the top of the form when no field matches."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
