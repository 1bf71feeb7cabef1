"""Error pages in plain Spanish, or a JSON reason for API clients; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from telecenter import uploads
from telecenter.domain_errors import DomainError
from telecenter.extensions import db_session

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Solicitud no válida"),
        _l("Algo en lo que envió no está bien. Vuelva atrás y revise los datos."),
    ),
    401: (_l("Debe ingresar"), _l("Ingrese con su usuario para ver esta página.")),
    403: (
        _l("No tiene permiso"),
        _l(
            "Su cuenta no puede abrir esta página. Si cree que es un "
            "error, hable con el administrador del telecentro."
        ),
    ),
    404: (
        _l("Página no encontrada"),
        _l("No encontramos esta página. Use el menú para volver al inicio."),
    ),
    405: (_l("Acción no permitida"), _l("Esta página no acepta esa acción.")),
    413: (
        _l("Archivo o envío demasiado grande"),
        _l("Lo que envió es demasiado grande. Pruebe con un archivo más pequeño."),
    ),
    429: (_l("Demasiados intentos"), _l("Espere unos minutos e intente de nuevo.")),
    503: (
        _l("Restaurando una copia"),
        _l("Se está restaurando una copia; vuelva a intentar en unos segundos."),
    ),
    500: (
        _l("Error del sistema"),
        _l("Algo falló de nuestro lado. Sus datos están a salvo. Intente de nuevo en un momento."),
    ),
}
CSRF_MESSAGE = _l(
    "La página estuvo abierta mucho tiempo o el formulario no es válido. "
    "Vuelva a cargar la página e intente de nuevo."
)


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


# Under /api/ every reason is English (programs read it, not people at a telecenter).
API_REASONS = {
    400: "the request is not valid",
    401: "authentication is required",
    403: "this account or key may not do this",
    404: "no such API path",
    405: "this path does not take that method",
    413: "the body is too large",
    429: "too many requests; wait a few minutes",
    503: "a backup is being restored; try again in a few seconds",
    500: "central failed to answer; nothing was changed",
}


#: What a 401 asks for: a bearer token from programs, the sign-in page from people (a scheme
#: no browser answers with a password box of its own).
CHALLENGES = {"api": 'Bearer realm="telecenter"', "page": 'Session realm="telecenter"'}


def error_code(status: int) -> str:
    """The stable, machine-readable name of a status: bad_request, not_found, ..."""
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_").replace("'", "")


def json_error(status: int, reason: str, *, code: str | None = None, **extra):
    """The one shape of an error for API clients: a stable code, what to change, and any
    facts that help (central's time for a clock refusal)."""
    return jsonify(error=code or error_code(status), reason=reason, **extra), status


def in_api() -> bool:
    return request.path.startswith("/api/")


def _respond(code: int, detail: str | None = None, *, error: DomainError | None = None):
    forget_failed_work()
    title, message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    if in_api():
        fallback = API_REASONS.get(code, API_REASONS[500 if code >= 500 else 400])
        name, extra = (error.code, dict(error.extra)) if error else (None, {})
        return json_error(code, str(detail or fallback), code=name, **extra)
    if wants_json():
        return json_error(code, str(detail or message))
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def forget_failed_work() -> None:
    """Roll the request's session back before the error page: after a failed flush the
    session refuses every query (PendingRollbackError) until then, so the page itself, which
    loads the signed-in user, would fail and gunicorn's bare page, without the security
    headers, would go out instead."""
    try:
        db_session().rollback()
    except Exception:  # the database itself is gone: the page needs no query
        log.warning("rollback before an error page failed", exc_info=True)


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.code == 413:
        return _too_large()
    if error.code == 503:  # a restore: a few seconds (telecenter/operations/maintenance.py)
        return (*_respond(503), {"Retry-After": "5"})
    return _respond(error.code)


def add_required_headers(response):
    """Every 401 says how to authenticate (WWW-Authenticate), whichever code answered it, and
    every 405 which methods the URL takes (Allow), as HTTP requires."""
    if response.status_code == 401 and "WWW-Authenticate" not in response.headers:
        kind = "api" if request.path.startswith("/api/") else "page"
        response.headers["WWW-Authenticate"] = CHALLENGES[kind]
    if response.status_code == 405 and "Allow" not in response.headers:
        # Routing raised MethodNotAllowed with the methods the URL does take.
        methods = getattr(request.routing_exception, "valid_methods", None) or ()
        response.headers["Allow"] = ", ".join(sorted(methods))
    return response


def _too_large():
    """An upload over its route's limit: the page again with the limit named (a JSON reason
    for API clients); any other request over 1 MB: the plain 413 page."""
    limit = uploads.declared_limit(request.endpoint)
    if limit is None:
        return _respond(413)
    if wants_json():
        return _respond(413, f"the body is larger than {uploads.megabytes(limit)} MB")
    return uploads.answer_too_large() or _respond(413, uploads.too_large_message(limit))


def handle_csrf_error(_error: CSRFError):
    log.info("csrf refused on %s %s", request.method, request.path)  # the reason has no data
    if in_api():
        return _respond(400, "the CSRF token is missing or expired; reload and try again")
    return _respond(400, str(CSRF_MESSAGE))


def handle_domain_error(error: DomainError):
    """A refusal no view turned into a message beside its form: the reason, with its status
    (writing() has already rolled the work back)."""
    return _respond(error.status, error.message or None, error=error)


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _respond(500)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
    app.after_request(add_required_headers)
