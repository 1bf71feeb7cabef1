"""Who may open which route: declared on each view, enforced for every request.

Views are closed by default: a view that is neither `public` nor has `roles_required`
answers 403 to everyone, so a forgotten decorator can never open a route.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeGuard
from urllib.parse import urlsplit

from flask import abort, current_app, request, url_for
from flask_login import current_user

from telecenter.extensions import login_manager

PUBLIC_ATTR = "telecenter_public"
ROLES_ATTR = "telecenter_roles"
DEVICE_ATTR = "telecenter_device"


def public(view: Callable) -> Callable:
    """Mark a view as open to anyone, signed in or not."""
    setattr(view, PUBLIC_ATTR, True)
    return view


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Allow only signed-in users with one of these roles; others get sign-in or 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ROLES_ATTR, frozenset(roles))
        return wrapped

    return decorator


def device_required(name: str, is_device: Callable[[], bool]) -> Callable[[Callable], Callable]:
    """Allow only a browser that staff turned into a device (the kiosk), signed in or not."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not is_device():
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, DEVICE_ATTR, name)
        return wrapped

    return decorator


def view_access(view: Callable) -> str | frozenset[str] | None:
    """'public', 'device:<name>', the allowed roles, or None when the view declares nothing."""
    if getattr(view, PUBLIC_ATTR, False):
        return "public"
    if getattr(view, DEVICE_ATTR, None):
        return f"device:{getattr(view, DEVICE_ATTR)}"
    return getattr(view, ROLES_ATTR, None)


def can_open(endpoint: str) -> bool:
    """Whether the signed-in person may open `endpoint`, by its view's declared rule: templates
    show a link exactly when its page would open (an endpoint this server lacks: never)."""
    view = current_app.view_functions.get(endpoint)
    access = view_access(view) if view is not None else None
    if access == "public":
        return True
    return (
        isinstance(access, frozenset)
        and current_user.is_authenticated
        and current_user.role in access
    )


def enforce_declared_access() -> None:
    """before_request hook: refuse any view that declares no access rule."""
    if request.endpoint is None or request.endpoint == "static":
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None or view_access(view) is None:
        abort(403)


def after_sign_in(target: str | None) -> str:
    """Where a sign-in leads: the page asked for when it is a path of this site, else home."""
    return target if is_safe_next(target) else url_for("main.home")


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only same-site paths are followed after sign-in: never another host or scheme (nor a
    path with a tab or line break, which browsers drop: "/<tab>/evil.example" goes off-site)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target
