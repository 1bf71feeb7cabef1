"""The outbox: one row per month, with the report to send and how sending went."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from telecenter.clock import utcnow
from telecenter.database import UTCDateTime
from telecenter.extensions import Model

STATES = ("pending", "sent", "refused")


class OutboxMonth(Model):
    __tablename__ = "sync_outbox"
    __table_args__ = (
        sa.CheckConstraint("state IN ('pending', 'sent', 'refused')", name="state_known"),
    )

    #: YYYY-MM (America/Lima).
    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    #: Fingerprint of the current counts; a change queues the month again.
    digest: Mapped[str] = mapped_column(sa.String(64))
    #: The report to send, as JSON (counts only).
    payload: Mapped[dict] = mapped_column(sa.JSON)
    #: `pending` (to send), `sent` (central acknowledged this digest), `refused` (a 4xx).
    state: Mapped[str] = mapped_column(sa.String(8), default="pending")
    sent_digest: Mapped[str | None] = mapped_column(sa.String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Plain-language reason of the last failure, for the admin's status page.
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<OutboxMonth {self.month} {self.state}>"


class CentralConnection(Model):
    """Central's address and this telecenter's token as the admin entered them on the sync
    page: one row (id 1). The token is kept as given, because the site must present it to
    central (a hash could not be sent); it is never shown, logged or audited
    (telecenter.sync.connection)."""

    __tablename__ = "sync_connection"

    id: Mapped[int] = mapped_column(primary_key=True)
    central_url: Mapped[str] = mapped_column(sa.String(300), default="")
    token: Mapped[str] = mapped_column(sa.String(200), default="")
    token_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<CentralConnection {self.central_url or '-'}>"  # never the token


class NetworkSettings(Model):
    """The newest network settings central has sent (one row, id 1): the counting rules
    today. Nothing personal; the site sends `version` back so central can answer
    "unchanged" (telecenter.sync.network_settings)."""

    __tablename__ = "sync_network_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(80))
    settings: Mapped[dict] = mapped_column(sa.JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<NetworkSettings {self.version}>"
