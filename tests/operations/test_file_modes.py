"""The database and backups hold people's data: only the service account may read them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from telecenter import create_app
from telecenter.extensions import db
from telecenter.operations import backups
from tests.conftest import base_config

pytestmark = pytest.mark.one_backend  # SQLite files and tar backups: no PostgreSQL side


@pytest.fixture
def permissive_umask():
    """The usual login-shell umask (0022), put back afterwards as the process had it."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _migrated_site(tmp_path: Path):
    from flask_migrate import upgrade

    database = tmp_path / "site" / "telecenter.sqlite3"
    app = create_app(base_config(f"sqlite:///{database}"), instance_path=str(database.parent))
    with app.app_context():
        upgrade()
        db.session.execute(db.text("SELECT 1"))
    return app, database


def test_the_app_sets_a_private_umask(permissive_umask, tmp_path):
    create_app(base_config(f"sqlite:///{tmp_path / 'x.sqlite3'}"), instance_path=str(tmp_path))
    current = os.umask(0o077)
    assert current == 0o077


def test_a_new_database_and_its_wal_are_0600(permissive_umask, tmp_path):
    app, database = _migrated_site(tmp_path)
    with app.app_context():
        assert _mode(database) == 0o600
        assert _mode(Path(f"{database}-wal")) == 0o600
        db.engine.dispose()


def test_a_database_made_readable_by_another_tool_is_closed_on_connect(permissive_umask, tmp_path):
    app, database = _migrated_site(tmp_path)
    with app.app_context():
        db.engine.dispose()
    os.chmod(database, 0o644)
    with app.app_context():
        db.session.execute(db.text("SELECT count(*) FROM users"))
        assert _mode(database) == 0o600
        db.engine.dispose()


def test_a_backup_file_is_0600_in_a_0700_folder(permissive_umask, tmp_path):
    app, _database = _migrated_site(tmp_path)
    os.umask(0o022)  # even if something loosened the umask after start
    path = backups.create(app)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    with app.app_context():
        db.engine.dispose()
