"""`telecenter central ...`: telecenters, their tokens and USB bundles (central only)."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from telecenter import bundles, month_report
from telecenter.central import api_keys, tokens, usb
from telecenter.central.models import Telecenter
from telecenter.clock import utcnow
from telecenter.database import writing
from telecenter.extensions import db_session

central_cli = AppGroup("central", help="Central office: telecenters and their tokens.")


def _central_only() -> None:
    if current_app.config["TELECENTER_ROLE"] != "central":
        raise click.ClickException("this command runs on central (TELECENTER_ROLE=central)")


def _find(code: str) -> Telecenter:
    found = db_session().scalar(sa.select(Telecenter).where(Telecenter.code == code.upper()))
    if found is None:
        raise click.ClickException(f"no telecenter with code {code}")
    return found


@central_cli.command("add-telecenter")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--region", required=True, help="San Martín, Huánuco, Ucayali, ...")
@click.option("--province", default="")
@click.option("--district", default="")
@click.option(
    "--opened",
    default=None,
    metavar="YYYY-MM",
    help="The month it opened: reports are expected from then on (default: this month).",
)
def add_telecenter(code, name, region, province, district, opened):
    """Register a telecenter; print its secret token on the last line (shown only once)."""
    _central_only()
    code = code.strip().upper()
    opened = _opening_month(opened)
    if not month_report.is_code(code):
        raise click.ClickException("the code may have capital letters, digits and dashes")
    if db_session().scalar(sa.select(Telecenter.id).where(Telecenter.code == code)):
        raise click.ClickException(f"telecenter {code} already exists")
    with writing(db_session()):
        telecenter = Telecenter(
            code=code,
            name=name.strip(),
            region=region.strip(),
            province=province.strip(),
            district=district.strip(),
            opened_month=opened,
        )
        db_session().add(telecenter)
        token = tokens.issue(telecenter)
    click.echo(
        f"telecenter {code} added; its token follows (type it on the site's sync page, "
        "«Sincronización», or set it as SYNC_TOKEN; it is not shown again):"
    )
    click.echo(token)


def _opening_month(text: str | None) -> str | None:
    if text is None:
        return None
    if not month_report.is_supported_month(text.strip()):
        raise click.ClickException(
            f"--opened must be a month from {month_report.FIRST_MONTH} to "
            f"{month_report.LAST_MONTH} written YYYY-MM, e.g. 2024-03"
        )
    return text.strip()


@central_cli.command("set-opened")
@click.argument("code")
@click.argument("month", metavar="YYYY-MM")
def set_opened(code, month):
    """Set the month a telecenter opened: data quality expects a report each month from it."""
    _central_only()
    month = _opening_month(month)
    with writing(db_session()):
        _find(code).opened_month = month
    click.echo(f"{code.upper()} opened in {month}: reports are expected from that month on")


@central_cli.command("rotate-token")
@click.argument("code")
def rotate_token(code):
    """Issue a new token (the old one stops working); print it on the last line."""
    _central_only()
    with writing(db_session()):
        token = tokens.issue(_find(code))
    click.echo("new token (the old one no longer works):")
    click.echo(token)


@central_cli.command("revoke-token")
@click.argument("code")
def revoke_token(code):
    """Stop a telecenter's token; its site cannot send until a new token is issued."""
    _central_only()
    with writing(db_session()):
        tokens.revoke(_find(code))
    click.echo(f"token of {code.upper()} revoked")


@central_cli.command("create-api-key")
@click.option("--name", required=True, help="Who or what uses the key.")
def create_api_key(name):
    """Create a key for the participation API; print it on the last line (shown only once)."""
    _central_only()
    with writing(db_session()):
        record, key = api_keys.create(db_session(), name)
    click.echo(f"API key {record.id} ({record.name}) created; it follows and is not shown again:")
    click.echo(key)


@central_cli.command("revoke-api-key")
@click.argument("key_id", type=int)
def revoke_api_key(key_id):
    _central_only()
    with writing(db_session()):
        revoked = api_keys.revoke(db_session(), key_id)
    if not revoked:
        raise click.ClickException(f"no live API key with id {key_id}")
    click.echo(f"API key {key_id} revoked")


@central_cli.command("list-telecenters")
def list_telecenters():
    _central_only()
    for t in db_session().scalars(
        sa.select(Telecenter).order_by(Telecenter.region, Telecenter.code)
    ):
        heard = t.last_heard_at.isoformat() if t.last_heard_at else "never"
        click.echo(f"{t.code}\t{t.region}\t{t.name}\tlast heard: {heard}")


@central_cli.command("import-bundle")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_bundle(path: Path):
    """Take a site's USB report bundle as if it had come over the network."""
    _central_only()
    if path.stat().st_size > usb.MAX_REPORT_BUNDLE:
        raise click.ClickException(str(bundles.TOO_BIG))
    with path.open("rb") as stream:
        try:
            imported = usb.import_reports(db_session(), stream)
        except bundles.BundleRefused as problem:
            raise click.ClickException(f"refused, nothing changed: {problem}") from None
    click.echo(f"{imported.telecenter.code}, schema {imported.schema}:")
    for ack in imported.acks:
        click.echo(f"{ack.month}\t{ack.status}")


@central_cli.command("network-bundle")
@click.argument("code")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write it (default: red-CODE-YYYYMMDD.tcbundle here).",
)
def network_bundle(code: str, output: Path | None):
    """Write the USB file for a site: its network settings and receipts of its months."""
    _central_only()
    try:
        bundle = usb.network_bundle(db_session(), _find(code), utcnow())
    except bundles.BundleRefused as problem:
        raise click.ClickException(str(problem)) from None
    target = output or Path(bundle.filename)
    target.write_bytes(bundle.data)
    click.echo(f"{target} written: {bundle.receipts} months acknowledged")
