"""Calendar pages (week, month) and the .ics feed."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, render_template, request

from telecenter.attendance import calendar, scheduling
from telecenter.auth.permissions import public, roles_required
from telecenter.auth.roles import SITE_ROLES
from telecenter.clock import today_in_lima, utcnow
from telecenter.extensions import db_session
from telecenter.request_values import query_day

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
FEED_DAYS = 120


@bp.route("/")
@roles_required(*SITE_ROLES)
def view():
    anchor = query_day("date", today_in_lima())
    mode = "month" if request.args.get("view") == "month" else "week"
    if mode == "week":
        weeks = [calendar.week_days(anchor)]
        previous, following = anchor - timedelta(days=7), anchor + timedelta(days=7)
        title = calendar.week_title(weeks[0])
    else:
        weeks = calendar.month_weeks(anchor)
        previous = (anchor.replace(day=1) - timedelta(days=1)).replace(day=1)
        following = (anchor.replace(day=28) + timedelta(days=4)).replace(day=1)
        title = calendar.month_title(anchor)
    since, until = calendar.local_bounds(weeks[0][0], weeks[-1][-1])
    activities = scheduling.upcoming(db_session(), since=since, until=until)
    return render_template(
        "attendance/calendar.html",
        mode=mode,
        weeks=weeks,
        anchor=anchor,
        title=title,
        previous=previous,
        following=following,
        month_title=calendar.month_title,
        by_day=calendar.by_day(activities),
        today=today_in_lima(),
    )


@bp.route("/sessions.ics")
@public
def feed():
    """Upcoming sessions for calendar programs: titles, times and rooms, never names."""
    now = utcnow()
    activities = scheduling.upcoming(
        db_session(), since=now - timedelta(days=7), until=now + timedelta(days=FEED_DAYS)
    )
    body = calendar.ics_feed(
        activities,
        site_name=current_app.config["TELECENTER_NAME"],
        host=current_app.config["TELECENTER_CODE"].lower(),
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": "inline; filename=sesiones.ics"},
    )
