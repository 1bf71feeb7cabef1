"""Resident accounts: sign-in with document number or card code and a 4-digit PIN."""

from __future__ import annotations

import itertools
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from telecenter import audit
from telecenter.auth import services as auth_services
from telecenter.auth.models import User
from telecenter.auth.roles import RESIDENT
from telecenter.participants import services
from telecenter.participants.models import Participant
from telecenter.participants.services import (
    RegistryError,
    find_by_sign_in_identifier,
    sign_in_identifier,
)


def pin_hash_method() -> str:
    """How PINs are hashed (and what an unknown identifier's check costs)."""
    return current_app.config["PIN_HASH_METHOD"]


def check_pin(pin: str) -> str:
    """A 4-digit PIN that is not trivially guessed, or RegistryError."""
    pin = (pin or "").strip()
    if not re.fullmatch(r"[0-9]{4}", pin):
        raise RegistryError({"pin": _("El PIN tiene 4 números.")})
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    if len(set(pin)) == 1 or steps in ({1}, {-1}):
        raise RegistryError(
            {
                "pin": _(
                    "Ese PIN es muy fácil de adivinar. Elija otro, por "
                    "ejemplo una fecha que usted recuerde."
                )
            }
        )
    return pin


def set_pin(session: Session, participant: Participant, pin: str, *, actor: User | None) -> None:
    """Set (or reset) the PIN, creating the resident account the first time."""
    pin = check_pin(pin)
    if participant.erased_at:
        raise RegistryError({"pin": _("Los datos de esta persona fueron borrados.")})
    user = participant.user
    if user is None:
        user = User(
            username=f"p-{participant.code.lower()}",
            role=RESIDENT,
            display_name=participant.first_name or participant.code,
        )
        session.add(user)
        participant.user = user
    # A 4-digit PIN has 10,000 values: the lock-out after 5 failures protects it, not the cost
    # of the hash, so a lighter hash spares 40 residents signing in at once 0.2 s of CPU each.
    user.password_hash = generate_password_hash(pin, method=pin_hash_method())
    user.active = True
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="participant.set_pin",
        subject_type="participant",
        subject_id=participant.id,
    )
    # "Ya puede ingresar" must be true at once, even after 5 wrong PINs.
    _lift_lock(session, participant, actor=actor, detail="new PIN")


@dataclass(frozen=True)
class ResidentAccount:
    participant: Participant
    user: User
    locked_until: datetime | None


def resident_accounts(session: Session, *, page: int = 1) -> tuple[list[ResidentAccount], int]:
    """The people who sign in with a PIN (erased ones aside), by surname, a page at a time,
    with their lock: the residents' tab of the accounts page."""
    query = (
        sa.select(Participant)
        .join(User, Participant.user_id == User.id)
        .where(Participant.erased_at.is_(None))
    )
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    people = session.scalars(
        query.order_by(Participant.surnames, Participant.given_names, Participant.id)
        .limit(services.PAGE_SIZE)
        .offset((max(page, 1) - 1) * services.PAGE_SIZE)
    ).all()
    rows = [
        ResidentAccount(person, person.user, sign_in_locked_until(session, person))
        for person in people
        if person.user is not None
    ]
    return rows, total


def participant_of(session: Session, user: User) -> Participant | None:
    """The registry's person behind a resident account (None for staff, or once erased)."""
    return session.scalar(
        sa.select(Participant).where(
            Participant.user_id == user.id, Participant.erased_at.is_(None)
        )
    )


def sign_in_locked_until(session: Session, participant: Participant) -> datetime | None:
    """When the lock after too many wrong PINs lifts by itself; None when she is not locked."""
    return auth_services.sign_in_locked_until(session, _lock_name(participant))


def unlock_sign_in(session: Session, participant: Participant, *, actor: User | None) -> bool:
    """Let a resident locked out by wrong PINs try again now; True when she was locked."""
    return _lift_lock(session, participant, actor=actor, detail="")


def _lift_lock(
    session: Session, participant: Participant, *, actor: User | None, detail: str
) -> bool:
    lifted = auth_services.clear_sign_in_failures(session, _lock_name(participant))
    if lifted:
        audit.record(
            session,
            actor=actor,
            action="participant.sign_in_unlock",
            subject_type="participant",
            subject_id=participant.id,
            detail=detail,
        )
    return lifted


def _lock_name(participant: Participant) -> str:
    """One lock per resident, whether she types her document (with or without its check
    character) or her card code, so that a trainer can lift it. Typed identifiers are letters
    and digits only, so this name is never one of theirs."""
    return f"resident:participant-{participant.id}"


def register_with_pin(
    session: Session,
    data: services.ParticipantData,
    consent: services.ConsentData,
    *,
    pin: str | None,
    actor: User | None,
    **options,
) -> Participant:
    """Register the person and set the PIN typed with the registration, if any.

    A bad PIN is reported together with the other problems of the form, so the trainer
    fixes them all in one go; nothing is saved while any remains.
    """
    pin_errors: dict[str, str] = {}
    if pin:
        try:
            check_pin(pin)
        except RegistryError as error:
            pin_errors = error.errors
    try:
        participant = services.register(session, data, consent, actor=actor, **options)
    except RegistryError as error:
        raise RegistryError({**error.errors, **pin_errors}) from error
    if pin_errors:
        raise RegistryError(pin_errors)
    if pin:
        set_pin(session, participant, pin, actor=actor)
    return participant


def close_account(participant: Participant) -> None:
    """On erasure: the account stays (records refer to it) but can never sign in again."""
    user = participant.user
    if user is None:
        return
    user.active = False
    user.username = f"erased-{participant.id}"
    user.display_name = "—"
    user.set_password(secrets.token_urlsafe(32))


def authenticate_resident(
    session: Session,
    *,
    identifier: str,
    pin: str,
    address: str,
    policy: auth_services.ThrottlePolicy,
) -> User:
    value = sign_in_identifier(identifier)
    participant = find_by_sign_in_identifier(session, value) if value else None
    user = participant.user if participant is not None else None
    # An identifier that is nobody's (or no DNI nor code at all) is locked under itself, so
    # failures count the same.
    throttle_name = (
        _lock_name(participant) if participant else "resident:" + (value or identifier.strip())
    )
    return auth_services.verify_sign_in(
        session,
        throttle_name=throttle_name,
        user=user,
        secret=pin,
        address=address,
        policy=policy,
        allowed_roles=(RESIDENT,),
        hash_method=pin_hash_method(),
    )
