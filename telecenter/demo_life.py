"""Two years in the life of the demo telecenter, lived through the real services.

`telecenter seed-demo` replays about 104 weeks up to today (the clock of `telecenter.clock`,
moved by `clock.replaying`): people register (with consent, a guardian for minors, a few
quick walk-in registrations without a birth year), cohorts of the starter courses meet weekly
and do their lessons and quizzes in class, teleconferences on cacao and coffee every two weeks
(each crop monthly) gather registered people, walk-ins and unregistered viewers, women join
the financial-inclusion programme with a baseline survey and follow-ups. Every record goes
through the service a trainer's click would call, so the rules (phases of a roster,
completions, consent, one survey a day...) hold, and the site's month reports are what a real
site would send. The current cohorts and the next teleconference run into the coming two
weeks, so calendars, the iCal feed, rosters and the resident's home card show them.

Deterministic: a seeded random generator and dates relative to today.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from telecenter import vocabulary
from telecenter.attendance import scheduling
from telecenter.attendance import services as attendance
from telecenter.attendance.models import ActivitySession
from telecenter.auth.models import User
from telecenter.clock import LIMA, Replay, replaying, utcnow
from telecenter.courses import authoring, learning
from telecenter.courses.models import Course, Enrolment, Lesson
from telecenter.participants import groups, resident_accounts, services, wfi
from telecenter.participants.models import Participant

WEEKS = 104
COHORT_WEEKS = 6  # five lessons, then the final quiz
COHORT_EVERY_WEEKS = 9
SEED = 17

FEMALE = ("Rosa", "Elena", "Luz", "Nelly", "Gladys", "Marleni", "Yolanda", "Delia", "Flor",
          "Carmen", "Sonia", "Juana", "Edith", "Norma", "Melina", "Lidia", "Nilda", "Maribel",
          "Rocío", "Celia", "Doris", "Keila", "Yesenia", "Zoila")  # fmt: skip
MALE = ("Julio", "Wilmer", "Segundo", "Abel", "Héctor", "Teodoro", "Elmer", "Rómulo", "Jhon",
        "Nilton", "Gilberto", "Darwin", "Lorenzo", "Cléver", "Alcides", "Percy", "Edinson",
        "Manuel", "Ronal", "Víctor")  # fmt: skip
SURNAMES = ("Tapullima", "Sangama", "Panduro", "Amasifuén", "Tuanama", "Cachique", "Satalaya",
            "Fasabi", "Pinedo", "Vela", "Ríos", "Shapiama", "Chujandama", "Isuiza", "Tananta",
            "Salas", "Guerra", "Ushiñahua", "Sinarahua", "Pizango", "García",
            "Mozombite")  # fmt: skip
COMMUNITIES = (("220901", "Pucayacu"), ("220909", "Bello Horizonte"),
               ("220910", "Alto Shamboyacu"), ("220901", "Nuevo Lima"),
               ("221001", "Chazuta"))  # fmt: skip
OCCUPATIONS = ("cacao_producer", "cacao_producer", "coffee_producer", "other_farming",
               "commerce", "household", "student", "employee")  # fmt: skip
# Age at registration: (share, youngest, oldest); None is a walk-in who gave no birth year.
AGES = ((10, 15, 17), (25, 18, 29), (30, 30, 44), (22, 45, 59), (10, 60, 78), (3, None, None))
CROPS = ("cacao", "café")
#: The crop each teleconference is about, as the session stores it (vocabulary.CROPS).
CROP_CODES = {"cacao": "cacao", "café": "coffee"}
PRESENTERS = {
    "cacao": (
        "Ing. Carla Rengifo",
        "Cooperativa Agraria Cacaotera ACOPAGRO",
        "Injertos, poda y fermentación del cacao",
    ),
    "café": (
        "Ing. Wilder Coronel",
        "Cooperativa Oro Verde",
        "Roya, sombra y cosecha selectiva del café",
    ),
}
ROOM = "Sala de cómputo"


@dataclass
class Person:
    """A simulated resident: how she behaves, not what the registry stores."""

    given: str
    surnames: str
    sex: str
    birth: date | None
    registers_on: date
    reliability: float
    document: str | None = None
    farmer: bool = True
    joins_programme: bool = False
    #: Does the lessons on the telecenter's PCs (the others only follow the class).
    online: bool = True
    participant: Participant | None = None
    courses_taken: set[str] = field(default_factory=set)

    @property
    def me(self) -> Participant:
        """Her record in the registry, once she has registered."""
        if self.participant is None:
            raise LookupError(f"{self.given} has not registered yet")
        return self.participant


@dataclass
class Cohort:
    course: Course
    members: list[Person]
    sessions: list[ActivitySession] = field(default_factory=list)


class Life:
    """The replay: events on a timeline, each run with the clock at its moment."""

    def __init__(self, session: Session, *, trainer: User, telecenter_code: str, people):
        self.session, self.trainer, self.code = session, trainer, telecenter_code
        self.rng = random.Random(SEED)  # noqa: S311 - made-up demo people, not security
        self.now = utcnow()
        self.today = self.now.astimezone(LIMA).date()
        self.monday = self.today - timedelta(days=self.today.weekday())
        self.first_monday = self.monday - timedelta(weeks=WEEKS)
        self.events: list = []
        self.order = itertools.count()
        self.people: list[Person] = list(people)
        self.clock = Replay()
        self.reserved: dict[tuple[str, date], list[Person]] = {}
        self.cohort_numbers: dict[str, int] = {}
        self.forced_teleconference: list[Person] = []
        self.courses: dict[str, Course] = {}
        for slug in ("primeros-pasos", "finanzas-familia"):
            course = authoring.find_by_slug(session, slug)
            if course is None:
                raise LookupError(f"starter course {slug} is not loaded")
            self.courses[slug] = course

    # -- the timeline ------------------------------------------------------------------

    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        if moment <= self.now:
            heapq.heappush(self.events, (moment, next(self.order), action))

    def run(self) -> None:
        with replaying() as clock:
            self.clock = clock
            while self.events:
                moment, _n, action = heapq.heappop(self.events)
                clock.at(moment)
                action()

    def moment(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=LIMA).astimezone(UTC)

    # -- who lives here ----------------------------------------------------------------

    def invent_people(self, count: int) -> None:
        rng, used = self.rng, {p.document for p in self.people}
        opening = self.first_monday + timedelta(days=1)
        for index in range(count):
            sex = rng.choices(vocabulary.SEXES, (58, 41, 1))[0]
            given = rng.choice(FEMALE if sex == "female" else MALE)
            if sex != "male" and rng.random() < 0.3:
                given += " " + rng.choice(FEMALE)
            surnames = f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
            # A third come in the first month; the others one or two a week after.
            first_month = index < count // 3
            registers_on = opening + timedelta(
                days=rng.randrange(28) if first_month else rng.randrange(28, WEEKS * 7 - 7)
            )
            share = rng.choices(AGES, [a[0] for a in AGES])[0]
            birth = None
            if share[1] is not None:
                age = rng.randint(share[1], share[2])
                birth = registers_on.replace(year=registers_on.year - age - 1) + timedelta(
                    days=rng.randrange(1, 360)
                )
            document = None
            if birth is not None and rng.random() < 0.8:
                document = f"{rng.randrange(40_000_000, 49_999_999)}"
                while document in used:
                    document = f"{rng.randrange(40_000_000, 49_999_999)}"
                used.add(document)
            self.people.append(
                Person(
                    given=given,
                    surnames=surnames,
                    sex=sex,
                    birth=birth,
                    registers_on=registers_on,
                    reliability=rng.uniform(0.55, 0.97),
                    document=document,
                    farmer=rng.random() < 0.75,
                    joins_programme=sex == "female" and rng.random() < 0.6,
                    online=rng.random() < 0.7,
                )
            )
        for person in self.people:
            self.at(
                self.moment(person.registers_on, 10, self.rng.randrange(60)), self.registrar(person)
            )

    def registrar(self, person: Person) -> Callable[[], None]:
        def register() -> None:
            person.participant = self.register(person)
            if person.joins_programme and (self.age(person) or 0) >= 18:
                enrol_on = person.registers_on + timedelta(days=self.rng.randrange(0, 120))
                self.at(self.moment(enrol_on, 11), self.programme_entry(person, enrol_on))

        return register

    def age(self, person: Person, on: date | None = None) -> int | None:
        if person.birth is None:
            return None
        on = on or person.registers_on
        return (
            on.year
            - person.birth.year
            - ((on.month, on.day) < (person.birth.month, person.birth.day))
        )

    def register(self, person: Person) -> Participant:
        ubigeo, community = self.rng.choice(COMMUNITIES)
        complete = person.birth is not None
        data = services.ParticipantData(
            given_names=person.given,
            surnames=person.surnames if complete else "",
            sex=person.sex,
            birth_date=person.birth,
            birth_year=person.birth.year if person.birth else None,
            district_ubigeo=ubigeo if complete else None,
            community=community,
            occupation=self.rng.choice(OCCUPATIONS) if complete else None,
            document_type="dni" if person.document else "none",
            document_number=person.document,
        )
        minor = (self.age(person) or 18) < 18
        consent = services.ConsentData(
            given=True,
            financial_inclusion=person.sex == "female",
            guardian_name=f"{self.rng.choice(FEMALE)} {person.surnames.split()[0]}"
            if minor
            else None,
        )
        return services.register(
            self.session,
            data,
            consent,
            actor=self.trainer,
            today=person.registers_on,
            complete=complete,
            confirm_not_duplicate=True,
        )

    def registered(self) -> list[Person]:
        return [p for p in self.people if p.participant is not None]

    # -- the women's programme ---------------------------------------------------------

    def programme_entry(self, person: Person, day: date) -> Callable[[], None]:
        def enter() -> None:
            participant = person.participant
            if participant is None or participant.wfi_enrolment is not None:
                return
            wfi.enrol(
                self.session,
                participant,
                enrolled_on=day,
                telecenter_code=self.code,
                trainer=self.trainer,
                actor=self.trainer,
                today=day,
            )
            self.survey(person, day, step=0)
            follow_up = wfi.add_months(day, 6)
            step = 1
            while follow_up < self.today:
                self.at(self.moment(follow_up, 11, 30), self.surveyor(person, follow_up, step))
                follow_up, step = wfi.add_months(follow_up, 6), step + 1

        return enter

    def surveyor(self, person: Person, day: date, step: int) -> Callable[[], None]:
        return lambda: self.survey(person, day, step=step)

    def survey(self, person: Person, day: date, *, step: int) -> None:
        """Answers that improve as the months in the programme go by."""
        rng = self.rng
        chance = min(0.15 + 0.25 * step, 0.85)
        account = rng.random() < chance
        wallet = rng.random() < chance
        saved = rng.random() < chance + 0.1
        answers = {
            "phone_access": rng.choice(("own", "own", "shared")),
            "account_institutions": ["banco_nacion"] if account else ["none"],
            "wallets_used": ["yape"] if wallet else ["none"],
            "saved": saved,
            "saving_methods": ["savings_group"] if saved else ["cash_home"],
            "savings_group_member": saved and rng.random() < 0.6,
            "emergency_funds": rng.choice(("somewhat_possible", "not_possible")),
            "no_account_reasons": ["too_far"],
            "has_own_income": rng.random() < 0.7,
            "income_decision": "jointly",
            "digital_payment": wallet,
            "borrowed": rng.random() < 0.2,
            "borrowing_sources": ["family_friends"],
        }
        wfi.record_survey(
            self.session,
            person.me,
            answers,
            taken_on=day,
            actor=self.trainer,
            today=day,
        )

    # -- classes of the starter courses -----------------------------------------------

    def plan_cohorts(self, slug: str, weekday: int, hour: int, offset_weeks: int) -> list[date]:
        """Cohorts back from the current one (which began `offset_weeks` ago); their first
        days, oldest first."""
        start, days = self.monday - timedelta(weeks=offset_weeks), []
        while start >= self.first_monday + timedelta(weeks=3):
            first_day = start + timedelta(days=weekday)
            days.append(first_day)
            self.at(
                self.moment(start - timedelta(days=3), 9),
                self.cohort_starter(slug, first_day, hour),
            )
            start -= timedelta(weeks=COHORT_EVERY_WEEKS)
        return sorted(days)

    def cohort_starter(self, slug, first_day: date, hour: int) -> Callable[[], None]:
        def start() -> None:
            course = self.courses[slug]
            forced = [p for p in self.reserved.get((slug, first_day), ()) if p.participant]
            waiting = [
                p for p in self.registered() if slug not in p.courses_taken and p not in forced
            ]
            self.rng.shuffle(waiting)
            members = forced + waiting[: self.rng.randint(8, 12) - len(forced)]
            cohort = Cohort(course, members)
            for person in members:
                person.courses_taken.add(slug)
                learning.enrol(self.session, course, person.me, actor=self.trainer)
            self.cohort_numbers[slug] = number = self.cohort_numbers.get(slug, 0) + 1
            title = f"{course.title} — grupo {number}"
            group = groups.create(self.session, title, actor=self.trainer)
            groups.add_members(
                self.session, group, [person.me.id for person in members], actor=self.trainer
            )
            cohort.sessions = scheduling.create(
                self.session,
                scheduling.SessionData(
                    kind="class",
                    title=title,
                    day=first_day,
                    start=time(hour),
                    end=time(hour + 2),
                    course_id=course.id,
                    room=ROOM,
                    trainer_id=self.trainer.id,
                    capacity=16,
                    group_id=group.id,
                ),
                scheduling.Recurrence(
                    weekdays=[first_day.weekday()],
                    until=first_day + timedelta(weeks=COHORT_WEEKS - 1),
                ),
            )
            for index, activity in enumerate(cohort.sessions):
                self.at(activity.ends_at + timedelta(minutes=5), self.class_held(cohort, index))

        return start

    def class_held(self, cohort: Cohort, index: int) -> Callable[[], None]:
        def held() -> None:
            activity = cohort.sessions[index]
            statuses = {p.me.id: self.status(p) for p in cohort.members}
            attendance.save_roster(self.session, activity, statuses, actor=self.trainer)
            lessons = cohort.course.lessons
            for person in cohort.members:
                if not person.online or statuses[person.me.id] not in vocabulary.COUNTED_STATUSES:
                    continue
                self.clock.at(activity.starts_at + timedelta(minutes=30 + 10 * index))
                self.learn(
                    cohort.course, person, lessons[: index + 1], final=index == COHORT_WEEKS - 1
                )

        return held

    def status(self, person: Person) -> str:
        roll = self.rng.random()
        if roll < person.reliability:
            return "late" if self.rng.random() < 0.12 else "present"
        return "excused" if self.rng.random() < 0.35 else "absent"

    def learn(self, course: Course, person: Person, lessons: list[Lesson], *, final: bool) -> None:
        """In class she does this week's lesson and, often, one she missed."""
        enrolment = learning.find_enrolment(self.session, course, person.me)
        done = learning.completed_lesson_ids(self.session, enrolment)
        todo = [lesson for lesson in lessons if lesson.id not in done]
        for lesson in todo[:-1]:
            if self.rng.random() < 0.5:
                continue  # a lesson missed stays for another day
            self.quiz(enrolment, lesson)
            done.add(lesson.id)
        if todo:
            self.quiz(enrolment, todo[-1])
            done.add(todo[-1].id)
        required = {lesson.id for lesson in course.required_lessons}
        if final and enrolment.completed_at is None and required <= done:
            self.quiz(enrolment, None)

    def quiz(self, enrolment: Enrolment, lesson: Lesson | None) -> None:
        questions = lesson.questions if lesson else enrolment.course.final_questions
        if not questions:  # a reading lesson; a course without a final quiz is done already
            if lesson is not None:
                learning.finish_reading(self.session, enrolment, lesson)
            return
        right = {q.id: [o.id for o in q.options if o.correct] for q in questions}
        if self.rng.random() < 0.05:  # a first try with mistakes, then again
            wrong = {q.id: [o.id for o in q.options if not o.correct][:1] for q in questions}
            learning.submit_quiz(self.session, enrolment, lesson, wrong)
        learning.submit_quiz(self.session, enrolment, lesson, right)

    # -- teleconferences and workshops -------------------------------------------------

    def write_cacao_course(self) -> None:
        """A cacao course the trainer is still writing (a draft): an agriculture course with
        its crop, as the course form asks for one."""
        authoring.save_course(
            self.session,
            authoring.CourseFields(
                title="Cacao: del vivero a la cosecha",
                summary="Injertos, poda y fermentación del cacao fino de aroma.",
                category="agriculture",
                commodity="cacao",
                language="es",
                estimated_hours=6,
                pass_mark=70,
                completion_mode="classroom",
                attendance_share=75,
                published=False,
            ),
        )

    def plan_teleconferences(self) -> None:
        """Every other Saturday, cacao and coffee in turn: each crop once a month; the one of
        next week is already announced."""
        saturday = self.monday + timedelta(days=12)
        for number in itertools.count():
            if saturday < self.first_monday + timedelta(weeks=2):
                break
            crop = CROPS[number % 2]
            self.at(
                self.moment(saturday - timedelta(days=10), 9), self.teleconference(saturday, crop)
            )
            saturday -= timedelta(weeks=2)

    def teleconference(self, day: date, crop: str) -> Callable[[], None]:
        def announce() -> None:
            presenter, organisation, topic = PRESENTERS[crop]
            (activity,) = scheduling.create(
                self.session,
                scheduling.SessionData(
                    kind="teleconference",
                    title=f"Teleconferencia: {topic.split(',')[0].lower()} ({crop})",
                    topic=topic,
                    day=day,
                    start=time(9),
                    end=time(11),
                    category="agriculture",
                    commodity=CROP_CODES[crop],
                    # The coffee teleconferences are awareness talks; the cacao ones, training.
                    purpose="talk" if crop == "café" else "training",
                    room=ROOM,
                    presenter=presenter,
                    organisation=organisation,
                    platform="Zoom",
                    capacity=30,
                ),
            )
            farmers = [p for p in self.registered() if p.farmer and p.birth is not None]
            invited = self.rng.sample(farmers, min(len(farmers), self.rng.randint(8, 14)))
            invited += [p for p in self.forced_teleconference if p.participant and p not in invited]
            for person in invited:
                attendance.register(self.session, activity, person.me)
            self.at(
                activity.ends_at + timedelta(minutes=5), self.teleconference_held(activity, invited)
            )

        return announce

    def teleconference_held(self, activity: ActivitySession, invited) -> Callable[[], None]:
        def held() -> None:
            statuses = {p.me.id: self.status(p) for p in invited}
            attendance.save_roster(self.session, activity, statuses, actor=self.trainer)
            others = [p for p in self.registered() if p not in invited and p.farmer]
            for person in self.rng.sample(others, min(len(others), self.rng.randint(0, 3))):
                attendance.add_to_roster(self.session, activity, person.me, actor=self.trainer)
            attendance.set_unregistered_viewers(self.session, activity, self.rng.randint(2, 15))

        return held

    def plan_workshops(self) -> None:
        """A workshop on mobile wallets and the Banco de la Nación every quarter."""
        friday = self.monday - timedelta(days=3)
        while friday >= self.first_monday + timedelta(weeks=4):
            self.at(self.moment(friday - timedelta(days=7), 9), self.workshop(friday))
            friday -= timedelta(weeks=13)

    def workshop(self, day: date) -> Callable[[], None]:
        def announce() -> None:
            (activity,) = scheduling.create(
                self.session,
                scheduling.SessionData(
                    kind="workshop",
                    title="Taller: Yape, BIM y su cuenta del Banco de la Nación",
                    day=day,
                    start=time(10),
                    end=time(12, 30),
                    category="financial_literacy",
                    room=ROOM,
                    trainer_id=self.trainer.id,
                    capacity=20,
                ),
            )
            adults = [p for p in self.registered() if (self.age(p) or 0) >= 18]
            invited = self.rng.sample(adults, min(len(adults), self.rng.randint(8, 16)))
            for person in invited:
                attendance.register(self.session, activity, person.me)
            self.at(activity.ends_at + timedelta(minutes=5), self.workshop_held(activity, invited))

        return announce

    def workshop_held(self, activity, invited) -> Callable[[], None]:
        def held() -> None:
            statuses = {p.me.id: self.status(p) for p in invited}
            attendance.save_roster(self.session, activity, statuses, actor=self.trainer)

        return held


def live(
    session: Session,
    *,
    trainer: User,
    telecenter_code: str,
    resident: Person,
    resident_code: str,
    resident_pin: str,
    others: list[Person],
    count: int = 150,
) -> None:
    """Replay the two years; the demo resident takes Primeros pasos soon after registering and
    is in the current cohort of Finanzas para mi familia (her next class is this week's), and
    she is registered for the next teleconference."""
    life = Life(
        session, trainer=trainer, telecenter_code=telecenter_code, people=[resident, *others]
    )
    life.forced_teleconference = [resident]
    life.invent_people(count - 1 - len(others))
    digital = life.plan_cohorts("primeros-pasos", weekday=1, hour=16, offset_weeks=2)
    financial = life.plan_cohorts("finanzas-familia", weekday=3, hour=16, offset_weeks=3)
    first_digital = min(day for day in digital if day > resident.registers_on + timedelta(days=7))
    life.reserved[("primeros-pasos", first_digital)] = [resident]
    life.reserved[("finanzas-familia", max(financial))] = [resident]
    life.plan_teleconferences()
    life.plan_workshops()
    life.write_cacao_course()

    def resident_account() -> None:
        participant = resident.me
        participant.code = resident_code
        resident_accounts.set_pin(session, participant, resident_pin, actor=trainer)

    life.at(life.moment(resident.registers_on, 10) + timedelta(hours=1), resident_account)
    life.run()
