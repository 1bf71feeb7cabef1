"""What the gunicorn hooks do (telecenter/web_process.py) and what a web worker never imports."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from telecenter import web_process
from telecenter.paths import REPO_DIR
from telecenter.scheduler import InWorker, SchedulerAlreadyRunning, single_instance_lock


def test_the_newest_revision_is_alembics_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from telecenter.paths import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    assert web_process.newest_revision() == ScriptDirectory.from_config(config).get_current_head()


def _revision(folder: Path, name: str, down: str, *, annotated: bool = False) -> None:
    kind = ": str" if annotated else ""
    down_kind = ": str | None" if annotated else ""
    (folder / f"{name}.py").write_text(
        f'"""{name}"""\nrevision{kind} = "{name}"\ndown_revision{down_kind} = {down}\n'
    )


def test_the_newest_revision_follows_merges_and_annotations(tmp_path):
    _revision(tmp_path, "a", "None")
    _revision(tmp_path, "b", "'a'", annotated=True)
    _revision(tmp_path, "c", '"a"  # a branch')
    assert web_process.newest_revision(tmp_path) is None  # two heads: Alembic decides
    _revision(tmp_path, "d", '("b", "c")')
    assert web_process.newest_revision(tmp_path) == "d"


def test_unreadable_revisions_leave_the_decision_to_alembic(tmp_path):
    _revision(tmp_path, "a", "None")
    (tmp_path / "b.py").write_text("revision = make_id()\ndown_revision = 'a'\n")
    assert web_process.newest_revision(tmp_path) is None


def _open_database_files(database: Path) -> list[str]:
    names = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            names.append(os.readlink(fd))
        except OSError:
            continue
    return [name for name in names if name.startswith(str(database))]


def test_the_master_closes_every_connection_before_forking(make_app, backend, tmp_path):
    app = make_app()
    from telecenter.extensions import db

    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # a connection in the pool, as a check leaves
        db.session.remove()
        pool = db.engine.pool
        assert pool.checkedin() == 1
    try:
        web_process.master_ready(app)
    finally:
        gc.unfreeze()
    assert pool.checkedin() == 0
    with app.app_context():
        assert db.engine.pool.checkedin() == 0
        assert db.engine.pool.checkedout() == 0
    if backend == "sqlite":
        assert _open_database_files(tmp_path / "site.sqlite3") == []


def test_the_master_brings_a_database_that_is_behind_to_the_newest_schema(tmp_path):
    from telecenter import create_app
    from tests.conftest import base_config

    database = tmp_path / "new.sqlite3"
    app = create_app(base_config(f"sqlite:///{database}"), instance_path=str(tmp_path))
    assert web_process.database_revision(app) is None  # nothing there yet
    try:
        web_process.master_ready(app)
    finally:
        gc.unfreeze()
    assert _open_database_files(database) == []
    assert web_process.database_revision(app) == web_process.newest_revision()
    web_process.close_connections(app)


def _wait_for(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)


def test_one_worker_runs_the_jobs_and_another_takes_over_when_it_ends(make_app):
    app = make_app()
    first = InWorker(app, retry_seconds=0.05).start()
    second = InWorker(app, retry_seconds=0.05).start()
    try:
        _wait_for(lambda: first.running.is_set() or second.running.is_set())
        holder, waiting = (first, second) if first.running.is_set() else (second, first)
        time.sleep(0.3)  # several retries of the waiting one
        assert not waiting.running.is_set()
        with pytest.raises(SchedulerAlreadyRunning), single_instance_lock(app.instance_path):
            pass
        holder.stop()
        assert not holder.running.is_set()
        _wait_for(waiting.running.is_set)
    finally:
        first.stop()
        second.stop()
    with single_instance_lock(app.instance_path):  # let go once both stopped
        pass


def test_a_worker_runs_no_jobs_while_a_scheduler_process_holds_the_lock(make_app):
    app = make_app()
    with single_instance_lock(app.instance_path):
        worker = InWorker(app, retry_seconds=0.05).start()
        time.sleep(0.3)
        assert not worker.running.is_set()
    try:
        _wait_for(worker.running.is_set)
    finally:
        worker.stop()


def test_a_web_worker_imports_no_migration_spreadsheet_http_or_calendar_library(tmp_path):
    """Alembic, openpyxl, httpx and icalendar are imported where they are used: together
    about 500 modules and 25 MiB that a worker showing pages never needs."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_DIR),
        "TELECENTER_INSTANCE": str(tmp_path),
        "SECRET_KEY": "x" * 40,
    }
    heavy = ("alembic", "flask_migrate", "openpyxl", "httpx", "icalendar")
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, wsgi; print(sorted(m for m in {heavy!r} if m in sys.modules))",
        ],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "[]"


def test_the_migration_commands_load_when_asked_for(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_DIR),
        "TELECENTER_INSTANCE": str(tmp_path),
        "SECRET_KEY": "x" * 40,
    }
    binary = str(Path(sys.executable).parent / "telecenter")
    heads = subprocess.run(
        [binary, "db", "heads"], env=env, capture_output=True, text=True, check=True
    )
    assert f"{web_process.newest_revision()} (head)" in heads.stdout
    current = subprocess.run(
        [binary, "db", "-d", str(REPO_DIR / "migrations"), "current"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "(head)" not in current.stdout  # a new database: at no revision yet
