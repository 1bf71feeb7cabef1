"""Backups of a site: a consistent copy of the SQLite database (online backup API) and the
uploaded media, in one .tar.gz with a manifest; 7 daily and 4 weekly copies are kept.

Restoring (`restore`, the one way, for `telecenter restore FILE` and the backups page) checks
the whole file first (that it is a Telecenter backup of this telecenter, that the database
matches its checksum, passes SQLite's integrity check and has a schema this program knows),
keeps the current database as a safety copy, and swaps the data in while the site refuses
writes, without a restart. SQLite sites only, like the backups themselves (PostgreSQL is backed
up with pg_dump).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy.engine import make_url

from telecenter.clock import utcnow

FORMAT = 1
APP = "telecenter-site-backup"
PREFIX = "telecenter-"
SAFETY_SUFFIX = "-before-restore"
DAILY, WEEKLY, SAFETY_KEPT = 7, 4, 5


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why in plain words."""


def database_path(app: Flask) -> Path:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupError(
            _(
                "Las copias de seguridad de este comando son para sitios con "
                "SQLite. Para PostgreSQL use pg_dump."
            )
        )
    return Path(url.database)


def backup_dir(app: Flask) -> Path:
    folder = Path(app.config.get("BACKUP_DIR") or Path(app.instance_path) / "backups")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _online_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: consistent even while the server writes."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def create(app: Flask, *, now: datetime | None = None, safety: bool = False) -> Path:
    """Write a backup file; return its path. A safety copy is the one a restore makes of
    the database it is about to replace."""
    now = now or utcnow()
    source = database_path(app)
    if not source.exists():
        raise BackupError(_("No hay base de datos que copiar todavía."))
    folder = backup_dir(app)
    code = app.config["TELECENTER_CODE"]
    name = f"{PREFIX}{code}-{now:%Y%m%d-%H%M%S}{SAFETY_SUFFIX if safety else ''}.tar.gz"
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        copy = Path(scratch) / "telecenter.sqlite3"
        _online_copy(source, copy)
        manifest = {
            "app": APP,
            "format": FORMAT,
            "telecenter": code,
            "created_at": now.isoformat(),
            "database_sha256": _sha256(copy),
        }
        partial = Path(scratch) / (name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(copy, arcname="telecenter.sqlite3")
            media = Path(app.instance_path) / "media"
            if media.is_dir():
                archive.add(media, arcname="media")
        partial.replace(folder / name)  # appears whole or not at all
    rotate(folder)
    return folder / name


NAME = re.compile(
    rf"{PREFIX}(?P<code>.+)-(?P<stamp>[0-9]{{8}}-[0-9]{{6}})(?P<safety>{SAFETY_SUFFIX})?\.tar\.gz"
)


@dataclass(frozen=True)
class Backup:
    """One file of the backup folder, as the page lists it."""

    path: Path
    created_at: datetime  # aware UTC, from the file name
    #: Made by a restore just before it replaced the database.
    safety: bool

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def _parse(path: Path) -> Backup | None:
    found = NAME.fullmatch(path.name)
    if not found:
        return None
    try:
        stamp = datetime.strptime(found["stamp"], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return Backup(path, stamp, bool(found["safety"]))


def listing(folder: Path) -> list[Backup]:
    """Every backup in the folder, newest first (safety copies too)."""
    found = [_parse(path) for path in folder.glob(f"{PREFIX}*.tar.gz") if path.is_file()]
    return sorted((b for b in found if b), key=lambda b: b.created_at, reverse=True)


def find(app: Flask, name: str) -> Backup | None:
    """The listed backup of that exact name; None for anything else (no paths: a name
    is matched against the listing, never joined to a folder)."""
    return next((b for b in listing(backup_dir(app)) if b.name == name), None)


def rotate(folder: Path) -> list[Path]:
    """Keep the newest copy of each of the last 7 days and of each of the last 4 weeks, and
    the last few safety copies (those are rotated apart: a restore must not push out the
    copy it was made from)."""
    keep: set[Path] = set()
    days: list[date] = []
    weeks: list[tuple[int, int]] = []
    found = listing(folder)
    for backup in (b for b in found if not b.safety):
        day, week = backup.created_at.date(), backup.created_at.isocalendar()[:2]
        if day not in days and len(days) < DAILY:
            days.append(day)
            keep.add(backup.path)
        if week not in weeks and len(weeks) < WEEKLY:
            weeks.append(week)
            keep.add(backup.path)
    keep.update(b.path for b in [b for b in found if b.safety][:SAFETY_KEPT])
    removed = [b.path for b in found if b.path not in keep]
    for path in removed:
        path.unlink()
    return removed


def last_backup(app: Flask) -> datetime | None:
    found = listing(backup_dir(app))
    return found[0].created_at if found else None


@dataclass(frozen=True)
class Checked:
    manifest: dict
    database: Path
    media: Path | None


def _extract(path: Path, into: Path) -> Checked:
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = archive.getmembers()
            for member in members:
                if (
                    member.name.startswith(("/", ".."))
                    or ".." in Path(member.name).parts
                    or not (member.isfile() or member.isdir())
                ):
                    raise BackupError(_("El archivo tiene rutas no permitidas."))
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError(_("El archivo está dañado o no es una copia de seguridad.")) from None
    try:
        manifest = json.loads((into / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(_("El archivo no es una copia de seguridad de Telecentro.")) from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("app") != APP
        or manifest.get("format") != FORMAT
    ):
        raise BackupError(_("El archivo no es una copia de seguridad de Telecentro."))
    media = into / "media"
    return Checked(manifest, into / "telecenter.sqlite3", media if media.is_dir() else None)


def _revision_state(revision: str | None) -> str:
    """'head', 'behind' (an older schema this code can upgrade) or 'unknown' (a newer
    version of the program, or not ours)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from telecenter.paths import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    script = ScriptDirectory.from_config(config)
    if revision is None:
        return "unknown"
    if revision == script.get_current_head():
        return "head"
    try:
        script.get_revision(revision)
    except Exception:  # alembic raises several kinds for a revision it has never heard of
        return "unknown"
    return "behind"


def check(path: Path, into: Path, *, telecenter: str) -> Checked:
    """Everything a restore needs, or BackupError: foreign, damaged or inconsistent files,
    or a database from a newer version of the program."""
    checked = _extract(path, into)
    if checked.manifest.get("telecenter") != telecenter:
        raise BackupError(
            _(
                "La copia es de otro telecentro (%(code)s), no de %(mine)s.",
                code=checked.manifest.get("telecenter"),
                mine=telecenter,
            )
        )
    if not checked.database.exists() or _sha256(checked.database) != checked.manifest.get(
        "database_sha256"
    ):
        raise BackupError(_("La base de datos de la copia no coincide con su huella: está dañada."))
    try:
        with closing(sqlite3.connect(checked.database)) as connection:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            has_schema = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()[0]
            revision = (
                connection.execute("SELECT version_num FROM alembic_version").fetchone()
                if has_schema
                else None
            )
    except sqlite3.DatabaseError:
        raise BackupError(_("La base de datos de la copia está dañada.")) from None
    if verdict != "ok" or not has_schema:
        raise BackupError(_("La base de datos de la copia está dañada."))
    if _revision_state(revision[0] if revision else None) == "unknown":
        raise BackupError(
            _(
                "La copia es de una versión más nueva del programa. Actualice el programa "
                "antes de restaurarla."
            )
        )
    return checked


@dataclass(frozen=True)
class Summary:
    """What a backup holds, for the confirmation page: counts and dates, no names."""

    telecenter: str
    created_at: datetime | None
    participants: int | None
    sessions: int | None
    last_attendance: datetime | None


def _scalar(connection: sqlite3.Connection, sql: str):
    try:
        return connection.execute(sql).fetchone()[0]
    except sqlite3.DatabaseError:  # a table an older schema did not have yet
        return None


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def summarise(checked: Checked) -> Summary:
    with closing(sqlite3.connect(checked.database)) as connection:
        participants = _scalar(
            connection, "SELECT count(*) FROM participants WHERE erased_at IS NULL"
        )
        if participants is None:
            participants = _scalar(connection, "SELECT count(*) FROM participants")
        sessions = _scalar(connection, "SELECT count(*) FROM activity_sessions")
        last = _scalar(
            connection,
            "SELECT max(s.starts_at) FROM attendances a JOIN activity_sessions s "
            "ON s.id = a.session_id WHERE a.status IN ('present', 'late')",
        )
    return Summary(
        telecenter=str(checked.manifest.get("telecenter")),
        created_at=_moment(checked.manifest.get("created_at")),
        participants=participants,
        sessions=sessions,
        last_attendance=_moment(last),
    )


def inspect(app: Flask, path: Path) -> Summary:
    """Check a backup as a restore would, and say what it holds; changes nothing."""
    database_path(app)  # SQLite sites only, like the restore itself
    with tempfile.TemporaryDirectory(dir=_scratch_parent(app)) as scratch:
        return summarise(check(path, Path(scratch), telecenter=app.config["TELECENTER_CODE"]))


def _scratch_parent(app: Flask) -> Path:
    """Unpack next to the instance, not in /tmp: /tmp may be a small RAM disk."""
    folder = Path(app.instance_path) / "restore-scratch"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


#: What must happen after a restore, each returning a line to say. The app factory adds the
#: sync's (send every month again), so operations need not know the sync exists.
AFTER_RESTORE: list[Callable[[], str]] = []


@dataclass(frozen=True)
class Restored:
    summary: Summary
    #: The safety copy of the database that was replaced (None when there was none).
    safety_copy: Path | None
    notes: list[str]


#: Brings a copy from an older version of the program to this one's schema, in its scratch
#: folder, before it replaces anything: (app, database file). Set by the app factory's command
#: registration, since it builds an app on that file and operations may not import the factory.
upgrade_copy: Callable[[Flask, Path], None] | None = None


def _swap_media(media: Path, restored: Path) -> None:
    """Copy first, then two renames: the folder is never half there. The old media are in
    the safety copy, so they are not kept twice."""
    import shutil

    incoming = media.with_name("media.restoring")
    outgoing = media.with_name("media.replaced")
    for leftover in (incoming, outgoing):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(restored, incoming)
    if media.exists():
        media.rename(outgoing)
    incoming.rename(media)
    shutil.rmtree(outgoing, ignore_errors=True)


def restore(app: Flask, path: Path, *, actor=None, origin: str = "file") -> Restored:
    """The one restore, for the command and the page: check the whole file, then, with
    writes refused everywhere (maintenance.window), keep the current database as a safety
    copy (a backup listed like the others), put the copy's data in place with SQLite's
    backup API (one transaction: every open connection sees the old data or the new), put
    the media in place, and let every process reconnect. Runs with the server up."""
    from telecenter.extensions import db
    from telecenter.operations import maintenance

    target = database_path(app)
    with tempfile.TemporaryDirectory(dir=_scratch_parent(app)) as scratch:
        checked = check(path, Path(scratch), telecenter=app.config["TELECENTER_CODE"])
        summary = summarise(checked)
        with closing(sqlite3.connect(checked.database)) as connection:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if _revision_state(revision[0]) == "behind" and upgrade_copy is not None:
            upgrade_copy(app, checked.database)
        try:
            with maintenance.window(app):
                safety = create(app, safety=True) if target.exists() else None
                _online_copy(checked.database, target)
                if checked.media is not None:
                    _swap_media(Path(app.instance_path) / "media", checked.media)
        except maintenance.AlreadyRestoring:
            raise BackupError(
                _("Ya se está restaurando una copia. Espere un momento e intente de nuevo.")
            ) from None
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        maintenance.mark_seen(app)
        _record_restore(app, actor=actor, origin=origin, safety=safety)
        notes = [hook() for hook in AFTER_RESTORE]
    if origin == "uploaded":
        path.unlink(missing_ok=True)  # its data is in place now; the upload is not a backup
    return Restored(summary, safety, notes)


def _record_restore(app: Flask, *, actor, origin: str, safety: Path | None) -> None:
    """In the restored database (the one that lives on). The acting account may not exist
    in the copy; then the entry names no one rather than the wrong person."""
    from telecenter import audit
    from telecenter.auth.models import User
    from telecenter.database import writing
    from telecenter.extensions import db_session

    with writing(db_session()):
        same = db_session().get(User, actor.id) if actor is not None else None
        audit.record(
            db_session(),
            actor=same if same is not None and same.username == actor.username else None,
            action="backup.restore",
            subject_type="backup",
            subject_id=None,
            detail=f"origin={origin}; safety_copy={safety.name if safety else '-'}",
        )


def record_download(session, backup: Backup, *, actor) -> None:
    from telecenter import audit

    audit.record(
        session,
        actor=actor,
        action="backup.download",
        subject_type="backup",
        subject_id=None,
        detail=f"file={backup.name}",
    )


# --- Uploaded files -------------------------------------------------------------------------
#
# An uploaded backup is kept in instance/backup-uploads under a random name until it is
# restored (or for a day), so that the confirmation page and the restore read the same file.

UPLOAD_NAME = re.compile(r"upload-[0-9a-f]{32}\.tar\.gz")
UPLOAD_KEPT_SECONDS = 24 * 3600


def _uploads_dir(app: Flask) -> Path:
    folder = Path(app.instance_path) / "backup-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage_upload(app: Flask, stream) -> tuple[str, Summary]:
    """Save an uploaded file, check it; its name and what it holds, or BackupError (and
    nothing kept)."""
    import secrets
    import shutil
    import time

    folder = _uploads_dir(app)
    for old in folder.glob("upload-*.tar.gz"):
        if time.time() - old.stat().st_mtime > UPLOAD_KEPT_SECONDS:
            old.unlink(missing_ok=True)
    name = f"upload-{secrets.token_hex(16)}.tar.gz"
    path = folder / name
    with open(path, "wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    if path.stat().st_size == 0:
        path.unlink()
        raise BackupError(_("El archivo está vacío."))
    try:
        summary = inspect(app, path)
    except BackupError:
        path.unlink(missing_ok=True)
        raise
    return name, summary


def staged(app: Flask, name: str) -> Path | None:
    """The uploaded file of that name, if it is one of ours."""
    if not UPLOAD_NAME.fullmatch(name):
        return None
    path = _uploads_dir(app) / name
    return path if path.is_file() else None


def source(app: Flask, name: str) -> tuple[Path, str] | None:
    """A file the page may restore from, by name: a listed backup or a staged upload, and
    which of the two it is."""
    listed = find(app, name)
    if listed is not None:
        return listed.path, "listed"
    uploaded = staged(app, name)
    return (uploaded, "uploaded") if uploaded is not None else None
