"""The course report's list of learners, its file for Excel, and who may see names.

The expected cells are written out by hand from what the fixture enters: enrolment days, birth
dates (ages counted on the calendar), the sessions held and who came to each.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from html.parser import HTMLParser

import pytest

from telecenter.attendance import scheduling, services
from telecenter.courses import authoring, learning
from telecenter.courses.models import Enrolment, Lesson, LessonProgress
from telecenter.extensions import db
from telecenter.participants.models import Participant
from tests.attendance.conftest import session_data
from tests.conftest import csrf_token
from tests.courses.conftest import BODIES, definition
from tests.test_choice_labels import speak

PAGE_HEADER = [
    "Nombre",
    "Sexo",
    "Edad al inscribirse",
    "Estado",
    "Fecha de inscripción",
    "Fecha en que completó",
    "Código del certificado",
    "Sesiones asistidas",
]
FILE_HEADER = [*PAGE_HEADER, "Sesiones del curso hasta hoy"]


class TableCells(HTMLParser):
    """The text of each cell of the table marked `data-testid`, row by row, with the links."""

    def __init__(self, page: str, testid: str):
        super().__init__()
        self.testid, self.depth = testid, 0
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self._cell: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self.depth += 1 if self.depth or attributes.get("data-testid") == self.testid else 0
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self._cell = []
        elif self.depth and tag == "a":
            self.links.append(attributes.get("href") or "")

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _at_lima_noon(day: date) -> datetime:
    return datetime.combine(day, time(17), tzinfo=UTC)  # 12:00 in Lima


@pytest.fixture
def classroom(app, clock, make_participant) -> dict:
    """A classroom course of five sessions: three given so far (the third with nothing
    recorded yet), one cancelled, one next week. Half of the four that count must be attended.
    Rosa (born 2008-11-15, enrolled 2 November: 17 then) came to two, and so completed the
    course at the second, on 17 November; Luis (born 1981-11-15,
    enrolled the 14th: still 44) to one; Eva (born 1990-05-04, enrolled the 28th: 36) to none.
    """
    with app.app_context():
        course = authoring.apply_definition(
            db.session,
            definition(slug="finanzas", title="Finanzas para mi familia"),
            BODIES,
            published=True,
        )
        course.completion_mode, course.attendance_share = "classroom", 50
        born = {"rosa": date(2008, 11, 15), "luis": date(1981, 11, 15), "eva": date(1990, 5, 4)}
        names = {"rosa": ("Rosa", "Huamán", "female"), "luis": ("Luis", "Torres", "male")}
        names["eva"] = ("Eva", "Ramos", "unspecified")
        enrolled = {
            "rosa": date(2026, 11, 2),
            "luis": date(2026, 11, 14),
            "eva": date(2026, 11, 28),
        }
        person = {}
        for key, (given, surname, sex) in names.items():
            pid = make_participant(given, surname, sex, birth_date=born[key], pin=None)
            person[key] = db.session.get(Participant, pid)
            enrolment = learning.enrol(db.session, course, person[key], actor=None)
            enrolment.enrolled_at = _at_lima_noon(enrolled[key])

        def scheduled(day: date):
            (activity,) = scheduling.create(
                db.session, session_data(day=day, title="Ahorro", course_id=course.id)
            )
            return activity

        first, second = scheduled(date(2026, 11, 3)), scheduled(date(2026, 11, 17))
        scheduled(date(2026, 11, 24))  # given, attendance not yet recorded
        cancelled = scheduled(date(2026, 11, 26))
        scheduling.cancel(db.session, cancelled, reason="Lluvia")
        scheduled(date(2026, 12, 3))  # not yet
        for activity, statuses in (
            (first, {"rosa": "present", "luis": "absent"}),
            (second, {"rosa": "late", "luis": "present"}),
        ):
            for key, status in statuses.items():
                services.set_status(db.session, activity, person[key], status, actor=None)
        db.session.commit()
        rosa = learning.find_enrolment(db.session, course, person["rosa"])
        return {
            "course": course.id,
            "ids": {key: p.id for key, p in person.items()},
            "certificate": rosa.certificate_code,
        }


@pytest.fixture
def trainer(clock, signed_in):
    return signed_in("trainer")


def _page_rows(client, course_id) -> TableCells:
    answer = client.get(f"/courses/manage/{course_id}/report")
    assert answer.status_code == 200
    return TableCells(answer.get_data(as_text=True), "learners")


def _file_rows(client, course_id) -> list[list[str]]:
    answer = client.get(f"/courses/manage/{course_id}/report.csv")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    text = answer.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_staff_see_each_learner_with_state_dates_certificate_and_sessions(classroom, trainer):
    table = _page_rows(trainer, classroom["course"])
    assert table.rows == [
        PAGE_HEADER,
        ["Rosa Huamán", "Mujer", "15-17", "Completó", "02/11/2026", "17/11/2026",
         classroom["certificate"], "2 de 3"],
        ["Eva Ramos", "Prefiere no decir", "30-44", "Inscrita/o", "28/11/2026", "—", "—",
         "0 de 3"],
        ["Luis Torres", "Hombre", "30-44", "En curso", "14/11/2026", "—", "—", "1 de 3"],
    ]  # fmt: skip
    ids = classroom["ids"]
    assert table.links == [f"/participants/{ids[key]}" for key in ("rosa", "eva", "luis")]
    page = trainer.get(f"/courses/manage/{classroom['course']}/report").get_data(as_text=True)
    assert "El curso tuvo 3 sesiones hasta hoy (sin contar las canceladas)." in page
    counts = TableCells(page, "course-totals").rows
    assert counts[1] == ["Todas las personas", "1", "1", "1", "3"]  # the counts stay


def test_the_file_of_the_list_holds_what_the_page_shows(classroom, trainer):
    page = _page_rows(trainer, classroom["course"]).rows
    rows = _file_rows(trainer, classroom["course"])
    assert rows[0] == FILE_HEADER
    assert len(rows) == len(page)

    def as_on_the_page(row: list[str]) -> list[str]:
        name, sex, band, state, enrolled, completed, certificate, attended, given = row
        days = [
            date.fromisoformat(d).strftime("%d/%m/%Y") if d else "—" for d in (enrolled, completed)
        ]
        return [name, sex, band, state, *days, certificate or "—", f"{attended} de {given}"]

    assert [as_on_the_page(row) for row in rows[1:]] == page[1:]
    assert rows[1][4:] == ["2026-11-02", "2026-11-17", classroom["certificate"], "2", "3"]


def test_the_file_speaks_english_to_a_trainer_who_reads_english(classroom, trainer):
    speak(trainer, "en")
    rows = _file_rows(trainer, classroom["course"])
    assert rows[0][:4] == ["Name", "Sex", "Age when enrolled", "Status"]
    assert [row[1:4] for row in rows[1:]] == [
        ["Woman", "15-17", "Completed"],
        ["Prefers not to say", "30-44", "Enrolled"],
        ["Man", "30-44", "In progress"],
    ]
    page = trainer.get(f"/courses/manage/{classroom['course']}/report").get_data(as_text=True)
    assert "2 of 3" in page


def test_residents_see_neither_the_names_nor_the_file(app, classroom, client, make_participant):
    make_participant("Ana", "Vela", document_type="dni", document_number="44556677", pin="5824")
    data = {"identifier": "44556677", "pin": "5824", "csrf_token": csrf_token(client)}
    assert client.post("/sign-in/participant", data=data).status_code == 302
    for path in ("report", "report.csv"):
        answer = client.get(f"/courses/manage/{classroom['course']}/{path}")
        assert answer.status_code == 403
        assert "Huamán" not in answer.get_data(as_text=True)


def test_a_course_at_ones_own_pace_has_no_sessions_column(app, clock, trainer, make_participant):
    with app.app_context():
        course = authoring.apply_definition(db.session, definition(), BODIES, published=True)
        person = db.session.get(Participant, make_participant("Ana", "Vela"))
        enrolment = learning.enrol(db.session, course, person, actor=None)
        lesson = db.session.scalar(db.select(Lesson).where(Lesson.course_id == course.id))
        db.session.add(LessonProgress(enrolment=enrolment, lesson_id=lesson.id))
        db.session.commit()
        course_id = course.id
        assert db.session.scalar(db.select(db.func.count(Enrolment.id))) == 1
    table = _page_rows(trainer, course_id)
    assert table.rows[0] == PAGE_HEADER[:-1]
    assert table.rows[1][:4] == ["Ana Vela", "Mujer", "30-44", "En curso"]
    assert _file_rows(trainer, course_id)[0] == PAGE_HEADER[:-1]
