"""The sync page for the site admin: the connection to central, "Probar conexión", the status
of the outbox and "Sincronizar ahora"."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import ADMIN
from telecenter.extensions import db_session
from telecenter.forms import EmptyForm
from telecenter.sync import connection, network_settings, outbox, tasks
from telecenter.sync.forms import ConnectionForm
from telecenter.views import attempt, failed_status

bp = Blueprint("sync", __name__, url_prefix="/admin/sync")


def _page(form: ConnectionForm | None = None, probe=None, status: int = 200):
    current = connection.effective(db_session(), current_app.config)
    if form is None:
        form = ConnectionForm(central_url=current.central_url)
    return render_template(
        "sync/status.html",
        status=outbox.status(db_session()),
        form=EmptyForm(),
        connection_form=form,
        connection=current,
        not_connected=connection.NOT_CONNECTED,
        probe=probe,
        rules_in_use=network_settings.in_use(db_session()),
    ), status


@bp.route("/")
@roles_required(ADMIN)
def status():
    return _page()


@bp.route("/connection", methods=["POST"])
@roles_required(ADMIN)
def save_connection():
    form = ConnectionForm()
    if form.validate_on_submit():
        outcome = attempt(
            lambda: connection.save(
                db_session(),
                current_app.config,
                central_url=form.central_url.data or "",
                token=form.token.data or "",
                actor=current_user,
            ),
            form=form,
        )
        if outcome.ok:
            flash(_("Conexión guardada. Ya puede sincronizar."), "success")
            return redirect(url_for(".status"))
    return _page(form, status=failed_status(form))


@bp.route("/connection/test", methods=["POST"])
@roles_required(ADMIN)
def test_connection():
    """Tests what the form holds. The page's script asks for JSON and keeps the form as typed;
    without it the page comes back with the answer (and the token box empty)."""
    form = ConnectionForm()
    wants_json = request.accept_mimetypes.best == "application/json"
    probe = None
    if form.validate_on_submit():
        outcome = attempt(
            lambda: connection.probe(
                db_session(),
                current_app.config,
                central_url=form.central_url.data or "",
                token=form.token.data or "",
            ),
            form=form,
            write=False,
        )
        probe = outcome.value
    if wants_json:
        if probe is None:
            errors = [e for f in form for e in f.errors] + list(form.form_errors)
            return jsonify(works=False, kind="invalid", message=" ".join(map(str, errors))), 400
        return jsonify(works=probe.works, kind=probe.kind, message=probe.message)
    return _page(form, probe=probe, status=200 if probe is not None else failed_status(form))


@bp.route("/now", methods=["POST"])
@roles_required(ADMIN)
def sync_now():
    if EmptyForm().validate_on_submit():
        result = tasks.sync_now(force=True)
        if result.not_configured:
            flash(str(connection.NOT_CONNECTED), "error")
        elif result.busy:
            flash(_("Ya se está sincronizando. Espere un momento."), "info")
        elif result.failed or result.refused:
            flash(_("No se pudo enviar todo. Vea el último error."), "error")
        else:
            flash(_("Sincronizado: %(n)d meses enviados.", n=len(result.sent)), "success")
    return redirect(url_for(".status"))
