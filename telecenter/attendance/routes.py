"""Session pages: list, schedule, edit, cancel, register, roster, walk-ins, sign-in sheet."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecenter import labels
from telecenter.attendance import network_sessions, phase, scheduling, services
from telecenter.attendance.forms import CancelForm, NetworkSessionForm, SessionForm, ViewersForm
from telecenter.attendance.models import ActivitySession, Registration
from telecenter.auth.models import User
from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import ADMIN, RESIDENT, SITE_ROLES, STAFF, TRAINER
from telecenter.clock import to_lima, utcnow
from telecenter.courses.models import Course
from telecenter.extensions import db, db_session
from telecenter.forms import EmptyForm, filled
from telecenter.participants import groups
from telecenter.participants import services as registry
from telecenter.participants.lookup import load_participant
from telecenter.participants.models import Participant
from telecenter.participants.resident_accounts import participant_of
from telecenter.request_values import stored_id
from telecenter.views import attempt, handle_form

bp = Blueprint("attendance", __name__, url_prefix="/sessions")
staff_only = roles_required(*STAFF)
site_users = roles_required(*SITE_ROLES)


@bp.app_context_processor
def attendance_helpers():
    return {"to_lima": to_lima, "network_when": _network_when}


def _network_when(activity: ActivitySession) -> str:
    return network_sessions.when(activity.starts_at, activity.ends_at)


def load_session(session_id: int) -> ActivitySession:
    return db.get_or_404(ActivitySession, session_id)


def _trainers() -> list[User]:
    return list(
        db_session().scalars(
            sa.select(User)
            .where(User.role.in_((ADMIN, TRAINER)), User.active.is_(True))
            .order_by(User.display_name)
        )
    )


def _session_form(**kwargs) -> SessionForm:
    form = SessionForm(**kwargs)
    courses = db_session().scalars(sa.select(Course).order_by(Course.title)).all()
    form.set_choices(courses, _trainers(), groups.all_groups(db_session()))
    return form


def _attention() -> list[network_sessions.Attention]:
    """Network sessions whose change or clash staff should see (none for residents)."""
    if current_user.role == RESIDENT:
        return []
    return network_sessions.needing_attention(db_session(), utcnow())


@bp.route("/")
@site_users
def index():
    now = utcnow()
    activities = scheduling.upcoming(
        db_session(), since=now - timedelta(hours=12), until=now + timedelta(days=60)
    )
    me = _me()
    return render_template(
        "attendance/list.html",
        activities=activities,
        mine=_registrations_of(me),
        my_sex=me.sex if me else None,  # «inscrita», «inscrito»
        attention=_attention(),
    )


def _me() -> Participant | None:
    """The resident's own registry entry; None for staff."""
    return participant_of(db_session(), current_user) if current_user.role == RESIDENT else None


def _registrations_of(participant: Participant | None) -> dict[int, str]:
    if participant is None:
        return {}
    rows = db_session().scalars(
        sa.select(Registration).where(
            Registration.participant_id == participant.id, Registration.status != "cancelled"
        )
    )
    return {r.session_id: r.status for r in rows}


@bp.route("/new", methods=["GET", "POST"])
@staff_only
def new():
    form = _session_form()
    if request.method == "GET":
        form.trainer_id.data = str(current_user.id)
        form.group_id.data = request.args.get("group_id", "")
        form.course_id.data = request.args.get("course_id", "")
    return handle_form(
        form,
        lambda: scheduling.create(db_session(), form.session_data(), form.recurrence()),
        template="attendance/form.html",
        activity=None,
        success=lambda created: (
            _("Sesión programada.")
            if len(created) == 1
            else _("Se programaron %(n)d sesiones.", n=len(created)),
            url_for(".detail", session_id=created[0].id),
        ),
    )


@bp.route("/<int:session_id>")
@site_users
def detail(session_id: int):
    activity = load_session(session_id)
    mine = _registrations_of(_me()).get(activity.id)
    return render_template(
        "attendance/detail.html",
        activity=activity,
        mine=mine,
        form=EmptyForm(),
        registered=services.registrations(db_session(), activity),
        waiting=services.registrations(db_session(), activity, "waitlisted"),
        expected=None
        if current_user.role == RESIDENT
        else len(services.expected_ids(db_session(), activity)),
        notice=network_sessions.notice(activity),
        clashes=[]
        if current_user.role == RESIDENT
        else network_sessions.clashes(db_session(), activity),
    )


def _form_from(activity: ActivitySession) -> SessionForm:
    local_start, local_end = to_lima(activity.starts_at), to_lima(activity.ends_at)
    form = _session_form(
        obj=activity, day=local_start.date(), start=local_start.time(), end=local_end.time()
    )
    if request.method == "GET":
        form.course_id.data = str(activity.course_id or "")
        form.group_id.data = str(activity.group_id or "")
        form.trainer_id.data = str(activity.trainer_id or "")
    return form


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@staff_only
def edit(session_id: int):
    activity = load_session(session_id)
    if activity.network_event is not None:
        return _edit_network(activity)
    form = _form_from(activity)
    return handle_form(
        form,
        lambda: scheduling.update(
            db_session(), activity, form.session_data(), scope=form.scope.data
        ),
        template="attendance/form.html",
        activity=activity,
        success=lambda changed: (
            _("Cambios guardados en %(n)d sesiones.", n=len(changed)),
            url_for(".detail", session_id=activity.id),
        ),
    )


def _edit_network(activity: ActivitySession):
    """Room, trainer and notes of a network teleconference; a request that also sends what
    central set is refused whole, with the reason."""
    form = NetworkSessionForm(obj=activity)
    form.set_local_choices(_trainers(), groups.all_groups(db_session()))
    if request.method == "GET":
        form.group_id.data = str(activity.group_id or "")
        form.trainer_id.data = str(activity.trainer_id or "")
    fixed = [name for name in network_sessions.FIXED_FORM_FIELDS if name in request.form]
    return handle_form(
        form,
        lambda: network_sessions.edit_local(
            db_session(), activity, form.choices(), fixed_sent=fixed
        ),
        template="attendance/network_form.html",
        activity=activity,
        success=lambda _changed: (
            _("Cambios guardados."),
            url_for(".detail", session_id=activity.id),
        ),
    )


@bp.route("/<int:session_id>/notice/dismiss", methods=["POST"])
@staff_only
def dismiss_notice(session_id: int):
    """A trainer has read what central changed: the notice goes for everyone."""
    activity = load_session(session_id)
    if (
        EmptyForm().validate_on_submit()
        and attempt(lambda: network_sessions.dismiss(db_session(), activity)).ok
    ):
        flash(_("Aviso marcado como leído."), "success")
    return redirect(url_for(".detail", session_id=activity.id))


@bp.route("/<int:session_id>/cancel", methods=["GET", "POST"])
@staff_only
def cancel(session_id: int):
    activity = load_session(session_id)
    if activity.network_event is not None:
        flash(scheduling.fixed_message(), "error")
        return redirect(url_for(".detail", session_id=activity.id))
    form = CancelForm()
    return handle_form(
        form,
        lambda: scheduling.cancel(
            db_session(), activity, reason=filled(form.reason.data), scope=form.scope.data
        ),
        template="attendance/cancel.html",
        activity=activity,
        success=lambda cancelled: (
            _("Se cancelaron %(n)d sesiones.", n=len(cancelled)),
            url_for(".detail", session_id=activity.id),
        ),
    )


def _resident_action(session_id: int, action):
    activity = load_session(session_id)
    participant = participant_of(db_session(), current_user)
    if participant is None:
        abort(403)
    if EmptyForm().validate_on_submit():
        outcome = attempt(lambda: action(activity, participant))
        if outcome.ok:
            flash(outcome.value, "success")
    return redirect(url_for(".detail", session_id=activity.id))


@bp.route("/<int:session_id>/register", methods=["POST"])
@roles_required(RESIDENT)
def register(session_id: int):
    def action(activity, participant):
        registration = services.register(db_session(), activity, participant)
        return (
            _("Está en la lista de espera. Le avisaremos si se libera un lugar.")
            if registration.status == "waitlisted"
            else _("¡Listo! Tiene su lugar.")
        )

    return _resident_action(session_id, action)


@bp.route("/<int:session_id>/unregister", methods=["POST"])
@roles_required(RESIDENT)
def unregister(session_id: int):
    def action(activity, participant):
        services.unregister(db_session(), activity, participant)
        return _("Dejó su lugar en esta sesión.")

    return _resident_action(session_id, action)


@bp.route("/<int:session_id>/roster", methods=["GET", "POST"])
@staff_only
def roster(session_id: int):
    activity = load_session(session_id)
    error = None
    if request.method == "POST" and EmptyForm().validate_on_submit():
        statuses = _posted_statuses(activity)
        outcome = attempt(
            lambda: services.save_roster(
                db_session(),
                activity,
                statuses,
                actor=current_user,
                reason=request.form.get("reason", ""),
            ),
            flash_errors=False,  # shown above the roster, which keeps what was ticked
        )
        if outcome.ok:
            flash(_("Asistencia guardada (%(n)d personas).", n=len(statuses)), "success")
            return redirect(url_for(".roster", session_id=activity.id))
        error = outcome.error.message
    people = (
        registry.search(db_session(), request.args.get("q", ""))[0] if request.args.get("q") else []
    )
    return render_template(
        "attendance/roster.html",
        activity=activity,
        error=error,
        form=EmptyForm(),
        rows=services.roster(db_session(), activity),
        found=people,
        q=request.args.get("q", ""),
        viewers_form=ViewersForm(count=activity.unregistered_viewers),
        trail=services.corrections(db_session(), activity),
        stage=phase.of(activity, utcnow()),
        not_yet=phase.not_yet_message(activity),
    ), (400 if error else 200)


def _posted_statuses(activity: ActivitySession) -> dict[int, str]:
    """status-<participant id> fields; "all present" marks everyone not marked yet."""
    if request.form.get("action") == "all_present":
        return services.unmarked(db_session(), activity)
    statuses = {}
    for key, value in request.form.items():
        if key.startswith("status-"):
            participant_id = stored_id(key[7:])
            if participant_id is None:
                abort(400)
            statuses[participant_id] = value
    return statuses


@bp.route("/<int:session_id>/walk-in", methods=["POST"])
@staff_only
def walk_in(session_id: int):
    """Add someone found by search: expected before the session, marked once it is open."""
    activity = load_session(session_id)
    participant_id = stored_id(request.form.get("participant_id"))
    status = request.form.get("status", "present")
    if EmptyForm().validate_on_submit() and participant_id is not None:
        participant = load_participant(participant_id)
        outcome = attempt(
            lambda: services.add_to_roster(
                db_session(), activity, participant, actor=current_user, status=status
            )
        )
        if outcome.ok:
            flash(
                _("%(name)s quedó en la lista.", name=participant.full_name)
                if outcome.value is None
                else _(
                    "%(name)s quedó en la lista: %(status)s.",
                    name=participant.full_name,
                    status=labels.label("status", outcome.value.status),
                ),
                "success",
            )
    return redirect(url_for(".roster", session_id=activity.id))


@bp.route("/<int:session_id>/viewers", methods=["POST"])
@staff_only
def viewers(session_id: int):
    activity = load_session(session_id)
    form = ViewersForm()
    if form.validate_on_submit():
        if attempt(
            lambda: services.set_unregistered_viewers(
                db_session(), activity, filled(form.count.data)
            )
        ).ok:
            flash(_("Espectadores sin registro guardados."), "success")
    else:
        flash(_("Escriba un número de 0 a 1000."), "error")
    return redirect(url_for(".roster", session_id=activity.id))


@bp.route("/<int:session_id>/sign-in-sheet")
@staff_only
def sign_in_sheet(session_id: int):
    activity = load_session(session_id)
    return render_template(
        "attendance/sheet.html", activity=activity, rows=services.roster(db_session(), activity)
    )
