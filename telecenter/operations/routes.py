"""The backups page for the site admin: when the last copy was made, and "copy now"."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import ADMIN
from telecenter.forms import EmptyForm
from telecenter.operations import backups

bp = Blueprint("backups", __name__, url_prefix="/admin/backups")
STALE_AFTER = timedelta(days=2)


def backup_state() -> tuple[object, bool]:
    """The last backup time (UTC, naive) and whether it is older than two days."""
    from telecenter.clock import utcnow

    last = backups.last_backup(current_app)
    stale = last is None or utcnow().replace(tzinfo=None) - last > STALE_AFTER
    return last, stale


@bp.route("/")
@roles_required(ADMIN)
def index():
    last, stale = backup_state()
    return render_template(
        "operations/backups.html",
        last=last,
        stale=stale,
        files=backups.listing(backups.backup_dir(current_app)),
        folder=backups.backup_dir(current_app),
        form=EmptyForm(),
    )


@bp.route("/now", methods=["POST"])
@roles_required(ADMIN)
def backup_now():
    if EmptyForm().validate_on_submit():
        try:
            path = backups.create(current_app)
        except backups.BackupError as error:
            flash(str(error), "error")
        else:
            flash(_("Copia de seguridad guardada: %(name)s", name=path.name), "success")
    return redirect(url_for(".index"))
