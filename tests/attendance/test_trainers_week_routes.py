"""The trainer's week over HTTP: groups, rosters by phase, the kiosk on an absent person, the
session page's facts and the staff home's lists."""

from __future__ import annotations

from datetime import timedelta

import pytest

from telecenter.clock import today_in_lima
from tests.attendance.test_attendance_routes import _form, _post
from tests.conftest import count_rows


@pytest.fixture
def trainer(clock, signed_in):
    """Signed in on the fixed clock: noon of 29 November 2026 in Lima."""
    return signed_in("trainer")


def _people(make_participant, *names):
    return [
        make_participant(
            given_names=name, surnames="Vela", document_type="dni", document_number=f"4455667{n}"
        )
        for n, name in enumerate(names)
    ]


def _group_with(trainer, ids) -> str:
    created = _post(trainer, "/groups/", {"name": "Mujeres Pucayacu martes"})
    assert created.status_code == 302
    location = created.headers["Location"]
    added = _post(trainer, location, {"participant": [str(i) for i in ids]})
    assert added.status_code == 302
    return location.rstrip("/").rsplit("/", 1)[-1]


def test_a_groups_members_are_on_the_roster_of_its_session(app, trainer, make_participant):
    ids = _people(make_participant, "Ana", "Eva")
    group_id = _group_with(trainer, ids)
    page = trainer.get(f"/groups/{group_id}").get_data(as_text=True)
    assert "Ana Vela" in page
    assert "Eva Vela" in page
    assert _post(trainer, "/sessions/new", _form(group_id=group_id)).status_code == 302
    roster = trainer.get("/sessions/1/roster").get_data(as_text=True)
    assert "Ana Vela" in roster
    assert "Eva Vela" in roster
    assert "todavía no empezó" in roster  # three days ahead: a list to prepare, no marks
    assert 'type="radio"' not in roster


def test_a_group_with_a_name_taken_or_nobody_ticked_is_refused(app, trainer, make_participant):
    _group_with(trainer, _people(make_participant, "Ana"))
    again = _post(trainer, "/groups/", {"name": "mujeres pucayacu MARTES"})
    assert again.status_code == 400
    assert "Ya hay un grupo con ese nombre" in again.get_data(as_text=True)
    empty = _post(trainer, "/groups/1", {})
    assert empty.status_code == 400
    assert "Marque al menos a una persona" in empty.get_data(as_text=True)
    assert count_rows(app, "learner_groups") == 1
    assert count_rows(app, "learner_group_members") == 1


def test_a_saved_group_is_enrolled_in_a_course_at_once(app, trainer, make_participant):
    from tests.test_access_matrix import _course_one

    _course_one(app)
    group_id = _group_with(trainer, _people(make_participant, "Ana", "Eva", "Flor"))
    answer = _post(trainer, "/courses/manage/1/enrol", {"group_id": group_id})
    assert answer.status_code == 302
    assert count_rows(app, "enrolments") == 3
    _post(trainer, "/sessions/new", _form(course_id="1", category="", commodity=""))
    roster = trainer.get("/sessions/1/roster").get_data(as_text=True)
    assert all(f"{name} Vela" in roster for name in ("Ana", "Eva", "Flor"))


def test_attendance_on_a_future_session_is_refused_and_nothing_is_written(
    app, trainer, make_participant
):
    (ana,) = _people(make_participant, "Ana")
    _post(trainer, "/sessions/new", _form())
    listed = _post(trainer, "/sessions/1/walk-in", {"participant_id": str(ana)})
    assert listed.status_code == 302
    refused = _post(trainer, "/sessions/1/roster", {f"status-{ana}": "present", "action": "save"})
    assert refused.status_code == 400
    assert "todavía no empezó" in refused.get_data(as_text=True)
    assert _post(trainer, "/sessions/1/roster", {"action": "all_present"}).status_code == 400
    assert count_rows(app, "attendances") == 0
    detail = trainer.get("/sessions/1").get_data(as_text=True)
    assert "Cancelar sesión" in detail  # still scheduled, so it can be cancelled


def test_a_past_session_takes_a_paper_list_and_corrections_only_with_a_reason(
    app, trainer, make_participant
):
    ana, eva = _people(make_participant, "Ana", "Eva")
    _post(trainer, "/sessions/new", _form(day=today_in_lima() - timedelta(days=4)))
    page = trainer.get("/sessions/1/roster").get_data(as_text=True)
    assert "ya pasó" in page
    _post(trainer, "/sessions/1/walk-in", {"participant_id": str(ana), "status": "late"})
    _post(trainer, "/sessions/1/walk-in", {"participant_id": str(eva), "status": "absent"})
    assert count_rows(app, "attendance_corrections") == 0
    change = {f"status-{eva}": "excused", "action": "save"}
    refused = _post(trainer, "/sessions/1/roster", change)
    assert refused.status_code == 400
    assert "motivo" in refused.get_data(as_text=True)
    assert (
        _post(trainer, "/sessions/1/roster", {**change, "reason": "Trajo constancia"}).status_code
        == 302
    )
    assert count_rows(app, "attendance_corrections") == 1
    assert "Trajo constancia" in trainer.get("/sessions/1/roster").get_data(as_text=True)


def test_the_session_page_says_category_course_and_places_plainly(app, trainer):
    _post(trainer, "/sessions/new", _form())
    page = trainer.get("/sessions/1").get_data(as_text=True)
    assert "Agricultura" in page
    assert "Sin límite de lugares" in page
    _post(trainer, "/sessions/new", _form(capacity="12", room="Otra", start="14:00", end="15:00"))
    assert "12 lugares, 12 libres" in trainer.get("/sessions/2").get_data(as_text=True)


def test_the_kiosk_turns_an_absent_mark_into_present_and_says_so(app, trainer, make_participant):
    (ana,) = _people(make_participant, "Ana")
    _post(trainer, "/sessions/new", _form(day=today_in_lima(), start="11:55", end="13:00"))
    _post(trainer, "/sessions/1/walk-in", {"participant_id": str(ana), "status": "absent"})
    _post(trainer, "/sessions/1/roster", {f"status-{ana}": "absent", "action": "save"})
    assert _post(trainer, "/kiosk/open").status_code == 302
    answer = _post(trainer, "/kiosk/check-in", {"session_id": "1", "identifier": "44556670"})
    assert answer.status_code == 200
    assert "Figuraba como «Ausente»; ahora quedó presente" in answer.get_data(as_text=True)
    with app.app_context():
        from telecenter.attendance.models import Attendance
        from telecenter.extensions import db

        assert db.session.scalars(db.select(Attendance.status)).all() == ["present"]


def test_the_staff_home_lists_todays_sessions_and_registrations_to_complete(app, trainer):
    _post(trainer, "/sessions/new", _form(day=today_in_lima(), title="Clase de hoy"))
    _post(trainer, "/sessions/new", _form(title="Clase de otro día", room="Otra"))
    quick = _post(
        trainer,
        "/participants/quick",
        {"given_names": "Abel", "sex": "male", "birth_year": "1960", "consent": "y"},
    )
    assert quick.status_code == 302
    home = trainer.get("/home").get_data(as_text=True)
    assert "Clase de hoy" in home
    assert "Clase de otro día" not in home
    assert "Registros por completar (1)" in home
    assert "Abel" in home
