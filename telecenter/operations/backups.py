"""Backups of a site: a consistent copy of the SQLite database (online backup API) and the
uploaded media, in one .tar.gz with a manifest; 7 daily and 4 weekly copies are kept.

Every backup is signed with the instance's backup key (backup_key.py). Restoring (`restore`,
the one way, for `telecenter restore FILE` and the backups page) trusts nothing in the file
before it is checked: the manifest first (a Telecenter backup, of this telecenter, signed with
this instance's key or the key the admin typed, within the size limits) before anything is
written; then the files exactly as declared (backup_archive.py); then the database's schema,
read-only (backup_schema.py). Only then does it keep the current database as a safety copy and
swap the data in while the site refuses writes, without a restart. SQLite sites only, like the
backups themselves (PostgreSQL is backed up with pg_dump).
"""

from __future__ import annotations

import re
import sqlite3
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
from telecenter.file_modes import make_private
from telecenter.operations import backup_archive, backup_key, backup_schema
from telecenter.operations.backup_archive import ArchiveError, Limits
from telecenter.operations.backup_schema import SchemaError, Summary

PREFIX = "telecenter-"
SAFETY_SUFFIX = "-before-restore"
DAILY, WEEKLY, SAFETY_KEPT = 7, 4, 5


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why in plain words."""


class KeyNeeded(BackupError):
    """A backup of this telecenter signed with another key: one typed by the admin (the key
    of the PC that made it, written on paper) may open it."""


def limits(app: Flask) -> Limits:
    return Limits(int(app.config["BACKUP_MAX_BYTES"]), int(app.config["BACKUP_MAX_FILES"]))


def instance_key(app: Flask) -> bytes:
    try:
        return backup_key.load_or_create(app.instance_path)
    except backup_key.InvalidKey:
        raise BackupError(
            _(
                "La clave de copias de este equipo (%(path)s) está dañada. Escriba en ese "
                "archivo la clave anotada en papel.",
                path=backup_key.key_path(app.instance_path),
            )
        ) from None


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
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _online_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: consistent even while the server writes."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def create(app: Flask, *, now: datetime | None = None, safety: bool = False) -> Path:
    """Write a signed backup file; return its path. A safety copy is the one a restore makes
    of the database it is about to replace."""
    now = now or utcnow()
    source = database_path(app)
    if not source.exists():
        raise BackupError(_("No hay base de datos que copiar todavía."))
    folder = backup_dir(app)
    code = app.config["TELECENTER_CODE"]
    key = instance_key(app)
    name = f"{PREFIX}{code}-{now:%Y%m%d-%H%M%S}{SAFETY_SUFFIX if safety else ''}.tar.gz"
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        copy = Path(scratch) / backup_archive.DATABASE
        _online_copy(source, copy)
        partial = Path(scratch) / (name + ".part")
        files = [(backup_archive.DATABASE, copy)]
        files += backup_archive.media_files(Path(app.instance_path) / "media")
        try:
            backup_archive.write(
                partial,
                header={"telecenter": code, "created_at": now.isoformat()},
                files=files,
                signer=lambda manifest: backup_key.sign(key, manifest),
                limits=limits(app),
            )
        except ArchiveError as error:
            raise BackupError(str(error)) from None
        make_private(partial)
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
    revision: str


def _key_for(app: Flask, typed: str | None) -> bytes:
    if not typed:
        return instance_key(app)
    try:
        return backup_key.parse_key(typed)
    except backup_key.InvalidKey as error:
        raise BackupError(str(error)) from None


def _check_manifest(app: Flask, opened: backup_archive.Opened, key: str | None) -> None:
    """Everything the manifest alone can tell, before a byte of the files is written."""
    manifest = opened.manifest
    if manifest.get("format") not in (1, backup_archive.FORMAT):
        raise BackupError(_("El archivo no es una copia de seguridad de Telecentro."))
    telecenter = app.config["TELECENTER_CODE"]
    if manifest.get("telecenter") != telecenter:
        raise BackupError(
            _(
                "La copia es de otro telecentro (%(code)s), no de %(mine)s.",
                code=manifest.get("telecenter"),
                mine=telecenter,
            )
        )
    if manifest.get("format") != backup_archive.FORMAT or not opened.signature:
        raise BackupError(
            _(
                "La copia no tiene firma: no se puede comprobar que la hizo este programa en "
                "este telecentro. No se restaura."
            )
        )
    if not backup_key.verifies(_key_for(app, key), opened.manifest_bytes, opened.signature):
        if key:
            raise BackupError(
                _(
                    "La clave escrita no es la que firmó esta copia (o la copia fue cambiada "
                    "después de hacerla). Revise la clave anotada en papel."
                )
            )
        raise KeyNeeded(
            _(
                "Esta copia no está firmada con la clave de este equipo. Si viene de otro "
                "equipo (por ejemplo, uno que se perdió o se dañó), escriba la clave de copias "
                "que se anotó en papel al instalarlo."
            )
        )


def check(app: Flask, path: Path, into: Path, *, key: str | None = None) -> Checked:
    """Everything a restore needs, or BackupError: the manifest is read and checked first
    (foreign, unsigned, wrongly signed or too big: refused with nothing written), then the
    declared files are written, then the database is inspected."""
    try:
        with backup_archive.opened(path) as opened:
            _check_manifest(app, opened, key)
            backup_archive.extract(opened, into, limits(app))
        revision = backup_schema.check(into / backup_archive.DATABASE)
    except (ArchiveError, SchemaError) as error:
        raise BackupError(str(error)) from None
    media = into / backup_archive.MEDIA
    return Checked(
        opened.manifest,
        into / backup_archive.DATABASE,
        media if media.is_dir() else None,
        revision,
    )


def summarise(app: Flask, checked: Checked) -> Summary:
    from telecenter.auth.roles import STAFF

    return backup_schema.summarise(
        checked.database,
        manifest=checked.manifest,
        current=database_path(app),
        staff_roles=STAFF,
    )


def inspect(app: Flask, path: Path, *, key: str | None = None) -> Summary:
    """Check a backup as a restore would, and say what it holds; changes nothing."""
    database_path(app)  # SQLite sites only, like the restore itself
    with tempfile.TemporaryDirectory(dir=_scratch_parent(app)) as scratch:
        return summarise(app, check(app, path, Path(scratch), key=key))


def _scratch_parent(app: Flask) -> Path:
    """Unpack next to the instance, not in /tmp: /tmp may be a small RAM disk."""
    folder = Path(app.instance_path) / "restore-scratch"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
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


def restore(
    app: Flask, path: Path, *, actor=None, origin: str = "file", key: str | None = None
) -> Restored:
    """The one restore, for the command and the page: check the whole file, then, with
    writes refused everywhere (maintenance.window), keep the current database as a safety
    copy (a backup listed like the others), put the copy's data in place with SQLite's
    backup API (one transaction: every open connection sees the old data or the new), put
    the media in place, and let every process reconnect. Runs with the server up."""
    from telecenter.extensions import db
    from telecenter.operations import maintenance

    target = database_path(app)
    with tempfile.TemporaryDirectory(dir=_scratch_parent(app)) as scratch:
        checked = check(app, path, Path(scratch), key=key)
        summary = summarise(app, checked)
        if backup_schema.revision_state(checked.revision) == "behind" and upgrade_copy is not None:
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
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def stage_upload(app: Flask, stream) -> str:
    """Save an uploaded file and check it; its name, or BackupError (and nothing kept). A
    backup that only needs the key of the PC that made it is kept: the page asks for it."""
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
        inspect(app, path)
    except KeyNeeded:
        return name
    except BackupError:
        path.unlink(missing_ok=True)
        raise
    return name


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
