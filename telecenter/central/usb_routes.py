"""«Recibir informes por USB» and «Preparar archivo para USB» for central admins
(telecenter.central.usb)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import CENTRAL_ADMIN
from telecenter.central import usb
from telecenter.central.forms import ReportBundleForm
from telecenter.central.models import Telecenter
from telecenter.clock import utcnow
from telecenter.extensions import db_session
from telecenter.uploads import accepts_upload
from telecenter.views import attempt, failed_status, file_download

bp = Blueprint("central_usb", __name__, url_prefix="/central/usb")
central_admins = roles_required(CENTRAL_ADMIN)
#: How central's answer names each acknowledgement's status.
ACK_WORDS = {
    "stored": _l("Recibido y guardado"),
    "duplicate": _l("Ya estaba recibido (no cambia nada)"),
    "stale": _l("La oficina central ya tenía uno más nuevo (no cambia nada)"),
}


def _page(form: ReportBundleForm, imported: usb.Imported | None = None, status: int = 200):
    telecenters = db_session().scalars(sa.select(Telecenter).order_by(Telecenter.code)).all()
    return render_template(
        "central/usb.html",
        form=form,
        imported=imported,
        telecenters=telecenters,
        chosen=imported.telecenter.code if imported else request.args.get("telecenter", ""),
        ack_words=ACK_WORDS,
    ), status


@bp.route("/")
@central_admins
def index():
    return _page(ReportBundleForm(formdata=None))


@bp.route("/", methods=["POST"])
@central_admins
@accepts_upload(usb.MAX_REPORT_BUNDLE)
def receive():
    """The months of a report bundle, through the same ingest as the network path."""
    form = ReportBundleForm()
    if form.validate_on_submit():
        outcome = attempt(
            lambda: usb.import_reports(db_session(), form.file.data.stream), form=form, write=False
        )
        if outcome.ok:
            return _page(ReportBundleForm(formdata=None), imported=outcome.value)
    return _page(form, status=failed_status(form))


@bp.route("/network-bundle")
@central_admins
def network_bundle():
    """«Preparar archivo para USB»: the signed file for one telecenter (`telecenter=CODE`)."""
    code = request.args.get("telecenter", "")[:40]
    telecenter = db_session().scalar(sa.select(Telecenter).where(Telecenter.code == code))
    if telecenter is None:
        flash(_("Elija un telecentro de la lista."), "error")
        return redirect(url_for(".index"))
    outcome = attempt(lambda: usb.network_bundle(db_session(), telecenter, utcnow()), write=False)
    if not outcome.ok:
        return redirect(url_for(".index", telecenter=code))
    bundle = outcome.value
    return file_download(bundle.data, bundle.filename, "application/zip")
