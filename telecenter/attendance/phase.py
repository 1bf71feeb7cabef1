"""Where a session stands, which decides what its roster takes.

- before: the check-in window has not opened. The roster takes registrations only; no one can
  have attended a class that has not happened.
- open: from the window's opening until the end of the session's day (or of the session, if it
  runs past midnight). The trainer marks and changes freely: "todos presentes", then the
  exceptions, without any of it being a correction.
- after: a later day. A paper list can still be typed in (a first mark for each person is not a
  correction), but changing a saved mark is a correction, with who, when, old, new and reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import format_date, format_time
from flask_babel import gettext as _

from telecenter.attendance.models import ActivitySession
from telecenter.clock import to_lima

BEFORE, OPEN, AFTER = "before", "open", "after"


def opens_at(activity: ActivitySession) -> datetime:
    """When marking (the trainer's and the kiosk's) becomes possible."""
    return activity.starts_at - timedelta(minutes=activity.checkin_before_minutes)


def of(activity: ActivitySession, now: datetime) -> str:
    if now < opens_at(activity):
        return BEFORE
    if now <= activity.ends_at or to_lima(now).date() == to_lima(activity.starts_at).date():
        return OPEN
    return AFTER


def not_yet_message(activity: ActivitySession) -> str:
    opens = opens_at(activity)
    return _(
        "Esta sesión todavía no empezó: la asistencia se puede marcar desde el %(day)s "
        "a las %(time)s.",
        day=format_date(opens, "full"),
        time=format_time(opens, "HH:mm"),
    )
