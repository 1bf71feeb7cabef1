"""The kiosk PC: a browser that staff turned into a check-in device with a signed cookie.

The cookie names no person and grants nothing but the kiosk pages; staff are signed out of
that browser when they open the kiosk, so residents at the entrance cannot reach the registry.
Each cookie carries the kiosk generation stored in the database: raising it (close_all)
closes every kiosk opened so far, for a lost or stolen kiosk PC.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from telecenter import audit
from telecenter.attendance.models import KioskState
from telecenter.auth.models import User
from telecenter.clock import utcnow
from telecenter.extensions import db_session

COOKIE = "kiosk"
MAX_AGE_SECONDS = 14 * 3600  # one long day at the telecenter
STATE_ID = 1


def _serializer() -> URLSafeTimedSerializer:
    secret = current_app.secret_key
    if secret is None:  # the factory always sets one (config.load_or_create_secret_key)
        raise RuntimeError("SECRET_KEY is not set")
    return URLSafeTimedSerializer(secret, salt="telecenter-kiosk")


def current_generation(session: Session) -> int:
    """No row yet means no kiosk was ever closed from the staff side: generation 0."""
    generation = session.scalar(sa.select(KioskState.generation).where(KioskState.id == STATE_ID))
    return generation or 0


def token(session: Session, opened_by: int) -> str:
    return _serializer().dumps({"by": opened_by, "gen": current_generation(session)})


def close_all(session: Session, *, actor: User) -> int:
    """Invalidate every kiosk cookie issued so far; returns the new generation."""
    state = session.get(KioskState, STATE_ID, with_for_update=True)
    if state is None:
        state = KioskState(id=STATE_ID, generation=0)
        session.add(state)
    state.generation = (state.generation or 0) + 1
    state.changed_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="kiosk.close_all",
        subject_type="kiosk",
        subject_id=None,
        detail=f"generation: {state.generation}",
    )
    return state.generation


def is_kiosk() -> bool:
    value = request.cookies.get(COOKIE)
    if not value:
        return False
    try:
        data = _serializer().loads(value, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return False
    return isinstance(data, dict) and data.get("gen") == current_generation(db_session())
