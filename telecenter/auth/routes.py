"""Sign-in and sign-out, and the two small routes of a signed-in page's idle timer."""

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
from flask_login import current_user, logout_user

from telecenter import wording
from telecenter.auth import services, session_policy
from telecenter.auth.forms import SignInForm
from telecenter.auth.permissions import after_sign_in, public, roles_required
from telecenter.auth.roles import ALL_ROLES, staff_roles_for_server
from telecenter.auth.session_versions import start_session
from telecenter.extensions import db_session
from telecenter.forms import EmptyForm, filled
from telecenter.views import attempt

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:  # still signed in (another tab kept the session)
        return redirect(after_sign_in(request.args.get("next")))
    form = SignInForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("auth/sign_in.html", form=form), status
    # A failed attempt is a fact to keep (it counts towards the lock): committed too.
    outcome = attempt(
        lambda: services.authenticate(
            db_session(),
            username=filled(form.username.data),
            password=filled(form.password.data),
            address=request.remote_addr or "",
            policy=services.ThrottlePolicy.from_config(current_app.config),
            allowed_roles=staff_roles_for_server(current_app.config["TELECENTER_ROLE"]),
        ),
        flash_errors=False,
        keep_on=(services.AuthError,),
    )
    if not outcome.ok:
        refusal = outcome.error
        form.form_errors.append(
            _("Usuario o contraseña incorrectos. Revise e intente de nuevo.")
            if isinstance(refusal, services.InvalidCredentials)
            else refusal.message
        )
        return render_template("auth/sign_in.html", form=form), refusal.status
    user = outcome.value
    start_session(user)
    # Staff accounts record no sex: the greeting needs none.
    flash(wording.welcome(None, user.display_name), "success")
    return redirect(after_sign_in(form.next.data))


@bp.route("/sign-out", methods=["POST"])
@roles_required(*ALL_ROLES)
def sign_out():
    form = EmptyForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        # Every cookie of the account ends, a copy kept from before included.
        attempt(user.end_sessions)
        logout_user()
        flash(_("Cerró su sesión. ¡Hasta pronto!"), "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/session/keep-alive", methods=["POST"])
@roles_required(*ALL_ROLES)
def keep_alive():
    """«Seguir aquí», or work on the page: the person is here. Needs the CSRF token (checked
    for every POST), so another site cannot keep a forgotten session open."""
    session_policy.renew_stamp()
    return "", 204


@bp.route("/session/status")
@public
def session_status():
    """Asked by the page's timer; not activity (session_policy.STATUS_ENDPOINT). A session
    found over is signed out before this answers, with the message for the sign-in page."""
    if not current_user.is_authenticated:
        answer = jsonify(signed_in=False, seconds_left=0)
    else:
        answer = jsonify(signed_in=True, seconds_left=session_policy.seconds_left())
    answer.headers["Cache-Control"] = "no-store"
    return answer
