"""Staff account management for the admin of a site or of central.

Residents' accounts (a PIN, on sites) are not managed here: the registry lists them on its own
tab of the accounts page and each is set, changed and unlocked on the person's page. The staff
actions refuse them too, whatever a request asks.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecenter.auth import services
from telecenter.auth.forms import AccountForm, PasswordResetForm
from telecenter.auth.models import User
from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import (
    ADMIN,
    CENTRAL_ADMIN,
    RESIDENT,
    ROLE_LABELS,
    roles_for_server,
    staff_roles_for_server,
)
from telecenter.extensions import db, db_session
from telecenter.forms import EmptyForm, SelectChoice, filled
from telecenter.views import attempt

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")

account_admins = roles_required(ADMIN, CENTRAL_ADMIN)


def _staff_roles() -> tuple[str, ...]:
    return staff_roles_for_server(current_app.config["TELECENTER_ROLE"])


def _account_form() -> AccountForm:
    form = AccountForm()
    form.role.choices = [SelectChoice("", _("Elija un rol"))] + [
        SelectChoice(role, str(ROLE_LABELS[role])) for role in _staff_roles()
    ]
    return form


def _load_account(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.role not in roles_for_server(current_app.config["TELECENTER_ROLE"]):
        abort(404)
    return user


def _render_list(form: AccountForm, status: int = 200):
    users = db_session().scalars(
        sa.select(User).where(User.role != RESIDENT).order_by(User.role, User.username)
    )
    return render_template(
        "admin/accounts.html",
        users=list(users),
        form=form,
        action_form=EmptyForm(),
        reset_form=PasswordResetForm(),
        role_labels=ROLE_LABELS,
    ), status


def _refuse_resident(user: User):
    """Residents' PIN and lock live on their participant page (`participants.detail`)."""
    flash(
        _(
            "Las cuentas de participantes se manejan desde la página de la persona, en "
            "Participantes."
        ),
        "error",
    )
    return redirect(url_for(".index"))


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
            allowed_roles=_staff_roles(),
        ),
        form=form,
    )
    if not outcome.ok:
        return _render_list(form, 400)
    flash(_("Cuenta creada."), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:user_id>/deactivate", methods=["GET", "POST"])
@account_admins
def deactivate(user_id: int):
    """A confirmation page that names the account and says what happens, then the change."""
    user = _load_account(user_id)
    if user.role == RESIDENT:
        return _refuse_resident(user)
    if user.id == current_user.id:
        flash(_("No puede desactivar su propia cuenta."), "error")
        return redirect(url_for(".index"))
    if not user.active:
        flash(_("La cuenta de %(name)s ya está desactivada.", name=user.display_name), "success")
        return redirect(url_for(".index"))
    form = EmptyForm()
    if form.validate_on_submit():
        if attempt(
            lambda: services.set_active(db_session(), user, active=False, acting=current_user)
        ).ok:
            flash(
                _(
                    "Cuenta de %(name)s desactivada: ya no puede ingresar.",
                    name=user.display_name,
                ),
                "success",
            )
        return redirect(url_for(".index"))
    return render_template(
        "admin/deactivate.html", user=user, form=form, role_labels=ROLE_LABELS
    ), (400 if form.is_submitted() else 200)


@bp.route("/<int:user_id>/activate", methods=["POST"])
@account_admins
def activate(user_id: int):
    """Reactivating takes nothing away, so it needs no confirmation."""
    user = _load_account(user_id)
    if user.role == RESIDENT:
        return _refuse_resident(user)
    if (
        EmptyForm().validate_on_submit()
        and attempt(
            lambda: services.set_active(db_session(), user, active=True, acting=current_user)
        ).ok
    ):
        flash(
            _("Cuenta de %(name)s activada: ya puede ingresar.", name=user.display_name),
            "success",
        )
    return redirect(url_for(".index"))


@bp.route("/<int:user_id>/password", methods=["POST"])
@account_admins
def reset_password(user_id: int):
    user = _load_account(user_id)
    if user.role == RESIDENT:
        return _refuse_resident(user)
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
