"""The backups page for the site admin: when the last copy was made, "copy now", download any
listed copy, and restore one (listed or uploaded) after a page that says what it holds; a copy
signed on another PC (a lost one) first asks for that PC's backup key, written on paper."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired

from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import ADMIN
from telecenter.extensions import db_session
from telecenter.forms import EmptyForm, Form
from telecenter.operations import backups, maintenance
from telecenter.uploads import MB, accepts_upload
from telecenter.views import attempt

bp = Blueprint("backups", __name__, url_prefix="/admin/backups")
bp.before_app_request(maintenance.guard)
STALE_AFTER = timedelta(days=2)
#: A backup holds the media too (photos, recordings); werkzeug spools it to disk.
UPLOAD_MAX_BYTES = 1024 * MB


class UploadForm(Form):
    file = FileField(_l("Archivo de copia (.tar.gz)"), validators=[FileRequired()])


class KeyForm(Form):
    key = StringField(
        _l("Clave de copias (anotada en papel al instalar el otro equipo)"),
        validators=[DataRequired(_l("Escriba la clave de copias."))],
    )


class RestoreForm(Form):
    #: The key that opened the copy when it is not this PC's (typed on the page before).
    key = HiddenField()


def backup_state() -> tuple[object, bool]:
    """The last backup time (aware UTC) and whether it is older than two days."""
    from telecenter.clock import utcnow

    last = backups.last_backup(current_app)
    stale = last is None or utcnow() - last > STALE_AFTER
    return last, stale


def _index(upload: UploadForm, status: int = 200):
    last, stale = backup_state()
    return render_template(
        "operations/backups.html",
        last=last,
        stale=stale,
        files=backups.listing(backups.backup_dir(current_app)),
        folder=backups.backup_dir(current_app),
        form=EmptyForm(),
        upload=upload,
    ), status


@bp.route("/")
@roles_required(ADMIN)
def index():
    return _index(UploadForm(formdata=None))


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


@bp.route("/<name>/download")
@roles_required(ADMIN)
def download(name: str):
    backup = backups.find(current_app, name)
    if backup is None:
        abort(404)
    attempt(lambda: backups.record_download(db_session(), backup, actor=current_user))
    return send_file(
        backup.path, mimetype="application/gzip", as_attachment=True, download_name=backup.name
    )


@bp.route("/upload", methods=["POST"])
@roles_required(ADMIN)
@accepts_upload(UPLOAD_MAX_BYTES)
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    try:
        name = backups.stage_upload(current_app, form.file.data.stream)
    except backups.BackupError as error:
        form.file.errors = [*form.file.errors, str(error)]
        return _index(form, 400)
    return redirect(url_for(".confirm", name=name))


def _source_or_404(name: str):
    found = backups.source(current_app, name)
    if found is None:
        abort(404)
    return found


def _confirmation(name: str, origin: str, summary, key: str = ""):
    return render_template(
        "operations/restore_confirm.html",
        name=name,
        origin=origin,
        summary=summary,
        backup=backups.find(current_app, name),
        folder=backups.backup_dir(current_app),
        form=RestoreForm(formdata=None, key=key),
    )


def _key_page(name: str, form: KeyForm, status: int = 200):
    return render_template("operations/restore_key.html", name=name, form=form), status


@bp.route("/<name>/restore")
@roles_required(ADMIN)
def confirm(name: str):
    path, origin = _source_or_404(name)
    try:
        summary = backups.inspect(current_app, path)
    except backups.KeyNeeded:
        return _key_page(name, KeyForm(formdata=None))
    except backups.BackupError as error:
        flash(str(error), "error")
        return redirect(url_for(".index"))
    return _confirmation(name, origin, summary)


@bp.route("/<name>/restore/key", methods=["POST"])
@roles_required(ADMIN)
def confirm_with_key(name: str):
    """The confirmation for a copy from another PC, opened with the key typed here."""
    path, origin = _source_or_404(name)
    form = KeyForm()
    if not form.validate_on_submit():
        return _key_page(name, form, 400)
    try:
        summary = backups.inspect(current_app, path, key=form.key.data)
    except backups.BackupError as error:
        form.key.errors = [*form.key.errors, str(error)]
        return _key_page(name, form, 400)
    return _confirmation(name, origin, summary, key=form.key.data or "")


@bp.route("/<name>/restore", methods=["POST"])
@roles_required(ADMIN)
def restore(name: str):
    path, origin = _source_or_404(name)
    form = RestoreForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        restored = backups.restore(
            current_app, path, actor=current_user, origin=origin, key=form.key.data or None
        )
    except backups.BackupError as error:
        flash(str(error), "error")
        return redirect(url_for(".index"))
    kept = backups.find(current_app, restored.safety_copy.name) if restored.safety_copy else None
    when = format_datetime(kept.created_at, "dd/MM/yyyy HH:mm") if kept else "—"
    flash(
        _(
            "Copia restaurada. Los datos que había antes están en la lista como «Guardada "
            "antes de restaurar» (%(when)s).",
            when=when,
        ),
        "success",
    )
    return redirect(url_for(".index"))
