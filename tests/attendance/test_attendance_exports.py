"""The attendance file for Excel: words instead of codes, sex and age band, a range of days.

Every expected cell is written out by hand from the records the fixture enters (the ages from
the birth dates, counted on the calendar), never computed by the code under test.
"""

from __future__ import annotations

import csv
import io
from datetime import date, time

import pytest

from telecenter.attendance import reports, scheduling, services
from telecenter.clock import to_lima
from telecenter.courses.models import Course
from telecenter.extensions import db
from telecenter.participants import services as registry
from telecenter.participants.models import Participant
from tests.attendance.conftest import session_data
from tests.conftest import FIXED_NOW
from tests.test_choice_labels import speak

URL = "/sessions/reports/attendance.csv"
#: The month of the `clock` fixture's day (29 November 2026 in Lima): every day below is in it.
MONTH = to_lima(FIXED_NOW).date().replace(day=1)


def day(number: int) -> date:
    """A day of the fixed clock's month, so no date here follows the real calendar."""
    return MONTH.replace(day=number)


SPANISH_HEADER = [
    "Fecha",
    "Hora de inicio",
    "Sesión",
    "Curso",
    "Categoría",
    "Tipo de actividad",
    "Nombre",
    "Código",
    "Sexo",
    "Edad el día de la sesión",
    "Asistencia",
    "Cómo se registró",
]
ENGLISH_HEADER = [
    "Date",
    "Start time",
    "Session",
    "Course",
    "Category",
    "Activity type",
    "Name",
    "Code",
    "Sex",
    "Age on the day of the session",
    "Attendance",
    "How it was recorded",
]


@pytest.fixture
def history(app, clock, make_participant) -> dict[str, str]:
    """Five past sessions in the fixed clock's month and four people; each one's card code.

    Rosa was born on 2008-11-15 and Luis on 1981-11-15: both have a birthday between the 10th
    and the 20th. Alex gave only the year 1966 (the birthday counts as 1 July), Nadie nothing.
    The teleconference on the 20th starts at 19:30 in Lima, already the 21st in UTC.
    """
    with app.app_context():
        people = {
            "rosa": make_participant("Rosa", "Huamán", "female", birth_date=date(2008, 11, 15)),
            "luis": make_participant("Luis", "Torres", "male", birth_date=date(1981, 11, 15)),
            "alex": make_participant(
                "Alex", "Ríos", "unspecified", birth_date=None, birth_year=1966
            ),
        }
        person = {key: db.session.get(Participant, pid) for key, pid in people.items()}
        person["nadie"] = _quickly_registered_without_a_birth_year("Nadie", "Sinfecha")
        course = Course(
            slug="finanzas", title="Finanzas para mi familia", category="financial_literacy"
        )
        db.session.add(course)
        db.session.flush()

        def held(dom, start, end, **fields):
            (activity,) = scheduling.create(
                db.session, session_data(day=day(dom), start=start, end=end, **fields)
            )
            return activity

        before = held(9, time(9), time(10), kind="workshop", title="Antes del rango")
        savings = held(10, time(9), time(11), title="Ahorro en familia", course_id=course.id)
        grafting = held(
            20,
            time(19, 30),
            time(21),
            kind="teleconference",
            title="Injerto de cacao",
            category="agriculture",
            commodity="cacao",
        )
        phone = held(25, time(9), time(10), kind="workshop", title="Uso del celular")
        after = held(26, time(9), time(10), kind="workshop", title="Después del rango")

        mark = services.set_status
        mark(db.session, before, person["rosa"], "present", actor=None)
        mark(db.session, savings, person["rosa"], "present", actor=None)
        mark(db.session, savings, person["luis"], "late", actor=None, source="kiosk")
        services.add_to_roster(db.session, grafting, person["rosa"], actor=None)
        mark(db.session, grafting, person["luis"], "absent", actor=None)
        mark(db.session, grafting, person["alex"], "excused", actor=None)
        mark(db.session, phone, person["nadie"], "present", actor=None)
        mark(db.session, after, person["rosa"], "present", actor=None)
        db.session.commit()
        return {key: p.code for key, p in person.items()}


def _quickly_registered_without_a_birth_year(given_names: str, surnames: str) -> Participant:
    """A walk-in's quick record, "por completar": its age is unknown."""
    data = registry.ParticipantData(given_names=given_names, surnames=surnames, sex="female")
    return registry.register(
        db.session,
        data,
        registry.ConsentData(given=True),
        actor=None,
        today=day(29),
        complete=False,
        confirm_not_duplicate=True,
    )


@pytest.fixture
def trainer(clock, signed_in):
    return signed_in("trainer")


def _rows(answer) -> list[list[str]]:
    text = answer.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel then reads the accents as UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_file_has_spanish_words_sex_and_the_age_band_on_each_sessions_day(history, trainer):
    answer = trainer.get(URL, query_string={"desde": str(day(10)), "hasta": str(day(25))})
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    code = history
    farming, finance = "Agricultura (cacao, café)", "Educación financiera"
    assert _rows(answer) == [
        SPANISH_HEADER,
        # Rosa is 17 on the 10th and 18 on the 20th; Luis 44, then 45.
        [
            str(day(10)), "09:00", "Ahorro en familia", "Finanzas para mi familia", finance,
            "Clase", "Rosa Huamán", code["rosa"], "Mujer", "15-17", "Presente",
            "Lista del capacitador",
        ],
        [
            str(day(10)), "09:00", "Ahorro en familia", "Finanzas para mi familia", finance,
            "Clase", "Luis Torres", code["luis"], "Hombre", "30-44", "Tarde", "Quiosco",
        ],
        [
            str(day(20)), "19:30", "Injerto de cacao", "", farming, "Teleconferencia",
            "Rosa Huamán", code["rosa"], "Mujer", "18-29", "Presente", "Llegó sin inscripción",
        ],
        # Alex: 2026 - 1966 = 60, the birthday (1 July) already past.
        [
            str(day(20)), "19:30", "Injerto de cacao", "", farming, "Teleconferencia",
            "Alex Ríos", code["alex"], "Prefiere no decir", "60+", "Justificado",
            "Lista del capacitador",
        ],
        [
            str(day(20)), "19:30", "Injerto de cacao", "", farming, "Teleconferencia",
            "Luis Torres", code["luis"], "Hombre", "45-59", "Ausente", "Lista del capacitador",
        ],
        [
            str(day(25)), "09:00", "Uso del celular", "", "Alfabetización digital", "Taller",
            "Nadie Sinfecha", code["nadie"], "Mujer", "Edad desconocida", "Presente",
            "Lista del capacitador",
        ],
    ]  # fmt: skip


def test_the_file_is_in_english_for_a_trainer_who_reads_english(history, trainer):
    speak(trainer, "en")
    rows = _rows(trainer.get(URL, query_string={"desde": str(day(10)), "hasta": str(day(10))}))
    assert rows[0] == ENGLISH_HEADER
    assert [row[4:6] + row[8:] for row in rows[1:]] == [
        ["Financial literacy", "Class", "Woman", "15-17", "Present", "Trainer's roster"],
        ["Financial literacy", "Class", "Man", "30-44", "Late", "Kiosk"],
    ]
    evening = _rows(trainer.get(URL, query_string={"desde": str(day(20)), "hasta": str(day(20))}))
    assert evening[1][8:] == ["Woman", "18-29", "Present", "Came without registering"]
    assert evening[2][8:10] == ["Prefers not to say", "60+"]


@pytest.mark.parametrize(
    ("query", "days", "filename"),
    [
        # The evening of the 20th is the 21st in UTC: still the 20th in Lima, in the file.
        ({"desde": str(day(10)), "hasta": str(day(20))}, ["10", "20"], f"{day(10)}-a-{day(20)}"),
        ({"desde": str(day(21)), "hasta": str(day(25))}, ["25"], f"{day(21)}-a-{day(25)}"),
        ({"desde": str(day(20)), "hasta": str(day(20))}, ["20"], f"{day(20)}-a-{day(20)}"),
        ({"desde": str(day(25))}, ["25", "26"], f"desde-{day(25)}"),
        ({"hasta": str(day(10))}, ["09", "10"], f"hasta-{day(10)}"),
        ({"desde": "", "hasta": ""}, ["09", "10", "20", "25", "26"], f"completa-{day(29)}"),
        ({}, ["09", "10", "20", "25", "26"], f"completa-{day(29)}"),
    ],
)
def test_the_range_holds_both_of_its_days_and_none_outside(history, trainer, query, days, filename):
    answer = trainer.get(URL, query_string=query)
    assert answer.status_code == 200
    assert (
        answer.headers["Content-Disposition"] == f"attachment; filename=asistencia-{filename}.csv"
    )
    assert sorted({row[0][-2:] for row in _rows(answer)[1:]}) == days


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"desde": f"{day(1).year}-02-30", "hasta": str(day(25))}, "Esa fecha no existe"),
        ({"desde": "ayer"}, "Esa fecha no existe"),
        ({"hasta": day(25).strftime("%d/%m/%Y")}, "Esa fecha no existe"),
        (
            {"desde": str(day(25)), "hasta": str(day(10))},
            "«Hasta» tiene que ser el mismo día que «Desde» o uno después.",
        ),
    ],
)
def test_a_wrong_day_gives_the_page_back_with_the_reason_and_no_file(
    history, trainer, query, message
):
    answer = trainer.get(URL, query_string=query)
    assert answer.status_code == 400
    assert answer.mimetype == "text/html"
    assert "Content-Disposition" not in answer.headers
    page = answer.get_data(as_text=True)
    assert message in page
    assert "Reportes de asistencia" in page
    assert history["rosa"] not in page  # nothing of the file slipped into the page


def test_days_without_attendance_give_the_page_back_saying_so(history, trainer):
    answer = trainer.get(URL, query_string={"desde": str(day(11)), "hasta": str(day(19))})
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert "Content-Disposition" not in answer.headers
    page = answer.get_data(as_text=True)
    assert "No hay asistencia registrada en esos días. Elija otras fechas." in page


def test_the_reports_page_offers_this_month_so_far(clock, trainer):
    page = trainer.get("/sessions/reports/").get_data(as_text=True)
    assert f'name="desde" type="date" value="{day(1)}"' in page
    assert f'name="hasta" type="date" value="{day(29)}"' in page
    assert ">Descargar</button>" in page
    assert 'method="get" action="/sessions/reports/attendance.csv"' in page


def test_a_title_that_looks_like_a_formula_stays_text(app_ctx, clock, make_participant):
    (activity,) = scheduling.create(db.session, session_data(day=day(20), title="=HYPERLINK(1)"))
    person = db.session.get(Participant, make_participant())
    services.set_status(db.session, activity, person, "present", actor=None)
    rows = list(csv.reader(io.StringIO(reports.attendance_csv(db.session))))
    assert rows[1][2] == "'=HYPERLINK(1)"


def test_reversed_days_are_refused_by_the_service_itself(app_ctx):
    with pytest.raises(reports.ReversedRange) as refused:
        reports.attendance_csv(db.session, since=day(2), until=day(1))
    assert set(refused.value.errors) == {"hasta"}
