"""Central's demo: the network of 38 telecenters, each a simulated site.

Nothing here invents a figure. Each telecenter's people, sessions, attendance, lessons,
completions and programme entries are written into a throwaway in-memory SQLite database of
the site's own tables, its month reports are computed by the site's own summary code
(`telecenter.sync.month_reports`), and central takes them through its own ingest
(`ingest.check_request` then `ingest.store`), as if the site had synced. So every figure
agrees with every other one: nobody attends before registering or without being reached, a
completion is a trained person, each age band and sex comes from a birth date and a sex.

The scale follows the programme's own: about ten thousand people reached, thousands trained
in digital and financial literacy, about four thousand teleconference attendees, a women's
programme on its way to its 5,000 target. Deterministic (one seeded generator per
telecenter), with dates relative to today.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter import vocabulary
from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.central import ingest, targets, tokens
from telecenter.central.models import MonthReport, Telecenter
from telecenter.clock import LIMA, replaying, to_lima, utcnow
from telecenter.courses.models import Course, Enrolment, LessonProgress
from telecenter.month_report import SCHEMA, month_of
from telecenter.participants.models import Participant, WfiEnrolment, WfiSurvey
from telecenter.sync import month_reports
from telecenter.sync.models import NetworkSettings

# (region, province, district): the telecenters of the seed, 14 + 12 + 12.
NETWORK = (
    ("San Martín", "San Martín", "Tarapoto"),
    ("San Martín", "Lamas", "Lamas"),
    ("San Martín", "Tocache", "Tocache"),
    ("San Martín", "Moyobamba", "Soritor"),
    ("San Martín", "Bellavista", "Alto Biavo"),
    ("San Martín", "El Dorado", "San José de Sisa"),
    ("San Martín", "Huallaga", "Saposoa"),
    ("San Martín", "Lamas", "Barranquita"),
    ("San Martín", "Mariscal Cáceres", "Juanjuí"),
    ("San Martín", "Mariscal Cáceres", "Campanilla"),
    ("San Martín", "Picota", "Shamboyacu"),
    ("San Martín", "Rioja", "Nueva Cajamarca"),
    ("San Martín", "San Martín", "Chazuta"),
    ("San Martín", "Tocache", "Uchiza"),
    ("Huánuco", "Leoncio Prado", "Rupa-Rupa"),
    ("Huánuco", "Leoncio Prado", "José Crespo y Castillo"),
    ("Huánuco", "Leoncio Prado", "Luyando"),
    ("Huánuco", "Leoncio Prado", "Mariano Damaso Beraún"),
    ("Huánuco", "Leoncio Prado", "Hermilio Valdizán"),
    ("Huánuco", "Puerto Inca", "Puerto Inca"),
    ("Huánuco", "Puerto Inca", "Codo del Pozuzo"),
    ("Huánuco", "Puerto Inca", "Tournavista"),
    ("Huánuco", "Huánuco", "Chinchao"),
    ("Huánuco", "Marañón", "Cholón"),
    ("Huánuco", "Huacaybamba", "Cochabamba"),
    ("Huánuco", "Pachitea", "Panao"),
    ("Ucayali", "Coronel Portillo", "Calleria"),
    ("Ucayali", "Coronel Portillo", "Yarinacocha"),
    ("Ucayali", "Coronel Portillo", "Manantay"),
    ("Ucayali", "Coronel Portillo", "Campoverde"),
    ("Ucayali", "Coronel Portillo", "Nueva Requena"),
    ("Ucayali", "Coronel Portillo", "Masisea"),
    ("Ucayali", "Coronel Portillo", "Iparia"),
    ("Ucayali", "Padre Abad", "Padre Abad"),
    ("Ucayali", "Padre Abad", "Irazola"),
    ("Ucayali", "Padre Abad", "Curimaná"),
    ("Ucayali", "Atalaya", "Raimondi"),
    ("Ucayali", "Purús", "Purús"),
)
# `seed-demo --small` (what the browser and end-to-end tests build on): two per region.
SMALL_NETWORK = ("Tarapoto", "Lamas", "Rupa-Rupa", "José Crespo y Castillo", "Calleria",
                 "Yarinacocha")  # fmt: skip
PREFIX = {"San Martín": "SM", "Huánuco": "HU", "Ucayali": "UC"}
# Age at registration: (share, youngest, oldest); None: a walk-in who gave no birth year.
AGES = ((10, 15, 17), (25, 18, 29), (30, 30, 44), (22, 45, 59), (10, 60, 78), (3, None, None))
LESSONS_PER_COURSE = 5
DEMO_TARGETS = (
    ("Mujeres en el programa de inclusión financiera", "wfi_enrolments", 5000),
    ("Personas en teleconferencias", "teleconference_reached", 4113),
)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() else "-" for ch in folded.upper()).strip("-")


def telecenters() -> list[tuple[str, str, str, str, str]]:
    """(code, name, region, province, district) of each telecenter of the network."""
    result = []
    for number, (region, province, district) in enumerate(NETWORK, start=1):
        code = f"{PREFIX[region]}-{_ascii(district)[:20]}-{number:02d}"
        result.append((code, f"Telecentro {district}", region, province, district))
    return result


@dataclass
class _Person:
    id: int
    sex: str
    birth: date | None
    registered: datetime
    reliability: float
    farmer: bool
    online: bool
    wfi_on: date | None = None


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LIMA).astimezone(UTC)


class SimulatedSite:
    """One telecenter's history, in the site's own tables of a database of its own."""

    TABLES = (Participant, WfiEnrolment, ActivitySession, Attendance, Course, Enrolment)

    def __init__(self, code: str, *, size: float, months: int, now: datetime):
        self.code, self.size, self.now = code, size, now
        self.rng = random.Random(code)  # noqa: S311 - made-up demo counts, not security
        self.engine = sa.create_engine("sqlite://")
        # The rules central sent stay empty here (none: the defaults).
        tables = [model.__table__ for model in self.TABLES] + [
            model.__table__ for model in (LessonProgress, WfiSurvey, NetworkSettings)
        ]
        Participant.metadata.create_all(self.engine, tables=tables)
        today = now.astimezone(LIMA).date()
        year, month = today.year, today.month - months + 1
        while month < 1:
            year, month = year - 1, month + 12
        self.first = date(year, month, 1)
        self.people: list[_Person] = []
        self.rows: dict[str, list[dict]] = {model.__tablename__: [] for model in self.TABLES}
        self.rows[LessonProgress.__tablename__] = []
        self.rows[WfiSurvey.__tablename__] = []
        self.ids = {name: 0 for name in self.rows}

    def _add(self, model, **values) -> int:
        name = model.__tablename__
        self.ids[name] += 1
        self.rows[name].append({"id": self.ids[name], **values})
        return self.ids[name]

    def _register(self, day: date) -> _Person:
        rng = self.rng
        sex = rng.choices(vocabulary.SEXES, (59, 40, 1))[0]
        share = rng.choices(AGES, [a[0] for a in AGES])[0]
        birth = None
        if share[1] is not None:
            age = rng.randint(share[1], share[2])
            birth = date(day.year - age - 1, 1, 1) + timedelta(days=rng.randrange(1, 360))
        registered = _moment(day, 9) + timedelta(minutes=rng.randrange(120))
        pid = self._add(
            Participant,
            code=f"P{len(self.people):05d}",
            sex=sex,
            birth_date=birth,
            birth_year=birth.year if birth else None,
            registered_at=registered,
            is_complete=birth is not None,
        )
        person = _Person(
            pid, sex, birth, registered, rng.uniform(0.55, 0.95), rng.random() < 0.55,
            rng.random() < 0.75,
        )  # fmt: skip
        adult = birth is not None and (day - birth).days >= 18 * 365
        if sex == "female" and adult and rng.random() < 0.85:
            person.wfi_on = day + timedelta(days=rng.randrange(0, 90))
            if _moment(person.wfi_on, 12) < self.now:
                self._add(
                    WfiEnrolment,
                    participant_id=pid,
                    enrolled_on=person.wfi_on,
                    telecenter_code=self.code,
                )
                self._surveys(pid, person.wfi_on)
        self.people.append(person)
        return person

    def _surveys(self, pid: int, enrolled_on: date) -> None:
        """A baseline within two weeks of enrolment (most women), then a follow-up every six
        months, with answers that improve as the months in the programme go by (as in
        demo_life)."""
        rng, today = self.rng, self.now.astimezone(LIMA).date()
        if rng.random() > 0.9:
            return
        day, step = enrolled_on + timedelta(days=rng.randrange(0, 14)), 0
        while day < today:
            chance = min(0.15 + 0.25 * step, 0.85)
            account, wallet = rng.random() < chance, rng.random() < chance
            saved = rng.random() < chance + 0.1
            self._add(
                WfiSurvey,
                participant_id=pid,
                kind="follow_up" if step else "baseline",
                taken_on=day,
                created_at=_moment(day, 15),
                phone_access=rng.choice(("own", "own", "shared")),
                account_institutions=["banco_nacion"] if account else ["none"],
                wallets_used=["yape"] if wallet else ["none"],
                digital_payment=wallet,
                saved=saved,
                saving_methods=["savings_group"] if saved else ["cash_home"],
                savings_group_member=saved and rng.random() < 0.6,
                borrowed=rng.random() < 0.2,
                borrowing_sources=["family_friends"],
                no_account_reasons=[] if account else ["too_far"],
                emergency_funds=rng.choice(
                    ("very_possible", "somewhat_possible", "not_possible")
                    if step
                    else ("somewhat_possible", "not_possible", "not_possible")
                ),
                has_own_income=rng.random() < 0.7,
                income_decision="jointly",
            )
            day, step = day + timedelta(days=182 + rng.randrange(-10, 10)), step + 1

    def _session(
        self, kind, category, day, hour, hours=2.0, viewers=0, *, crop=None, purpose="training"
    ) -> int | None:
        starts = _moment(day, hour)
        ends = starts + timedelta(hours=hours)
        if ends >= self.now:
            return None
        return self._add(
            ActivitySession,
            kind=kind,
            title=f"{kind} {category}",
            category=category,
            commodity=crop,
            purpose=purpose,
            starts_at=starts,
            ends_at=ends,
            state="held",
            unregistered_viewers=viewers,
            course_id=None,
        )

    def _attend(self, session_id: int, person: _Person) -> bool:
        rng = self.rng
        came = rng.random() < person.reliability
        if came:  # an absence counts for nothing in a month report: not stored here
            status = "late" if rng.random() < 0.1 else "present"
            self._add(Attendance, session_id=session_id, participant_id=person.id, status=status)
        return came

    def live(self) -> None:
        """Month by month: newcomers, a cohort of each course, teleconferences, a workshop."""
        rng, size = self.rng, self.size
        courses = {
            category: self._add(
                Course, slug=category, title=category, category=category, commodity=None
            )
            for category in ("digital_literacy", "financial_literacy")
        }
        # A cacao course, for the catalogue: its sessions are the teleconferences below.
        self._add(Course, slug="cacao", title="cacao", category="agriculture", commodity="cacao")
        taken: dict[str, set[int]] = {category: set() for category in courses}
        month_start, index = self.first, 0
        while _moment(month_start, 8) < self.now:
            newcomers = round(size * (30 if index == 0 else rng.uniform(5, 11)))
            for _ in range(newcomers):
                self._register(month_start + timedelta(days=rng.randrange(0, 3)))
            present = list(self.people)
            for offset, (category, course_id) in enumerate(courses.items()):
                waiting = [p for p in present if p.id not in taken[category]]
                cohort = rng.sample(waiting, min(len(waiting), round(size * rng.uniform(6, 11))))
                taken[category].update(p.id for p in cohort)
                self._cohort(course_id, category, cohort, month_start, offset)
            for day_of_month, crop in ((10, "cacao"), (24, "coffee")):
                day = month_start + timedelta(days=day_of_month - 1)
                viewers = rng.randint(2, 15)
                # Every other month the coffee teleconference is a talk (sensibilización).
                purpose = "talk" if crop == "coffee" and index % 2 else "training"
                session_id = self._session(
                    "teleconference",
                    "agriculture",
                    day,
                    9,
                    2.0,
                    viewers,
                    crop=crop,
                    purpose=purpose,
                )
                if session_id is None:
                    continue
                farmers = [p for p in present if p.farmer]
                for person in rng.sample(
                    farmers, min(len(farmers), round(size * rng.uniform(8, 14)))
                ):
                    self._attend(session_id, person)
            if index % 3 == 1:
                session_id = self._session(
                    "workshop", "financial_literacy", month_start + timedelta(days=18), 10, 2.5
                )
                if session_id is not None:
                    for person in rng.sample(present, min(len(present), round(size * 10))):
                        self._attend(session_id, person)
            month_start = (month_start + timedelta(days=32)).replace(day=1)
            index += 1

    def _cohort(self, course_id, category, cohort, month_start, offset) -> None:
        """Four weekly classes; who comes to three does the five lessons and completes."""
        attended: dict[int, list[datetime]] = {p.id: [] for p in cohort}
        for week in range(4):
            day = month_start + timedelta(days=4 + 7 * week + 2 * offset)
            session_id = self._session("class", category, day, 15)
            if session_id is None:
                break
            for person in cohort:
                if self._attend(session_id, person):
                    attended[person.id].append(_moment(day, 16))
        for person in cohort:
            moments = attended[person.id]
            if not moments:
                continue
            done = len(moments) >= 3 and person.online
            enrolment_id = self._add(
                Enrolment,
                course_id=course_id,
                participant_id=person.id,
                enrolled_at=person.registered,
                completed_at=moments[-1] if done else None,
                completed_by="lessons" if done else None,
            )
            if person.online:
                for lesson in range(LESSONS_PER_COURSE if done else len(moments)):
                    self._add(
                        LessonProgress,
                        enrolment_id=enrolment_id,
                        lesson_id=lesson + 1,
                        completed_at=moments[min(lesson, len(moments) - 1)],
                    )

    def reports(self) -> list[dict]:
        """The month reports, computed by the site's own summary code."""
        with Session(self.engine) as session:
            connection = session.connection()
            for model in (*self.TABLES, LessonProgress, WfiSurvey):
                rows = self.rows[model.__tablename__]
                if rows:  # plain executemany: no ORM objects for a hundred thousand rows
                    connection.execute(model.__table__.insert(), rows)
            reports = month_reports.monthly_reports(
                session, telecenter=self.code, first=month_of(self.first)
            )
        self.engine.dispose()
        return reports


def deadline_month() -> str:
    """The demo programme's deadline: December of next year, so it is always still ahead."""
    return f"{to_lima(utcnow()).year + 1}-12"


def _first_arrivals(session: Session, telecenter: Telecenter, rng: random.Random) -> None:
    """When each month's report first arrived, as if the site had sent it month by month
    (all are stored at once): mostly in the first days of the next month, now and then weeks
    late, so that the data-quality page has late months to show."""
    for report in session.scalars(
        sa.select(MonthReport).where(MonthReport.telecenter_id == telecenter.id)
    ):
        year, number = int(report.month[:4]), int(report.month[5:7])
        following = date(year + number // 12, number % 12 + 1, 1)
        days = rng.randint(20, 45) if rng.random() < 0.12 else rng.randint(0, 8)
        arrived = _moment(following + timedelta(days=days), rng.randint(8, 18))
        report.first_received_at = min(arrived, report.received_at)
    session.flush()


def seed(session: Session, *, small: bool = False) -> None:
    """Create the network's telecenters with their reports, unless telecenters exist;
    `small`: six of them and no programme targets."""
    if session.scalar(sa.select(sa.func.count(Telecenter.id))):
        return
    now = utcnow()
    size_rng = random.Random(38)  # noqa: S311 - made-up demo counts, not security
    network = [row for row in telecenters() if not small or row[4] in SMALL_NETWORK]
    for code, name, region, province, district in network:
        site = SimulatedSite(
            code, size=size_rng.uniform(0.55, 1.45), months=size_rng.randint(15, 36), now=now
        )
        telecenter = Telecenter(
            code=code,
            name=name,
            region=region,
            province=province,
            district=district,
            opened_month=month_of(site.first),
        )
        session.add(telecenter)
        tokens.issue(telecenter)  # a token nobody knows: demo sites cannot send
        session.flush()
        site.live()
        items = ingest.check_request(
            {"schema": SCHEMA, "telecenter": code, "reports": site.reports()}, telecenter
        )
        with replaying() as replay:
            if code == network[-1][0]:
                replay.at(now - timedelta(days=12))  # one silent site to flag: it last sent then
            ingest.store(session, telecenter, items)
        _first_arrivals(session, telecenter, random.Random(code))  # noqa: S311 - demo
    for name, measure, value in () if small else DEMO_TARGETS:
        targets.create(
            session,
            targets.TargetData(
                name=name, measure=measure, value=value, deadline_month=deadline_month()
            ),
        )
