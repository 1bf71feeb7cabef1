"""Account management for the admin of a site or of central."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecenter.auth import services
from telecenter.auth.forms import AccountForm, PasswordResetForm
from telecenter.auth.models import User
from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import ADMIN, CENTRAL_ADMIN, ROLE_LABELS, roles_for_server
from telecenter.extensions import db, db_session
from telecenter.forms import EmptyForm, SelectChoice, filled
from telecenter.views import attempt

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")

account_admins = roles_required(ADMIN, CENTRAL_ADMIN)


def _account_form() -> AccountForm:
    form = AccountForm()
    roles = roles_for_server(current_app.config["TELECENTER_ROLE"])
    form.role.choices = [SelectChoice(role, str(ROLE_LABELS[role])) for role in roles]
    return form


def _load_account(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.role not in roles_for_server(current_app.config["TELECENTER_ROLE"]):
        abort(404)
    return user


def _render_list(form: AccountForm, status: int = 200):
    users = db_session().scalars(sa.select(User).order_by(User.role, User.username)).all()
    return render_template(
        "admin/accounts.html",
        users=users,
        form=form,
        action_form=EmptyForm(),
        reset_form=PasswordResetForm(),
        role_labels=ROLE_LABELS,
    ), status


@bp.route("/", methods=["GET", "POST"])
@account_admins
def index():
    form = _account_form()
    if not form.validate_on_submit():
        return _render_list(form, 400 if form.is_submitted() else 200)
    outcome = attempt(
        lambda: services.create_user(
            db_session(),
            username=filled(form.username.data),
            password=filled(form.password.data),
            display_name=filled(form.display_name.data),
            role=form.role.data,
            allowed_roles=roles_for_server(current_app.config["TELECENTER_ROLE"]),
        ),
        form=form,
    )
    if not outcome.ok:
        return _render_list(form, 400)
    flash(_("Cuenta creada."), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:user_id>/active", methods=["POST"])
@account_admins
def toggle_active(user_id: int):
    user = _load_account(user_id)
    if (
        EmptyForm().validate_on_submit()
        and attempt(
            lambda: services.set_active(
                db_session(), user, active=not user.active, acting=current_user
            )
        ).ok
    ):
        flash(_("Cuenta activada.") if user.active else _("Cuenta desactivada."), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:user_id>/password", methods=["POST"])
@account_admins
def reset_password(user_id: int):
    user = _load_account(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        flash(
            _(
                "La nueva contraseña debe tener al menos %(n)d caracteres.",
                n=services.MIN_PASSWORD_LENGTH,
            ),
            "error",
        )
        return redirect(url_for(".index"))
    if attempt(lambda: services.set_password(db_session(), user, filled(form.password.data))).ok:
        flash(_("Contraseña cambiada para %(name)s.", name=user.display_name), "success")
    return redirect(url_for(".index"))
