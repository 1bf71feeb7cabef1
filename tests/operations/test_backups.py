"""Backups: consistent, rotated, restorable; foreign or damaged files are refused."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import tarfile
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from telecenter import create_app
from telecenter.extensions import db
from telecenter.operations import backups
from tests.conftest import base_config, csrf_token


@pytest.fixture
def site(sqlite_template, tmp_path):
    database = tmp_path / "telecenter.sqlite3"
    shutil.copyfile(sqlite_template, database)
    return create_app(
        base_config(f"sqlite:///{database}", TELECENTER_CODE="SM-LAMAS-02"),
        instance_path=str(tmp_path),
    )


def _users(app) -> list[str]:
    with app.app_context():
        rows = db.session.execute(db.text("SELECT username FROM users ORDER BY username"))
        names = [r[0] for r in rows]
        db.session.remove()
        db.engine.dispose()
    return names


def _add_user(app, name: str) -> None:
    from telecenter.auth import services

    with app.app_context():
        services.create_user(
            db.session, username=name, password="long-enough-1", display_name=name, role="trainer"
        )
        db.session.commit()
        db.engine.dispose()


def test_backup_then_restore_brings_the_data_back_and_keeps_the_current_aside(site, tmp_path):
    _add_user(site, "ana")
    media = tmp_path / "media" / "1"
    media.mkdir(parents=True)
    (media / "foto.png").write_bytes(b"png bytes")
    path = backups.create(site)
    _add_user(site, "luis")
    (media / "foto.png").write_bytes(b"changed")
    aside = backups.restore(site, path).safety_copy
    assert _users(site) == ["ana"]
    assert (tmp_path / "media" / "1" / "foto.png").read_bytes() == b"png bytes"
    assert backups.find(site, aside.name).safety  # listed, marked as the safety copy
    assert users_in(aside) == ["ana", "luis"]
    with tarfile.open(aside) as archive:
        assert "media/1/foto.png" in archive.getnames()  # the replaced media are in it too


def test_backup_is_consistent_while_a_connection_holds_uncommitted_writes(site):
    _add_user(site, "ana")
    with site.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        connection.execute(db.text("UPDATE users SET display_name = 'half-written'"))
        path = backups.create(site)
        transaction.rollback()
        connection.close()
        db.engine.dispose()
    with tarfile.open(path) as archive, tempfile_dir() as scratch:
        archive.extract("telecenter.sqlite3", scratch, filter="data")
        with closing(sqlite3.connect(Path(scratch) / "telecenter.sqlite3")) as copy:
            names = [r[0] for r in copy.execute("SELECT display_name FROM users")]
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert names == ["ana"]


def users_in(archive_path: Path) -> list[str]:
    """The accounts inside a backup file: it opens as the backup format."""
    with tarfile.open(archive_path) as archive, tempfile_dir() as scratch:
        archive.extract("telecenter.sqlite3", scratch, filter="data")
        with closing(sqlite3.connect(Path(scratch) / "telecenter.sqlite3")) as copy:
            return sorted(r[0] for r in copy.execute("SELECT username FROM users"))


def tempfile_dir():
    import tempfile

    return tempfile.TemporaryDirectory()


def test_rotation_keeps_seven_daily_and_four_weekly(site):
    start = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
    for day in range(60):
        for hour in (2, 14):  # two copies a day
            backups.create(site, now=start + timedelta(days=day, hours=hour - 2))
    kept = [b.created_at.replace(tzinfo=None) for b in backups.listing(backups.backup_dir(site))]
    days = {stamp.date() for stamp in kept}
    weeks = {stamp.isocalendar()[:2] for stamp in kept}
    assert len(kept) <= 11
    assert len(days) >= 7
    assert len(weeks) == 4
    newest = max(kept)
    assert newest == datetime(2026, 10, 30, 14, 0)


def _tampered(app, path: Path, tmp_path: Path, change) -> Path:
    """The backup after `change` ran on its unpacked files, packed and signed again with the
    instance's key, honestly: what someone who has that key could make."""
    from telecenter.operations import backup_key
    from tests.operations import crafting

    with tarfile.open(path) as archive, tempfile_dir() as scratch:
        archive.extractall(scratch, filter="data")
        folder = Path(scratch)
        change(folder)
        manifest = json.loads((folder / "manifest.json").read_text())
        members = [
            crafting.Member(item.relative_to(folder).as_posix(), item.read_bytes())
            for item in sorted(folder.rglob("*"))
            if item.is_file() and item.name not in ("manifest.json", "manifest.sig")
        ]
        craft = crafting.Craft(
            str(manifest.get("telecenter")),
            members,
            backup_key.load_or_create(app.instance_path),
            extra={k: v for k, v in manifest.items() if k not in ("telecenter", "files")},
        )
        return craft.write(tmp_path / "tampered.tar.gz")


@pytest.mark.parametrize(
    "damage", ["foreign_code", "not_ours", "bad_checksum", "truncated", "garbage", "not_sqlite"]
)
def test_damaged_or_foreign_backups_are_refused_and_nothing_changes(site, tmp_path, damage):
    _add_user(site, "ana")
    good = backups.create(site)
    _add_user(site, "luis")

    def set_manifest(folder, **changes):
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest.update(changes)
        (folder / "manifest.json").write_text(json.dumps(manifest))

    if damage == "foreign_code":
        bad = _tampered(site, good, tmp_path, lambda f: set_manifest(f, telecenter="UC-OTRO-09"))
    elif damage == "not_ours":
        bad = _tampered(site, good, tmp_path, lambda f: set_manifest(f, app="something-else"))
    elif damage == "bad_checksum":
        bad = tmp_path / "bad_checksum.tar.gz"  # the content changed after signing
        with tarfile.open(good) as source, tarfile.open(bad, "w:gz") as out:
            for member in source.getmembers():
                data = source.extractfile(member).read()
                if member.name == "telecenter.sqlite3":
                    data = data[:-4096] + b"\0" * 4096
                out.addfile(member, io.BytesIO(data))
    elif damage == "not_sqlite":

        def swap(folder):
            (folder / "telecenter.sqlite3").write_bytes(b"hello")

        bad = _tampered(site, good, tmp_path, swap)
    elif damage == "truncated":
        bad = tmp_path / "cut.tar.gz"
        bad.write_bytes(good.read_bytes()[:200])
    else:
        bad = tmp_path / "garbage.tar.gz"
        bad.write_bytes(b"not a backup at all")
    with pytest.raises(backups.BackupError):
        backups.restore(site, bad)
    assert _users(site) == ["ana", "luis"]


def test_restore_command_requeues_months_and_reports_where_the_old_database_is(site):
    _add_user(site, "ana")
    path = backups.create(site)
    result = site.test_cli_runner().invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    assert "previous database is kept at" in result.output
    assert "will be sent again to central" in result.output  # the sync's hook ran
    refused = site.test_cli_runner().invoke(args=["restore", "--yes", __file__])
    assert refused.exit_code != 0
    assert "copia de seguridad" in refused.output


def test_backups_page_warns_when_the_last_copy_is_old(app, signed_in):
    admin = signed_in("admin")
    page = admin.get("/admin/backups/").get_data(as_text=True)
    assert 'data-testid="backup-warning"' in page
    answer = admin.post(
        "/admin/backups/now", data={"csrf_token": csrf_token(admin)}, follow_redirects=True
    )
    page = answer.get_data(as_text=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert "Copia de seguridad guardada" in page
        assert 'data-testid="backup-warning"' not in page
    else:
        assert "pg_dump" in page  # central-style databases are backed up with pg_dump


def test_upgrade_backs_up_first_and_keeps_the_data(tmp_path):
    """A site at the first schema, with data, goes to the newest in one command."""
    from flask_migrate import upgrade

    database = tmp_path / "old.sqlite3"
    app = create_app(base_config(f"sqlite:///{database}"), instance_path=str(tmp_path))
    with app.app_context():
        upgrade(revision="0001_accounts")
        db.session.execute(
            db.text(
                "INSERT INTO users (username, password_hash, display_name, role, active, "
                "created_at) VALUES ('vieja', 'x', 'Cuenta vieja', 'admin', 1, "
                "'2024-01-01 00:00:00')"
            )
        )
        db.session.commit()
        db.engine.dispose()
    result = app.test_cli_runner().invoke(args=["upgrade"])
    assert result.exit_code == 0, result.output
    assert "backup taken first" in result.output
    assert len(list((tmp_path / "backups").glob("*.tar.gz"))) == 1
    with app.app_context():
        assert (
            db.session.execute(db.text("SELECT display_name FROM users")).scalar() == "Cuenta vieja"
        )
        assert db.session.execute(db.text("SELECT count(*) FROM participants")).scalar() == 0
        db.engine.dispose()
    again = app.test_cli_runner().invoke(args=["upgrade"])
    assert "backup taken first" not in again.output  # nothing to upgrade: no extra copy


def test_one_log_line_per_request_with_an_id_and_no_query_string(client, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="telecenter.requests")
    answer = client.get(
        "/sign-in?next=/participants/?q=Quispe", headers={"X-Request-ID": "abc123def456"}
    )
    assert answer.headers["X-Request-ID"] == "abc123def456"
    lines = [r.getMessage() for r in caplog.records if r.name == "telecenter.requests"]
    assert lines == [lines[0]]
    assert "id=abc123def456 GET /sign-in status=200" in lines[0]
    assert "Quispe" not in lines[0]
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["X-Request-ID"] != "bad id with spaces"
