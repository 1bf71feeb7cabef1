"""Residents sign in with their document number or card code and a 4-digit PIN."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from telecenter import wording
from telecenter.auth import services as auth_services
from telecenter.auth.forms import SignInForm
from telecenter.auth.permissions import after_sign_in, public
from telecenter.auth.session_versions import start_session
from telecenter.extensions import db_session
from telecenter.participants.resident_accounts import authenticate_resident, participant_of
from telecenter.views import attempt

bp = Blueprint("resident_auth", __name__)


def _again(message: str, status: int):
    return render_template(
        "auth/sign_in.html",
        form=SignInForm(),
        resident_error=message,
        resident_identifier=request.form.get("identifier", "")[:20],
    ), status


@bp.route("/sign-in/participant", methods=["POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    identifier = request.form.get("identifier", "").strip()[:20]
    pin = request.form.get("pin", "").strip()[:8]
    if not identifier or not pin:
        return _again(_("Escriba su DNI o código, y su PIN."), 400)
    # A failed attempt is a fact to keep (it counts towards the lock): committed too.
    outcome = attempt(
        lambda: authenticate_resident(
            db_session(),
            identifier=identifier,
            pin=pin,
            address=request.remote_addr or "",
            policy=auth_services.ThrottlePolicy.from_config(current_app.config),
        ),
        flash_errors=False,
        keep_on=(auth_services.AuthError,),
    )
    if not outcome.ok:
        refusal = outcome.error
        if isinstance(refusal, auth_services.InvalidCredentials):
            return _again(
                _("El documento, el código o el PIN no son correctos. Revise e intente de nuevo."),
                refusal.status,
            )
        return _again(refusal.message, refusal.status)
    user = outcome.value
    start_session(user)
    person = participant_of(db_session(), user)
    flash(wording.welcome(person.sex if person else None, user.display_name), "success")
    # Back to the page she was on when her session closed (only a path of this site).
    return redirect(after_sign_in(request.form.get("next")))
