"""database.writing(): the one way to write. Reads never hold SQLite's write lock; a write
waits its turn for it; a write outside writing() during a request is caught."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing

import pytest
import sqlalchemy as sa
from flask import jsonify

from telecenter import create_app
from telecenter.auth.models import User
from telecenter.auth.permissions import public
from telecenter.database import in_writing, writing
from telecenter.extensions import db
from tests.conftest import base_config


def _database_file(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


@pytest.fixture
def impatient(sqlite_template, tmp_path):
    """A site on SQLite (what the lock is about) that waits at most 0.2 s for the write lock."""
    path = tmp_path / "impatient.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = create_app(
        base_config(f"sqlite:///{path}", SQLITE_BUSY_TIMEOUT_MS=200),
        instance_path=str(tmp_path / "instance"),
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def locked(impatient):
    """Another program holds SQLite's write lock for the duration of the test."""
    other = sqlite3.connect(_database_file(impatient), isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.execute("ROLLBACK")
    other.close()


def test_a_post_that_only_reads_takes_no_write_lock(impatient, locked):
    app = impatient

    @public
    def reads():
        return jsonify(users=db.session.scalar(db.select(db.func.count(User.id))))

    app.add_url_rule("/_test/reads", "test_reads", reads, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    answer = app.test_client().post("/_test/reads")
    assert answer.status_code == 200  # it did not wait for, nor fail on, the held lock
    assert answer.json == {"users": 0}


def test_writing_takes_the_lock_and_waits_its_turn(impatient):
    app = impatient
    with app.app_context():
        with closing(sqlite3.connect(_database_file(app), isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            db.session.execute(db.select(User.id)).all()  # reading is fine meanwhile
            with pytest.raises(sa.exc.OperationalError, match="locked"), writing(db.session):
                db.session.execute(db.select(User.id)).all()  # BEGIN IMMEDIATE waits, then fails
            other.execute("ROLLBACK")
        with writing(db.session):
            assert in_writing()
            db.session.add(
                User(username="ana", password_hash="x", display_name="Ana", role="trainer")
            )
        assert not in_writing()
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def _add_then_fail(error: Exception, **options) -> None:
    with writing(db.session, **options):
        db.session.add(User(username="ana", password_hash="x", display_name="Ana", role="trainer"))
        db.session.flush()
        raise error


def test_an_error_inside_writing_leaves_nothing_behind(app_ctx):
    with pytest.raises(ValueError, match="boom"):
        _add_then_fail(ValueError("boom"))
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_errors_named_in_keep_on_are_kept_and_raised(app_ctx):
    with pytest.raises(LookupError):
        _add_then_fail(LookupError("a failed attempt, still counted"), keep_on=(LookupError,))
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_a_write_outside_writing_in_a_request_is_a_bug(app):
    @public
    def careless():
        db.session.add(User(username="ana", password_hash="x", display_name="Ana", role="trainer"))
        db.session.commit()
        return "written"

    app.add_url_rule("/_test/careless", "test_careless", careless, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    answer = app.test_client().post("/_test/careless")
    assert answer.status_code == 500  # STRICT_WRITES, as in every test
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0
