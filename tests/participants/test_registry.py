"""Registering, finding, correcting and erasing participants (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from telecenter.audit import AuditEntry
from telecenter.extensions import db
from telecenter.participants import rights, services
from telecenter.participants.models import Consent, Participant
from tests.conftest import count_rows

TODAY = date(2026, 11, 29)


def _data(**overrides):
    values = dict(
        given_names="Rosa",
        surnames="Huamán Tapullima",
        sex="female",
        document_type="dni",
        document_number="10117410",
        birth_date=date(1985, 3, 2),
        district_ubigeo="220901",
        community="Pucayacu",
    )
    values.update(overrides)
    return services.ParticipantData(**values)


def _register(data=None, consent=None, **options):
    return services.register(
        db.session,
        data or _data(),
        consent or services.ConsentData(given=True),
        actor=None,
        today=TODAY,
        **options,
    )


def test_registration_stores_the_person_and_their_consent(app_ctx):
    participant = _register(consent=services.ConsentData(given=True, financial_inclusion=True))
    db.session.commit()
    stored = db.session.get(Participant, participant.id)
    assert stored.full_name == "Rosa Huamán Tapullima"
    assert stored.birth_year == 1985
    assert len(stored.code) == services.CODE_LENGTH
    assert {c.kind for c in stored.consents} == {"registration", "financial_inclusion"}
    assert all(c.text_version for c in stored.consents)
    assert stored.age_band_on(TODAY) == "30-44"


def test_registration_without_consent_is_refused_and_stores_nothing(app_ctx):
    with pytest.raises(services.RegistryError) as error:
        _register(consent=services.ConsentData(given=False))
    assert "consent" in error.value.errors
    db.session.rollback()
    assert count_rows(app_ctx, "participants") == 0


def test_minors_need_a_guardian(app_ctx):
    minor = _data(birth_date=date(2010, 1, 1), document_number="10117411")
    with pytest.raises(services.RegistryError) as error:
        _register(minor)
    assert "guardian_name" in error.value.errors
    db.session.rollback()
    participant = _register(minor, services.ConsentData(given=True, guardian_name="Ana Tapullima"))
    assert participant.consents[0].guardian_name == "Ana Tapullima"


def test_the_same_document_cannot_be_registered_twice(app_ctx):
    _register()
    db.session.commit()
    with pytest.raises(services.RegistryError) as error:
        _register(_data(given_names="Otra", document_number="10117410-2"))
    assert "ya" in error.value.errors["document_number"].lower()


def test_likely_duplicate_is_shown_before_saving_and_can_be_confirmed(app_ctx):
    _register(_data(document_type="none", document_number=None))
    db.session.commit()
    twin = _data(
        given_names="ROSA", surnames="Huaman Tapullima", document_type="none", document_number=None
    )
    with pytest.raises(services.LikelyDuplicate) as duplicate:
        _register(twin)
    assert [p.given_names for p in duplicate.value.matches] == ["Rosa"]
    db.session.rollback()
    _register(twin, confirm_not_duplicate=True)
    db.session.commit()
    assert count_rows(app_ctx, "participants") == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"district_ubigeo": "150101"}, "district_ubigeo"),
        ({"birth_date": date(2030, 1, 1)}, "birth_date"),
        ({"birth_date": None, "birth_year": 1900}, "birth_year"),
        ({"document_number": "10117410-9"}, "document_number"),
        ({"sex": "other"}, "sex"),
        ({"phone": "call me"}, "phone"),
        (
            {"phone": "\u0669\u0668\u0667\u0666\u0665\u0664\u0663\u0662\u0661"},
            "phone",
        ),  # Arabic-Indic
        ({"phone": "98765432²"}, "phone"),
        ({"given_names": "   "}, "given_names"),
    ],
)
def test_bad_fields_are_refused_with_their_field_named(app_ctx, overrides, field):
    with pytest.raises(services.RegistryError) as error:
        _register(_data(**overrides))
    assert field in error.value.errors
    db.session.rollback()
    assert count_rows(app_ctx, "participants") == 0


def test_quick_registration_needs_less_and_is_marked_incomplete(app_ctx):
    data = services.ParticipantData(
        given_names="Juan", surnames="", sex="male", birth_year=1970, community="Alto Shamboyacu"
    )
    participant = _register(data, complete=False)
    assert participant.is_complete is False
    with pytest.raises(services.RegistryError):
        _register(services.ParticipantData(given_names="Juan", surnames="", sex="male"))


def test_rectification_logs_changed_field_names_not_values(app_ctx):
    participant = _register()
    services.update(
        db.session,
        participant,
        _data(community="Bello Horizonte", phone="987654321"),
        actor=None,
        today=TODAY,
    )
    db.session.commit()
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "participant.rectify")
    ).one()
    assert entry.detail == "community, phone"
    assert "987654321" not in entry.detail
    assert "Bello" not in entry.detail


def test_search_finds_by_name_without_accents_document_code_and_community(app_ctx):
    rosa = _register()
    _register(
        _data(
            given_names="Julio",
            surnames="Panduro",
            document_number="44556677",
            community="Nuevo Lima",
        )
    )
    db.session.commit()
    for text in (
        "rosa",
        "HUAMAN",
        "10117410",
        "10117410-2",
        rosa.code.lower(),
        "pucayacu",
        "rosa tapullima",
    ):
        rows, total = services.search(db.session, text)
        assert [p.id for p in rows] == [rosa.id], text
    rows, total = services.search(db.session, "")
    assert total == 2


def test_search_pages_through_many_people(app_ctx):
    for number in range(services.PAGE_SIZE + 3):
        _register(
            _data(given_names=f"Persona {number}", document_number=None, document_type="none"),
            confirm_not_duplicate=True,
        )
    db.session.commit()
    first, total = services.search(db.session, "persona", page=1)
    second, _ = services.search(db.session, "persona", page=2)
    assert total == services.PAGE_SIZE + 3
    assert len(first) == services.PAGE_SIZE
    assert len(second) == 3
    assert not {p.id for p in first} & {p.id for p in second}


def test_erasure_clears_personal_fields_but_keeps_counting_facts(app_ctx):
    from telecenter.participants import resident_accounts, wfi

    participant = _register(
        consent=services.ConsentData(given=True, financial_inclusion=True, guardian_name=None)
    )
    resident_accounts.set_pin(db.session, participant, "4821", actor=None)
    wfi.enrol(
        db.session,
        participant,
        enrolled_on=date(2026, 1, 5),
        telecenter_code="T1",
        trainer=None,
        actor=None,
        today=TODAY,
    )
    wfi.record_survey(
        db.session, participant, _answers(), taken_on=date(2026, 1, 6), actor=None, today=TODAY
    )
    db.session.commit()
    rights.erase(db.session, participant, actor=None, reason="requested")
    db.session.commit()
    db.session.expire_all()
    erased = db.session.get(Participant, participant.id)
    for name in rights.CLEARED_ON_ERASURE:
        assert getattr(erased, name) is None, name
    assert (erased.sex, erased.birth_date) == ("female", date(1985, 3, 2))
    assert erased.wfi_enrolment is not None  # the programme count does not drop
    assert erased.surveys == []
    assert erased.user.active is False
    assert "Rosa" not in erased.user.display_name
    assert all(c.withdrawn_at for c in db.session.scalars(db.select(Consent)))
    assert services.search(db.session, "rosa")[1] == 0
    with pytest.raises(services.RegistryError):
        rights.erase(db.session, erased, actor=None, reason="requested")


def test_personal_data_never_reaches_the_logs(app_ctx, caplog):
    caplog.set_level(logging.DEBUG)
    participant = _register(_data(phone="987654321"))
    services.update(
        db.session, participant, _data(community="Otra Comunidad"), actor=None, today=TODAY
    )
    rights.record_access(db.session, participant, actor=None)
    rights.erase(db.session, participant, actor=None, reason="requested")
    db.session.commit()
    text = caplog.text
    assert "participant" in text  # the actions are logged...
    for value in ("Rosa", "Huamán", "10117410", "987654321", "1985", "Pucayacu"):
        assert value not in text  # ...but no personal value is


def _answers(**overrides):
    answers = dict(
        phone_access="own",
        account_institutions=["caja_municipal"],
        wallets_used=["yape"],
        digital_payment=True,
        saved=True,
        saving_methods=["account"],
        savings_group_member=False,
        borrowed=False,
        borrowing_sources=[],
        no_account_reasons=[],
        emergency_funds="very_possible",
        has_own_income=True,
        income_decision="self",
        financial_goal="Comprar semillas",
    )
    answers.update(overrides)
    return answers
