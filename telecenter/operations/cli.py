"""`telecenter backup`, `telecenter restore FILE`, `telecenter upgrade`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from telecenter.extensions import db
from telecenter.operations import backups


@click.command("backup")
@with_appcontext
def backup_command():
    """Write a backup of the database and media now (safe while the server runs)."""
    try:
        path = backups.create(current_app)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written: {path}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path):
    """Check a backup and put it in place (the server may stay up: writes wait meanwhile)."""
    try:
        restored = backups.restore(current_app, file, origin="command")
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    kept = restored.safety_copy or "-"
    click.echo(f"restored {file.name}; the previous database is kept at {kept}")
    for note in restored.notes:
        click.echo(note)


def behind_head() -> bool:
    """Whether the database exists with tables but at an older schema than the code's."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current is not None and current != head


def upgrade_database(app) -> Path | None:
    """Back up an existing site database that is behind, then migrate it to the newest
    schema."""
    from flask_migrate import upgrade

    made = None
    if app.config["TELECENTER_ROLE"] == "site" and behind_head():
        try:
            path = backups.database_path(app)
        except backups.BackupError:
            path = None
        if path is not None and path.exists() and path.stat().st_size > 0:
            made = backups.create(app)
    upgrade()
    return made


@click.command("upgrade")
@with_appcontext
def upgrade_command():
    """Take a backup, then bring the database to the newest schema."""
    made = upgrade_database(current_app)
    if made:
        click.echo(f"backup taken first: {made}")
    click.echo("database is at the newest schema")


COMMANDS = (backup_command, restore_command, upgrade_command)
