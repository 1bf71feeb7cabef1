"""Backups of a site: a consistent copy of the SQLite database (online backup API) and the
uploaded media, in one .tar.gz with a manifest; 7 daily and 4 weekly copies are kept.

Restoring checks the whole file first (that it is a Telecenter backup of this telecenter, that
the database passes SQLite's integrity check and matches its checksum) and keeps the current
database aside before replacing it.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy.engine import make_url

from telecenter.clock import utcnow

FORMAT = 1
APP = "telecenter-site-backup"
PREFIX = "telecenter-"
DAILY, WEEKLY = 7, 4


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


def create(app: Flask, *, now: datetime | None = None) -> Path:
    """Write a backup file; return its path."""
    now = now or utcnow()
    source = database_path(app)
    if not source.exists():
        raise BackupError(_("No hay base de datos que copiar todavía."))
    folder = backup_dir(app)
    code = app.config["TELECENTER_CODE"]
    name = f"{PREFIX}{code}-{now:%Y%m%d-%H%M%S}.tar.gz"
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


def _stamp(path: Path) -> datetime | None:
    try:
        return datetime.strptime(
            path.name.split("-")[-2] + path.name.split("-")[-1][:6], "%Y%m%d%H%M%S"
        )
    except (ValueError, IndexError):
        return None


def listing(folder: Path) -> list[tuple[Path, datetime]]:
    found = [(path, _stamp(path)) for path in folder.glob(f"{PREFIX}*.tar.gz")]
    return sorted(((p, s) for p, s in found if s), key=lambda item: item[1], reverse=True)


def rotate(folder: Path) -> list[Path]:
    """Keep the newest copy of each of the last 7 days and of each of the last 4 weeks."""
    keep: set[Path] = set()
    days: list[date] = []
    weeks: list[tuple[int, int]] = []
    for path, stamp in listing(folder):
        day, week = stamp.date(), stamp.isocalendar()[:2]
        if day not in days and len(days) < DAILY:
            days.append(day)
            keep.add(path)
        if week not in weeks and len(weeks) < WEEKLY:
            weeks.append(week)
            keep.add(path)
    removed = [path for path, _stamp_ in listing(folder) if path not in keep]
    for path in removed:
        path.unlink()
    return removed


def last_backup(app: Flask) -> datetime | None:
    found = listing(backup_dir(app))
    return found[0][1] if found else None


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


def check(path: Path, into: Path, *, telecenter: str) -> Checked:
    """Everything a restore needs, or BackupError: foreign, damaged or inconsistent files."""
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
    except sqlite3.DatabaseError:
        raise BackupError(_("La base de datos de la copia está dañada.")) from None
    if verdict != "ok" or not has_schema:
        raise BackupError(_("La base de datos de la copia está dañada."))
    return checked


def restore(app: Flask, path: Path) -> Path:
    """Replace the database (and media) with a checked backup; return where the current
    database was kept. The server and scheduler must be stopped first."""
    import shutil

    target = database_path(app)
    with tempfile.TemporaryDirectory() as scratch:
        checked = check(path, Path(scratch), telecenter=app.config["TELECENTER_CODE"])
        aside = target.with_name(f"replaced-{utcnow():%Y%m%d-%H%M%S}.sqlite3")
        if target.exists():
            _online_copy(target, aside)
        for suffix in ("-wal", "-shm"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        shutil.copyfile(checked.database, target)
        if checked.media is not None:
            media = Path(app.instance_path) / "media"
            if media.exists():
                media.rename(media.with_name(f"media-replaced-{utcnow():%Y%m%d-%H%M%S}"))
            shutil.copytree(checked.media, media)
    return aside
