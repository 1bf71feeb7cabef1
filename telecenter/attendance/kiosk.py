"""Self check-in at the entrance PC: document number or card code, during the open window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from telecenter import wording
from telecenter.attendance import phase, services
from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.domain_errors import DomainError
from telecenter.participants.services import find_for_sign_in
from telecenter.vocabulary import COUNTED_STATUSES


class CheckInRefused(DomainError):
    """Why a check-in was not recorded, in words the resident understands."""


class AlreadyCheckedIn(CheckInRefused):
    status = 409


@dataclass(frozen=True)
class CheckedIn:
    first_name: str
    late: bool
    #: The mark the trainer had already saved (absent, excused) that the check-in replaced.
    replaced: str | None = None


def window(activity: ActivitySession) -> tuple[datetime, datetime]:
    return (
        phase.opens_at(activity),
        activity.starts_at + timedelta(minutes=activity.checkin_after_minutes),
    )


def open_sessions(session: Session, now: datetime) -> list[ActivitySession]:
    """Sessions whose check-in window is open now."""
    candidates = session.scalars(
        sa.select(ActivitySession)
        .where(
            ActivitySession.state != "cancelled",
            ActivitySession.starts_at <= now + timedelta(hours=3),
            ActivitySession.ends_at >= now - timedelta(hours=3),
        )
        .order_by(ActivitySession.starts_at)
    )
    return [
        activity for activity in candidates if window(activity)[0] <= now <= window(activity)[1]
    ]


def check_in(
    session: Session, activity: ActivitySession, identifier: str, now: datetime
) -> CheckedIn:
    """Record the person as present (late after the start) exactly once. Someone the trainer
    marked absent or excused who then checks in has come: the mark becomes present (or late)."""
    opens, closes = window(activity)
    if activity.state == "cancelled" or not opens <= now <= closes:
        raise CheckInRefused(_("El registro de asistencia para esta sesión no está abierto ahora."))
    participant = find_for_sign_in(session, identifier)
    if participant is None:
        raise CheckInRefused(_("No encontramos ese documento o código. Pida ayuda al capacitador."))
    earlier = session.scalar(
        sa.select(Attendance.status).where(
            Attendance.session_id == activity.id, Attendance.participant_id == participant.id
        )
    )
    if earlier in COUNTED_STATUSES:
        raise AlreadyCheckedIn(wording.already_checked_in(participant.sex, participant.first_name))
    late = now > activity.starts_at + timedelta(minutes=10)
    try:
        with session.begin_nested():
            services.register(session, activity, participant, over_capacity=True)
            services.set_status(
                session,
                activity,
                participant,
                "late" if late else "present",
                actor=None,
                source="kiosk",
                now=now,
            )
    except IntegrityError:  # the same person on two PCs at the same moment
        raise AlreadyCheckedIn(
            _("%(name)s, usted ya registró su asistencia.", name=participant.first_name)
        ) from None
    return CheckedIn(first_name=participant.first_name, late=late, replaced=earlier)
