"""The `telecenter` command: init, create-user, seed-demo."""

from __future__ import annotations

import sqlalchemy as sa

from telecenter.demo import DEMO_PEOPLE, DEMO_RESIDENT_CODE, SITE_ACCOUNTS
from telecenter.extensions import db
from tests.conftest import count_rows


def _usernames(app) -> list[str]:
    from telecenter.auth.models import User

    with app.app_context():
        return db.session.scalars(sa.select(User.username).order_by(User.username)).all()


def test_init_creates_first_admin_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["init", "--admin-username", "Jefa", "--admin-password", "long-enough-1"]
    )
    assert result.exit_code == 0, result.output
    assert "created admin account jefa" in result.output
    again = runner.invoke(
        args=["init", "--admin-username", "otra", "--admin-password", "long-enough-1"]
    )
    assert again.exit_code == 0
    assert _usernames(app) == ["jefa"]


def test_init_prompts_for_missing_admin_details(app):
    result = app.test_cli_runner().invoke(
        args=["init"], input="rosa\nlong-enough-1\nlong-enough-1\n"
    )
    assert result.exit_code == 0, result.output
    assert _usernames(app) == ["rosa"]


def test_init_refuses_a_weak_password_and_creates_nothing(app):
    result = app.test_cli_runner().invoke(
        args=["init", "--admin-username", "rosa", "--admin-password", "short"]
    )
    assert result.exit_code != 0
    assert "al menos 8" in result.output
    assert _usernames(app) == []


def test_create_user_refuses_a_common_password_with_the_reason(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--username", "julio", "--role", "trainer", "--password", "password1"]
    )
    assert result.exit_code != 0
    assert "muy fácil de adivinar" in result.output
    assert _usernames(app) == []


def test_create_user_refuses_roles_of_the_other_server(app):
    runner = app.test_cli_runner()
    bad = runner.invoke(
        args=[
            "create-user",
            "--username",
            "x",
            "--role",
            "central_staff",
            "--password",
            "long-enough-1",
        ]
    )
    assert bad.exit_code != 0
    assert "Rol desconocido" in bad.output
    good = runner.invoke(
        args=[
            "create-user",
            "--username",
            "profe",
            "--role",
            "trainer",
            "--password",
            "long-enough-1",
        ]
    )
    assert good.exit_code == 0, good.output
    assert _usernames(app) == ["profe"]


def test_seed_demo_is_idempotent_and_prints_accounts(app):
    """The small demo (what browser tests build on); tests/test_demo.py has the full one."""
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--small"])
    second = runner.invoke(args=["seed-demo", "--small"])
    assert first.exit_code == second.exit_code == 0
    for account in SITE_ACCOUNTS:
        assert f"{account.username} / {account.password}" in first.output
    assert "10117410 / 4821 / resident" in first.output
    demo_resident = f"p-{DEMO_RESIDENT_CODE.lower()}"
    assert _usernames(app) == sorted([*(a.username for a in SITE_ACCOUNTS), demo_resident])
    assert count_rows(app, "participants") == len(DEMO_PEOPLE)
    assert count_rows(app, "wfi_enrolments") == 3


def test_seed_demo_on_central_creates_central_accounts(make_app):
    central = make_app("central")
    result = central.test_cli_runner().invoke(args=["seed-demo", "--small"])
    assert result.exit_code == 0, result.output
    assert _usernames(central) == ["central", "oficina"]
