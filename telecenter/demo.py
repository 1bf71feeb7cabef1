"""Demo data for trying the system: `telecenter seed-demo`. Idempotent.

The demo passwords and PIN are public (README); `make run` is for trying, not for production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.auth import services as accounts
from telecenter.auth.roles import ADMIN, CENTRAL_ADMIN, CENTRAL_STAFF, RESIDENT, TRAINER


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    display_name: str
    role: str


SITE_ACCOUNTS = (
    DemoAccount("admin", "demo-admin-2026", "Rosa Admin Demo", ADMIN),
    DemoAccount("capacitador", "demo-capacitador-2026", "Julio Capacitador Demo", TRAINER),
)
CENTRAL_ACCOUNTS = (
    DemoAccount("central", "demo-central-2026", "Ana Central Demo", CENTRAL_ADMIN),
    DemoAccount("oficina", "demo-oficina-2026", "Luis Oficina Demo", CENTRAL_STAFF),
)
# The demo resident signs in with this DNI (or card code) and PIN.
DEMO_RESIDENT = DemoAccount("10117410", "4821", "María", RESIDENT)
DEMO_RESIDENT_CODE = "MAR479"

# given names, surnames, sex, birth, district, community, (enrolled on, surveys (date, saved?))
DEMO_PEOPLE = (
    (
        "María",
        "Quispe Tapullima",
        "female",
        date(1988, 4, 12),
        "220901",
        "Pucayacu",
        (date(2026, 3, 2), ((date(2026, 3, 2), False), (date(2026, 9, 14), True))),
    ),
    (
        "Elena",
        "Panduro Ríos",
        "female",
        date(1975, 8, 30),
        "220909",
        "Bello Horizonte",
        (date(2026, 4, 6), ((date(2026, 4, 6), True),)),
    ),
    (
        "Rosa",
        "Sangama Amasifuén",
        "female",
        date(2001, 1, 20),
        "220901",
        "Pucayacu",
        (date(2026, 6, 1), ()),
    ),
    ("Julio", "Tuanama Pinedo", "male", date(1969, 11, 2), "220910", "Alto Shamboyacu", None),
    ("Wilmer", "Satalaya Vela", "male", date(2007, 2, 14), "220901", "Nuevo Lima", None),
    ("Teresa", "Fasabi Cachique", "female", date(1958, 5, 5), "221001", "Chazuta", None),
)


def demo_accounts(server_role: str) -> tuple[DemoAccount, ...]:
    return CENTRAL_ACCOUNTS if server_role == "central" else SITE_ACCOUNTS


def seed_demo(
    session: Session, *, server_role: str, small: bool = False, telecenter_code: str = "DEMO-01"
) -> tuple[DemoAccount, ...]:
    """Create the demo accounts and data that are missing; return the logins.

    A site gets two years of the demo telecenter's life (`telecenter.demo_life`), or with
    `small` only the six people of DEMO_PEOPLE (what the browser tests build on); central gets
    the network of simulated telecenters (`telecenter.demo_network`), six with `small`.
    """
    wanted = demo_accounts(server_role)
    for account in wanted:
        if accounts.find_user(session, account.username) is None:
            accounts.create_user(
                session,
                username=account.username,
                password=account.password,
                display_name=account.display_name,
                role=account.role,
            )
    if server_role == "site":
        from telecenter.courses.starter import load_starter_courses

        load_starter_courses(session)
        if small:
            _seed_people(session, telecenter_code)
        else:
            _seed_life(session, telecenter_code)
        return (*wanted, DEMO_RESIDENT)
    from telecenter.demo_network import seed

    seed(session, small=small)
    return wanted


def _seed_life(session: Session, telecenter_code: str) -> None:
    import logging
    from datetime import timedelta

    from telecenter import demo_life
    from telecenter.clock import today_in_lima
    from telecenter.participants.models import Participant

    if session.scalar(sa.select(sa.func.count(Participant.id))):
        return
    today = today_in_lima()
    people = []
    for index, (given, surnames, sex, birth, _ubigeo, _community, history) in enumerate(
        DEMO_PEOPLE
    ):
        people.append(
            demo_life.Person(
                given=given,
                surnames=surnames,
                sex=sex,
                birth=birth,
                # María registers twenty months ago; the others in the telecenter's first weeks.
                registers_on=today - timedelta(days=610 if index == 0 else 700 - 3 * index),
                reliability=0.95 if index == 0 else 0.8,
                document=DEMO_RESIDENT.username if index == 0 else None,
                joins_programme=history is not None,
            )
        )
    trainer = accounts.find_user(session, "capacitador")
    if trainer is None:
        raise LookupError("the demo trainer account is missing")
    # Thousands of records: their one-line logs would cost more than the records.
    logger = logging.getLogger("telecenter")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        demo_life.live(
            session,
            trainer=trainer,
            telecenter_code=telecenter_code,
            resident=people[0],
            resident_code=DEMO_RESIDENT_CODE,
            resident_pin=DEMO_RESIDENT.password,
            others=people[1:],
        )
    finally:
        logger.setLevel(level)


def _seed_people(session: Session, telecenter_code: str) -> None:
    from telecenter.clock import today_in_lima
    from telecenter.participants import resident_accounts, services
    from telecenter.participants.models import Participant

    if session.scalar(sa.select(sa.func.count(Participant.id))):
        return
    trainer = accounts.find_user(session, "capacitador")
    today = today_in_lima()
    for index, (given, surnames, sex, birth, ubigeo, community, history) in enumerate(DEMO_PEOPLE):
        document = DEMO_RESIDENT.username if index == 0 else None
        data = services.ParticipantData(
            given_names=given,
            surnames=surnames,
            sex=sex,
            birth_date=birth,
            district_ubigeo=ubigeo,
            community=community,
            occupation="cacao_producer",
            document_type="dni" if document else "none",
            document_number=document,
        )
        consent = services.ConsentData(
            given=True,
            financial_inclusion=history is not None,
            guardian_name="Luz Vela" if birth.year > 2006 else None,
        )
        person = services.register(
            session, data, consent, actor=trainer, today=today, confirm_not_duplicate=True
        )
        if index == 0:
            person.code = DEMO_RESIDENT_CODE
            resident_accounts.set_pin(session, person, DEMO_RESIDENT.password, actor=trainer)
        if history:
            _seed_wfi(session, person, history, trainer, today, telecenter_code)


def _seed_wfi(session, person, history, trainer, today, telecenter_code) -> None:
    from telecenter.participants import wfi

    enrolled_on, surveys = history
    wfi.enrol(
        session,
        person,
        enrolled_on=enrolled_on,
        telecenter_code=telecenter_code,
        trainer=trainer,
        actor=trainer,
        today=today,
    )
    for taken_on, saved in surveys:
        answers = {
            "phone_access": "own",
            "account_institutions": ["banco_nacion"] if saved else ["none"],
            "wallets_used": ["yape"] if saved else ["none"],
            "saved": saved,
            "saving_methods": ["savings_group"],
            "savings_group_member": saved,
            "emergency_funds": "somewhat_possible",
            "no_account_reasons": ["too_far"],
            "has_own_income": True,
            "income_decision": "jointly",
            "digital_payment": saved,
            "borrowed": False,
        }
        wfi.record_survey(session, person, answers, taken_on=taken_on, actor=trainer, today=today)
