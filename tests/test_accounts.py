"""The accounts page: staff and residents apart, no default role, deactivation confirmed, and
residents' accounts refused by the staff actions (their PIN and lock live on their page)."""

from __future__ import annotations

import contextlib
import re

import sqlalchemy as sa

from telecenter.auth.models import User
from telecenter.extensions import db
from tests.conftest import csrf_token


def _user(app, username):
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.username == username))


def _resident(app, make_participant, **fields):
    participant_id = make_participant(
        given_names="Rosa Elena", surnames="Huamán Tito", pin="4821", **fields
    )
    with app.app_context():
        user_id = db.session.scalar(
            sa.text("SELECT user_id FROM participants WHERE id = :id"), {"id": participant_id}
        )
        return participant_id, db.session.get(User, user_id)


def test_staff_list_leaves_residents_out_and_their_tab_links_to_their_page(
    app, signed_in, make_participant
):
    client = signed_in("admin")
    participant_id, resident = _resident(app, make_participant)
    staff_page = client.get("/admin/accounts/").get_data(as_text=True)
    assert resident.username not in staff_page
    assert "admin-1" in staff_page
    assert 'href="/participants/accounts"' in staff_page
    residents = client.get("/participants/accounts")
    assert residents.status_code == 200
    page = residents.get_data(as_text=True)
    assert "Rosa Elena Huamán Tito" in page
    assert f'href="/participants/{participant_id}"' in page
    assert 'type="password"' not in page
    assert "Puede ingresar" in page


def test_residents_tab_says_who_is_locked(app, signed_in, make_participant):
    from telecenter.auth import services
    from telecenter.participants import resident_accounts

    client = signed_in("admin")
    participant_id, _ = _resident(app, make_participant)
    with app.app_context():
        policy = services.ThrottlePolicy.from_config(app.config)
        person = db.session.get(resident_accounts.Participant, participant_id)
        for _attempt in range(policy.max_failures):
            with contextlib.suppress(services.AuthError):
                resident_accounts.authenticate_resident(
                    db.session, identifier=person.code, pin="9999", address="y", policy=policy
                )
        db.session.commit()
    page = client.get("/participants/accounts").get_data(as_text=True)
    assert "Bloqueo por PIN equivocado" in page


def test_role_list_starts_empty_and_offers_only_staff_roles(app, signed_in):
    client = signed_in("admin")
    page = client.get("/admin/accounts/").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="role".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option[^>]*value="([^"]*)"', select)
    assert options == ["", "admin", "trainer"]
    assert "selected" not in select
    assert "Elija un rol" in select


def test_deactivation_asks_first_and_names_the_account(app, signed_in, make_user):
    client = signed_in("admin")
    other, _ = make_user("trainer", display_name="Julio Ríos")
    other_id = _user(app, other).id
    list_page = client.get("/admin/accounts/").get_data(as_text=True)
    # The list's button leads to the confirmation page: nothing changes by a click there.
    assert f'href="/admin/accounts/{other_id}/deactivate"' in list_page
    confirm = client.get(f"/admin/accounts/{other_id}/deactivate")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Julio Ríos" in text
    assert other in text
    assert "no podrá ingresar" in text
    assert _user(app, other).active is True
    done = client.post(
        f"/admin/accounts/{other_id}/deactivate",
        data={"csrf_token": csrf_token(client)},
        follow_redirects=True,
    )
    assert "Cuenta de Julio Ríos desactivada" in done.get_data(as_text=True)
    assert _user(app, other).active is False
    # Reactivating takes nothing away: one press, no confirmation.
    client.post(f"/admin/accounts/{other_id}/activate", data={"csrf_token": csrf_token(client)})
    assert _user(app, other).active is True


def test_deactivation_without_the_token_changes_nothing(app, signed_in, make_user):
    client = signed_in("admin")
    other, _ = make_user("trainer")
    other_id = _user(app, other).id
    answer = client.post(f"/admin/accounts/{other_id}/deactivate", data={})
    assert answer.status_code == 400
    assert _user(app, other).active is True


def test_staff_actions_refuse_a_resident_account(app, signed_in, make_participant):
    client = signed_in("admin")
    _participant_id, resident = _resident(app, make_participant)
    before = resident.password_hash
    token = csrf_token(client)
    answer = client.post(
        f"/admin/accounts/{resident.id}/password",
        data={"csrf_token": token, "password": "a-long-password-1"},
        follow_redirects=True,
    )
    assert "se manejan desde la página de la persona" in answer.get_data(as_text=True)
    client.post(f"/admin/accounts/{resident.id}/deactivate", data={"csrf_token": token})
    after = _user(app, resident.username)
    assert after.password_hash == before
    assert after.active is True


def test_the_password_service_refuses_residents(app, make_participant):
    import pytest

    from telecenter.auth import services

    _participant_id, resident = _resident(app, make_participant)
    with app.app_context():
        user = db.session.get(User, resident.id)
        with pytest.raises(services.AccountError, match="PIN"):
            services.set_password(db.session, user, "a-long-password-1")


def test_central_has_no_residents_tab(make_app):
    from tests.central.conftest import sign_in

    central = make_app("central")
    from telecenter.auth import services

    with central.app_context():
        services.create_user(
            db.session,
            username="c-admin",
            password="long-enough-1",
            display_name="Central",
            role="central_admin",
        )
        db.session.commit()
    client = central.test_client()
    sign_in(client, "c-admin", "long-enough-1")
    page = client.get("/admin/accounts/").get_data(as_text=True)
    assert "participants/accounts" not in page
    select = re.search(r'<select[^>]*name="role".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="([^"]*)"', select) == ["", "central_admin", "central_staff"]


GUESSABLE = "muy fácil de adivinar"


def test_common_and_trivial_passwords_are_refused_for_new_accounts(app, signed_in):
    client = signed_in("admin")
    for weak in ("12345678", "password", "Contraseña2026", "peru2026", "qwertyuiop", "Nuevo-1!!"):
        answer = client.post(
            "/admin/accounts/",
            data={
                "csrf_token": csrf_token(client),
                "username": "nuevo-1",
                "display_name": "Nuevo",
                "role": "trainer",
                "password": weak,
                "confirm": weak,
            },
        )
        assert answer.status_code == 400, weak
        assert GUESSABLE in answer.get_data(as_text=True), weak
    assert _user(app, "nuevo-1") is None


def test_a_password_reset_refuses_a_guessable_password(app, signed_in, make_user):
    client = signed_in("admin")
    other, _ = make_user("trainer")
    before = _user(app, other).password_hash
    answer = client.post(
        f"/admin/accounts/{_user(app, other).id}/password",
        data={"csrf_token": csrf_token(client), "password": "Telecentro2026"},
        follow_redirects=True,
    )
    assert GUESSABLE in answer.get_data(as_text=True)
    assert _user(app, other).password_hash == before


def test_the_password_rule_keeps_ordinary_passphrases_and_the_demo_ones():
    from telecenter.auth.password_rules import common_passwords, is_guessable
    from telecenter.demo import CENTRAL_ACCOUNTS, SITE_ACCOUNTS

    assert 1000 <= len(common_passwords()) <= 10000
    personal = ("admin", "Telecentro de demostración", "DEMO-01")
    assert not is_guessable("río-verde-canoa-7", personal_words=personal)
    for account in SITE_ACCOUNTS + CENTRAL_ACCOUNTS:
        assert not is_guessable(account.password, personal_words=(account.username,))
    for weak in ("admin2026", "Demostración1", "11111111", "abababab", "04051990"):
        assert is_guessable(weak, personal_words=personal), weak
