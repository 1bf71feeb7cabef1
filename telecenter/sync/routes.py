"""The sync status page for the site admin, with "Sincronizar ahora"."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import ADMIN
from telecenter.extensions import db_session
from telecenter.forms import EmptyForm
from telecenter.sync import outbox, tasks

bp = Blueprint("sync", __name__, url_prefix="/admin/sync")


@bp.route("/")
@roles_required(ADMIN)
def status():
    return render_template(
        "sync/status.html",
        status=outbox.status(db_session()),
        form=EmptyForm(),
        central_url=current_app.config.get("CENTRAL_URL") or "",
        configured=bool(current_app.config.get("SYNC_TOKEN")),
    )


@bp.route("/now", methods=["POST"])
@roles_required(ADMIN)
def sync_now():
    if EmptyForm().validate_on_submit():
        result = tasks.sync_now(force=True)
        if result.not_configured:
            flash(_("Falta configurar CENTRAL_URL y SYNC_TOKEN."), "error")
        elif result.busy:
            flash(_("Ya se está sincronizando. Espere un momento."), "info")
        elif result.failed or result.refused:
            flash(_("No se pudo enviar todo. Vea el último error."), "error")
        else:
            flash(_("Sincronizado: %(n)d meses enviados.", n=len(result.sent)), "success")
    return redirect(url_for(".status"))
