"""Registry pages for trainers and admins: list, register, detail, correct, erase, import."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from telecenter import labels
from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import ADMIN, STAFF
from telecenter.database import writing
from telecenter.extensions import db
from telecenter.form_errors import attach_errors
from telecenter.lima_time import today_in_lima
from telecenter.participants import (
    choices,
    consent_text,
    csv_io,
    districts,
    resident_accounts,
    rights,
    services,
)
from telecenter.participants.forms import (
    EraseForm,
    ImportForm,
    ParticipantForm,
    PinForm,
    QuickRegistrationForm,
    RegistrationForm,
)
from telecenter.participants.models import Participant
from telecenter.uploads import accepts_upload

bp = Blueprint("participants", __name__, url_prefix="/participants")
CONSENT_KINDS = {"registration": _l("Registro"), "financial_inclusion": _l("Datos financieros")}
INDICATOR_NAMES = {
    "has_account": _l("Tiene cuenta en una entidad financiera"),
    "uses_wallet": _l("Usa billetera móvil"),
    "saved": _l("Ahorró en los últimos 12 meses"),
    "savings_group_member": _l("Es miembro de una junta o grupo de ahorro"),
}
staff_only = roles_required(*STAFF)

IMPORT_MAX_BYTES = 2 * 1024 * 1024


@bp.app_context_processor
def registry_helpers():
    """Labels for stored codes, for every registry and programme template."""
    return {
        "choices": choices,
        "label": labels.text_of,
        "district_label": lambda code: districts.find(code).label if districts.find(code) else "—",
        "consent_text": consent_text,
        "consent_kinds": CONSENT_KINDS,
        "indicator_names": INDICATOR_NAMES,
    }


def load_participant(participant_id: int, *, allow_erased: bool = False) -> Participant:
    """The one loader for participant pages: 404 for unknown ids (and erased ones, mostly)."""
    participant = db.get_or_404(Participant, participant_id)
    if participant.erased_at and not allow_erased:
        abort(404)
    return participant


@bp.route("/")
@staff_only
def index():
    text = request.args.get("q", "").strip()[:100]
    page = request.args.get("page", 1, type=int) or 1
    rows, total = services.search(db.session, text, page=page)
    pages = max(1, -(-total // services.PAGE_SIZE))
    return render_template(
        "participants/list.html",
        rows=rows,
        total=total,
        q=text,
        page=min(max(page, 1), pages),
        pages=pages,
    )


def _register(form, template: str, *, complete: bool):
    duplicates = []
    if form.validate_on_submit():
        try:
            with writing(db.session):
                participant = services.register(
                    db.session,
                    form.person_data(),
                    form.consent_data(),
                    actor=current_user,
                    today=today_in_lima(),
                    complete=complete,
                    confirm_not_duplicate=form.confirm_not_duplicate.data,
                )
                if form.pin.data:
                    resident_accounts.set_pin(
                        db.session, participant, form.pin.data, actor=current_user
                    )
        except services.RegistryError as error:
            attach_errors(form, error.errors)
        except services.LikelyDuplicate as duplicate:
            duplicates = duplicate.matches
        else:
            flash(
                _("Participante registrado. Su código es %(code)s.", code=participant.code),
                "success",
            )
            return redirect(url_for(".detail", participant_id=participant.id))
    status = 400 if form.is_submitted() else 200
    return render_template(template, form=form, duplicates=duplicates), status


@bp.route("/new", methods=["GET", "POST"])
@staff_only
def new():
    return _register(RegistrationForm(), "participants/new.html", complete=True)


@bp.route("/quick", methods=["GET", "POST"])
@staff_only
def quick():
    return _register(QuickRegistrationForm(), "participants/quick.html", complete=False)


@bp.route("/<int:participant_id>")
@staff_only
def detail(participant_id: int):
    participant = load_participant(participant_id)
    return render_template("participants/detail.html", p=participant, pin_form=PinForm())


@bp.route("/<int:participant_id>/edit", methods=["GET", "POST"])
@staff_only
def edit(participant_id: int):
    participant = load_participant(participant_id)
    form = ParticipantForm(obj=participant)
    if form.validate_on_submit():
        try:
            with writing(db.session):
                changed = services.update(
                    db.session,
                    participant,
                    form.person_data(),
                    actor=current_user,
                    today=today_in_lima(),
                )
        except services.RegistryError as error:
            attach_errors(form, error.errors)
        else:
            flash(_("Datos corregidos.") if changed else _("No hubo cambios."), "success")
            return redirect(url_for(".detail", participant_id=participant.id))
    status = 400 if form.is_submitted() else 200
    return render_template("participants/edit.html", form=form, p=participant), status


@bp.route("/<int:participant_id>/pin", methods=["POST"])
@staff_only
def set_pin(participant_id: int):
    participant = load_participant(participant_id)
    form = PinForm()
    if form.validate_on_submit():
        try:
            with writing(db.session):
                resident_accounts.set_pin(
                    db.session, participant, form.pin.data, actor=current_user
                )
        except services.RegistryError as error:
            flash(error.errors["pin"], "error")
        else:
            flash(_("PIN guardado. Ya puede ingresar con su documento o código."), "success")
    else:
        flash(_("El PIN tiene 4 números."), "error")
    return redirect(url_for(".detail", participant_id=participant.id))


@bp.route("/<int:participant_id>/card")
@staff_only
def card(participant_id: int):
    return render_template("participants/card.html", p=load_participant(participant_id))


@bp.route("/<int:participant_id>/data")
@staff_only
def personal_data(participant_id: int):
    """Access right: everything stored about the person, to show or print for them."""
    participant = load_participant(participant_id)
    with writing(db.session):
        rights.record_access(db.session, participant, actor=current_user)
    return render_template("participants/personal_data.html", p=participant)


@bp.route("/<int:participant_id>/erase", methods=["GET", "POST"])
@staff_only
def erase(participant_id: int):
    participant = load_participant(participant_id)
    form = EraseForm()
    if form.validate_on_submit():
        with writing(db.session):
            rights.erase(db.session, participant, actor=current_user, reason=form.reason.data)
        flash(
            _("Los datos personales fueron borrados. Los números ya reportados no cambian."),
            "success",
        )
        return redirect(url_for(".index"))
    status = 400 if form.is_submitted() else 200
    return render_template("participants/erase.html", form=form, p=participant), status


@bp.route("/import", methods=["GET", "POST"])
@staff_only
@accepts_upload(IMPORT_MAX_BYTES)
def import_csv():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        try:
            with writing(db.session):
                report = csv_io.import_csv(
                    db.session, form.file.data.read(), actor=current_user, today=today_in_lima()
                )
        except csv_io.ImportRejected as rejected:
            report = rejected.report
        else:
            flash(_("Se importaron %(n)d participantes.", n=report.imported), "success")
            return redirect(url_for(".index"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "participants/import.html",
        form=form,
        report=report,
        columns=csv_io.COLUMNS,
        max_rows=csv_io.MAX_ROWS,
    ), status


@bp.route("/import/template.csv")
@staff_only
def import_template():
    header = ",".join(csv_io.COLUMNS) + "\r\n"
    return Response(
        "\ufeff" + header,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=plantilla-participantes.csv"},
    )


@bp.route("/export.csv")
@roles_required(ADMIN)
def export_csv():
    participants = db.session.scalars(
        db.select(Participant).where(Participant.erased_at.is_(None)).order_by(Participant.id)
    ).all()
    with writing(db.session):  # the export is logged: who took everyone's data, when
        body = csv_io.export_csv(db.session, participants, actor=current_user)
    filename = f"participantes-{current_app.config['TELECENTER_CODE']}-{today_in_lima()}.csv"
    return Response(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
