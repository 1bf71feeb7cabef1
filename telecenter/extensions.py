"""Extensions, created unbound and bound to an app by the factory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session

from telecenter.database import Base


class Migrations:
    """Flask-Migrate, set up on first use. It imports all of Alembic (about 150 modules and
    12 MiB), which the commands, an upgrade and the restore of a backup need, and no page: a
    web worker that never uses it never loads it."""

    def init_app(self, app: Flask, db: SQLAlchemy, directory: str) -> None:
        app.extensions["migrate"] = _PendingMigrate(app, db, directory)
        app.cli.add_command(_MigrationCommands("db", help="Perform database migrations."))


def _set_up_migrations(app: Flask, db: SQLAlchemy, directory: str) -> Any:
    """Flask-Migrate's own set-up (it replaces app.extensions["migrate"]); its config."""
    from flask_migrate import Migrate

    Migrate(render_as_batch=True, compare_type=True).init_app(app, db, directory=directory)
    return app.extensions["migrate"]


class _PendingMigrate:
    """Stands in app.extensions["migrate"] until something reads it (flask_migrate.upgrade,
    migrations/env.py): then Flask-Migrate is set up and answers."""

    def __init__(self, app: Flask, db: SQLAlchemy, directory: str):
        self._app, self._db, self._directory = app, db, directory

    def __getattr__(self, name: str) -> Any:
        return getattr(_set_up_migrations(self._app, self._db, self._directory), name)


class _MigrationCommands(click.Group):
    """`telecenter db ...`: Flask-Migrate's group (its options, its commands), imported when
    it is used."""

    def _real(self) -> click.Group:
        from flask_migrate.cli import db as commands  # type: ignore[import-not-found]  # no stub

        self.params, self.callback = commands.params, commands.callback
        return commands

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        self._real()
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._real().get_command(ctx, cmd_name)


db = SQLAlchemy(model_class=Base)
migrate = Migrations()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

if TYPE_CHECKING:
    from typing import ClassVar

    from flask_sqlalchemy.model import Model as _FlaskModel
    from sqlalchemy import Table

    class Model(_FlaskModel, Base):
        """What `db.Model` is at run time: Flask-SQLAlchemy's model mixin on our `Base`.
        mypy takes no class attribute (db.Model) as a base class (python/mypy#8603)."""

        # Every model here is mapped to a Table (SQLAlchemy types it as any FromClause).
        __table__: ClassVar[Table]

else:
    Model = db.Model


def db_session() -> Session:
    """The session of the current app context, typed as the `Session` services take: the one
    way app code reaches it (`db.session` is Flask-SQLAlchemy's scoped proxy to the same
    session; tests may use it)."""
    return db.session()
