"""Words that agree with the person where the registry knows her sex, with no gender otherwise
(telecenter/wording.py), in the helper and in the flows that greet a person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from telecenter import wording
from telecenter.clock import to_lima, utcnow
from telecenter.extensions import db
from telecenter.participants.models import Participant
from telecenter.vocabulary import SEXES
from tests.conftest import csrf_token, sign_in
from tests.courses.conftest import BODIES, definition

NAMES = {"female": "María", "male": "Julio", "unspecified": "Alex"}
WELCOME = {
    "female": "Bienvenida, María.",
    "male": "Bienvenido, Julio.",
    "unspecified": "Le damos la bienvenida, Alex.",
}
ENROLLED = {
    "female": "¡Listo! Ya está inscrita.",
    "male": "¡Listo! Ya está inscrito.",
    "unspecified": "¡Listo! Ya tiene su lugar en el curso.",
}
CHECKED_IN = {
    "female": "María, usted ya registró su asistencia. ¡Bienvenida!",
    "male": "Julio, usted ya registró su asistencia. ¡Bienvenido!",
    "unspecified": "Alex, usted ya registró su asistencia. ¡Le damos la bienvenida!",
}
DNI, PIN = "44556677", "5824"


def test_by_sex_picks_the_variant_and_falls_back_to_the_neutral_one():
    choose = {"female": "a", "male": "o", "neutral": "e"}
    assert wording.by_sex("female", **choose) == "a"
    assert wording.by_sex("male", **choose) == "o"
    assert wording.by_sex("unspecified", **choose) == "e"
    assert wording.by_sex(None, **choose) == "e"  # staff: no sex recorded
    assert wording.by_sex("", **choose) == "e"


def test_every_sex_of_the_vocabulary_has_its_wording(app):
    assert set(SEXES) == set(WELCOME)  # a new value of the vocabulary needs its words here
    with app.test_request_context():
        for sex in SEXES:
            assert wording.welcome(sex, NAMES[sex]) == WELCOME[sex]
            assert wording.enrolled_in_course(sex).startswith(ENROLLED[sex])
            assert wording.already_checked_in(sex, NAMES[sex]) == CHECKED_IN[sex]
        assert wording.welcome(None, "Rosa") == "Le damos la bienvenida, Rosa."


def test_the_variants_are_translated_to_english(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        assert {wording.welcome(sex, "Ana") for sex in (*SEXES, None)} == {"Welcome, Ana."}
        assert wording.enrolled_in_course("female").startswith("Done!")


def _resident(client, make_participant, sex: str):
    make_participant(
        given_names=NAMES[sex], sex=sex, document_type="dni", document_number=DNI, pin=PIN
    )
    return client.post(
        "/sign-in/participant",
        data={"identifier": DNI, "pin": PIN, "csrf_token": csrf_token(client)},
    )


@pytest.mark.parametrize("sex", SEXES)
def test_a_resident_is_welcomed_in_her_own_words(client, make_participant, sex):
    answer = _resident(client, make_participant, sex)
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert WELCOME[sex] in page
    assert "Bienvenida, bienvenido" not in page


def test_staff_are_welcomed_with_no_gender(client, make_user):
    username, password = make_user("trainer", display_name="Julio Ríos")
    answer = sign_in(client, username, password)
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Le damos la bienvenida, Julio Ríos." in page


@pytest.mark.parametrize("sex", SEXES)
def test_enrolling_in_a_course_says_it_in_her_words(app, client, make_participant, sex):
    from telecenter.courses import authoring

    with app.app_context():
        course = authoring.apply_definition(db.session, definition(), BODIES, published=True)
        db.session.commit()
        course_id = course.id
    _resident(client, make_participant, sex)
    answer = client.post(f"/courses/{course_id}/enrol", data={"csrf_token": csrf_token(client)})
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert ENROLLED[sex] in page


@pytest.mark.parametrize("sex", SEXES)
def test_the_kiosk_greets_someone_checking_in_twice_in_her_words(
    clock, app_ctx, make_participant, sex
):
    from telecenter.attendance import kiosk, scheduling
    from tests.attendance.conftest import session_data

    participant = db.session.get(
        Participant,
        make_participant(given_names=NAMES[sex], sex=sex, document_type="dni", document_number=DNI),
    )
    started = to_lima(utcnow() - timedelta(minutes=5))  # the check-in window is open
    activity = scheduling.create(
        db.session,
        session_data(
            day=started.date(), start=started.time(), end=(started + timedelta(hours=1)).time()
        ),
    )[0]
    db.session.commit()
    kiosk.check_in(db.session, activity, DNI, utcnow())
    db.session.commit()
    with pytest.raises(kiosk.AlreadyCheckedIn) as refused:
        kiosk.check_in(db.session, activity, DNI, utcnow())
    assert refused.value.message == CHECKED_IN[sex]
    assert participant.first_name == NAMES[sex]


@pytest.mark.parametrize(
    ("sex", "expected"),
    [
        ("female", "Participante registrada."),
        ("male", "Participante registrado."),
        ("unspecified", "Registro guardado."),
    ],
)
def test_registering_someone_says_it_in_their_words(signed_in, sex, expected):
    from tests.participants.test_routes import REGISTRATION

    trainer = signed_in("trainer")
    answer = trainer.post(
        "/participants/new",
        data={**REGISTRATION, "sex": sex, "csrf_token": csrf_token(trainer)},
    )
    assert answer.status_code == 302
    assert expected in trainer.get(answer.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("sex", "expected"),
    [
        ("female", "No está inscrita en ningún curso."),
        ("male", "No está inscrito en ningún curso."),
        ("unspecified", "Todavía no tiene ningún curso."),
    ],
)
def test_a_participants_course_report_speaks_of_her_in_her_words(
    signed_in, make_participant, sex, expected
):
    participant_id = make_participant(sex=sex)
    trainer = signed_in("trainer")
    page = trainer.get(f"/courses/manage/participants/{participant_id}").get_data(as_text=True)
    assert expected in page
