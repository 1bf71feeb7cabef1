"""The one way a view runs a service that writes: `attempt`, and `handle_form` on top of it.

`attempt` runs the action inside `writing()`, which commits it; a DomainError rolls it back
and its messages go beside the form's fields, or into flash messages when there is no form.
A view that must answer a refusal its own way (a status, a page of problems) reads
`outcome.error`. `writing()` itself stays the write lock: code outside a request (the CLI,
the scheduler, sync) calls it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeAlias, TypeVar

from flask import Response, flash, redirect, render_template
from flask_wtf import FlaskForm

from telecenter.database import writing
from telecenter.domain_errors import DomainError
from telecenter.extensions import db_session
from telecenter.forms import attach_errors

T = TypeVar("T")


@dataclass
class Done(Generic[T]):
    """The action ran (and, when it writes, was committed): its result."""

    value: T
    error: None = None

    @property
    def ok(self) -> Literal[True]:
        return True


@dataclass
class Refused:
    """A DomainError stopped the action (rolled back): why."""

    error: DomainError
    value: None = None

    @property
    def ok(self) -> Literal[False]:
        return False


#: What `attempt` gives. Testing `outcome.ok` tells the type checker which one it is, so that
#: `outcome.value` is the action's result after `if outcome.ok`, and `outcome.error` the
#: DomainError after `if not outcome.ok`.
Outcome: TypeAlias = Done[T] | Refused


def attempt(
    action: Callable[[], T],
    *,
    form: FlaskForm | None = None,
    flash_errors: bool = True,
    keep_on: tuple[type[BaseException], ...] = (),
    keep_loaded: bool = False,
    write: bool = True,
) -> Outcome[T]:
    """Run `action` and commit; on a DomainError roll back and show why (see the module).

    `write=False` runs it without the write lock, for the slow checks before a write (staging
    an upload) or a service that takes the lock itself for its short last step."""
    try:
        if not write:
            return Done(action())
        with writing(db_session(), keep_on=keep_on, keep_loaded=keep_loaded):
            return Done(action())
    except DomainError as error:
        if form is not None:
            attach_errors(form, error.errors)
        elif flash_errors:
            for message in error.errors.values():
                flash(message, "error")
        return Refused(error)


def handle_form(
    form: FlaskForm,
    action: Callable[[], Any],
    *,
    success: Callable[[Any], tuple[str, str]],
    template: str,
    **context,
):
    """A whole form page: validate, `attempt` the action and redirect with `success(result)`
    (flash message, URL), or show the page again with the messages, status 400 after a
    failed submission so tests and tools can tell."""
    if form.validate_on_submit():
        outcome = attempt(action, form=form)
        if outcome.ok:
            message, target = success(outcome.value)
            flash(message, "success")
            return redirect(target)
    return render_template(template, form=form, **context), failed_status(form)


def failed_status(form: FlaskForm) -> int:
    return 400 if form.is_submitted() else 200


def file_download(body: str | bytes, filename: str, mimetype: str) -> Response:
    """A file for the browser to save under `filename`."""
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"}
    )


def csv_download(text: str, filename: str, *, for_spreadsheets: bool = True) -> Response:
    """A CSV file. For people it starts with a BOM, so that spreadsheet programs read it as
    UTF-8 and show the accents right; programs reading the API get the bare UTF-8."""
    body = text.removeprefix("\ufeff")
    return file_download("\ufeff" + body if for_spreadsheets else body, filename, "text/csv")
