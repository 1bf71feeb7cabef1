"""The `telecenter` command (also `flask --app wsgi ...`)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.local import LocalProxy

from telecenter.auth import services as accounts
from telecenter.auth.roles import ADMIN, CENTRAL_ADMIN, roles_for_server
from telecenter.database import writing
from telecenter.extensions import db, db_session


def _server_roles() -> tuple[str, ...]:
    return roles_for_server(current_app.config["TELECENTER_ROLE"])


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.command("init")
@click.option("--admin-username", help="Username of the first admin (asked when missing).")
@click.option("--admin-name", default="Administrador", show_default=True)
@click.option(
    "--admin-password",
    envvar="TELECENTER_ADMIN_PASSWORD",
    help="Password of the first admin (asked when missing).",
)
@click.option("--no-admin", is_flag=True, help="Only migrate; create no account.")
@with_appcontext
def init_command(admin_username, admin_name, admin_password, no_admin):
    """Create or upgrade the database (backing up an existing one first), then create the
    first admin if there is none."""
    from telecenter.auth.models import User
    from telecenter.operations.cli import upgrade_database

    made = upgrade_database(current_app)
    if made:
        click.echo(f"backup taken first: {made}")
    click.echo("database is at the newest schema")
    _ensure_backup_key()
    admin_role = CENTRAL_ADMIN if current_app.config["TELECENTER_ROLE"] == "central" else ADMIN
    has_admin = db_session().scalar(db.select(User.id).where(User.role == admin_role).limit(1))
    if no_admin or has_admin:
        return
    username = admin_username or click.prompt("Username of the first admin")
    password = admin_password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _create(username, password, admin_name, admin_role)


def _ensure_backup_key() -> None:
    """A site gets its backup key at install, so that the admin can write it on paper."""
    from telecenter.operations import backup_key

    if current_app.config["TELECENTER_ROLE"] != "site":
        return
    if not backup_key.key_path(current_app.instance_path).exists():
        backup_key.load_or_create(current_app.instance_path)
        click.echo("backup key created: run `telecenter backup-key show` and write it on paper")


def _create(username: str, password: str, display_name: str, role: str) -> None:
    try:
        with writing(db_session()):
            user = accounts.create_user(
                db_session(),
                username=username,
                password=password,
                display_name=display_name,
                role=role,
                allowed_roles=_server_roles(),
            )
    except accounts.AccountError as error:
        _fail(str(error))
    click.echo(f"created {user.role} account {user.username}")


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--name", "display_name", default="", help="Full name shown in the interface.")
@click.option(
    "--role",
    required=True,
    help="admin, trainer, resident; or on central central_admin, central_staff.",
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(username, display_name, role, password):
    """Create an account."""
    _create(username, password, display_name or username, role)


@click.command("seed-demo")
@click.option(
    "--small",
    is_flag=True,
    help="Site: the accounts and six people, no history; central: six telecenters.",
)
@with_appcontext
def seed_demo_command(small):
    """Load demo accounts and data; running it again changes nothing."""
    from telecenter.demo import seed_demo

    with writing(db_session()):
        created = seed_demo(
            db_session(),
            server_role=current_app.config["TELECENTER_ROLE"],
            small=small,
            telecenter_code=current_app.config["TELECENTER_CODE"],
        )
    click.echo("demo accounts (username / password / role; residents: DNI / PIN):")
    for account in created:
        click.echo(f"  {account.username} / {account.password} / {account.role}")


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the background jobs; only one scheduler runs per instance."""
    from telecenter.scheduler import SchedulerAlreadyRunning, run_forever

    try:
        # current_app is typed as the Flask app; it is the proxy in front of it.
        run_forever(cast("LocalProxy[Flask]", current_app)._get_current_object())
    except SchedulerAlreadyRunning as error:
        _fail(str(error))


COMMANDS = (init_command, create_user_command, seed_demo_command, scheduler_command)


def register(app: Flask) -> None:
    from telecenter.central.cli import central_cli
    from telecenter.operations import backups
    from telecenter.operations.backups import AFTER_RESTORE
    from telecenter.operations.cli import COMMANDS as OPERATIONS_COMMANDS
    from telecenter.sync.cli import COMMANDS as SYNC_COMMANDS

    for command in (*COMMANDS, *SYNC_COMMANDS, *OPERATIONS_COMMANDS, central_cli):
        app.cli.add_command(command)
    if _send_again_after_restore not in AFTER_RESTORE:
        AFTER_RESTORE.append(_send_again_after_restore)
    backups.upgrade_copy = _upgrade_backup_copy


def _upgrade_backup_copy(app: Flask, database: Path) -> None:
    """Migrate a restored backup's database file (still in its scratch folder) to the newest
    schema, through an app of its own on that file."""
    from flask_migrate import upgrade

    from telecenter import create_app

    config = {key: value for key, value in app.config.items() if key.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    scratch = create_app(config, instance_path=str(database.parent))
    with scratch.app_context():
        upgrade()
        db.engine.dispose()


def _send_again_after_restore() -> str:
    """A restored site sends every month again, with fresh times central will accept."""
    from telecenter.sync import outbox

    with writing(db_session()):
        requeued = outbox.requeue_all(db_session())
    return f"{requeued} month reports will be sent again to central"


def _make_app():
    from telecenter import create_app

    return create_app()


def main() -> None:
    cli = FlaskGroup(create_app=_make_app, help="Telecenter: site and central server.")
    cli.main()
