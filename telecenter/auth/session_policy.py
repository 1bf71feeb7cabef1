"""Idle timeout: shared PCs must not stay signed in after a person walks away."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from telecenter.auth.roles import RESIDENT

LAST_SEEN_KEY = "last_seen"
#: The stamp is renewed at most this often: an unchanged session is not signed and sent again
#: with every answer, and a sign-out after idling comes at most this much early.
STAMP_EVERY_SECONDS = 30


def idle_limit_seconds(role: str) -> int:
    config = current_app.config
    minutes = (
        config["IDLE_TIMEOUT_RESIDENT_MINUTES"]
        if role == RESIDENT
        else config["IDLE_TIMEOUT_STAFF_MINUTES"]
    )
    return int(minutes) * 60


def expire_idle_session():
    """before_request hook: sign out a user idle for longer than their role allows."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    last_seen = session.get(LAST_SEEN_KEY)
    if last_seen is not None and now - int(last_seen) > idle_limit_seconds(current_user.role):
        logout_user()
        session.clear()
        flash(_("Su sesión se cerró por inactividad. Vuelva a ingresar."), "info")
        return redirect(url_for("auth.sign_in"))
    # A stamp from the future (the PC's clock was set back) is renewed too, or the idle
    # sign-out would wait until the clock caught up.
    if last_seen is None or not 0 <= now - int(last_seen) < STAMP_EVERY_SECONDS:
        session[LAST_SEEN_KEY] = now
    return None
