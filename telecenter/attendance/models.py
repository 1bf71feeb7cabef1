"""Scheduled activities, who registered, who attended, and every correction made."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecenter.auth.models import User
from telecenter.clock import utcnow
from telecenter.courses.models import Course
from telecenter.database import UTCDateTime, one_of
from telecenter.extensions import Model
from telecenter.participants.models import Group, Participant
from telecenter.vocabulary import ACTIVITIES, ATTENDANCE_STATUSES, CATEGORIES, CROPS, PURPOSES

STATES = ("scheduled", "held", "cancelled")
#: Central's word on a network teleconference: as central sent it, or "withdrawn" (central's
#: list for this telecenter no longer has it, before it started).
NETWORK_STATES = ("scheduled", "cancelled", "withdrawn")


class Series(Model):
    """A recurrence: on chosen weekdays every N weeks until a date."""

    __tablename__ = "session_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Weekday numbers, Monday = 0, comma separated ("0,3").
    weekdays: Mapped[str] = mapped_column(sa.String(20))
    every_weeks: Mapped[int] = mapped_column(default=1)
    until: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Series {self.id} {self.weekdays}/{self.every_weeks}w>"


class ActivitySession(Model):
    """One class, teleconference or workshop at the telecenter (times stored in UTC)."""

    __tablename__ = "activity_sessions"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", ACTIVITIES), name="kind_known"),
        sa.CheckConstraint(one_of("state", STATES), name="state_known"),
        sa.CheckConstraint(one_of("category", CATEGORIES), name="category_known"),
        sa.CheckConstraint(one_of("purpose", PURPOSES), name="purpose_known"),
        sa.CheckConstraint(
            f"commodity IS NULL OR (category = 'agriculture' AND {one_of('commodity', CROPS)})",
            name="commodity_known",
        ),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("unregistered_viewers >= 0", name="viewers_not_negative"),
        sa.CheckConstraint(
            "(network_event IS NULL AND network_state IS NULL AND network_revision IS NULL)"
            " OR (network_event IS NOT NULL AND kind = 'teleconference'"
            f" AND network_revision >= 1 AND {one_of('network_state', NETWORK_STATES)})",
            name="network_event_known",
        ),
        sa.Index("ix_activity_sessions_time", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(160))
    topic: Mapped[str] = mapped_column(sa.String(300), default="")
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    #: The course's category, or chosen when there is no course; the counts group by it.
    category: Mapped[str] = mapped_column(sa.String(24))
    #: Training (a class, a workshop, a course session) or a talk ("charla"): talks count as
    #: participation, never as training.
    purpose: Mapped[str] = mapped_column(
        sa.String(8), default="training", server_default="training"
    )
    #: The crop an agriculture session is about (vocabulary.CROPS); None when not said or not
    #: agriculture (reported as commodity "none").
    commodity: Mapped[str | None] = mapped_column(sa.String(12))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(sa.String(80), default="")
    trainer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: None means no limit.
    capacity: Mapped[int | None]
    presenter: Mapped[str] = mapped_column(sa.String(160), default="")
    organisation: Mapped[str] = mapped_column(sa.String(160), default="")
    platform: Mapped[str] = mapped_column(sa.String(80), default="")
    joining_details: Mapped[str] = mapped_column(sa.String(500), default="")
    state: Mapped[str] = mapped_column(sa.String(12), default="scheduled")
    cancel_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("session_series.id"), index=True)
    #: Whose session it is: the group's members are on its roster before anyone registers.
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("learner_groups.id"), index=True)
    #: People who watched a teleconference without being on the roster (counted apart).
    unregistered_viewers: Mapped[int] = mapped_column(default=0)
    #: Kiosk check-in opens this many minutes before the start and closes this many after.
    checkin_before_minutes: Mapped[int] = mapped_column(default=30)
    checkin_after_minutes: Mapped[int] = mapped_column(default=30)
    #: The trainers' own notes (what to prepare, who brings the projector...).
    local_notes: Mapped[str] = mapped_column(sa.String(1000), default="", server_default="")
    #: Central's id of the network teleconference this session shows here ("NE-12"); None for
    #: a session of this telecenter's own. Central sets its title, times and topic
    #: (telecenter.sync.network_events); the site only its room, trainer and notes.
    network_event: Mapped[str | None] = mapped_column(sa.String(12), unique=True)
    #: Central's revision of the event as stored: only a higher one changes the session.
    network_revision: Mapped[int | None]
    network_state: Mapped[str | None] = mapped_column(sa.String(10))
    network_notes: Mapped[str] = mapped_column(sa.String(1000), default="", server_default="")
    #: What trainers last saw before central moved or cancelled it ({"starts_at", "ends_at",
    #: "state"}), until a trainer dismisses the notice; None: nothing new to tell.
    network_notice: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course | None] = relationship()
    trainer: Mapped[User | None] = relationship()
    series: Mapped[Series | None] = relationship()
    group: Mapped[Group | None] = relationship()
    #: The places taken: registrations neither on the waiting list nor cancelled.
    taken_places: Mapped[list[Registration]] = relationship(
        primaryjoin="and_(Registration.session_id == ActivitySession.id, "
        "Registration.status == 'registered')",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<ActivitySession {self.id} {self.kind} {self.starts_at:%Y-%m-%d %H:%M}>"

    @property
    def hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)

    @property
    def free_places(self) -> int | None:
        """Places left, or None when there is no limit (walk-ins may fill a session past it)."""
        if self.capacity is None:
            return None
        return max(self.capacity - len(self.taken_places), 0)


class Registration(Model):
    """A participant's place in a session, or on its waiting list."""

    __tablename__ = "session_registrations"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "participant_id"),
        sa.CheckConstraint(
            one_of("status", ("registered", "waitlisted", "cancelled")), name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_sessions.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default="registered")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship()

    def __repr__(self) -> str:
        return f"<Registration {self.session_id}/{self.participant_id} {self.status}>"


class Attendance(Model):
    """Whether a participant attended a session. One row per person and session, ever."""

    __tablename__ = "attendances"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "participant_id"),
        sa.CheckConstraint(one_of("status", ATTENDANCE_STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_sessions.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10))
    #: `roster` (trainer), `kiosk` (self check-in) or `walk_in`.
    source: Mapped[str] = mapped_column(sa.String(10), default="roster")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    participant: Mapped[Participant] = relationship()
    session: Mapped[ActivitySession] = relationship()

    def __repr__(self) -> str:
        return f"<Attendance {self.session_id}/{self.participant_id} {self.status}>"


class AttendanceCorrection(Model):
    """The trail of every change to a recorded attendance: who, when, old, new, why."""

    __tablename__ = "attendance_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(sa.ForeignKey("attendances.id"), index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    old_status: Mapped[str] = mapped_column(sa.String(10))
    new_status: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str] = mapped_column(sa.String(300), default="")

    changed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AttendanceCorrection {self.attendance_id} {self.old_status}->{self.new_status}>"


class KioskState(Model):
    """One row: the generation every kiosk cookie carries; raising it closes every kiosk."""

    __tablename__ = "kiosk_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(default=0, server_default="0")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
