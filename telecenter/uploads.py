"""How big a request may be, per route, and what a person sees when a file is too big.

Every request may carry at most MAX_CONTENT_LENGTH (1 MB). A view that takes files declares its
own limit with ``@accepts_upload(max_bytes)``. The limit is read from the matched route when the
body is first touched, before any byte of it is read: CSRF's check reads the form before the view
runs, so a limit set inside the view would come too late (a 1.1 MB photo got a bare 413).

Werkzeug spools each uploaded file part over 500 KB to a temporary file on disk, so a 200 MB pack
is never held in memory whole; views hand the file object on, never its bytes.

A body over the limit is answered with the same page again (a redirect to it) and a plain message
that names the limit, after the rest of the body has been read and thrown away (up to a bound),
so that the browser sees the answer instead of a broken connection.
"""

from __future__ import annotations

from collections.abc import Callable

import flask
from flask import current_app, flash, redirect, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

UPLOAD_LIMIT_ATTR = "upload_limit_bytes"
MB = 1024 * 1024
#: A refused body is read and discarded up to this much, then the connection is closed.
MAX_DRAIN_BYTES = 512 * MB
#: Room for the other fields of a multipart form (CSRF token, title) beside the file.
FORM_OVERHEAD = 64 * 1024


def accepts_upload(max_bytes: int) -> Callable[[Callable], Callable]:
    """Declare that a view takes a file of up to max_bytes (the whole request may carry
    max_bytes plus a little for the other fields)."""

    def decorator(view: Callable) -> Callable:
        setattr(view, UPLOAD_LIMIT_ATTR, max_bytes)
        return view

    return decorator


def declared_limit(endpoint: str | None) -> int | None:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, UPLOAD_LIMIT_ATTR, None)


class Request(flask.Request):
    """Flask's request, whose body limit comes from the matched route."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        if current_app:
            limit = declared_limit(self.endpoint)
            if limit is not None:
                return limit + FORM_OVERHEAD
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        """JSON nested deeper than the parser's recursion limit is a 400 like any other
        malformed body (Werkzeug turns only ValueError into one)."""
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            raise BadRequest("the JSON body is nested too deeply") from None


def megabytes(size: int) -> str:
    return f"{size / MB:.0f}" if size % MB == 0 else f"{size / MB:.1f}"


def too_large_message(limit: int) -> str:
    return _(
        "El archivo es demasiado grande: el máximo es %(n)s MB. Elija un archivo más "
        "pequeño (por ejemplo, una foto reducida o un video más corto).",
        n=megabytes(limit),
    )


def answer_too_large():
    """For an upload route: drain the refused body, then show its page again with the limit.
    None for any other route (the plain 413 page or JSON reason applies)."""
    limit = declared_limit(request.endpoint)
    if limit is None or request.method != "POST":
        return None
    _drain(request.environ)
    flash(too_large_message(limit), "error")
    return redirect(request.full_path.rstrip("?"), code=303)


def _drain(environ: dict) -> None:
    stream = environ.get("wsgi.input")
    try:
        left = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_DRAIN_BYTES)
    except ValueError:
        return
    while stream is not None and left > 0:
        chunk = stream.read(min(left, 1024 * 1024))
        if not chunk:
            break
        left -= len(chunk)
