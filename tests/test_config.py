"""Configuration order and the generated secret key."""

from __future__ import annotations

import os
import stat

import pytest

from telecenter import config, create_app


def test_secret_key_is_generated_once_into_the_instance(tmp_path):
    first = config.load_or_create_secret_key(str(tmp_path))
    second = config.load_or_create_secret_key(str(tmp_path))
    assert first == second
    assert len(first) == 64
    mode = stat.S_IMODE(os.stat(tmp_path / config.SECRET_KEY_FILE).st_mode)
    assert mode == 0o600


def test_environment_overrides_defaults_and_instance_file_overrides_environment(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("TELECENTER_NAME", "Telecentro Tarapoto")
    monkeypatch.setenv("IDLE_TIMEOUT_STAFF_MINUTES", "45")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    (tmp_path / config.INSTANCE_CONFIG_FILE).write_text('TELECENTER_NAME = "Desde archivo"\n')
    app = create_app(instance_path=str(tmp_path))
    assert app.config["TELECENTER_NAME"] == "Desde archivo"
    assert app.config["IDLE_TIMEOUT_STAFF_MINUTES"] == 45
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")
    assert (tmp_path / config.SECRET_KEY_FILE).exists()


def test_site_defaults_to_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/telecenter.sqlite3"


@pytest.mark.parametrize(
    ("url", "ping"),
    [("sqlite:///{tmp}/x.sqlite3", False), ("postgresql+psycopg://u:p@127.0.0.1/x", True)],
)
def test_connections_are_pinged_before_use_only_over_the_network(tmp_path, url, ping):
    settings = {"TELECENTER_ROLE": "site", "DATABASE_URL": url.format(tmp=tmp_path)}
    config.finalise(settings, str(tmp_path))
    assert settings["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": ping, "hide_parameters": True}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELECENTER_ROLE", "both"),
        ("LOGIN_MAX_FAILURES", "five"),
        ("WFI_FOLLOW_UP_MONTHS", "0"),
        ("WFI_FOLLOW_UP_MONTHS", "seis"),
        ("CENTRAL_SILENT_DAYS", "0"),
        ("CENTRAL_SILENT_DAYS", "siete"),
        ("SMALL_CELL_MINIMUM", "1"),
        ("SMALL_CELL_MINIMUM", "cinco"),
        ("BACKUP_MAX_BYTES", "0"),
        ("BACKUP_MAX_FILES", "-3"),
        ("BACKUP_MAX_FILES", "muchos"),
    ],
)
def test_bad_settings_stop_the_start_with_a_clear_error(tmp_path, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(config.ConfigError):
        create_app(instance_path=str(tmp_path))


def test_the_programme_follow_up_interval_defaults_to_six_months(tmp_path, monkeypatch):
    monkeypatch.delenv("WFI_FOLLOW_UP_MONTHS", raising=False)
    assert create_app(instance_path=str(tmp_path)).config["WFI_FOLLOW_UP_MONTHS"] == 6
    monkeypatch.setenv("WFI_FOLLOW_UP_MONTHS", "4")
    assert create_app(instance_path=str(tmp_path)).config["WFI_FOLLOW_UP_MONTHS"] == 4


def test_every_variable_in_the_readme_is_read_from_the_environment():
    """The README's configuration table is true: each variable is read where it says."""
    import re
    from pathlib import Path

    from telecenter import config

    root = Path(__file__).resolve().parent.parent
    table = (root / "README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = {
        name
        for row in table.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])
    }
    elsewhere = {  # read outside telecenter/config.py, by what reads them
        "TELECENTER_INSTANCE": root / "telecenter" / "__init__.py",
        "PORT": root / "Makefile",
        "TEST_POSTGRES_URL": root / "tests" / "pg.py",
    }
    instance_file_only = {"DHIS2_ORG_UNITS", "DHIS2_DATA_SET"}
    assert names >= set(config.ENV_VARIABLES)  # and nothing read is left undocumented
    for name in sorted(names - instance_file_only):
        if name in elsewhere:
            assert name in elsewhere[name].read_text(), name
        else:
            assert name in config.ENV_VARIABLES, f"{name} is documented but never read"
    for name in instance_file_only:
        assert name in config.DEFAULTS


def test_hash_methods_come_from_the_environment():
    from telecenter import config

    values = config.from_environment(
        {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "PIN_HASH_METHOD": "pbkdf2:sha256:500"}
    )
    assert values == {
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "PIN_HASH_METHOD": "pbkdf2:sha256:500",
    }


@pytest.mark.parametrize(("value", "accepted"), [(1, True), (2, True), (0, False), (3, False)])
def test_report_schema_is_1_or_2(tmp_path, value, accepted):
    settings = dict(config.DEFAULTS) | {"REPORT_SCHEMA": value}
    if accepted:
        config.finalise(settings, str(tmp_path))
        assert settings["REPORT_SCHEMA"] == value
    else:
        with pytest.raises(config.ConfigError, match="REPORT_SCHEMA must be 1 or 2"):
            config.finalise(settings, str(tmp_path))


def test_report_schema_comes_from_the_environment():
    assert config.from_environment({"REPORT_SCHEMA": "1"}) == {"REPORT_SCHEMA": 1}
    assert config.DEFAULTS["REPORT_SCHEMA"] == 2
