"""Group pages for trainers and admins: list, create, members."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import STAFF
from telecenter.extensions import db, db_session
from telecenter.forms import EmptyForm, filled
from telecenter.participants import groups
from telecenter.participants import services as registry
from telecenter.participants.forms import GroupForm
from telecenter.participants.lookup import load_participant
from telecenter.participants.models import Group
from telecenter.request_values import stored_ids
from telecenter.views import attempt, handle_form

bp = Blueprint("groups", __name__, url_prefix="/groups")
staff_only = roles_required(*STAFF)


@bp.route("/", methods=["GET", "POST"])
@staff_only
def index():
    form = GroupForm()
    return handle_form(
        form,
        lambda: groups.create(db_session(), filled(form.name.data), actor=current_user),
        template="groups/index.html",
        groups=groups.all_groups(db_session()),
        success=lambda group: (
            _("Grupo «%(name)s» creado. Ahora agregue a sus integrantes.", name=group.name),
            url_for(".detail", group_id=group.id),
        ),
    )


@bp.route("/<int:group_id>", methods=["GET", "POST"])
@staff_only
def detail(group_id: int):
    group = db.get_or_404(Group, group_id)
    text = request.args.get("q", "").strip()[:100]
    found = registry.search(db_session(), text)[0] if text else []
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and EmptyForm().validate_on_submit():
        ids = stored_ids(request.form.getlist("participant"))
        outcome = attempt(lambda: groups.add_members(db_session(), group, ids, actor=current_user))
        if outcome.ok:
            flash(
                ngettext(
                    "Se agregó %(num)d persona al grupo.",
                    "Se agregaron %(num)d personas al grupo.",
                    outcome.value,
                ),
                "success",
            )
            return redirect(url_for(".detail", group_id=group.id))
    members = groups.members(db_session(), group)
    return render_template(
        "groups/detail.html",
        group=group,
        members=members,
        member_ids={p.id for p in members},
        found=found,
        q=text,
        form=EmptyForm(),
    ), status


@bp.route("/<int:group_id>/members/<int:participant_id>/remove", methods=["POST"])
@staff_only
def remove_member(group_id: int, participant_id: int):
    group = db.get_or_404(Group, group_id)
    participant = load_participant(participant_id)
    if (
        EmptyForm().validate_on_submit()
        and attempt(
            lambda: groups.remove_member(db_session(), group, participant, actor=current_user)
        ).ok
    ):
        flash(_("%(name)s salió del grupo.", name=participant.full_name), "success")
    return redirect(url_for(".detail", group_id=group.id))
