"""«Cursos de la red» for the site admin: central's catalogue, each download's progress, the
buttons that ask the scheduler for something, and the download settings."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import format_percent, format_timedelta
from flask_babel import gettext as _
from flask_login import current_user

from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import ADMIN
from telecenter.extensions import db_session
from telecenter.forms import EmptyForm
from telecenter.sync import connection, downloads_admin
from telecenter.sync.forms import DownloadSettingsForm
from telecenter.views import attempt, failed_status

bp = Blueprint("network_courses", __name__, url_prefix="/admin/sync/courses")


@bp.app_template_filter("time_left")
def time_left(seconds: int) -> str:
    """ "unos 20 minutos": Babel's words for a duration, rounded as people say it."""
    return format_timedelta(timedelta(seconds=max(seconds, 1)), threshold=0.9)


@bp.app_template_filter("percent")
def percent(fraction: float) -> str:
    """ "42 %" (es) or "42%" (en), rounded down: never "100 %" before the last byte."""
    return format_percent(math.floor(fraction * 100) / 100)


def _page(form: DownloadSettingsForm | None = None, status: int = 200):
    state = downloads_admin.overview(db_session())
    if form is None:
        form = DownloadSettingsForm(
            limit_kbps=state.rules.limit_kbps,
            window_from=state.rules.window_from,
            window_to=state.rules.window_to,
            auto_install=state.rules.auto_install,
        )
    return render_template(
        "sync/courses.html",
        overview=state,
        settings_form=form,
        form=EmptyForm(),
        connected=connection.effective(db_session(), current_app.config).configured,
    ), status


@bp.route("/")
@roles_required(ADMIN)
def index():
    return _page()


@bp.route("/settings", methods=["POST"])
@roles_required(ADMIN)
def save_settings():
    form = DownloadSettingsForm()
    if form.validate_on_submit():
        outcome = attempt(
            lambda: downloads_admin.save_settings(
                db_session(),
                limit_kbps=form.limit_kbps.data or 0,
                window_from=form.window_from.data or 0,
                window_to=form.window_to.data or 0,
                auto_install=bool(form.auto_install.data),
                actor=current_user,
            ),
            form=form,
        )
        if outcome.ok:
            flash(_("Ajustes de descarga guardados."), "success")
            return redirect(url_for(".index"))
    return _page(form, status=failed_status(form))


def _button(action: Callable, message: str, entry_id: int):
    if EmptyForm().validate_on_submit():
        outcome = attempt(lambda: action(db_session(), entry_id, actor=current_user))
        if outcome.ok:
            flash(message, "success")
    return redirect(url_for(".index"))


@bp.route("/<int:entry_id>/download", methods=["POST"])
@roles_required(ADMIN)
def download_now(entry_id: int):
    return _button(
        downloads_admin.download_now,
        _("La descarga empieza en un minuto, aunque sea fuera del horario elegido."),
        entry_id,
    )


@bp.route("/<int:entry_id>/pause", methods=["POST"])
@roles_required(ADMIN)
def pause(entry_id: int):
    return _button(
        downloads_admin.pause, _("Descarga en pausa. Lo descargado se guarda."), entry_id
    )


@bp.route("/<int:entry_id>/resume", methods=["POST"])
@roles_required(ADMIN)
def resume(entry_id: int):
    return _button(downloads_admin.resume, _("La descarga seguirá donde quedó."), entry_id)


@bp.route("/<int:entry_id>/install", methods=["POST"])
@roles_required(ADMIN)
def install(entry_id: int):
    return _button(
        downloads_admin.request_install,
        _("El curso se instalará en un minuto. Vuelva a abrir esta página para verlo."),
        entry_id,
    )
