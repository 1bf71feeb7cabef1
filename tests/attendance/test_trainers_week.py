"""The trainer's week: expected rosters, what each phase of a session allows, the kiosk on an
absent person, and classroom completion decided by the rule and dated at the session."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from telecenter.attendance import kiosk, scheduling, services
from telecenter.attendance.models import Attendance, AttendanceCorrection
from telecenter.clock import today_in_lima
from telecenter.courses.learning import enrol, find_enrolment
from telecenter.extensions import db
from telecenter.main import worklists
from telecenter.participants import groups
from telecenter.participants.models import Participant
from tests.attendance.conftest import session_data


def _person(make_participant, n: int) -> Participant:
    return db.session.get(
        Participant,
        make_participant(
            given_names=f"Persona{n}",
            surnames=f"Apellido{n}",
            document_type="dni",
            document_number=f"4100000{n}",
        ),
    )


def _at(day, hour, minute=0) -> datetime:
    """A Lima wall-clock moment as UTC (Lima is UTC-5 all year)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC) + timedelta(hours=5)


def _class(day, **fields):
    (activity,) = scheduling.create(db.session, session_data(day=day, **fields))
    return activity


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


@pytest.fixture
def course(app_ctx):
    from telecenter.courses import authoring
    from tests.courses.conftest import BODIES, definition

    return authoring.apply_definition(
        db.session,
        definition(completion_mode="classroom", attendance_share=75),
        BODIES,
        published=True,
    )


# --- phases -------------------------------------------------------------------------------


def test_attendance_on_a_session_that_has_not_happened_is_refused_and_writes_nothing(
    app_ctx, make_participant
):
    day = today_in_lima() + timedelta(days=2)
    activity = _class(day)
    person = _person(make_participant, 0)
    services.register(db.session, activity, person)
    with pytest.raises(services.AttendanceError, match="todavía no empezó"):
        services.save_roster(db.session, activity, {person.id: "present"}, actor=None)
    with pytest.raises(services.AttendanceError, match="todavía no empezó"):
        services.set_status(db.session, activity, person, "present", actor=None)
    assert _count(Attendance) == 0
    assert activity.state == "scheduled"  # still cancellable, not "held"
    # The window opens 30 minutes before 09:00: from then on marking works.
    with pytest.raises(services.AttendanceError):
        services.set_status(
            db.session, activity, person, "present", actor=None, now=_at(day, 8, 29)
        )
    services.set_status(db.session, activity, person, "present", actor=None, now=_at(day, 8, 30))
    assert activity.state == "held"


def test_searching_someone_before_the_session_puts_her_on_the_list_unmarked(
    app_ctx, make_participant
):
    activity = _class(today_in_lima() + timedelta(days=2))
    person = _person(make_participant, 0)
    assert services.add_to_roster(db.session, activity, person, actor=None) is None
    assert [(p.id, record) for p, record in services.roster(db.session, activity)] == [
        (person.id, None)
    ]
    assert _count(Attendance) == 0


def test_on_the_day_marks_change_freely_and_all_present_fills_only_the_blanks(
    app_ctx, make_participant
):
    day = today_in_lima() + timedelta(days=1)
    activity = _class(day)
    a, b, c = (_person(make_participant, n) for n in range(3))
    for person in (a, b, c):
        services.register(db.session, activity, person)
    during, evening = _at(day, 9, 5), _at(day, 20, 0)
    services.set_status(db.session, activity, c, "absent", actor=None, now=during)
    services.save_roster(
        db.session, activity, services.unmarked(db.session, activity), actor=None, now=during
    )
    services.save_roster(db.session, activity, {b.id: "late"}, actor=None, now=during)
    services.save_roster(db.session, activity, {b.id: "excused"}, actor=None, now=evening)
    marks = {r.participant_id: r.status for r in db.session.scalars(db.select(Attendance))}
    assert marks == {a.id: "present", b.id: "excused", c.id: "absent"}
    assert _count(AttendanceCorrection) == 0


def test_a_paper_list_typed_in_later_makes_no_corrections_but_changing_it_does(
    app_ctx, make_participant, trainer_id
):
    from telecenter.auth.models import User

    trainer = db.session.get(User, trainer_id)
    activity = _class(today_in_lima() - timedelta(days=5))
    a, b, c, d = (_person(make_participant, n) for n in range(4))
    for person in (a, b, c):
        services.register(db.session, activity, person)
    paper = {a.id: "present", b.id: "late", c.id: "excused"}
    services.save_roster(db.session, activity, paper, actor=trainer)
    services.add_to_roster(db.session, activity, d, actor=trainer, status="absent")
    assert _count(AttendanceCorrection) == 0
    assert {
        r.participant_id: (r.status, r.source) for r in db.session.scalars(db.select(Attendance))
    } == {
        a.id: ("present", "roster"),
        b.id: ("late", "roster"),
        c.id: ("excused", "roster"),
        d.id: ("absent", "walk_in"),
    }
    with pytest.raises(services.AttendanceError, match="motivo"):
        services.save_roster(db.session, activity, {a.id: "absent", b.id: "late"}, actor=trainer)
    assert (
        db.session.scalars(
            db.select(Attendance.status).where(Attendance.participant_id == a.id)
        ).one()
        == "present"
    )
    services.save_roster(
        db.session,
        activity,
        {a.id: "absent", b.id: "late"},
        actor=trainer,
        reason="Se fue al inicio",
    )
    (correction,) = services.corrections(db.session, activity)
    assert (correction.old_status, correction.new_status, correction.reason) == (
        "present",
        "absent",
        "Se fue al inicio",
    )
    assert correction.changed_by_id == trainer_id


# --- the kiosk ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "minute", "now_status"), [("absent", 5, "present"), ("excused", 20, "late")]
)
def test_a_person_marked_absent_who_checks_in_is_present(
    app_ctx, make_participant, earlier, minute, now_status
):
    day = today_in_lima() + timedelta(days=1)
    activity = _class(day)
    person = _person(make_participant, 0)
    services.register(db.session, activity, person)
    services.set_status(db.session, activity, person, earlier, actor=None, now=_at(day, 8, 50))
    done = kiosk.check_in(db.session, activity, "41000000", _at(day, 9, minute))
    assert done.replaced == earlier
    record = db.session.scalars(db.select(Attendance)).one()
    assert (record.status, record.source) == (now_status, "kiosk")
    with pytest.raises(kiosk.AlreadyCheckedIn):
        kiosk.check_in(db.session, activity, "41000000", _at(day, 9, minute + 1))


# --- who is expected ----------------------------------------------------------------------


def test_a_courses_learners_and_a_groups_members_are_on_every_session_including_new_ones(
    app_ctx, make_participant, course
):
    learner, member, both, stranger = (_person(make_participant, n) for n in range(4))
    group = groups.create(db.session, "Mujeres Pucayacu martes", actor=None)
    groups.add_members(db.session, group, [member.id, both.id], actor=None)
    for person in (learner, both):
        enrol(db.session, course, person, actor=None)
    first = _class(today_in_lima() + timedelta(days=3), course_id=course.id, category=None)
    grouped = _class(today_in_lima() + timedelta(days=4), group_id=group.id, room="B")
    late_joiner = _person(make_participant, 5)
    enrol(db.session, course, late_joiner, actor=None)
    groups.add_members(db.session, group, [late_joiner.id], actor=None)
    later = _class(today_in_lima() + timedelta(days=10), course_id=course.id, category=None)

    def ids(activity):
        return {p.id for p, _r in services.roster(db.session, activity)}

    assert ids(first) == ids(later) == {learner.id, both.id, late_joiner.id}
    assert ids(grouped) == {member.id, both.id, late_joiner.id}
    assert stranger.id not in ids(first) | ids(grouped)
    groups.remove_member(db.session, group, member, actor=None)
    assert ids(grouped) == {both.id, late_joiner.id}


def test_a_group_needs_a_new_name_and_real_people(app_ctx, make_participant):
    groups.create(db.session, "Jóvenes", actor=None)
    with pytest.raises(groups.GroupError):
        groups.create(db.session, "  jóvenes ", actor=None)
    with pytest.raises(groups.GroupError):
        groups.create(db.session, "   ", actor=None)
    group = groups.all_groups(db.session)[0]
    with pytest.raises(groups.GroupError):
        groups.add_members(db.session, group, [999], actor=None)
    assert groups.members(db.session, group) == []
    stranger = _person(make_participant, 0)
    with pytest.raises(groups.GroupError, match="no está en el grupo"):
        groups.remove_member(db.session, group, stranger, actor=None)


# --- classroom completion -----------------------------------------------------------------


def _term(course, count, start_days_ago):
    """`count` weekly classes of the course, the first `start_days_ago` days ago."""
    first = today_in_lima() - timedelta(days=start_days_ago)
    return [
        _class(first + timedelta(days=7 * n), course_id=course.id, category=None)
        for n in range(count)
    ]


def _attend(activity, person, status="present", reason=""):
    services.set_status(
        db.session, activity, person, status, actor=None, now=activity.starts_at, reason=reason
    )


def test_the_first_class_does_not_complete_anyone(app_ctx, make_participant, course):
    person = _person(make_participant, 0)
    enrol(db.session, course, person, actor=None)
    sessions = _term(course, 4, 1)  # one past, three planned
    _attend(sessions[0], person)
    assert find_enrolment(db.session, course, person).completed_at is None


def test_completion_is_dated_at_the_session_that_reached_the_share(
    app_ctx, make_participant, course
):
    person = _person(make_participant, 0)
    sessions = _term(course, 4, 40)  # 75 % of 4 = 3 sessions
    _attend(sessions[0], person)
    _attend(sessions[1], person, "absent")
    _attend(sessions[2], person, "late")
    assert find_enrolment(db.session, course, person).completed_at is None
    _attend(sessions[3], person)
    enrolment = find_enrolment(db.session, course, person)  # enrolled by attending
    assert enrolment.completed_by == "attendance"
    assert enrolment.completed_at == sessions[3].starts_at


def test_a_correction_undoes_a_completion_and_the_code_comes_back_with_it(
    app_ctx, make_participant, course
):
    person = _person(make_participant, 0)
    sessions = _term(course, 4, 40)
    for activity in sessions[:3]:
        _attend(activity, person)
    enrolment = find_enrolment(db.session, course, person)
    assert enrolment.completed_at == sessions[2].starts_at
    code = enrolment.certificate_code
    services.set_status(
        db.session, sessions[1], person, "absent", actor=None, reason="Firmó por otra persona"
    )
    assert enrolment.completed_at is None
    assert enrolment.completed_by is None
    _attend(sessions[3], person)
    assert enrolment.completed_at == sessions[3].starts_at
    assert enrolment.certificate_code == code


def test_sessions_added_or_cancelled_change_the_share(app_ctx, make_participant, course):
    person = _person(make_participant, 0)
    sessions = _term(course, 3, 30)  # 75 % of 3 = 3 (2.25 rounded up)
    for activity in sessions[:2]:
        _attend(activity, person)
    enrolment = find_enrolment(db.session, course, person)
    assert enrolment.completed_at is None
    scheduling.cancel(db.session, sessions[2], reason="Lluvia")  # 75 % of 2 = 2
    assert enrolment.completed_at == sessions[1].starts_at
    # Two more classes planned: 75 % of 4 = 3, and she has 2.
    _class(today_in_lima() + timedelta(days=5), course_id=course.id, category=None)
    _class(today_in_lima() + timedelta(days=12), course_id=course.id, category=None)
    assert enrolment.completed_at is None


def test_changing_the_courses_share_recomputes(app_ctx, make_participant, course):
    from telecenter.courses import authoring

    person = _person(make_participant, 0)
    sessions = _term(course, 4, 40)
    for activity in sessions[:2]:
        _attend(activity, person)
    assert find_enrolment(db.session, course, person).completed_at is None
    names = [n for n in authoring.COURSE_FIELDS if n != "attendance_share"] + ["published"]
    fields = authoring.CourseFields(
        **{name: getattr(course, name) for name in names}, attendance_share=50
    )
    authoring.save_course(db.session, fields, course=course)
    assert find_enrolment(db.session, course, person).completed_at == sessions[1].starts_at


# --- lists to act on ----------------------------------------------------------------------


def test_the_staff_home_lists_today_and_who_missed_the_last_two(app_ctx, make_participant, course):
    came, missed_one, missed_two, newcomer = (_person(make_participant, n) for n in range(4))
    for person in (came, missed_one, missed_two):
        enrol(db.session, course, person, actor=None)
    sessions = _term(course, 3, 15)
    for activity in sessions:
        _attend(activity, came)
    _attend(sessions[0], missed_two)
    _attend(sessions[1], missed_one)
    today = _class(today_in_lima(), room="Sala 2", start=time(15, 0), end=time(16, 0))
    enrol(db.session, course, newcomer, actor=None)  # joined after those sessions
    assert worklists.todays_sessions(db.session, today_in_lima()) == [today]
    absentees = worklists.missed_last_two(db.session)
    assert absentees.total == 1
    (row,) = absentees.items
    assert (row.participant, row.course, row.missed) == (
        missed_two,
        course,
        (sessions[1], sessions[2]),
    )
