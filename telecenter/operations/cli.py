"""`telecenter backup`, `telecenter restore FILE`, `telecenter backup-key show`,
`telecenter upgrade`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from telecenter.extensions import db
from telecenter.operations import backup_key, backups
from telecenter.operations.backup_schema import Summary


@click.command("backup")
@with_appcontext
def backup_command():
    """Write a backup of the database and media now (safe while the server runs)."""
    try:
        path = backups.create(current_app)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written: {path}")


def _describe(summary: Summary) -> None:
    """What the backup holds, as the confirmation page shows it."""
    click.echo(
        _(
            "La copia es de %(code)s, hecha el %(when)s. Contiene:",
            code=summary.telecenter,
            when=f"{summary.created_at:%Y-%m-%d %H:%M} UTC" if summary.created_at else "—",
        )
    )
    for label, count in (
        (_("Participantes"), summary.participants),
        (_("Sesiones"), summary.sessions),
        (_("Cursos"), summary.courses),
    ):
        click.echo(f"  {label}: {count if count is not None else '—'}")
    click.echo(_("Cuentas de personal (administradores y capacitadores) en la copia:"))
    for account in summary.staff:
        new = f"  «{_('nueva')}»" if account.new else ""
        click.echo(f"  {account.username} ({account.role}) {account.display_name}{new}")
    if summary.new_staff:
        click.echo(
            _(
                "Atención: las cuentas marcadas «nueva» no existen hoy en este equipo. Si no "
                "las reconoce, no restaure esta copia."
            )
        )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the data without asking.")
@click.option(
    "--key",
    help="The backup key written on paper, for a backup made on another PC (a lost one).",
)
@with_appcontext
def restore_command(file: Path, yes: bool, key: str | None):
    """Check a backup, say what it holds, and after confirmation put it in place (the server
    may stay up: writes wait meanwhile)."""
    try:
        summary = backups.inspect(current_app, file, key=key)
    except backups.KeyNeeded as error:
        raise click.ClickException(f"{error} (--key)") from None
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    _describe(summary)
    if not yes and not click.confirm(
        _("¿Reemplazar todos los datos actuales por los de esta copia?"), default=False
    ):
        raise click.ClickException(_("No se restauró nada."))
    try:
        restored = backups.restore(current_app, file, origin="command", key=key)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    kept = restored.safety_copy or "-"
    click.echo(f"restored {file.name}; the previous database is kept at {kept}")
    for note in restored.notes:
        click.echo(note)


@click.group("backup-key")
def backup_key_group():
    """The key that signs this instance's backups."""


@backup_key_group.command("show")
@with_appcontext
def backup_key_show():
    """Print the backup key (created if there is none yet) to write on paper."""
    key = backup_key.format_key(backups.instance_key(current_app))
    click.echo(key)
    click.echo(
        _(
            "Escriba esta clave en papel y guárdela lejos de este equipo. Si el equipo se "
            "pierde, hace falta para restaurar sus copias en otro."
        )
    )


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


COMMANDS = (backup_command, restore_command, backup_key_group, upgrade_command)
