"""The one way a form-backed view calls a service: commit on success, show errors otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template
from flask_wtf import FlaskForm

from telecenter.database import writing
from telecenter.extensions import db


def attach_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    """Put each message under its field, or at the top of the form when no field matches."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def handle_form(
    form: FlaskForm,
    action: Callable[[], Any],
    *,
    errors: tuple[type[Exception], ...],
    success: Callable[[Any], tuple[str, str]],
    template: str,
    **context,
):
    """Validate, run `action` inside `writing()` (committed there), and redirect; or, when it
    raises one of `errors`, re-render with the messages (writing() rolled it back).

    `success(result)` gives (flash message, URL to go to). Domain errors carry `errors`, a
    field -> message mapping, shown beside the fields. The status is 400 after a failed
    submission, so tests and tools can tell.
    """
    if form.validate_on_submit():
        try:
            with writing(db.session):
                result = action()
        except errors as error:
            attach_errors(form, getattr(error, "errors", {"": str(error)}))
        else:
            message, target = success(result)
            flash(message, "success")
            return redirect(target)
    return render_template(template, form=form, **context), (400 if form.is_submitted() else 200)
