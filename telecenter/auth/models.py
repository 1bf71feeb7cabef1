"""Accounts and sign-in throttles."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import InstanceState, Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from telecenter.auth.roles import ALL_ROLES
from telecenter.clock import utcnow
from telecenter.database import UTCDateTime
from telecenter.extensions import Model


def password_hash_method() -> str:
    """scrypt by default; tests may choose a cheaper method through PASSWORD_HASH_METHOD."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


_ROLE_LIST = ", ".join(f"'{role}'" for role in ALL_ROLES)


class User(UserMixin, Model):
    """A person who signs in: staff of a site or of central, or a resident."""

    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(f"role IN ({_ROLE_LIST})", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Sign-in name, stored lower-case so that sign-in ignores case.
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: Werkzeug scrypt hash; the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: Name shown in the interface.
    display_name: Mapped[str] = mapped_column(sa.String(120))
    #: One of `telecenter.auth.roles.ALL_ROLES`.
    role: Mapped[str] = mapped_column(sa.String(20))
    #: Preferred interface language; None means the site default (Spanish).
    language: Mapped[str | None] = mapped_column(sa.String(8))
    #: Deactivated accounts cannot sign in; they are kept because records refer to them.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Kept in each session at sign-in and compared on every request: raising it ends every
    #: session of the account at once (sign-out, new password or PIN, (de)activation, role).
    session_version: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

    @property
    def is_active(self) -> bool:  # Flask-Login asks this before signing in
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def end_sessions(self) -> None:
        """Every cookie of this account stops working at its next request."""
        self.session_version = (self.session_version or 0) + 1


#: Changing any of these ends the account's sessions, whichever code path changes them.
_SESSION_ENDING_FIELDS = ("password_hash", "active", "role")


@sa.event.listens_for(User, "before_update")
def _end_sessions_on_credential_change(_mapper, _connection, user: User) -> None:
    state: InstanceState[User] = sa.inspect(user)
    attributes = state.attrs
    changed = any(attributes[name].history.has_changes() for name in _SESSION_ENDING_FIELDS)
    if changed and not attributes.session_version.history.has_changes():
        user.end_sessions()


class SignInThrottle(Model):
    """Failed sign-ins per key (`user:<name>` or `ip:<address>`), whether the account exists or not.

    Counting unknown usernames too means the lock message cannot reveal which accounts exist.
    """

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SignInThrottle {self.failures} failures>"
