"""Idle timeout: shared PCs must not stay signed in after a person walks away.

The server signs out whoever was idle longer than their role allows (it needs no script). A
signed-in page also knows its limit (`idle_timer()`, read by static/js/session.js): a minute
before the end it asks «¿Sigue aquí?», pings the keep-alive route while the person works, and
when the time is up goes to the sign-in page itself, which then leads back to the same page.
"""

from __future__ import annotations

import time
from typing import TypedDict
from urllib.parse import quote, unquote, urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from telecenter.auth.permissions import is_safe_next
from telecenter.auth.roles import RESIDENT

LAST_SEEN_KEY = "last_seen"
#: The stamp is renewed at most this often: an unchanged session is not signed and sent again
#: with every answer, and a sign-out after idling comes at most this much early.
STAMP_EVERY_SECONDS = 30
#: Asked by a page's own timer: neither counts as activity nor is redirected when it finds the
#: session over (it answers that in JSON).
STATUS_ENDPOINT = "auth.session_status"
#: A request here that finds the session over is let through after the sign-out: the sign-in
#: page shows the message, and keeps its own `next`.
SIGN_IN_ENDPOINT = "auth.sign_in"


class IdleTimer(TypedDict):
    """What a signed-in page's timer reads (data-idle-* on <body>)."""

    limit: int
    left: int
    warning: int
    signed_out_url: str


def idle_limit_seconds(role: str) -> int:
    config = current_app.config
    minutes = (
        config["IDLE_TIMEOUT_RESIDENT_MINUTES"]
        if role == RESIDENT
        else config["IDLE_TIMEOUT_STAFF_MINUTES"]
    )
    return max(1, round(float(minutes) * 60))


def warning_seconds(limit: int) -> int:
    """How long before the end the page warns: IDLE_WARNING_SECONDS, at most half the limit."""
    return max(1, min(int(current_app.config["IDLE_WARNING_SECONDS"]), limit // 2))


def stamp_every_seconds(limit: int) -> int:
    """A short limit (a test's) renews the stamp more often, or active people would be cut."""
    return max(1, min(STAMP_EVERY_SECONDS, limit // 4))


def seconds_left(now: int | None = None) -> int:
    """Seconds until the signed-in user is signed out if nothing else arrives, by the stamp."""
    limit = idle_limit_seconds(current_user.role)
    last_seen = session.get(LAST_SEEN_KEY)
    if last_seen is None:
        return limit
    now = int(time.time()) if now is None else now
    return max(0, min(limit, limit - (now - int(last_seen))))


def renew_stamp() -> None:
    """The keep-alive: the person is here, whatever the stamp's age."""
    session[LAST_SEEN_KEY] = int(time.time())


def _opens_with_get(path: str) -> bool:
    """Whether a GET of this same-site path reaches a page (not a POST-only action)."""
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(unquote(urlsplit(path).path), method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True


def return_path() -> str | None:
    """The page to come back to after signing in again: this one for a GET, else the page the
    form was sent from (when that page opens with a GET); None when there is none."""
    if request.method in ("GET", "HEAD"):
        query = request.query_string.decode("utf-8", "replace")
        path = quote(request.path) + ("?" + query if query else "")
        return path if is_safe_next(path) else None
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or referrer.scheme not in ("http", "https"):
        return None
    path = referrer.path + ("?" + referrer.query if referrer.query else "")
    return path if is_safe_next(path) and _opens_with_get(path) else None


def signed_out_url() -> str:
    """The sign-in page, leading back to `return_path()` once the person signs in again."""
    back = return_path()
    return url_for(SIGN_IN_ENDPOINT, next=back) if back else url_for(SIGN_IN_ENDPOINT)


def idle_timer() -> IdleTimer:
    """Template global: the signed-in page's limit, seconds left, warning lead, and where the
    page goes when the time is up."""
    limit = idle_limit_seconds(current_user.role)
    return {
        "limit": limit,
        "left": seconds_left(),
        "warning": warning_seconds(limit),
        "signed_out_url": signed_out_url(),
    }


def expire_idle_session():
    """before_request hook: sign out a user idle for longer than their role allows."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    last_seen = session.get(LAST_SEEN_KEY)
    limit = idle_limit_seconds(current_user.role)
    passive = request.endpoint == STATUS_ENDPOINT
    if last_seen is not None and now - int(last_seen) > limit:
        logout_user()
        session.clear()
        flash(_("Su sesión se cerró por inactividad. Vuelva a ingresar."), "info")
        if passive or request.endpoint == SIGN_IN_ENDPOINT:
            return None
        return redirect(signed_out_url())
    # A stamp from the future (the PC's clock was set back) is renewed too, or the idle
    # sign-out would wait until the clock caught up.
    stale = last_seen is None or not 0 <= now - int(last_seen) < stamp_every_seconds(limit)
    if stale and not passive:
        session[LAST_SEEN_KEY] = now
    return None
