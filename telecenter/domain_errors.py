"""The one base of every error a person's request can cause: a rule of the domain said no.

Services raise a subclass with the reason in the person's words; the web layer shows it beside
the form's fields, flashes it, or answers `status` with a JSON reason (telecenter.views and
telecenter.errors), so no view maps exception types to responses by hand. Faults of the
installation (configuration, backups, the scheduler) are not domain errors: they stop the
command or the page with the plain 500 page.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """`errors` maps a form field to its message; the key "" is for the form as a whole."""

    status = 400
    #: The API's machine-readable `error` (None: the status's own name, e.g. bad_request).
    code: str | None = None
    #: More facts for an API answer beside `error` and `reason`.
    extra: Mapping[str, str] = {}

    def __init__(self, errors: str | Mapping[str, str] = "", /):
        if isinstance(errors, str):
            errors = {"": errors} if errors else {}
        self.errors: dict[str, str] = dict(errors)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return "; ".join(str(message) for message in self.errors.values())

    def __str__(self) -> str:
        return self.message
