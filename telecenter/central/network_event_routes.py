"""Network teleconferences at central: the calendar, scheduling, changing and cancelling (rules
in telecenter.central.network_events) and each event's figures per telecenter.

Central staff (the programme's officers) schedule as well as central admins: running the
teleconference programme is their work, an event touches no figure and no account, a change
is possible only until it starts, and every change is audited."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import CENTRAL_ROLES
from telecenter.central import network_event_figures as figures
from telecenter.central import network_events
from telecenter.central.models import NetworkEvent, Telecenter
from telecenter.central.network_event_forms import (
    AUDIENCE_LABELS,
    CancelForm,
    NetworkEventForm,
    NotesForm,
    WhenForm,
)
from telecenter.clock import utcnow
from telecenter.domain_errors import DomainError
from telecenter.extensions import db, db_session
from telecenter.forms import attach_errors
from telecenter.views import attempt, failed_status
from telecenter.vocabulary import AGE_BANDS

bp = Blueprint("network_events", __name__, url_prefix="/central/network-events")
central_users = roles_required(*CENTRAL_ROLES)


@bp.app_template_filter("time_lima")
def time_lima(moment) -> str:
    """hh:mm in Lima time (Babel's time zone is Lima's)."""
    return format_datetime(moment, "HH:mm")


@bp.route("/")
@central_users
def index():
    session, now = db_session(), utcnow()
    events = figures.events(session)
    upcoming = [e for e in events if e.ends_at >= now]
    past = sorted((e for e in events if e.ends_at < now), key=lambda e: e.starts_at, reverse=True)
    summed = figures.by_telecenter(session, [e.id for e in events])
    return render_template(
        "central/network_events.html",
        upcoming=upcoming,
        past_by_month=figures.by_month(past),
        totals={e.id: figures.total(summed.get(e.id, {})) for e in events},
        reported={e.id: len(summed.get(e.id, {})) for e in events},
        unknown=figures.unknown(session),
        now=now,
    )


def _event_form() -> NetworkEventForm:
    form = NetworkEventForm()
    session = db_session()
    form.set_choices(
        network_events.regions(session),
        session.scalars(sa.select(Telecenter).order_by(Telecenter.region, Telecenter.code)),
    )
    return form


def _form_page(form: NetworkEventForm, event: NetworkEvent | None):
    return render_template(
        "central/network_event_form.html", form=form, event=event
    ), failed_status(form)


def _saved(form: NetworkEventForm, action):
    """Run `action` with the form's data: its result, or None after a refusal. When some box
    could not be read, the service's messages for the others are shown too, so that one
    sending shows everything to fix."""
    if not form.is_submitted():
        return None
    if form.validate():
        outcome = attempt(lambda: action(form.event_data()), form=form)
        return outcome.value if outcome.ok else None
    if not form.errors.get("csrf_token"):
        try:
            network_events.check(db_session(), form.event_data(), utcnow())
        except DomainError as problem:
            unread = {name for name, errors in form.errors.items() if errors}
            attach_errors(form, {k: m for k, m in problem.errors.items() if k not in unread})
    return None


@bp.route("/new", methods=["GET", "POST"])
@central_users
def new():
    form = _event_form()
    event = _saved(form, lambda data: network_events.create(db_session(), data, actor=current_user))
    if event is None:
        return _form_page(form, None)
    flash(
        _(
            "Teleconferencia %(id)s programada. Cada telecentro elegido la recibirá en su "
            "próxima sincronización.",
            id=event.public_id,
        ),
        "success",
    )
    return redirect(url_for(".show", event_id=event.id))


def _found(event_id: int) -> NetworkEvent:
    return db.get_or_404(NetworkEvent, event_id)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@central_users
def edit(event_id: int):
    event = _found(event_id)
    if not network_events.is_open(event, utcnow()):
        flash(
            _("Esta teleconferencia ya empezó o fue cancelada: solo se pueden cambiar las notas.")
        )
        return redirect(url_for(".show", event_id=event.id))
    form = _event_form()
    if not form.is_submitted():
        form.show(event)
    changed = _saved(
        form,
        lambda data: network_events.update(db_session(), event, data, actor=current_user),
    )
    if changed is None:
        return _form_page(form, event)
    flash(_changed_message(event, changed), "success")
    return redirect(url_for(".show", event_id=event.id))


def _changed_message(event: NetworkEvent, changed: list[str]) -> str:
    if not changed:
        return _("No cambió nada.")
    return _(
        "Teleconferencia %(id)s guardada. Los telecentros verán el cambio en su próxima "
        "sincronización.",
        id=event.public_id,
    )


@bp.route("/<int:event_id>")
@central_users
def show(event_id: int):
    return _page(_found(event_id))


def _page(event: NetworkEvent, status: int = 200, **forms):
    now = utcnow()
    when = forms.get("when") or WhenForm(formdata=None)
    if "when" not in forms:
        when.show(event)
    places, total = figures.places(db_session(), event)
    return render_template(
        "central/network_event.html",
        event=event,
        now=now,
        is_open=network_events.is_open(event, now),
        started=network_events.has_started(event, now),
        audience_labels=AUDIENCE_LABELS,
        places=places,
        total=total,
        age_bands=AGE_BANDS,
        when_form=when,
        cancel_form=forms.get("cancel") or CancelForm(formdata=None),
        notes_form=forms.get("notes") or NotesForm(formdata=None, data={"notes": event.notes}),
    ), status


def _act(event: NetworkEvent, form, name: str, action, message: str):
    """A button of the event's page: run `action` and go back to the page, or show it again
    with the form's messages (flashed when the event has closed meanwhile: the form is gone)."""
    status = 400
    if form.validate_on_submit():
        shown = form if network_events.is_open(event, utcnow()) or name == "notes" else None
        outcome = attempt(action, form=shown)
        if outcome.ok:
            flash(message, "success")
            return redirect(url_for(".show", event_id=event.id))
        status = outcome.error.status
    return _page(event, status, **{name: form})


@bp.route("/<int:event_id>/reschedule", methods=["POST"])
@central_users
def reschedule(event_id: int):
    event, form = _found(event_id), WhenForm()
    return _act(
        event,
        form,
        "when",
        lambda: network_events.reschedule(db_session(), event, *form.moments(), actor=current_user),
        _("Nuevo horario guardado. Los telecentros lo verán en su próxima sincronización."),
    )


@bp.route("/<int:event_id>/cancel", methods=["POST"])
@central_users
def cancel(event_id: int):
    event, form = _found(event_id), CancelForm()
    return _act(
        event,
        form,
        "cancel",
        lambda: network_events.cancel(
            db_session(), event, form.reason.data or "", actor=current_user
        ),
        _("Teleconferencia cancelada. Los telecentros lo verán en su próxima sincronización."),
    )


@bp.route("/<int:event_id>/notes", methods=["POST"])
@central_users
def notes(event_id: int):
    event, form = _found(event_id), NotesForm()
    return _act(
        event,
        form,
        "notes",
        lambda: network_events.set_notes(
            db_session(), event, form.notes.data or "", actor=current_user
        ),
        _("Notas guardadas."),
    )
