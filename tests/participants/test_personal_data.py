"""Right of access: the page shows everything kept about a person, and no table is forgotten."""

from __future__ import annotations

from datetime import timedelta

import pytest

from telecenter.attendance import scheduling
from telecenter.attendance import services as attendance
from telecenter.auth.services import find_user
from telecenter.clock import to_lima
from telecenter.courses import authoring, learning
from telecenter.extensions import Model, db
from telecenter.participants import groups, personal_data, services, wfi
from telecenter.participants.models import Participant
from tests.attendance.conftest import session_data
from tests.conftest import FIXED_NOW, csrf_token, sign_in
from tests.courses.conftest import BODIES, definition, right_answers
from tests.participants.test_registry import _answers

TODAY = to_lima(FIXED_NOW).date()
GOAL = "Comprar plantones de cacao injertado"
REASON = "Llegó veinte minutos tarde en canoa"


def _person(make_participant) -> Participant:
    consent = services.ConsentData(given=True, financial_inclusion=True)
    return db.session.get(
        Participant,
        make_participant(
            given_names="Rosa Elvira",
            surnames="Tapullima Sangama",
            document_type="dni",
            document_number="45871236",
            phone="987654321",
            community="Nuevo Progreso",
            mother_tongue="kichwa",
            schooling="secondary_incomplete",
            occupation="cacao_producer",
            association_member=True,
            head_of_household=False,
            pin="4821",
            consent=consent,
            today=TODAY,
        ),
    )


def _programme(person: Participant, trainer) -> None:
    wfi.enrol(
        db.session,
        person,
        enrolled_on=TODAY - timedelta(days=30),
        telecenter_code="SM-PUCAYACU-01",
        trainer=trainer,
        actor=trainer,
        today=TODAY,
    )
    wfi.record_survey(
        db.session,
        person,
        _answers(financial_goal=GOAL, wallets_used=["yape"], emergency_funds="very_possible"),
        taken_on=TODAY - timedelta(days=20),
        actor=trainer,
        today=TODAY,
    )
    group = groups.create(db.session, "Mujeres Pucayacu martes", actor=trainer)
    groups.add_members(db.session, group, [person.id], actor=trainer)


def _attendance(person: Participant, trainer) -> None:
    day = TODAY + timedelta(days=2)
    (activity,) = scheduling.create(
        db.session, session_data(day=day, title="Injerto de cacao en vivero")
    )
    attendance.register(db.session, activity, person)
    after = activity.ends_at + timedelta(hours=30)
    attendance.set_status(db.session, activity, person, "present", actor=trainer, now=after)
    attendance.set_status(
        db.session, activity, person, "late", actor=trainer, reason=REASON, now=after
    )


def _course(person: Participant, trainer):
    course = authoring.apply_definition(
        db.session, definition(title="Billetera móvil paso a paso"), BODIES, published=True
    )
    enrolment = learning.enrol(db.session, course, person, actor=trainer)
    lessons = [lesson for module in course.modules for lesson in module.lessons]
    read, quiz_lesson, _optional = lessons
    learning.finish_reading(db.session, enrolment, read)
    learning.submit_quiz(db.session, enrolment, quiz_lesson, right_answers(quiz_lesson.questions))
    learning.submit_quiz(db.session, enrolment, None, right_answers(course.final_questions))
    return enrolment


@pytest.fixture
def filled(clock, app_ctx, make_user, make_participant):
    """A woman with data in every table that can hold hers; the trainer's sign-in."""
    username, password = make_user("trainer", display_name="Lucía Panduro")
    trainer = find_user(db.session, username)
    person = _person(make_participant)
    _programme(person, trainer)
    _attendance(person, trainer)
    enrolment = _course(person, trainer)
    db.session.commit()
    return person, enrolment, (username, password)


def test_the_access_page_shows_every_value_kept(app, client, filled):
    person, enrolment, (username, password) = filled
    assert sign_in(client, username, password).status_code == 302
    page = client.get(f"/participants/{person.id}/data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    expected = [
        # the person's own fields, codes in words
        person.code,
        "Rosa Elvira",
        "Tapullima Sangama",
        "45871236",
        "987654321",
        "Nuevo Progreso",
        "Kichwa",
        "Secundaria incompleta",
        "Productor(a) de cacao",
        "04/05/1990",
        # consents and the programme
        "Datos financieros",
        person.consents[0].purpose,
        person.consents[0].text_version,
        "SM-PUCAYACU-01",
        (TODAY - timedelta(days=30)).strftime("%d/%m/%Y"),
        # every survey answer with its question, and the free-text goal
        "Línea de base",
        "¿Tiene celular?",
        "Caja municipal",
        "Yape",
        GOAL,
        # groups, registrations, attendance with its correction
        "Mujeres Pucayacu martes",
        "Injerto de cacao en vivero",
        "Tarde",
        REASON,
        # courses: the enrolment, lessons done, quiz answers, the certificate
        "Billetera móvil paso a paso",
        "Solo leer",
        "Con preguntas",
        "¿Cuánto es 2 + 2?",
        "100",
        enrolment.certificate_code,
        # the resident account, by name, and who recorded things
        person.user.username,
        "Lucía Panduro",
    ]
    missing = [value for value in expected if value not in html]
    assert missing == []
    assert person.user.password_hash not in html
    assert "data-print" in html


def _tables_holding_person_data() -> set[str]:
    """participants, every table pointing at it (directly or through such a table), and the
    resident account the participant points to."""
    tables = Model.metadata.tables
    holding = {"participants"}
    grew = True
    while grew:
        found = {
            name
            for name, table in tables.items()
            if any(fk.column.table.name in holding for fk in table.foreign_keys)
        }
        grew = not found <= holding
        holding |= found
    return holding | {"users"}


def test_no_table_or_column_of_a_persons_data_is_left_off(app):
    shown = personal_data.tables_shown()
    holding = _tables_holding_person_data()
    assert {"attendance_corrections", "quiz_attempts", "fi_surveys"} <= holding  # the walk works
    assert sorted(holding - shown.keys()) == []
    for name in holding:
        columns = {column.name for column in Model.metadata.tables[name].columns}
        declared = set(shown[name].shown) | set(shown[name].hidden)
        assert columns == declared, name


def test_a_person_with_nothing_else_gets_each_section_saying_so(
    clock, app, client, signed_in, make_participant
):
    trainer = signed_in("trainer")
    person_id = make_participant(given_names="Juan", surnames="Ríos", sex="male", today=TODAY)
    html = trainer.get(f"/participants/{person_id}/data").get_data(as_text=True)
    for empty in (
        "No tiene cuenta para ingresar.",
        "No está inscrita en el programa.",
        "No hay encuestas.",
        "No está en ningún grupo.",
        "No se inscribió en ninguna sesión.",
        "No hay asistencia registrada.",
        "No está inscrita/o en ningún curso.",
    ):
        assert empty in html


def test_a_resident_sees_her_own_data_and_no_one_elses(clock, app, client, make_participant):
    mine = make_participant(
        given_names="Nilda", document_type="dni", document_number="41236587", pin="5824"
    )
    make_participant(
        given_names="Zoila", surnames="Pinedo", document_type="dni", document_number="42345678"
    )
    answer = client.post(
        "/sign-in/participant",
        data={"identifier": "41236587", "pin": "5824", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 302
    assert "/participants/me/data" in client.get("/home").get_data(as_text=True)
    html = client.get("/participants/me/data").get_data(as_text=True)
    assert "Nilda" in html
    assert "41236587" in html
    assert "Zoila" not in html
    assert "42345678" not in html
    assert client.get(f"/participants/{mine}/data").status_code == 403
    with app.app_context():
        logged = db.session.execute(
            db.text("SELECT count(*) FROM audit_entries WHERE action = 'participant.access'")
        ).scalar()
    assert logged == 1
