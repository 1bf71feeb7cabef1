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


DOWNLOAD_STATES = ("pending", "verified", "installed", "refused")


class CourseDownload(Model):
    """One course pack of central's catalogue, as this site received it in the network
    settings, and how far its download has come (telecenter.sync.downloads). The bytes are in
    `<instance>/downloads/<sha256>.part` (then `.zip` once verified); `bytes_done` is what the
    page shows, the file's own size is what a resumed download asks for."""

    __tablename__ = "course_downloads"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('pending', 'verified', 'installed', 'refused')", name="state_known"
        ),
        sa.CheckConstraint("size >= 1 AND bytes_done >= 0", name="sizes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Central's id of the catalogue entry ("CP-7").
    entry_id: Mapped[str] = mapped_column(sa.String(20))
    slug: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(200))
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    #: Central's path of the file (joined to central's address when fetched).
    url: Mapped[str] = mapped_column(sa.String(300))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Still in the last catalogue central sent (a downloaded pack stays when withdrawn).
    listed: Mapped[bool] = mapped_column(default=True)
    #: pending (to download), verified (whole and checked), installed, refused (by the import).
    state: Mapped[str] = mapped_column(sa.String(10), default="pending")
    paused: Mapped[bool] = mapped_column(default=False)
    #: «Descargar ahora»: the admin asked for it, even outside the time window.
    wanted_now: Mapped[bool] = mapped_column(default=False)
    #: «Instalar»: the admin asked to install it (with automatic installation off).
    install_requested: Mapped[bool] = mapped_column(default=False)
    bytes_done: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Bytes per second lately, for the estimated time left.
    speed: Mapped[int | None] = mapped_column(sa.BigInteger)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Failed tries (a cut line, a damaged file); a try that moves on is not one.
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<CourseDownload {self.slug} v{self.version} {self.state}>"


class DownloadSettings(Model):
    """How the site may use its link for downloads, as the admin set it (one row, id 1).
    `window_from` == `window_to` means at any hour."""

    __tablename__ = "course_download_settings"
    __table_args__ = (
        sa.CheckConstraint("limit_kbps >= 0", name="limit_positive"),
        sa.CheckConstraint(
            "window_from BETWEEN 0 AND 23 AND window_to BETWEEN 0 AND 23", name="hours_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: KB/s (1 KB = 1024 bytes); 0: no limit.
    limit_kbps: Mapped[int] = mapped_column(default=0)
    #: Hours of the day (America/Lima) downloads may run: from `window_from`:00 up to
    #: `window_to`:00, across midnight when from > to.
    window_from: Mapped[int] = mapped_column(default=0)
    window_to: Mapped[int] = mapped_column(default=0)
    auto_install: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
