"""Sign-in and sign-out."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from telecenter.auth import services
from telecenter.auth.forms import SignInForm
from telecenter.auth.permissions import is_safe_next, public, roles_required
from telecenter.auth.roles import ALL_ROLES, roles_for_server
from telecenter.extensions import db_session
from telecenter.forms import EmptyForm, filled
from telecenter.views import attempt

bp = Blueprint("auth", __name__)


def _after_sign_in_target(form_next: str | None) -> str:
    return form_next if is_safe_next(form_next) else url_for("main.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
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
            allowed_roles=roles_for_server(current_app.config["TELECENTER_ROLE"]),
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
    session.clear()  # a fresh session: nothing carried over from whoever used this PC before
    login_user(user)
    flash(_("Bienvenido, %(name)s.", name=user.display_name), "success")
    return redirect(_after_sign_in_target(form.next.data))


@bp.route("/sign-out", methods=["POST"])
@roles_required(*ALL_ROLES)
def sign_out():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("Cerró su sesión. ¡Hasta pronto!"), "success")
    return redirect(url_for("auth.sign_in"))
