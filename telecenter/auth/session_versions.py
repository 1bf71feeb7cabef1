"""Sessions that end when they should: each carries its account's session version.

A cookie copied before a sign-out, a new password or PIN, a (de)activation or a change of role
is refused, because those raise `User.session_version` (see telecenter.auth.models).
"""

from __future__ import annotations

from flask import session
from flask_login import login_user

from telecenter.auth.models import User
from telecenter.auth.session_policy import renew_stamp

VERSION_KEY = "session_version"


def start_session(user: User) -> None:
    """A fresh session for this user: nothing kept from whoever used this PC before, the
    account's version, and the idle stamp already in the sign-in answer."""
    session.clear()
    login_user(user)
    session[VERSION_KEY] = user.session_version
    renew_stamp()


def is_current(user: User) -> bool:
    """Whether this request's session was opened since the account's sessions last ended."""
    return session.get(VERSION_KEY) == user.session_version
