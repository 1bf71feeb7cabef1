"""The schema comes only from migrations, and the migrations match the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from telecenter import create_app
from telecenter.extensions import db
from tests import pg
from tests.conftest import base_config


@pytest.fixture
def empty_database_url(backend, tmp_path, worker_id):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = pg.create_database(f"telecenter_migrations_{worker_id}")
    yield url
    pg.drop_database(url)


def _table_names(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


@pytest.mark.parametrize("role", ["site", "central"])
def test_upgrade_matches_models_and_downgrade_removes_everything(
    empty_database_url, tmp_path, role
):
    app = create_app(
        base_config(empty_database_url, TELECENTER_ROLE=role), instance_path=str(tmp_path)
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        assert _table_names(db.engine) == set(db.metadata.tables)
        downgrade(revision="base")
        assert _table_names(db.engine) == set()
        upgrade()  # and back up again, as an operator would after a mistaken downgrade
        assert _table_names(db.engine) == set(db.metadata.tables)
        db.engine.dispose()
