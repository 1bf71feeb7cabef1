"""Restoring from the page and the command: one service, checked first, writes refused while
it runs, the current data kept as a listed safety copy, every process reconnected."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
from contextlib import closing
from datetime import date, datetime, time
from pathlib import Path

import pytest

from telecenter import create_app
from telecenter.extensions import db
from telecenter.operations import backups, maintenance
from tests.conftest import FIXED_NOW, base_config, count_rows, csrf_token, sign_in
from tests.operations.test_backups import _tampered, users_in


def _participants(app) -> int:
    with app.app_context():
        count = count_rows(app, "participants")
        db.session.remove()
    return count


def _audit(app, action: str) -> list[str]:
    with app.app_context():
        rows = db.session.execute(
            db.text("SELECT detail FROM audit_entries WHERE action = :a ORDER BY id"), {"a": action}
        )
        return [r[0] for r in rows]


def _session_with_attendance(app, participant_id: int) -> None:
    from telecenter.attendance import scheduling
    from telecenter.attendance.models import Attendance
    from tests.attendance.conftest import session_data

    with app.app_context():
        (activity,) = scheduling.create(
            db.session, session_data(day=date(2026, 11, 20), start=time(9, 0), end=time(11, 0))
        )
        db.session.flush()
        db.session.add(
            Attendance(session_id=activity.id, participant_id=participant_id, status="present")
        )
        db.session.commit()


# --- The service ------------------------------------------------------------------------------


@pytest.mark.one_backend
def test_inspect_says_what_a_backup_holds(app, make_participant):
    first = make_participant()
    make_participant(given_names="Rosa", document_number="41234567", document_type="dni")
    _session_with_attendance(app, first)
    path = backups.create(app, now=FIXED_NOW)
    summary = backups.inspect(app, path)
    assert summary.telecenter == app.config["TELECENTER_CODE"]
    assert summary.created_at == FIXED_NOW
    assert (summary.participants, summary.sessions) == (2, 1)
    assert summary.last_attendance.date() == date(2026, 11, 20)


@pytest.mark.one_backend
def test_restore_from_a_listed_backup_keeps_a_listed_safety_copy_and_audits(
    app, make_participant, make_user
):
    make_participant()
    path = backups.create(app)
    make_participant(given_names="Rosa", document_number="41234567", document_type="dni")
    restored = backups.restore(app, path, origin="listed")
    assert _participants(app) == 1
    assert restored.safety_copy is not None
    listed = backups.find(app, restored.safety_copy.name)
    assert listed is not None
    assert listed.safety
    assert backups.inspect(app, restored.safety_copy).participants == 2  # nothing lost
    assert _audit(app, "backup.restore") == [
        f"origin=listed; safety_copy={restored.safety_copy.name}"
    ]
    assert any("sent again to central" in note for note in restored.notes)


@pytest.mark.one_backend
def test_restore_from_an_uploaded_file_then_the_upload_is_gone(app, make_participant):
    make_participant()
    made = backups.create(app)
    data = made.read_bytes()
    made.unlink()  # as if it came from a USB drive, not the folder
    make_participant(given_names="Rosa", document_number="41234567", document_type="dni")
    name = backups.stage_upload(app, io.BytesIO(data))
    path, origin = backups.source(app, name)
    assert backups.inspect(app, path).participants == 1
    assert origin == "uploaded"
    backups.restore(app, path, origin=origin)
    assert _participants(app) == 1
    assert backups.source(app, name) is None


def _future_schema(folder: Path) -> None:
    database = folder / "telecenter.sqlite3"
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        connection.commit()


@pytest.mark.parametrize("bad", ["empty", "garbage", "foreign", "future_schema"])
@pytest.mark.one_backend
def test_a_bad_upload_is_refused_and_changes_nothing(app, make_participant, tmp_path, bad):
    make_participant()
    good = backups.create(app)
    if bad == "empty":
        data = b""
    elif bad == "garbage":
        data = b"PK\x03\x04 not a backup"
    else:

        def change(folder):
            if bad == "foreign":
                manifest = json.loads((folder / "manifest.json").read_text())
                manifest["telecenter"] = "UC-OTRO-09"
                (folder / "manifest.json").write_text(json.dumps(manifest))
            else:
                _future_schema(folder)

        data = _tampered(app, good, tmp_path, change).read_bytes()
    make_participant(given_names="Rosa", document_number="41234567", document_type="dni")
    with pytest.raises(backups.BackupError) as refused:
        backups.stage_upload(app, io.BytesIO(data))
    assert str(refused.value)
    assert _participants(app) == 2
    assert not list((Path(app.instance_path) / "backup-uploads").iterdir())
    assert len(backups.listing(backups.backup_dir(app))) == 1  # no safety copy either


def test_a_backup_from_an_older_version_is_upgraded_as_it_is_restored(tmp_path):
    from flask_migrate import upgrade

    database = tmp_path / "site.sqlite3"
    site = create_app(base_config(f"sqlite:///{database}"), instance_path=str(tmp_path))
    with site.app_context():
        upgrade(revision="0001_accounts")
        db.engine.dispose()
    old = backups.create(site)
    with site.app_context():
        upgrade()
        db.engine.dispose()
    backups.restore(site, old)
    with site.app_context():
        assert db.session.execute(db.text("SELECT count(*) FROM participants")).scalar() == 0
        db.session.remove()
        db.engine.dispose()


@pytest.mark.one_backend
def test_writes_are_refused_while_restoring_and_reads_go_on(app, signed_in):
    admin = signed_in("admin")
    token = csrf_token(admin)
    with maintenance.window(app):
        assert maintenance.is_restoring(app)
        refused = admin.post("/admin/backups/now", data={"csrf_token": token})
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "5"
        assert "Se está restaurando una copia" in refused.get_data(as_text=True)
        assert admin.get("/admin/backups/").status_code == 200
        assert backups.listing(backups.backup_dir(app)) == []
    assert admin.post("/admin/backups/now", data={"csrf_token": token}).status_code == 302
    assert len(backups.listing(backups.backup_dir(app))) == 1


@pytest.mark.one_backend
def test_a_marker_left_by_a_dead_restore_does_not_block_the_site(app):
    (Path(app.instance_path) / maintenance.MARKER_FILE).write_text("12345")
    assert not maintenance.is_restoring(app)
    assert not (Path(app.instance_path) / maintenance.MARKER_FILE).exists()


@pytest.mark.one_backend
def test_a_second_restore_at_once_is_refused(app):
    path = backups.create(app)
    with (
        maintenance.window(app),
        pytest.raises(backups.BackupError, match="Ya se está restaurando"),
    ):
        backups.restore(app, path)


@pytest.mark.one_backend
def test_another_worker_reconnects_after_a_restore_without_a_restart(app, make_participant):
    """Two app objects on one database stand for two gunicorn workers."""
    make_participant()
    path = backups.create(app)
    make_participant(given_names="Rosa", document_number="41234567", document_type="dni")
    other = create_app(dict(app.config), instance_path=app.instance_path)
    other.test_client().get("/healthz")  # the worker has seen the current generation
    assert not maintenance.reconnect_if_restored(other)
    backups.restore(app, path)
    assert maintenance.reconnect_if_restored(other)  # it notices, and drops its connections
    assert _participants(other) == 1
    assert other.test_client().get("/healthz").status_code == 200
    with other.app_context():
        db.engine.dispose()


@pytest.mark.one_backend
def test_the_scheduler_reconnects_after_a_restore(app):
    from telecenter.scheduler import build_scheduler

    job = build_scheduler(app).get_job("purge-sign-in-throttles")
    job.func(app)
    backups.restore(app, backups.create(app))
    app.extensions[maintenance.SEEN_KEY] = "a generation before the restore"
    job.func(app)  # the job itself runs on the restored database
    assert not maintenance.reconnect_if_restored(app)  # the job has taken it in


@pytest.mark.one_backend
def test_the_command_uses_the_same_checks(app, tmp_path):
    good = backups.create(app)
    bad = _tampered(app, good, tmp_path, _future_schema)
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(bad)])
    assert result.exit_code != 0
    assert "versión más nueva" in result.output
    assert len(backups.listing(backups.backup_dir(app))) == 1


# --- The pages --------------------------------------------------------------------------------


@pytest.mark.one_backend
def test_times_on_the_page_are_lima_time(app, signed_in):
    backups.create(app, now=datetime(2026, 11, 29, 17, 5, tzinfo=FIXED_NOW.tzinfo))
    page = signed_in("admin").get("/admin/backups/").get_data(as_text=True)
    assert "29/11/2026 12:05" in page  # 17:05 UTC is 12:05 in Lima
    assert "UTC" not in page


@pytest.mark.one_backend
def test_download_gives_the_listed_file_and_is_audited(app, signed_in):
    admin = signed_in("admin")
    path = backups.create(app)
    with admin.get(f"/admin/backups/{path.name}/download") as answer:
        assert answer.status_code == 200
        assert answer.data == path.read_bytes()
        assert f"filename={path.name}" in answer.headers["Content-Disposition"]
    assert _audit(app, "backup.download") == [f"file={path.name}"]


@pytest.mark.parametrize(
    "name",
    [
        "..%2Fsite.sqlite3",
        "%2E%2E%2F%2E%2E%2Finstance-site%2Fsite.sqlite3",
        "site.sqlite3",
        "telecenter-T1-20260101-000000.tar.gz",  # well formed, but not in the folder
    ],
)
def test_download_refuses_anything_not_listed(app, signed_in, name):
    admin = signed_in("admin")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        backups.create(app)
    assert admin.get(f"/admin/backups/{name}/download").status_code == 404
    assert admin.get(f"/admin/backups/{name}/restore").status_code == 404
    assert admin.get("/admin/backups/../../site.sqlite3/download").status_code == 404


@pytest.mark.one_backend
def test_an_upload_is_not_downloadable(app, signed_in):
    admin = signed_in("admin")
    name = backups.stage_upload(app, io.BytesIO(backups.create(app).read_bytes()))
    assert admin.get(f"/admin/backups/{name}/download").status_code == 404
    assert admin.get(f"/admin/backups/{name}/restore").status_code == 200


@pytest.mark.one_backend
def test_restore_through_the_page_with_confirmation(app, client, make_user, make_participant):
    username, password = make_user("admin")
    make_participant()
    path = backups.create(app, now=FIXED_NOW)
    make_participant(given_names="Rosa", document_number="41234567", document_type="dni")
    sign_in(client, username, password)
    page = client.get(f"/admin/backups/{path.name}/restore").get_data(as_text=True)
    assert "Se reemplazarán todos los datos actuales por los de esta copia." in page
    assert "29/11/2026 12:00" in page
    assert 'data-testid="summary-participants">1<' in page
    assert _participants(app) == 2  # the confirmation page changes nothing
    answer = client.post(
        f"/admin/backups/{path.name}/restore",
        data={"csrf_token": csrf_token(client)},
        follow_redirects=True,
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Copia restaurada" in text
    assert "Guardada antes de restaurar" in text
    assert _participants(app) == 1
    assert client.get("/participants/").status_code == 200  # still signed in, site working


@pytest.mark.one_backend
def test_restore_post_without_csrf_changes_nothing(app, signed_in, make_participant):
    admin = signed_in("admin")
    path = backups.create(app)
    make_participant()
    assert admin.post(f"/admin/backups/{path.name}/restore", data={}).status_code == 400
    assert _participants(app) == 1


def test_upload_page_answers(app, signed_in, tmp_path):
    admin = signed_in("admin")
    bad = admin.post(
        "/admin/backups/upload",
        data={"csrf_token": csrf_token(admin), "file": (io.BytesIO(b"hello"), "copia.tar.gz")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert "pg_dump" in text
        return
    assert "no es una copia de seguridad" in text
    assert not list((Path(app.instance_path) / "backup-uploads").iterdir())
    data = backups.create(app).read_bytes()
    good = admin.post(
        "/admin/backups/upload",
        data={"csrf_token": csrf_token(admin), "file": (io.BytesIO(data), "copia.tar.gz")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    assert "/restore" in good.headers["Location"]
    confirm = admin.get(good.headers["Location"]).get_data(as_text=True)
    assert "¿Restaurar esta copia?" in confirm


@pytest.mark.one_backend
def test_a_download_opens_as_the_backup_format(app, signed_in, make_user):
    admin = signed_in("admin")
    path = backups.create(app)
    downloaded = Path(app.instance_path) / "downloaded.tar.gz"
    with admin.get(f"/admin/backups/{path.name}/download") as answer:
        downloaded.write_bytes(answer.data)
    with tarfile.open(downloaded) as archive:
        assert {"manifest.json", "telecenter.sqlite3"} <= set(archive.getnames())
    assert users_in(downloaded)
