"""The kiosk: staff open it on the entrance PC; residents then check themselves in."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from telecenter import labels
from telecenter.attendance import kiosk, kiosk_device
from telecenter.attendance.models import ActivitySession
from telecenter.auth import services as auth_services
from telecenter.auth.permissions import device_required, roles_required
from telecenter.auth.roles import STAFF
from telecenter.clock import utcnow
from telecenter.extensions import db_session
from telecenter.forms import EmptyForm
from telecenter.request_values import stored_id
from telecenter.views import attempt

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
kiosk_only = device_required("kiosk", kiosk_device.is_kiosk)


@bp.route("/open", methods=["POST"])
@roles_required(*STAFF)
def open_kiosk():
    """Turn this browser into the kiosk and sign the staff member out of it."""
    response = redirect(url_for(".index"))
    if EmptyForm().validate_on_submit():
        value = kiosk_device.token(db_session(), current_user.id)
        logout_user()
        response.set_cookie(
            kiosk_device.COOKIE,
            value,
            max_age=kiosk_device.MAX_AGE_SECONDS,
            httponly=True,
            samesite="Strict",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@bp.route("/close-all", methods=["GET", "POST"])
@roles_required(*STAFF)
def close_all():
    """A lost or misused kiosk PC: every kiosk opened so far stops working at once. The
    button on the home page leads to a question first: a kiosk in use in a class stops too."""
    form = EmptyForm()
    if request.method == "GET":
        return render_template("attendance/kiosk_close_all.html", form=form)
    if form.validate_on_submit():
        attempt(lambda: kiosk_device.close_all(db_session(), actor=current_user))
        done = _("Se cerraron todos los kioscos. Para volver a usar uno, ábralo de nuevo.")
        flash(done, "success")
    return redirect(url_for("main.home"))


@bp.route("/")
@kiosk_only
def index():
    return _page()


def _page(message=None, error=None, status=200, selected=None):
    sessions = kiosk.open_sessions(db_session(), utcnow())
    return render_template(
        "attendance/kiosk.html",
        sessions=sessions,
        message=message,
        error=error,
        selected=selected,
        form=EmptyForm(),
    ), status


@bp.route("/check-in", methods=["POST"])
@kiosk_only
def check_in():
    session_id = stored_id(request.form.get("session_id"))
    identifier = request.form.get("identifier", "").strip()[:20]
    activity = db_session().get(ActivitySession, session_id) if session_id is not None else None
    if not EmptyForm().validate_on_submit() or activity is None or not identifier:
        return _page(
            error=_("Elija la sesión y escriba su DNI o código."), status=400, selected=activity
        )
    address = request.remote_addr or ""

    def check_in_here():
        auth_services.ensure_address_not_locked(db_session(), address)
        return kiosk.check_in(db_session(), activity, identifier, utcnow())

    outcome = attempt(check_in_here, flash_errors=False)
    refusal = outcome.error
    if isinstance(refusal, auth_services.SignInLocked):
        return _page(error=_("Demasiados intentos. Pida ayuda al capacitador."), status=429)
    if isinstance(refusal, kiosk.AlreadyCheckedIn):
        return _page(message=refusal.message, status=refusal.status, selected=activity)
    if not outcome.ok:
        policy = auth_services.ThrottlePolicy.from_config(current_app.config)
        attempt(lambda: auth_services.record_address_failure(db_session(), address, policy))
        return _page(error=outcome.error.message, status=outcome.error.status, selected=activity)
    done = outcome.value
    message = _("¡Gracias, %(name)s! Su asistencia quedó registrada.", name=done.first_name)
    if done.replaced:
        message = _(
            "¡Gracias, %(name)s! Figuraba como «%(before)s»; ahora quedó presente.",
            name=done.first_name,
            before=labels.label("status", done.replaced),
        )
    return _page(message=message, selected=activity)


@bp.route("/close", methods=["POST"])
@kiosk_only
def close_kiosk():
    response = redirect(url_for("auth.sign_in"))
    if EmptyForm().validate_on_submit():
        response.delete_cookie(kiosk_device.COOKIE)
    return response
