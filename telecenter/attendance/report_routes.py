"""Attendance reports for trainers and admins."""

from __future__ import annotations

from flask import Blueprint, render_template

from telecenter.attendance import reports
from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import STAFF
from telecenter.clock import today_in_lima
from telecenter.extensions import db_session
from telecenter.participants.lookup import load_participant
from telecenter.views import csv_download

bp = Blueprint("attendance_reports", __name__, url_prefix="/sessions/reports")
staff_only = roles_required(*STAFF)


@bp.route("/")
@staff_only
def index():
    return render_template(
        "attendance/reports.html",
        sessions=reports.summaries(db_session(), reports.recent_sessions(db_session())),
        courses=reports.by_course(db_session()),
    )


@bp.route("/participants/<int:participant_id>")
@staff_only
def participant(participant_id: int):
    person = load_participant(participant_id)
    return render_template(
        "attendance/participant_report.html",
        p=person,
        rows=reports.participant_history(db_session(), person),
    )


@bp.route("/attendance.csv")
@staff_only
def attendance_csv():
    body = reports.attendance_csv(db_session())
    return csv_download(body, f"asistencia-{today_in_lima()}.csv")
