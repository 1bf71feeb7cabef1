"""Downloading central's course packs over a link that fails, then installing them.

Runs in the scheduler (`download_job`), never in a web request. One file at a time, one
downloader per site (a file lock):

- the bytes go to `<instance>/downloads/<sha256>.part`, in chunks of 256 KiB, each appended
  and fsynced: a resumed download asks for `Range: bytes=<size of the .part>-`, so a cut line
  or a restart costs at most the chunk in flight;
- the database holds the state the page shows (bytes done, speed, tries, last error), each
  update its own short write: a download of hours never holds a write transaction;
- the admin's bandwidth limit (KB/s) and time window (Lima hours) are read again every second;
- after the last byte, the SHA-256 of the whole file: a mismatch deletes it and starts again
  («El archivo llegó dañado; se descargará de nuevo»); a match makes it `<sha256>.zip`;
- a verified pack is imported with telecenter.courses.packs.import_pack (its checks, and the
  learners' progress kept on an upgrade), at once when the admin left automatic installation
  on, else when she presses «Instalar».
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter import file_lock
from telecenter.clock import to_lima, utcnow
from telecenter.courses import packs
from telecenter.courses.authoring import find_by_slug
from telecenter.database import writing
from telecenter.sync.client import Settings
from telecenter.sync.models import CourseDownload, DownloadSettings

if TYPE_CHECKING:  # httpx is imported on use: a web worker never loads it (issue 23)
    import httpx

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
FOLDER = "downloads"
LOCK_FILE = "downloads.lock"
#: Seconds between two progress writes (and readings of pause, limit and window).
PROGRESS_EVERY = 1.0
#: Tries in a row that bring no byte before waiting for the next run of the job.
MAX_FAILURES = 5
#: Damaged whole files in one run before waiting for the next.
MAX_DAMAGED = 2
HASH_READ = 1024 * 1024

DAMAGED = _l("El archivo llegó dañado; se descargará de nuevo.")


def folder_of(instance_path: str) -> Path:
    return Path(instance_path) / FOLDER


def part_path(folder: Path, sha256: str) -> Path:
    return folder / f"{sha256}.part"


def file_path(folder: Path, sha256: str) -> Path:
    return folder / f"{sha256}.zip"


# --- the admin's settings -------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The admin's download settings, as read at one moment."""

    limit_kbps: int = 0
    window_from: int = 0
    window_to: int = 0
    auto_install: bool = True

    @property
    def bytes_per_second(self) -> int:
        return self.limit_kbps * 1024

    @property
    def any_hour(self) -> bool:
        return self.window_from == self.window_to

    def open_at(self, moment: datetime) -> bool:
        """Whether downloads may run at `moment` (the window in Lima hours, maybe across
        midnight: from 22 to 6 is 22:00 to 05:59)."""
        if self.any_hour:
            return True
        hour = to_lima(moment).hour
        if self.window_from < self.window_to:
            return self.window_from <= hour < self.window_to
        return hour >= self.window_from or hour < self.window_to


def rules(session: Session) -> Rules:
    row = session.get(DownloadSettings, 1)
    if row is None:
        return Rules()
    return Rules(row.limit_kbps, row.window_from, row.window_to, row.auto_install)


# --- one run of the job ---------------------------------------------------------------------


@dataclass
class RunResult:
    busy: bool = False
    not_configured: bool = False
    verified: list[str] = field(default_factory=list)
    installed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    damaged: int = 0
    cuts: int = 0


@dataclass(frozen=True)
class Target:
    """What the transfer needs of an entry, read in one short read."""

    id: int
    sha256: str
    size: int
    url: str


class Stop(Exception):
    """The admin paused it, the window closed, or central dropped the entry: stop for now."""


class TransferProblem(Exception):
    """This try failed (a cut line, an odd answer); `final`: no use trying again this run."""

    def __init__(self, message: str, *, final: bool = False):
        super().__init__(message)
        self.message, self.final = message, final


@dataclass(frozen=True)
class Options:
    """How a run behaves on the wire (the config, or a test's)."""

    timeout: float = 30.0
    #: Seconds to wait after a cut before asking again.
    retry_pause: float = 10.0
    transport: httpx.BaseTransport | None = None


def run(
    session: Session, connection: Settings, instance_path: str, options: Options | None = None
) -> RunResult:
    """Install what is ready, then download what is due (one file after another) and install
    each as it is verified. Returns at once when another downloader runs."""
    options = options or Options()
    result = RunResult()
    folder = folder_of(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    with file_lock.exclusive(folder / LOCK_FILE) as taken:
        if not taken:
            result.busy = True
            return result
        install_ready(session, folder, result)
        if not connection.central_url or not connection.token:
            result.not_configured = True
        else:
            tried: set[int] = set()
            while (target := _next_due(session, tried)) is not None:
                tried.add(target.id)
                outcome = _fetch(session, connection, folder, target, options, result)
                if outcome == "verified":
                    install_ready(session, folder, result)
                elif outcome == "gave_up":
                    break  # central is out of reach: the next run tries again
        _remove_leftovers(session, folder)
    return result


def _next_due(session: Session, tried: set[int]) -> Target | None:
    """The next pack to download: asked for by the admin first, then by publication."""
    now, settings = utcnow(), rules(session)
    rows = session.scalars(
        sa.select(CourseDownload)
        .where(
            CourseDownload.state == "pending",
            CourseDownload.listed.is_(True),
            CourseDownload.paused.is_(False),
        )
        .order_by(CourseDownload.wanted_now.desc(), CourseDownload.published_at, CourseDownload.id)
    ).all()
    chosen = None
    for row in rows:
        if row.id in tried or _installed_version(session, row.slug) >= row.version:
            continue
        if row.wanted_now or settings.open_at(now):
            chosen = Target(row.id, row.sha256, row.size, row.url)
            break
    session.commit()  # end the read: nothing is held while the bytes travel
    return chosen


def _installed_version(session: Session, slug: str) -> int:
    course = find_by_slug(session, slug)
    return course.version if course is not None else 0


def _fetch(
    session: Session,
    connection: Settings,
    folder: Path,
    target: Target,
    options: Options,
    result: RunResult,
) -> str:
    """Download one file to the end, across cuts: "verified", "stopped" or "gave_up"."""
    import httpx

    part = part_path(folder, target.sha256)
    failures = damaged = 0
    while True:
        have = _size(part)
        if have >= target.size:
            if _verify(part, target):
                os.replace(part, file_path(folder, target.sha256))
                _record(session, target, target.size, verified=True)
                result.verified.append(target.sha256)
                return "verified"
            part.unlink(missing_ok=True)
            damaged += 1
            result.damaged += 1
            log.warning("download %s arrived damaged; fetched again", target.sha256[:12])
            _record(session, target, 0, error=str(DAMAGED))
            if damaged >= MAX_DAMAGED:
                return "gave_up"
            continue
        try:
            _transfer(session, connection, target, part, have, options)
        except Stop:
            _record(session, target, _size(part))
            return "stopped"
        except (TransferProblem, httpx.HTTPError, OSError) as problem:
            result.cuts += 1
            failures = 0 if _size(part) > have else failures + 1
            final = isinstance(problem, TransferProblem) and problem.final
            _record(session, target, _size(part), error=_explain(problem))
            if final or failures >= MAX_FAILURES:
                return "gave_up"
            time.sleep(options.retry_pause)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _explain(problem: Exception) -> str:
    import httpx

    if isinstance(problem, TransferProblem):
        return problem.message
    if isinstance(problem, httpx.HTTPError):
        return _(
            "Se cortó la conexión con la oficina central (%(error)s). La descarga seguirá "
            "donde quedó.",
            error=type(problem).__name__,
        )
    return _("No se pudo escribir el archivo en el disco (%(error)s).", error=str(problem)[:200])


def _transfer(
    session: Session,
    connection: Settings,
    target: Target,
    part: Path,
    have: int,
    options: Options,
) -> None:
    """One request from `have` on; returns when the file is whole. Raises Stop, or
    TransferProblem / httpx.HTTPError on a cut, with what arrived written to the .part."""
    import httpx

    headers = {"Authorization": f"Bearer {connection.token}", "Range": f"bytes={have}-"}
    url = connection.central_url.rstrip("/") + target.url
    with (
        httpx.Client(transport=options.transport, timeout=options.timeout) as http,
        http.stream("GET", url, headers=headers) as response,
    ):
        if response.status_code == 416:
            os.truncate(part, 0)  # the .part is longer than central's file: start afresh
        start = _start_of(response, have)
        if start < have:
            os.truncate(part, 0)  # central sends the whole file: start afresh
        writer = _Writer(part, start, target.size)
        pace = _Pace(rules(session).bytes_per_second)
        session.commit()
        last_report = time.monotonic()
        try:
            for data in response.iter_bytes():
                whole = writer.add(data)
                pace.after(len(data))
                if whole:
                    break
                if time.monotonic() - last_report >= PROGRESS_EVERY:
                    pace = _check_in(session, target, writer, pace, last_report)
                    last_report = time.monotonic()
        finally:
            writer.close()
    if writer.done < target.size:
        raise TransferProblem(
            _("La oficina central cortó el envío antes del final. La descarga seguirá.")
        )


def _start_of(response: httpx.Response, have: int) -> int:
    """Where central's bytes start: `have` (206), 0 (200, the whole file), or a problem."""
    status = response.status_code
    if status == 206:
        content_range = response.headers.get("Content-Range", "")
        if content_range.startswith(f"bytes {have}-"):
            return have
        raise TransferProblem(_("La oficina central envió otra parte del archivo."))
    if status == 200:
        return 0
    if status == 416:
        raise TransferProblem(_("El archivo de la oficina central cambió; se descargará de nuevo."))
    if status == 404:
        raise TransferProblem(
            _("La oficina central ya no ofrece este archivo. Se volverá a intentar."), final=True
        )
    if status in (401, 403):
        raise TransferProblem(
            _("La oficina central no reconoce la clave de este telecentro. Revise la conexión."),
            final=True,
        )
    raise TransferProblem(
        _("La oficina central respondió %(status)d. Se volverá a intentar.", status=status),
        final=status < 500,
    )


class _Writer:
    """Appends to the .part in whole chunks, each fsynced; what is left when the line is cut
    (less than a chunk) is written too on close. Never beyond the entry's size."""

    def __init__(self, path: Path, done: int, size: int):
        self.handle = open(path, "ab")  # noqa: SIM115 - closed in close()
        self.buffer = bytearray()
        self.done, self.size = done, size

    def add(self, data: bytes) -> bool:
        """True once the file has all its bytes."""
        room = self.size - self.done - len(self.buffer)
        self.buffer += data[:room]
        while len(self.buffer) >= CHUNK:
            self._write(CHUNK)
        return self.done + len(self.buffer) >= self.size

    def _write(self, count: int) -> None:
        self.handle.write(self.buffer[:count])
        self.handle.flush()
        os.fsync(self.handle.fileno())
        del self.buffer[:count]
        self.done += count

    def close(self) -> None:
        try:
            if self.buffer:
                self._write(len(self.buffer))
        finally:
            self.handle.close()


class _Pace:
    """Holds the transfer to `limit` bytes per second (0: no limit): after N bytes, at least
    N / limit seconds have passed since it started."""

    def __init__(self, limit: int):
        self.limit, self.started, self.count = limit, time.monotonic(), 0

    def after(self, count: int) -> None:
        self.count += count
        if self.limit:
            ahead = self.count / self.limit - (time.monotonic() - self.started)
            if ahead > 0:
                time.sleep(ahead)


def _check_in(
    session: Session, target: Target, writer: _Writer, pace: _Pace, since: float
) -> _Pace:
    """Write the progress (one short write) and read what the admin set meanwhile: Stop when
    paused, out of the window or dropped; a new pace when the limit changed."""
    elapsed = max(time.monotonic() - since, 1e-3)
    with writing(session):
        row = session.get(CourseDownload, target.id)
        if row is None or row.state != "pending":
            raise Stop
        speed = int((writer.done - row.bytes_done) / elapsed) if row.bytes_done else None
        row.bytes_done, row.last_progress_at = writer.done, utcnow()
        row.started_at = row.started_at or utcnow()
        if speed is not None and speed > 0:
            row.speed = speed
        paused, wanted_now, listed = row.paused, row.wanted_now, row.listed
        settings = rules(session)
    if paused or not listed or not (wanted_now or settings.open_at(utcnow())):
        raise Stop
    if settings.bytes_per_second != pace.limit:
        return _Pace(settings.bytes_per_second)
    return pace


def _record(
    session: Session,
    target: Target,
    done: int,
    *,
    verified: bool = False,
    error: str | None = None,
) -> None:
    """The state after a try: bytes on disk (`done`), the error if any, or verified."""
    with writing(session):
        row = session.get(CourseDownload, target.id)
        if row is None:
            return
        now = utcnow()
        row.started_at = row.started_at or now
        row.bytes_done = done
        if verified:
            row.state, row.finished_at = "verified", now
            row.wanted_now, row.last_error, row.last_error_at = False, None, None
        elif error is not None:
            row.attempts += 1
            row.last_error, row.last_error_at = error[:500], now
        row.last_progress_at = now


def _verify(part: Path, target: Target) -> bool:
    """The whole file's SHA-256 against the catalogue's (outside any transaction)."""
    if _size(part) != target.size:
        return False
    digest = hashlib.sha256()
    with open(part, "rb") as handle:
        while block := handle.read(HASH_READ):
            digest.update(block)
    return digest.hexdigest() == target.sha256


# --- installing -------------------------------------------------------------------------------


def install_ready(session: Session, folder: Path, result: RunResult | None = None) -> None:
    """Import every verified pack the admin lets in: all of them with automatic installation
    on, else those she asked for («Instalar»)."""
    result = result if result is not None else RunResult()
    automatic = rules(session).auto_install
    query = sa.select(CourseDownload.id).where(CourseDownload.state == "verified")
    if not automatic:
        query = query.where(CourseDownload.install_requested.is_(True))
    ready = list(session.scalars(query.order_by(CourseDownload.id)))
    session.commit()
    for row_id in ready:
        _install(session, folder, row_id, result)


def _install(session: Session, folder: Path, row_id: int, result: RunResult) -> None:
    row = session.get_one(CourseDownload, row_id)
    sha256, slug, version = row.sha256, row.slug, row.version
    have = _installed_version(session, slug)
    session.commit()
    path = file_path(folder, sha256)
    if have >= version:  # installed meanwhile (by hand, or a newer one): nothing to import
        _installed(session, row_id)
        path.unlink(missing_ok=True)
        return
    if not path.exists():  # the file went missing (a restored backup): fetch it again
        with writing(session):
            again = session.get_one(CourseDownload, row_id)
            again.state, again.bytes_done = "pending", 0
        return
    try:
        with open(path, "rb") as stream:
            packs.import_pack(session, stream)  # checks outside the lock, then a short write
    except packs.PackError as error:
        log.warning("pack %s refused on install: %s", sha256[:12], error)
        with writing(session):
            refused = session.get_one(CourseDownload, row_id)
            refused.state, refused.install_requested = "refused", False
            refused.last_error, refused.last_error_at = "; ".join(error.problems)[:500], utcnow()
        result.refused.append(sha256)
    else:
        _installed(session, row_id)
        result.installed.append(sha256)
        log.info("course %s version %d installed from central's catalogue", slug, version)
    path.unlink(missing_ok=True)


def _installed(session: Session, row_id: int) -> None:
    with writing(session):
        row = session.get_one(CourseDownload, row_id)
        row.state, row.installed_at, row.install_requested = "installed", utcnow(), False
        row.paused = row.wanted_now = False


def _remove_leftovers(session: Session, folder: Path) -> None:
    """Files of entries central dropped before they were downloaded, or already installed."""
    keep = {
        sha256
        for sha256 in session.scalars(
            sa.select(CourseDownload.sha256).where(
                CourseDownload.state.in_(("pending", "verified"))
            )
        )
    }
    session.commit()
    for path in [*folder.glob("*.part"), *folder.glob("*.zip")]:
        if path.stem not in keep:
            path.unlink(missing_ok=True)


def accept_local(session: Session, sha256: str, path: Path) -> bool:
    """A file that arrived another way (a USB bundle): when it is a catalogue entry's, by its
    SHA-256, it becomes that entry's verified download (installed by the next run of the job,
    as a finished download is). False when no entry has that fingerprint or the bytes do not
    match it; nothing changes then."""
    row = session.scalar(sa.select(CourseDownload).where(CourseDownload.sha256 == sha256))
    state = row.state if row is not None else None
    row_id, size = (row.id, row.size) if row is not None else (0, 0)
    session.commit()
    if state is None:
        return False
    if state in ("verified", "installed"):
        return True
    folder = folder_of(current_app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    incoming = folder / f".{sha256}.incoming"
    try:
        with open(path, "rb") as source, open(incoming, "wb") as copy:
            digest = hashlib.sha256()
            while block := source.read(HASH_READ):
                digest.update(block)
                copy.write(block)
            copy.flush()
            os.fsync(copy.fileno())
        if digest.hexdigest() != sha256 or _size(incoming) != size:
            return False
        os.replace(incoming, file_path(folder, sha256))
    finally:
        incoming.unlink(missing_ok=True)
    part_path(folder, sha256).unlink(missing_ok=True)
    with writing(session):
        again = session.get(CourseDownload, row_id)
        if again is None:
            return False
        now = utcnow()
        again.state, again.bytes_done, again.finished_at = "verified", again.size, now
        again.wanted_now, again.last_error, again.last_error_at = False, None, None
        again.started_at = again.started_at or now
    return True


# --- the scheduler's job ------------------------------------------------------------------


def download_job(app: Flask) -> None:
    from telecenter.extensions import db, db_session
    from telecenter.sync.tasks import settings_of

    with app.app_context():
        options = Options(
            timeout=float(app.config["DOWNLOAD_TIMEOUT_SECONDS"]),
            retry_pause=float(app.config["DOWNLOAD_RETRY_SECONDS"]),
        )
        result = run(db_session(), settings_of(app), app.instance_path, options)
        if result.verified or result.installed or result.refused or result.damaged:
            log.info(
                "downloads: %d verified, %d installed, %d refused, %d damaged, %d cuts",
                len(result.verified),
                len(result.installed),
                len(result.refused),
                result.damaged,
                result.cuts,
            )
        db.session.remove()
