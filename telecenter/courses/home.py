"""What a resident's home page shows of their learning (the main blueprint renders it)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecenter.courses import learning, reports
from telecenter.courses.models import Enrolment
from telecenter.extensions import db_session
from telecenter.participants.resident_accounts import participant_of


@dataclass(frozen=True)
class ContinueWith:
    enrolment: Enrolment
    progress: learning.Progress
    title: str
    url: str


def resident_dashboard() -> dict:
    """The resident's home: "continue where I left off" and their courses with progress."""
    participant = participant_of(db_session(), current_user)
    if participant is None:
        return {"continue_with": None, "my_courses": []}
    rows = reports.participant_courses(db_session(), participant)
    continue_with = None
    for enrolment, progress in rows:
        if enrolment.completed_at:
            continue
        following = learning.next_lesson(db_session(), enrolment, progress.done_ids)
        if following is not None:
            url = url_for("courses.lesson", course_id=enrolment.course_id, lesson_id=following.id)
            continue_with = ContinueWith(enrolment, progress, following.title, url)
        elif enrolment.course.final_questions:
            continue_with = ContinueWith(
                enrolment,
                progress,
                _("Cuestionario final"),
                url_for("courses.final_quiz", course_id=enrolment.course_id),
            )
        if continue_with:
            break
    return {"continue_with": continue_with, "my_courses": rows}
