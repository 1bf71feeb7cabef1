"""Account rules: creating users, checking passwords, throttling failed sign-ins."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from telecenter.auth import password_rules
from telecenter.auth.models import SignInThrottle, User, password_hash_method
from telecenter.auth.roles import ALL_ROLES, RESIDENT
from telecenter.clock import utcnow
from telecenter.domain_errors import DomainError

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
_DUMMY_HASHES: dict[str, str] = {}


class AuthError(DomainError):
    """Base of the sign-in and account errors that views turn into messages."""


class InvalidCredentials(AuthError):
    """Wrong username or password; deliberately does not say which (each sign-in page words
    it for what it asks)."""

    status = 401


class SignInLocked(AuthError):
    """Too many failures for this name or address; the lock lifts by itself."""

    status = 429

    def __init__(self, minutes_left: int):
        self.minutes_left = minutes_left
        super().__init__(
            _(
                "Demasiados intentos fallidos. Por seguridad, espere %(minutes)d minutos e "
                "intente de nuevo.",
                minutes=minutes_left,
            )
        )


class AccountError(AuthError):
    """An account could not be created or changed; the message says why."""


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    ip_max_failures: int
    lock_minutes: int

    @classmethod
    def from_config(cls, config: Mapping) -> ThrottlePolicy:
        return cls(
            max_failures=config["LOGIN_MAX_FAILURES"],
            ip_max_failures=config["LOGIN_IP_MAX_FAILURES"],
            lock_minutes=config["LOGIN_LOCK_MINUTES"],
        )


def normalise_username(username: str) -> str:
    return username.strip().lower()


def throttle_key(kind: str, value: str) -> str:
    """The table never holds a username, a document or an address in clear, and without the
    instance's secret key its keys cannot be reversed by hashing every DNI."""
    secret = current_app.config["SECRET_KEY"]
    secret_bytes = secret if isinstance(secret, bytes) else str(secret).encode("utf-8")
    digest = hmac.new(secret_bytes, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return kind + ":" + digest


def _check_password_strength(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            {
                "password": _(
                    "La contraseña debe tener al menos %(n)d caracteres.", n=MIN_PASSWORD_LENGTH
                )
            }
        )
    if password_rules.is_guessable(password, personal_words=_personal_words(username)):
        raise AccountError({"password": password_rules.guessable_message()})


def _personal_words(username: str) -> tuple[str, ...]:
    """What someone who knows the account or the telecenter would try first."""
    config = current_app.config
    return (username, config["TELECENTER_NAME"], config["TELECENTER_CODE"])


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str,
    role: str,
    allowed_roles: tuple[str, ...] = ALL_ROLES,
    language: str | None = None,
) -> User:
    username = normalise_username(username)
    if role not in allowed_roles:
        raise AccountError(
            {
                "role": _(
                    "Rol desconocido: %(role)s. Elija uno de: %(roles)s.",
                    role=role,
                    roles=", ".join(allowed_roles),
                )
            }
        )
    if not username or len(username) > 64:
        raise AccountError({"username": _("El nombre de usuario debe tener de 1 a 64 caracteres.")})
    _check_password_strength(password, username)
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise AccountError(
            {"username": _("El nombre de usuario %(name)s ya existe.", name=username)}
        )
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        language=language,
    )
    user.set_password(password)
    session.add(user)
    session.flush()
    log.info("account created id=%s role=%s", user.id, role)
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(sa.select(User).where(User.username == normalise_username(username)))


def _throttle(session: Session, key: str) -> SignInThrottle | None:
    return session.get(SignInThrottle, key)


def _check_not_locked(throttles: list[SignInThrottle | None], now: datetime) -> None:
    for throttle in throttles:
        if throttle and throttle.locked_until and throttle.locked_until > now:
            minutes = math.ceil((throttle.locked_until - now).total_seconds() / 60)
            raise SignInLocked(minutes_left=max(minutes, 1))


def _record_failure(
    session: Session, key: str, limit: int, policy: ThrottlePolicy, now: datetime
) -> SignInThrottle:
    throttle = _throttle(session, key)
    if throttle is None:
        throttle = SignInThrottle(key=key, failures=0, first_failure_at=now)
        try:
            with session.begin_nested():
                session.add(throttle)
        except IntegrityError:  # another worker created it at the same moment
            throttle = session.get_one(SignInThrottle, key)
    window = timedelta(minutes=policy.lock_minutes)
    if throttle.first_failure_at < now - window and not throttle.locked_until:
        throttle.failures, throttle.first_failure_at = 0, now
    throttle.failures += 1
    if throttle.failures >= limit:
        throttle.locked_until = now + window
        throttle.failures = 0
        throttle.first_failure_at = now
    return throttle


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    address: str,
    policy: ThrottlePolicy,
    allowed_roles: tuple[str, ...] = ALL_ROLES,
) -> User:
    """Staff sign-in by username and password. A resident's account (a PIN) never opens
    here: it would be a second counter for guessing her PIN."""
    name = normalise_username(username)
    return verify_sign_in(
        session,
        throttle_name=name,
        user=find_user(session, name),
        secret=password,
        address=address,
        policy=policy,
        allowed_roles=tuple(role for role in allowed_roles if role != RESIDENT),
        hash_method=password_hash_method(),
    )


def verify_sign_in(
    session: Session,
    *,
    throttle_name: str,
    user: User | None,
    secret: str,
    address: str,
    policy: ThrottlePolicy,
    allowed_roles: tuple[str, ...] = ALL_ROLES,
    hash_method: str,
) -> User:
    """Return the user if the secret is right, or raise InvalidCredentials / SignInLocked.

    `throttle_name` is what the person typed (a username, a document number or a code),
    so that failures count the same whether or not an account answers to it. `hash_method`
    is how the secrets of such accounts are hashed: an unknown name costs the same time.
    Failures are flushed; the caller commits whatever the outcome, so that they count.
    """
    now = utcnow()
    user_key = throttle_key("user", throttle_name)
    ip_key = throttle_key("ip", address or "unknown")
    _check_not_locked([_throttle(session, user_key), _throttle(session, ip_key)], now)
    valid = user.check_password(secret) if user else _dummy_check(secret, hash_method)
    if user is not None and valid and user.active and user.role in allowed_roles:
        throttle = _throttle(session, user_key)
        if throttle is not None:
            session.delete(throttle)
        user.last_sign_in_at = now
        session.flush()
        return user
    user_throttle = _record_failure(session, user_key, policy.max_failures, policy, now)
    _record_failure(session, ip_key, policy.ip_max_failures, policy, now)
    session.flush()
    if user_throttle.locked_until:
        raise SignInLocked(minutes_left=policy.lock_minutes)
    raise InvalidCredentials()


def sign_in_locked_until(session: Session, throttle_name: str) -> datetime | None:
    """When the lock on this name lifts; None when it is not locked."""
    throttle = _throttle(session, throttle_key("user", throttle_name))
    if throttle and throttle.locked_until and throttle.locked_until > utcnow():
        return throttle.locked_until
    return None


def clear_sign_in_failures(session: Session, throttle_name: str) -> bool:
    """Forget the failures and the lock of this name (someone who may let the person in did);
    True when a lock was lifted. Locks of addresses stay: they guard against guessing."""
    was_locked = sign_in_locked_until(session, throttle_name) is not None
    throttle = _throttle(session, throttle_key("user", throttle_name))
    if throttle is not None:
        session.delete(throttle)
        session.flush()
    return was_locked


def ensure_address_not_locked(session: Session, address: str) -> None:
    """For other guessable forms (the kiosk): refuse an address locked by failures."""
    _check_not_locked([_throttle(session, throttle_key("ip", address or "unknown"))], utcnow())


def record_address_failure(session: Session, address: str, policy: ThrottlePolicy) -> None:
    _record_failure(
        session, throttle_key("ip", address or "unknown"), policy.ip_max_failures, policy, utcnow()
    )
    session.flush()


def dummy_hash(method: str) -> str:
    """A hash of nothing anyone types, made once per method with the very method string of the
    real hashes, so checking it costs what a real check costs."""
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("timing-equaliser", method=method)
    return _DUMMY_HASHES[method]


def _dummy_check(password: str, method: str) -> bool:
    """Spend the time a real check costs, so unknown names cannot be told apart by timing."""
    check_password_hash(dummy_hash(method), password)
    return False


def purge_expired_throttles(session: Session, *, older_than: timedelta) -> int:
    """Forget throttles whose lock and failure window are long over (a scheduler job)."""
    cutoff = utcnow() - older_than
    # A DELETE gives a CursorResult (with rowcount); Session.execute is typed for any statement.
    result = cast(
        "CursorResult[tuple[()]]",
        session.execute(
            sa.delete(SignInThrottle).where(
                SignInThrottle.first_failure_at < cutoff,
                sa.or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < cutoff),
            )
        ),
    )
    return result.rowcount or 0


def set_password(session: Session, user: User, password: str) -> None:
    if user.role == RESIDENT:
        raise AccountError(
            {
                "password": _(
                    "Las cuentas de participantes usan un PIN: cámbielo en la página de la "
                    "persona, en Participantes."
                )
            }
        )
    _check_password_strength(password, user.username)
    user.set_password(password)
    session.flush()
    log.info("password changed id=%s", user.id)


def set_active(session: Session, user: User, *, active: bool, acting: User) -> None:
    if user.role == RESIDENT:
        raise AccountError(
            _(
                "Las cuentas de participantes se manejan desde la página de la persona, en "
                "Participantes."
            )
        )
    if user.id == acting.id and not active:
        raise AccountError(_("No puede desactivar su propia cuenta."))
    user.active = active
    session.flush()
    log.info("account id=%s active=%s by id=%s", user.id, active, acting.id)


def set_language(session: Session, user: User, code: str) -> None:
    """The language the person's pages come in, on any PC they sign in at."""
    user.language = code
    session.flush()
