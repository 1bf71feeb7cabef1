"""The sync page for the site admin: the connection to central, "Probar conexión", the status
of the outbox, "Sincronizar ahora", and the USB files both ways (telecenter.sync.usb)."""

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
from telecenter.clock import utcnow
from telecenter.extensions import db_session
from telecenter.forms import EmptyForm
from telecenter.i18n import month_in_words
from telecenter.sync import connection, network_settings, outbox, tasks, usb
from telecenter.sync.forms import ConnectionForm, NetworkBundleForm
from telecenter.uploads import MB, accepts_upload
from telecenter.views import attempt, failed_status, file_download

bp = Blueprint("sync", __name__, url_prefix="/admin/sync")
#: Central's file for this site; the course packs chosen for it may travel in it too.
NETWORK_BUNDLE_MAX_BYTES = 1024 * MB


def _page(
    form: ConnectionForm | None = None,
    probe=None,
    status: int = 200,
    network_form: NetworkBundleForm | None = None,
):
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
        network_form=network_form or NetworkBundleForm(formdata=None),
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


@bp.route("/usb/reports", methods=["POST"])
@roles_required(ADMIN)
def save_reports():
    """«Guardar informes para llevar en USB»: the signed file of every month still to send."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".status"))
    settings = tasks.settings_of(current_app)
    outcome = attempt(lambda: usb.save_reports(db_session(), settings, utcnow()), write=False)
    if not outcome.ok:
        return redirect(url_for(".status"))
    bundle = outcome.value
    if bundle is None:
        flash(_("No hay meses por enviar: no hace falta llevar un archivo."), "info")
        return redirect(url_for(".status"))
    if bundle.left:
        flash(
            _(
                "El archivo lleva los %(n)d meses más antiguos. Cuando la oficina central los "
                "reciba, guarde otro archivo para los %(left)d que faltan.",
                n=len(bundle.months),
                left=bundle.left,
            ),
            "info",
        )
    return file_download(bundle.data, bundle.filename, "application/zip")


@bp.route("/usb/network", methods=["POST"])
@roles_required(ADMIN)
@accepts_upload(NETWORK_BUNDLE_MAX_BYTES)
def load_network_bundle():
    """«Cargar archivo de la oficina central»: its settings and its receipts."""
    form = NetworkBundleForm()
    if form.validate_on_submit():
        settings = tasks.settings_of(current_app)
        outcome = attempt(
            lambda: usb.load_network_bundle(
                db_session(), form.file.data.stream, settings, utcnow()
            ),
            form=form,
        )
        if outcome.ok:
            loaded = outcome.value
            flash(
                _(
                    "Archivo de la oficina central cargado: %(n)d meses recibidos por la "
                    "oficina central ya no se volverán a enviar.",
                    n=len(loaded.acknowledged),
                ),
                "success",
            )
            if loaded.changed_since:
                flash(
                    _(
                        "Estos meses cambiaron después y se enviarán otra vez: %(months)s.",
                        months=", ".join(map(month_in_words, loaded.changed_since)),
                    ),
                    "info",
                )
            return redirect(url_for(".status"))
    return _page(network_form=form, status=failed_status(form))
