"""Shared fixtures: an app on a fresh database per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from flask import has_app_context
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from telecenter import create_app
from telecenter.extensions import db
from tests import pg

CSRF_PATTERN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
BACKENDS = ("sqlite", "postgresql")
#: "Now" for tests whose answer depends on the date (noon, 29 November 2026, in Lima).
FIXED_NOW = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for the whole run: every test builds a new app, and compiling
    the same templates again for each one was a third of a route test's time. A changed
    template has a new checksum, so it is compiled afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = _SharedTemplateCode()


@pytest.fixture
def clock():
    """The clock set to FIXED_NOW (and running on from there), so a test that says "a person
    born on 2012-01-01 is under 15" passes on every real date. List it before the fixtures that
    sign in, so that sessions start on the same clock."""
    with time_machine.travel(FIXED_NOW, tick=True) as traveller:
        yield traveller


def pytest_addoption(parser):
    parser.addoption(
        "--backend",
        choices=BACKENDS,
        action="append",
        help="run database tests only on this backend (default: both)",
    )


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("backend") or list(BACKENDS)
        if metafunc.definition.get_closest_marker("one_backend"):
            chosen = ["sqlite"]  # always at hand: it needs no server
        marks = {"postgresql": [pytest.mark.postgres], "sqlite": []}
        metafunc.parametrize(
            "backend", [pytest.param(b, marks=marks[b], id=b) for b in chosen], indirect=True
        )


@pytest.fixture
def backend(request) -> str:
    return request.param


def base_config(database_url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TELECENTER_ROLE": "site",
        # scrypt costs 0.2 s a hash here; the suite hashes hundreds of times.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:2000",
        # The PIN method's cost would be paid at every resident's sign-in; a method of its own
        # still, so that a PIN hashed as a password would show.
        "PIN_HASH_METHOD": "pbkdf2:sha256:1000",
        "STRICT_WRITES": True,
        **extra,
    }


def _migrate(database_url: str, instance: Path, role: str = "site") -> None:
    from flask_migrate import upgrade

    app = create_app(base_config(database_url, TELECENTER_ROLE=role), instance_path=str(instance))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    _migrate(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def postgres_url(worker_id, tmp_path_factory) -> Iterator[str]:
    """A migrated database for this xdist worker (`worker_id` comes from pytest-xdist)."""
    url = pg.create_database(f"telecenter_test_{worker_id}")
    _migrate(url, tmp_path_factory.mktemp("pg-instance"))
    pg.keep_seeds(url)
    yield url
    pg.drop_database(url)


@pytest.fixture
def database_url(request, backend, tmp_path) -> Iterator[str]:
    yield from copied_database(request, backend, tmp_path)


def copied_database(request, backend, tmp_path, template: str = "sqlite_template") -> Iterator[str]:
    """This test's database: on SQLite a copy of `template` (a fixture naming a file), on
    PostgreSQL the worker's database, emptied afterwards."""
    if backend == "sqlite":
        path = tmp_path / "site.sqlite3"
        shutil.copyfile(request.getfixturevalue(template), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    pg.truncate_all(url)


@pytest.fixture
def make_app(database_url, tmp_path) -> Callable:
    """Build an app on this test's database; `role` picks site or central."""
    apps = []

    def build(role: str = "site", **extra):
        app = create_app(
            base_config(database_url, TELECENTER_ROLE=role, **extra),
            instance_path=str(tmp_path / f"instance-{role}"),
        )
        app.jinja_env.bytecode_cache = TEMPLATE_CODE
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app) -> Callable:
    """Create an account and return (username, password)."""
    return user_maker(app)


def user_maker(app) -> Callable:
    """make_user for an app built outside a test (a data set shared by a module's tests)."""
    from telecenter.auth import services

    def create(
        role: str = "admin", username: str | None = None, password: str = "correct-horse-9", **extra
    ):
        username = username or f"{role}-{create.counter}"
        create.counter += 1
        with app.app_context():
            services.create_user(
                db.session,
                username=username,
                password=password,
                display_name=extra.pop("display_name", username.title()),
                role=role,
                **extra,
            )
            db.session.commit()
        return username, password

    create.counter = 1
    return create


def csrf_token(client) -> str:
    page = client.get("/sign-in", follow_redirects=True).get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, username: str, password: str, **extra):
    data = {"username": username, "password": password, "csrf_token": csrf_token(client), **extra}
    return client.post("/sign-in", data=data)


@pytest.fixture
def signed_in(client, make_user, make_participant) -> Callable:
    """Sign the test client in with a new account of this role; return the client. A resident
    is a registered person with a PIN, signed in on the residents' form (the only one hers)."""

    def as_role(role: str, **extra):
        if role == "resident":
            code = _participant_code(client.application, make_participant(pin="4821", **extra))
            response = client.post(
                "/sign-in/participant",
                data={"identifier": code, "pin": "4821", "csrf_token": csrf_token(client)},
            )
            assert response.status_code == 302, response.get_data(as_text=True)
            return client
        username, password = make_user(role, **extra)
        response = sign_in(client, username, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return as_role


def _participant_code(app, participant_id: int) -> str:
    from telecenter.participants.models import Participant

    with nullcontext() if has_app_context() else app.app_context():
        return db.session.get_one(Participant, participant_id).code


def count_rows(app, table: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608


@pytest.fixture
def make_participant(app) -> Callable:
    """Register a participant through the service; return its id."""
    return participant_maker(app)


def participant_maker(app) -> Callable:
    """make_participant for an app built outside a test."""
    from datetime import date

    from telecenter.participants import resident_accounts, services

    def create(
        given_names="María",
        surnames="Quispe",
        sex="female",
        pin=None,
        consent=None,
        today=date(2026, 11, 29),
        **fields,
    ):
        fields.setdefault("birth_date", date(1990, 5, 4))
        fields.setdefault("district_ubigeo", "220901")
        data = services.ParticipantData(
            given_names=given_names, surnames=surnames, sex=sex, **fields
        )
        # Inside a test's own app context, use its session (a second one would wait on its lock).
        with nullcontext() if has_app_context() else app.app_context():
            participant = services.register(
                db.session,
                data,
                consent or services.ConsentData(given=True),
                actor=None,
                today=today,
                confirm_not_duplicate=True,
            )
            if pin:
                resident_accounts.set_pin(db.session, participant, pin, actor=None)
            db.session.commit()
            return participant.id

    return create
