"""What the site admin's page «Cursos de la red» shows and changes: the catalogue, each
download's progress, and the download settings. The downloading itself is the scheduler's
(telecenter.sync.downloads); the page only asks (a flag the next run reads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter import audit
from telecenter.auth.models import User
from telecenter.clock import utcnow
from telecenter.courses.models import Course
from telecenter.domain_errors import DomainError
from telecenter.sync.downloads import Rules, rules
from telecenter.sync.models import CourseDownload, DownloadSettings

#: How the admin's list names an entry against what the site has.
NEW, UPGRADE, INSTALLED = "new", "upgrade", "installed"
MAX_LIMIT_KBPS = 1_000_000


class DownloadRefused(DomainError):
    """A button that does not apply to this entry now (the page was old)."""


@dataclass(frozen=True)
class Line:
    id: int
    title: str
    slug: str
    version: int
    #: NEW, UPGRADE or INSTALLED.
    standing: str
    installed_version: int | None
    course_id: int | None
    state: str
    paused: bool
    wanted_now: bool
    install_requested: bool
    listed: bool
    bytes_done: int
    size: int
    seconds_left: int | None
    attempts: int
    last_error: str | None
    last_error_at: datetime | None

    @property
    def fraction(self) -> float:
        return min(self.bytes_done / self.size, 1.0)

    @property
    def downloading(self) -> bool:
        return self.state == "pending" and self.standing != INSTALLED


@dataclass(frozen=True)
class Overview:
    lines: list[Line]
    rules: Rules
    open_now: bool


def overview(session: Session) -> Overview:
    """Every entry, newest course first, with what the site has of it."""
    settings = rules(session)
    rows = session.scalars(
        sa.select(CourseDownload).order_by(
            CourseDownload.published_at.desc(), CourseDownload.id.desc()
        )
    ).all()
    courses = {
        course.slug: course
        for course in session.scalars(
            sa.select(Course).where(Course.slug.in_({row.slug for row in rows}))
        )
    }
    lines = [_line(row, courses.get(row.slug), settings) for row in rows]
    return Overview(lines, settings, settings.open_at(utcnow()))


def _line(row: CourseDownload, course: Course | None, settings: Rules) -> Line:
    if course is None:
        standing = NEW
    elif course.version < row.version:
        standing = UPGRADE
    else:
        standing = INSTALLED
    return Line(
        id=row.id,
        title=row.title,
        slug=row.slug,
        version=row.version,
        standing=standing,
        installed_version=course.version if course is not None else None,
        course_id=course.id if course is not None else None,
        state=row.state,
        paused=row.paused,
        wanted_now=row.wanted_now,
        install_requested=row.install_requested,
        listed=row.listed,
        bytes_done=row.bytes_done,
        size=row.size,
        seconds_left=_seconds_left(row, settings),
        attempts=row.attempts,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
    )


def _seconds_left(row: CourseDownload, settings: Rules) -> int | None:
    """At the speed lately measured (held to the limit), or at the limit before any; None
    when nothing tells (no download yet and no limit)."""
    if row.state != "pending":
        return None
    speed = row.speed or settings.bytes_per_second
    if settings.bytes_per_second:
        speed = min(speed, settings.bytes_per_second)
    if not speed:
        return None
    return max(0, row.size - row.bytes_done) // speed


# --- the buttons ------------------------------------------------------------------------------


def _entry(session: Session, entry_id: int) -> CourseDownload:
    row = session.get(CourseDownload, entry_id)
    if row is None:
        raise DownloadRefused(_("Ese curso ya no está en la lista de la oficina central."))
    return row


def _pending(session: Session, entry_id: int) -> CourseDownload:
    row = _entry(session, entry_id)
    if row.state != "pending":
        raise DownloadRefused(_("Este curso ya se descargó."))
    return row


def download_now(session: Session, entry_id: int, *, actor: User) -> CourseDownload:
    """«Descargar ahora»: first in line, even outside the time window (not over the limit)."""
    row = _pending(session, entry_id)
    row.wanted_now, row.paused = True, False
    _audit(session, actor, "downloads.now", row)
    return row


def pause(session: Session, entry_id: int, *, actor: User) -> CourseDownload:
    row = _pending(session, entry_id)
    row.paused, row.wanted_now = True, False
    _audit(session, actor, "downloads.pause", row)
    return row


def resume(session: Session, entry_id: int, *, actor: User) -> CourseDownload:
    row = _pending(session, entry_id)
    row.paused = False
    _audit(session, actor, "downloads.resume", row)
    return row


def request_install(session: Session, entry_id: int, *, actor: User) -> CourseDownload:
    """«Instalar»: the scheduler imports it at its next run (within a minute)."""
    row = _entry(session, entry_id)
    if row.state != "verified":
        raise DownloadRefused(_("Este curso todavía no está descargado y revisado."))
    row.install_requested = True
    _audit(session, actor, "downloads.install", row)
    return row


def _audit(session: Session, actor: User, action: str, row: CourseDownload) -> None:
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="course_download",
        subject_id=row.id,
        detail=f"{row.slug} v{row.version}",
    )


def save_settings(
    session: Session,
    *,
    limit_kbps: int,
    window_from: int,
    window_to: int,
    auto_install: bool,
    actor: User,
) -> DownloadSettings:
    problems = {}
    if not 0 <= limit_kbps <= MAX_LIMIT_KBPS:
        problems["limit_kbps"] = _(
            "Escriba un límite de 0 a %(n)s KB/s (0: sin límite).", n=format_number(MAX_LIMIT_KBPS)
        )
    for name, hour in (("window_from", window_from), ("window_to", window_to)):
        if not 0 <= hour <= 23:
            problems[name] = _("Elija una hora de 0 a 23.")
    if problems:
        raise DownloadRefused(problems)
    row = session.get(DownloadSettings, 1)
    if row is None:
        row = DownloadSettings(id=1)
        session.add(row)
    row.limit_kbps, row.window_from, row.window_to, row.auto_install = (
        limit_kbps,
        window_from,
        window_to,
        auto_install,
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="downloads.settings",
        subject_type="course_download_settings",
        subject_id=1,
        detail=(
            f"limit {limit_kbps} KB/s; hours {window_from}-{window_to}; "
            f"install {'automatic' if auto_install else 'by hand'}"
        ),
    )
    return row
