"""Registration, waiting list, roster, walk-ins, corrections, kiosk, completion hook."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from telecenter.attendance import kiosk, scheduling, services
from telecenter.attendance.models import Attendance, AttendanceCorrection
from telecenter.clock import today_in_lima
from telecenter.extensions import db
from telecenter.participants.models import Participant
from tests.attendance.conftest import session_data


def _people(make_participant, count):
    return [
        db.session.get(
            Participant,
            make_participant(
                given_names=f"Persona{n}",
                surnames=f"Apellido{n}",
                document_type="dni",
                document_number=f"4000000{n}",
            ),
        )
        for n in range(count)
    ]


def _session(**fields):
    (item,) = scheduling.create(db.session, session_data(**fields))
    return item


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_a_full_session_offers_the_waiting_list_and_promotes_in_order(app_ctx, make_participant):
    item = _session(capacity=2)
    a, b, c, d = _people(make_participant, 4)
    statuses = [services.register(db.session, item, p).status for p in (a, b, c, d)]
    assert statuses == ["registered", "registered", "waitlisted", "waitlisted"]
    assert services.register(db.session, item, a).status == "registered"  # no double place
    services.unregister(db.session, item, b)
    assert [r.participant_id for r in services.registrations(db.session, item)] == [a.id, c.id]
    assert [r.participant_id for r in services.registrations(db.session, item, "waitlisted")] == [
        d.id
    ]


def test_roster_twice_changes_nothing_more(app_ctx, make_participant):
    item = _session()
    people = _people(make_participant, 3)
    for person in people:
        services.register(db.session, item, person)
    statuses = {people[0].id: "present", people[1].id: "late", people[2].id: "absent"}
    during = _now_lima(9, 5)
    services.save_roster(db.session, item, statuses, actor=None, now=during)
    services.save_roster(db.session, item, statuses, actor=None, now=during)
    assert _count(Attendance) == 3
    assert _count(AttendanceCorrection) == 0
    assert item.state == "held"


def test_roster_refuses_strangers_and_unknown_statuses_without_writing(app_ctx, make_participant):
    item = _session()
    on, off = _people(make_participant, 2)
    services.register(db.session, item, on)
    with pytest.raises(services.AttendanceError):
        services.save_roster(db.session, item, {on.id: "present", off.id: "present"}, actor=None)
    with pytest.raises(services.AttendanceError):
        services.save_roster(db.session, item, {on.id: "asleep"}, actor=None)
    assert _count(Attendance) == 0


def test_corrections_after_the_end_need_a_reason_and_leave_a_trail(
    app_ctx, make_participant, trainer_id
):
    from telecenter.auth.models import User

    trainer = db.session.get(User, trainer_id)
    item = _session(day=today_in_lima() - timedelta(days=3))
    (person,) = _people(make_participant, 1)
    services.add_to_roster(db.session, item, person, actor=trainer)
    with pytest.raises(services.AttendanceError, match="motivo"):
        services.set_status(db.session, item, person, "excused", actor=trainer)
    services.set_status(
        db.session, item, person, "excused", actor=trainer, reason="Trajo constancia médica"
    )
    (trail,) = services.corrections(db.session, item)
    assert (trail.old_status, trail.new_status) == ("present", "excused")
    assert trail.changed_by_id == trainer_id
    assert trail.reason == "Trajo constancia médica"


def test_unregistered_viewers_only_for_teleconferences(app_ctx):
    tele = _session(kind="teleconference")
    services.set_unregistered_viewers(db.session, tele, 12)
    assert tele.unregistered_viewers == 12
    with pytest.raises(services.AttendanceError):
        services.set_unregistered_viewers(db.session, tele, -1)
    with pytest.raises(services.AttendanceError):
        services.set_unregistered_viewers(db.session, _session(room="Sala 9"), 3)


def test_cancelled_sessions_take_no_attendance(app_ctx, make_participant):
    item = _session()
    scheduling.cancel(db.session, item, reason="Paro")
    (person,) = _people(make_participant, 1)
    with pytest.raises(services.AttendanceError, match="cancelada"):
        services.add_to_roster(db.session, item, person, actor=None)


def _now_lima(hour, minute=0, days=7):
    local = datetime.combine(today_in_lima() + timedelta(days=days), time(hour, minute))
    return local.replace(tzinfo=UTC) + timedelta(hours=5)


def test_kiosk_window_and_first_name_only(app_ctx, make_participant):
    item = _session(start=time(9, 0), end=time(11, 0))
    (person,) = _people(make_participant, 1)
    with pytest.raises(kiosk.CheckInRefused, match="no está abierto"):
        kiosk.check_in(db.session, item, "40000000", _now_lima(8, 29))
    done = kiosk.check_in(db.session, item, "40000000", _now_lima(8, 45))
    assert done.first_name == "Persona0"
    assert done.late is False
    with pytest.raises(kiosk.AlreadyCheckedIn):
        kiosk.check_in(db.session, item, person.code, _now_lima(8, 50))
    with pytest.raises(kiosk.CheckInRefused, match="No encontramos"):
        kiosk.check_in(db.session, item, "49999999", _now_lima(8, 50))
    with pytest.raises(kiosk.CheckInRefused, match="no está abierto"):
        kiosk.check_in(db.session, item, "40000000", _now_lima(9, 31))
    assert _count(Attendance) == 1


def test_kiosk_marks_late_after_ten_minutes(app_ctx, make_participant):
    item = _session()
    _people(make_participant, 1)
    assert kiosk.check_in(db.session, item, "40000000", _now_lima(9, 11)).late is True
    assert db.session.scalars(db.select(Attendance)).one().status == "late"


def test_open_sessions_lists_only_those_in_their_window(app_ctx):
    early = _session(start=time(9, 0), end=time(10, 0), room="A")
    _session(start=time(14, 0), end=time(15, 0), room="B")
    assert kiosk.open_sessions(db.session, _now_lima(9, 5)) == [early]
