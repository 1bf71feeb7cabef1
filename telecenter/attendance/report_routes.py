"""Attendance reports for trainers and admins."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from telecenter.attendance import reports
from telecenter.attendance.forms import DayRangeForm
from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import STAFF
from telecenter.clock import today_in_lima
from telecenter.extensions import db_session
from telecenter.participants.lookup import load_participant
from telecenter.views import attempt, csv_download

bp = Blueprint("attendance_reports", __name__, url_prefix="/sessions/reports")
staff_only = roles_required(*STAFF)


def _reports_page(form: DayRangeForm):
    return render_template(
        "attendance/reports.html",
        form=form,
        sessions=reports.summaries(db_session(), reports.recent_sessions(db_session())),
        courses=reports.by_course(db_session()),
    )


@bp.route("/")
@staff_only
def index():
    """The file's days start as this month so far: what a trainer sends most often."""
    today = today_in_lima()
    return _reports_page(DayRangeForm(formdata=None, desde=today.replace(day=1), hasta=today))


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
    """The records between `desde` and `hasta`. A day that is not one, reversed days or days
    without records give the reports page back with the reason beside the dates, no file."""
    form = DayRangeForm(formdata=request.args)
    if not form.validate():
        return _reports_page(form), 400
    since: date | None = form.desde.data
    until: date | None = form.hasta.data
    outcome = attempt(
        lambda: reports.attendance_csv(db_session(), since=since, until=until),
        form=form,
        write=False,
    )
    if not outcome.ok:
        return _reports_page(form), outcome.error.status
    filename = reports.attendance_filename(since, until, today=today_in_lima())
    return csv_download(outcome.value, filename)
