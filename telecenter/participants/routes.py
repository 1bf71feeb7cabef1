"""Registry pages for trainers and admins: list, register, detail, correct, erase, import."""

from __future__ import annotations

from flask import (
    Blueprint,
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
from telecenter.auth.roles import ADMIN, RESIDENT, STAFF
from telecenter.clock import today_in_lima, utcnow
from telecenter.extensions import db, db_session
from telecenter.forms import EmptyForm, filled
from telecenter.participants import (
    choices,
    consent_text,
    csv_io,
    districts,
    resident_accounts,
    rights,
    services,
    survey_choices,
)
from telecenter.participants import personal_data as person_data
from telecenter.participants.forms import (
    EraseForm,
    ImportForm,
    ParticipantForm,
    PinForm,
    QuickRegistrationForm,
    RegistrationForm,
)
from telecenter.participants.lookup import load_participant
from telecenter.participants.models import Participant
from telecenter.request_values import query_int
from telecenter.uploads import accepts_upload
from telecenter.views import attempt, csv_download, failed_status, handle_form
from telecenter.wording import by_sex

bp = Blueprint("participants", __name__, url_prefix="/participants")
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
        "district_label": lambda code: d.label if (d := districts.find(code)) else "—",
        "consent_text": consent_text,
        "consent_kinds": choices.CONSENT_KINDS,
        "indicator_names": INDICATOR_NAMES,
        "survey_kinds": survey_choices.SURVEY_KINDS,
        "survey_due": survey_choices.SURVEY_DUE,
    }


@bp.route("/")
@staff_only
def index():
    text = request.args.get("q", "").strip()[:100]
    page = query_int("page", 1)
    rows, total = services.search(db_session(), text, page=page)
    pages = max(1, -(-total // services.PAGE_SIZE))
    if page > pages:  # a page past the end (an old link, ?page=99999): the last one
        page = pages
        rows, total = services.search(db_session(), text, page=page)
    return render_template(
        "participants/list.html",
        rows=rows,
        total=total,
        q=text,
        page=page,
        pages=pages,
    )


@bp.route("/accounts")
@roles_required(ADMIN)
def accounts():
    """The residents' tab of the accounts page: who signs in with a PIN. Each is managed on
    her own page (PIN, unlock), so this list has no password box."""
    page = query_int("page", 1)
    rows, total = resident_accounts.resident_accounts(db_session(), page=page)
    pages = max(1, -(-total // services.PAGE_SIZE))
    return render_template(
        "participants/accounts.html", rows=rows, total=total, page=min(page, pages), pages=pages
    )


def _register(form, template: str, *, complete: bool):
    duplicates = []

    def register():
        return resident_accounts.register_with_pin(
            db_session(),
            form.person_data(),
            form.consent_data(),
            pin=form.pin.data,
            actor=current_user,
            today=today_in_lima(),
            complete=complete,
            confirm_not_duplicate=form.confirm_not_duplicate.data,
        )

    if form.validate_on_submit():
        outcome = attempt(register, form=form)
        if outcome.ok:
            participant = outcome.value
            flash(
                by_sex(
                    participant.sex,
                    female=_(
                        "Participante registrada. Su código es %(code)s.", code=participant.code
                    ),
                    male=_(
                        "Participante registrado. Su código es %(code)s.", code=participant.code
                    ),
                    neutral=_("Registro guardado. Su código es %(code)s.", code=participant.code),
                ),
                "success",
            )
            return redirect(url_for(".detail", participant_id=participant.id))
        if isinstance(outcome.error, services.LikelyDuplicate):
            duplicates = outcome.error.matches
    return render_template(template, form=form, duplicates=duplicates), failed_status(form)


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
    return render_template(
        "participants/detail.html",
        p=participant,
        pin_form=PinForm(),
        locked_until=resident_accounts.sign_in_locked_until(db_session(), participant),
    )


@bp.route("/<int:participant_id>/edit", methods=["GET", "POST"])
@staff_only
def edit(participant_id: int):
    participant = load_participant(participant_id)
    form = ParticipantForm(obj=participant)
    return handle_form(
        form,
        lambda: services.update(
            db_session(), participant, form.person_data(), actor=current_user, today=today_in_lima()
        ),
        success=lambda changed: (
            _("Datos corregidos.") if changed else _("No hubo cambios."),
            url_for(".detail", participant_id=participant.id),
        ),
        template="participants/edit.html",
        p=participant,
    )


@bp.route("/<int:participant_id>/pin", methods=["POST"])
@staff_only
def set_pin(participant_id: int):
    participant = load_participant(participant_id)
    form = PinForm()
    if not form.validate_on_submit():
        flash(_("El PIN tiene 4 números."), "error")
    elif attempt(
        lambda: resident_accounts.set_pin(
            db_session(), participant, filled(form.pin.data), actor=current_user
        )
    ).ok:
        flash(_("PIN guardado. Ya puede ingresar con su documento o código."), "success")
    return redirect(url_for(".detail", participant_id=participant.id))


@bp.route("/<int:participant_id>/unlock", methods=["POST"])
@staff_only
def unlock_sign_in(participant_id: int):
    """After too many wrong PINs: let the resident try again now, not in 15 minutes."""
    participant = load_participant(participant_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".detail", participant_id=participant.id))
    outcome = attempt(
        lambda: resident_accounts.unlock_sign_in(db_session(), participant, actor=current_user)
    )
    if outcome.ok:
        flash(
            _unlocked(participant.sex) if outcome.value else _not_locked(participant.sex), "success"
        )
    return redirect(url_for(".detail", participant_id=participant.id))


def _unlocked(sex: str) -> str:
    return by_sex(
        sex,
        female=_("Desbloqueada. Ya puede ingresar con su PIN."),
        male=_("Desbloqueado. Ya puede ingresar con su PIN."),
        neutral=_("Se quitó el bloqueo. Ya puede ingresar con su PIN."),
    )


def _not_locked(sex: str) -> str:
    return by_sex(
        sex,
        female=_("No estaba bloqueada: ya puede ingresar con su PIN."),
        male=_("No estaba bloqueado: ya puede ingresar con su PIN."),
        neutral=_("No había ningún bloqueo: ya puede ingresar con su PIN."),
    )


@bp.route("/<int:participant_id>/card")
@staff_only
def card(participant_id: int):
    return render_template("participants/card.html", p=load_participant(participant_id))


@bp.route("/<int:participant_id>/data")
@staff_only
def personal_data(participant_id: int):
    """Access right: everything stored about the person, to show or print for them."""
    return _access_page(load_participant(participant_id))


@bp.route("/me/data")
@roles_required(RESIDENT)
def my_data():
    """The same page for a resident about herself: no id in the address, so no one else's."""
    participant = resident_accounts.participant_of(db_session(), current_user)
    if participant is None:
        abort(404)
    return _access_page(participant)


def _access_page(participant: Participant):
    attempt(lambda: rights.record_access(db_session(), participant, actor=current_user))
    sections = person_data.gather(db_session(), participant)
    return render_template(
        "participants/personal_data.html", p=participant, sections=sections, printed_at=utcnow()
    )


@bp.route("/<int:participant_id>/erase", methods=["GET", "POST"])
@staff_only
def erase(participant_id: int):
    participant = load_participant(participant_id)
    form = EraseForm()
    return handle_form(
        form,
        lambda: rights.erase(
            db_session(), participant, actor=current_user, reason=form.reason.data
        ),
        success=lambda _result: (
            _("Los datos personales fueron borrados. Los números ya reportados no cambian."),
            url_for(".index"),
        ),
        template="participants/erase.html",
        p=participant,
    )


@bp.route("/import", methods=["GET", "POST"])
@staff_only
@accepts_upload(IMPORT_MAX_BYTES)
def import_csv():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        outcome = attempt(
            lambda: csv_io.import_csv(
                db_session(), form.file.data.read(), actor=current_user, today=today_in_lima()
            ),
            flash_errors=False,
        )
        if outcome.ok:
            flash(_("Se importaron %(n)d participantes.", n=outcome.value.imported), "success")
            return redirect(url_for(".index"))
        report = getattr(outcome.error, "report", None)
    status = failed_status(form)
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
    return csv_download(header, "plantilla-participantes.csv")


@bp.route("/export.csv")
@roles_required(ADMIN)
def export_csv():
    participants = (
        db_session()
        .scalars(
            db.select(Participant).where(Participant.erased_at.is_(None)).order_by(Participant.id)
        )
        .all()
    )
    # The export is logged: who took everyone's data, when.
    outcome = attempt(lambda: csv_io.export_csv(db_session(), participants, actor=current_user))
    if not outcome.ok:  # export_csv refuses nothing; a refusal would be flashed there
        return redirect(url_for(".index"))
    filename = f"participantes-{current_app.config['TELECENTER_CODE']}-{today_in_lima()}.csv"
    return csv_download(outcome.value, filename)
