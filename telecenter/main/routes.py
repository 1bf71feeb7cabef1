"""Home page by role, language switch, health check."""

from __future__ import annotations

import logging

import sqlalchemy as sa
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
from flask_login import current_user

from telecenter.attendance import network_sessions
from telecenter.attendance import services as attendance_services
from telecenter.auth import services as auth_services
from telecenter.auth.permissions import is_safe_next, public, roles_required
from telecenter.auth.roles import ALL_ROLES, CENTRAL_ROLES, RESIDENT
from telecenter.clock import today_in_lima, utcnow
from telecenter.courses.home import resident_dashboard
from telecenter.extensions import db_session
from telecenter.i18n import LANGUAGE_COOKIE, is_supported
from telecenter.main import worklists
from telecenter.participants import wfi
from telecenter.participants.resident_accounts import participant_of
from telecenter.views import attempt

bp = Blueprint("main", __name__)
log = logging.getLogger(__name__)

ONE_YEAR = 365 * 24 * 3600


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for("main.home"))


def _my_next_session():
    participant = participant_of(db_session(), current_user)
    if participant is None:
        return None
    return attendance_services.next_session_for(db_session(), participant, now=utcnow())


@bp.route("/home")
@roles_required(*ALL_ROLES)
def home():
    if current_user.role == RESIDENT:
        return render_template(
            "main/home_resident.html", **resident_dashboard(), next_session=_my_next_session()
        )
    if current_user.role in CENTRAL_ROLES:
        return render_template("main/home_central.html")
    return render_template(
        "main/home_staff.html",
        women_enrolled=wfi.women_enrolled(db_session()),
        today=worklists.todays_sessions(db_session(), today_in_lima()),
        absentees=worklists.missed_last_two(db_session()),
        incomplete=worklists.incomplete_registrations(db_session()),
        network_attention=network_sessions.needing_attention(db_session(), utcnow()),
        surveys_due=wfi.needing_survey(
            db_session(),
            today=today_in_lima(),
            follow_up_months=current_app.config["WFI_FOLLOW_UP_MONTHS"],
        ),
    )


@bp.route("/language", methods=["POST"])
@public
def set_language():
    code = request.form.get("lang", "")
    back = request.form.get("next", "")
    target = back if is_safe_next(back) else url_for("main.index")
    if not is_supported(code):
        flash(_("Ese idioma no está disponible."), "error")
        return redirect(target, 303)
    if current_user.is_authenticated:
        attempt(lambda: auth_services.set_language(db_session(), current_user, code))
    response = redirect(target, 303)
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


@bp.route("/healthz")
@public
def healthz():
    try:
        db_session().execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db_session().rollback()
        log.exception("health check: database did not answer")
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", role=current_app.config["TELECENTER_ROLE"], database="ok")
