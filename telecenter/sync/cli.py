"""`telecenter sync` and `telecenter month-report` (site)."""

from __future__ import annotations

import csv
import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from telecenter import month_report
from telecenter.extensions import db_session
from telecenter.sync import outbox, tasks
from telecenter.sync.month_reports import monthly_reports


def _site_only() -> None:
    if current_app.config["TELECENTER_ROLE"] != "site":
        raise click.ClickException("this command runs on a site (TELECENTER_ROLE=site)")


@click.command("sync")
@with_appcontext
def sync_command():
    """Send pending month reports now; exit 0 only when nothing is left pending."""
    _site_only()
    result = tasks.sync_now(force=True)
    if result.not_configured:
        raise click.ClickException(
            "not connected to central: enter central's address and the token on the sync page "
            "(/admin/sync/), or set CENTRAL_URL and SYNC_TOKEN"
        )
    if result.busy:
        raise click.ClickException("another sync is running; try again in a moment")
    state = outbox.status(db_session())
    click.echo(
        f"sent {len(result.sent)}, refused {len(result.refused)}, "
        f"failed {len(result.failed)}, still pending {state.pending + state.refused}"
    )
    if state.last_error and (state.pending or state.refused):
        click.echo(f"last error: {state.last_error}")
    if state.pending or state.refused:
        sys.exit(1)


def _month(value: str | None) -> str | None:
    if value is not None and not month_report.is_month(value):
        raise click.BadParameter("use YYYY-MM")
    return value


@click.command("month-report")
@click.option("--from", "first", callback=lambda c, p, v: _month(v), help="YYYY-MM")
@click.option("--to", "last", callback=lambda c, p, v: _month(v), help="YYYY-MM")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
@with_appcontext
def month_report_command(first, last, fmt):
    """Print the site's month reports (what it sends to central)."""
    _site_only()
    if first and last and first > last:
        raise click.BadParameter("--from must not be after --to")
    items = monthly_reports(
        db_session(), telecenter=current_app.config["TELECENTER_CODE"], first=first, last=last
    )
    if fmt == "json":
        click.echo(json.dumps(items, ensure_ascii=False, indent=1))
        return
    _write_csv(items, sys.stdout)


CSV_COLUMNS = (
    "month",
    "table",
    "activity",
    "category",
    "sex",
    "age_band",
    "wfi",
    "scope",
    "commodity",
    "purpose",
    "period",
    *dict.fromkeys(m for _d, ms in month_report.TABLES.values() for m in ms),
)


def _write_csv(items: list[dict], stream) -> None:
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for report in items:
        for table in month_report.tables_of(report):
            for row in report[table]:
                writer.writerow({"month": report["month"], "table": table, **row})


@click.command("download-courses")
@with_appcontext
def download_courses_command():
    """Download (and install) central's course packs now, as the scheduler's job does: within
    the admin's time window and bandwidth limit, resuming any partial file."""
    from telecenter.sync import downloads

    _site_only()
    app = current_app
    options = downloads.Options(
        timeout=float(app.config["DOWNLOAD_TIMEOUT_SECONDS"]),
        retry_pause=float(app.config["DOWNLOAD_RETRY_SECONDS"]),
    )
    result = downloads.run(db_session(), tasks.settings_of(app), app.instance_path, options)
    if result.busy:
        raise click.ClickException("another download is running; try again later")
    click.echo(
        f"verified {len(result.verified)}, installed {len(result.installed)}, "
        f"refused {len(result.refused)}, damaged {result.damaged}, cuts {result.cuts}"
    )
    if result.not_configured:
        click.echo("not connected to central: nothing downloaded")


COMMANDS = (sync_command, month_report_command, download_courses_command)
