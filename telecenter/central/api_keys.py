"""API keys for programs that read central's aggregate counts (Authorization: Bearer ...)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.central.models import ApiKey
from telecenter.clock import utcnow

PREFIX = "tck_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create(session: Session, name: str) -> tuple[ApiKey, str]:
    key = PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(name=name.strip()[:120] or "sin nombre", key_hash=_hash(key))
    session.add(record)
    session.flush()
    return record, key


def revoke(session: Session, key_id: int) -> bool:
    record = session.get(ApiKey, key_id)
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = utcnow()
    return True


def check(session: Session, authorization: str | None) -> ApiKey | None:
    scheme, _, key = (authorization or "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key.startswith(PREFIX) or len(key) > 200:
        return None
    digest = _hash(key)
    record = session.scalar(
        sa.select(ApiKey).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))
    )
    if record is None or not hmac.compare_digest(record.key_hash, digest):
        return None
    record.last_used_at = utcnow()
    return record
