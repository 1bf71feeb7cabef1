"""Audit log: who did what to which record, and when. Never the personal values themselves."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from telecenter.auth.models import User
from telecenter.clock import utcnow
from telecenter.database import UTCDateTime
from telecenter.extensions import Model

log = logging.getLogger(__name__)


class AuditEntry(Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Who acted; None for the system itself (imports by command, scheduled jobs).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: A short code such as `participant.register` or `participant.erase`.
    action: Mapped[str] = mapped_column(sa.String(40))
    #: The kind and id of the record acted on, e.g. ("participant", 12).
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[int | None] = mapped_column(index=True)
    #: Field names or counts only; never a name, document, phone or birth date.
    detail: Mapped[str] = mapped_column(sa.String(500), default="")

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} {self.subject_type}:{self.subject_id}>"


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    detail: str = "",
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail[:500],
    )
    session.add(entry)
    log.info(
        "audit %s %s:%s by user %s",
        action,
        subject_type,
        subject_id,
        actor.id if actor else "system",
    )
    return entry
