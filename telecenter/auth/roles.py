"""Roles, in one place. Which role may do what is declared on each route with `roles_required`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ADMIN = "admin"
TRAINER = "trainer"
RESIDENT = "resident"
CENTRAL_ADMIN = "central_admin"
CENTRAL_STAFF = "central_staff"

SITE_ROLES = (ADMIN, TRAINER, RESIDENT)
CENTRAL_ROLES = (CENTRAL_ADMIN, CENTRAL_STAFF)
ALL_ROLES = SITE_ROLES + CENTRAL_ROLES

STAFF = (ADMIN, TRAINER)
CENTRAL = CENTRAL_ROLES

ROLE_LABELS = {
    ADMIN: _l("Administrador"),
    TRAINER: _l("Capacitador"),
    RESIDENT: _l("Participante"),
    CENTRAL_ADMIN: _l("Administrador central"),
    CENTRAL_STAFF: _l("Personal de oficina central"),
}


def roles_for_server(server_role: str) -> tuple[str, ...]:
    """Account roles that make sense on a site or on central."""
    return CENTRAL_ROLES if server_role == "central" else SITE_ROLES


def staff_roles_for_server(server_role: str) -> tuple[str, ...]:
    """The roles the accounts page creates and manages: residents get their account from a
    PIN on their participant page, never from a username and password."""
    return tuple(role for role in roles_for_server(server_role) if role != RESIDENT)
