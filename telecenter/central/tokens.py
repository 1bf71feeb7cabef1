"""Telecenter tokens: random, shown once, stored as a hash, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.central.models import Telecenter
from telecenter.clock import utcnow

PREFIX = "tcs_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(telecenter: Telecenter) -> str:
    """A new token for the telecenter (replacing any old one); return it to show once."""
    token = PREFIX + secrets.token_urlsafe(32)
    telecenter.token_hash = _hash(token)
    telecenter.token_created_at = utcnow()
    telecenter.token_revoked_at = None
    return token


def revoke(telecenter: Telecenter) -> None:
    telecenter.token_hash = None
    telecenter.token_revoked_at = utcnow()


def telecenter_for(session: Session, authorization: str | None) -> Telecenter | None:
    """The telecenter whose live token is in `Authorization: Bearer ...`, else None."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(PREFIX) or len(token) > 200:
        return None
    digest = _hash(token.strip())
    found = session.scalar(sa.select(Telecenter).where(Telecenter.token_hash == digest))
    if found is None or not hmac.compare_digest(found.token_hash or "", digest):
        return None
    return found
